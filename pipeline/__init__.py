"""Multilingual SEO and social publishing pipeline."""

__version__ = "0.1.0"
