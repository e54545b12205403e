"""Translate stage: Markdown-preserving offline translation with Argos packages and a translation memory."""
