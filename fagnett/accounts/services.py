"""Changes to people that several ways in make: single sign-on, provisioning from the identity provider, the admin
and the coordinator's pages.

Who may make them is checked by the caller: single sign-on acts on the provider's word, provisioning on a region's
key, the admin on Django's staff permissions. Each change is saved with a history row whose reason says which way
it came (``_change_reason``), since no one may be logged in.

A person who loses access loses it at once: ``user_deactivate`` ends their sessions, and every app that hands a
person a credential of their own revokes it through the hooks registered with ``on_access_end`` (apps above
accounts register in their ``AppConfig.ready()``; accounts cannot import them). Their records and history stay.
"""

import logging
import re
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from fagnett.accounts.models import User
from fagnett.organisations.models import HealthTrust, Region

logger = logging.getLogger(__name__)

AccessEndHook = Callable[[User], object]
_access_end_hooks: list[AccessEndHook] = []


def on_access_end(hook: AccessEndHook) -> AccessEndHook:
    """Register ``hook(person)``, called in the transaction that closes a person's access (e.g. revoking their
    calendar addresses). Usable as a decorator; registering the same function twice registers it once."""
    if hook not in _access_end_hooks:
        _access_end_hooks.append(hook)
    return hook


def user_sessions_end(person: User) -> None:
    """End every session the person is logged in with, on every device.

    Sessions are signed cookies (no table to delete them from): the person's session epoch goes one higher, which
    changes the auth hash each session carries, so Django's ``get_user`` refuses every cookie issued before.
    """
    User._base_manager.filter(pk=person.pk).update(session_epoch=F("session_epoch") + 1)
    person.session_epoch += 1


def user_access_end(person: User) -> None:
    """What follows when a person's access closes, by whatever way ``is_active`` was turned off."""
    user_sessions_end(person)
    for hook in _access_end_hooks:
        hook(person)
    logger.info("Access of person %s closed: sessions ended", person.pk)


@transaction.atomic
def user_deactivate(*, person: User, reason: str) -> bool:
    """Close the person's access: they cannot log in (password or single sign-on), their sessions end and their own
    keys stop working. Their appointments, cases, minutes and history stay. Returns False if already closed."""
    if not person.is_active:
        return False
    person.is_active = False
    person._change_reason = reason  # type: ignore[attr-defined]
    person.save(update_fields=["is_active"])
    user_access_end(person)
    return True


@transaction.atomic
def user_reactivate(*, person: User, reason: str) -> bool:
    """Open the person's access again (keys revoked when it closed stay revoked). False if already open."""
    if person.is_active:
        return False
    person.is_active = True
    person._change_reason = reason  # type: ignore[attr-defined]
    person.save(update_fields=["is_active"])
    return True


def user_language_set(*, person: User, language: str) -> None:
    """Keep the language a person chose for pages and e-mail."""
    if language not in dict(settings.LANGUAGES):
        raise ValidationError({"language": _("Choose one of the languages offered.")})
    if person.language != language:
        person.language = language
        person.save(update_fields=["language"])


@transaction.atomic
def user_settings_update(*, person: User, language: str, notifications: str) -> None:
    """The person's own settings: the language of pages and e-mail, and how notifications come (at once, or
    gathered in a daily digest). Saved with a history row like every change of a person."""
    errors = {}
    if language not in dict(settings.LANGUAGES):
        errors["language"] = _("Choose one of the languages offered.")
    if notifications not in dict(User._meta.get_field("notifications").choices or ()):
        errors["notifications"] = _("Choose how you want to get notifications.")
    if errors:
        raise ValidationError(errors)
    changed = [
        name
        for name, value in (("language", language), ("notifications", notifications))
        if getattr(person, name) != value
    ]
    if not changed:
        return
    person.language, person.notifications = language, notifications
    person._change_reason = "own settings"  # type: ignore[attr-defined]
    person.save(update_fields=changed)


_NOT_IN_USERNAME = re.compile(r"[^\w.@+-]+")


def unique_username(hint: str) -> str:
    """A free username made from ``hint`` (an e-mail address, an identifier): only the characters Django allows."""
    base = _NOT_IN_USERNAME.sub("-", hint.strip()).strip("-.")[:140] or "person"
    candidate, n = base, 1
    while User.objects.filter(username__iexact=candidate).exists():
        n += 1
        candidate = f"{base}-{n}"
    return candidate


@transaction.atomic
def employee_create(
    *,
    reason: str,
    username: str,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    title: str = "",
    trust: HealthTrust | None = None,
    region_employer: Region | None = None,
    sso_identifier: str = "",
) -> User:
    """A person employed by ``trust`` (or the RHF) with no role: roles and appointments come from the coordinator,
    the fagsjef or the nomination. They log in with single sign-on only (no usable password).

    Raises ``ValidationError`` (from ``full_clean``: an identity number in a name, a taken username or identifier).
    """
    person = User(
        username=username,
        email=email,
        first_name=first_name[:150],
        last_name=last_name[:150],
        title=title[:150],
        trust=trust,
        region_employer=region_employer,
        sso_identifier=sso_identifier,
    )
    person.set_unusable_password()
    person.full_clean()
    person._change_reason = reason  # type: ignore[attr-defined]
    person.save()
    return person


def user_update_from_provider(person: User, changes: dict[str, Any], *, reason: str) -> list[str]:
    """Save what the identity provider says differently (names, e-mail, title, employer…); returns the fields changed.

    Raises ``ValidationError`` and saves nothing if a value is refused (an identity number, a taken identifier).
    """
    changed = [name for name, value in changes.items() if getattr(person, name) != value]
    if not changed:
        return []
    before = {name: getattr(person, name) for name in changed}
    for name in changed:
        setattr(person, name, changes[name])
    try:
        person.full_clean(exclude=[f.name for f in User._meta.fields if f.name not in changed])
    except ValidationError:
        for name, value in before.items():
            setattr(person, name, value)
        raise
    person._change_reason = reason  # type: ignore[attr-defined]
    person.save(update_fields=changed)
    return changed
