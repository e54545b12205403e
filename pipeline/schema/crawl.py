"""Tables owned by the crawl component; append migrations, never edit an applied one.

Run history itself lives in core's `runs`/`run_findings` (stage = 'crawl'); this component adds the external
link cache, so outbound links are re-checked after `crawl.external_ttl_hours`, not every night, and the link
graph of each site's latest crawl (which pages link to which), for the audit's per-page view.
"""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Index, Integer, String, Table, Text

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

# Internal links of the latest crawl of each site (its history key), in public URLs: a crawl replaces its
# site's rows. `source_file`/`target_file` are the Markdown files of the two pages, when they are posts.
crawl_links = Table(
    "crawl_links",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("site", Text, nullable=False),
    Column("run_id", Integer, nullable=False),
    Column("source", Text, nullable=False),
    Column("target", Text, nullable=False),
    Column("text", Text, nullable=False, default=""),
    Column("source_file", Text),
    Column("target_file", Text),
    Index("ix_crawl_links_target", "target"),
    Index("ix_crawl_links_target_file", "target_file"),
    Index("ix_crawl_links_site", "site"),
)

MIGRATIONS: list[Migration] = [
    Migration(1, "external link cache", create_tables(crawl_link_cache)),
    Migration(2, "link graph of the latest crawl per site", create_tables(crawl_links)),
]
