"""The audit trail: one function writes it; Django's and axes' login signals feed it."""

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db import models
from django.http import HttpRequest

from core.models import AuditEvent


def client_ip(request: HttpRequest | None) -> str | None:
    """The peer address. Behind a reverse proxy, the proxy must set REMOTE_ADDR (docs/deploy.md)."""
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def audit_record(
    *,
    action: AuditEvent.Action,
    actor: Any = None,
    username: str = "",
    request: HttpRequest | None = None,
    target: models.Model | None = None,
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one audit event; the actor's username is copied so the row reads alone."""
    if actor is not None and getattr(actor, "is_authenticated", False):
        username = username or actor.get_username()
    else:
        actor = None
    user_agent = request.META.get("HTTP_USER_AGENT", "")[:300] if request is not None else ""
    return AuditEvent.objects.create(
        action=action,
        actor=actor,
        username=username[:150],
        object_type=target._meta.label_lower if target is not None else "",
        object_id=str(target.pk) if target is not None else "",
        ip=client_ip(request),
        user_agent=user_agent,
        data=data or {},
    )


def _on_login(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    audit_record(action=AuditEvent.Action.LOGIN, actor=user, request=request)


def _on_logout(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    if user is not None:
        audit_record(action=AuditEvent.Action.LOGOUT, actor=user, request=request)


def _on_login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kw: Any
) -> None:
    audit_record(
        action=AuditEvent.Action.LOGIN_FAILED, username=str(credentials.get("username", "")), request=request
    )


def _on_locked_out(
    sender: Any, request: HttpRequest, username: str | None, ip_address: str, **kw: Any
) -> None:
    audit_record(action=AuditEvent.Action.LOCKED_OUT, username=username or "", request=request)


def connect_signals() -> None:
    from axes.signals import user_locked_out

    user_logged_in.connect(_on_login, dispatch_uid="audit_login")
    user_logged_out.connect(_on_logout, dispatch_uid="audit_logout")
    user_login_failed.connect(_on_login_failed, dispatch_uid="audit_login_failed")
    user_locked_out.connect(_on_locked_out, dispatch_uid="audit_locked_out")


def audit_list_page(*, request: HttpRequest, actor: Any, listing: str, cursor: str | None, rows: int) -> None:
    """Paging through an API list is how a bulk download is made, so every page after the first (a request
    carrying a cursor) is audited as an export: the list, its query without the cursor, the rows served. The
    first page is what screens and devices read all day; it is not audited, so the cost is one row per page
    that only a walk through the whole list asks for. Reference lists (units, regions) are not audited."""
    if not cursor:
        return
    query = request.GET.copy()
    query.pop("cursor", None)
    audit_record(
        action=AuditEvent.Action.EXPORTED,
        actor=actor,
        request=request,
        data={"via": "api_page", "list": listing, "query": query.urlencode()[:500], "rows": rows},
    )
