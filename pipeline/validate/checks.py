"""Every validate check, in the order they run (and report): metadata first, readability last.

A check module is one line here; its checks register themselves with `@rule("ID")` (registry.registrar) and
its ids, severities and docs live in the catalogue, pipeline/rules.py.
"""

from __future__ import annotations

from pipeline.validate import images, keyphrase, language, metadata, readability, structure
from pipeline.validate.registry import Check

MODULES = (metadata, keyphrase, images, structure, readability, language)


def all_checks() -> list[Check]:
    return [check for module in MODULES for check in module.CHECKS]
