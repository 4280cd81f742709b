"""The e-mail outbox with real parts (``core/mail.py``, docs/ARCHITECTURE.md "E-mail").

The first test is the issue's: real ``manage.py db_worker`` processes take the jobs from the database queue and talk
to a real SMTP server (aiosmtpd) on a fixed port of 127.0.0.1, which is down for a minute and then started again;
every mail must then arrive exactly once. The workers share the test's database: on PostgreSQL the test database
itself, on SQLite a file the test copies its in-memory database to (``shared_database``). The other tests run the
job at once (the tests' ImmediateBackend) or not at all (DummyBackend) to look at one rule each: a rollback sends
nothing, a job run twice sends once, a 4xx is tried again after a growing wait, a 5xx or too many attempts fail for
good, and the sweep finds what lost its job.
"""

import copy
import datetime
import email
import email.policy
import html
import io
import logging
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from aiosmtpd.controller import Controller
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.utils import load_backend
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from fagnett.cases import services as cases
from fagnett.cases.tests.factories import make_case
from fagnett.core.mail import (
    mail_on_commit,
    oldest_pending_age,
    outbox_send,
    pending_counts,
    send_queued_mail,
)
from fagnett.core.models import OutboundMail
from fagnett.meetings.tests.factories import make_meeting
from tests.factories import Inbox, World, free_port

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[1]
DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
NO_JOBS_RUN = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
#: The issue's outage: "the SMTP server down for a minute".
OUTAGE_SECONDS = 60
#: The workers' back-off: 1 s, doubling, at most 8 s, so a minute holds several attempts and the return is seen soon.
WORKER_RETRY_DELAY, WORKER_RETRY_MAX_DELAY = 1, 8


# --- Real parts ------------------------------------------------------------------------------------------------------


@pytest.fixture
def shared_database(transactional_db: None, tmp_path: Path) -> Iterator[str]:
    """A DATABASE_URL for another process that reaches the very database this test uses.

    PostgreSQL: the test database. SQLite: the test database is in memory, which no other process can open, so it
    is copied (with SQLite's backup API) to a file, and for this test the default connection is one to that file,
    for this thread only, as Django's test framework allows for connections made in a test. Afterwards the in-memory
    database is the default again and is flushed as after any transactional test.
    """
    original = connections[DEFAULT_DB_ALIAS]
    settings_dict = original.settings_dict
    if original.vendor == "postgresql":
        user, password = quote(settings_dict["USER"], safe=""), quote(settings_dict["PASSWORD"], safe="")
        yield f"postgres://{user}:{password}@{settings_dict['HOST']}:{settings_dict['PORT']}/{settings_dict['NAME']}"
        return
    path = tmp_path / "shared.sqlite3"
    original.ensure_connection()
    with sqlite3.connect(path) as copy_of_it:
        original.connection.backup(copy_of_it)
    file_settings = copy.deepcopy(settings_dict)
    file_settings["NAME"] = str(path)
    shared = load_backend(file_settings["ENGINE"]).DatabaseWrapper(file_settings, DEFAULT_DB_ALIAS)
    connections[DEFAULT_DB_ALIAS] = shared
    try:
        yield f"sqlite:///{path}"
    finally:
        shared.close()
        connections[DEFAULT_DB_ALIAS] = original


class MailServer:
    """A real SMTP server on one fixed port of 127.0.0.1 that can be stopped and started again, keeping what it
    received across restarts (one ``Inbox``)."""

    def __init__(self) -> None:
        self.port = free_port()
        self.inbox = Inbox()
        self._controller: Controller | None = None

    def start(self) -> None:
        self._controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def recipients(self) -> list[str]:
        return sorted(rcpt for _sender, rcpts, _raw in self.inbox.messages for rcpt in rcpts)

    def message_ids(self) -> list[str]:
        return [
            str(email.message_from_bytes(raw, policy=email.policy.default)["Message-ID"])
            for _sender, _rcpts, raw in self.inbox.messages
        ]


