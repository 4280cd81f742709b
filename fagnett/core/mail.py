"""Every e-mail Fagnett sends goes through here: built at once, kept in the outbox, sent by a background job.

A mail is a template pair, ``mail/<template>_subject.txt`` and ``mail/<template>_body.txt``, rendered once per
recipient in the recipient's own language (``User.language``) with ``recipient`` and ``site_url`` in the context, so
``{% absolute_url %}`` (``core/templatetags/mail.py``) makes every link absolute from ``FAGNETT_SITE_URL``. A mail
may carry attachments and a calendar part (an iTIP invitation or cancellation).

The flow (docs/ARCHITECTURE.md, "E-mail"):

1. ``mail_on_commit`` builds the messages (``build_messages``) and ``outbox_queue`` stores each as an
   ``OutboundMail`` row, with its own Message-ID, inside the transaction of the change it tells about: a rollback
   leaves no mail, a commit leaves every mail in the database.
2. When that transaction commits, the job ``send_queued_mail`` is enqueued for the new rows (Django's Tasks API;
   a worker runs it, the tests' ImmediateBackend runs it at once).
3. ``outbox_send`` claims each row with a conditional UPDATE (queued → sending) before it talks to the server, so a
   job run twice, or by two workers at once, sends a mail once; it marks the row sent as soon as the server has
   accepted the message. A server that is down, slow or answers 4xx gets the mail again later (a deferred job, the
   wait doubling up to a cap); a 5xx refusal of the recipient or of the message fails it for good, logged.
4. ``outbox_sweep`` (``manage.py mail_flush``, and the scheduler) queues again what lost its job (a worker that
   died mid-send, a process that ended between commit and enqueue) and deletes old sent and failed rows.
"""

import base64
import datetime
import logging
import re
import smtplib
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from email.utils import formatdate, make_msgid
from functools import partial
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import Count, F
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django_tasks import task

from fagnett.core.models import DigestEntry, NotificationDelivery, OutboundMail

logger = logging.getLogger(__name__)

#: How many mails one job sends over one connection; a long list of recipients is split so several workers share it.
BATCH = 50
#: A queued, due mail older than this is taken to have lost its job and is queued again by the sweep. Queuing a mail
#: twice is harmless (only one job can claim it); the grace keeps the sweep from doubling jobs a busy queue holds.
SWEEP_GRACE = datetime.timedelta(minutes=5)
#: A job may start a little before a retry's time by another host's clock; it still takes the mail.
CLOCK_TOLERANCE = datetime.timedelta(seconds=5)


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


# --- Building ---------------------------------------------------------------------------------------------------------


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
        # Django adds the charset itself: naming it here too would declare it twice in the part's Content-Type.
        message.attach_alternative(part.ics.decode(), f"text/calendar; method={part.method}")
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


def wants_digest(person: Any) -> bool:
    """Whether the person chose to get the notifications that may wait once a day (``User.notifications``)."""
    return getattr(person, "notifications", "") == NotificationDelivery.DAILY_DIGEST


def mail_on_commit(
    *,
    recipients: Iterable[Any],
    template: str,
    context: dict[str, Any],
    attachments: Sequence[Attachment] = (),
    calendar: CalendarFor = None,
    digest: bool = False,
) -> None:
    """Send ``template`` to each recipient, in their own language, once the transaction commits.

    The messages are built now, from the data as the transaction has it, and stored in the outbox within the
    transaction; the job that sends them is enqueued when it commits (``outbox_queue``).

    ``digest=True`` marks a notification that may wait (something to read or act on, not a meeting's calendar
    part nor an answer to the person's own request; docs/ARCHITECTURE.md, "Mail"): a recipient who chose the
    daily digest gets it listed in tomorrow's digest (``core.digest``) instead of a mail of its own.
    """
    if digest and (calendar is not None or attachments):
        raise ValueError("A mail with a calendar part or attachments is sent at once, never held for a digest.")
    people = list(recipients)
    waiting = [person for person in people if digest and wants_digest(person)]
    now_people = [person for person in people if person not in waiting]
    if waiting:
        digest_hold(build_messages(recipients=waiting, template=template, context=context), waiting)
    outbox_queue(
        build_messages(
            recipients=now_people, template=template, context=context, attachments=attachments, calendar=calendar
        )
    )


#: The first link to Fagnett in a body: where the notification asks the person to go.
_LINK = re.compile(r"https?://\S+")


def first_link(body: str) -> str:
    """The first link to Fagnett (``FAGNETT_SITE_URL``) in a mail's body, or "" when it has none."""
    site = site_url()
    return next((link for link in _LINK.findall(body) if link.startswith(site)), "")


