"""Actions run against the demo accounts, through the store the action server would use."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from actions import runtime
from actions.store.db import Store


@pytest.fixture()
def store(demo_store: Store) -> Iterator[Store]:
    runtime.use_store(demo_store)
    yield demo_store
    runtime.use_store(None)
