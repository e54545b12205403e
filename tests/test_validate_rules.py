"""One failing sample per rule, against a clean post that passes every rule (the passing sample)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from pipeline.config import with_overrides
from pipeline.validate.checks import all_checks
from pipeline.validate.registry import all_rules
from tests.validate_support import GOOD_BODY, GOOD_META, huge_png_header, make_site, run_validate, yaml_post

NAME = "posts/walking-for-strong-bones.md"
Mutation = Callable[[dict[str, Any], str], tuple[dict[str, Any], str]]
LONG_SENTENCE = (
    "Walking every single day at a steady and comfortable pace for a long time is something that many people "
    "of all ages and backgrounds find quite pleasant and useful for their health. "
)


def meta(**changes: Any) -> Mutation:
    def apply(m: dict[str, Any], b: str) -> tuple[dict[str, Any], str]:
        m = dict(m)
        for key, value in changes.items():
            if value is None:
                m.pop(key, None)
            else:
                m[key] = value
        return m, b

    return apply


def body(fn: Callable[[str], str]) -> Mutation:
    return lambda m, b: (m, fn(b))


CASES: dict[str, Mutation] = {
    "SEO001": meta(description=None),
    "SEO002": meta(title=["a", "list"]),
    "SEO003": meta(date="yesterday-ish"),
    "SEO004": meta(date="2999-01-01"),
    "SEO010": meta(
        title="Walking for Strong Bones and Better Balance: The Complete Practical Guide for Every Age"
    ),
    "SEO012": meta(description="Walking builds strong bones."),
    "SEO013": meta(description="W" * 150),
    "SEO015": meta(preview=GOOD_META["description"]),
    "SEO017": meta(preview="Short."),
    "SEO020": meta(permalink="/blog/walking-for-strong-bones/"),
    "SEO021": meta(permalink="/articles/Walking_For_Strong_Bones/"),
    "SEO023": meta(permalink="/articles/walking-strong/"),
    "SEO030": meta(tags=[]),
    "SEO031": meta(tags=["walking", "Bone Health"]),
    "IMG001": meta(image="/../../etc/passwd"),
    "IMG002": meta(image="/images/missing.jpg"),
    "IMG006": meta(ogImage="/images/cards/not-yet.jpg"),
    "KEY001": meta(title="Strong Bones for Life"),
    "KEY002": meta(
        description="A simple way to build strong bones and better balance, with advice on how much to do and how to make it a daily habit."
    ),
    "KEY003": body(lambda b: "\nThis guide is for you. You can start today.\n\n" + b.split("\n\n", 1)[1]),
    "KEY004": body(
        lambda b: (
            b.replace("## Why walking helps", "## Why it helps")
            .replace("## How much walking", "## How much")
            .replace("## Walking safely", "## Safety")
            .replace("## Make walking a habit", "## Habits")
        )
    ),
    "KEY005": meta(keyphrase="brisk strolling"),
    "KEY006": body(lambda b: b.replace("walking", "moving").replace("Walking", "Moving")),
    "MD001": body(lambda b: "# Walking\n\n" + b),
    "MD002": body(lambda b: b.replace("## Walking safely", "#### Walking safely")),
    "MD003": body(lambda b: b + "\n![](/images/hero.jpg)\n"),
    "MD004": body(lambda b: b + "\nFor more, [click here](https://www.cdc.gov/physical-activity/).\n"),
    "MD005": body(lambda b: b + "\nSee also [our guide to sleep](/articles/no-such-post/).\n"),
    "MD006": body(
        lambda b: b.replace(
            "https://www.who.int/news-room/fact-sheets/detail/physical-activity",
            "/articles/walking-for-strong-bones/",
        )
    ),
    "MD007": body(lambda b: b.split("## How much")[0]),
    "MD008": body(
        lambda b: b + '\n<img src="/images/hero.jpg" alt="' + "A woman walks on a hill path " * 6 + '">\n'
    ),
    "MD009": body(lambda b: b + "\n![hero.jpg](/images/hero.jpg)\n"),
    "READ001": body(
        lambda b: (
            b
            + "\n"
            + "Osteoporotic individuals necessitate comprehensive multidisciplinary rehabilitation interventions emphasizing progressive musculoskeletal loading. "
            * 25
        )
    ),
    "READ002": body(
        lambda b: (
            b
            + "\n## Physiology\n\n"
            + "Osteoporotic individuals necessitate comprehensive multidisciplinary rehabilitation interventions. "
            * 10
        )
    ),
    "READ003": body(
        lambda b: (
            b
            + "\n"
            + "Osteoporotic individuals necessitate comprehensive multidisciplinary rehabilitation interventions emphasizing progressive musculoskeletal loading. "
            * 25
        )
    ),
    "READ010": body(lambda b: b.replace("Habits grow from small steps.", LONG_SENTENCE * 12)),
    "READ011": body(lambda b: b.replace("Habits grow from small steps.", "Keep going each day. " * 40)),
    "READ012": body(
        lambda b: (
            b
            + "\n## More walking tips\n\n"
            + "\n\n".join(
                [
                    "Take a walk with a friend today. Then take another one tomorrow. Keep your pace easy and your steps light."
                ]
                * 18
            )
        )
    ),
    "READ013": body(
        lambda b: b + "\n" + "The walk was enjoyed by everyone. The path was cleared by the city. " * 5
    ),
    "READ014": body(lambda b: b + "\nWe walk fast. We walk slow. We walk home.\n"),
    "READ015": body(
        lambda b: (
            b
            + "\n"
            + " ".join(
                f"{w} sit near the path." for w in ["Birds", "Trees", "Dogs", "Kids", "Cats", "Hills"] * 8
            )
            + "\n"
        )
    ),
    "READ020": body(lambda b: b + "\nYou can utilize a cane if needed.\n"),
    # the test site publishes en and de: German text on an English post
    "LANG001": meta(title="Wandern für starke Knochen und gesunde Gelenke"),
    "LANG002": meta(
        description="Wandern stärkt die Knochen und verbessert das Gleichgewicht. Hier erfahren Sie, wie viel "
        "Sie gehen sollten und wie es zur Gewohnheit wird."
    ),
    "LANG003": body(
        lambda b: (
            b
            + "\n## Auf Deutsch\n\nWandern stärkt die Knochen und das Herz. Gehen Sie jeden Tag eine halbe Stunde, am "
            "besten an der frischen Luft und mit bequemen Schuhen.\n"
        )
    ),
}

# Rules that need two posts (uniqueness) are tested separately below.
CROSS_POST = {"SEO011", "SEO014", "SEO022", "SEO016"}
# need config or special files: tested separately (MD010: a Hugo site without goldmark's `unsafe`,
# tests/test_hugo_raw_html.py)
OPTIONAL = {"SEO032", "IMG003", "IMG004", "IMG005", "MD010"}


def test_every_rule_has_a_case_and_docs() -> None:
    ids = {c.rule.id for c in all_checks()}
    assert ids - set(CASES) - CROSS_POST - OPTIONAL == set(), "add a failing sample for each rule"
    for rule in all_rules().values():
        assert rule.doc and rule.doc.endswith("."), f"{rule.id} needs a one-line doc"


def test_clean_post_has_no_findings(tmp_path: Path) -> None:
    config = make_site(tmp_path, {NAME: yaml_post(GOOD_META, GOOD_BODY)})
    findings = run_validate(config)
    assert [(f.rule, f.message) for f in findings] == []


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_rule_fires(tmp_path: Path, rule_id: str) -> None:
    m, b = CASES[rule_id](dict(GOOD_META), GOOD_BODY)
    config = make_site(tmp_path, {NAME: yaml_post(m, b)})
    findings = run_validate(config)
    hits = [f for f in findings if f.rule == rule_id]
    assert hits, f"{rule_id} did not fire; got {[(f.rule, f.message) for f in findings]}"
    text = (tmp_path / "content" / NAME).read_text()
    for f in hits:
        assert f.file and f.file.endswith(NAME)
        assert f.line is not None and 1 <= f.line <= text.count("\n") + 1


@pytest.mark.parametrize("rule_id", ["SEO011", "SEO014", "SEO022"])
def test_cross_post_uniqueness(tmp_path: Path, rule_id: str) -> None:
    other = dict(GOOD_META, permalink="/articles/other/", title="Other", description="D" * 130)
    if rule_id == "SEO011":
        other["title"] = GOOD_META["title"]
    elif rule_id == "SEO014":
        other["description"] = GOOD_META["description"]
    else:
        other["permalink"] = GOOD_META["permalink"]
    config = make_site(
        tmp_path, {NAME: yaml_post(GOOD_META, GOOD_BODY), "posts/other.md": yaml_post(other, GOOD_BODY)}
    )
    hits = [f for f in run_validate(config) if f.rule == rule_id]
    assert len(hits) == 2  # both posts are told about each other


def test_permalink_unique_across_languages(tmp_path: Path) -> None:
    config = make_site(
        tmp_path, {NAME: yaml_post(GOOD_META, GOOD_BODY), "de/" + NAME: yaml_post(GOOD_META, GOOD_BODY)}
    )
    findings = run_validate(config)
    assert any(f.rule == "SEO022" for f in findings)
    assert not any(f.rule == "SEO011" for f in findings)  # same title in different languages is fine


def test_allowed_tags(tmp_path: Path) -> None:
    config = make_site(tmp_path, {NAME: yaml_post(GOOD_META, GOOD_BODY)})
    config = with_overrides(config, {"validate": {"allowed_tags": ["walking"]}})
    assert [f.message for f in run_validate(config) if f.rule == "SEO032"] == [
        "tag 'bone-health' is not in the allowed list (validate.allowed_tags)"
    ]


def test_small_hero_and_budget(tmp_path: Path) -> None:
    config = make_site(tmp_path, {NAME: yaml_post(GOOD_META, GOOD_BODY)}, hero_size=(640, 427))
    config = with_overrides(config, {"validate": {"max_hero_bytes": 100}})
    rules = {f.rule for f in run_validate(config)}
    assert {"IMG004", "IMG005"} <= rules


def test_corrupt_hero(tmp_path: Path) -> None:
    config = make_site(tmp_path, {NAME: yaml_post(GOOD_META, GOOD_BODY)})
    hero = tmp_path / "static" / "images" / "hero.jpg"
    data = hero.read_bytes()
    hero.write_bytes(data[: len(data) // 3])
    hits = [f for f in run_validate(config) if f.rule == "IMG003"]
    assert hits and "cannot decode" in hits[0].message


def test_symlinked_hero_leaving_root(tmp_path: Path) -> None:
    outside = tmp_path / "outside.jpg"
    outside.write_bytes(b"x")
    config = make_site(tmp_path, {NAME: yaml_post(dict(GOOD_META, image="/images/link.jpg"), GOOD_BODY)})
    os.symlink(outside, tmp_path / "static" / "images" / "link.jpg")
    assert any(f.rule == "IMG001" for f in run_validate(config))


def test_ignore_per_post_and_config(tmp_path: Path) -> None:
    m = dict(GOOD_META, description="Too short.", validate={"ignore": ["SEO012"]})
    config = make_site(tmp_path, {NAME: yaml_post(m, GOOD_BODY)})
    rules = {f.rule for f in run_validate(config)}
    assert "SEO012" not in rules and "KEY002" in rules
    config = with_overrides(config, {"validate": {"disable": ["KEY002"]}})
    assert "KEY002" not in {f.rule for f in run_validate(config)}


def _with_a_previewed_post(post: str) -> dict[str, str]:
    other = dict(GOOD_META, permalink="/articles/other/", title="Other", description="D" * 130)
    return {NAME: post, "posts/other.md": yaml_post(other, GOOD_BODY)}


def test_severity_override(tmp_path: Path) -> None:
    config = make_site(tmp_path, _with_a_previewed_post(yaml_post(dict(GOOD_META, preview=None), GOOD_BODY)))
    config = with_overrides(config, {"validate": {"severity": {"SEO016": "error"}}})
    assert [f.severity for f in run_validate(config) if f.rule == "SEO016"] == ["error"]


def test_missing_preview_is_reported_only_on_sites_that_write_previews(tmp_path: Path) -> None:
    """`preview:` is this tool's key: a site that never writes one composes social posts from descriptions by
    design, so its posts are not told they lack one (issue 17: defaults fit any site)."""
    alone = make_site(tmp_path / "a", {NAME: yaml_post(dict(GOOD_META, preview=None), GOOD_BODY)})
    assert not [f for f in run_validate(alone) if f.rule == "SEO016"]
    mixed = make_site(
        tmp_path / "b", _with_a_previewed_post(yaml_post(dict(GOOD_META, preview=None), GOOD_BODY))
    )
    hits = [f for f in run_validate(mixed) if f.rule == "SEO016"]
    assert len(hits) == 1 and hits[0].file and hits[0].file.endswith(NAME)


def test_readability_in_german_uses_german_formula(tmp_path: Path) -> None:
    de_body = (
        "## Gehen für starke Knochen\n\n"
        + "Die Knochenmineraldichte verringert sich bei unzureichender körperlicher Belastung kontinuierlich und "
        "nachhaltig. " * 30
    )
    m = dict(GOOD_META, lang="de")
    config = make_site(tmp_path, {"de/posts/walking-for-strong-bones.md": yaml_post(m, de_body)})
    findings = run_validate(config)
    ease = [f for f in findings if f.rule == "READ003"]
    assert ease and ease[0].data["lang"] == "de"
    assert not any(f.rule in ("READ013", "READ015", "READ020") for f in findings)  # English-only rules


def test_jargon_spelled_with_case_traps_is_reported_not_a_crash(tmp_path: Path) -> None:
    """re matches "utiliſe" and "ındividuals" case-insensitively; the rule used to crash on the lookup."""
    b = GOOD_BODY + "\nYou can utiliſe a cane. ıNDIVIDUALS differ.\n"
    config = make_site(tmp_path, {NAME: yaml_post(dict(GOOD_META), b)})
    findings = run_validate(config)
    assert not [f for f in findings if f.rule == "VALIDATE000"]
    messages = sorted(f.message for f in findings if f.rule == "READ020")
    assert messages == ["'utiliſe' → consider 'use'", "'ıNDIVIDUALS' → consider 'people'"]


def test_configured_jargon_matched_through_unicode_case_folding(tmp_path: Path) -> None:
    """A configured "μg" (Greek mu) matches "µg" (micro sign) case-insensitively in `re`; lower() keeps them apart."""
    b = GOOD_BODY + "\nTake 500 µg daily.\n"
    config = make_site(tmp_path, {NAME: yaml_post(dict(GOOD_META), b)})
    config = with_overrides(config, {"validate": {"plain_language": {"μg": "micrograms"}}})
    findings = run_validate(config)
    assert not [f for f in findings if f.rule == "VALIDATE000"]
    assert [f.message for f in findings if f.rule == "READ020"] == ["'µg' → consider 'micrograms'"]


def test_long_section_titles_are_cut_at_a_word() -> None:
    from pipeline.validate.readability import _section_name

    assert _section_name("") == "introduction"
    assert _section_name("Warm-up") == "section 'Warm-up'"
    long = "Beyond Strength: Balance and Flexibility for Fall Prevention"
    assert _section_name(long) == "section 'Beyond Strength: Balance and Flexibility for Fall…'"
    assert _section_name("x" * 80) == "section '" + "x" * 50 + "…'"


@pytest.mark.parametrize("size", [(12_000, 8_000), (40_000, 40_000)])
def test_gigantic_hero_is_a_finding_not_a_crash_or_a_warning(
    tmp_path: Path, size: tuple[int, int], recwarn: pytest.WarningsRecorder
) -> None:
    """96 MP sits between Pillow's two limits (a stderr warning); 1,600 MP is over both (an exception)."""
    config = make_site(tmp_path, {NAME: yaml_post(GOOD_META, GOOD_BODY)})
    (tmp_path / "static" / "images" / "hero.jpg").write_bytes(huge_png_header(*size))
    findings = run_validate(config)
    assert not [f for f in findings if f.rule == "VALIDATE000"]
    hits = [f for f in findings if f.rule == "IMG003"]
    assert hits and ("megapixels" in hits[0].message or "exceeds limit" in hits[0].message), hits
    assert not [w for w in recwarn if "DecompressionBomb" in w.category.__name__]  # nothing printed on stderr


def test_quoted_draft_is_seo002_saying_how_it_was_read(tmp_path: Path) -> None:
    text = yaml_post(GOOD_META, GOOD_BODY).replace("\n---\n", '\ndraft: "no"\n---\n', 1)
    config = make_site(tmp_path, {NAME: text})
    hits = [f for f in run_validate(config) if f.rule == "SEO002"]
    assert len(hits) == 1 and "'no'" in hits[0].message and "read as published" in hits[0].message
