"""The crawl's internal link graph, kept in the store so the audit can say which pages link to a page.

Only the latest crawl of each site is kept (a crawl replaces its site's rows in one transaction): "who links
here" is a question about the site as it is now, and a 10,000-page site with a 10-link menu is already
100,000 edges a night. URLs are public (a preview on a loopback port maps back to the site's own URLs), so the
graph lines up with the findings, which name public URLs too.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import delete, insert, select, update

from pipeline.crawl.checks import Checker
from pipeline.crawl.expected import ExpectedSet
from pipeline.schema.crawl import crawl_links
from pipeline.store import Store


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    text: str
    source_file: str | None
    target_file: str | None


def edges(checker: Checker, expected: ExpectedSet) -> Iterator[Edge]:
    """Each internal link once per (source, target) pair, with the first link text seen; broken targets
    included (they are pages the crawl fetched and got a 404 for: the pages linking there are what to fix)."""
    mapper = checker.mapper
    file_of = {mapper.to_public(p.url): p.file for p in expected.pages}
    for source_url, rec in checker.data.pages.items():
        facts = rec.get("facts")
        if not facts or rec.get("alias_of"):
            continue
        source = mapper.to_public(source_url)
        seen: set[str] = set()
        for href, text in facts.get("links", []):
            crawl_href = mapper.to_crawl(href)
            if crawl_href not in checker.data.pages or crawl_href == source_url:
                continue
            target = mapper.to_public(crawl_href)
            if target in seen:
                continue
            seen.add(target)
            yield Edge(source, target, str(text or "")[:300], file_of.get(source), file_of.get(target))


def save(store: Store, site: str, run_id: int, graph: Iterator[Edge] | list[Edge]) -> int:
    """Replace `site`'s graph with this crawl's; returns the number of edges stored.

    Written as a difference: edges that went away are deleted, new or changed ones inserted, and the rest only
    take the new run id. A nightly crawl of a site that barely changed rewrote every edge before (three index
    entries each: 40,000 edges were half a second and a WAL the size of the graph); now it touches what changed.
    """
    cols = crawl_links.c
    new: dict[tuple[str, str], Edge] = {}
    for e in graph:
        new.setdefault((e.source, e.target), e)
    with store.begin() as conn:
        stale: list[int] = []
        kept: set[tuple[str, str]] = set()
        query = select(cols.id, cols.source, cols.target, cols.text, cols.source_file, cols.target_file)
        for row in conn.execute(query.where(cols.site == site)):
            key = (row.source, row.target)
            edge = new.get(key)
            if (
                edge is None
                or key in kept
                or (row.text, row.source_file, row.target_file)
                != (
                    edge.text,
                    edge.source_file,
                    edge.target_file,
                )
            ):
                stale.append(row.id)
            else:
                kept.add(key)
        for start in range(0, len(stale), 500):
            conn.execute(delete(crawl_links).where(cols.id.in_(stale[start : start + 500])))
        conn.execute(update(crawl_links).where(cols.site == site).values(run_id=run_id))
        rows = [
            {
                "site": site,
                "run_id": run_id,
                "source": e.source,
                "target": e.target,
                "text": e.text,
                "source_file": e.source_file,
                "target_file": e.target_file,
            }
            for key, e in new.items()
            if key not in kept
        ]
        for start in range(0, len(rows), 5000):
            conn.execute(insert(crawl_links), rows[start : start + 5000])
    return len(new)


def inbound(store: Store, targets: list[str], limit: int = 200) -> tuple[list[Edge], int]:
    """Pages linking to any of `targets` (one row per source page and text, every site's latest crawl), and
    how many there are in all."""
    if not targets:
        return [], 0
    from sqlalchemy import func

    q = (
        select(
            crawl_links.c.source,
            crawl_links.c.target,
            crawl_links.c.text,
            crawl_links.c.source_file,
            crawl_links.c.target_file,
        )
        .where(crawl_links.c.target.in_(targets))
        .distinct()
    )
    with store.connect() as conn:
        total = conn.execute(select(func.count()).select_from(q.subquery())).scalar_one()
        rows = conn.execute(q.order_by(crawl_links.c.source, crawl_links.c.text).limit(limit)).all()
    return [Edge(r.source, r.target, r.text, r.source_file, r.target_file) for r in rows], int(total)


def urls_of_file(store: Store, files: list[str]) -> list[str]:
    """The public URLs the crawl knows for a Markdown file (as a link target or a link source), given the ways
    its path may be written."""
    if not files:
        return []
    with store.connect() as conn:
        found = conn.execute(
            select(crawl_links.c.target).where(crawl_links.c.target_file.in_(files)).distinct().limit(20)
        ).scalars()
        urls = set(found)
        if not urls:
            urls |= set(
                conn.execute(
                    select(crawl_links.c.source)
                    .where(crawl_links.c.source_file.in_(files))
                    .distinct()
                    .limit(20)
                ).scalars()
            )
    return sorted(urls)


def file_of_url(store: Store, url: str) -> str | None:
    with store.connect() as conn:
        return conn.execute(
            select(crawl_links.c.target_file)
            .where(crawl_links.c.target == url, crawl_links.c.target_file.is_not(None))
            .limit(1)
        ).scalar()
