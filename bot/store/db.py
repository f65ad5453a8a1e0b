"""The database handle: any SQLAlchemy URL; SQLite files run in WAL mode.

One session scope per unit of work (``with db.session() as s:``), committed on success.
Models register on ``Base``; ``Database`` creates missing tables at start.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

MODEL_MODULES = ("bot.store.outbox_models", "bot.store.unanswered_models",
                 "bot.store.activity_models", "bot.store.schedule_models", "bot.store.rooms")
"""Modules defining tables; imported before ``create_all`` so every table exists."""


class Base(DeclarativeBase):
    pass


def utc_naive(when: datetime) -> datetime:
    """Times are stored as naive UTC: the same on SQLite and PostgreSQL whatever the server's zone."""
    return when if when.tzinfo is None else when.astimezone(UTC).replace(tzinfo=None)


def from_utc_naive(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC)


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


class Database:
    def __init__(self, url: str) -> None:
        self.url = url
        self.engine: Engine = create_engine(url, future=True)
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
        for module in MODEL_MODULES:
            importlib.import_module(module)
        Base.metadata.create_all(self.engine)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        with self._sessions() as s, s.begin():
            yield s

    def close(self) -> None:
        self.engine.dispose()
