"""The build's findings as data: pages it could not write, and why (docs/rules.md lists them)."""

from __future__ import annotations

from pipeline.findings import Rule

RULES: tuple[Rule, ...] = (
    Rule(
        "BUILD001",
        "error",
        "Permalink leaves the output folder (`..`, or a path outside the site); the page is not built.",
        "build",
    ),
    Rule(
        "BUILD002",
        "error",
        "Permalink lands on something the build already writes: the home page, robots.txt, sitemap.xml, a "
        "static file or folder, or another post's page; the page is not built.",
        "build",
    ),
    Rule(
        "BUILD003",
        "error",
        "Alias (old URL) cannot redirect: it is the home page, has `..`, names a file the build writes, is "
        "another page, or already redirects elsewhere.",
        "build",
    ),
    Rule(
        "BUILD004",
        "warning",
        "The page's card or hero image cannot be read (over Pillow's decompression-bomb pixel limit, or not an "
        "image); the page is built without the image's pixel size.",
        "build",
    ),
    Rule("BUILD005", "warning", "The post's Markdown could not be parsed; its page shows the text as is.", "build"),
)
