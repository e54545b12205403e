"""The order `pipeline run` follows: one tuple of stage objects, each stage's module defining its `STAGE`.

The order is what the stages read and write (each `Stage` says so):
1. validate first: it only reads the posts, and its findings are worth having even when a later stage fails;
2. translate writes draft posts, which cards (3) then gives their own social images and fills the paths into;
4. social plans the published posts, drafts included once a human approved them;
5. build renders every post, with the card paths in place, into the preview site;
6. crawl audits the public site, or the preview site build left in the context when that is unreachable.

A new stage is one module with a `STAGE = Stage(...)` and one line here.
"""

from __future__ import annotations

from pipeline.build.stage import STAGE as BUILD
from pipeline.cards.stage import STAGE as CARDS
from pipeline.crawl.stage import STAGE as CRAWL
from pipeline.social.stage import STAGE as SOCIAL
from pipeline.stages import Stage
from pipeline.translate.stage import STAGE as TRANSLATE
from pipeline.validate.stage import STAGE as VALIDATE

STAGES: tuple[Stage, ...] = (VALIDATE, TRANSLATE, CARDS, SOCIAL, BUILD, CRAWL)
BY_NAME: dict[str, Stage] = {stage.name: stage for stage in STAGES}
