"""The chaos suite: crafted packages, kill -9 loops, concurrent starts (marker `chaos`; CHAOS_SOAK=1 runs longer)."""