@pytest.fixture
def mail_server() -> Iterator[MailServer]:
    """Not started: the test starts (and stops) it when it wants."""
    server = MailServer()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def start_workers(
    shared_database: str, mail_server: MailServer, settings: Any, tmp_path: Path
) -> Iterator[Callable[[int], None]]:
    """``start_workers(n)``: n ``manage.py db_worker`` processes on the shared database, sending to ``mail_server``.

    This process enqueues into the same database queue; the workers are stopped (SIGTERM, as systemd does) after the
    test, and their output is shown when it fails.
    """
    settings.TASKS = DATABASE_QUEUE
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.outbox_worker_settings",
        "DATABASE_URL": shared_database,
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(mail_server.port),
        "EMAIL_TIMEOUT": "5",
        "FAGNETT_MAIL_RETRY_DELAY": str(WORKER_RETRY_DELAY),
        "FAGNETT_MAIL_RETRY_MAX_DELAY": str(WORKER_RETRY_MAX_DELAY),
    }
    processes: list[tuple[subprocess.Popen[bytes], Path]] = []

    def start(count: int) -> None:
        for number in range(count):
            log = tmp_path / f"worker-{len(processes) + number}.log"
            command = [sys.executable, "manage.py", "db_worker", "--queue-name", "*", "--interval", "0.2"]
            command += ["--no-startup-delay", "--no-reload", "--worker-id", f"outbox-test-{number}", "-v", "2"]
            with log.open("wb") as output:
                process = subprocess.Popen(command, cwd=ROOT, env=environment, stdout=output, stderr=subprocess.STDOUT)
            processes.append((process, log))

    try:
        yield start
    finally:
        for process, _log in processes:
            process.send_signal(signal.SIGTERM)
        for process, log in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            sys.stdout.write(f"\n--- {log.name} (exit {process.returncode})\n{log.read_text(errors='replace')[-4000:]}")


def wait_for(condition: Callable[[], bool], *, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"after {seconds} s still waiting for {what}")
        time.sleep(0.25)


def _outbox() -> list[OutboundMail]:
    return list(OutboundMail.objects.order_by("pk"))


def _jobs_left() -> int:
    """Send jobs not finished, deferred retries included."""
    return DBTaskResult.objects.filter(task_path=send_queued_mail.module_path, status__in=["READY", "RUNNING"]).count()


# --- The test -----------------------------------------------------------------------------------------------


def test_with_the_mail_server_down_for_a_minute_every_mail_is_delivered_once_after_it_comes_back(
    shared_database: str, world: World, client: Client, mail_server: MailServer, start_workers: Any
) -> None:
    start_workers(2)  # two, so two jobs for one mail can race
    down_since = time.monotonic()
    # Mails from real flows, each committed with its change: a meeting invitation (calendar part) to everyone
    # appointed, posted as the secretary does; a case submitted, then accepted.
    meeting = make_meeting(world.network)
    client.force_login(world["secretary"])
    assert client.post(f"/meetings/{meeting.pk}/invite/").status_code == 302
    data = {"title": "Lik praksis", "description": "Ulik mobilisering.", "wanted": "En anbefaling."}
    case = cases.case_submit(user=world["employee"], data=data, network=world.network)
    cases.case_accept(user=world["leader"], case=case)
    expected = sorted(OutboundMail.objects.values_list("recipient", flat=True))
    assert len(expected) >= 6 and "employee@example.org" in expected

    # Down: each attempt fails, is counted, and the mail waits for the next.
    wait_for(
        lambda: all(mail.attempts >= 2 for mail in _outbox()), seconds=30, what="two failed attempts at every mail"
    )
    # An operator's flush while the server is down queues more jobs for the same mails: more chances to send twice.
    call_command("mail_flush", "--now", stdout=io.StringIO())
    time.sleep(max(0.0, OUTAGE_SECONDS - (time.monotonic() - down_since)))
    during = _outbox()
    assert {mail.status for mail in during} <= {OutboundMail.Status.QUEUED, OutboundMail.Status.SENDING}
    assert all(mail.sent_at is None for mail in during) and mail_server.inbox.messages == []
    assert min(mail.attempts for mail in during) >= 5, [mail.attempts for mail in during]
    assert all("ConnectionRefusedError" in mail.last_error for mail in during)

    mail_server.start()
    wait_for(
        lambda: all(mail.status == OutboundMail.Status.SENT for mail in _outbox()),
        seconds=WORKER_RETRY_MAX_DELAY + 30,
        what="every mail sent",
    )
    # Every job still waiting (retries, the flush's extra ones) runs and finds nothing left to send.
    wait_for(lambda: _jobs_left() == 0, seconds=WORKER_RETRY_MAX_DELAY + 30, what="the remaining jobs")

    assert mail_server.recipients() == expected, "each recipient got their mail exactly once"
    delivered_ids = mail_server.message_ids()
    assert len(set(delivered_ids)) == len(delivered_ids) == len(expected)
    assert set(delivered_ids) == set(OutboundMail.objects.values_list("message_id", flat=True))
    invitation = next(
        email.message_from_bytes(raw, policy=email.policy.default)
        for _sender, rcpts, raw in mail_server.inbox.messages
        if rcpts == ["member@example.org"]
    )
    assert "text/calendar" in {part.get_content_type() for part in invitation.walk()}, "kept whole in the outbox"


