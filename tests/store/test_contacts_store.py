"""The contact rows: added, refused twice, removed but kept, and brought back."""

from __future__ import annotations

import pytest

from actions.store.contacts import (
    add_contact,
    contacts_for_phone,
    current_contacts,
    existing_contacts,
    remove_contact,
)
from actions.store.db import Store


def _add(session, phone: str = "+15075550144", name: str = "Hope Lutheran Church"):
    return add_contact(session, account_number="2100001", kind="notification", name=name,
                       relationship="church group", phone=phone, email=None, status="active")


def test_a_removed_contact_is_kept_and_can_be_added_again(demo_store: Store) -> None:
    with demo_store.transaction() as session:
        contact_id = _add(session).id
    with demo_store.transaction() as session:
        removed = remove_contact(session, "2100001", contact_id)
        assert removed is not None and removed.status == "removed"
        assert current_contacts(session, "2100001") == []
        assert existing_contacts(session, "2100001") == []
        assert contacts_for_phone(session, "+15075550144") == []
    with demo_store.transaction() as session:
        again = _add(session, name="Hope Lutheran")
        assert (again.id, again.status, again.name, again.removed_at) == \
            (contact_id, "active", "Hope Lutheran", None)


def test_the_same_phone_twice_is_refused_by_the_store_too(demo_store: Store) -> None:
    with demo_store.transaction() as session:
        _add(session)
    with demo_store.transaction() as session, pytest.raises(ValueError):
        _add(session, name="Someone else")


def test_a_contact_of_another_account_cannot_be_removed(demo_store: Store) -> None:
    with demo_store.transaction() as session:
        contact_id = _add(session).id
    with demo_store.transaction() as session:
        assert remove_contact(session, "2100002", contact_id) is None
        assert [c.id for c in current_contacts(session, "2100001")] == [contact_id]


def test_exported_contacts_are_active(demo_store: Store) -> None:
    with demo_store.transaction() as session:
        kinds = {(c.name, c.kind, c.status) for c in current_contacts(session, "2100002")}
    assert kinds == {("Robert Olson", "authorized", "active"),
                     ("Hope Lutheran Church", "notification", "active")}
