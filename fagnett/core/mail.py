"""Every e-mail Fagnett sends goes through here.

A mail is a template pair, ``mail/<template>_subject.txt`` and ``mail/<template>_body.txt``, rendered once per
recipient in the recipient's own language (``User.language``) with ``recipient`` and ``site_url`` in the context, so
``{% absolute_url %}`` (``core/templatetags/mail.py``) makes every link absolute from ``FAGNETT_SITE_URL``. A mail
may carry attachments and a calendar part (an iTIP invitation or cancellation).

Two steps, so the sending can later move to a background job without touching the callers: ``build_messages`` turns
recipients, template and context into messages, and ``send_messages`` sends them, one failure never stopping the
rest. ``mail_on_commit`` does both once the transaction that caused the mail has committed; a mail that cannot be
built or sent then is logged (with its recipient and template) and never turns the committed request into an error.
"""

import logging
import smtplib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation

logger = logging.getLogger(__name__)

#: After this many connections in a row could not be opened, the server is taken to be down: the remaining mails of
#: the batch are logged as not sent without each waiting for ``EMAIL_TIMEOUT`` again.
CONNECTION_ATTEMPTS = 2


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    mimetype: str


@dataclass(frozen=True)
class CalendarPart:
    """An iTIP message (RFC 6047): a ``text/calendar; method=…`` alternative that calendar programs act on, and the
    same file as an ``.ics`` attachment for those that only open attachments. ``method`` must match the file's
    METHOD (REQUEST, CANCEL)."""

    ics: bytes
    method: str
    filename: str = "invitation.ics"


#: One calendar part for everyone, or one made for each recipient (e.g. with them as the attendee).
CalendarFor = CalendarPart | Callable[[Any], CalendarPart] | None


@dataclass(frozen=True)
class OutgoingMail:
    """A built message and what a log line about it names."""

    message: EmailMultiAlternatives
    recipient: str
    template: str


def site_url() -> str:
    """The address people reach Fagnett at (``FAGNETT_SITE_URL``), without a trailing slash."""
    return str(settings.FAGNETT_SITE_URL).rstrip("/")


def language_of(person: Any) -> str:
    """The person's chosen language, or the site's default when they have none (or one no longer offered)."""
    language = getattr(person, "language", "") or ""
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def build_message(
    person: Any,
    *,
    template: str,
    context: dict[str, Any],
    attachments: Sequence[Attachment] = (),
    calendar: CalendarFor = None,
) -> OutgoingMail:
    """One recipient's message: subject and body rendered in their language, then the calendar part and attachments."""
    with translation.override(language_of(person)):
        full_context = {**context, "recipient": person, "site_url": site_url()}
        subject = render_to_string(f"mail/{template}_subject.txt", full_context)
        body = render_to_string(f"mail/{template}_body.txt", full_context)
    message = EmailMultiAlternatives(" ".join(subject.split()), body, None, [person.email])
    part = calendar(person) if callable(calendar) else calendar
    if part is not None:
        message.attach_alternative(part.ics.decode(), f"text/calendar; method={part.method}; charset=UTF-8")
        message.attach(part.filename, part.ics, f"application/ics; method={part.method}")
    for attachment in attachments:
        message.attach(attachment.filename, attachment.content, attachment.mimetype)
    return OutgoingMail(message, person.email, template)


def build_messages(
    *,
    recipients: Iterable[Any],
    template: str,
    context: dict[str, Any],
    attachments: Sequence[Attachment] = (),
    calendar: CalendarFor = None,
) -> list[OutgoingMail]:
    """A message for each recipient with an e-mail address. A message that cannot be built (a template error) is
    logged and left out, so the others still go."""
    mails = []
    for person in recipients:
        if not getattr(person, "email", ""):
            continue
        try:
            mails.append(
                build_message(person, template=template, context=context, attachments=attachments, calendar=calendar)
            )
        except Exception:
            logger.exception("Mail %r to %s could not be built", template, person.email)
    return mails


def send_messages(mails: Iterable[OutgoingMail]) -> int:
    """Send the messages over one connection; returns how many were sent.

    A message that fails is logged with its recipient and template and the next is tried on a fresh connection.
    Nothing is raised: the change that caused the mail is committed, and the person who made it must not get an error
    page for a mail server's trouble.
    """
    connection = get_connection()
    sent = 0
    failed_connections = 0
    for mail in mails:
        if failed_connections >= CONNECTION_ATTEMPTS:
            logger.error("Mail %r to %s was not sent: no mail server", mail.template, mail.recipient)
            continue
        try:
            connection.open()
        except Exception:
            failed_connections += 1
            logger.exception("Mail %r to %s was not sent: no mail server", mail.template, mail.recipient)
            _close(connection)
            continue
        failed_connections = 0
        try:
            sent += connection.send_messages([mail.message]) or 0
        except Exception:
            logger.exception("Mail %r to %s was not sent", mail.template, mail.recipient)
            _close(connection)  # the next message starts on a fresh connection
    _close(connection)
    return sent


def _close(connection: Any) -> None:
    try:
        connection.close()
    except (OSError, smtplib.SMTPException):
        # A dropped connection may fail to say goodbye; the backend has let go of it all the same.
        logger.debug("Closing the mail connection failed", exc_info=True)


def mail_on_commit(
    *,
    recipients: Iterable[Any],
    template: str,
    context: dict[str, Any],
    attachments: Sequence[Attachment] = (),
    calendar: CalendarFor = None,
) -> None:
    """Send ``template`` to each recipient, in their own language, once the transaction commits.

    The recipients are read now; the messages are built and sent after the commit, so they show what was committed.
    """
    people = list(recipients)

    def send() -> None:
        try:
            mails = build_messages(
                recipients=people, template=template, context=context, attachments=attachments, calendar=calendar
            )
            send_messages(mails)
        except Exception:  # a bug here must not undo the committed request either
            logger.exception("Mail %r could not be sent to %d recipients", template, len(people))

    transaction.on_commit(send, robust=True)