# --- One rule each ---------------------------------------------------------------------------------------------------


def _mail_case(world: World, *people: str) -> None:
    case = make_case(world)
    mail_on_commit(recipients=[world[name] for name in people], template="case_received", context={"case": case})


def _due(mail: OutboundMail) -> None:
    """As if the wait were over: the clock cannot be waited for here."""
    OutboundMail.objects.filter(pk=mail.pk).update(next_attempt_at=timezone.now())


def test_a_rollback_after_the_mail_was_queued_leaves_no_mail_and_sends_nothing(
    world: World, smtp_server: Inbox
) -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        _mail_case(world, "employee")
        assert OutboundMail.objects.count() == 1, "queued inside the transaction"
        raise RuntimeError("the change fails after its mail was queued")

    assert OutboundMail.objects.count() == 0 and smtp_server.messages == []
    # The same change committed does send, so the test above could have seen a mail.
    with transaction.atomic():
        _mail_case(world, "employee")
    assert [rcpts for _sender, rcpts, _raw in smtp_server.messages] == [["employee@example.org"]]


def test_a_job_run_twice_sends_each_mail_once(world: World, smtp_server: Inbox, settings: Any) -> None:
    settings.TASKS = NO_JOBS_RUN
    _mail_case(world, "employee", "coordinator")
    ids = list(OutboundMail.objects.values_list("pk", flat=True))
    settings.TASKS = IMMEDIATE

    first, second = send_queued_mail.enqueue(ids), send_queued_mail.enqueue(ids)

    assert (first.return_value, second.return_value) == (2, 0)
    assert sorted(rcpt for _s, rcpts, _r in smtp_server.messages for rcpt in rcpts) == [
        "coordinator@example.org",
        "employee@example.org",
    ]
    assert all(mail.status == OutboundMail.Status.SENT and mail.attempts == 1 for mail in _outbox())


def test_a_server_saying_try_later_gets_the_mail_again_after_a_doubling_wait(
    world: World, smtp_server: Inbox, settings: Any
) -> None:
    settings.FAGNETT_MAIL_RETRY_DELAY, settings.FAGNETT_MAIL_RETRY_MAX_DELAY = 60, 240
    smtp_server.defer = {"employee@example.org"}

    _mail_case(world, "employee")  # the first attempt runs at once (ImmediateBackend): 451

    mail = OutboundMail.objects.get()
    assert (mail.status, mail.attempts) == (OutboundMail.Status.QUEUED, 1) and "451" in mail.last_error
    assert outbox_send([mail.pk]) == 0, "not due yet"
    assert OutboundMail.objects.get().attempts == 1, "a job that came too early did not try"
    waits = []
    for _attempt in range(3):
        _due(mail)
        before = timezone.now()
        assert outbox_send([mail.pk]) == 0
        waits.append(round((OutboundMail.objects.get().next_attempt_at - before).total_seconds()))
    assert waits == [120, 240, 240], "doubling, then capped"
    smtp_server.defer.clear()
    _due(mail)
    assert outbox_send([mail.pk]) == 1
    mail.refresh_from_db()
    assert (mail.status, mail.attempts, mail.last_error) == (OutboundMail.Status.SENT, 5, "")
    assert len(smtp_server.messages) == 1


def test_a_refused_recipient_fails_at_once_and_too_many_attempts_fail_for_good(
    world: World, smtp_server: Inbox, settings: Any, caplog: pytest.LogCaptureFixture
) -> None:
    settings.FAGNETT_MAIL_MAX_ATTEMPTS = 3
    smtp_server.refuse = {"coordinator@example.org"}
    smtp_server.defer = {"employee@example.org"}

    _mail_case(world, "employee", "coordinator")
    refused = OutboundMail.objects.get(recipient="coordinator@example.org")
    deferred = OutboundMail.objects.get(recipient="employee@example.org")
    assert (refused.status, refused.attempts) == (OutboundMail.Status.FAILED, 1) and "550" in refused.last_error
    for _attempt in range(2):
        _due(deferred)
        outbox_send([deferred.pk, refused.pk])
    deferred.refresh_from_db()
    assert (deferred.status, deferred.attempts) == (OutboundMail.Status.FAILED, 3)
    failed = [r.getMessage() for r in caplog.records if r.name == "fagnett.core.mail" and r.levelno == logging.ERROR]
    assert len(failed) == 2 and "employee@example.org failed after 3 attempts" in " ".join(failed)
    assert smtp_server.messages == []
    assert OutboundMail.objects.get(pk=refused.pk).attempts == 1, "a failed mail is not tried again"


