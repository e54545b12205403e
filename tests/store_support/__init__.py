"""A throwaway PostgreSQL server for the store tests, and the fixtures that run a test on SQLite and on it."""
