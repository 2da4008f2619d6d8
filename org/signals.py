"""Every change of who may do what is audited, whichever route made it (the admin, a service, a command, the
shell): so it is caught on the models themselves, with the old and new values, and not in each caller.

The actor and request come from core.audit's context (set per request by AuditContextMiddleware, and by the
services); a change with no context (a command, a migration) is recorded with no actor.
"""

from typing import Any

from django.contrib.auth.models import Group, Permission
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.audit import audit_record, current_context
from core.models import AuditEvent
from org.models import Membership, User

PRIVILEGE_FIELDS = ("is_superuser", "is_staff", "is_active")


def _record(action: AuditEvent.Action, *, target: Any, data: dict[str, Any]) -> None:
    context = current_context()
    audit_record(action=action, actor=context.actor, request=context.request, target=target, data=data)


def _remember_privileges(sender: Any, instance: User, update_fields: Any = None, **kwargs: Any) -> None:
    if instance.pk is None or (update_fields is not None and not set(update_fields) & set(PRIVILEGE_FIELDS)):
        instance._old_privileges = None  # type: ignore[attr-defined]
        return
    instance._old_privileges = (  # type: ignore[attr-defined]
        User.objects.filter(pk=instance.pk).values(*PRIVILEGE_FIELDS).first()
    )


def _audit_privileges(sender: Any, instance: User, created: bool, **kwargs: Any) -> None:
    old = getattr(instance, "_old_privileges", None)
    if created:
        old = {"is_superuser": False, "is_staff": False, "is_active": False}
    if old is not None:
        changes = {
            field: {"old": old[field], "new": getattr(instance, field)}
            for field in PRIVILEGE_FIELDS
            if old[field] != getattr(instance, field)
        }
        if changes and not (created and changes.keys() == {"is_active"}):
            _record(AuditEvent.Action.PRIVILEGES_CHANGED, target=instance, data={"changes": changes})
    # AbstractBaseUser keeps the new plain password until after the save; a hash upgrade at login clears it
    # before saving, so only a real change of password gets here.
    if not created and getattr(instance, "_password", None) is not None:
        from org.services import user_password_changed

        context = current_context()
        user_password_changed(user=instance, actor=context.actor, request=context.request)


def _audit_membership_granted(sender: Any, instance: Membership, created: bool, **kwargs: Any) -> None:
    if created:
        _record(AuditEvent.Action.ROLE_GRANTED, target=instance.user, data=_membership_data(instance))


def _audit_membership_revoked(sender: Any, instance: Membership, **kwargs: Any) -> None:
    _record(AuditEvent.Action.ROLE_REVOKED, target=instance.user, data=_membership_data(instance))


def _audit_otp_removed(sender: Any, instance: TOTPDevice, **kwargs: Any) -> None:
    if instance.confirmed:
        _record(AuditEvent.Action.OTP_REMOVED, target=instance.user, data={"device": instance.name})


def _membership_data(membership: Membership) -> dict[str, Any]:
    return {"unit_id": membership.unit_id, "unit": membership.unit.name, "role": membership.role}


def _names(model: Any, pks: Any) -> list[str]:
    if model is Permission:
        rows = Permission.objects.filter(pk__in=pks).select_related("content_type")
        return sorted(f"{p.content_type.app_label}.{p.codename}" for p in rows)
    if model is Group:
        return sorted(Group.objects.filter(pk__in=pks).values_list("name", flat=True))
    return sorted(model.objects.filter(pk__in=pks).values_list("username", flat=True))


def _linked_pks(through: Any, instance: Any, model: Any) -> set[int]:
    fields = [f for f in through._meta.fields if f.is_relation]
    source = next(f for f in fields if f.related_model is type(instance))
    target = next(f for f in fields if f.related_model is model and f is not source)
    return set(through.objects.filter(**{source.attname: instance.pk}).values_list(target.attname, flat=True))


def _m2m_audit(action_kind: AuditEvent.Action) -> Any:
    """A receiver for one many-to-many relation that audits what was added and removed."""

    def receiver(
        sender: Any, instance: Any, action: str, reverse: bool, model: Any, pk_set: Any, **kwargs: Any
    ) -> None:
        if action == "pre_clear":
            instance._cleared_pks = _linked_pks(sender, instance, model)
            return
        if action not in ("post_add", "post_remove", "post_clear"):
            return
        pks = pk_set if action != "post_clear" else getattr(instance, "_cleared_pks", set())
        if not pks:
            return
        key = "added" if action == "post_add" else "removed"
        if not reverse:
            _record(action_kind, target=instance, data={key: _names(model, pks)})
            return
        # The reverse side (group.user_set.add(...)): one row for each holder whose rights changed.
        name = _names(type(instance), [instance.pk])
        for holder in model.objects.filter(pk__in=pks):
            _record(action_kind, target=holder, data={key: name})

    return receiver


_groups = _m2m_audit(AuditEvent.Action.GROUPS_CHANGED)
_user_permissions = _m2m_audit(AuditEvent.Action.PERMISSIONS_CHANGED)
_group_permissions = _m2m_audit(AuditEvent.Action.PERMISSIONS_CHANGED)


def connect_signals() -> None:
    pre_save.connect(_remember_privileges, sender=User, dispatch_uid="audit_user_privileges_old")
    post_save.connect(_audit_privileges, sender=User, dispatch_uid="audit_user_privileges")
    post_save.connect(_audit_membership_granted, sender=Membership, dispatch_uid="audit_role_granted")
    post_delete.connect(_audit_membership_revoked, sender=Membership, dispatch_uid="audit_role_revoked")
    post_delete.connect(_audit_otp_removed, sender=TOTPDevice, dispatch_uid="audit_otp_removed")
    m2m_changed.connect(_groups, sender=User.groups.through, dispatch_uid="audit_user_groups")
    m2m_changed.connect(
        _user_permissions, sender=User.user_permissions.through, dispatch_uid="audit_user_permissions"
    )
    m2m_changed.connect(
        _group_permissions, sender=Group.permissions.through, dispatch_uid="audit_group_permissions"
    )
