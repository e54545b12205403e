"""A copy of the bundled example site as the repository has it, without what `make run` wrote into it.

`make run` writes Spanish drafts into `examples/health-blog/content/es/` and cards into `static/images/`
(all ignored by git). A test that copied the folder after a `make run` got those drafts too, and its own
translate run left them untouched ("a file exists where the draft goes but was not written by this pipeline"):
`make run` then `make test`, the README's order, failed 17 web workspace tests.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "health-blog"
# A draft this pipeline wrote carries its own `translation:` block with the source's hash.
_DRAFT = re.compile(r"^translation:\n(?:[ \t]+.*\n)*?[ \t]+source_hash:", re.M)


def copy_example(dest: Path) -> Path:
    """Copy the example site to `dest`, leaving out rendered cards and the drafts a `make run` wrote."""
    shutil.copytree(
        EXAMPLE,
        dest,
        ignore=shutil.ignore_patterns("cards", "*-og.png", "*-og.jpg", "*-twitter.png", "*-twitter.jpg"),
    )
    content = dest / "content"
    for path in content.rglob("*.md"):
        if path.parent == content / "posts":
            continue
        head = path.read_text(encoding="utf-8", errors="replace").split("\n---", 1)[0]
        if _DRAFT.search(head + "\n"):
            path.unlink()
    return dest
