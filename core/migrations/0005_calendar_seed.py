"""Seed the working-day calendar from the chinese-calendar library, every year it knows.

It calls the same service as `manage.py load_calendar`, handing it this migration's historical models.
"""

from typing import Any

from django.db import migrations

from core.workcalendar import calendar_load_library


def seed(apps: Any, schema_editor: Any) -> None:
    calendar_load_library(
        day_model=apps.get_model("core", "CalendarDay"), year_model=apps.get_model("core", "CalendarYear")
    )


class Migration(migrations.Migration):
    dependencies = [("core", "0004_calendarday_calendaryear")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
