"""The campaigns API (DESIGN §10): one router made of a module per idea."""

from ninja import Router

from campaigns.api import checks, photos, visits

router = Router(tags=["campaigns"])
router.add_router("", visits.router)
router.add_router("", photos.router)
router.add_router("", checks.router)
