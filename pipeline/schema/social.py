"""Tables owned by the social component; append migrations, never edit an applied one."""

from __future__ import annotations

from pipeline.store import Migration

MIGRATIONS: list[Migration] = []
