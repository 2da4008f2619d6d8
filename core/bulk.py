"""Bulk writing: for the scale seeds (DESIGN §9, §10) rows as dicts of attnames, a batch at a time; for the derived
tables (counters, tallies) inserts and adding upserts.

On PostgreSQL the rows go in with COPY, several times faster than INSERT; elsewhere with bulk_create. Columns a
row leaves out take their field's default. Ids can be reserved before writing, so that rows of other tables can
point at rows not yet written (the appeals' tasks and events).
"""

import json
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.db import connection, models
from django.db.models import QuerySet

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


# --- derived tables: counters and tallies --------------------------------------------------------------------

INSERT_BATCH = 5000
# Rows per upsert statement: 500 × at most 16 columns stays far below both databases' parameter limits.
UPSERT_ROWS = 500


def insert_rows(model: type[models.Model], rows: Iterable[dict[str, Any]]) -> None:
    """Insert rows (dicts of attnames, or a values() queryset, read as it streams) a batch at a time."""
    batch: list[models.Model] = []
    for row in rows.iterator() if isinstance(rows, QuerySet) else rows:
        batch.append(model(**row))
        if len(batch) >= INSERT_BATCH:
            model._default_manager.bulk_create(batch)
            batch = []
    model._default_manager.bulk_create(batch)


def renamed_rows(rows: QuerySet[Any], **names: str) -> Iterator[dict[str, Any]]:
    """The rows of a values() queryset as it streams, with some keys renamed (`old="new"`)."""
    for row in rows.iterator():
        yield {names.get(key, key): value for key, value in row.items()}


def upsert_add(model: type[models.Model], keys: Sequence[str], rows: dict[tuple, dict[str, int]]) -> None:
    """Add the counts into the rows with these keys, creating the missing ones: one statement per batch."""
    if not rows:
        return
    table = model._meta.db_table
    first = next(iter(rows.values()))
    fields = list(first)
    columns = [*keys, *fields]
    qn = connection.ops.quote_name
    # Identifiers come from the model's own meta, quoted; the values are parameters. One multi-row statement
    # per chunk (not executemany, which the sqlite3 module would wrap in a transaction of its own).
    head = f"INSERT INTO {qn(table)} ({', '.join(qn(c) for c in columns)}) VALUES "  # noqa: S608
    mark = f"({', '.join(['%s'] * len(columns))})"
    conflict = f" ON CONFLICT ({', '.join(qn(k) for k in keys)}) DO UPDATE SET "
    updates = ", ".join(f"{qn(f)} = {qn(table)}.{qn(f)} + excluded.{qn(f)}" for f in fields)
    params = [[*key, *(counts[f] for f in fields)] for key, counts in rows.items()]
    with connection.cursor() as cursor:
        for start in range(0, len(params), UPSERT_ROWS):
            chunk = params[start : start + UPSERT_ROWS]
            sql = head + ", ".join([mark] * len(chunk)) + conflict + updates
            cursor.execute(sql, [value for row in chunk for value in row])
