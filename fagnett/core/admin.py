"""Admin pieces shared by the apps."""

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from fagnett.core.models import HashedKey, ReminderLog


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
