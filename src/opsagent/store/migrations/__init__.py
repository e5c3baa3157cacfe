"""Alembic migrations of the history database, run programmatically at start-up."""
