"""Shared fixtures: a fresh account store with the demo accounts loaded."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from actions.store.cis_import import import_export
from actions.store.db import Store, create_store

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEMO_ACCOUNTS = PROJECT_ROOT / "data" / "demo" / "accounts.json"
SAMPLE_EXPORT = PROJECT_ROOT.parent / "shared" / "data" / "sample-cis-export.json"


@pytest.fixture()
def empty_store(tmp_path: Path) -> Iterator[Store]:
    store = create_store(f"sqlite:///{tmp_path / 'careline.db'}")
    yield store
    store.engine.dispose()


@pytest.fixture()
def demo_store(empty_store: Store) -> Store:
    with empty_store.transaction() as session:
        import_export(session, DEMO_ACCOUNTS)
    return empty_store
