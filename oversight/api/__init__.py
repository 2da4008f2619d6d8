"""The oversight API (DESIGN §10): one router made of a module per idea."""

from ninja import Router

from oversight.api import ledgers, notices

router = Router(tags=["oversight"])
router.add_router("", ledgers.router)
router.add_router("", notices.router)
