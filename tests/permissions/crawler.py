"""The permission crawler: every URL pattern of the project, as every role, against ``expected.txt``.

How a URL is filled: each parameter of the pattern is looked up in ``parameters()`` first as
``"<url name> <parameter>"`` and then as ``"<parameter>"``; the values are objects of region A / network A1 of the
crawl world. A URL with several interesting fillings (an export in several formats, a draft and an approved
version) has ``variants()``: then its rows are ``name[label]``, one per variant.

How a URL is asked: GET as every role; then POST (empty form, no CSRF token; PUT for an API that takes PUT) where
the view takes it, and for views without a method decorator where the GET was refused, to show that a refused
person cannot act either. Every request
runs in a savepoint that is rolled back, so nobody's permitted POST changes the world the next request sees, and
a refused request may not write to the database at all (``connection.execute_wrapper`` watches).

What is compared: the answer per role, written ``login`` for a redirect to the login page and the status code
otherwise; ``GET/POST`` when the two differ. And in every answer with a body (pages, CSV, ICS, JSON, SVG, the
parts of DOCX/XLSX/ZIP files, the HTML a PDF is made from) no sentinel word of ``world.SENTINELS`` may appear for
a role that may not see it.
"""

import base64
import io
import logging
import re
import time
import traceback
import zipfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from unittest import mock
from urllib.parse import parse_qs, urlsplit

from django.conf import settings
from django.db import connection, transaction
from django.http import HttpResponse
from django.test import Client
from django.urls import NoReverseMatch, Resolver404, URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils import timezone

from tests.permissions.world import ROLES, SENTINELS, CrawlWorld

TABLE = Path(__file__).with_name("expected.txt")

# --- Which patterns are walked ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Pattern:
    namespace: str
    url_name: str  # "" for a pattern without a name
    route: str
    parameters: tuple[str, ...]
    callback: Callable[..., Any]

    @property
    def name(self) -> str:
        """The name ``reverse()`` takes, e.g. ``cases:detail``."""
        return f"{self.namespace}:{self.url_name}" if self.namespace else self.url_name


def skip_reason(pattern: Pattern) -> str:
    """Why a pattern is not crawled, or ``""``. Each rule is explicit; everything else is crawled."""
    # Django's admin has its own permission system (is_staff, model permissions) and is tested by Django.
    if pattern.namespace == "admin" or pattern.namespace.startswith("admin:"):
        return "Django admin"
    # Static files and uploads are not served by the project's URLconf in production; uploads are only ever
    # served by views that check permission (cases:attachment, meetings:document), which are crawled.
    if getattr(pattern.callback, "__module__", "") == "django.views.static":
        return "static or media files"
    # Switching the language changes nothing but the person's language; it answers everyone alike.
    if pattern.name == "set_language":
        return "i18n set_language"
    return ""


def _parameter_names(resolver_or_pattern: URLResolver | URLPattern) -> list[str]:
    return list(resolver_or_pattern.pattern.regex.groupindex)


