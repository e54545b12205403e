"""Tables owned by the crawl component; append migrations, never edit an applied one.

Run history itself lives in core's `runs`/`run_findings` (stage = 'crawl'); this component adds the external
link cache, so outbound links are re-checked after `crawl.external_ttl_hours`, not every night.
"""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Integer, String, Table, Text

from pipeline.store import Migration, create_tables, metadata

crawl_link_cache = Table(
    "crawl_link_cache",
    metadata,
    Column("url", Text, primary_key=True),
    Column("status", Integer),
    Column("method", String(8)),
    Column("error", Text),
    Column("checked_at", DateTime(timezone=True), nullable=False),
)

MIGRATIONS: list[Migration] = [Migration(1, "external link cache", create_tables(crawl_link_cache))]
