"""The `pipeline social` commands, credentials switching accounts off, and no secret in any log or output."""

from __future__ import annotations

import datetime as dt
import json
import logging
from pathlib import Path

import pytest

from pipeline.cli import main
from pipeline.social.stage import send_due
from pipeline.store import open_store
from tests.social_fakes import start_mastodon, start_x
from tests.social_fakes.setup import ENV, SECRETS, add_due, config_for, write_config


def _content(tmp: Path) -> None:
    post = tmp / "content" / "posts" / "sleep.md"
    post.parent.mkdir(parents=True, exist_ok=True)
    post.write_text(
        "---\ntitle: Sleep\ndate: '2026-01-01'\npermalink: /articles/sleep/\ntags: [sleep]\n---\nBody\n"
    )


def test_plan_list_approve_cancel_reschedule(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fake = start_x()
    try:
        path = write_config(tmp_path, {"x": fake})
        text = path.read_text().replace("approval_required = false", "approval_required = true")
        path.write_text(text)
        _content(tmp_path)
        assert main(["social", "plan", "--config", str(path)]) == 0
        out = capsys.readouterr()
        assert "planned 1" in out.out
        assert "T_X_CK is not set" in out.err  # no credentials in this environment: switched off, one line
        assert main(["social", "list", "--format", "json", "--config", str(path)]) == 0
        items = json.loads(capsys.readouterr().out)
        assert len(items) == 1 and items[0]["state"] == "planned"
        item_id = str(items[0]["id"])
        assert main(["social", "approve", item_id, "--config", str(path)]) == 0
        assert capsys.readouterr().out.strip() == f"{item_id} approved"
        approved = json.loads(
            (main(["social", "list", "--format", "json", "--config", str(path)]), capsys.readouterr().out)[1]
        )[0]
        assert approved["approved_by"].startswith("cli") and approved["approved_at"]
        soon = (dt.datetime.now(dt.UTC) + dt.timedelta(days=30)).replace(
            hour=9, minute=0, second=0, microsecond=0
        )
        while soon.weekday() >= 5:  # the account's slots are weekdays at 09:00 and 17:00
            soon += dt.timedelta(days=1)
        local = soon.astimezone(dt.timezone(dt.timedelta(hours=2))).isoformat()
        assert main(["social", "reschedule", item_id, local, "--config", str(path)]) == 0
        assert f"{soon:%Y-%m-%d} 09:00 UTC" in capsys.readouterr().out
        # Outside the slots: refused with the reason, unless asked for regardless.
        odd = soon.replace(hour=11).isoformat()
        assert main(["social", "reschedule", item_id, odd, "--config", str(path)]) == 2
        assert "11:00 is not one of x-main's slots" in capsys.readouterr().err
        assert main(["social", "reschedule", item_id, odd, "--anyway", "--config", str(path)]) == 0
        assert f"{soon:%Y-%m-%d} 11:00 UTC" in capsys.readouterr().out
        assert main(["social", "reschedule", item_id, local, "--config", str(path)]) == 0
        capsys.readouterr()
        assert main(["social", "reschedule", item_id, "tomorrow", "--config", str(path)]) == 2
        # A year typed wrong is refused before it reaches the ledger, so `social list` keeps working.
        for wrong, says in (
            ("9999-12-31T23:59-12:00", "out of range"),
            ("2020-05-01T09:00+00:00", "in the past"),
            (f"{soon.year + 5}-05-01T09:00+00:00", "more than two years ahead"),
        ):
            assert main(["social", "reschedule", item_id, wrong, "--config", str(path)]) == 2
            assert says in capsys.readouterr().err
        assert main(["social", "list", "--config", str(path)]) == 0
        assert f"{soon:%Y-%m-%d} 09:00 UTC" in capsys.readouterr().out
        assert main(["social", "cancel", item_id, "--config", str(path)]) == 0
        assert (
            main(["social", "cancel", item_id, "--config", str(path)]) == 2
        )  # cancelled twice: a user error
        assert "cannot become cancelled" in capsys.readouterr().err
        assert main(["social", "plan", "--config", str(path)]) == 0  # re-plan never duplicates
        assert "planned 0" in capsys.readouterr().out
        assert main(["social", "run", "--once", "--config", str(path)]) == 0  # no credentials → skipped
        assert "skipped" in capsys.readouterr().err
    finally:
        fake.close()


def test_no_secret_reaches_logs_or_output(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    x, masto = start_x(), start_mastodon()
    try:
        path = write_config(tmp_path, {"x": x, "mastodon": masto})
        config = config_for(path)
        store = open_store(config.db_url)
        add_due(store, "x-main", "x", 3)
        add_due(store, "mastodon-main", "mastodon", 3)
        x.state.rate_limit_next = 1
        x.state.reset_after_s = 0.2
        caplog.set_level(logging.DEBUG)
        stats, _ = send_due(config, store, ENV)
        assert stats.sent == 6
        main(["-vv", "social", "list", "--config", str(path)])
        captured = capsys.readouterr()
        dump = json.dumps(
            [i.as_dict() for i in __import__("pipeline.social.ledger").social.ledger.list_items(store)]
        )
        everything = caplog.text + captured.out + captured.err + dump
        assert "tweets" in caplog.text or "POST" in caplog.text  # debug logging really ran
        for secret in SECRETS:
            assert secret not in everything
    finally:
        x.close()
        masto.close()
