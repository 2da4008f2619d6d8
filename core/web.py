"""What every HTML view shares: the signed-in user, keyset pages, links with a query, service errors on a form.

A `DomainError` that a view does not catch is answered by core.middleware.DomainErrorMiddleware (a Chinese
error page inside the site's layout), so views never translate NotFound or Forbidden by hand.
"""

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import date
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext

from core.errors import DomainError, Forbidden, InvalidInput, NotFound
from core.pagination import KeysetPage, keyset_paginate
from core.period import parse_day

if TYPE_CHECKING:  # the type only: core imports no app at run time (DESIGN §8)
    from org.models import User

PAGE_SIZE = 50


def request_user(request: HttpRequest) -> "User":
    """The signed-in user of a view behind login_required."""
    user = request.user
    assert user.is_authenticated
    return user


def keyset_page(
    request: HttpRequest, queryset: QuerySet[Any], order: tuple[str, ...], *, param: str = "cursor"
) -> KeysetPage[Any]:
    """One page after the request's cursor (`?cursor=`, or `param` on a page of several lists); a damaged or
    forged cursor gives the first page and a message."""
    cursor = request.GET.get(param) or None
    try:
        return keyset_paginate(queryset, order=order, cursor=cursor, limit=PAGE_SIZE)
    except InvalidInput as exc:
        messages.error(request, exc.message)
    except (ValidationError, ValueError, TypeError):
        # decode_cursor checks only the cursor's width; values of the wrong type fail in the query.
        messages.error(request, gettext("The page link is damaged; showing the first page."))
    return keyset_paginate(queryset, order=order, cursor=None, limit=PAGE_SIZE)


def query_string(params: Mapping[str, Any] | Iterable[tuple[str, Any]] = (), /, **more: Any) -> str:
    """`?a=1&b=2` from the parameters that have a value (None and "" are left out, dates in ISO form); a list
    value or repeated pairs repeat the name. A bare `?` when none is left: a link to the page without its query."""
    pairs = list(params.items() if isinstance(params, Mapping) else params) + list(more.items())
    flat = [(key, v) for key, value in pairs for v in (value if isinstance(value, list | tuple) else [value])]
    return "?" + urlencode([(key, _text(value)) for key, value in flat if value not in (None, "")])


def url_with_query(
    path: str, params: Mapping[str, Any] | Iterable[tuple[str, Any]] = (), /, **more: Any
) -> str:
    """`path` with the query of the parameters that have a value (see query_string); `path` alone when none has."""
    query = query_string(params, **more)
    return path if query == "?" else path + query


def _text(value: Any) -> str:
    return value.isoformat() if isinstance(value, date) else str(value)


def query_number(request: HttpRequest, name: str) -> int | None:
    """A whole-number filter of the query; one not understood is ignored, and the page says so."""
    raw = request.GET.get(name, "").strip()
    if not raw:
        return None
    if raw.isdigit() and len(raw) <= 18:
        return int(raw)
    messages.error(request, gettext("A filter was not understood and is ignored."))
    return None


def query_day(request: HttpRequest, name: str) -> date | None:
    """A YYYY-MM-DD filter of the query; one not understood is ignored, and the page says so."""
    try:
        return parse_day(request.GET.get(name), field=name)
    except InvalidInput:
        messages.error(request, gettext("A filter was not understood and is ignored."))
        return None


def add_details(form: Any, exc: InvalidInput, aliases: dict[str, str] | None = None) -> None:
    """Put the service's per-field reasons beside the fields they concern; the rest above the form."""
    form.add_error(None, exc.message)
    details = exc.details if isinstance(exc.details, dict) else {}
    for key, reason in details.items():
        name = (aliases or {}).get(key, key)
        form.add_error(name if name in form.fields else None, str(reason))


@contextmanager
def refusals(request: HttpRequest) -> Iterator[None]:
    """A service's refusal shown above the page it redirects to (nothing was written): InvalidInput with its
    first reasons, other conflicts with their message. NotFound and Forbidden pass on to the middleware (404,
    403), like anywhere else."""
    try:
        yield
    except (NotFound, Forbidden):
        raise
    except InvalidInput as exc:
        details = exc.details if isinstance(exc.details, dict) else {}
        messages.error(request, "；".join([exc.message, *(str(v) for v in details.values())][:3]))
    except DomainError as exc:
        messages.error(request, exc.message)
