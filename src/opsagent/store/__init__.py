"""The history database: deliveries, the job queue, incidents and report revisions.

:func:`open_store` opens the store registered for a URL's scheme (``sqlite:///PATH`` or
``postgresql://…``) and runs the migrations; the implementations need the ``server``
extra (SQLAlchemy, Alembic, psycopg).
"""

from .base import (
    Accepted,
    Conflict,
    Delivery,
    IncidentRow,
    Job,
    NewDelivery,
    NewNotification,
    Revision,
    Stats,
    Store,
    StoreUnavailable,
    Triaged,
)
from .registration import open_store

__all__ = [
    "Accepted",
    "Conflict",
    "Delivery",
    "IncidentRow",
    "Job",
    "NewDelivery",
    "NewNotification",
    "Revision",
    "Stats",
    "Store",
    "StoreUnavailable",
    "Triaged",
    "open_store",
]