def digest_hold(mails: Sequence[OutgoingMail], people: Sequence[Any]) -> list[DigestEntry]:
    """Keep the built messages for the people's next digest instead of sending them: each as its subject and its
    first link, in the transaction of the change it tells about (a rollback leaves none)."""
    by_address = {person.email: person for person in people}
    entries = [
        DigestEntry(
            recipient=by_address[mail.recipient],
            template=mail.template,
            subject=str(mail.message.subject),
            link=first_link(str(mail.message.body))[:500],
        )
        for mail in mails
        if mail.recipient in by_address
    ]
    return DigestEntry.objects.bulk_create(entries)


# --- The outbox -------------------------------------------------------------------------------------------------------


def _serialize(message: EmailMultiAlternatives) -> dict[str, Any]:
    """The message as JSON: what ``_deserialize`` needs to build the same message again for every attempt."""
    attachments = []
    for attachment in message.attachments:
        filename, content, mimetype = attachment  # build_message attaches (filename, content, mimetype) only
        if isinstance(content, str):
            attachments.append({"filename": filename, "mimetype": mimetype, "text": content})
        else:
            encoded = base64.b64encode(content).decode("ascii")
            attachments.append({"filename": filename, "mimetype": mimetype, "base64": encoded})
    return {
        "subject": message.subject,
        "body": message.body,
        "from_email": message.from_email,
        "to": list(message.to),
        "headers": dict(message.extra_headers),
        "alternatives": [[content, mimetype] for content, mimetype in message.alternatives],
        "attachments": attachments,
    }


def _deserialize(data: dict[str, Any]) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        data["subject"], data["body"], data["from_email"], data["to"], headers=data["headers"]
    )
    for content, mimetype in data["alternatives"]:
        message.attach_alternative(content, mimetype)
    for attachment in data["attachments"]:
        content = base64.b64decode(attachment["base64"]) if "base64" in attachment else attachment["text"]
        message.attach(attachment["filename"], content, attachment["mimetype"])
    return message


def outbox_queue(mails: Iterable[OutgoingMail]) -> list[OutboundMail]:
    """Store the messages in the outbox, in the current transaction, and send them once it commits.

    Each gets its Message-ID and Date now, so every attempt sends the same message, and a recipient's mail program
    could tell a copy from a new mail. Outside a transaction the job is enqueued at once.
    """
    now = timezone.now()
    domain = urlsplit(site_url()).hostname or "localhost"
    rows = []
    for mail in mails:
        message = mail.message
        message.extra_headers.setdefault("Message-ID", make_msgid(domain=domain))
        message.extra_headers.setdefault("Date", formatdate(now.timestamp(), localtime=settings.EMAIL_USE_LOCALTIME))
        rows.append(
            OutboundMail(
                message_id=message.extra_headers["Message-ID"],
                template=mail.template,
                recipient=mail.recipient,
                subject=str(message.subject),
                message=_serialize(message),
                queued_at=now,
                next_attempt_at=now,
            )
        )
    if not rows:
        return []
    created = OutboundMail.objects.bulk_create(rows)
    transaction.on_commit(partial(_enqueue, [row.pk for row in created]), robust=True)
    return created


def _enqueue(mail_ids: list[int], run_after: datetime.datetime | None = None) -> None:
    """One job per batch; if the queue cannot take it, the mails stay queued and the sweep enqueues them later."""
    job = send_queued_mail if run_after is None else send_queued_mail.using(run_after=run_after)
    for start in range(0, len(mail_ids), BATCH):
        try:
            job.enqueue(mail_ids[start : start + BATCH])
        except Exception:
            logger.exception("Sending %d queued mails could not be enqueued; the sweep will", len(mail_ids))


@task
def send_queued_mail(mail_ids: list[int]) -> int:
    """The job: send the outbox's mails ``mail_ids`` that are still queued and due; returns how many were sent."""
    return outbox_send(mail_ids)


def _backoff(attempts: int) -> datetime.timedelta:
    """The wait after the ``attempts``-th failed attempt: the first delay, doubled each time, up to the cap."""
    first, cap = settings.FAGNETT_MAIL_RETRY_DELAY, settings.FAGNETT_MAIL_RETRY_MAX_DELAY
    return datetime.timedelta(seconds=min(cap, first * 2 ** min(max(attempts - 1, 0), 30)))


def is_permanent(error: BaseException) -> bool:
    """Whether another attempt cannot help: the server refused this recipient (5xx at RCPT) or this message (5xx
    after DATA), or the message could not be made at all. Everything about the server itself (down, timeouts,
    dropped connections, 4xx, a refused greeting, sender or log-in) is worth another attempt: an operator may fix it.
    """
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _text in error.recipients.values()]
        return bool(codes) and all(code >= 500 for code in codes)
    if isinstance(error, smtplib.SMTPDataError):
        return error.smtp_code >= 500
    return not isinstance(error, OSError | smtplib.SMTPException)


