"""The API at /api/v1: one NinjaAPI, one router per app."""

from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET
from ninja.responses import NinjaJSONEncoder

from appeals.api import router as appeals_router
from campaigns.api import router as campaigns_router
from core.api import DocumentedAPI, JSONParser, UnicodeJSONRenderer, install_error_handlers
from insights.api import router as insights_router
from org.api import router as org_router
from org.auth import API_AUTH
from oversight.api import router as oversight_router
from portal.api import router as portal_router

api = DocumentedAPI(
    title="走访 Zoufang API",
    version="1",
    description="大走访工作平台接口。令牌：POST /api/v1/auth/token，然后 `Authorization: Bearer <token>`；"
    '浏览器使用会话登录。错误统一为 {"error": {"code", "message", "details"}}。',
    urls_namespace="api-v1",
    renderer=UnicodeJSONRenderer(),
    parser=JSONParser(),
    auth=API_AUTH,
    docs_url="/docs",
    openapi_url="/openapi.json",
)
install_error_handlers(api)
# One router per app, each registered once, in the order of the layers (DESIGN §8).
api.add_router("", org_router)
api.add_router("", appeals_router)
api.add_router("", campaigns_router)
api.add_router("", portal_router)
api.add_router("", insights_router)
api.add_router("", oversight_router)


@require_GET
def openapi_json(request: HttpRequest) -> JsonResponse:
    """The OpenAPI document, with Chinese as it is (ninja's own view escapes it)."""
    return JsonResponse(
        api.get_openapi_schema(path_params={}),
        json_dumps_params={"ensure_ascii": False},
        encoder=NinjaJSONEncoder,
    )
