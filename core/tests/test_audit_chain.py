"""Issue 12 item 10: audit rows are hash-chained, and `verify_audit` names the first broken link."""

from typing import Any

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from core.audit import GENESIS, audit_record, audit_verify, row_hash
from core.models import AuditEvent
from tests.support import race

pytestmark = pytest.mark.django_db(transaction=False)


def _events(n: int) -> list[AuditEvent]:
    return [
        audit_record(action=AuditEvent.Action.EXPORTED, username=f"u{i}", data={"rows": i, "名": "表"})
        for i in range(n)
    ]


def _tamper(sql: str, params: list[Any]) -> None:
    """What someone with the table owner's rights can do: lift the append-only trigger and write."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # ALTER refuses pending deferred FK checks
            cursor.execute("ALTER TABLE core_auditevent DISABLE TRIGGER core_auditevent_append_only")
        else:
            cursor.execute("DROP TRIGGER core_auditevent_no_update")
            cursor.execute("DROP TRIGGER core_auditevent_no_delete")
        cursor.execute(sql, params)


def _verify(capsys) -> tuple[int, str]:
    with pytest.raises(SystemExit) as exited:
        call_command("verify_audit")
    return int(exited.value.code or 0), capsys.readouterr().out


def test_each_row_hashes_the_one_before(db) -> None:
    first, second = _events(2)[-2:]
    previous = (
        AuditEvent.objects.filter(id__lt=first.pk).order_by("-id").values_list("hash", flat=True).first()
    )
    assert first.hash == row_hash(first, previous or GENESIS)
    assert second.hash == row_hash(AuditEvent.objects.get(pk=second.pk), first.hash)
    assert audit_verify().broken_id is None


def test_verify_audit_says_ok_on_an_untouched_chain(db, capsys) -> None:
    _events(3)
    call_command("verify_audit")
    out = capsys.readouterr().out
    assert out.startswith("OK ")


def test_an_edited_row_is_the_first_broken_link(db, capsys) -> None:
    events = _events(4)
    _tamper("UPDATE core_auditevent SET username = %s WHERE id = %s", ["someone-else", events[1].pk])
    code, out = _verify(capsys)
    assert code == 1
    assert f"id={events[1].pk}" in out


def test_a_deleted_row_breaks_the_link_of_the_next(db, capsys) -> None:
    events = _events(4)
    _tamper("DELETE FROM core_auditevent WHERE id = %s", [events[2].pk])
    code, out = _verify(capsys)
    assert code == 1
    assert f"id={events[3].pk}" in out


def test_a_row_slipped_in_with_a_made_up_hash_is_named(db, capsys) -> None:
    events = _events(2)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO core_auditevent (at, username, action, object_type, object_id, user_agent, data, hash)"
            " VALUES (%s, 'x', 'login', '', '', '', '{}', %s)",
            [events[-1].at, "f" * 64],
        )
    code, out = _verify(capsys)
    assert code == 1
    assert f"after {AuditEvent.objects.count() - 1} good rows" in out


@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent transactions need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_keep_one_chain(qiannan) -> None:
    def write(i: int) -> object:
        return audit_record(action=AuditEvent.Action.EXPORTED, username=f"w{i}")

    results = race(*(lambda i=i: write(i) for i in range(8)))
    assert all(isinstance(r, AuditEvent) for r in results)
    report = audit_verify()
    assert report.broken_id is None
    assert report.rows == AuditEvent.objects.count()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="roles and grants are PostgreSQL's")
def test_an_app_role_without_ownership_cannot_truncate_or_lift_the_trigger(db) -> None:
    """docs/deploy.md: the app runs as a role that owns nothing; it may insert and read audit rows, no more."""
    _events(1)
    with connection.cursor() as cursor:
        cursor.execute("DROP ROLE IF EXISTS zoufang_app_probe")
        cursor.execute("CREATE ROLE zoufang_app_probe NOLOGIN")
        cursor.execute("GRANT USAGE ON SCHEMA public TO zoufang_app_probe")
        cursor.execute("GRANT SELECT, INSERT ON core_auditevent TO zoufang_app_probe")
        cursor.execute("GRANT USAGE ON SEQUENCE core_auditevent_id_seq TO zoufang_app_probe")
        cursor.execute("SET ROLE zoufang_app_probe")
        try:
            cursor.execute("SELECT count(*) FROM core_auditevent")
            for statement in (
                "TRUNCATE core_auditevent",
                "ALTER TABLE core_auditevent DISABLE TRIGGER core_auditevent_append_only",
                "DROP TRIGGER core_auditevent_append_only ON core_auditevent",
                "DELETE FROM core_auditevent",
                "UPDATE core_auditevent SET username = 'x'",
            ):
                refused = r"(?i)permission denied|must be owner|append-only"
                with pytest.raises(Exception, match=refused), transaction.atomic():
                    cursor.execute(statement)
            appended = audit_record(action=AuditEvent.Action.LOGIN, username="via-app-role")
        finally:
            cursor.execute("RESET ROLE")
    # The app role can still append, chained like any other row.
    assert AuditEvent.objects.get(pk=appended.pk).username == "via-app-role"
    assert audit_verify().broken_id is None


@pytest.mark.django_db(transaction=True)
def test_the_migration_chains_the_rows_already_there(qiannan) -> None:
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    executor.migrate([("core", "0005_calendar_seed")])
    with connection.cursor() as cursor:
        for i in range(3):
            cursor.execute(
                "INSERT INTO core_auditevent (at, username, action, object_type, object_id, user_agent, data)"
                " VALUES (%s, %s, 'login', '', '', '', '{}')",
                [
                    f"2026-01-0{i + 1} 08:00:00+00:00"
                    if connection.vendor == "postgresql"
                    else f"2026-01-0{i + 1} 08:00:00",
                    f"old{i}",
                ],
            )
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    report = audit_verify()
    assert report.broken_id is None and report.rows == AuditEvent.objects.count() >= 3
    # The triggers are back after the backfill.
    event = AuditEvent.objects.order_by("id").first()
    assert event is not None
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(username="x")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
