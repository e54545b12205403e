"""Read-side queries for the web UI: filtered, searched, sorted and paged views of the ledger, and counts.

Paging happens in SQL so a list of 10,000 posts costs one page of rows; the bulk actions act on the same
`Query` the list shows, so "select all 221 matching" means exactly what the page says.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, or_, select

from pipeline.schema.social import social_items
from pipeline.social.ledger import STATES, Item
from pipeline.store import Store

SORTS: dict[str, tuple[Any, ...]] = {
    "due": (social_items.c.due_at, social_items.c.id),
    "-due": (social_items.c.due_at.desc(), social_items.c.id.desc()),
    "account": (social_items.c.account, social_items.c.due_at, social_items.c.id),
    "state": (social_items.c.state, social_items.c.due_at, social_items.c.id),
    "-updated": (social_items.c.updated_at.desc(), social_items.c.id.desc()),
}


@dataclass(frozen=True)
class Query:
    """A filtered, searched view of the ledger (the web list and its bulk actions act on the same one)."""

    account: str = ""
    lang: str = ""
    state: str = ""
    q: str = ""  # words anywhere in the text, card title, article path or account
    since: float | None = None
    until: float | None = None

    def where(self) -> list[Any]:
        conds: list[Any] = []
        if self.account:
            conds.append(social_items.c.account == self.account)
        if self.lang:
            conds.append(social_items.c.lang == self.lang)
        if self.state in STATES:
            conds.append(social_items.c.state == self.state)
        if self.since is not None:
            conds.append(social_items.c.due_at >= self.since)
        if self.until is not None:
            conds.append(social_items.c.due_at < self.until)
        for word in self.q.split()[:8]:
            pattern = "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            conds.append(
                or_(
                    *(
                        social_items.c[name].ilike(pattern, escape="\\")
                        for name in ("text", "card_title", "post_path", "account")
                    )
                )
            )
        return conds


def search(
    store: Store, query: Query, sort: str = "due", limit: int = 50, offset: int = 0
) -> tuple[list[Item], int]:
    """One page of the items matching `query`, and how many match in all (paged in SQL: 10,000 rows stay fast)."""
    conds = query.where()
    with store.connect() as conn:
        total = int(conn.execute(select(func.count()).select_from(social_items).where(*conds)).scalar_one())
        rows = conn.execute(
            select(social_items)
            .where(*conds)
            .order_by(*SORTS.get(sort, SORTS["due"]))
            .limit(limit)
            .offset(offset)
        ).fetchall()
    return [Item.from_row(r) for r in rows], total


def matching_ids(store: Store, query: Query) -> list[int]:
    with store.connect() as conn:
        return [
            int(r[0])
            for r in conn.execute(
                select(social_items.c.id).where(*query.where()).order_by(social_items.c.due_at)
            )
        ]


def counts(store: Store, query: Query) -> dict[tuple[str, str, str], int]:
    """(account, lang, state) → how many, for the summary table."""
    with store.connect() as conn:
        rows = conn.execute(
            select(social_items.c.account, social_items.c.lang, social_items.c.state, func.count())
            .where(*query.where())
            .group_by(social_items.c.account, social_items.c.lang, social_items.c.state)
        ).fetchall()
    return {(a, lang, s): int(n) for a, lang, s, n in rows}


def distinct(store: Store, column: str) -> list[str]:
    with store.connect() as conn:
        return sorted(str(r[0]) for r in conn.execute(select(social_items.c[column]).distinct()))
