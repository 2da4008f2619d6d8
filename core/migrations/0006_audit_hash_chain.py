"""Audit rows carry a hash chained to the previous row (core/audit.py); the rows already there are chained here.

The append-only triggers of 0003 refuse the UPDATE, so they are lifted for the backfill and put back: on
PostgreSQL the migrating role owns the table; on SQLite the trigger is dropped and recreated.
"""

from typing import Any

import django.utils.timezone
from django.db import migrations, models

# SQLite rebuilds the table for the AlterFields above, which drops 0003's triggers: they are made again here.
SQLITE_TRIGGERS = [
    """CREATE TRIGGER core_auditevent_no_update BEFORE UPDATE ON core_auditevent
       BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END""",
    """CREATE TRIGGER core_auditevent_no_delete BEFORE DELETE ON core_auditevent
       WHEN NOT zoufang_audit_maintenance()
       BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END""",
]


def backfill(apps: Any, schema_editor: Any) -> None:
    from core.audit import GENESIS, row_hash

    AuditEvent = apps.get_model("core", "AuditEvent")
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute("ALTER TABLE core_auditevent DISABLE TRIGGER core_auditevent_append_only")
    elif vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS core_auditevent_no_update")
        schema_editor.execute("DROP TRIGGER IF EXISTS core_auditevent_no_delete")
    previous = GENESIS
    with schema_editor.connection.cursor() as cursor:
        for event in AuditEvent.objects.order_by("id").iterator(chunk_size=2000):
            previous = row_hash(event, previous)
            cursor.execute("UPDATE core_auditevent SET hash = %s WHERE id = %s", [previous, event.pk])
    if vendor == "postgresql":
        schema_editor.execute("ALTER TABLE core_auditevent ENABLE TRIGGER core_auditevent_append_only")
    elif vendor == "sqlite":
        for statement in SQLITE_TRIGGERS:
            schema_editor.execute(statement)


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0005_calendar_seed'),
    ]

    operations = [
        migrations.AddField(
            model_name='auditevent',
            name='hash',
            field=models.CharField(blank=True, max_length=64, verbose_name='chain hash'),
        ),
        migrations.AlterField(
            model_name='auditevent',
            name='action',
            field=models.CharField(choices=[('login', 'login'), ('logout', 'logout'), ('login_failed', 'failed login'), ('locked_out', 'locked out'), ('role_granted', 'role granted'), ('role_revoked', 'role revoked'), ('token_issued', 'token issued'), ('token_revoked', 'token revoked'), ('personal_data_revealed', 'personal data revealed'), ('exported', 'exported'), ('privileges_changed', 'privileges changed'), ('groups_changed', 'groups changed'), ('permissions_changed', 'permissions changed'), ('password_changed', 'password changed'), ('password_reset', 'password reset by an administrator'), ('otp_enrolled', 'two-factor login enrolled'), ('otp_removed', 'two-factor login removed')], max_length=32, verbose_name='action'),
        ),
        migrations.AlterField(
            model_name='auditevent',
            name='at',
            field=models.DateTimeField(db_index=True, default=django.utils.timezone.now, editable=False, verbose_name='at'),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
