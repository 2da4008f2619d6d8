from django.urls import path

from campaigns.views import checks, ledger, photos, plan

app_name = "campaigns"

urlpatterns: list = [
    path("visits/photos/<uuid:photo_uuid>.jpg", photos.photo, name="photo"),
    path("flags/", checks.flags, name="flags"),
    path("spot-checks/", checks.spot_checks, name="spot-checks"),
    path("spot-checks/<int:check_id>/", checks.spot_check_detail, name="spot-check"),
    path(
        "spot-checks/<int:check_id>/items/<int:item_id>/",
        checks.spot_check_item,
        name="spot-check-item",
    ),
    path(
        "spot-checks/<int:check_id>/items/<int:item_id>/contact/",
        checks.spot_check_contact,
        name="spot-check-contact",
    ),
    path("", plan.campaign_list, name="list"),
    path("<int:campaign_id>/", plan.campaign_detail, name="detail"),
    path("<int:campaign_id>/plan/", plan.campaign_plan, name="plan"),
    path("<int:campaign_id>/coverage/", plan.coverage, name="coverage"),
    path("visits/", ledger.ledger, name="ledger"),
    path("visits/<int:visit_id>/", ledger.visit_detail, name="visit"),
]
