"""L10: translator text reaches the draft's Markdown verbatim, and the site generator renders it.

QA flags raw HTML and javascript:/data:/vbscript: links the source segment does not have (TQA008), and approval
is refused for such a segment — in the review functions, the XLIFF/PO import (CLI) and the web UI — until the
text is fixed.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from pipeline.cli import main
from pipeline.config import load_config
from pipeline.stages import Context
from pipeline.translate import review
from pipeline.translate.exchange import dumps_xliff, loads_xliff
from pipeline.translate.qa import run_qa
from pipeline.translate.segment import Segment
from pipeline.translate.stage import run_stage
from pipeline.web.app import create_app
from tests.translate_support.site import POST, install, make_context
from tests.web_support.site import PASSWORD, Site, add_users, build_site

SRC = "Read the guide before you start."

UNSAFE = [
    "Lee <script>alert(1)</script> la guía.",
    "Lee <img src=x onerror=alert(1)> la guía.",
    "Lee <!-- x --> la guía.",
    "Lee [la guía](javascript:alert(1)).",
    "Lee [la guía](  JaVaScRiPt:alert(1)).",
    "Lee [la guía](java&#x09;script:alert(1)).",
    "Lee [la guía](javascript\\:alert(1)).",
    "Lee <javascript:alert(1)> ahora.",
    "Lee ![x](data:text/html;base64,PHNjcmlwdD4=) ahora.",
    "Lee [x](vbscript:msgbox) ahora.",
    "Lee [la guía][g].\n\n[g]: javascript:alert(1)",
]
SAFE = [
    "Lee la guía antes de empezar.",
    "Lee la guía: 3 < 5 y 5 > 3.",
    "Data: lee la guía.",
    "Lee la [guía](https://example.org/guide).",
    "Lee &lt;script&gt; como texto.",
]


@pytest.mark.parametrize("target", UNSAFE)
def test_qa_flags_markup_the_source_does_not_have(target: str) -> None:
    notes = run_qa(Segment("b1", SRC, []), target)
    assert any(n.startswith("TQA008:") for n in notes), notes


@pytest.mark.parametrize("target", SAFE)
def test_qa_leaves_plain_text_alone(target: str) -> None:
    notes = run_qa(Segment("b1", SRC, []), target)
    assert not any(n.startswith("TQA008:") for n in notes), notes


def test_markup_the_source_has_is_not_flagged() -> None:
    src = "Press <kbd>Ctrl</kbd> then see [it](javascript:void(0))."
    assert not [
        n
        for n in run_qa(Segment("b1", src, []), "Pulsa <kbd>Ctrl</kbd>, ve [esto](javascript:void(0)).")
        if n.startswith("TQA008")
    ]


def _translated(root: Path, state: Path) -> tuple[Context, str]:
    install(state, "copy")
    ctx = make_context(root, {"posts/sleep.md": POST})
    run_stage(ctx)
    seg = next(s for s in review.draft_segments(ctx, "posts/sleep.md", "es") if s.id.startswith("b"))
    return ctx, seg.id


def test_review_refuses_to_approve_until_fixed(tmp_path: Path, _isolated_state: Path) -> None:
    ctx, seg = _translated(tmp_path, _isolated_state)
    with pytest.raises(review.ReviewError, match=r"saved but not approved.*TQA008"):
        review.save_edit(
            ctx, "posts/sleep.md", "es", seg, "Hola <script>alert(1)</script>", "ana", approve=True
        )
    view = next(v for v in review.draft_segments(ctx, "posts/sleep.md", "es") if v.id == seg)
    assert view.state == "needs-review" and view.target == "Hola <script>alert(1)</script>"
    with pytest.raises(review.ReviewError, match="cannot be approved"):
        review.approve_segment(ctx, "posts/sleep.md", "es", seg, "ana")
    # "Approve all" approves the others and skips it, saying so.
    count, skipped = review.approve_all(ctx, "posts/sleep.md", "es", "ana")
    assert [v.id for v in skipped] == [seg] and count == len(
        review.draft_segments(ctx, "posts/sleep.md", "es")
    ) - 1
    states = {v.id: v.state for v in review.draft_segments(ctx, "posts/sleep.md", "es")}
    assert states.pop(seg) == "needs-review" and set(states.values()) == {"approved"}
    review.save_edit(ctx, "posts/sleep.md", "es", seg, "Hola, sin nada raro.", "ana", approve=True)
    assert review.approve_all(ctx, "posts/sleep.md", "es", "ana") == (0, [])
    assert {v.state for v in review.draft_segments(ctx, "posts/sleep.md", "es")} == {"approved"}


def test_import_does_not_approve_unsafe_targets(tmp_path: Path, _isolated_state: Path) -> None:
    _translated(tmp_path, _isolated_state)
    config = tmp_path / "site.toml"
    config.write_text(
        f'[site]\ncontent_dir = "{tmp_path / "content"}"\nbase_url = "https://example.org"\n'
        '[site.languages.en]\n[site.languages.es]\n[translate]\nlanguages = ["es"]\n'
    )
    xlf = tmp_path / "es.xlf"
    assert main(["--config", str(config), "translate", "--to", "es", "--export", str(xlf)]) == 0
    units = loads_xliff(xlf.read_bytes())
    for unit in units:
        unit.approved = True
    body = next(u for u in units if "#b" in u.id)
    body.target = "Mira [esto](javascript:alert(document.cookie))"
    xlf.write_text(dumps_xliff(units, "en", "es"))
    assert main(["--config", str(config), "translate", "--to", "es", "--import", str(xlf)]) == 2
    ctx = Context(config=load_config(config))
    states = {v.id: v.state for v in review.draft_segments(ctx, "posts/sleep.md", "es")}
    seg_id = body.id.rsplit("#", 1)[1]
    assert states.pop(seg_id) == "needs-review"
    assert set(states.values()) == {"approved"}  # the other units were imported and approved


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Site:
    tmp = tmp_path_factory.mktemp("web-unsafe")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PIPELINE_STATE_DIR", str(tmp / "state"))
        s = build_site(tmp, tmp / "state", translate=True)
        add_users(s)
    return s


def _client(site: Site, monkeypatch: pytest.MonkeyPatch) -> tuple[FlaskClient, str]:
    monkeypatch.setenv("PIPELINE_SECRET_KEY", "k" * 40)
    client = create_app(site.ctx).test_client()
    page = client.get("/login").get_data(as_text=True)
    tok = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert tok
    client.post("/login", data={"name": "tomas", "password": PASSWORD, "csrf_token": tok.group(1)})
    return client, tok.group(1)


def test_web_save_and_approve_are_refused(site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    client, _ = _client(site, monkeypatch)
    rel = "posts/sleep-and-longevity.md"
    page = client.get(f"/translate/es/post/{rel}").get_data(as_text=True)
    tok = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert tok
    seg = next(v.id for v in review.draft_segments(site.ctx, rel, "es") if v.id.startswith("b"))
    resp = client.post(
        f"/translate/es/post/{rel}",
        data={"csrf_token": tok.group(1), f"t:{seg}": "<script>x()</script>", "do": f"approve:{seg}"},
        follow_redirects=True,
    )
    text = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "saved but not approved" in text
    assert "<script>x()</script>" not in text  # shown escaped, as everything
    client.post(f"/translate/es/post/{rel}", data={"csrf_token": tok.group(1), "do": f"approve:{seg}"})
    client.post(f"/translate/es/approve-all/{rel}", data={"csrf_token": tok.group(1)})
    states = {v.id: v.state for v in review.draft_segments(site.ctx, rel, "es")}
    assert states[seg] == "needs-review"
