"""The databases the store and service tests run on: SQLite in a temporary directory
and, when ``OPSAGENT_TEST_POSTGRES_URL`` names a server (``scripts/test.sh`` starts one),
a fresh PostgreSQL database per test. Without that variable the PostgreSQL runs are
skipped, unless ``CI`` is set: there a missing PostgreSQL is a failure."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

BACKENDS = ["sqlite", "postgresql"]
POSTGRES_ENV = "OPSAGENT_TEST_POSTGRES_URL"


def postgres_server() -> str:
    url = os.environ.get(POSTGRES_ENV)
    if not url:
        if os.environ.get("CI"):
            pytest.fail(f"{POSTGRES_ENV} is not set: under CI the PostgreSQL tests must run "
                        "(scripts/test.sh starts a server)")
        pytest.skip(f"no PostgreSQL server ({POSTGRES_ENV} is not set; scripts/test.sh "
                    "starts one)")
    return url


@contextmanager
def database(backend: str, tmp_path: Path) -> Iterator[str]:
    """The URL of an empty database of ``backend``, dropped afterwards."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'opsagent.db'}"
        return
    import psycopg

    server = postgres_server()
    name = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield server.rsplit("/", 1)[0] + "/" + name
    finally:
        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database of each backend in turn (use it through a conftest import)."""
    with database(request.param, tmp_path) as url:
        yield url
