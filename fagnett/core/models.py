"""Field types and abstract models shared by the apps' models, and the one log of reminders sent.

Every text a person writes is stored in one of these: they refuse a national identity number (``full_clean``
and every form made from them), and clean control characters out of the value (single-line fields lose line
breaks too). ``tests/test_free_text_fields.py`` walks every model and fails on a text field that is neither one
of these nor on its reasoned allow-list.
"""

import datetime
import hmac
import secrets
import uuid
from typing import Any, ClassVar, Self

from django import forms
from django.conf import settings
from django.db import models
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from fagnett.core import forms as core_forms
from fagnett.core.text import multi_line, single_line
from fagnett.core.tokens import hash_token
from fagnett.core.validators import validate_no_national_id


class _FreeTextMixin:
    """Adds the national-identity-number guard and the control-character clean-up."""

    #: the form field a model form gets (None: the model field's own)
    form_class: type[forms.Field] | None = None
    multi_line = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        validators = [v for v in kwargs.pop("validators", []) if v is not validate_no_national_id]
        super().__init__(*args, validators=[*validators, validate_no_national_id], **kwargs)  # type: ignore[call-arg]

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()  # type: ignore[misc]
        kept = [v for v in kwargs.pop("validators", []) if v is not validate_no_national_id]
        if kept:
            kwargs["validators"] = kept
        return name, path, args, kwargs

    def _clean_text(self, value: Any) -> Any:
        if isinstance(value, str):
            return multi_line(value) if self.multi_line else single_line(value)
        return value

    def to_python(self, value: Any) -> Any:
        # full_clean stores the result on the instance.
        return self._clean_text(super().to_python(value))  # type: ignore[misc]

    def pre_save(self, model_instance: Any, add: bool) -> Any:
        # Every save, with or without full_clean (bulk_create, objects.create, the history's copies).
        value = super().pre_save(model_instance, add)  # type: ignore[misc]
        cleaned = self._clean_text(value)
        if cleaned != value:
            setattr(model_instance, self.attname, cleaned)  # type: ignore[attr-defined]
        return cleaned

    def get_prep_value(self, value: Any) -> Any:
        # CharField's would call our to_python, cleaning the values of lookups too; a lookup compares what was
        # typed unchanged: a log-in as "b\x01ob" must not find "bob" (nor count against another lock-out key).
        value = models.Field.get_prep_value(self, value)  # type: ignore[arg-type]
        return super().to_python(value)  # type: ignore[misc]

    def formfield(self, **kwargs: Any) -> Any:
        if self.form_class is not None:
            kwargs = {"form_class": self.form_class, **kwargs}
        field = super().formfield(**kwargs)  # type: ignore[misc]
        if field is not None and validate_no_national_id not in field.validators:
            field.validators.append(validate_no_national_id)
        return field


class FreeTextField(_FreeTextMixin, models.TextField):
    """Free text written by users: never holds a national identity number; keeps line breaks."""

    form_class = core_forms.MultiLineField
    multi_line = True


class FreeCharField(_FreeTextMixin, models.CharField):
    """A short free text (a title, a name) written by users: one line, never a national identity number."""

    form_class = core_forms.SingleLineField


class FreeURLField(_FreeTextMixin, models.URLField):
    """A link a person gives (video meeting, where a procedure lives): never holds a national identity number."""

    form_class = core_forms.LinkField


class FreeEmailField(_FreeTextMixin, models.EmailField):
    """An e-mail address a person gives: never holds a national identity number."""


#: No secret we issue is this long; anything longer is refused before it is hashed.
MAX_SECRET_LENGTH = 200


