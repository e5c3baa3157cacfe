"""Incident memory: a record per incident, feedback on its causes, a full-text index.

SQLite keeps the full-text index in an FTS5 table (``memory_fts``); PostgreSQL in a
``tsvector`` column of ``memory`` with a GIN index. ``memory_words`` counts the records
holding each word, so that a search can leave out the words most records hold.
Incidents stored before this revision have no memory record until they are triaged (or
recorded) again, or ``opsagent history backfill`` gives them one (it reads their
deliveries again with the engine, which a migration cannot).

Revision ID: 0002_memory
Revises: 0001
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_memory"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "memory",
        sa.Column("incident_id", sa.String(40), sa.ForeignKey("incidents.id"),
                  primary_key=True),
        sa.Column("started_at", sa.Float),
        sa.Column("recorded_at", sa.Float, nullable=False),
        # services, alerts, features, categories, failure_modes: one JSON object, read
        # once per candidate
        sa.Column("record", sa.Text, nullable=False),
        sa.Column("summary", sa.Text, nullable=False),
        sa.Column("search_text", sa.Text, nullable=False),
    )
    op.create_index("ix_memory_started", "memory", ["started_at"])
    op.create_table(
        "memory_keys",
        sa.Column("key", sa.String(300), primary_key=True),
        sa.Column("incident_id", sa.String(40), sa.ForeignKey("incidents.id"),
                  primary_key=True),
        sa.Column("started_at", sa.Float),
    )
    op.create_index("ix_memory_keys_key_started", "memory_keys", ["key", "started_at"])
    op.create_index("ix_memory_keys_incident", "memory_keys", ["incident_id"])
    op.create_table(  # how many records hold each word: a search leaves out common ones
        "memory_words",
        sa.Column("word", sa.String(200), primary_key=True),
        sa.Column("docs", sa.Integer, nullable=False),
    )
    op.create_table(
        "feedback",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("incident_id", sa.String(40), sa.ForeignKey("incidents.id"),
                  nullable=False),
        sa.Column("cause", sa.String(64), nullable=False),
        sa.Column("verdict", sa.String(8), nullable=False),
        sa.Column("by", sa.String(200)),
        sa.Column("at", sa.Float, nullable=False),
        sa.Column("note", sa.Text, nullable=False, server_default=""),
        sa.Column("resolution", sa.Text),
    )
    op.create_index("ix_feedback_incident", "feedback", ["incident_id"])
    op.create_index("ix_incidents_updated", "incidents", ["updated_at"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE memory ADD COLUMN search_vector tsvector")
        op.execute("CREATE INDEX ix_memory_search ON memory USING GIN (search_vector)")
    else:
        op.execute("CREATE VIRTUAL TABLE memory_fts USING fts5(incident_id UNINDEXED, body)")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        op.execute("DROP TABLE memory_fts")
    op.drop_index("ix_incidents_updated", "incidents")
    for table in ("feedback", "memory_words", "memory_keys", "memory"):
        op.drop_table(table)
