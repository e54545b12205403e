"""Cards stage: Open Graph and X cards from each post's hero image, in every script the site publishes.

`run_stage` lives in `pipeline.cards.stage`; other stages read rendered cards with `card_for`.
"""

from __future__ import annotations

from pipeline.cards.cache import CardRecord, card_for

__all__ = ["CardRecord", "card_for"]
