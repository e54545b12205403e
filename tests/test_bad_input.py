"""The bad-input corpus: hostile and broken files across every stage.

Each case must produce a clear finding or error naming the file (and line where there is one), the documented
exit code, no traceback, the other posts still processed, and no file damaged.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from PIL import Image

from tests.conftest import REPO
from tests.validate_support import GOOD_BODY, GOOD_META, yaml_post


@dataclass
class Case:
    name: str  # file name under content/posts/
    data: bytes
    rule: str  # rule id expected on that file
    line: int | None = None


def _meta(**changes: object) -> dict[str, object]:
    m = dict(GOOD_META)
    m.update(changes)
    return {k: v for k, v in m.items() if v is not None}


def _post(slug: str, body: str = GOOD_BODY, **changes: object) -> bytes:
    base: dict[str, object] = {
        "permalink": f"/articles/{slug}/",
        "title": f"Title {slug}",
        "description": f"{slug} " + "d" * 130,
    }
    base.update(changes)
    return yaml_post(_meta(**base), body).encode()


BOMB = (
    "---\na: &a [x, x, x, x, x, x, x, x, x]\n"
    + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
        for i in range(8)
    )
    + "title: bomb\n---\nbody\n"
)

CASES: list[Case] = [
    Case("bad-yaml.md", b"---\ntitle: 'unterminated\ndescription: x\n---\nbody\n", "CONTENT005"),
    Case("bad-toml.md", b'+++\ntitle = "x\ndate = 2025-01-01\n+++\nbody\n', "CONTENT006", 2),
    Case("unclosed.md", b"---\ntitle: never closed\n\nbody text\n", "CONTENT004", 1),
    Case("latin1.md", "---\ntitle: caf\u00e9\n---\n".encode("latin-1"), "CONTENT002", 2),
    Case("binary.md", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200), "CONTENT003", 1),
    Case("alias-bomb.md", BOMB.encode(), "CONTENT008"),
    Case("deep.md", ("---\nx: " + "[" * 60 + "]" * 60 + "\n---\nbody\n").encode(), "CONTENT009"),
    Case("list-front.md", b"---\n- a\n- b\n---\nbody\n", "CONTENT007"),
    Case("dup-a.md", _post("dup-a", permalink="/articles/same/"), "SEO022"),
    Case("dup-b.md", _post("dup-b", permalink="/articles/same/"), "SEO022"),
    Case("traversal.md", _post("traversal", image="../../../../etc/passwd"), "IMG001"),
    Case("abs-outside.md", _post("abs-outside", image=str(Path(sys.executable).resolve())), "IMG001"),
    Case(
        "xss.md",
        _post(
            "xss",
            title="<script>alert('t')</script>",
            description="<img src=x onerror=alert(1)> " + "d" * 120,
        ),
        "KEY001",
    ),
    Case("long-title.md", _post("long-title", title="T" * 300), "SEO010"),
    Case("empty-body.md", _post("empty-body", body=""), "MD007"),
    Case("emoji-title.md", _post("emoji-title", title="🦴💪🏃‍♀️🥛"), "KEY001"),
    Case("rtl-title.md", _post("rtl-title", title="تمارين 10 لهشاشة العظام 2025"), "KEY001"),
    Case(
        "huge-table.md",
        _post("huge-table", body=GOOD_BODY + "\n| a | b |\n|---|---|\n" + "| walk | rest |\n" * 20000),
        "READ012",
    ),
    Case("corrupt-hero.md", _post("corrupt-hero", image="/images/corrupt.jpg"), "IMG003"),
    Case("tiny-hero.md", _post("tiny-hero", image="/images/tiny.png"), "IMG004"),
    Case("future.md", _post("future", date="2999-01-01"), "SEO004"),
    Case("bad-date.md", _post("bad-date", date="someday"), "SEO003"),
    Case("upper-slug.md", _post("upper-slug", permalink="/articles/Upper_Slug/"), "SEO021"),
    Case("no-front.md", b"# Just a heading\n\nNo front matter here.\n", "CONTENT011", 1),
    Case("symlinked-hero.md", _post("symlinked-hero", image="/images/escape.jpg"), "IMG001"),
    Case("impossible-date.md", b"---\ntitle: x\ndate: 2025-13-45\n---\nbody\n", "CONTENT005", 3),
    Case("bad-bool-tag.md", b"---\ntitle: x\ndraft: !!bool maybe\n---\nbody\n", "CONTENT005", 3),
    Case("dup-keys.md", b"---\ntitle: A\ntitle: B\n---\nbody\n", "CONTENT005", 3),
    Case("lang-escape.md", b"---\ntitle: x\nlang: ../../tmp/x\n---\nbody\n", "CONTENT012", 3),
]
GOOD = ["good-one.md", "good-two.md"]
BAD_NAME = (
    b"bad-name-\xff.md"  # not UTF-8: Python sees a lone surrogate, which crashed the cache key (exit 3)
)


def _write_site(tmp: Path) -> tuple[Path, Path]:
    content = tmp / "content" / "posts"
    static = tmp / "static" / "images"
    content.mkdir(parents=True)
    static.mkdir(parents=True)
    for name in ("hero.jpg", "og.jpg", "tw.jpg"):
        Image.new("RGB", (1200, 630), (80, 110, 150)).save(static / name, quality=70)
    good = static / "hero.jpg"
    (static / "corrupt.jpg").write_bytes(good.read_bytes()[:400])
    Image.new("RGB", (1, 1)).save(static / "tiny.png")
    Image.new("RGBA", (1400, 800), (10, 200, 30, 90)).save(static / "alpha.png")
    Image.new("CMYK", (1400, 800), (10, 50, 30, 0)).save(static / "cmyk.jpg")
    secret = tmp / "secret.jpg"
    secret.write_bytes(good.read_bytes())
    os.symlink(secret, static / "escape.jpg")
    for case in CASES:
        (content / case.name).write_bytes(case.data)
    (content / os.fsdecode(BAD_NAME)).write_bytes(_post("bad-name"))  # a Latin-1 name on a UTF-8 system
    (content / "good-one.md").write_bytes(
        _post("good-one", image="/images/alpha.png", ogImage=None, twitterImage=None)
    )
    (content / "good-two.md").write_bytes(
        _post("good-two", image="/images/cmyk.jpg", ogImage=None, twitterImage=None)
    )
    # A 50 MB post and a symlinked post leaving the content root.
    with (content / "huge.md").open("wb") as fh:
        fh.write(b"---\ntitle: huge\n---\n")
        fh.truncate(50 * 1024 * 1024)
    outside = tmp / "outside.md"
    outside.write_bytes(_post("outside"))
    os.symlink(outside, content / "symlink-out.md")
    config = tmp / "site.toml"
    config.write_text(
        "[site]\n"
        'name = "Bad Input"\n'
        'base_url = "http://127.0.0.1:9"\n'  # nothing listens on the discard port: unreachable base URL
        f'content_dir = "{tmp / "content"}"\n'
        f'static_dir = "{tmp / "static"}"\n'
        f'reports_dir = "{tmp / "reports"}"\n'
        f'output_dir = "{tmp / "_site"}"\n'
        "[cards]\n"
        'output_pattern = "/images/cards/{lang}/{slug}-{kind}.jpg"\n'
    )
    return config, tmp / "content"


def _hashes(root: Path) -> dict[str, str]:
    return {
        str(p): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not p.is_symlink()
    }


def _cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pipeline", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
    )


@pytest.fixture(scope="module")
def bad_run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    tmp = tmp_path_factory.mktemp("bad")
    config, content = _write_site(tmp)
    before = _hashes(content)
    env = {**os.environ, "PIPELINE_STATE_DIR": str(tmp / "state")}
    proc = _cli("--config", str(config), "run", "--only", "validate,cards,build,crawl", env=env)
    after = _hashes(content)
    report = json.loads((tmp / "reports" / "validate.json").read_text())
    return {"proc": proc, "before": before, "after": after, "report": report, "tmp": tmp}


def test_run_survives_bad_input(bad_run: dict[str, object]) -> None:
    proc = bad_run["proc"]
    assert isinstance(proc, subprocess.CompletedProcess)
    assert proc.returncode in (0, 1), proc.stderr[-3000:]
    assert "Traceback" not in proc.stdout + proc.stderr
    for stage in ("validate", "cards", "build", "crawl"):
        assert stage in proc.stdout


def test_no_file_damaged(bad_run: dict[str, object]) -> None:
    assert bad_run["after"] == bad_run["before"]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_each_case_is_reported_with_file_and_line(bad_run: dict[str, object], case: Case) -> None:
    findings = bad_run["report"]["findings"]  # type: ignore[index]
    mine = [f for f in findings if f["file"] and f["file"].endswith("/" + case.name)]
    rules = {f["rule"] for f in mine}
    assert case.rule in rules, f"{case.name}: expected {case.rule}, got {sorted(rules)}"
    hit = next(f for f in mine if f["rule"] == case.rule)
    assert hit["line"] and hit["line"] >= 1
    if case.line is not None:
        assert hit["line"] == case.line
    assert hit["message"] and "Traceback" not in hit["message"]


def test_file_name_that_is_not_utf8_is_a_finding_on_that_file(bad_run: dict[str, object]) -> None:
    findings = bad_run["report"]["findings"]  # type: ignore[index]
    mine = [f for f in findings if f["file"] and f["file"].endswith("/bad-name-\\xff.md")]
    assert [f["rule"] for f in mine] == ["CONTENT002"], mine
    assert "rename" in mine[0]["message"]


def test_run_table_prints_config_names_literally(tmp_path: Path) -> None:
    """Stage reasons quote config syntax; `[[social.accounts]]` used to vanish as console markup."""
    (tmp_path / "content").mkdir()
    config = tmp_path / "site.toml"
    config.write_text(f'[site]\nbase_url = "https://x.example"\ncontent_dir = "{tmp_path / "content"}"\n')
    env = {**os.environ, "PIPELINE_STATE_DIR": str(tmp_path / "state")}
    proc = _cli("--config", str(config), "run", "--only", "social", env=env)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "[[social.accounts]]" in " ".join(proc.stdout.split()), proc.stdout


def test_huge_and_symlinked_posts(bad_run: dict[str, object]) -> None:
    findings = bad_run["report"]["findings"]  # type: ignore[index]
    by_file = {f["file"].rsplit("/", 1)[-1]: f for f in findings if f["file"]}
    assert by_file["huge.md"]["rule"] == "CONTENT001" and "cap" in by_file["huge.md"]["message"]
    assert by_file["symlink-out.md"]["rule"] == "CONTENT010"


def test_good_posts_still_processed(bad_run: dict[str, object]) -> None:
    tmp = bad_run["tmp"]
    assert isinstance(tmp, Path)
    cards = {p.name for p in (tmp / "static" / "images" / "cards" / "en").glob("*.jpg")}
    for slug in ("good-one", "good-two"):  # PNG with alpha, CMYK JPEG
        assert {f"{slug}-og.jpg", f"{slug}-twitter.jpg"} <= cards, cards
    assert (tmp / "_site" / "articles" / "good-one" / "index.html").exists()


def test_xss_is_escaped_in_reports_and_build(bad_run: dict[str, object]) -> None:
    tmp = bad_run["tmp"]
    assert isinstance(tmp, Path)
    html = (tmp / "reports" / "validate.html").read_text()
    assert "<script>alert" not in html and "<img src=x" not in html
    page = (tmp / "_site" / "articles" / "xss" / "index.html").read_text()
    assert "<script>alert('t')" not in page and "&lt;script&gt;" in page


def test_unreachable_base_url_is_reported(bad_run: dict[str, object]) -> None:
    proc = bad_run["proc"]
    assert isinstance(proc, subprocess.CompletedProcess)
    assert "crawl" in proc.stdout and "preview build" in proc.stdout


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('[site]\nbsae_url = "x"\n', "site.bsae_url: unknown key"),
        ("[site]\nmax_file_bytes = 'big'\n", "site.max_file_bytes: Input should be a valid integer"),
        ("[crawl]\nmax_pages = -1\n", "crawl.max_pages"),
    ],
)
def test_bad_config_exits_2(tmp_path: Path, toml: str, message: str) -> None:
    config = tmp_path / "bad.toml"
    config.write_text(toml)
    proc = _cli("--config", str(config), "validate")
    assert proc.returncode == 2
    assert message in proc.stderr and str(config) in proc.stderr
    assert "Traceback" not in proc.stderr


def _zip(path: Path, entries: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return path


@pytest.mark.parametrize(
    ("entries", "needle"),
    [
        ({"pkg/metadata.json": b'{"from_code":"en","to_code":"es"}', "../../evil.txt": b"x"}, "leave"),
        ({"pkg/metadata.json": b'{"from_code":"xx"}', "pkg/model/model.bin": b"x"}, "metadata"),
        ({"pkg/model/model.bin": b"x"}, "metadata.json"),
    ],
    ids=["zip-slip", "wrong-metadata", "no-metadata"],
)
def test_bad_argos_packages_exit_2(tmp_path: Path, entries: dict[str, bytes], needle: str) -> None:
    pkg = _zip(tmp_path / "bad.argosmodel", entries)
    env = {**os.environ, "PIPELINE_STATE_DIR": str(tmp_path / "state")}
    proc = _cli("models", "install", "--from-file", str(pkg), env=env)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert needle in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "evil.txt").exists() and not (tmp_path / "state" / "evil.txt").exists()


def test_missing_content_folder_is_a_config_error(tmp_path: Path) -> None:
    config = tmp_path / "site.toml"
    config.write_text(f'[site]\ncontent_dir = "{tmp_path / "nope"}"\n')
    for command in ("validate", "build", "cards"):
        proc = _cli("--config", str(config), command)
        assert proc.returncode == 2, (command, proc.stderr)
        assert "does not exist; set site.content_dir" in proc.stderr and "Traceback" not in proc.stderr


def test_output_onto_a_folder_is_one_line_exit_2(tmp_path: Path) -> None:
    proc = _cli("validate", "--format", "json", "--output", str(tmp_path))
    assert proc.returncode == 2 and str(tmp_path) in proc.stderr and "Traceback" not in proc.stderr, (
        proc.stderr
    )
