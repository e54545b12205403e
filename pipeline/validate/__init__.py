"""Validate stage: SEO metadata, structure and readability rules over loaded posts."""
