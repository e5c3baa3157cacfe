"""The tables of the history database (SQLAlchemy Core). The migrations in
``migrations/versions`` create them; this module is what the queries are written against.

Times are seconds since the epoch (UTC, floats): portable between SQLite and PostgreSQL
and cheap to compare. Layers still to come fit beside these tables: feedback rows keyed
by incident id and a full-text index over incidents (FTS5 / tsvector). The notification
outbox has one row per report revision × target, written in the revision's transaction
(:mod:`opsagent.store.outbox`).
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

deliveries = sa.Table(
    "deliveries", metadata,
    sa.Column("id", sa.String(40), primary_key=True),
    sa.Column("source", sa.String(64), nullable=False),  # the URL's source name
    sa.Column("received_at", sa.Float, nullable=False),
    sa.Column("headers", sa.JSON, nullable=False),  # the headers that matter, no secrets
    sa.Column("body", sa.LargeBinary, nullable=False),  # exactly as sent
    sa.Column("body_sha256", sa.String(64), nullable=False),
    sa.Column("vendor_id", sa.String(200)),  # X-GitHub-Delivery, PagerDuty event id ...
    sa.Column("dedupe_key", sa.String(300), nullable=False, unique=True),
    sa.Column("status", sa.String(16), nullable=False),  # queued | processed | failed
    sa.Column("error", sa.Text),  # why an adapter rejected it
    sa.Column("adapter", sa.String(64)),  # the format it was read as
    sa.Column("processed_at", sa.Float),
    sa.Index("ix_deliveries_sha", "body_sha256"),
)

jobs = sa.Table(
    "jobs", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("delivery_id", sa.String(40), sa.ForeignKey("deliveries.id"), nullable=False,
              unique=True),
    sa.Column("available_at", sa.Float, nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("claimed_by", sa.String(100)),
    sa.Column("lease_until", sa.Float),  # a claim lapses at this time
    sa.Column("last_error", sa.Text),
    sa.Index("ix_jobs_ready", "available_at"),
)

incidents = sa.Table(
    "incidents", metadata,
    sa.Column("id", sa.String(40), primary_key=True),  # inc-…, stable
    sa.Column("group_key", sa.String(500)),  # the vendor's grouping, when it has one
    sa.Column("services", sa.JSON, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),  # open | resolved
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("severity", sa.String(8), nullable=False),
    sa.Column("top_cause", sa.String(64)),
    sa.Column("started_at", sa.Float),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("updated_at", sa.Float, nullable=False),
    sa.Column("resolved_at", sa.Float),
    sa.Column("revision", sa.Integer, nullable=False),  # the latest report revision
    sa.Index("ix_incidents_status_updated", "status", "updated_at"),
    # one open incident per group key: two workers cannot open the same incident twice
    sa.Index("ux_incidents_open_group", "group_key", unique=True,
             sqlite_where=sa.text("status = 'open' AND group_key IS NOT NULL"),
             postgresql_where=sa.text("status = 'open' AND group_key IS NOT NULL")),
)

incident_deliveries = sa.Table(
    "incident_deliveries", metadata,
    sa.Column("incident_id", sa.String(40), sa.ForeignKey("incidents.id"), nullable=False),
    # a delivery belongs to one incident, once
    sa.Column("delivery_id", sa.String(40), sa.ForeignKey("deliveries.id"), primary_key=True),
    sa.Column("linked_at", sa.Float, nullable=False),
    sa.Index("ix_incident_deliveries_incident", "incident_id"),
)

report_revisions = sa.Table(
    "report_revisions", metadata,
    sa.Column("incident_id", sa.String(40), sa.ForeignKey("incidents.id"), primary_key=True),
    sa.Column("revision", sa.Integer, primary_key=True),
    sa.Column("report", sa.JSON, nullable=False),  # the report contract
    sa.Column("delivery_count", sa.Integer, nullable=False),
    sa.Column("created_at", sa.Float, nullable=False),
)

notifications = sa.Table(
    "notifications", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("incident_id", sa.String(40), sa.ForeignKey("incidents.id"), nullable=False),
    sa.Column("revision", sa.Integer, nullable=False),  # the report revision it is about
    sa.Column("target", sa.String(200), nullable=False),  # the target's name
    sa.Column("event", sa.JSON, nullable=False),  # what was decided (kind, ref, previous)
    sa.Column("level", sa.String(8), nullable=False),
    sa.Column("resolved", sa.Boolean, nullable=False),
    sa.Column("request", sa.JSON),  # masked: safe to show; a send renders it again
    # pending | sent | failed | dry_run | superseded
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("next_attempt_at", sa.Float),  # due then; null: not to be sent (again)
    sa.Column("claimed_by", sa.String(100)),
    sa.Column("lease_until", sa.Float),  # a sender's claim lapses at this time
    sa.Column("last_error", sa.Text),
    sa.Column("ref", sa.JSON),  # the message sent (Slack channel, ts)
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("sent_at", sa.Float),
    sa.UniqueConstraint("incident_id", "revision", "target", name="ux_notifications_key"),
    sa.Index("ix_notifications_due", "status", "next_attempt_at"),
    sa.Index("ix_notifications_incident_target", "incident_id", "target"),
)
