"""Support for the web UI tests: a real site in a temp dir, real drafts and ledger items, a real server."""
