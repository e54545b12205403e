"""Table definitions and migrations, one module per component (see pipeline.store.COMPONENTS)."""
