"""Field types and abstract models shared by the apps' models."""

import datetime
import hmac
import secrets
from typing import Any, ClassVar, Self

from django.db import models
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fagnett.core.tokens import hash_token
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
