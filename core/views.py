from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET
from ninja.responses import NinjaJSONEncoder

from core.api import error_json


def api_not_found(request: HttpRequest) -> JsonResponse:
    """Unknown API paths answer in the API's error shape, not with an HTML page."""
    return error_json(status=404, code="not_found", message="接口不存在")


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers: answers 200 when the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


@require_GET
def openapi_json(request: HttpRequest) -> JsonResponse:
    """The OpenAPI document, with Chinese as it is (ninja's own view escapes it)."""
    from config.api import api

    return JsonResponse(
        api.get_openapi_schema(path_params={}),
        json_dumps_params={"ensure_ascii": False},
        encoder=NinjaJSONEncoder,
    )
