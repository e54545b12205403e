"""The one Markdown dialect: both engines read a post the same way, and hostile input takes the safe one."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from urllib.parse import unquote

import pytest

from pipeline.config import load_config
from pipeline.content import load_content
from pipeline.content.html import render_html
from pipeline.content.markdown import (
    TreeNode,
    fast_parser_safe,
    parse_tokens,
    parse_tree,
    tree_from_tokens,
)
from pipeline.validate.prose import _doc
from tests.conftest import REPO


def _posts() -> list:  # type: ignore[type-arg]
    config = load_config(REPO / "config" / "site.toml", environ={})
    return load_content(config).posts


@pytest.mark.parametrize("post", _posts(), ids=lambda p: p.rel)
def test_both_engines_give_the_checks_the_same_prose(post) -> None:  # type: ignore[no-untyped-def]
    fast = _doc(post, parse_tree(post.body))
    safe = _doc(post, tree_from_tokens(post.body, parse_tokens(post.body)))
    assert [(u.kind, u.text) for u in fast.units] == [(u.kind, u.text) for u in safe.units]
    assert [(h.text, h.line, h.level) for h in fast.headings] == [
        (h.text, h.line, h.level) for h in safe.headings
    ]
    # Links and images on their own lines: the safe engine counts line breaks where markdown-it-py maps none.
    assert [(x.url, x.text, x.line) for x in fast.links] == [(x.url, x.text, x.line) for x in safe.links]
    assert [(i.url, i.text, i.line) for i in fast.images] == [(i.url, i.text, i.line) for i in safe.images]
    assert [u.line for u in fast.units if u.kind != "item"] == [
        u.line for u in safe.units if u.kind != "item"
    ]


def test_hostile_bodies_take_the_safe_engine() -> None:
    assert fast_parser_safe("# Title\n\nA paragraph with *emphasis* and a [link](/x).\n") is None
    assert fast_parser_safe(">" * 100_000 + " x\n")
    assert fast_parser_safe("- " * 50_000 + "x\n")
    assert fast_parser_safe("*a " * 20_000 + "x" + " b*" * 20_000)
    deep = parse_tree(">" * 100_000 + " x\n")
    assert isinstance(deep, TreeNode) and "nests" in deep.meta["problem"]


def test_the_pre_scan_names_the_deep_line_and_counts_delimiters_per_paragraph() -> None:
    deep = ">" * 70 + " x"
    assert fast_parser_safe(deep + "\n").endswith("at body line 1")  # type: ignore[union-attr]
    assert fast_parser_safe("a\n\n" + deep + "\n").endswith("at body line 3")  # type: ignore[union-attr]
    assert fast_parser_safe("a\n" + ">" * 63 + "x\n") is None  # 63 container characters: shallow enough
    # Σ n² per paragraph, not (Σ n)²: many delimiter-heavy paragraphs are fine, one huge one is not.
    paragraph = "*a* " * 1_000  # 2,000 delimiters: 4,000,000 of the 64,000,000 budget
    assert fast_parser_safe("\n\n".join([paragraph] * 15)) is None
    assert fast_parser_safe(" ".join([paragraph] * 5))


def test_a_panic_in_the_fast_engine_falls_back_to_the_same_dialect() -> None:
    tree = parse_tree("See [x`](https://e.com/).\n")  # markdown-it-pyrs panics on this
    assert isinstance(tree, TreeNode) and "problem" not in tree.meta
    assert tree.children[0].name == "paragraph"


def test_deep_emphasis_never_makes_a_tree_deeper_than_the_cap() -> None:
    tree = tree_from_tokens("", parse_tokens("*a " * 5_000 + "x" + " b*" * 5_000))
    depth, stack = 0, [(tree, 0)]
    while stack:
        node, level = stack.pop()
        depth = max(depth, level)
        stack.extend((child, level + 1) for child in node.children)
    assert depth <= 66 and "problem" in tree.meta


def test_html_escapes_raw_html_and_drops_script_links() -> None:
    html = render_html(
        parse_tokens("<script>alert(1)</script>\n\n[x](javascript:alert(1)) <b>b</b>\n\n|a|\n|-|\n|1|\n")
    )
    assert "<script>" not in html and "&lt;script&gt;" in html and 'href="javascript:' not in html
    assert "&lt;b&gt;" in html and "<table>" in html


def test_segmenting_reuses_a_posts_full_parse(tmp_path: Path) -> None:
    from pipeline.content.markdown import block_tokens

    post = _posts()[0]
    blocks = block_tokens(post)
    assert all(
        t.type != "inline" or not t.children for t in blocks
    )  # blocks-only parse when nothing is cached
    full = post.tokens
    assert block_tokens(post) == full  # the cached full parse is shared


KRAMDOWN = """Intro paragraph.

<aside markdown="1">
**Note:** a [broken link](/articles/nowhere/) inside the aside, and a second sentence to translate.
</aside>

