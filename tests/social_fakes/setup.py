"""Config files, environments and ledger rows for the social tests and the benchmark (real store, no mocks)."""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path
from typing import Any

from pipeline.config import Config, load_config
from pipeline.social import ledger
from pipeline.store import Store
from tests.social_fakes import X_SECRETS, Fake

ENV = {
    "T_X_CK": X_SECRETS["consumer_key"],
    "T_X_CS": X_SECRETS["consumer_secret"],
    "T_X_AT": X_SECRETS["token"],
    "T_X_ATS": X_SECRETS["token_secret"],
    "T_MASTO": "masto-SECRET-token-55",
    "T_BSKY": "bsky-SECRET-app-pw",
    "T_THREADS": "threads-SECRET-token-77",
    "T_LINKEDIN": "linkedin-SECRET-token-88",
}
SECRETS = [v for k, v in ENV.items() if "SECRET" in v]

CREDS = {
    "x": '{ consumer_key = "T_X_CK", consumer_secret = "T_X_CS", access_token = "T_X_AT", access_token_secret = "T_X_ATS" }',
    "mastodon": '{ access_token = "T_MASTO" }',
    "bluesky": '{ app_password = "T_BSKY" }',
    "threads": '{ access_token = "T_THREADS" }',
    "linkedin": '{ access_token = "T_LINKEDIN" }',
}


def write_config(tmp: Path, fakes: dict[str, Fake], database_url: str | None = None, **social: Any) -> Path:
    lines = [f"database_url = {json.dumps(database_url)}", ""] if database_url else []
    lines += [
        "[site]",
        'base_url = "https://blog.example"',
        'content_dir = "content"',
        'static_dir = "static"',
        "",
    ]
    lines.append("[social]")
    defaults = {
        "request_timeout_s": 10.0,  # loopback, but CI machines are loaded: 2 s once timed out a 429 under xdist
        "sending_lease_s": 30.0,
        "reconcile_after_s": 0.0,
        "backoff_base_s": 0.0,
        "threads": 2,
        "max_attempts": 5,
    }
    for key, value in {**defaults, **social}.items():
        lines.append(f"{key} = {value!r}")
    for platform, fake in fakes.items():
        lines += [
            "",
            "[[social.accounts]]",
            f'name = "{platform}-main"',
            f'platform = "{platform}"',
            'handle = "me.bsky.fake"' if platform == "bluesky" else 'handle = "me"',
            f'api_base_url = "{fake.url}"',
            "approval_required = false",
            f"credentials_env = {CREDS[platform]}",
        ]
    (tmp / "config").mkdir(exist_ok=True)
    (tmp / "content").mkdir(exist_ok=True)
    path = tmp / "config" / "site.toml"
    path.write_text("\n".join(lines) + "\n")
    return path


def config_for(path: Path) -> Config:
    return load_config(path, environ={})


def add_due(
    store: Store, account: str, platform: str, n: int, due: float | None = None, **extra: Any
) -> list[int]:
    due = time.time() - 1 if due is None else due
    rows = []
    run = uuid.uuid4().hex[:6]
    for i in range(n):
        rows.append(
            {
                "account": account,
                "platform": platform,
                "translation_key": f"posts/article-{run}-{i}",
                "lang": "en",
                "campaign": f"article-{i}",
                "text": f"Article {run} number {i}: why sleep matters https://blog.example/a/{i}/ #Sleep",
                "link_url": f"https://blog.example/a/{i}/",
                "card_title": f"Article {i}",
                "card_description": "About sleep.",
                "media_path": None,
                "media_alt": "",
                "truncated": [],
                "state": "approved",
                "due_at": due if isinstance(due, float) else float(due),
                "idempotency_key": uuid.uuid4().hex,
                **extra,
            }
        )
    return ledger.insert_items(store, rows)
