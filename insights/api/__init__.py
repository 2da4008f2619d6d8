"""The insights API (DESIGN §10): one router made of a module per idea."""

from ninja import Router

from insights.api import dashboard, hot, metrics, report

router = Router()
router.add_router("", metrics.router)
router.add_router("", dashboard.router)
router.add_router("", report.router)
router.add_router("", hot.router)
