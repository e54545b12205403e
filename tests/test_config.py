"""Config: messages pinned word for word (users read them), precedence, config discovery and the CLI's exit codes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.config import ConfigError, load_config, resolve_config_path

REPO = Path(__file__).resolve().parent.parent
UNKNOWN = "unknown key (check the spelling; docs/configuration.md lists every key)"


def problems_of(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "site.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_config(path, environ={})
    assert info.value.source == str(path)
    return info.value.problems


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('[site]\nbsae_url = "https://x.example"\n', [f"site.bsae_url: {UNKNOWN}"]),
        ("[nope]\na = 1\n", [f"nope: {UNKNOWN}"]),
        (
            '[site]\nmax_file_bytes = "big"\n',
            [
                "site.max_file_bytes: Input should be a valid integer, unable to parse string as an integer (got 'big')"
            ],
        ),
        (
            '[site]\nbase_url = "ftp://files.example"\n',
            ["site.base_url: must start with http:// or https:// (got 'ftp://files.example')"],
        ),
        (
            '[site]\ndefault_language = "fr"\n',
            ["site: default_language 'fr' is not listed in site.languages"],
        ),
        (
            "[translate]\nbeam_size = 0\n",
            ["translate.beam_size: Input should be greater than or equal to 1 (got 0)"],
        ),
        (
            '[validate]\nfail_on = "sometimes"\n',
            ["validate.fail_on: Input should be 'error', 'warning', 'info' or 'never' (got 'sometimes')"],
        ),
        ('[[social.accounts]]\nname = "a"\n', ["social.accounts[0].platform: Field required"]),
        (
            '[validate]\ndisable = ["SEO999"]\nthresholds = { min_wrods = 200, grade_warning = "8" }\n',
            [
                "validate: rule 'SEO999' does not exist (docs/rules.md lists every rule id); "
                "thresholds.min_wrods: unknown threshold (docs/rules.md lists them); "
                "thresholds.grade_warning: must be a number (got '8')"
            ],
        ),
        (
            "[validate.language_thresholds.xx]\nmin_words = 100\n",
            ["(root): validate.language_thresholds: 'xx' not in site.languages (en)"],
        ),
        (  # the store's columns hold 16 characters: PostgreSQL would refuse the first post in that language
            '[site]\ndefault_language = "en"\n[site.languages.en]\n[site.languages."de-DE-x-very-long"]\n',
            [
                "site.languages: language code 'de-DE-x-very-long' is longer than 16 characters; "
                "use a BCP 47 tag (pt-BR)"
            ],
        ),
        (
            f'[[social.accounts]]\nname = "{"a" * 65}"\nplatform = "x"\n',
            [f"social.accounts[0].name: String should have at most 64 characters (got '{'a' * 65}')"],
        ),
    ],
    ids=[
        "unknown-key",
        "unknown-section",
        "wrong-type",
        "bad-base-url",
        "default-language",
        "range",
        "literal",
        "missing",
        "validate-rules-and-thresholds",
        "threshold-language",
        "language-code-length",
        "account-name-length",
    ],
)
def test_error_messages_are_pinned(tmp_path: Path, text: str, expected: list[str]) -> None:
    assert problems_of(tmp_path, text) == expected


def test_every_error_is_reported_at_once(tmp_path: Path) -> None:
    text = (
        '[site]\nbsae_url = "x"\nlanguages = {en = {dir = "up"}}\n'
        "[translate]\nbeam_size = 0\n"
        "[crawl]\nmax_pages = -1\n"
    )
    assert sorted(problems_of(tmp_path, text)) == [
        "crawl.max_pages: Input should be greater than or equal to 1 (got -1)",
        "site.bsae_url: " + UNKNOWN,
        "site.languages.en.dir: Input should be 'ltr' or 'rtl' (got 'up')",
        "translate.beam_size: Input should be greater than or equal to 1 (got 0)",
    ]


def test_invalid_toml_names_line(tmp_path: Path) -> None:
    (problem,) = problems_of(tmp_path, '[site]\nname = "ok"\nbase_url = https://x\n')
    assert problem.startswith("invalid TOML: ")
    assert "line 3" in problem


def test_missing_file_message(tmp_path: Path) -> None:
    missing = tmp_path / "missing.toml"
    with pytest.raises(ConfigError) as info:
        load_config(missing, environ={})
    assert info.value.problems == ["file not found (pass --config FILE or set PIPELINE_CONFIG)"]
    assert str(info.value) == f"{missing}: file not found (pass --config FILE or set PIPELINE_CONFIG)"


def test_base_url_trailing_slash_is_stripped(tmp_path: Path) -> None:
    path = tmp_path / "site.toml"
    path.write_text('[site]\nbase_url = "https://x.example/"\n', encoding="utf-8")
    assert load_config(path, environ={}).site.base_url == "https://x.example"


# --- precedence --------------------------------------------------------------------------------------------


@pytest.fixture
def site_file(tmp_path: Path) -> Path:
    path = tmp_path / "config" / "site.toml"
    path.parent.mkdir()
    path.write_text(
        '[site]\nname = "From file"\ncontent_dir = "posts"\n[translate]\nbeam_size = 3\n', encoding="utf-8"
    )
    return path


def test_defaults_then_file(site_file: Path) -> None:
    config = load_config(site_file, environ={})
    assert config.site.name == "From file"
    assert config.translate.beam_size == 3
    assert config.site.base_url == "http://127.0.0.1:8000"  # default kept
    # A file under config/ makes the folder above it the project root.
    assert config.content_root == (site_file.parent.parent / "posts").resolve()
    assert config.source == str(site_file)


def test_environment_beats_file(site_file: Path) -> None:
    env = {"PIPELINE__SITE__NAME": "From env", "PIPELINE__SITE__MAX_FILE_BYTES": "2048", "OTHER": "x"}
    config = load_config(site_file, environ=env)
    assert config.site.name == "From env"
    assert config.site.max_file_bytes == 2048  # JSON-parsed: an int, not a string
    assert config.translate.beam_size == 3


def test_flags_beat_environment(site_file: Path) -> None:
    config = load_config(
        site_file,
        overrides={"site": {"name": "From flag"}},
        environ={"PIPELINE__SITE__NAME": "From env", "PIPELINE__TRANSLATE__BEAM_SIZE": "4"},
    )
    assert config.site.name == "From flag"
    assert config.translate.beam_size == 4
    assert config.site.content_dir == Path("posts")


def test_environment_errors_name_the_key(site_file: Path) -> None:
    with pytest.raises(ConfigError) as info:
        load_config(site_file, environ={"PIPELINE__SITE__BSAE_URL": "https://x"})
    assert info.value.problems == [f"site.bsae_url: {UNKNOWN}"]


def test_process_environment_is_read_by_default(site_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PIPELINE__SITE__NAME", "Process env")
    assert load_config(site_file).site.name == "Process env"


def test_config_discovery(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    env = {"PIPELINE_CONFIG": "from-env.toml"}
    assert resolve_config_path("flag.toml", env) == Path("flag.toml")
    assert resolve_config_path(None, env) == Path("from-env.toml")
    monkeypatch.chdir(tmp_path)
    assert resolve_config_path(None, {}) is None
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "site.toml").write_text("", encoding="utf-8")
    assert resolve_config_path(None, {}) == Path("config/site.toml")


def test_state_dir_follows_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PIPELINE_STATE_DIR", str(tmp_path / "st"))
    config = load_config(None, environ={})
    assert config.state_dir == (tmp_path / "st").resolve()
    assert config.db_url == f"sqlite:///{(tmp_path / 'st').resolve() / 'state.db'}"


def test_fingerprint_changes_with_settings() -> None:
    a = load_config(None, environ={})
    b = load_config(None, environ={"PIPELINE__SITE__NAME": "Other"})
    assert a.fingerprint() == load_config(None, environ={}).fingerprint()
    assert a.fingerprint() != b.fingerprint()


def test_shipped_example_config_loads() -> None:
    config = load_config(REPO / "config" / "site.toml", environ={})
    assert config.site.default_language in config.site.languages
    assert config.content_root.is_dir()


# --- command line ------------------------------------------------------------------------------------------


def cli(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pipeline", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_help_lists_every_command() -> None:
    result = cli("--help")
    assert result.returncode == 0
    for command in ("validate", "translate", "models", "cards", "social", "build", "crawl", "serve", "run"):
        assert f"    {command}" in result.stdout, command


@pytest.mark.parametrize(
    "before",
    [True, False],
    ids=["config-before-command", "config-after-command"],
)
def test_bad_config_exits_2_without_traceback(tmp_path: Path, before: bool) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[site]\nbsae_url = "x"\n', encoding="utf-8")
    args = ["--config", str(bad), "validate"] if before else ["validate", "--config", str(bad)]
    result = cli(*args)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert f"error: configuration {bad} has 1 problem(s):" in result.stderr
    assert f"  site.bsae_url: {UNKNOWN}" in result.stderr


def test_missing_config_after_command_exits_2(tmp_path: Path) -> None:
    result = cli("validate", "--config", str(tmp_path / "missing.toml"))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr + result.stdout
    assert "file not found (pass --config FILE or set PIPELINE_CONFIG)" in result.stderr


def test_config_flag_before_command_is_kept() -> None:
    from pipeline.cli import build_parser

    args = build_parser().parse_args(["--config", "x.toml", "validate"])
    assert args.config == "x.toml"


def test_rule_ids_of_other_stages_are_explained_not_called_unknown(tmp_path: Path) -> None:
    problems = problems_of(tmp_path, '[validate]\ndisable = ["CRAWL010", "CARD012"]\n')
    assert problems == [
        "validate: rule 'CRAWL010' belongs to the crawl stage; validate.disable and validate.severity apply to "
        "content-loading and validate rules only; rule 'CARD012' belongs to the cards stage; validate.disable "
        "and validate.severity apply to content-loading and validate rules only"
    ]


def test_config_is_frozen_after_load_and_flags_arrive_as_overrides(tmp_path: Path) -> None:
    """A stage changing the config under the others (build used to rewrite site.base_url for the rest of the
    run) is refused; a flag's value is validated like the file's."""
    import pydantic

    from pipeline.config import with_overrides

    config = load_config(None, overrides={"site": {"base_url": "https://example.org/"}})
    assert config.site.base_url == "https://example.org"
    with pytest.raises(pydantic.ValidationError):
        config.site.base_url = "https://elsewhere.example"  # type: ignore[misc]
    other = with_overrides(config, {"crawl": {"prefer_preview": True}})
    assert other.crawl.prefer_preview and not config.crawl.prefer_preview and other.root == config.root
    with pytest.raises(ConfigError) as err:
        load_config(None, overrides={"site": {"base_url": "ftp://x"}})
    assert "site.base_url" in err.value.problems[0]
