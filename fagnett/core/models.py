"""Field types shared by the apps' models, and the one log of reminders sent."""

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fagnett.core.validators import validate_no_national_id


class _RefusesNationalIdMixin:
    """Adds the national-identity-number guard, so every form and ``full_clean`` applies it."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        validators = [*kwargs.pop("validators", []), validate_no_national_id]
        super().__init__(*args, validators=validators, **kwargs)  # type: ignore[call-arg]

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()  # type: ignore[misc]
        kept = [v for v in kwargs.pop("validators", []) if v is not validate_no_national_id]
        if kept:
            kwargs["validators"] = kept
        return name, path, args, kwargs


class FreeTextField(_RefusesNationalIdMixin, models.TextField):  # type: ignore[type-arg]
    """Free text written by users: never holds a national identity number."""


class FreeCharField(_RefusesNationalIdMixin, models.CharField):  # type: ignore[type-arg]
    """A short free text (a title) written by users: never holds a national identity number."""


class ReminderLog(models.Model):
    """Each reminder is sent once: its kind, its object (with what makes it a new reminder, such as a due date)
    and the recipient are recorded by ``core.reminders.send_once``, for every app's reminders."""

    kind = models.CharField(_("kind"), max_length=40)
    object_key = models.CharField(_("object"), max_length=100)
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+")
    # A default rather than auto_now_add, so the rows carried over from the apps' own logs keep their times.
    sent_at = models.DateTimeField(_("sent"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("reminder sent")
        verbose_name_plural = _("reminders sent")
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_key", "recipient"], name="reminder_log_sent_once")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_key} → {self.recipient_id}"
