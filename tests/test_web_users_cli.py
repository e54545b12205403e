"""`pipeline users` and `pipeline serve` from the command line: passwords from stdin or a prompt, never argv."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

from pipeline.cli import main
from pipeline.config import load_config
from pipeline.store import open_store
from pipeline.web import accounts

CONFIG = '[site]\nbase_url = "https://blog.example"\n[site.languages.en]\nname = "English"\n[site.languages.es]\nname = "Español"\n'


@pytest.fixture
def cfg(tmp_path: Path) -> Path:
    path = tmp_path / "site.toml"
    path.write_text(CONFIG, encoding="utf-8")
    return path


def run(cfg: Path, monkeypatch: pytest.MonkeyPatch, *argv: str, stdin: str = "") -> int:
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    return main(["users", *argv, "--config", str(cfg)])


def store(cfg: Path):  # type: ignore[no-untyped-def]
    return open_store(load_config(cfg, environ={}).db_url)


def test_add_passwd_remove_list(
    cfg: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    pw = "long enough password\n"
    assert (
        run(
            cfg,
            monkeypatch,
            "add",
            "tomas",
            "--role",
            "translator",
            "--languages",
            "es",
            "--password-stdin",
            stdin=pw,
        )
        == 0
    )
    user = accounts.authenticate(store(cfg), "tomas", "long enough password")
    assert user is not None and user.role == "translator" and user.languages == ["es"]
    assert run(cfg, monkeypatch, "passwd", "tomas", "--password-stdin", stdin="another long password\n") == 0
    assert accounts.authenticate(store(cfg), "tomas", "long enough password") is None
    assert accounts.authenticate(store(cfg), "tomas", "another long password") is not None
    capsys.readouterr()
    assert run(cfg, monkeypatch, "list") == 0
    assert capsys.readouterr().out.splitlines() == ["tomas\ttranslator\tes"]
    assert run(cfg, monkeypatch, "remove", "tomas") == 0
    assert accounts.get_user(store(cfg), "tomas") is None


def test_password_is_never_taken_from_argv(cfg: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(SystemExit) as exc:
        run(cfg, monkeypatch, "add", "ada", "--role", "admin", "hunter2hunter2")
    assert exc.value.code == 2
    assert accounts.get_user(store(cfg), "ada") is None


@pytest.mark.parametrize(
    ("argv", "stdin", "message"),
    [
        (("add", "ada", "--role", "admin", "--password-stdin"), "short\n", "at least 8"),
        (("add", "ada", "--role", "admin", "--password-stdin"), "", "no password on stdin"),
        (("add", "ada", "--role", "admin"), "", "no terminal"),
        (
            ("add", "ada", "--role", "marketer", "--languages", "es", "--password-stdin"),
            "long password!\n",
            "translators only",
        ),
        (
            ("add", "tom", "--role", "translator", "--languages", "fr", "--password-stdin"),
            "long password!\n",
            "not in site.languages",
        ),
        (("add", "bad name", "--role", "admin", "--password-stdin"), "long password!\n", "user name"),
        (("remove", "ghost"), "", "no user 'ghost'"),
        (("passwd", "ghost", "--password-stdin"), "long password!\n", "no user 'ghost'"),
    ],
)
def test_mistakes_exit_2_with_a_reason(
    cfg: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    argv: tuple[str, ...],
    stdin: str,
    message: str,
) -> None:
    assert run(cfg, monkeypatch, *argv, stdin=stdin) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_serve_refuses_to_start_without_accounts(cfg: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--config", str(cfg), "--port", "0"]) == 2
    assert "pipeline users add" in capsys.readouterr().err


def test_serve_answers_on_the_port_it_prints(
    cfg: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import os
    import re
    import subprocess
    import urllib.request

    assert (
        run(cfg, monkeypatch, "add", "ada", "--role", "admin", "--password-stdin", stdin="long password!\n")
        == 0
    )
    env = {**os.environ, "PIPELINE_SECRET_KEY": "s" * 40}
    proc = subprocess.Popen(
        [sys.executable, "-m", "pipeline", "serve", "--config", str(cfg), "--port", "0"],
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    try:
        assert proc.stderr is not None
        line = proc.stderr.readline()
        found = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        assert found, line
        with urllib.request.urlopen(f"http://127.0.0.1:{found.group(1)}/login", timeout=10) as resp:
            body = resp.read().decode()
            assert resp.status == 200 and 'name="csrf_token"' in body
            assert "HttpOnly" in resp.headers["Set-Cookie"]
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_serve_refuses_a_short_signing_key_with_one_line(
    cfg: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        run(cfg, monkeypatch, "add", "ada", "--role", "admin", "--password-stdin", stdin="long password!\n")
        == 0
    )
    capsys.readouterr()
    monkeypatch.setenv("PIPELINE_SECRET_KEY", "hunter2")
    assert main(["serve", "--config", str(cfg), "--port", "0"]) == 2
    err = capsys.readouterr().err
    assert "PIPELINE_SECRET_KEY is 7 bytes" in err and "Traceback" not in err
    assert "hunter2" not in err  # the secret itself is never printed


def test_the_last_admin_stays_and_names_differing_in_case_are_refused(
    cfg: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    pw = "long enough password\n"
    assert run(cfg, monkeypatch, "add", "ada", "--role", "admin", "--password-stdin", stdin=pw) == 0
    assert run(cfg, monkeypatch, "add", "ADA", "--role", "marketer", "--password-stdin", stdin=pw) == 2
    assert "names differing only in case" in capsys.readouterr().err
    assert run(cfg, monkeypatch, "remove", "ada") == 2
    assert "last admin" in capsys.readouterr().err
    with pytest.raises(accounts.AccountError, match="last admin"):
        accounts.set_role(store(cfg), "ada", "marketer", [])
    assert run(cfg, monkeypatch, "add", "grace", "--role", "admin", "--password-stdin", stdin=pw) == 0
    assert run(cfg, monkeypatch, "remove", "ada") == 0  # another admin remains
    assert accounts.get_user(store(cfg), "ada") is None


def test_removing_others_needs_no_admin_when_there_is_none(
    cfg: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pw = "long enough password\n"
    for name in ("mia", "tom"):
        assert run(cfg, monkeypatch, "add", name, "--role", "marketer", "--password-stdin", stdin=pw) == 0
    assert run(cfg, monkeypatch, "remove", "tom") == 0  # no admin before or after: nothing to protect
    accounts.set_role(store(cfg), "mia", "translator", [])
