"""The account store: SQLAlchemy models and repositories for accounts, premises, bills,
contacts and account notes. Engines are made by :func:`actions.store.db.create_store`,
never at import time."""
