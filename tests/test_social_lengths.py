"""Length tables per platform (CJK, emoji, URLs) and truncation that never cuts a URL, hashtag or grapheme."""

from __future__ import annotations

import pytest

from pipeline.social import lengths, links

URL = "https://longevity-notes.com/articles/best-exercises-osteoporosis/?utm_source=x&utm_medium=social"
FAMILY = "👨\u200d👩\u200d👧"  # one grapheme, five code points, 18 bytes

SHORT = "longevity-notes.com/articles/bes..."  # Bluesky writes the link so (social-app's toShortUrl)

# text, X weighted, Mastodon graphemes (URL = 23), Bluesky graphemes and UTF-8 bytes of the stored text (links
# short), Threads (an emoji counts its UTF-8 bytes), LinkedIn (UTF-16 code units)
TABLE = [
    ("hello", 5, 5, 5, 5, 5, 5),
    ("日本語", 6, 3, 3, 9, 3, 3),
    ("😀", 2, 1, 1, 4, 4, 2),
    (FAMILY, 2, 1, 1, 18, 18, 8),
    ("e\u0301", 1, 1, 1, 3, 1, 2),
    (URL, 23, 23, len(SHORT), len(SHORT), len(URL), len(URL)),
    (f"Read {URL} now", 32, 32, len(SHORT) + 9, len(SHORT) + 9, len(URL) + 9, len(URL) + 9),
    ("Ñandú", 5, 5, 5, 7, 5, 5),
]


@pytest.mark.parametrize(("text", "x", "masto", "bsky", "nbytes", "threads", "linkedin"), TABLE)
def test_length_table(
    text: str, x: int, masto: int, bsky: int, nbytes: int, threads: int, linkedin: int
) -> None:
    assert lengths.measure("x", text).length == x
    assert lengths.measure("mastodon", text).length == masto
    m = lengths.measure("bluesky", text)
    assert (m.length, m.byte_length) == (bsky, nbytes)
    assert lengths.measure("threads", text).length == threads
    assert lengths.measure("linkedin", text).length == linkedin


def test_limits_at_the_boundary() -> None:
    assert lengths.fits("x", "a" * 280) and not lengths.fits("x", "a" * 281)
    assert lengths.fits("x", "日" * 140) and not lengths.fits("x", "日" * 141)
    assert lengths.fits("mastodon", "a" * 500) and not lengths.fits("mastodon", "a" * 501)
    assert lengths.fits("mastodon", "a" * 600, limit=600)
    assert lengths.fits("bluesky", "a" * 300) and not lengths.fits("bluesky", "a" * 301)
    # 300 graphemes of a 10-byte cluster = 3,000 bytes: the byte rule bites at the same time
    assert lengths.fits("bluesky", "👍🏽" * 375) is False
    assert not lengths.fits("bluesky", FAMILY * 200)  # 200 graphemes but 3,600 bytes


def test_truncation_respects_urls_hashtags_and_graphemes() -> None:
    text = f"Strength training builds bone {URL} #BoneHealth and more words here"
    for limit in range(10, len(text)):
        out, cut = lengths.truncate(text, lambda s, n=limit: len(s) <= n)
        assert cut
        assert len(out) <= limit
        if out:
            assert out.endswith(lengths.ELLIPSIS)
            body = out[: -len(lengths.ELLIPSIS)]
            assert text.startswith(body)
            assert URL not in out or URL in body
            assert "https://" not in body or URL in body  # never half a URL
            assert "#Bone" not in body or "#BoneHealth" in body


def test_truncation_of_cjk_and_emoji_keeps_clusters_whole() -> None:
    text = "骨の健康" * 40 + FAMILY * 10
    out, cut = lengths.truncate(text, lambda s: lengths.fits("x", s, 50))
    assert cut and lengths.fits("x", out, 50)
    assert lengths.grapheme_len(out) == len(lengths.graphemes(out))
    assert "\u200d" not in out[-3:-1] or out.endswith(FAMILY + lengths.ELLIPSIS)


def test_bluesky_facets_are_byte_offsets_into_the_text_with_short_links() -> None:
    text = f"Ünïcödé ✓ {URL} #Knochen"
    stored, facets = links.bluesky_post(text)
    assert stored == f"Ünïcödé ✓ {SHORT} #Knochen"
    raw = stored.encode()
    assert [f.kind for f in facets] == ["link", "tag"]
    assert raw[facets[0].byte_start : facets[0].byte_end].decode() == SHORT
    assert facets[0].value == URL  # the facet carries the full address
    assert raw[facets[1].byte_start : facets[1].byte_end].decode() == "#Knochen"


@pytest.mark.parametrize(
    ("url", "x", "mastodon", "bluesky"),
    [
        # X: no scheme, no www., 26 characters then …; Mastodon: 30 then …; Bluesky: host + path, a path over
        # 15 characters cut to 13 and "..."
        ("https://www.example.com/", "example.com/", "example.com/", "www.example.com"),
        ("https://example.com/a/b", "example.com/a/b", "example.com/a/b", "example.com/a/b"),
        (URL, "longevity-notes.com/articl…", "longevity-notes.com/articles/b…", SHORT),
        (
            "http://example.com/?q=1#top",
            "example.com/?q=1#top",
            "example.com/?q=1#top",
            "example.com?q=1#top",
        ),
    ],
)
def test_links_read_as_each_platform_shows_them(url: str, x: str, mastodon: str, bluesky: str) -> None:
    assert links.x_display(url) == x
    assert links.mastodon_display(url) == mastodon
    assert links.bluesky_display(url) == bluesky
    assert links.linkedin_display(url) == (url if len(url) <= 26 else "https://lnkd.in/…")


def test_linkedin_shows_a_long_link_as_its_own_short_link() -> None:
    assert links.linkedin_display("https://example.com/a/b") == "https://example.com/a/b"  # 23: kept
    assert links.linkedin_display("https://example.com/abcdefghi") == "https://lnkd.in/…"  # 29: replaced
    assert links.shortened(f"Read {URL} today", "lnkd") == "Read https://lnkd.in/… today"
