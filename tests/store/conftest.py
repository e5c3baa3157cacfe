from __future__ import annotations

from collections.abc import Iterator

import pytest

pytest.importorskip("sqlalchemy", reason="the store needs the server extra")

from opsagent.plugins import default_registry
from opsagent.store import Store, open_store

from . import databases

db_url = databases.db_url  # the fixture: an empty database of every backend in turn


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    opened = open_store(db_url, default_registry())
    yield opened
    opened.close()
