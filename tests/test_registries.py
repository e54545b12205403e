"""The extension points are tables: every entry is complete, and a new platform or report format needs nothing
outside its own module, its entry and (for a platform) its template."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from pipeline.config import load_config
from pipeline.platforms import PLATFORMS, Platform
from pipeline.report import WRITERS, render
from pipeline.social.lengths import COUNTERS, measure
from tests.conftest import REPO


@pytest.mark.parametrize("name", sorted(PLATFORMS))
def test_every_platform_entry_is_complete(name: str) -> None:
    platform = PLATFORMS[name]
    module, _, cls = platform.adapter.partition(":")
    adapter = getattr(importlib.import_module(module), cls)
    assert adapter.platform == name and callable(adapter.post) and callable(adapter.reconcile)
    assert (REPO / "templates" / "social" / platform.template).is_file()
    assert platform.counting in COUNTERS and platform.credentials


class EchoAdapter:
    """A stand-in platform adapter module's class (what pipeline/social/platforms/linkedin.py is)."""

    platform = "echo"

    def __init__(self, account: object, secrets: dict[str, str], timeout: float) -> None:
        self.secrets = secrets

    def post(self, item: object, part: object, checkpoint: object) -> object:
        raise NotImplementedError

    def reconcile(self, item: object, part: object, since: float) -> object:
        return None


def test_a_new_platform_is_one_entry_one_adapter_one_template(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pipeline.content import load_content
    from pipeline.social.compose import compose
    from pipeline.social.platforms import credentials, make_adapter

    entry = Platform(
        name="echo",
        label="Echo",
        credentials=("token",),
        adapter=f"{__name__}:EchoAdapter",
        limit=120,
        counting="graphemes",
        template="echo.txt.j2",
    )
    monkeypatch.setitem(PLATFORMS, "echo", entry)
    (tmp_path / "social").mkdir()
    (tmp_path / "social" / "echo.txt.j2").write_text("{{ title }} {{ url }}", "utf-8")
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "p.md").write_text(
        "---\ntitle: A rather long title for a short platform, and then some more words\n---\n"
    )
    (tmp_path / "site.toml").write_text(
        f'[site]\ncontent_dir = "{tmp_path / "content"}"\n[social]\ntemplates_dir = "{tmp_path / "social"}"\n'
        '[[social.accounts]]\nname = "e"\nplatform = "echo"\ncredentials_env = {token = "ECHO_TOKEN"}\n'
    )
    config = load_config(tmp_path / "site.toml", environ={})
    account = config.social.accounts[0]
    composed = compose(config, account, load_content(config).posts[0])
    assert measure("echo", composed.text).fits and "title shortened" in composed.truncated
    secrets, _ = credentials(account, {"ECHO_TOKEN": "s3cret"})
    assert secrets == {"token": "s3cret"}
    assert isinstance(make_adapter(account, secrets, 1.0), EchoAdapter)


def test_an_unknown_platform_is_a_config_error_naming_the_known_ones(tmp_path: Path) -> None:
    from pipeline.config import ConfigError

    (tmp_path / "site.toml").write_text('[[social.accounts]]\nname = "l"\nplatform = "myspace"\n')
    with pytest.raises(ConfigError) as err:
        load_config(tmp_path / "site.toml", environ={})
    assert "social.accounts[0].platform" in err.value.problems[0]
    assert all(name in err.value.problems[0] for name in PLATFORMS)


def test_every_format_renders_and_the_run_writes_some() -> None:
    from pipeline.findings import Finding

    finding = Finding("SEO001", "error", "content/a.md", 3, "missing description")
    for name, writer in WRITERS.items():
        assert render([finding], name).strip(), name
        assert writer.extension and writer.name == name
    assert {w.name for w in WRITERS.values() if w.in_run} == {"json", "sarif", "junit", "html"}
