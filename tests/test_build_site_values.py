"""Site values in page text: `{{ site.title }}` (Jekyll, Eleventy) and Hugo's `{{< param "x" >}}` in the preview.

The preview printed them as written, where the real site shows the value. Hugo runs no templates in content,
so a Hugo page's `{{ .Site.Title }}` is shown as written there and in the preview. Validate counts none of
them as words.
"""

from __future__ import annotations

from pathlib import Path

from pipeline.build.stage import run_stage as build
from pipeline.config import load_config
from pipeline.content.loader import load_content
from pipeline.stages import Context
from pipeline.validate.prose import analyse
from tests.validate_support import trial_site

POST = "---\ntitle: {title}\ndate: 2024-05-06\nlayout: post\n---\n\n"


def _page(tmp: Path, rel: str) -> str:
    return (tmp / "_site" / rel).read_text(encoding="utf-8")


def test_liquid_site_values_are_filled_in_and_unknown_ones_marked(tmp_path: Path) -> None:
    body = (
        "Welcome to {{ site.title }}, by {{- site.author.name -}}. Mail {{ site.email }}.\n"
        "Home: {{ site.url }}{{ site.baseurl }}/ and {{ site.nothing }} or {{ site.title | upcase }}.\n"
        "\n"
        "Write `{{ site.title }}` to show the name.\n"
    )
    config_file = trial_site(
        tmp_path,
        tmp_path / "site",
        {"_posts/2024-05-06-hello.md": POST.format(title="Hello") + body},
        ("en",),
        {"name": "Ours", "base_url": "https://notes.example/blog", "generator": "jekyll"},
    )
    (tmp_path / "site" / "_config.yml").write_text(
        'title: "Garden <Notes> & Co"\nauthor:\n  name: Ana\nemail: ana@notes.example\n', encoding="utf-8"
    )
    config = load_config(config_file)
    build(Context(config=config))
    html = _page(tmp_path, "2024/05/06/hello.html")
    assert "Welcome to Garden &lt;Notes&gt; &amp; Co, by Ana. Mail ana@notes.example." in html
    assert "Home: https://notes.example/blog/ and" in html
    assert '<code class="template" dir="ltr">{{ site.nothing }}</code>' in html
    assert (
        '<code class="template" dir="ltr">{{ site.title | upcase }}</code>' not in html
    )  # a filter: as written
    assert "{{ site.title | upcase }}" in html
    assert "<code>{{ site.title }}</code>" in html  # code stays code
    # Validate: the expressions are markup, not words of the prose.
    post = load_content(config).posts[0]
    text = " ".join(u.text for u in analyse(post).units)
    assert "site" not in text and "upcase" not in text and text.startswith("Welcome to , by . Mail .")


def test_hugo_param_shortcode_shows_the_page_or_site_value_and_templates_stay_as_hugo_shows_them(
    tmp_path: Path,
) -> None:
    pages = {
        "en/posts/a.md": POST.format(title="A")
        + 'Ask {{< param "support" >}} or {{% param "Team.Lead" %}}. {{ .Site.Title }} stays.\n',
        "en/posts/b.md": "---\ntitle: B\ndate: 2024-05-06\nsupport: the desk\n---\n\n"
        'Ask {{< param "support" >}}; {{< param "missing" >}}.\n',
    }
    config_file = trial_site(
        tmp_path,
        tmp_path / "content",
        pages,
        ("en",),
        {"name": "Garden", "base_url": "https://garden.example", "generator": "hugo"},
    )
    (tmp_path / "hugo.toml").write_text(
        'title = "Garden"\n[params]\nsupport = "help@garden.example"\n[params.team]\nlead = "Ana"\n',
        encoding="utf-8",
    )
    build(Context(config=load_config(config_file)))
    a, b = _page(tmp_path, "posts/a/index.html"), _page(tmp_path, "posts/b/index.html")
    assert "Ask help@garden.example or Ana. {{ .Site.Title }} stays." in a
    assert "Ask the desk;" in b
    assert '<code class="shortcode" dir="ltr">{{&lt; param &quot;missing&quot; &gt;}}</code>' in b
