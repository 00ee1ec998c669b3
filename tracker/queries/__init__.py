"""Plain-SQL reads (storage layer): sqlite3 only, never the ORM.

Each function takes ``Reads`` (tracker/store.py: a plain sqlite3 connection, or an
ORM session whose connection ``raw`` hands over) and returns frozen dataclasses, so
the screens read most often (Today, Trends) load without importing SQLAlchemy or
SQLModel, and a write can reload what it changed inside its own transaction with
the very same query.
"""
