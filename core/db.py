"""Database helpers shared by the apps."""

import contextlib
import contextvars
from collections.abc import Iterator
from typing import Any

from django.db.backends.signals import connection_created

# The audit table is append-only in the database itself (see core/migrations/0002). SQLite has no session
# settings, so its trigger asks this function whether a maintenance flush (the test suite's) is under way.
_audit_maintenance: contextvars.ContextVar[bool] = contextvars.ContextVar("audit_maintenance", default=False)


@contextlib.contextmanager
def audit_maintenance() -> Iterator[None]:
    """Allow deleting audit rows inside this block; for flushing a test database only."""
    token = _audit_maintenance.set(True)
    try:
        yield
    finally:
        _audit_maintenance.reset(token)


def _register_sqlite_functions(sender: Any, connection: Any, **kwargs: Any) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_function(
            "zoufang_audit_maintenance", 0, lambda: int(_audit_maintenance.get()), deterministic=False
        )


def connect_signals() -> None:
    connection_created.connect(_register_sqlite_functions, dispatch_uid="zoufang_sqlite_functions")
