"""Keyset pagination: a page starts after the last row of the previous one, so deep pages cost what the first does."""

import base64
import binascii
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import reduce
from operator import or_
from typing import Any, Generic, TypeVar

from django.core.exceptions import ValidationError
from django.db.models import Model, Q, QuerySet

from core.errors import InvalidInput

M = TypeVar("M", bound=Model)

MAX_LIMIT = 200


@dataclass(frozen=True)
class KeysetPage(Generic[M]):
    items: list[M]
    next_cursor: str | None


def _encode_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"dt": value.isoformat()}
    if isinstance(value, date):
        return {"d": value.isoformat()}
    return value


def _decode_value(value: Any) -> Any:
    if isinstance(value, dict) and "dt" in value:
        return datetime.fromisoformat(value["dt"])
    if isinstance(value, dict) and "d" in value:
        return date.fromisoformat(value["d"])
    return value


def encode_cursor(values: Sequence[Any]) -> str:
    raw = json.dumps([_encode_value(v) for v in values], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, width: int) -> list[Any]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw)
        if not isinstance(values, list) or len(values) != width:
            raise ValueError("cursor width")
        decoded = [_decode_value(v) for v in values]
        if any(v is None or (isinstance(v, str) and "\x00" in v) for v in decoded):
            raise ValueError("cursor value")
        return decoded
    except (ValueError, binascii.Error, TypeError, KeyError):
        raise InvalidInput("分页游标无效", code="invalid_cursor") from None


def _field_value(row: Model, field: str) -> Any:
    value: Any = row
    for part in field.lstrip("-").split("__"):
        value = getattr(value, part)
    return value


def _after(order: Sequence[str], values: Sequence[Any]) -> Q:
    """Rows strictly after `values` in `order`: (a > x) or (a = x and b > y) or ..."""
    branches = []
    for i, field in enumerate(order):
        name = field.lstrip("-")
        op = "lt" if field.startswith("-") else "gt"
        equal = {f.lstrip("-"): v for f, v in zip(order[:i], values[:i], strict=True)}
        branches.append(Q(**equal, **{f"{name}__{op}": values[i]}))
    return reduce(or_, branches)


def keyset_paginate(
    queryset: QuerySet[M], *, order: Sequence[str], cursor: str | None, limit: int
) -> KeysetPage[M]:
    """One page of `queryset` in `order`, which must end in a unique field (usually `id` or `-id`)."""
    limit = max(1, min(limit, MAX_LIMIT))
    queryset = queryset.order_by(*order)
    if cursor:
        try:
            queryset = queryset.filter(_after(order, decode_cursor(cursor, len(order))))
        except (ValidationError, ValueError, TypeError):
            # Well-formed, but its values do not fit the columns: a forged or foreign cursor.
            raise InvalidInput("分页游标无效", code="invalid_cursor") from None
    rows = list(queryset[: limit + 1])
    if len(rows) <= limit:
        return KeysetPage(items=rows, next_cursor=None)
    last = rows[limit - 1]
    return KeysetPage(items=rows[:limit], next_cursor=encode_cursor([_field_value(last, f) for f in order]))
