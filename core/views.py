"""Views that belong to no app: the health check, unknown API paths and the error pages Django asks for."""

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET

from core.api import error_json
from core.middleware import error_page


@csrf_exempt
def api_not_found(request: HttpRequest) -> JsonResponse:
    """Unknown API paths answer in the API's error shape, not with an HTML page (nor the CSRF page for a POST:
    there is nothing to protect)."""
    return error_json(status=404, code="not_found", message="接口不存在")


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers: answers 200 when the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    return error_page(request, status=400)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    return error_page(request, status=403, message=_message(exception))


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    return error_page(request, status=404, message=_message(exception))


def _message(exception: Exception) -> str:
    """Django's own 404 for an unmatched path carries a dict of resolver details, not a message."""
    text = exception.args[0] if exception.args else ""
    return text if isinstance(text, str) else ""
