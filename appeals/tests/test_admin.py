from django.urls import reverse

from appeals.tests.factories import register


def test_reference_data_is_editable_and_appeals_are_read_only(personas, client) -> None:
    personas.admin.is_staff = personas.admin.is_superuser = True
    personas.admin.save(update_fields=["is_staff", "is_superuser"])
    client.force_login(personas.admin)
    for name in ("category", "deadlinepolicy", "routingrule"):
        assert client.get(reverse(f"admin:appeals_{name}_changelist")).status_code == 200
        assert client.get(reverse(f"admin:appeals_{name}_add")).status_code == 200
    appeal = register(personas.dispatcher)
    assert client.get(reverse("admin:appeals_appeal_changelist")).status_code == 200
    page = client.get(reverse("admin:appeals_appeal_change", args=[appeal.pk]))
    assert page.status_code == 200 and "13812345678" not in page.content.decode()
    assert (
        client.post(reverse("admin:appeals_appeal_change", args=[appeal.pk]), {"title": "x"}).status_code
        == 403
    )
    assert client.get(reverse("admin:appeals_appeal_add")).status_code == 403


def test_the_sweep_runs_every_five_minutes() -> None:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from huey.contrib.djhuey import HUEY

    import appeals.tasks  # noqa: F401  (the consumer loads every app's tasks module the same way)

    at = datetime(2027, 1, 4, 9, 5, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert "sweep_deadlines_task" in {task.name for task in HUEY.read_periodic(at)}
