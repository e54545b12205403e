"""Migration 2 of the social ledger on a store made before it (SQLite and PostgreSQL): the new columns and tables
are added, the rows already there keep working, and a store made after it is not altered twice."""

from __future__ import annotations

import time

from sqlalchemy import delete, inspect, text

from pipeline.schema.social import ADDED_IN_2
from pipeline.social import ledger
from pipeline.store import Store, schema_migrations
from tests.social_fakes.setup import add_due


def test_a_store_from_before_threads_gains_the_new_columns_and_keeps_its_rows(db_url: str) -> None:
    store = Store(db_url)
    (old,) = add_due(store, "x-main", "x", 1)
    with store.begin() as conn:  # back to the shape migration 1 made
        for name in ("social_parts", "social_health", "social_viewers"):
            conn.execute(text(f"DROP TABLE {name}"))
        for column in ADDED_IN_2:
            conn.execute(text(f"ALTER TABLE social_items DROP COLUMN {column}"))
        conn.execute(
            delete(schema_migrations).where(
                schema_migrations.c.component == "social", schema_migrations.c.version == 2
            )
        )
    store.close()
    again = Store(db_url)  # opening applies what is missing
    with again.connect() as conn:
        columns = {c["name"] for c in inspect(conn).get_columns("social_items")}
        tables = set(inspect(conn).get_table_names())
    assert set(ADDED_IN_2) <= columns and {"social_parts", "social_health", "social_viewers"} <= tables
    item = ledger.get_item(again, old)
    assert item is not None and item.texts == [item.text] and item.parts is None
    assert ledger.record_part(again, old, 0, "w", "prepared", ref={"container": "1"}) is False  # not claimed
    claimed = ledger.claim_due(again, "w", time.time(), ["x-main"])
    assert claimed is not None and ledger.record_part(again, old, 0, "w", "prepared", ref={"container": "1"})
    assert ledger.parts_of(again, old)[0].ref == {"container": "1"}
    assert Store(db_url).migrate() == []  # nothing applied twice
    again.close()
