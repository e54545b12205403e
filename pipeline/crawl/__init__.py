"""Crawl stage: an expected-vs-live audit of the published site (see docs/crawl.md)."""
