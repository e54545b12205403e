"""Build real `.argosmodel` packages offline in a fraction of a second.

The weights are crafted, not trained: a one-layer CTranslate2 Transformer whose decoder at step t attends
exactly to source position t and emits a fixed function of that source piece. With the identity it is a
**copy** model (output = input); with a piece mapping (lower → upper case) it is a **pseudo-translation** model
whose output is visibly different yet predictable. The SentencePiece model is a character model (with byte
fallback) trained in memory, so every letter has an upper-case counterpart in the vocabulary.

Positions use two one-hot factors (t // 32, t % 32), which keeps d_model near the vocabulary size while
allowing 1,024 positions; RMS norm keeps the one-hot geometry intact (every vector has the same norm).
"""

from __future__ import annotations

import io
import json
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path

import ctranslate2
import numpy as np
import sentencepiece as spm

FACTOR = 32
TRAIN_TEXT = (
    "The quick brown fox jumps over the lazy dog. Osteoporosis affects bones; exercise helps! "
    "Vitamin D, calcium and protein: 7-9 hours of sleep (mg, kg, IU) matter? snake_case_name "
    "0123456789 #*_`[]()<>{}|~^=+-/\\'\".,;:!?@&%$ "
)

PieceMap = Callable[[str], str]


def identity(piece: str) -> str:
    return piece


def upper(piece: str) -> str:
    return piece.upper()


def train_sentencepiece() -> bytes:
    """A character-level SentencePiece model with byte fallback, trained in memory."""
    lines = [TRAIN_TEXT, TRAIN_TEXT.upper(), TRAIN_TEXT.lower(), "abcdefghijklmnopqrstuvwxyz" * 2]
    lines += [ln.upper() for ln in lines]
    out = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(lines * 4),
        model_writer=out,
        model_type="char",
        vocab_size=400,
        hard_vocab_limit=False,
        byte_fallback=True,
        character_coverage=1.0,
        minloglevel=2,
    )
    return out.getvalue()


def _rms_norm(d: int) -> dict[str, np.ndarray]:
    return {"gamma": np.ones(d, dtype=np.float32)}


def build_model_dir(
    target: Path, sp_bytes: bytes, mapping: PieceMap = identity, positions: int = FACTOR * FACTOR
) -> None:
    """Write a CTranslate2 model directory that outputs mapping(piece) for each source piece.

    `positions` (at most 1,024) is how long an input the model can read; a longer one is a model error, as a
    600 KB paragraph is for a real package."""
    sp = spm.SentencePieceProcessor(model_proto=sp_bytes)
    vocab = [sp.id_to_piece(i) for i in range(sp.get_piece_size())]
    index = {p: i for i, p in enumerate(vocab)}
    v = len(vocab)
    d = v + 2 * FACTOR
    d += (-d) % 2
    max_pos = min(positions, FACTOR * FACTOR)

    emb = np.zeros((v, d), dtype=np.float32)
    emb[np.arange(v), np.arange(v)] = 1.0
    pos = np.zeros((max_pos, d), dtype=np.float32)
    t = np.arange(max_pos)
    pos[t, v + t // FACTOR] = 1.0
    pos[t, v + FACTOR + t % FACTOR] = 1.0

    spec = ctranslate2.specs.TransformerSpec.from_config(1, 1, pre_norm=True, rms_norm=True)
    ffn = 8
    for side in (spec.encoder, spec.decoder):
        side.scale_embeddings = False
        side.position_encodings.encodings = pos
        side.layer_norm.gamma = np.ones(d, dtype=np.float32)
        layer = side.layer[0]
        layer.self_attention.layer_norm.gamma = np.ones(d, dtype=np.float32)
        layer.self_attention.linear[0].weight = np.zeros((3 * d, d), dtype=np.float32)
        layer.self_attention.linear[1].weight = np.zeros((d, d), dtype=np.float32)
        layer.ffn.layer_norm.gamma = np.ones(d, dtype=np.float32)
        layer.ffn.linear_0.weight = np.zeros((ffn, d), dtype=np.float32)
        layer.ffn.linear_1.weight = np.zeros((d, ffn), dtype=np.float32)
    spec.encoder.embeddings[0].weight = emb
    spec.decoder.embeddings.weight = emb

    cross = spec.decoder.layer[0].attention
    cross.layer_norm.gamma = np.ones(d, dtype=np.float32)
    scale = 2.0
    q = np.zeros((d, d), dtype=np.float32)
    q[np.arange(v, v + 2 * FACTOR), np.arange(v, v + 2 * FACTOR)] = scale
    kv = np.zeros((2 * d, d), dtype=np.float32)
    kv[np.arange(v, v + 2 * FACTOR), np.arange(v, v + 2 * FACTOR)] = scale  # keys: positions
    kv[d + np.arange(v), np.arange(v)] = 1.0  # values: token one-hots
    out = np.zeros((d, d), dtype=np.float32)
    for i, piece in enumerate(vocab):
        out[index.get(mapping(piece), i), i] = 1.0
    cross.linear[0].weight = q
    cross.linear[1].weight = kv
    cross.linear[2].weight = out

    proj = np.zeros((v, d), dtype=np.float32)
    proj[np.arange(v), np.arange(v)] = 1.0
    spec.decoder.projection.weight = proj
    spec.config.add_source_eos = True
    spec.register_source_vocabulary(vocab)
    spec.register_target_vocabulary(vocab)
    spec.validate()
    spec.optimize(quantization="int8")
    target.mkdir(parents=True, exist_ok=True)
    spec.save(str(target))


def build_package(
    dest: Path,
    from_code: str = "en",
    to_code: str = "es",
    mapping: PieceMap = identity,
    sp_bytes: bytes | None = None,
    positions: int = FACTOR * FACTOR,
) -> Path:
    """Write `dest` (a .argosmodel zip) holding a crafted model for from_code → to_code."""
    sp_bytes = sp_bytes or train_sentencepiece()
    name = f"translate-{from_code}_{to_code}-1_0"
    with tempfile.TemporaryDirectory() as tmp:
        model_dir = Path(tmp) / "model"
        build_model_dir(model_dir, sp_bytes, mapping, positions)
        meta = {
            "package_version": "1.0",
            "argos_version": "1.0",
            "from_code": from_code,
            "from_name": from_code,
            "to_code": to_code,
            "to_name": to_code,
            "type": "translate",
            "links": [],
        }
        with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zf:
            zf.writestr(f"{name}/metadata.json", json.dumps(meta))
            zf.writestr(f"{name}/sentencepiece.model", sp_bytes)
            zf.writestr(f"{name}/README.md", "Test package built by tests/translate_support.\n")
            for file in sorted(model_dir.iterdir()):
                zf.write(file, f"{name}/model/{file.name}")
    return dest