def _claim(mail_id: int, now: datetime.datetime) -> OutboundMail | None:
    """Take the mail for this attempt, or None if it is not queued and due (sent, failed, or taken by another job).

    A conditional UPDATE, so of two jobs racing for one mail exactly one gets it (on PostgreSQL the second waits for
    the first's commit and then finds the row no longer queued; SQLite lets one writer at a time).
    """
    claimed = OutboundMail.objects.filter(
        pk=mail_id, status=OutboundMail.Status.QUEUED, next_attempt_at__lte=now + CLOCK_TOLERANCE
    ).update(status=OutboundMail.Status.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    return OutboundMail.objects.get(pk=mail_id) if claimed else None


def _mark_sent(mail: OutboundMail) -> None:
    updated = OutboundMail.objects.filter(pk=mail.pk, status=OutboundMail.Status.SENDING).update(
        status=OutboundMail.Status.SENT, sent_at=timezone.now(), claimed_at=None, last_error=""
    )
    if not updated:  # only if the sweep took the claim back meanwhile (FAGNETT_MAIL_SENDING_LEASE too short)
        logger.warning("Mail %r to %s was sent but was no longer claimed", mail.template, mail.recipient)


def _after_failure(
    mail: OutboundMail,
    error: BaseException,
    now: datetime.datetime,
    retries: dict[datetime.datetime, list[int]],
    *,
    traceback: bool = True,
) -> None:
    """Queue the mail for a later attempt, or mark it failed when another cannot help or the limits are reached.

    ``traceback=False`` for the rest of a batch the server could not be reached for: one traceback says it.
    """
    exc_info = error if traceback else None
    text = f"{type(error).__name__}: {error}"[:2000]
    given_up = (
        is_permanent(error)
        or mail.attempts >= settings.FAGNETT_MAIL_MAX_ATTEMPTS
        or now - mail.queued_at >= datetime.timedelta(seconds=settings.FAGNETT_MAIL_GIVE_UP_AFTER)
    )
    claimed = OutboundMail.objects.filter(pk=mail.pk, status=OutboundMail.Status.SENDING)
    if given_up:
        claimed.update(status=OutboundMail.Status.FAILED, claimed_at=None, last_error=text)
        logger.error(
            "Mail %r to %s failed after %d attempts: %s",
            mail.template,
            mail.recipient,
            mail.attempts,
            text,
            exc_info=exc_info,
        )
        return
    retry_at = now + _backoff(mail.attempts)
    claimed.update(status=OutboundMail.Status.QUEUED, claimed_at=None, next_attempt_at=retry_at, last_error=text)
    retries[retry_at].append(mail.pk)
    logger.warning(
        "Mail %r to %s was not sent (attempt %d), trying again at %s: %s",
        mail.template,
        mail.recipient,
        mail.attempts,
        retry_at.isoformat(timespec="seconds"),
        text,
        exc_info=exc_info,
    )


def outbox_send(mail_ids: Sequence[int]) -> int:
    """Send those of the mails that are queued and due, over one connection; returns how many the server accepted.

    Nothing is raised for a mail server's trouble: each mail's outcome is in its row and the log. When the server
    cannot be reached, the rest of the batch is put back at once instead of each waiting ``EMAIL_TIMEOUT`` again.
    """
    now = timezone.now()
    retries: dict[datetime.datetime, list[int]] = defaultdict(list)
    connection: Any = None
    unreachable: BaseException | None = None
    sent = 0
    for mail_id in mail_ids:
        mail = _claim(mail_id, now)
        if mail is None:
            continue
        if unreachable is not None:
            _after_failure(mail, unreachable, now, retries, traceback=False)
            continue
        if connection is None:
            connection = get_connection(fail_silently=False)
            try:
                connection.open()
            except Exception as error:
                _close(connection)
                unreachable, connection = error, None
                _after_failure(mail, error, now, retries)
                continue
        try:
            message = _deserialize(mail.message)
            accepted = connection.send_messages([message])
        except Exception as error:
            _close(connection)
            connection = None  # the next mail starts on a fresh connection
            _after_failure(mail, error, now, retries)
            continue
        if accepted:
            _mark_sent(mail)
            sent += 1
        else:  # the backend sent nothing and said nothing: no address it could use
            _after_failure(mail, ValueError("the mail backend sent nothing"), now, retries)
    if connection is not None:
        _close(connection)
    for retry_at, ids in sorted(retries.items()):
        _schedule_retry(ids, retry_at)
    return sent


def _schedule_retry(mail_ids: list[int], retry_at: datetime.datetime) -> None:
    if not send_queued_mail.get_backend().supports_defer:
        # The tests' ImmediateBackend cannot wait (and would recurse); the mails stay queued for the sweep.
        logger.info("%d mails wait for the sweep: the task backend cannot defer a job", len(mail_ids))
        return
    _enqueue(mail_ids, run_after=retry_at)


def _close(connection: Any) -> None:
    try:
        connection.close()
    except (OSError, smtplib.SMTPException):
        # A dropped connection may fail to say goodbye; the backend has let go of it all the same.
        logger.debug("Closing the mail connection failed", exc_info=True)


# --- Sweep and what operators watch -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SweepResult:
    reclaimed: int  #: claimed by a worker that stopped before it finished; queued again
    enqueued: int  #: queued and due with no job in sight, or reclaimed: a job enqueued for each batch
    deleted: int  #: sent or failed longer ago than FAGNETT_MAIL_KEEP_DAYS


def outbox_sweep(*, now: datetime.datetime | None = None, all_now: bool = False) -> SweepResult:
    """Queue again what lost its job, and delete what is old. Safe to run at any time, from any number of hosts.

    A mail claimed for longer than ``FAGNETT_MAIL_SENDING_LEASE`` belongs to a worker that died mid-attempt: it is
    queued again. If that worker died after the server took the message but before the row said so, the recipient
    gets it twice, with the same Message-ID; that window is the time of one UPDATE, the alternative is losing mail.
    ``all_now`` makes every queued mail due at once (after the mail server is fixed, rather than wait for back-off).
    """
    now = now or timezone.now()
    lease = datetime.timedelta(seconds=settings.FAGNETT_MAIL_SENDING_LEASE)
    reclaimed = []
    for mail in OutboundMail.objects.filter(status=OutboundMail.Status.SENDING, claimed_at__lt=now - lease):
        # Conditional, like every change of status: the row is taken back only if it is still the stale claim.
        if OutboundMail.objects.filter(pk=mail.pk, status=mail.status, claimed_at=mail.claimed_at).update(
            status=OutboundMail.Status.QUEUED,
            claimed_at=None,
            next_attempt_at=now,
            last_error="The worker sending it stopped before it finished.",
        ):
            logger.warning("Mail %r to %s was claimed at %s and not finished; queued again", *_named(mail))
            reclaimed.append(mail.pk)
    queued = OutboundMail.objects.filter(status=OutboundMail.Status.QUEUED)
    if all_now:
        queued.update(next_attempt_at=now)
        due = queued
    else:
        due = queued.filter(next_attempt_at__lte=now - SWEEP_GRACE)
    ids = [*reclaimed, *due.exclude(pk__in=reclaimed).order_by("next_attempt_at", "pk").values_list("pk", flat=True)]
    if ids:
        _enqueue(ids)
    keep = now - datetime.timedelta(days=settings.FAGNETT_MAIL_KEEP_DAYS)
    deleted, _by_model = OutboundMail.objects.filter(
        status__in=[OutboundMail.Status.SENT, OutboundMail.Status.FAILED], queued_at__lt=keep
    ).delete()
    return SweepResult(reclaimed=len(reclaimed), enqueued=len(ids), deleted=deleted)


def _named(mail: OutboundMail) -> tuple[str, str, str]:
    claimed = mail.claimed_at.isoformat(timespec="seconds") if mail.claimed_at else "?"
    return mail.template, mail.recipient, claimed


def pending_counts() -> dict[str, int]:
    """How many mails are queued (waiting for their first or next attempt), being sent, and failed for good (kept
    ``FAGNETT_MAIL_KEEP_DAYS``). For the metrics: a queue that only grows, or any failed, is worth an alert."""
    counts = dict(
        OutboundMail.objects.exclude(status=OutboundMail.Status.SENT)
        .values_list("status")
        .annotate(count=Count("pk"))
        .values_list("status", "count")
    )
    return {status: counts.get(status, 0) for status in ("queued", "sending", "failed")}


def oldest_pending_age(now: datetime.datetime | None = None) -> float | None:
    """Seconds since the oldest mail still queued was queued, or None when none is (an alert: mail is not going)."""
    oldest = (
        OutboundMail.objects.filter(status__in=[OutboundMail.Status.QUEUED, OutboundMail.Status.SENDING])
        .order_by("queued_at")
        .values_list("queued_at", flat=True)
        .first()
    )
    return None if oldest is None else ((now or timezone.now()) - oldest).total_seconds()