class HashedKey(models.Model):
    """A secret handed out once (an API key, a calendar address): only its hash and first characters are kept.

    ``issue()`` gives the row a new random secret and returns it: the one time it exists in clear, so the database,
    a backup or the admin never hold a working key. ``authenticate()`` finds the working key a presented secret
    belongs to, and ``revoke()`` ends it. A key works while ``revoked_at`` is empty; nothing else says so.
    """

    #: Put before every secret of the kind, so secret scanners and people can tell what it is (e.g. ``fnod_``).
    key_type: ClassVar[str] = ""
    #: How many random characters after the type are kept in clear, to tell the keys apart.
    prefix_random_length: ClassVar[int] = 8
    #: Use is recorded at most this often per key, so a client polling an API or a feed does not write every time.
    touch_interval: ClassVar[datetime.timedelta] = datetime.timedelta(minutes=1)
    #: What ``issue()`` sets: the fields to save when the secret of a saved key is replaced.
    SECRET_FIELDS: ClassVar[tuple[str, ...]] = ("key_hash", "prefix", "last_used_at")

    prefix = models.CharField(
        _("begins with"),
        max_length=16,
        editable=False,
        help_text=_("The first characters of the secret, to recognise it; the rest is never stored."),
    )
    key_hash = models.CharField(_("hash of the secret"), max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True, editable=False)

    class Meta:
        abstract = True

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def issue(self) -> str:
        """Give the row a new secret and return it in clear, this once. Nothing is saved here: the caller saves the
        row (a new key), or its ``SECRET_FIELDS`` (a replaced secret, which ends the old one)."""
        secret = self.key_type + secrets.token_urlsafe(32)  # 256 random bits
        self.key_hash = hash_token(secret)
        self.prefix = secret[: len(self.key_type) + self.prefix_random_length]
        self.last_used_at = None  # the new secret has not been used
        return secret

    def verify(self, secret: str) -> bool:
        """Whether ``secret`` is this working key's, compared in constant time."""
        if len(secret) > MAX_SECRET_LENGTH:
            return False
        return self.is_active and hmac.compare_digest(self.key_hash, hash_token(secret))

    @classmethod
    def lookup(cls, secret: str, queryset: "QuerySet[Self] | None" = None) -> Self | None:
        """The working key whose secret this is, or None; nothing is written.

        The lookup is one indexed query by the secret's hash. Its timing can tell an attacker at most how much of
        the SHA-256 of their guess matches a stored hash, which says nothing about a 256-bit random secret, so the
        lookup is as safe as a constant-time comparison. ``queryset`` narrows the rows or what is loaded with them.
        """
        if not secret or len(secret) > MAX_SECRET_LENGTH:
            return None
        rows = cls._default_manager.all() if queryset is None else queryset
        return rows.filter(key_hash=hash_token(secret), revoked_at=None).first()

    @classmethod
    def authenticate(cls, secret: str, queryset: "QuerySet[Self] | None" = None) -> Self | None:
        """``lookup``, with the use recorded: for callers that need no further check before letting the key in."""
        key = cls.lookup(secret, queryset)
        if key is not None:
            key.touch()
        return key

    def touch(self) -> None:
        """Record the use, unless it was recorded less than ``touch_interval`` ago. The update names no history
        (django-simple-history writes rows on ``save`` only), and repeats the condition, so two requests at once
        write once."""
        now = timezone.now()
        if self.last_used_at is not None and now - self.last_used_at < self.touch_interval:
            return
        type(self)._default_manager.filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lte=now - self.touch_interval), pk=self.pk
        ).update(last_used_at=now)
        self.last_used_at = now

    def revoke(self, **changes: Any) -> bool:
        """End the key now, saving ``changes`` with it (e.g. who revoked it). Revoking a revoked key changes
        nothing; returns whether this call revoked it."""
        if self.revoked_at is not None:
            return False
        self.revoked_at = timezone.now()
        for field, value in changes.items():
            setattr(self, field, value)
        self.save(update_fields=["revoked_at", *changes])
        return True


class NamedKey(HashedKey):
    """A key handed to a system (an API client), named for what it is for."""

    name = FreeCharField(_("what the key is for"), max_length=100)

    class Meta:
        abstract = True


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


class ScheduledRun(models.Model):
    """One row per scheduled job and slot (its day, or its interval's start): the insert that wins the unique
    constraint runs the job (``core.schedule.run_due``), so every worker may ask and the job runs once."""

    name = models.CharField(max_length=100)
    #: the local date of a daily job (2026-12-05), or the UTC start of an interval's slot (2026-12-05T01:30:00Z)
    slot = models.CharField(max_length=40)
    claimed_at = models.DateTimeField(default=timezone.now, editable=False)
    #: the job that runs it (django_tasks_db's DBTaskResult id), for following it from the row
    task_id = models.CharField(max_length=64, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["name", "slot"], name="scheduled_run_once_per_slot")]
        indexes = [models.Index(fields=["claimed_at"])]

    def __str__(self) -> str:
        return f"{self.name} {self.slot}"