<div class="raw">
Raw HTML stays raw: *not emphasis*.
</div>
"""


def test_markdown_inside_kramdown_html_blocks_is_read_by_validate_and_translate(tmp_path: Path) -> None:
    """`<aside markdown="1">` (kramdown): the text inside is Markdown to validate and translate (issue 17 §5),
    at its own lines; a plain HTML block stays raw."""
    from pipeline.translate.segment import assemble, segment_body, segments_of
    from tests.validate_support import GOOD_META, make_site, run_validate, yaml_post

    doc = _doc_of(KRAMDOWN)
    assert any(link.url == "/articles/nowhere/" and link.line == 4 for link in doc.links)
    assert "a second sentence to translate" in doc.prose and "not emphasis" not in doc.prose
    parts = segment_body(KRAMDOWN)
    assert assemble(parts) == KRAMDOWN  # the tag lines are kept byte for byte
    assert any("second sentence to translate" in s.plain for s in segments_of(parts))
    assert "<strong>Note:</strong>" in render_html(parse_tokens(KRAMDOWN))
    config = make_site(tmp_path, {"posts/aside.md": yaml_post(dict(GOOD_META), KRAMDOWN)})
    broken = [f for f in run_validate(config) if f.rule == "MD005"]
    assert [f.line for f in broken] == [4 + yaml_post(dict(GOOD_META), "").count("\n")]


def _doc_of(body: str):  # type: ignore[no-untyped-def]
    from pipeline.content import parse_post

    post = parse_post(f"---\ntitle: t\n---\n{body}".encode(), Path("x.md"), Path("."))
    doc = _doc(post, parse_tree(post.body))
    for link in doc.links:  # _doc gives file lines; the body starts on line 4 here
        link.line -= 3
    return doc


# Jekyll as it is written (synthetic text): Liquid runs before kramdown, so a `{% highlight %}` block is code and
# `{{ site.url }}` in a link target is already a URL when Markdown reads it. Read as written, the code was prose
# (counted, language-identified, translated) and a template in a reference definition ended the definition,
# turning it and every definition after it into a paragraph: no links at all.
LIQUID = """Patch your greenhouse controller now.
Vulnerable code looks like this:
{% highlight ruby %}
valve = Sprinkler::Valve.open(untrusted_input)
```
{% endhighlight %}

See [the notes][1] and [the mirror list][2].

  {% highlight sh %}
  $ gem install sprinkler
  {% endhighlight %}

```liquid
{% highlight ruby %}
kept as written
{% endhighlight %}
```

[1]: {{ site.url }}/garden/notes/
[2]: https://mirrors.example.org/sprinkler/
"""


def test_jekyll_highlight_blocks_are_code_for_every_stage() -> None:
    from pipeline.translate.segment import assemble, segment_body, segments_of

    doc = _doc_of(LIQUID)
    assert "Valve" not in doc.prose and "gem install" not in doc.prose and "untrusted_input" not in doc.prose
    assert "Patch your greenhouse controller now" in doc.prose
    html = render_html(parse_tokens(LIQUID))
    assert 'class="language-ruby"' in html and 'class="language-sh"' in html
    assert "{% highlight ruby %}\nkept as written" in html  # a fenced block about Liquid stays as written
    parts = segment_body(LIQUID)
    assert assemble(parts) == LIQUID  # the tag lines are kept byte for byte
    assert not any("Valve" in s.plain or "gem install" in s.plain for s in segments_of(parts))
    # Same lines and byte offsets: what follows a block keeps its line number.
    assert [(link.url, link.line) for link in doc.links][-1] == ("https://mirrors.example.org/sprinkler/", 8)


def test_liquid_in_link_targets_keeps_the_links(tmp_path: Path) -> None:
    doc = _doc_of(LIQUID)
    assert [link.text for link in doc.links] == ["the notes", "the mirror list"]
    assert unquote(doc.links[0].url).replace("+", " ") == "{{ site.url }}/garden/notes/"
    inline = _doc_of("Read [the notes]({{ site.url }}/garden/notes/) first.\n")
    assert [link.text for link in inline.links] == ["the notes"]
    assert "site.url" not in inline.prose
    # End to end: the template link is checked against the site's pages (missing, reported where it is used), the
    # outbound one counts as a source (no MD006).
    from tests.validate_support import GOOD_META, make_site, run_validate, yaml_post

    config = make_site(tmp_path, {"posts/patch.md": yaml_post(dict(GOOD_META), LIQUID)})
    found = run_validate(config)
    assert not [f for f in found if f.rule == "MD006"]
    assert [f.line for f in found if f.rule == "MD005"] == [8 + yaml_post(dict(GOOD_META), "").count("\n")]


def test_the_safe_engine_puts_a_link_on_its_own_line() -> None:
    """markdown-it-py maps no inline token: a link on the third line of a paragraph (or list item) was reported
    on the paragraph's first line by the safe engine, which every body with a bare link takes on a Hugo site."""
    body = "Intro\n\n- Ask questions\n  through [the forum](/forum/)\n  or ![a chart](/c.png) and\n  <https://x.org>\n"
    post = dataclasses.replace(_posts()[0], body=body)  # its body's first line is file line `body_line`
    for tree in (parse_tree(body), tree_from_tokens(body, parse_tokens(body))):
        doc = _doc(post, tree)
        body_lines = [(x.url, x.line - post.body_line + 1) for x in doc.links]
        assert body_lines == [("/forum/", 4), ("https://x.org", 6)]
        assert [(i.url, i.line - post.body_line + 1) for i in doc.images] == [("/c.png", 5)]
