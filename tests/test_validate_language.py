"""LANG001-003: title, description and body in the post's declared language — and no alarm for the English
names, identifiers, talk titles and link text that real translated pages are full of."""

from __future__ import annotations

from pathlib import Path

from pipeline import langid
from pipeline.config import load_config
from tests.test_validate_scripts import FRONT, _site, fixture_meta
from tests.validate_support import run_validate

BN_DESCRIPTION = fixture_meta("bn")["description"]
BN_BODY = "\nহাঁটা সবচেয়ে সহজ ব্যায়াম। এর জন্য কোনো যন্ত্র বা জিমের দরকার হয় না। আপনি আজই শুরু করতে পারেন।\n"
JA_DESCRIPTION = fixture_meta("ja")["description"]
ENGLISH_SECTION = """
## Configuration

The collector reads its configuration from a YAML file. Each pipeline names its receivers, processors and
exporters, and the service section wires them together.

Restart the collector after you change the file, then check the logs for errors before you send any data.
"""


def _lang_findings(tmp: Path, rel: str, text: str, langs: list[str]) -> list[tuple[str, str]]:
    config = load_config(_site(tmp, langs, posts={rel: text}))
    return [(f.rule, f.message) for f in run_validate(config) if f.rule.startswith("LANG")]


def _bn(title: str, description: str = BN_DESCRIPTION, body: str = BN_BODY) -> str:
    preview = "হাঁটা সবচেয়ে সহজ ব্যায়াম। জেনে নিন কতটা হাঁটা যথেষ্ট।"
    return FRONT.format(title=title, description=description, preview=preview, lang="bn", slug="walk") + body


def test_english_title_on_a_bengali_post(tmp_path: Path) -> None:
    found = _lang_findings(tmp_path, "bn/walk.md", _bn("Getting Started with Daily Walks"), ["bn"])
    assert found == [
        ("LANG001", "title reads as English, not Bengali (language identifier confidence 1.00); translate it")
    ]


def test_names_alone_are_not_a_language(tmp_path: Path) -> None:
    for i, title in enumerate(
        ["OpenTelemetry Collector", "হাঁটার উপকারিতা", "Kubernetes SDK v1.2", "হাঁটা ও OpenTelemetry"]
    ):
        assert _lang_findings(tmp_path / str(i), "bn/walk.md", _bn(title), ["bn"]) == [], title


def test_english_description_on_a_spanish_post(tmp_path: Path) -> None:
    description = (
        "Learn the essential steps in setting up code-based instrumentation for your services and libraries."
    )
    post = FRONT.format(
        title="Instrumentación basada en código",
        description=description,
        preview="Los pasos esenciales para instrumentar su código.",
        lang="es",
        slug="walk",
    )
    body = "\nEsta página explica cómo instrumentar una aplicación. Primero instale el SDK y después configure el exportador.\n"
    found = _lang_findings(tmp_path, "es/walk.md", post + body, ["es"])
    assert [rule for rule, _ in found] == ["LANG002"]
    assert "description reads as English, not Spanish" in found[0][1]


def _ja(body: str) -> str:
    preview = "歩くことは最も手軽な運動です。どう始めればよいかを紹介します。"
    front = FRONT.format(
        title="コレクターの設定", description=JA_DESCRIPTION, preview=preview, lang="ja", slug="walk"
    )
    return front + body


JA_INTRO = "\nコレクターは YAML ファイルから設定を読み込みます。`otelcol` を起動する前にファイルを確認してください。\n"


def test_english_section_left_in_a_japanese_post(tmp_path: Path) -> None:
    text = _ja(JA_INTRO + ENGLISH_SECTION)
    found = _lang_findings(tmp_path, "ja/walk.md", text, ["ja"])
    assert len(found) == 1 and found[0][0] == "LANG003"
    assert found[0][1].startswith("2 paragraphs (lines 17–20, ")
    assert "read as English, not Japanese" in found[0][1]
    lines = text.splitlines()
    assert lines[16].startswith("The collector reads") and lines[19].startswith("Restart the collector")


def test_japanese_page_full_of_english_names_is_japanese(tmp_path: Path) -> None:
    """What opentelemetry.io's Japanese pages look like: identifiers in prose, English talk titles as link text,
    speaker names, Hugo shortcodes, a one-line English note."""
    body = (
        JA_INTRO
        + "\nOpenTelemetry Collector の `otlp` レシーバーは gRPC と HTTP の両方で OTLP データを受け取り、"
        "`batch` プロセッサーと `otlphttp` エクスポーターに渡します。\n"
        + "\n- **[Smooth Scaling With the OpAMP Supervisor: Managing Thousands of OpenTelemetry Collectors]"
        "(https://sched.co/1txID)**<br>\n  Reese Lee（New Relic）& Adriana Villela（Dynatrace）<br> 4月3日（木）\n"
        + "- **[The State of Prometheus and OpenTelemetry Interoperability](https://sched.co/1txIA)**<br>\n"
        "  Arthur Sens（Grafana）& Juraj Michálek（Swiss RE）<br> 4月4日（金）\n"
        + "\n{{< comment >}} Note that we have to use the alert shortcode because it contains tab panes and the "
        "markdown renderer would otherwise escape them. {{< /comment >}}\n" + "\nSee the changelog.\n"
    )
    assert _lang_findings(tmp_path, "ja/walk.md", _ja(body), ["ja"]) == []


def test_one_stray_english_sentence_is_not_a_section(tmp_path: Path) -> None:
    body = JA_INTRO + "\nIf you see this error, restart the service.\n"
    assert _lang_findings(tmp_path, "ja/walk.md", _ja(body), ["ja"]) == []


def test_single_language_site_is_not_checked(tmp_path: Path) -> None:
    """Candidates are the site's languages plus English: an English-only site has nothing to compare with."""
    post = FRONT.format(
        title="Wandern für starke Knochen", description="x", preview="y", lang="en", slug="walk"
    )
    config = _site(
        tmp_path,
        [],
        posts={"walk.md": post + "\nDie Knochen werden beim Wandern jeden Tag stärker und fester.\n"},
    )
    assert [f for f in run_validate(load_config(config)) if f.rule.startswith("LANG")] == []


def test_identifier_is_offline_and_its_labels_are_known() -> None:
    """The model comes from the wheel: the socket guard (tests/conftest.py) would fail any download."""
    from py3langid.langid import MODEL_DIR, MODEL_FILE

    assert (MODEL_DIR / MODEL_FILE).is_file()
    assert frozenset(langid._base_model().labels) == langid.LABELS
    guess = langid.Identifier(["en", "es", "bn"]).identify(
        "Esta página explica cómo instrumentar una aplicación."
    )
    assert guess is not None and guess.lang == "es" and guess.confidence > 0.9


def test_declared_language_prior_keeps_ambiguous_text_in_its_language() -> None:
    ident = langid.Identifier(["en", "es", "pt", "ro", "fr"])
    text = "Configuración"
    plain = ident.identify(text)
    with_prior = ident.identify(text, "es", 10.0)
    assert plain is not None and with_prior is not None
    assert with_prior.lang == "es" and with_prior.confidence >= plain.confidence
