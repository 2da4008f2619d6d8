from typing import Any

from django.db import migrations

from appeals.services.reference import reference_load


def load(apps: Any, schema_editor: Any) -> None:
    reference_load(
        policy_model=apps.get_model("appeals", "DeadlinePolicy"),
        category_model=apps.get_model("appeals", "Category"),
        rule_model=apps.get_model("appeals", "RoutingRule"),
    )


class Migration(migrations.Migration):
    dependencies = [("appeals", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
