"""Rate limits on the API and on sign-in: per token and per client address, in fixed one-minute windows.

Counters live in the default cache: Redis when REDIS_URL is set (shared by every app server, INCR is atomic),
otherwise each process's local memory, so that an embedded install needs nothing more (the limit then holds
per gunicorn worker). A cache that fails lets the request through: a limit is a brake, not a gate.
The login's lockout per account stays django-axes's (config/settings.py); this limits guessing across accounts.
"""

import hashlib
import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse

from core.api import error_json
from core.audit import client_ip
from core.middleware import error_page

logger = logging.getLogger(__name__)
WINDOW_S = 60


@dataclass(frozen=True)
class Refusal:
    scope: str
    limit: int
    retry_after: int


def rate_hit(key: str, *, limit: int, now: float | None = None) -> int | None:
    """Count one request against `key`; the seconds until its window ends when it is over `limit`, else None."""
    now = time.time() if now is None else now
    window = int(now // WINDOW_S)
    name = f"rl:{key}:{window}"
    try:
        cache.add(name, 0, timeout=WINDOW_S + 5)
        count = cache.incr(name)
    except Exception:
        logger.warning("rate limit cache unavailable", exc_info=True)
        return None
    if count <= limit:
        return None
    return max(1, math.ceil((window + 1) * WINDOW_S - now))


def _bearer(request: HttpRequest) -> str:
    header = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _, key = header.partition(" ")
    return key.strip() if scheme.lower() == "bearer" else ""


def rate_check(request: HttpRequest) -> Refusal | None:
    """The first limit this request goes over, if any (each limit counts the request)."""
    path, ip = request.path, client_ip(request) or "unknown"
    checks: list[tuple[str, str, int]] = []
    if request.method == "POST" and path in settings.LOGIN_PATHS:
        checks.append(("login", f"login:{ip}", settings.LOGIN_RATE_PER_IP))
    if path.startswith("/api/"):
        key = _bearer(request)
        if key:
            digest = hashlib.sha256(key.encode()).hexdigest()[:32]
            checks.append(("token", f"token:{digest}", settings.API_RATE_PER_TOKEN))
        checks.append(("ip", f"ip:{ip}", settings.API_RATE_PER_IP))
    for scope, key, limit in checks:
        retry_after = rate_hit(key, limit=limit)
        if retry_after is not None:
            return Refusal(scope=scope, limit=limit, retry_after=retry_after)
    return None


MESSAGES = {
    "login": "登录尝试过于频繁，请{s}秒后再试",
    "token": "该令牌请求过于频繁，请{s}秒后再试",
    "ip": "该地址请求过于频繁，请{s}秒后再试",
}


class RateLimitMiddleware:
    """429 with Retry-After: in the API's error shape under /api/, the error page elsewhere."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        refusal = rate_check(request) if settings.RATE_LIMIT_ENABLED else None
        if refusal is None:
            return self.get_response(request)
        message = MESSAGES[refusal.scope].format(s=refusal.retry_after)
        if request.path.startswith("/api/"):
            response: HttpResponse = error_json(
                status=429,
                code="rate_limited",
                message=message,
                details={
                    "scope": refusal.scope,
                    "limit_per_minute": refusal.limit,
                    "retry_after": refusal.retry_after,
                },
            )
        else:
            response = error_page(request, status=429, message=message)
        response["Retry-After"] = str(refusal.retry_after)
        return response
