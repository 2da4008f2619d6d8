"""Database helpers shared by the apps."""

import contextlib
import contextvars
from collections.abc import Iterator
from typing import Any, TypeVar

from django.db.backends.signals import connection_created
from django.db.models import Model, QuerySet

from core.errors import StaleVersion

M = TypeVar("M", bound=Model)

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


def lock_at_version(rows: QuerySet[M], *, pk: int, expected_version: int) -> M:
    """The row locked for update (in the caller's transaction), its `version` raised by one for the save that
    follows; 409 when someone changed it since the client read it. The one optimistic lock of the project."""
    locked = rows.select_for_update(of=("self",)).get(pk=pk)
    current: int = locked.version  # type: ignore[attr-defined]
    if current != expected_version:
        raise StaleVersion(expected=expected_version, actual=current)
    locked.version = current + 1  # type: ignore[attr-defined]
    return locked
