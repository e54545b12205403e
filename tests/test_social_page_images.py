"""A hero beside its page (Hugo page bundle `index.md` + `hero.png`) is the image a social post attaches.

Validate, cards and build found such a hero (pipeline.content.assets); social composed `media_path: hero.png`
and the worker read `<static>/hero.png`, which is not there, so the posts went out as text only. Sent here
through the real Mastodon.py and atproto clients to the platform fakes, which record every uploaded file.
"""

from __future__ import annotations

import time
from pathlib import Path

from PIL import Image
from sqlalchemy import update

from pipeline.content import load_content
from pipeline.schema.social import social_items
from pipeline.social import ledger
from pipeline.social.stage import plan, send_due
from pipeline.store import Store
from tests.social_fakes import start
from tests.social_fakes.setup import ENV, config_for, write_config


def test_a_hero_beside_its_page_is_uploaded_and_a_path_out_of_its_root_is_not(tmp_path: Path) -> None:
    fakes = {"mastodon": start("mastodon"), "bluesky": start("bluesky")}
    try:
        config = config_for(write_config(tmp_path, fakes))
        bundle = config.content_root / "posts" / "garden"
        bundle.mkdir(parents=True)
        (bundle / "index.md").write_text(
            "---\ntitle: A garden in spring\ndate: 2026-03-02\nimage: hero.png\n"
            "imageAlt: Three trees in a row\ndescription: What grows first.\n---\n\nText.\n"
        )
        Image.new("RGB", (600, 315), (30, 110, 60)).save(bundle / "hero.png")
        hero = (bundle / "hero.png").read_bytes()
        store = Store(f"sqlite:///{tmp_path / 'state.db'}")
        plan(config, store, load_content(config).posts, now=time.time())
        items = ledger.list_items(store)
        assert sorted(i.media_path for i in items) == ["content:posts/garden/hero.png"] * 2
        with store.begin() as conn:  # due now, approved (the accounts need no approval)
            conn.execute(update(social_items).values(due_at=time.time() - 1, state="approved"))
        stats, _ = send_due(config, store, ENV)
        assert stats.sent == 2
        assert list(fakes["bluesky"].state.media.values()) == [len(hero)]  # the hero's bytes, as a blob
        (masto,) = fakes["mastodon"].state.media.values()  # the multipart body around the same bytes
        assert len(hero) < masto < len(hero) + 1024

        # A ledger row is data: one edited to leave the content root is sent as text, never read.
        (tmp_path / "secret.png").write_bytes(hero)
        with store.begin() as conn:
            conn.execute(
                update(social_items).values(
                    media_path="content:../secret.png",
                    due_at=time.time() - 1,
                    state="approved",
                    remote_id=None,
                )
            )
        stats, _ = send_due(config, store, ENV)
        assert stats.sent == 2
        assert all(len(fake.state.media) == 1 for fake in fakes.values())
    finally:
        for fake in fakes.values():
            fake.close()
