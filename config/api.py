"""The API at /api/v1: one NinjaAPI, one router per app."""

from ninja import NinjaAPI

from appeals.api import router as appeals_router
from campaigns.api import router as campaigns_router
from core.api import UnicodeJSONRenderer, install_error_handlers
from geo.api import router as geo_router
from insights.api import router as insights_router
from insights.api_dashboard import router as dashboard_router
from insights.api_report import router as report_router
from org.api import router as org_router
from org.auth import API_AUTH
from oversight.api.ledgers import router as oversight_ledgers_router
from oversight.api.notices import router as notices_router

api = NinjaAPI(
    title="走访 Zoufang API",
    version="1",
    description="大走访工作平台接口。令牌：POST /api/v1/auth/token，然后 `Authorization: Bearer <token>`；"
    '浏览器使用会话登录。错误统一为 {"error": {"code", "message", "details"}}。',
    urls_namespace="api-v1",
    renderer=UnicodeJSONRenderer(),
    auth=API_AUTH,
    docs_url="/docs",
    openapi_url="/openapi.json",
)
install_error_handlers(api)
api.add_router("", org_router)
api.add_router("", geo_router)
api.add_router("", appeals_router)
api.add_router("", campaigns_router)
api.add_router("", insights_router)
api.add_router("", dashboard_router)
api.add_router("", report_router)
api.add_router("", oversight_ledgers_router)
api.add_router("", notices_router)
