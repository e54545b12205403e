"""Build stage: a static preview site whose head tags are exactly what the crawl stage checks."""