def walk(
    resolver: URLResolver | None = None, namespace: str = "", route: str = "", parameters: tuple[str, ...] = ()
) -> Iterator[Pattern]:
    """Every URL pattern of the project, depth first, in URLconf order."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}:{entry.namespace}" if namespace and entry.namespace else entry.namespace or namespace
            yield from walk(entry, inner, route + str(entry.pattern), (*parameters, *_parameter_names(entry)))
        else:
            parameter_names = (*parameters, *_parameter_names(entry))
            yield Pattern(namespace, entry.name or "", route + str(entry.pattern), parameter_names, entry.callback)


HTTP_METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}


def _methods(names: Iterable[str]) -> str:
    wanted = {name.upper() for name in names} - {"HEAD", "OPTIONS"}
    return "+".join(m for m in ("GET", "POST", "PUT", "PATCH", "DELETE") if m in wanted)


def allowed_methods(pattern: Pattern) -> str:
    """The methods the view answers, as it declares them; ``any`` for a function view without a method decorator.

    A function view declares them with ``require_http_methods`` (and ``require_GET``/``require_POST``), a class-based
    view by the handlers it defines, a django-ninja operation in its route decorator.
    """
    view_class = getattr(pattern.callback, "view_class", None)
    if view_class is not None:
        return _methods(m for m in view_class.http_method_names if hasattr(view_class, m))
    function: Any = pattern.callback
    while function is not None:
        for cell in getattr(function, "__closure__", None) or ():
            try:
                contents = cell.cell_contents
            except ValueError:  # an empty cell
                continue
            if isinstance(contents, list | tuple) and contents and all(m in HTTP_METHODS for m in contents):
                return _methods(contents)
            if type(contents).__name__ == "PathView":  # django-ninja: one operation per method on the path
                for operation in contents.operations:
                    if pattern.url_name in (getattr(operation, "url_name", None), operation.view_func.__name__):
                        return _methods(operation.methods)
        function = getattr(function, "__wrapped__", None)
    return "any"


# --- How each pattern is filled -----------------------------------------------------------------------------------


def parameters(world: CrawlWorld) -> dict[str, Any]:
    """Parameter (or ``"<url name> <parameter>"``) → value, objects of region A / network A1."""
    o = world.objects
    return {
        "network_id": o["network_a1"].pk,
        "networks:mandate_detail version": 1,
        "networks:nomination_decide appointment_id": o["nomination"].pk,
        "networks:appointment_end appointment_id": o["appointment"].pk,
        # the case of network A1 submitted by its member; routing needs the case nobody has routed yet
        "case_id": o["case"].pk,
        "cases:route case_id": o["unrouted_case"].pk,
        "progress:report case_id": o["task"].pk,
        "progress:schedule case_id": o["task"].pk,
        "kind": "user_involvement",
        "attachment_id": o["attachment"].pk,
        "common_case_id": o["common_case"].pk,
        # the coming meeting (agenda, document, invitation); the minutes are those of the held meeting
        "meeting_id": o["meeting"].pk,
        "item_id": o["agenda_item"].pk,
        "meetings:action_item_close item_id": o["action_item"].pk,
        "meetings:action_item_reopen item_id": o["action_item"].pk,
        "meetings:action_item_reassign item_id": o["action_item"].pk,
        "document_id": o["document"].pk,
        **{
            f"meetings:{name} meeting_id": o["held_meeting"].pk
            for name in (
                "minutes_circulate",
                "minutes_comment",
                "minutes_no_remarks",
                "minutes_approve",
                "minutes_correct",
            )
        },
        **{
            f"meetings:{name} version": o["draft_minutes"].version
            for name in (
                "minutes_circulate",
                "minutes_comment",
                "minutes_no_remarks",
                "minutes_approve",
                "minutes_correct",
            )
        },
        "meetings:minutes_export meeting_id": o["held_meeting"].pk,
        "token": o["calendar_feed_token"],
        "feed_id": o["calendar_feed"].pk,
        "token_id": o["api_token"].pk,
        "round_id": o["round"].pk,
        "unit_id": o["unit"].pk,
        "category": "K3",
        "scenario": "normal",
        "name": "composition",
        "procedure_id": o["procedure"].pk,
        "region_id": o["region_a"].pk,
        "year": o["year"],
        "number": 1,
        "topic_id": o["topic"].pk,
        "key_id": o["open_data_key"].pk,
        "event_id": o["event"].pk,
        "registration_id": o["registration"].pk,
        "call_id": o["call"].pk,
        "application_id": o["application"].pk,
        "identity_id": o["trust_identity"].pk,
        "onboarding:template kind": "people",
        "import_id": o["import_done"].pk,
        "onboarding:import_confirm import_id": o["import_preview"].pk,
        "onboarding:import_discard import_id": o["import_preview"].pk,
        "person_id": o["person"].pk,
        "download_id": o["download"].pk,
        "people:region_role_remove role_id": o["person_region_role"].pk,
        "people:trust_role_remove role_id": o["person_trust_role"].pk,
        "provisioning:scim_key_revoke key_id": o["scim_key"].pk,
        # SCIM answers only to a region's key, which no person of the table has: every answer is 401.
        "scim:users uuid": o["scim_group"].members.get().pk,
        "scim:groups uuid": o["scim_group"].pk,
        "scim:resource-types uuid": "User",
        "scim:schemas uuid": "urn:ietf:params:scim:schemas:core:2.0:User",
    }


#: query-string key in a variant
QUERY = "?"


def variants(world: CrawlWorld) -> dict[str, dict[str, dict[str, Any]]]:
    """URL name → label → parameters that differ from ``parameters()``; such a URL has one row per label."""
    o = world.objects
    held = o["held_meeting"].pk
    open_meeting = o["held_meeting_a2"].pk
    return {
        "cases:list": {"all": {}, "search": {QUERY: "q=ECMO"}},
        "cases:detail": {"a1": {}, "unrouted": {"case_id": o["unrouted_case"].pk}},
        "meetings:export": {fmt: {"fmt": fmt} for fmt in ("ics", "pdf", "docx")},
        "reports:network_report_export": {fmt: {"fmt": fmt} for fmt in ("pdf", "docx")},
        "meetings:minutes": {
            "approved": {"meeting_id": held, "version": o["approved_minutes"].version},
            "draft": {"meeting_id": held, "version": o["draft_minutes"].version},
            # A2's approved minutes, which the whole region reads, with a case of A2 on them
            "open": {"meeting_id": open_meeting, "version": o["open_minutes"].version},
        },
        "meetings:minutes_export": {
            "approved.pdf": {"version": o["approved_minutes"].version, "fmt": "pdf"},
            "draft.docx": {"version": o["draft_minutes"].version, "fmt": "docx"},
            **{
                f"open.{fmt}": {"meeting_id": open_meeting, "version": o["open_minutes"].version, "fmt": fmt}
                for fmt in ("pdf", "docx")
            },
        },
        "capacity:unit_report": {"own-trust": {}, "other-trust": {"unit_id": o["other_unit"].pk}},
        "capacity:situation_file": {"own-trust": {}, "other-trust": {"unit_id": o["other_unit"].pk}},
        "capacity:export": {fmt: {"fmt": fmt} for fmt in ("csv", "xlsx")},
        "capacity:recommendation": {fmt: {"fmt": fmt} for fmt in ("docx", "pdf")},
        "capacity:recommendation_sent": {fmt: {"fmt": fmt} for fmt in ("docx", "pdf")},
        "events:detail": {"invited": {}, "planned": {"event_id": o["planned_event"].pk}},
        "events:registrations_export": {fmt: {"fmt": fmt} for fmt in ("csv", "xlsx")},
        "meetings:followup_export": {fmt: {"fmt": fmt} for fmt in ("csv", "xlsx")},
        "archive:export": {
            "form": {},
            "zip": {QUERY: f"start={o['year']}-01-01&end={timezone.localdate()}"},
        },
        # The history of a record shows what it said before: it must be as closed as the record itself.
        "audit:history": {
            kind: {"kind": kind, "record_id": o[name].pk}
            for kind, name in (
                ("case", "case"),
                ("minutes", "draft_minutes"),
                ("meeting", "meeting"),
                ("action-item", "action_item"),
                ("mandate", "mandate"),
                ("appointment", "appointment"),
                ("network-report", "network_report"),
                ("regional-report", "regional_draft"),
                ("capacity-entry", "entry"),
                ("capacity-recommendation", "recommendation"),
                ("person", "person"),
            )
        }
        # A2's approved minutes, which the region reads: their history must hide the case on them as the page does.
        | {"open-minutes": {"kind": "minutes", "record_id": o["open_minutes"].pk}},
        "audit:region_log_export": {fmt: {"fmt": fmt} for fmt in ("csv", "xlsx")},
        "onboarding:import_detail": {"preview": {"import_id": o["import_preview"].pk}, "done": {}},
    }


#: URLs whose answer is somebody else's content whoever asks: the secret token in the URL is the credential.
CONTENT_OF = {"meetings:calendar_feed": "memA1"}


@dataclass(frozen=True)
class Row:
    key: str  # the table's first column: the URL name, with ``[variant]`` where it has variants
    name: str
    url: str
    methods: str


def rows(world: CrawlWorld) -> tuple[list[Row], list[str]]:
    """The rows to crawl and, separately, every pattern that could not be filled (with the reason)."""
    values = parameters(world)
    all_variants = variants(world)
    result: list[Row] = []
    problems: list[str] = []
    names: set[str] = set()
    for pattern in walk():
        if skip_reason(pattern):
            continue
        if not pattern.url_name:
            problems.append(f"{pattern.route}: give the pattern a name, so the table can have a row for it")
            continue
        names.add(pattern.name)
        methods = allowed_methods(pattern)
        fillings = all_variants.get(pattern.name, {"": {}})
        for label, overrides in fillings.items():
            kwargs: dict[str, Any] = {}
            missing = []
            for parameter in pattern.parameters:
                if parameter in overrides:
                    kwargs[parameter] = overrides[parameter]
                elif f"{pattern.name} {parameter}" in values:
                    kwargs[parameter] = values[f"{pattern.name} {parameter}"]
                elif parameter in values:
                    kwargs[parameter] = values[parameter]
                else:
                    missing.append(parameter)
            key = f"{pattern.name}[{label}]" if label else pattern.name
            if missing:
                problems.append(
                    f"{key} ({pattern.route}): no value for the parameter(s) {', '.join(missing)}. Add "
                    f'"{missing[0]}" (or "{pattern.name} {missing[0]}" if the name means something else here) '
                    "to parameters() in tests/permissions/crawler.py, or variants for it."
                )
                continue
            try:
                url = reverse(pattern.name, kwargs=kwargs)
            except NoReverseMatch as error:
                problems.append(f"{key} ({pattern.route}): the values do not fit the pattern: {error}")
                continue
            if QUERY in overrides:
                url = f"{url}?{overrides[QUERY]}"
            result.append(Row(key, pattern.name, url, methods))
    # Entries for URL names that no longer exist would silently stop applying: say so.
    for key in [k for k in values if " " in k] + list(all_variants):
        if key.split(" ")[0] not in names:
            problems.append(f"{key!r} in tests/permissions/crawler.py names no URL pattern (renamed or removed?)")
    return result, problems


# --- Asking -------------------------------------------------------------------------------------------------------

LOGIN = "login"
#: answers that refuse: the request may change nothing
REFUSALS = {LOGIN, "401", "403", "404", "405"}
#: tables a refused request may still write to
WRITES_ALLOWED_ON_REFUSAL = {
    "django_session",
    # A cache, not the records: a draft report's statistics computed for a person allowed to read the report
    # (reports.freshness), kept even when what they then asked for does not exist (an appendix number: 404).
    "reports_statisticssnapshot",
    "reports_statisticschange",
}
#: logging out is no refusal, though it ends on the login page: it ends the person's sessions by writing their session
#: epoch (sessions are signed cookies: accounts.User.session_epoch)
LOGOUTS = {"logout", "oidc_logout"}
_WRITE = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM|REPLACE\s+INTO)\s+"?([\w.]+)"?', re.IGNORECASE)


@dataclass
class Answer:
    outcome: str  # "login" or the status code
    body: str  # lower-cased text searched for sentinels ("" for redirects and binary files)
    writes: list[str]
    error: str = ""  # the exception behind a 500, with where it was raised


@dataclass
class Observed:
    get: str
    post: str | None = None

    @property
    def cell(self) -> str:
        return format_cell(self.get, self.post)


@dataclass
class CrawlResult:
    rows: list[Row]
    problems: list[str]
    observed: dict[str, dict[str, Observed]] = field(default_factory=dict)
    leaks: list[str] = field(default_factory=list)
    writes: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    requests: int = 0
    #: sentinel word → the roles in whose answers it appeared (it must appear somewhere, or it proves nothing)
    seen: dict[str, set[str]] = field(default_factory=dict)
    #: (CPU seconds, row, role, method, outcome) of every request, to find what makes the crawl slow
    timings: list[tuple[float, str, str, str, str]] = field(default_factory=list)

    def __repr__(self) -> str:  # pytest shows the fixture in a failure; the message says what matters
        return f"<CrawlResult: {len(self.rows)} rows, {self.requests} requests>"


class _HtmlBehindPdfHeader:
    """Stands in for ``weasyprint.HTML`` during the crawl: laying out a PDF takes seconds, and the crawl asks
    for every PDF as every role. The views, their permission checks and the document building all run; the
    "PDF" is the HTML WeasyPrint would have laid out, behind a PDF header, so the leak check reads it."""

    def __init__(self, string: str = "", **_kwargs: Any) -> None:
        self.html = string

    def write_pdf(self, *_args: Any, **_kwargs: Any) -> bytes:
        return b"%PDF-1.7\n% crawler: the HTML WeasyPrint would lay out follows\n" + self.html.encode()


#: the smallest valid PNG (one transparent pixel)
_PIXEL = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII="
)


def _savefig_without_raster(original: Callable[..., Any]) -> Callable[..., Any]:
    """``Figure.savefig`` that writes a one-pixel PNG instead of rasterising the chart (the charts in DOCX and PDF
    files are pictures the leak check cannot read anyway; the SVG charts, whose text it reads, are drawn)."""

    def savefig(figure: Any, target: Any, *args: Any, **kwargs: Any) -> Any:
        if kwargs.get("format") == "png":
            target.write(_PIXEL)
            return None
        return original(figure, target, *args, **kwargs)

    return savefig


@contextmanager
def _fast_documents() -> Iterator[None]:
    """The crawl asks for every PDF, DOCX and chart as every role that may read it; making them takes most of the
    time. WeasyPrint's layout, matplotlib's tight layout and PNG rasterising only place text and pixels, so they
    are skipped; everything else (the views, their permission checks, the data and the document text) runs."""
    from matplotlib.figure import Figure

    with (
        mock.patch("weasyprint.HTML", _HtmlBehindPdfHeader),
        # what core.pdf does to a laid-out PDF (header cells' scope) needs a real one; the stand-in is not
        mock.patch("fagnett.core.pdf._scope_table_headers", lambda pdf: pdf),
        mock.patch.object(Figure, "tight_layout", lambda figure, *args, **kwargs: None),
        mock.patch.object(Figure, "savefig", _savefig_without_raster(Figure.savefig)),
    ):
        yield


def text_of(response: HttpResponse, content: bytes) -> str:
    """The readable text of an answer, lower-cased, for the sentinel search."""
    if content.startswith(b"PK\x03\x04"):  # DOCX, XLSX, ZIP: every part that is text
        parts = []
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            for member in archive.namelist():
                data = archive.read(member)
                if member.startswith(("[Content_Types]", "_rels/")) or data.startswith(b"\x89PNG"):
                    continue
                parts.append(data.decode("utf-8", "ignore"))
        return "\n".join(parts).lower()
    content_type = response.get("Content-Type", "")
    if content_type.startswith(("image/png", "image/jpeg")):
        return ""
    text = content.decode("utf-8", "ignore")
    if "calendar" in content_type:
        text = text.replace("\r\n ", "").replace("\r\n\t", "")  # unfold iCalendar lines
    return text.lower()


@contextmanager
def _watch_writes(writes: list[str]) -> Iterator[None]:
    def watcher(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        match = _WRITE.match(sql)
        if match:
            writes.append(match.group(1))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(watcher):
        yield


@contextmanager
def _quiet(*names: str) -> Iterator[None]:
    loggers = [logging.getLogger(name) for name in names]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


def ask(client: Client, method: str, url: str) -> Answer:
    """One request in a savepoint that is rolled back afterwards, with the cookies put back as they were."""
    session_cookie = client.cookies.get(settings.SESSION_COOKIE_NAME)
    writes: list[str] = []
    savepoint = transaction.savepoint()
    try:
        with _watch_writes(writes):
            response: Any = (
                client.post(url, _form_of(url))
                if method == "POST"
                else client.put(url)
                if method == "PUT"
                else client.get(url)
            )
            # The test client closes the response itself (a streamed one once it is read to the end).
            content = b"".join(response.streaming_content) if response.streaming else response.content
            made = _made_by_job(client, response)
    finally:
        transaction.savepoint_rollback(savepoint)
        client.cookies = SimpleCookie()
        if session_cookie is not None:
            client.cookies[settings.SESSION_COOKIE_NAME] = session_cookie.value
    if response.status_code in (301, 302, 303, 307, 308):
        location = response.get("Location", "")
        outcome = LOGIN if location.startswith(reverse("login")) else str(response.status_code)
        return Answer(outcome, made, writes)
    return Answer(str(response.status_code), text_of(response, content), writes, _error_of(response))


def _form_of(url: str) -> dict[str, list[str]]:
    """A POST carries the variant's query as its form too: an export whose form posts its period (the archive
    extract) is asked with the period its GET variant names."""
    return parse_qs(urlsplit(url).query)


def _made_by_job(client: Client, response: Any) -> str:
    """An export that answers with a background job's page (``core.downloads``): the text of the file the job made
    (the tests' tasks backend runs it at once), read from the download's own address, so the leak check reads it
    as it reads a file answered at once."""
    if response.status_code != 302:
        return ""
    try:
        match = resolve(urlsplit(response["Location"]).path)
    except Resolver404:
        return ""
    if match.view_name != "downloads:detail":
        return ""
    answer: Any = client.get(reverse("downloads:file", args=[match.kwargs["download_id"]]))
    if answer.status_code != 200:
        page = client.get(response["Location"])
        return page.content.decode("utf-8", "ignore").lower()  # a failed job: its message
    content = b"".join(answer.streaming_content)
    return text_of(answer, content)


def _error_of(response: Any) -> str:
    exc_info = getattr(response, "exc_info", None)
    if not exc_info:
        return ""
    _type, error, trace = exc_info
    last = traceback.extract_tb(trace)[-1]
    return f"{type(error).__name__}: {error} ({last.filename}:{last.lineno})"


def write_method(methods: str, get_outcome: str) -> str | None:
    """The method to try after the GET (``POST``, or ``PUT`` for an API that takes it), or None."""
    if methods == "any":
        # A view without a method decorator treats POST as GET; ask only where the GET was refused, to show
        # that the refused person cannot act either.
        return "POST" if get_outcome in REFUSALS else None
    # A view that takes only GET answers anything else with 405 from its decorator: nothing to learn.
    return next((m for m in methods.split("+") if m != "GET"), None)


def leaks_in(body: str, role: str) -> list[str]:
    return [word for word, allowed in SENTINELS.items() if role not in allowed and word in body]


def crawl(world: CrawlWorld, only: tuple[str, ...] | None = None) -> CrawlResult:
    """Ask every row (or those whose key starts with one of ``only``) as every role.

    Must run inside a transaction: the caller rolls the world back afterwards.
    """
    all_rows, problems = rows(world)
    result = CrawlResult([r for r in all_rows if only is None or r.key.startswith(only)], problems)
    clients: dict[str, Client] = {}
    for role in ROLES:
        client = Client(raise_request_exception=False)
        person = world.people[role]
        if person is not None:
            client.force_login(person)
        clients[role] = client
    # Refusals are logged as warnings by django.request; thousands of them would bury the test's own report.
    with _fast_documents(), _quiet("django.request", "django.security"):
        for row in result.rows:
            observed: dict[str, Observed] = {}
            for role, client in clients.items():
                started = time.process_time()
                answers = {"GET": ask(client, "GET", row.url)}
                result.timings.append((time.process_time() - started, row.key, role, "GET", answers["GET"].outcome))
                write = write_method(row.methods, answers["GET"].outcome)
                if write is not None:
                    started = time.process_time()
                    answers[write] = ask(client, write, row.url)
                    result.timings.append((time.process_time() - started, row.key, role, write, answers[write].outcome))
                result.requests += len(answers)
                observed[role] = Observed(answers["GET"].outcome, answers[write].outcome if write else None)
                reader = CONTENT_OF.get(row.name, role)
                for method, answer in answers.items():
                    for word in leaks_in(answer.body, reader):
                        result.leaks.append(f"{row.key} ({method} {row.url}) as {role}: the answer contains {word!r}")
                    for word in SENTINELS:
                        if word in answer.body:
                            result.seen.setdefault(word, set()).add(reader)
                    if answer.error:
                        result.errors.append(f"{row.key} ({method} {row.url}) as {role}: {answer.error}")
                    unexpected = sorted(set(answer.writes) - WRITES_ALLOWED_ON_REFUSAL)
                    if answer.outcome in REFUSALS and unexpected and row.key not in LOGOUTS:
                        result.writes.append(
                            f"{row.key} ({method} {row.url}) as {role}: refused with {answer.outcome} but wrote to "
                            f"{', '.join(unexpected)}"
                        )
            result.observed[row.key] = observed
    return result


# --- The table ----------------------------------------------------------------------------------------------------


def format_cell(get: str, post: str | None) -> str:
    return get if post is None or post == get else f"{get}/{post}"


def parse_cell(cell: str) -> tuple[str, str | None]:
    """``"404"`` → GET and POST (if asked) both 404; ``"405/403"`` → GET 405, POST 403."""
    get, _, post = cell.partition("/")
    return get, post or None


@dataclass
class ExpectedRow:
    methods: str
    cells: dict[str, str]
    comment: str = ""  # the row's own trailing comment
    preamble: list[str] = field(default_factory=list)  # comment lines just above the row


@dataclass
class Table:
    header: list[str]  # the comment lines before the column header
    columns: list[str]
    rows: dict[str, ExpectedRow]
    trailer: list[str] = field(default_factory=list)


def parse_table(text: str) -> Table:
    header: list[str] = []
    columns: list[str] = []
    parsed: dict[str, ExpectedRow] = {}
    pending: list[str] = []
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.rstrip()
        if not line.strip() or line.lstrip().startswith("#"):
            (pending if columns else header).append(line)
            continue
        content, _, comment = line.partition("#")
        fields = content.split()
        if not columns:
            if fields[:2] != ["url", "methods"]:
                raise ValueError(f"{TABLE.name}:{number}: the column header must start with 'url methods'")
            columns = fields[2:]
            continue
        if len(fields) != len(columns) + 2:
            raise ValueError(
                f"{TABLE.name}:{number}: {fields[0]} has {len(fields) - 2} answers for {len(columns)} columns"
            )
        if fields[0] in parsed:
            raise ValueError(f"{TABLE.name}:{number}: {fields[0]} appears twice")
        parsed[fields[0]] = ExpectedRow(
            fields[1], dict(zip(columns, fields[2:], strict=True)), comment.strip(), pending
        )
        pending = []
    return Table(header, columns, parsed, pending)


def read_table() -> Table:
    return parse_table(TABLE.read_text(encoding="utf-8"))


def format_row(key: str, methods: str, cells: dict[str, str], columns: list[str], comment: str = "") -> str:
    widths = _widths(columns)
    # A long method list (a SCIM resource takes all five) keeps one space before the cells, so the row still parses.
    line = f"{key:<44} {methods:<12} " + "".join(f"{cells.get(c, '?'):<{widths[c]}}" for c in columns)
    return f"{line.rstrip()}  # {comment}" if comment else line.rstrip()


def _widths(columns: list[str]) -> dict[str, int]:
    return {c: max(len(c), len("405/login")) + 1 for c in columns}


def format_header(columns: list[str]) -> str:
    widths = _widths(columns)
    return (f"{'url':<44} {'methods':<13}" + "".join(f"{c:<{widths[c]}}" for c in columns)).rstrip()


def render_table(result: CrawlResult, previous: Table | None) -> str:
    """The observed answers as a table, keeping the comments of ``previous`` for the rows that remain."""
    columns = list(ROLES)
    lines = list(previous.header) if previous else []
    lines.append(format_header(columns))
    for row in result.rows:
        old = previous.rows.get(row.key) if previous else None
        if old:
            lines.extend(old.preamble)
        cells = {role: observed.cell for role, observed in result.observed[row.key].items()}
        lines.append(format_row(row.key, row.methods, cells, columns, old.comment if old else ""))
    if previous:
        lines.extend(previous.trailer)
    return "\n".join(lines).rstrip() + "\n"


def compare(result: CrawlResult, table: Table, *, complete: bool = True) -> list[str]:
    """Every difference between the crawl and the table, each with what to do about it.

    ``complete``: the crawl asked every URL, so a table row nothing was crawled for is stale.
    """
    messages: list[str] = []
    if table.columns != list(ROLES):
        messages.append(f"The table's columns are {table.columns}; the crawler asks as {list(ROLES)}.")
        return messages
    crawled = {row.key: row for row in result.rows}
    for row in result.rows:
        cells = {role: observed.cell for role, observed in result.observed[row.key].items()}
        expected = table.rows.get(row.key)
        if expected is None:
            messages.append(
                f"{row.key} ({row.url}) has no row in tests/permissions/expected.txt. Check each answer against "
                f"what the product should do, then add:\n    {format_row(row.key, row.methods, cells, table.columns)}"
            )
            continue
        wrong = []
        if expected.methods != row.methods:
            wrong.append(f"methods: expected {expected.methods}, the view takes {row.methods}")
        for role, observed in result.observed[row.key].items():
            want_get, want_post = parse_cell(expected.cells[role])
            want_post = want_post or want_get
            if observed.get != want_get:
                wrong.append(f"{role} GET: expected {want_get}, got {observed.get}")
            if observed.post is not None and observed.post != want_post:
                wrong.append(f"{role} POST: expected {want_post}, got {observed.post}")
            if observed.post is None and "/" in expected.cells[role]:
                wrong.append(f"{role}: the table expects a POST answer, but the crawler did not POST")
        if wrong:
            messages.append(
                f"{row.key} ({row.url}):\n      "
                + "\n      ".join(wrong)
                + f"\n    observed row:\n    {format_row(row.key, row.methods, cells, table.columns)}"
            )
    for key in table.rows if complete else ():
        if key not in crawled:
            messages.append(f"{key}: the table has a row, but no URL pattern (or variant) has this name any more.")
    return messages
