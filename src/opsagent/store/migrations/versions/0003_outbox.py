"""The notification outbox: one row per (incident, report revision, target).

Revision ID: 0003_outbox
Revises: 0002_memory
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_outbox"
down_revision = "0002_memory"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("incident_id", sa.String(40), sa.ForeignKey("incidents.id"),
                  nullable=False),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("target", sa.String(200), nullable=False),
        sa.Column("event", sa.JSON, nullable=False),
        sa.Column("level", sa.String(8), nullable=False),
        sa.Column("resolved", sa.Boolean, nullable=False),
        sa.Column("request", sa.JSON),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("next_attempt_at", sa.Float),
        sa.Column("claimed_by", sa.String(100)),
        sa.Column("lease_until", sa.Float),
        sa.Column("last_error", sa.Text),
        sa.Column("ref", sa.JSON),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("sent_at", sa.Float),
        sa.UniqueConstraint("incident_id", "revision", "target",
                            name="ux_notifications_key"),
    )
    op.create_index("ix_notifications_due", "notifications", ["status", "next_attempt_at"])
    op.create_index("ix_notifications_incident_target", "notifications",
                    ["incident_id", "target"])


def downgrade() -> None:
    op.drop_table("notifications")
