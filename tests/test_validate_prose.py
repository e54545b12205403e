"""What the readability and structure rules see of a post: prose units with file lines, links, images, sections.

The issue's contract: code, raw HTML, URLs and front matter never reach the prose; headings, paragraphs, list
items and table cells are units, each with its line in the file.
"""

from __future__ import annotations

import gc
import weakref
from pathlib import Path

from pipeline.content import parse_post
from pipeline.validate.prose import Doc, analyse
from pipeline.validate.stage import GC_THRESHOLD, _fewer_collections

FRONT = "---\ntitle: T\n---\n"  # the body starts on file line 4


def doc_of(body: str) -> Doc:
    post = parse_post((FRONT + body).encode(), Path("/site/content/p.md"), Path("/site/content"), rel="p.md")
    assert post.body_line == 4
    return analyse(post)


def units(body: str) -> list[tuple[str, str, int]]:
    return [(u.kind, u.text, u.line) for u in doc_of(body).units]


def test_code_html_and_footnotes_stay_out_of_the_prose() -> None:
    body = (
        "Intro with `inline code` and <span>raw</span> HTML &amp; an entity.\n\n"
        "```python\nprint('never prose')\n```\n\n"
        "    indented code too\n\n"
        "<div>\nblock HTML\n</div>\n\n"
        "A claim.[^1]\n\n"
        "[^1]: The footnote text.\n"
    )
    assert units(body) == [
        ("paragraph", "Intro with  and raw HTML & an entity.", 4),
        ("paragraph", "A claim.", 16),
    ]


def test_headings_items_cells_and_quotes_are_units_with_file_lines() -> None:
    body = (
        "# Title\n\n"
        "Para one\ncontinues here.\n\n"
        "- first item\n- second item\n  - nested item\n\n"
        "> quoted words\n\n"
        "| Food | Calcium |\n|---|---|\n| Milk | 300 mg |\n"
    )
    assert units(body) == [
        ("heading", "Title", 4),
        ("paragraph", "Para one continues here.", 6),
        ("item", "first item", 9),
        ("item", "second item", 10),
        ("item", "nested item", 11),
        ("paragraph", "quoted words", 13),
        ("cell", "Food", 15),
        ("cell", "Calcium", 15),
        ("cell", "Milk", 17),
        ("cell", "300 mg", 17),
    ]
    doc = doc_of(body)
    assert [(s.title, s.line, s.level) for s in doc.sections] == [("Title", 4, 1)]


def test_blocks_inside_list_items_are_walked_as_blocks() -> None:
    """Code, HTML, tables, quotes and headings in a list item used to be glued into the item's text."""
    body = (
        "1. Install it:\n\n"
        "   ```sh\n   cargo install thing\n   ```\n\n"
        "   <details>hidden</details>\n\n"
        "   > a quoted note\n\n"
        "   | a | b |\n   |---|---|\n   | 1 | 2 |\n\n"
        "   ## Inside\n"
        "2. Done.\n"
    )
    assert units(body) == [
        ("item", "Install it:", 4),
        ("paragraph", "a quoted note", 12),
        ("cell", "a", 14),
        ("cell", "b", 14),
        ("cell", "1", 16),
        ("cell", "2", 16),
        ("heading", "Inside", 18),
        ("item", "Done.", 19),
    ]
    assert "cargo" not in doc_of(body).prose


def test_item_text_after_a_nested_block_has_its_own_line() -> None:
    body = "- item start\n  ```\n  code\n  ```\n  after fence\n- next\n"
    assert units(body) == [("item", "item start", 4), ("item", "after fence", 8), ("item", "next", 9)]


def test_links_images_and_autolinks() -> None:
    body = (
        'See [the guide](/articles/guide/ "t") and <https://example.org/x>.\n\n'
        "![A woman walking](/images/walk.jpg)\n\n"
        "- [**Bold** link](https://a.example/) item\n"
    )
    doc = doc_of(body)
    assert [(u.text, u.line) for u in doc.units] == [
        ("See the guide and .", 4),
        ("Bold link item", 8),
    ]
    assert [(lk.url, lk.text, lk.line) for lk in doc.links] == [
        ("/articles/guide/", "the guide", 4),
        ("https://example.org/x", "https://example.org/x", 4),
        ("https://a.example/", "Bold link", 8),
    ]
    assert [(im.url, im.text, im.line) for im in doc.images] == [("/images/walk.jpg", "A woman walking", 6)]


def test_a_posts_analysis_is_freed_without_the_cyclic_collector() -> None:
    """The walker's closure once referred to itself: every Unit of every post lived until a GC pass."""
    post = parse_post(
        (FRONT + "# H\n\nSome text.\n\n- item\n").encode(),
        Path("/site/content/p.md"),
        Path("/site/content"),
        rel="p.md",
    )
    gc.disable()
    try:
        unit = weakref.ref(analyse(post).units[0])
        post.extra.pop("doc")
        assert unit() is None
    finally:
        gc.enable()


def test_a_run_raises_the_gc_threshold_and_restores_it_once_every_run_is_done() -> None:
    before = gc.get_threshold()
    with _fewer_collections():
        with _fewer_collections():
            assert gc.get_threshold()[0] == max(GC_THRESHOLD, before[0])
        assert gc.get_threshold()[0] == max(GC_THRESHOLD, before[0])
    assert gc.get_threshold() == before


def test_liquid_tags_and_kramdown_attribute_lists_are_not_prose() -> None:
    """Jekyll pages as written (synthetic text): an include on its own line, an attribute list under a heading,
    a site variable inside a sentence. Read as prose they were sentences ("include notice.md", two English
    words, on a Korean page) and words of the sentence around them."""
    body = (
        "{% include notice.md %}\n\n"
        "## Watering schedules\n{: #schedules}\n\n"
        "{% include out-of-date.html %}\n\n"
        "The current controller version is {{ site.controller.version }}. Update it {{ '/now/' | relative_url }} soon.\n"
        'Hugo keeps {{< glossary_tooltip text="valves" term_id="valve" >}} as shown text.\n'
    )
    assert units(body) == [
        ("heading", "Watering schedules", 6),
        (
            "paragraph",
            "The current controller version is . Update it soon. Hugo keeps valves as shown text.",
            11,
        ),
    ]
    opening = doc_of("{% include notice.md %} Valves open at dawn.\n").units[0]
    assert opening.text == "Valves open at dawn." and opening.after_markup  # its first word is not an opening


def test_liquid_comment_blocks_are_not_prose_across_paragraphs() -> None:
    """`{% comment %}` renders nothing, in one paragraph or across several (the ruby-lang.org trial's notes to
    translators spanned paragraphs); the text after `{% endcomment %}` is prose again."""
    body = (
        "Valves open at dawn. {% comment %}Note to editors: check the hours.{% endcomment %} They close at dusk.\n\n"
        "{%- comment -%}\nA longer note for translators.\n\nIt has a second paragraph.\n{% endcomment %}\n\n"
        "Pumps rest at noon.\n"
    )
    assert [text for _, text, _ in units(body)] == [
        "Valves open at dawn. They close at dusk.",
        "Pumps rest at noon.",
    ]
