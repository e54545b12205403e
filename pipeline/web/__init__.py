"""Web UI for translators and marketing staff: server-rendered Flask pages over the same store and files as the CLI."""
