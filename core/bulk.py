"""Bulk writing for the scale seeds (DESIGN §9, §10): rows as dicts of attnames, a batch at a time.

On PostgreSQL the rows go in with COPY, several times faster than INSERT; elsewhere with bulk_create. Columns a
row leaves out take their field's default. Ids can be reserved before writing, so that rows of other tables can
point at rows not yet written (the appeals' tasks and events).
"""

import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection, models

METHODS = ("auto", "copy", "bulk")


def bulk_method(method: str) -> str:
    """The write method to use: `auto` picks COPY on PostgreSQL and bulk_create elsewhere."""
    if method not in METHODS:
        raise ValueError(f"unknown write method {method!r}")
    if method == "auto":
        return "copy" if connection.vendor == "postgresql" else "bulk"
    if method == "copy" and connection.vendor != "postgresql":
        raise ValueError("COPY needs PostgreSQL")
    return method


@contextmanager
def stored_timestamps(model: type[models.Model]) -> Iterator[None]:
    """Let bulk_create keep the created_at/updated_at given instead of stamping now."""
    stamped = [
        f
        for f in model._meta.concrete_fields
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    saved = [(f, f.auto_now, f.auto_now_add) for f in stamped]  # type: ignore[attr-defined]
    for f in stamped:
        f.auto_now = f.auto_now_add = False  # type: ignore[attr-defined]
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in saved:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add  # type: ignore[attr-defined]


class BulkWriter:
    """Writes rows of the given models; `tables` pairs each model with whether its rows carry their own id."""

    def __init__(self, method: str, tables: Iterable[tuple[type[models.Model], bool]]) -> None:
        self.method = bulk_method(method)
        self.columns: dict[type[models.Model], list[models.Field[Any, Any]]] = {}
        for model, with_id in tables:
            self.columns[model] = [f for f in model._meta.concrete_fields if with_id or not f.primary_key]
        self.defaults = {
            model: {f.attname: f.get_default() for f in fields} for model, fields in self.columns.items()
        }

    def reserve(self, model: type[models.Model], n: int) -> list[int]:
        """`n` ids for rows about to be written, so that other rows can point at them first."""
        if n == 0:
            return []
        table = model._meta.db_table
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, n]
                )
                return [row[0] for row in cursor.fetchall()]
            # Elsewhere the batch's transaction holds the write lock (SQLite: BEGIN IMMEDIATE).
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {connection.ops.quote_name(table)}")  # noqa: S608
            start = int(cursor.fetchone()[0]) + 1
            return list(range(start, start + n))

    def write(self, model: type[models.Model], rows: Iterable[dict[str, Any]]) -> int:
        """Write the rows in the caller's transaction; how many there were.

        COPY takes the rows as they come, so a generator that makes them overlaps with the server's work."""
        fields, defaults = self.columns[model], self.defaults[model]
        names = [f.attname for f in fields]
        count = 0
        if self.method == "copy":
            json_at = [i for i, f in enumerate(fields) if isinstance(f, models.JSONField)]
            columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
            with (
                connection.cursor() as cursor,
                cursor.cursor.copy(
                    f"COPY {connection.ops.quote_name(model._meta.db_table)} ({columns}) FROM STDIN"
                ) as copy,
            ):
                for row in rows:
                    values = [row.get(name, defaults[name]) for name in names]
                    for i in json_at:
                        values[i] = json.dumps(values[i], ensure_ascii=False)
                    copy.write_row(values)
                    count += 1
            return count
        objects = [model(**{name: row.get(name, defaults[name]) for name in names}) for row in rows]
        with stored_timestamps(model):
            model._default_manager.bulk_create(objects, batch_size=2000)
        return len(objects)
