"""A generated test site with planted defects, served by a real threaded HTTP server on 127.0.0.1."""
