"""Tables owned by the web component; append migrations, never edit an applied one."""

from __future__ import annotations

from pipeline.store import Migration

MIGRATIONS: list[Migration] = []
