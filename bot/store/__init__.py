"""Persistence (SQLAlchemy 2.0): the database handle and the typed models, one module per concern."""

from bot.store.db import Base, Database

__all__ = ["Base", "Database"]
