"""The inbox: deliveries, the job queue, incidents, their links and report revisions.

Revision ID: 0001
Revises:
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "deliveries",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("source", sa.String(64), nullable=False),
        sa.Column("received_at", sa.Float, nullable=False),
        sa.Column("headers", sa.JSON, nullable=False),
        sa.Column("body", sa.LargeBinary, nullable=False),
        sa.Column("body_sha256", sa.String(64), nullable=False),
        sa.Column("vendor_id", sa.String(200)),
        sa.Column("dedupe_key", sa.String(300), nullable=False, unique=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("error", sa.Text),
        sa.Column("adapter", sa.String(64)),
        sa.Column("processed_at", sa.Float),
    )
    op.create_index("ix_deliveries_sha", "deliveries", ["body_sha256"])
    op.create_table(
        "jobs",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("delivery_id", sa.String(40), sa.ForeignKey("deliveries.id"),
                  nullable=False, unique=True),
        sa.Column("available_at", sa.Float, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("claimed_by", sa.String(100)),
        sa.Column("lease_until", sa.Float),
        sa.Column("last_error", sa.Text),
    )
    op.create_index("ix_jobs_ready", "jobs", ["available_at"])
    op.create_table(
        "incidents",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("group_key", sa.String(500)),
        sa.Column("services", sa.JSON, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("severity", sa.String(8), nullable=False),
        sa.Column("top_cause", sa.String(64)),
        sa.Column("started_at", sa.Float),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("updated_at", sa.Float, nullable=False),
        sa.Column("resolved_at", sa.Float),
        sa.Column("revision", sa.Integer, nullable=False),
    )
    op.create_index("ix_incidents_status_updated", "incidents", ["status", "updated_at"])
    where = sa.text("status = 'open' AND group_key IS NOT NULL")
    op.create_index("ux_incidents_open_group", "incidents", ["group_key"], unique=True,
                    sqlite_where=where, postgresql_where=where)
    op.create_table(
        "incident_deliveries",
        sa.Column("incident_id", sa.String(40), sa.ForeignKey("incidents.id"),
                  nullable=False),
        sa.Column("delivery_id", sa.String(40), sa.ForeignKey("deliveries.id"),
                  primary_key=True),
        sa.Column("linked_at", sa.Float, nullable=False),
    )
    op.create_index("ix_incident_deliveries_incident", "incident_deliveries",
                    ["incident_id"])
    op.create_table(
        "report_revisions",
        sa.Column("incident_id", sa.String(40), sa.ForeignKey("incidents.id"),
                  primary_key=True),
        sa.Column("revision", sa.Integer, primary_key=True),
        sa.Column("report", sa.JSON, nullable=False),
        sa.Column("delivery_count", sa.Integer, nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
    )


def downgrade() -> None:
    for table in ("report_revisions", "incident_deliveries", "incidents", "jobs",
                  "deliveries"):
        op.drop_table(table)