def test_a_mail_queued_longer_than_the_give_up_time_fails_at_its_next_failed_attempt(
    world: World, smtp_server: Inbox, settings: Any
) -> None:
    smtp_server.defer = {"employee@example.org"}
    _mail_case(world, "employee")
    mail = OutboundMail.objects.get()
    queued_long_ago = timezone.now() - datetime.timedelta(seconds=settings.FAGNETT_MAIL_GIVE_UP_AFTER + 1)
    OutboundMail.objects.filter(pk=mail.pk).update(queued_at=queued_long_ago, next_attempt_at=timezone.now())

    outbox_send([mail.pk])

    mail.refresh_from_db()
    assert (mail.status, mail.attempts) == (OutboundMail.Status.FAILED, 2)


def test_the_sweep_sends_what_lost_its_job_and_what_a_stopped_worker_held_and_deletes_old_mail(
    world: World, smtp_server: Inbox, settings: Any
) -> None:
    settings.TASKS = NO_JOBS_RUN  # the jobs are lost: nothing runs them
    _mail_case(world, "employee", "coordinator", "leader")
    lost, held, fresh = _outbox()
    now = timezone.now()
    OutboundMail.objects.filter(pk=lost.pk).update(next_attempt_at=now - datetime.timedelta(minutes=10))
    held_since = now - datetime.timedelta(seconds=settings.FAGNETT_MAIL_SENDING_LEASE + 60)
    OutboundMail.objects.filter(pk=held.pk).update(
        status=OutboundMail.Status.SENDING, claimed_at=held_since, attempts=1
    )
    old = OutboundMail.objects.create(
        message_id="<old@fagnett.example.no>",
        template="case_received",
        recipient="old@example.org",
        subject="Old",
        message={},
        status=OutboundMail.Status.SENT,
        queued_at=now - datetime.timedelta(days=settings.FAGNETT_MAIL_KEEP_DAYS + 1),
        sent_at=now - datetime.timedelta(days=settings.FAGNETT_MAIL_KEEP_DAYS + 1),
    )
    settings.TASKS = IMMEDIATE
    out = io.StringIO()

    call_command("mail_flush", stdout=out)

    assert "Queued again 1 stopped mid-send, enqueued 2, deleted 1 old" in out.getvalue()
    assert sorted(rcpt for _s, rcpts, _r in smtp_server.messages for rcpt in rcpts) == [
        "coordinator@example.org",
        "employee@example.org",
    ]
    status = dict(OutboundMail.objects.values_list("pk", "status"))
    assert status == {lost.pk: "sent", held.pk: "sent", fresh.pk: "queued"}, "a fresh mail's job may still come"
    assert not OutboundMail.objects.filter(pk=old.pk).exists()
    assert "1 queued, 0 being sent, 0 failed" in out.getvalue()


def test_pending_counts_and_the_oldest_pending_mail_for_the_metrics(world: World, settings: Any) -> None:
    settings.TASKS = NO_JOBS_RUN
    assert pending_counts() == {"queued": 0, "sending": 0, "failed": 0} and oldest_pending_age() is None
    _mail_case(world, "employee", "coordinator", "leader", "member")
    first, second, third, _fourth = _outbox()
    OutboundMail.objects.filter(pk=first.pk).update(status=OutboundMail.Status.SENT)
    OutboundMail.objects.filter(pk=second.pk).update(status=OutboundMail.Status.FAILED)
    OutboundMail.objects.filter(pk=third.pk).update(
        status=OutboundMail.Status.SENDING, queued_at=timezone.now() - datetime.timedelta(minutes=3)
    )

    assert pending_counts() == {"queued": 1, "sending": 1, "failed": 1}
    age = oldest_pending_age()
    assert age is not None and 175 < age < 240


def test_the_outbox_is_in_the_admin_to_read_only(world: World, client: Client, settings: Any) -> None:
    settings.TASKS = NO_JOBS_RUN
    _mail_case(world, "employee")
    mail = OutboundMail.objects.get()
    admin = get_user_model().objects.create_superuser("outbox-admin", "outbox-admin@example.org", "x-Pass-1234567")
    client.force_login(admin)

    listing = client.get("/admin/core/outboundmail/")
    detail = client.get(f"/admin/core/outboundmail/{mail.pk}/change/")

    assert listing.status_code == 200 and "employee@example.org" in listing.text
    assert detail.status_code == 200 and html.escape(mail.message_id) in detail.text
    assert client.get("/admin/core/outboundmail/add/").status_code == 403
    assert client.post(f"/admin/core/outboundmail/{mail.pk}/delete/", {"post": "yes"}).status_code == 403
    assert OutboundMail.objects.filter(pk=mail.pk).exists()