class OutboundMail(models.Model):
    """One e-mail to one recipient in the outbox (``core.mail``): rendered when it was queued, inside the
    transaction of the change it tells about, and sent by a background job that retries with back-off.

    ``message`` holds the rendered message (subject, body, alternatives such as a calendar part, attachments and
    the headers, among them the Message-ID every attempt carries), as JSON. Every field is written by code only.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        SENDING = "sending", _("being sent")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")

    message_id = models.CharField(_("Message-ID"), max_length=255, unique=True, editable=False)
    template = models.CharField(_("template"), max_length=100, editable=False)
    recipient = models.EmailField(_("recipient"), editable=False)
    subject = models.TextField(_("subject"), editable=False)
    message = models.JSONField(_("message"), editable=False)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveIntegerField(_("attempts"), default=0, editable=False)
    queued_at = models.DateTimeField(_("queued"), default=timezone.now, editable=False)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now, editable=False)
    claimed_at = models.DateTimeField(_("claimed"), null=True, blank=True, editable=False)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True, editable=False)
    last_error = models.TextField(_("last error"), blank=True, editable=False)

    class Meta:
        verbose_name = _("outgoing e-mail")
        verbose_name_plural = _("outgoing e-mails")
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="outbound_mail_due")]

    def __str__(self) -> str:
        return f"{self.template} → {self.recipient} ({self.status})"


class NotificationDelivery(models.TextChoices):
    """How a person gets the notifications that may wait (``User.notifications``; ``core.mail``'s ``digest=True``).

    Declared here, below accounts, so the mail helper can tell the two apart without importing the user model."""

    IMMEDIATELY = "immediately", _("Immediately, one e-mail each")
    DAILY_DIGEST = "digest", _("Once a day, in one e-mail")


class DigestEntry(models.Model):
    """A notification held for a person who gets a daily digest (``core.digest``): what it is about (the subject
    it would have had, in their language) and where to act (the first link to Fagnett in the mail it would have
    been). ``digested_at`` is set by the digest that listed it, so each entry is listed once."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+")
    template = models.CharField(_("template"), max_length=100, editable=False)
    subject = models.TextField(_("subject"), editable=False)
    link = models.URLField(_("link"), max_length=500, blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    digested_at = models.DateTimeField(_("sent in a digest"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("notification waiting for the digest")
        verbose_name_plural = _("notifications waiting for the digest")
        indexes = [models.Index(fields=["recipient", "digested_at"], name="digest_entry_pending")]

    def __str__(self) -> str:
        return f"{self.template} → {self.recipient_id}"


def download_path(instance: object, filename: str) -> str:
    """Under a random name: the name a person sees is ``Download.filename``, never part of the storage key."""
    return f"downloads/{uuid.uuid4().hex[:2]}/{uuid.uuid4().hex}"


class Download(models.Model):
    """A file a person asked for, made by a background job (``core.downloads``): its state while it is made, then
    the file on the default storage until ``expires_at``. Only its owner ever sees it."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Waiting")
        RUNNING = "running", _("Being made")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    #: The colour of each state's tag (components/status_tag.html).
    STATE_COLORS: ClassVar[dict[str, str]] = {
        State.QUEUED: "neutral",
        State.RUNNING: "info",
        State.DONE: "success",
        State.FAILED: "danger",
    }

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="downloads")
    #: the registered builder that makes it (``core.downloads.register``)
    kind = models.CharField(_("kind"), max_length=60, editable=False)
    title = FreeCharField(_("title"), max_length=300)
    #: what the builder needs (ids, a period, filters), as JSON
    params = models.JSONField(default=dict, editable=False)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.QUEUED)
    percent = models.PositiveSmallIntegerField(_("percent"), null=True, blank=True)
    message = FreeCharField(_("message"), max_length=500, blank=True)
    file = models.FileField(_("file"), upload_to=download_path, max_length=200, blank=True)
    filename = models.CharField(_("file name"), max_length=200, blank=True, editable=False)
    content_type = models.CharField(max_length=120, blank=True, editable=False)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    #: how many times a worker has started it (a worker that died mid-job leaves it to be started once more)
    attempts = models.PositiveSmallIntegerField(default=0)
    #: the id of the queue's task that makes it now (django-tasks' result id)
    task_id = models.CharField(max_length=64, blank=True, editable=False)
    created_at = models.DateTimeField(_("asked for"), default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    #: touched by the running job every few seconds; a running job whose heartbeat stopped lost its worker
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    #: when the file and the record are deleted (``core.downloads.expire_due``); set when the job ends
    expires_at = models.DateTimeField(_("kept until"), null=True, blank=True)

    class Meta:
        verbose_name = _("download")
        verbose_name_plural = _("downloads")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["owner", "-created_at"], name="download_owner_created"),
            models.Index(fields=["state", "heartbeat_at"], name="download_state_heartbeat"),
            models.Index(fields=["expires_at"], name="download_expires"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("downloads:detail", args=[self.pk])

    @property
    def is_finished(self) -> bool:
        return self.state in (self.State.DONE, self.State.FAILED)


def kept_file_path(instance: object, filename: str) -> str:
    """Under a new random name, so a kept file's bytes are never written over (``core.kept``)."""
    return f"kept/{uuid.uuid4().hex[:2]}/{uuid.uuid4().hex}"


class KeptFile(models.Model):
    """A file kept exactly as it was made when a record was approved or sent (``core.kept``): the PDF or DOCX of an
    approved annual report, approved minutes, a sent recommendation. Its bytes, size and SHA-256 are written once,
    by the job that makes it, and never replaced: a correction is a new record (or a new ``round`` of the same one),
    with files of its own; the old ones stay."""

    class State(models.TextChoices):
        PENDING = "pending", _("Being made")
        KEPT = "kept", pgettext_lazy("kept file", "Kept")
        FAILED = "failed", _("Failed")

    owner_type = models.ForeignKey("contenttypes.ContentType", models.PROTECT, related_name="+")
    owner_id = models.PositiveBigIntegerField()
    #: 1 for the files of the record's first approval; a record approved (or sent) again gets a new round
    round = models.PositiveSmallIntegerField(default=1)
    #: what the file is, among the kinds its model registered: "pdf", "docx", "pdf-a" (the archive's copy)
    kind = models.CharField(_("kind"), max_length=20, editable=False)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PENDING)
    file = models.FileField(_("file"), upload_to=kept_file_path, max_length=200, blank=True, editable=False)
    filename = models.CharField(_("file name"), max_length=200, blank=True, editable=False)
    content_type = models.CharField(max_length=120, blank=True, editable=False)
    size = models.PositiveBigIntegerField(_("size"), null=True, blank=True, editable=False)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True, editable=False)
    #: the record's history row of the approval (django-simple-history), so its entry in the history shows the files
    history_id = models.PositiveBigIntegerField(null=True, blank=True, editable=False)
    #: who approved or sent the record, and when: the files are what they approved
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("approved by")
    )
    approved_at = models.DateTimeField(_("approved"), default=timezone.now, editable=False)
    #: when the job stored the file
    kept_at = models.DateTimeField(_("kept"), null=True, blank=True, editable=False)
    message = models.CharField(_("message"), max_length=500, blank=True, editable=False)

    class Meta:
        verbose_name = _("kept file")
        verbose_name_plural = _("kept files")
        ordering = ["owner_type", "owner_id", "-round", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["owner_type", "owner_id", "round", "kind"], name="keptfile_once_per_round"),
            models.CheckConstraint(
                condition=~models.Q(state="kept") | (~models.Q(sha256="") & ~models.Q(file="")),
                name="keptfile_kept_has_checksum",
            ),
        ]
        indexes = [models.Index(fields=["owner_type", "history_id"], name="keptfile_history")]

    def __str__(self) -> str:
        return f"{self.filename or self.kind} ({self.sha256[:12]})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Written once: the job fills a pending row by a conditional update (core.kept), never by save().
        if self.pk is not None and KeptFile.objects.filter(pk=self.pk, state=self.State.KEPT).exists():
            raise ValueError("A kept file is never changed; keep a new round instead.")
        super().save(*args, **kwargs)

    @property
    def short_sha256(self) -> str:
        return self.sha256[:12]
