"""People and the roles they hold in a region or a trust.

Roles held in a network are appointments (``networks.Appointment``); the roles here are the ones
held for a whole region (coordinator, medical director) or a whole trust (fagsjef, capacity reporter).
"""

import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from fagnett.core.models import FreeCharField, FreeEmailField, NotificationDelivery
from fagnett.core.tracked import TrackedQuerySet
from fagnett.organisations.models import HealthTrust, Region

_username = AbstractUser._meta.get_field("username")

#: Counters on the person's row that only their own UPDATE writes: a ``save()`` of an instance read
#: earlier must not put back the value it was read with (``User.save``).
COUNTERS = ("access_version", "session_epoch")


def new_access_version() -> int:
    """A version of what a person holds: random, so no version comes back — not after a change that was rolled back,
    nor for a person created with the key of one deleted (SQLite reuses keys after a rollback, ``flush`` restarts
    them): an ``Access`` kept under an old version is never found again (``fagnett.access``)."""
    return secrets.randbits(62)


class User(AbstractUser):
    # Django's fields, as Django declares them (its labels and messages), with the identity-number guard and the
    # control-character clean-up of every text a person types: people are used to logging in with their
    # fødselsnummer elsewhere.
    username = FreeCharField(
        _username.verbose_name,
        max_length=150,
        unique=True,
        help_text=_username.help_text,
        validators=[AbstractUser.username_validator],
        error_messages={"unique": _username.error_messages["unique"]},
    )
    first_name = FreeCharField(AbstractUser._meta.get_field("first_name").verbose_name, max_length=150, blank=True)
    last_name = FreeCharField(AbstractUser._meta.get_field("last_name").verbose_name, max_length=150, blank=True)
    email = FreeEmailField(AbstractUser._meta.get_field("email").verbose_name, blank=True)
    title = FreeCharField(_("job title"), max_length=150, blank=True)
    trust = models.ForeignKey(
        HealthTrust,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="employees",
        verbose_name=_("employed by"),
    )
    region_employer = models.ForeignKey(
        Region,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="employees",
        verbose_name=_("employed by the regional health authority"),
        help_text=_("For people employed by the RHF itself rather than by a trust."),
    )
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    notifications = models.CharField(
        _("notifications by e-mail"),
        max_length=12,
        choices=NotificationDelivery.choices,
        default=NotificationDelivery.IMMEDIATELY,
        help_text=_(
            "What you are asked to read or do (a case for your network, minutes for comments, an action item, a "
            "nomination, a reminder). Meeting invitations and cancellations, answers to your own cases and "
            "applications, and messages about your login always come at once."
        ),
    )
    sso_identifier = FreeCharField(
        _("single sign-on identifier"),
        max_length=255,
        blank=True,
        help_text=_(
            "Only when single sign-on recognises people by an identifier instead of their e-mail address: the "
            "identity provider's value for this person, e.g. the HPR number from HelseID or the object ID from "
            "Microsoft Entra ID. Never a national identity number."
        ),
    )

    # The version of what the person holds (roles, appointments, their places' regions), a new random value after every
    # change of it, in the change's transaction (``fagnett.access``): the key of the person's cached ``Access``. On
    # the person's row because every request reads that row anyway, so checking it costs no query.
    access_version = models.BigIntegerField(default=new_access_version, editable=False)
    # One higher at every logout (and deactivation): part of the session's hash (``_get_session_auth_hash``), so every
    # session cookie issued before stops working (the sessions are signed cookies: docs/ARCHITECTURE.md).
    session_epoch = models.PositiveIntegerField(default=0, editable=False)

    # Who changed a person, and how (first login, provisioning, the admin): the reason names the way when no one is
    # logged in. The password hash never enters history, and the time of the last login is written without a save
    # (``apps.record_last_login``), or every login would add a row; nor do the counters above.
    history = HistoricalRecords(excluded_fields=["password", "last_login", *COUNTERS])

    class Meta:
        ordering = ["first_name", "last_name"]
        verbose_name = _("person")
        verbose_name_plural = _("people")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(trust__isnull=True) | models.Q(region_employer__isnull=True),
                name="user_one_employer",
            ),
            models.UniqueConstraint(
                fields=["sso_identifier"],
                condition=~models.Q(sso_identifier=""),
                name="user_sso_identifier_unique",
                violation_error_message=_("Another person already has this single sign-on identifier."),
            ),
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def save(self, *args: object, **kwargs: object) -> None:
        # An instance read before a role change holds the old access version; saving all its fields would put it back
        # and make a cached, outdated ``Access`` current again. The counters are written by their own UPDATEs only.
        if not self._state.adding and kwargs.get("update_fields") is None and not kwargs.get("force_insert"):
            kwargs["update_fields"] = [
                f.name for f in self._meta.concrete_fields if not f.primary_key and f.name not in COUNTERS
            ]
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def _get_session_auth_hash(self, secret: str | None = None) -> str:
        # Django's hash (of the password) and the session epoch: a logout elsewhere, or the end of the person's
        # access, invalidates every session cookie issued before it.
        key_salt = "fagnett.accounts.User.get_session_auth_hash"
        return salted_hmac(
            key_salt, f"{self.password}:{self.session_epoch}", secret=secret, algorithm="sha256"
        ).hexdigest()

    @property
    def employer_name(self) -> str:
        employer = self.trust or self.region_employer
        return str(employer) if employer else ""


class RegionRole(models.Model):
    class Role(models.TextChoices):
        COORDINATOR = "coordinator", _("Regional coordinator")
        MEDICAL_DIRECTOR = "medical_director", _("Medical director")

    user = models.ForeignKey(User, models.CASCADE, related_name="region_roles", verbose_name=_("person"))
    region = models.ForeignKey(Region, models.CASCADE, related_name="roles", verbose_name=_("region"))
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)

    history = HistoricalRecords()
    # Bulk writes tell fagnett.access, which keeps the person's access version (core.tracked).
    objects = TrackedQuerySet.as_manager()

    class Meta:
        verbose_name = _("regional role")
        verbose_name_plural = _("regional roles")
        constraints = [models.UniqueConstraint(fields=["user", "region", "role"], name="regionrole_unique")]

    def __str__(self) -> str:
        return f"{self.user}: {self.get_role_display()} ({self.region})"


class TrustRole(models.Model):
    class Role(models.TextChoices):
        FAGSJEF = "fagsjef", _("Head of professional affairs (fagsjef)")
        CAPACITY_REPORTER = "capacity_reporter", _("ICU capacity reporter")

    user = models.ForeignKey(User, models.CASCADE, related_name="trust_roles", verbose_name=_("person"))
    trust = models.ForeignKey(HealthTrust, models.CASCADE, related_name="roles", verbose_name=_("health trust"))
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)

    history = HistoricalRecords()
    # Bulk writes tell fagnett.access, which keeps the person's access version (core.tracked).
    objects = TrackedQuerySet.as_manager()

    class Meta:
        verbose_name = _("trust role")
        verbose_name_plural = _("trust roles")
        constraints = [models.UniqueConstraint(fields=["user", "trust", "role"], name="trustrole_unique")]

    def __str__(self) -> str:
        return f"{self.user}: {self.get_role_display()} ({self.trust})"
