"""What a locked-out account is answered: the API's error shape under /api/, a page elsewhere."""

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from core.api import error_json


def lockout_response(request: HttpRequest, original_response: Any, credentials: Any) -> HttpResponse:
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    if request.path.startswith("/api/"):
        return error_json(
            status=429,
            code="locked_out",
            message=f"登录失败次数过多，账号已锁定{minutes}分钟，请稍后再试",
            details={"cool_off_minutes": minutes},
        )
    return render(request, "registration/locked_out.html", {"cool_off_minutes": minutes}, status=429)
