"""Admin pieces shared by the apps."""

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from fagnett.core.models import HashedKey, OutboundMail, ReminderLog


@admin.action(description=_("Revoke the selected keys"))
def revoke_keys(modeladmin: Any, request: HttpRequest, queryset: QuerySet[HashedKey]) -> None:
    """Each key is revoked through ``HashedKey.revoke`` (a save, so history records it where it is kept)."""
    revoked = sum(1 for key in queryset.filter(revoked_at=None) if key.revoke())
    modeladmin.message_user(
        request,
        ngettext("%(count)d key revoked.", "%(count)d keys revoked.", revoked) % {"count": revoked},
        messages.SUCCESS,
    )


@admin.register(ReminderLog)
class ReminderLogAdmin(admin.ModelAdmin):
    list_display = ["kind", "object_key", "recipient", "sent_at"]
    list_filter = ["kind"]


@admin.register(OutboundMail)
class OutboundMailAdmin(admin.ModelAdmin):
    """The outbox, to read: what is queued, what failed and why. Sending is the job's (``core.mail``); an operator
    re-queues with ``manage.py mail_flush --now`` rather than by editing rows."""

    list_display = ["queued_at", "template", "recipient", "status", "attempts", "next_attempt_at", "sent_at"]
    list_filter = ["status", "template"]
    search_fields = ["recipient", "message_id"]
    date_hierarchy = "queued_at"
    ordering = ["-queued_at"]
    fields = readonly_fields = (
        "message_id",
        "template",
        "recipient",
        "subject",
        "status",
        "attempts",
        "queued_at",
        "next_attempt_at",
        "claimed_at",
        "sent_at",
        "last_error",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
