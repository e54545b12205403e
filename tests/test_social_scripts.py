"""Social posts in scripts beyond Latin and CJK: hashtags spelled as their writers spell them, previews of
Thai, Khmer and Myanmar shortened at dictionary word boundaries, and each platform's count per script."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.config import load_config
from pipeline.content import load_content
from pipeline.social import lengths
from pipeline.social.compose import compose, hashtag
from pipeline.social.links import HASHTAG_RE
from pipeline.wordbreak import icu_located

HASHTAGS = [
    ("پیاده\u200cروی", "#پیاده\u200cروی"),  # Persian: the ZWNJ is part of the word's spelling
    ("क्\u200dष", "#क्\u200dष"),  # a ZWJ half form
    ("لياقة_بدنية", "#لياقة_بدنية"),  # caseless words stay apart, as Arabic hashtags are written
    ("पैदल-चलना", "#पैदल_चलना"),  # ends in a vowel sign (a mark): still a Devanagari word
    ("የእግር ጉዞ", "#የእግር_ጉዞ"),
    ("ჯანმრთელობა", "#ჯანმრთელობა"),  # never a Mtavruli capital (it read #Ჯანმრთელობა)
    ("ჯანმრთელი-გული", "#ჯანმრთელი_გული"),
    ("매일 걷기", "#매일걷기"),  # Korean, Thai and CJK hashtags run words together
    ("สุขภาพ ดี", "#สุขภาพดี"),
    ("bone-health", "#BoneHealth"),
    ("top-10-tips", "#Top10Tips"),
    ("sức khỏe", "#SứcKhỏe"),
    ("\u200c", ""),
]


@pytest.mark.parametrize(("tag", "expected"), HASHTAGS)
def test_hashtags_keep_each_scripts_spelling(tag: str, expected: str) -> None:
    got = hashtag(tag)
    assert got == expected
    if got:
        # one whole hashtag for the facets and the cut rules (twitter-text's hashtag characters and Mastodon's
        # HASHTAG_SEPARATORS include ZWNJ; `_` is a hashtag character on X, Mastodon and Bluesky)
        assert HASHTAG_RE.fullmatch(got)
        assert [m.group(0) for m in HASHTAG_RE.finditer(f"a {got}, b")] == [got]


def _word_ends(text: str) -> set[int]:
    """Where ICU says a word starts or ends, and where a space is."""
    spaces = {i for i, ch in enumerate(text) if ch.isspace()}
    return spaces | {pos for start, end, _ in icu_located(text) for pos in (start, end)}


@pytest.mark.parametrize(
    "text",
    [
        # Khmer and Myanmar: one space, between the two sentences; Thai: none at all
        "ការដើររយៈពេលសាមសិបនាទីក្នុងមួយថ្ងៃជួយបន្ថយសម្ពាធឈាម។ ស្វែងយល់ពីរបៀបចាប់ផ្តើមដោយសុវត្ថិភាព។",
        "လမ်းလျှောက်ခြင်းသည်အလွယ်ကူဆုံးလေ့ကျင့်ခန်းဖြစ်သည်။ နေ့တိုင်းလမ်းလျှောက်ပါ။",
        "การเดินวันละสามสิบนาทีช่วยลดความดันโลหิตและทำให้นอนหลับสบายขึ้น",
    ],
)
def test_previews_without_spaces_are_cut_between_words(text: str) -> None:
    ends = _word_ends(text)
    for limit in range(20, 60, 7):

        def fits(candidate: str, n: int = limit) -> bool:
            return lengths.fits("x", candidate, n)

        out, cut = lengths.truncate(text, fits)
        assert cut and out, f"nothing left at {limit}"  # shortened, not dropped
        kept = out.removesuffix(lengths.ELLIPSIS)
        assert len(kept) in ends, f"cut inside a word: {kept[-6:]!r}|{text[len(kept) : len(kept) + 6]!r}"


def test_a_khmer_post_for_x_keeps_part_of_its_preview(tmp_path: Path) -> None:
    """Khmer weighs 2 per code point on X: its two-sentence description is too long, and with a cut only at the
    space between the sentences the whole preview was dropped."""
    content = tmp_path / "content" / "km" / "posts"
    content.mkdir(parents=True)
    (content / "walk.md").write_text(
        "---\ntitle: ការដើរជារៀងរាល់ថ្ងៃជួយឱ្យសុខភាពល្អ\n"
        "description: ការដើររយៈពេលសាមសិបនាទីក្នុងមួយថ្ងៃជួយបន្ថយសម្ពាធឈាមនិងធ្វើឱ្យគេងលក់ស្រួល។ "
        "ស្វែងយល់ពីរបៀបចាប់ផ្តើមដោយសុវត្ថិភាព។\ntags: [សុខភាព, ការដើរ]\n---\nx\n",
        "utf-8",
    )
    (tmp_path / "site.toml").write_text(
        f'[site]\nbase_url = "https://walk.example"\ncontent_dir = "{tmp_path / "content"}"\n'
        '[site.languages.en]\nname = "English"\n[site.languages.km]\nname = "ខ្មែរ"\n'
        '[[social.accounts]]\nname = "x"\nplatform = "x"\nlanguages = ["km"]\n'
        'credentials_env = {consumer_key = "K", consumer_secret = "S", access_token = "T", '
        'access_token_secret = "U"}\n',
        "utf-8",
    )
    config = load_config(tmp_path / "site.toml", environ={})
    composed = compose(config, config.social.accounts[0], load_content(config).posts[0])
    assert composed.truncated == ["preview shortened"]
    assert "ការដើររយៈពេល" in composed.text and lengths.ELLIPSIS in composed.text
    assert "#សុខភាព #ការដើរ" in composed.text and lengths.fits("x", composed.text)


# X weighs code points up to U+10FF (Thai, Myanmar, Georgian) 1 and later blocks (Ethiopic, Khmer, Hangul) 2;
# Mastodon and Bluesky count grapheme clusters, so a Devanagari conjunct is one.
@pytest.mark.parametrize(
    ("text", "x", "graphemes"),
    [("สุขภาพ", 6, 5), ("ჯანმრთელობა", 11, 11), ("ጤና", 4, 2), ("សុខភាព", 12, 4), ("건강", 4, 2), ("क्ष", 3, 1)],
)
def test_platform_counts_per_script(text: str, x: int, graphemes: int) -> None:
    assert lengths.measure("x", text).length == x
    assert lengths.measure("mastodon", text).length == graphemes
    assert lengths.measure("bluesky", text).length == graphemes
