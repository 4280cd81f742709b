"""The accessibility crawl: log in as one person after another, follow the site's own links breadth first, run
axe-core (WCAG 2.1 A and AA) on every page and submit one empty form of each kind to see how its errors are told.

Used by ``test_accessibility_crawl.py``; kept apart so the crawl reads without the test's bookkeeping.

axe runs on a page unless the same markup was checked before. The markup is compared in two parts: the header
(the person's menu, which differs between people and marks the current section) and the rest of the document
(title, skip link, main content and footer), each with its texts and addresses blanked out (see ``_MARKUP``). When
both parts were checked before (on any page, for any person) the page is recorded with a reference to that check
instead of being checked again: axe's WCAG rules read the elements, their attributes and styles and whether a
text is there, not what it says, so the result would not change, and the crawl stays within a few minutes.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections import defaultdict, deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from axe_playwright_python.sync_playwright import Axe
from django.urls import Resolver404, resolve
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, Route

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]}
_AXE_SOURCE = Axe().axe_script

# Never followed: leaving the session or the language, the admin, and the machine-readable APIs.
SKIPPED_NAMES = {"logout", "login", "set_language", "healthz", "readyz", "metrics"}
SKIPPED_NAMESPACES = {"admin", "capacity_api", "open_api"}
# Files, not pages: these views answer as attachments (the others are known by a file name in their route).
DOWNLOAD_NAMES = {"cases:attachment", "meetings:document", "meetings:calendar_feed"}


@dataclass(frozen=True)
class Violation:
    role: str
    page: str
    rule: str
    impact: str
    targets: tuple[str, ...]
    summary: str

    def __str__(self) -> str:
        where = ", ".join(self.targets)
        return f"{self.page} as {self.role}: {self.rule} ({self.impact}) — {self.summary}\n    at {where}"


@dataclass
class Visit:
    role: str
    name: str
    path: str
    status: int
    violations: int
    note: str = ""
    seconds: float = 0.0  # to open the page and check it


@dataclass
class CrawlResult:
    visits: list[Visit] = field(default_factory=list)
    violations: list[Violation] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)  # URL name -> why it was not opened
    forms: dict[str, str] = field(default_factory=dict)  # form's URL name -> how its errors are told
    axe_runs: int = 0
    seconds: dict[str, float] = field(default_factory=lambda: defaultdict(float))  # time spent, by step


def axe_violations(page: Page, *, role: str, label: str) -> list[Violation]:
    """axe-core's WCAG 2.1 A/AA violations on the page as it is now."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(_AXE_SOURCE)
    found = page.evaluate("options => axe.run(document, options)", AXE_OPTIONS)["violations"]
    return [
        Violation(
            role=role,
            page=label,
            rule=item["id"],
            impact=item.get("impact") or "",
            targets=tuple(" ".join(map(str, node["target"])) for node in item["nodes"]),
            summary=item["help"],
        )
        for item in found
    ]


def url_name(path: str) -> tuple[str, str] | None:
    """The URL's resolved name (``namespace:name``) and route, or None when no view answers it."""
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return match.view_name, match.route


def skip_reason(name: str, route: str) -> str:
    """Why the crawl does not open this URL, or "" when it does."""
    if name in SKIPPED_NAMES or SKIPPED_NAMESPACES.intersection(name.split(":")[:-1]):
        return "not content: session, language, admin or API"
    if name in DOWNLOAD_NAMES or "." in route.rsplit("/", 1)[-1]:
        return "download"
    return ""


def serve_images_one_at_a_time(page: Page) -> None:
    """Let the browser fetch the server-drawn charts one after the other.

    pytest-django's live server shares one in-memory SQLite connection between its request threads, and two charts
    computed at the same time can deadlock it (see ``test_reports.serve_figures_one_at_a_time``).
    """
    busy = False

    def one_at_a_time(route: Route) -> None:
        nonlocal busy
        while busy:
            page.wait_for_timeout(20)
        busy = True
        try:
            route.fulfill(response=route.fetch())
        finally:
            busy = False

    page.route(re.compile(r"^(?!.*/static/).*\.svg(\?.*)?$"), one_at_a_time)


# The markup in the two parts compared before running axe (see the module's docstring). What axe's WCAG rules read
# from a text is only whether there is one, so every text (and every attribute that holds a text) counts the same
# however it reads; so do addresses, except the in-page ones (#…) that skip links and error summaries use, and
# the values of hidden fields (the CSRF token, versions).
_MARKUP = """
() => {
  const TEXT_ATTRS = ['title', 'alt', 'aria-label', 'placeholder', 'aria-valuetext', 'datetime', 'action'];
  const doc = document.documentElement.cloneNode(true);
  const walker = document.createTreeWalker(doc, NodeFilter.SHOW_TEXT);
  const texts = [];
  while (walker.nextNode()) texts.push(walker.currentNode);
  for (const node of texts) node.data = node.data.trim() ? 'T' : '';
  for (const el of doc.querySelectorAll('*')) {
    for (const name of TEXT_ATTRS) {
      if (el.hasAttribute(name)) el.setAttribute(name, el.getAttribute(name).trim() ? 'T' : '');
    }
    const href = el.getAttribute('href');
    if (href !== null && !href.startsWith('#')) el.setAttribute('href', 'u');
    if (el.matches('input[type=hidden], input[name=next]')) el.removeAttribute('value');
  }
  const header = doc.querySelector('body > header');
  const headerHtml = header ? header.outerHTML : '';
  if (header) header.remove();
  return [headerHtml, doc.outerHTML];
}
"""

# What axe does not ask: every chart has a text alternative and its numbers in a table after it, and every table has
# header cells and a caption (or a label).
_CHARTS_AND_TABLES = """
() => {
  const problems = [];
  for (const img of document.querySelectorAll('img.chart')) {
    const src = img.getAttribute('src');
    if (!(img.getAttribute('alt') || '').trim()) problems.push(`the chart ${src} has no text alternative`);
    let table = null;
    for (let n = (img.closest('figure') || img).nextElementSibling; n && !table; n = n.nextElementSibling) {
      table = n.matches('table') ? n : n.querySelector('table');
    }
    if (!table) problems.push(`the chart ${src} has no table of its numbers after it`);
  }
  for (const table of document.querySelectorAll('table')) {
    const name = table.caption?.textContent.trim() || table.getAttribute('aria-label')
      || table.getAttribute('aria-labelledby');
    const where = table.id ? '#' + table.id : `table ${[...document.querySelectorAll('table')].indexOf(table) + 1}`;
    if (!table.querySelector('th')) problems.push(`${where} has no header cells`);
    if (!name) problems.push(`${where} has no caption`);
  }
  return problems;
}
"""

# Empties every field a person can change (hidden fields and the CSRF token stay) and submits the form with its
# main button, without the browser's own validation, so that the server's messages are shown.
_SUBMIT_EMPTY = """
form => {
  form.noValidate = true;
  for (const el of form.elements) {
    const type = (el.type || '').toLowerCase();
    if (['hidden', 'submit', 'button', 'reset', 'image'].includes(type) || el.tagName === 'FIELDSET') continue;
    if (type === 'checkbox' || type === 'radio') el.checked = false;
    else if (el.tagName === 'SELECT') { for (const o of el.options) o.selected = false; el.selectedIndex = -1; }
    else el.value = '';
  }
  // Secondary buttons such as "add a line" only show the form again.
  const buttons = [...form.querySelectorAll('button[type=submit], button:not([type]), input[type=submit]')];
  const submitter = buttons.find(b => b.dataset.variant === 'primary') || buttons.find(b => !b.name) || buttons[0];
  form.requestSubmit(submitter);
}
"""

# What a screen reader is told about each invalid field, where the error summary's links go, and the messages.
_ERROR_REPORT = """
() => {
  const byId = id => document.getElementById(id);
  const fields = [...document.querySelectorAll('[aria-invalid=true]')].map(el => ({
    id: el.id,
    describedBy: (el.getAttribute('aria-describedby') || '').split(/\\s+/).filter(Boolean).map(id => ({
      id, text: byId(id) ? byId(id).textContent.trim() : null,
      validation: !!byId(id)?.matches('[data-field=validation]'),
    })),
  }));
  const summary = byId('error-summary');
  const links = summary ? [...summary.querySelectorAll('a[href^="#"]')].map(a => ({
    href: a.getAttribute('href'), exists: !!byId(a.getAttribute('href').slice(1)),
  })) : [];
  const errorMessages = [...document.querySelectorAll('.messages .ds-alert[data-color=danger]')].map(el => ({
    text: el.textContent.trim(), live: !!el.closest('[role=alert], [role=status], [aria-live]'),
  }));
  return {fields, summary: !!summary, summaryRole: summary?.getAttribute('role') || '',
          summaryFocused: !!summary && document.activeElement === summary,
          summaryItems: summary ? summary.querySelectorAll('li').length : 0, links, errorMessages};
}
"""


# How the focused element shows its focus: an outline at least 2 px wide or a box-shadow ring, as Designsystemet and
# our CSS give it. Read after the next frame: a date field moves the focus between its parts as the key is handled.
_FOCUS_STYLE = """
async () => {
  await new Promise(resolve => requestAnimationFrame(() => requestAnimationFrame(resolve)));
  const el = document.activeElement;
  const style = getComputedStyle(el);
  const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2;
  const ring = style.boxShadow !== 'none' && style.boxShadow !== '';
  return {visible: outline || ring, body: el === document.body, element: el.outerHTML.slice(0, 150),
          css: `outline: ${style.outline}; box-shadow: ${style.boxShadow}`};
}
"""


def focus_problem(page: Page) -> str:
    """Why the focused element does not show its focus, or "" when it does (or nothing has the focus)."""
    style = page.evaluate(_FOCUS_STYLE)
    if style["body"] or style["visible"]:
        return ""
    return f"no visible focus on {style['element']} ({style['css']})"


class Crawler:
    """Crawls the site as one person after another; remembers across people which forms and markup were checked."""

    def __init__(self, page: Page, base_url: str, *, visits_per_name: int = 1) -> None:
        self.page = page
        self.base = base_url.rstrip("/")
        self.origin = urlsplit(self.base).netloc
        self.visits_per_name = visits_per_name
        self.result = CrawlResult()
        self._headers_checked: set[str] = set()  # hashes of the header's markup
        self._rest_checked: dict[str, tuple[str, int]] = {}  # hash of the rest -> where it was checked, violations

    @contextmanager
    def timing(self, step: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self.result.seconds[step] += time.perf_counter() - started

    def path(self, url: str) -> str:
        return url[len(self.base) :] if url.startswith(self.base) else url

    # --- one page ---------------------------------------------------------------------------------------------
    def check_page(self, role: str, label: str, *, name: str, status: int, note: str = "") -> None:
        """Run axe on the page as it is now, unless the same markup was checked before."""
        with self.timing("markup"):
            header, rest = (hashlib.sha256(part.encode()).hexdigest() for part in self.page.evaluate(_MARKUP))
        if header in self._headers_checked and rest in self._rest_checked:
            same_as, found = self._rest_checked[rest]
            note = f"{note} same markup as {same_as}".strip()
            self.result.visits.append(Visit(role, name, label, status, found, note))
            return
        with self.timing("axe"):
            violations = axe_violations(self.page, role=role, label=label)
            self.result.problems += [f"{role}: {label}: {p}" for p in self.page.evaluate(_CHARTS_AND_TABLES)]
        self.result.axe_runs += 1
        self._headers_checked.add(header)
        self._rest_checked.setdefault(rest, (f"{role} {label}", len(violations)))
        self.result.violations.extend(violations)
        self.result.visits.append(Visit(role, name, label, status, len(violations), note))

    def open(self, url: str) -> tuple[int, str] | None:
        """Go to the URL; its status and content type, or None when the browser downloads it instead."""
        try:
            with self.timing("open"):
                response = self.page.goto(url)
        except PlaywrightError as error:
            if "Download is starting" in str(error):
                return None
            raise
        assert response is not None
        return response.status, response.headers.get("content-type", "")

    def same_site_links(self) -> list[str]:
        """The page's links to this site, without fragments, each once, in the order of the page."""
        links: list[str] = self.page.eval_on_selector_all(
            "a[href]",
            "(links, origin) => [...new Set(links.filter(a => a.origin === origin).map(a => a.href.split('#')[0]))]",
            f"{urlsplit(self.base).scheme}://{self.origin}",
        )
        return links

    def error_page(self, role: str, path: str, status: int) -> None:
        opened = self.open(f"{self.base}{path}")
        if opened is None or opened[0] != status:
            self.result.problems.append(f"{role}: {path} should answer {status}, answered {opened}")
            return
        self.check_page(role, path, name=f"error {status}", status=status)

    # --- empty forms ------------------------------------------------------------------------------------------
    def forms_to_check(self, page_name: str) -> list[tuple[int, str]]:
        """(index, URL name of the action) of the page's POST forms with a required field, not yet checked."""
        forms: list[dict[str, Any]] = self.page.eval_on_selector_all(
            "form",
            """forms => forms.map((f, i) => ({i, method: (f.getAttribute('method') || 'get').toLowerCase(),
                 action: f.action, required: !!f.querySelector('[required]')}))""",
        )
        found: list[tuple[int, str]] = []
        for form in forms:
            if form["method"] != "post" or not form["required"]:
                continue
            resolved = url_name(urlsplit(form["action"]).path)
            name = resolved[0] if resolved else page_name
            if name not in self.result.forms and name not in (n for _, n in found):
                found.append((form["i"], name))
        return found

    def check_empty_form(self, role: str, url: str, index: int, name: str) -> None:
        """Submit the form empty: nothing may be saved, and the errors must be told, each with its field.

        Most forms are shown again with the errors on their fields (``aria-invalid``, ``aria-describedby`` pointing
        at the message) and a summary linking to them, which has the focus. A few small forms on a page of their own
        go back to that page with the error in the page's messages, which are a live region; both are accepted.
        """
        label = self.path(url)
        where = f"{label} (form {name}, empty)"
        if self.page.url != url:
            self.open(url)
        with self.page.expect_navigation() as navigation:
            self.page.locator("form").nth(index).evaluate(_SUBMIT_EMPTY)
        response = navigation.value
        report = self.page.evaluate(_ERROR_REPORT)
        problems = []
        if response is not None and response.request.redirected_from is not None:
            # Back on the page with a message: acceptable only when the message is an error in a live region.
            same_page = urlsplit(self.page.url).path == urlsplit(url).path
            errors = [m for m in report["errorMessages"] if m["text"]]
            if not same_page or not errors:
                problems.append(f"accepted the empty form (went on to {self.path(self.page.url)})")
            elif not all(m["live"] for m in errors):
                problems.append("the error message is not in a live region")
            how = f"error message on the page: {errors[0]['text'][:100]}" if not problems else "NOT TOLD"
        else:
            how = f"{len(report['fields'])} fields marked invalid, error summary with {report['summaryItems']} items"
            if not report["fields"]:
                problems.append("no field is marked invalid (aria-invalid)")
            if not report["summary"]:
                problems.append("no error summary")
            elif report["summaryRole"] != "alert":
                problems.append("the error summary is not role=alert")
            elif not report["summaryFocused"]:
                problems.append("the error summary does not have the focus when the page opens")
            problems += [
                f"the error summary links to {k['href']}, not on the page" for k in report["links"] if not k["exists"]
            ]
            for invalid in report["fields"]:
                described = invalid["describedBy"]
                if not any(d["validation"] and d["text"] for d in described):
                    problems.append(f"#{invalid['id']} is aria-invalid but not described by an error message")
                problems += [
                    f"#{invalid['id']} is described by #{d['id']}, not on the page"
                    for d in described
                    if d["text"] is None
                ]
        self.result.forms[name] = f"{how} — {role} on {label}"
        self.result.problems.extend(f"{role}: {where}: {p}" for p in problems)
        self.check_page(role, where, name=name, status=response.status if response else 0, note=how)

    # --- one person -------------------------------------------------------------------------------------------
    def log_in(self, username: str, password: str) -> None:
        """Through the real login form, in Norwegian (the default language)."""
        self.page.goto(f"{self.base}/accounts/login/")
        self.page.get_by_label("Brukernavn").fill(username)
        self.page.get_by_label("Passord").fill(password)
        self.page.get_by_role("button", name="Logg inn").click()
        self.page.wait_for_url(f"{self.base}/")

    def log_out(self) -> None:
        # Every response renews the session cookie: let the charts in flight finish before forgetting it.
        self.page.wait_for_load_state("load")
        self.page.context.clear_cookies()

    def crawl(self, role: str, start: str = "/") -> None:
        """Breadth first from ``start``, each URL name at most ``visits_per_name`` times for this person."""
        seen: set[str] = set()
        per_name: dict[str, int] = {}
        queue: deque[tuple[str, str]] = deque([(f"{self.base}{start}", "")])
        while queue:
            url, found_on = queue.popleft()
            if url in seen:
                continue
            seen.add(url)
            path = self.path(url)
            resolved = url_name(urlsplit(url).path)
            if resolved is None:
                self.result.problems.append(f"{role}: {found_on} links to {path}, which no view answers")
                continue
            name, route = resolved
            reason = skip_reason(name, route)
            if reason:
                self.result.skipped.setdefault(name, reason)
                continue
            if per_name.get(name, 0) >= self.visits_per_name:
                continue
            per_name[name] = per_name.get(name, 0) + 1
            started = time.perf_counter()
            opened = self.open(url)
            if opened is None:
                self.result.skipped.setdefault(name, "download")
                continue
            status, content_type = opened
            if not content_type.startswith("text/html"):
                self.result.skipped.setdefault(name, f"download ({content_type.split(';')[0]})")
                continue
            if status >= 400:
                self.result.problems.append(f"{role}: {found_on} links to {path}, which answers {status}")
            self.check_page(role, path, name=name, status=status)
            self.result.visits[-1].seconds = time.perf_counter() - started
            with self.timing("links and forms"):
                links = [link for link in self.same_site_links() if link not in seen]
                forms = self.forms_to_check(name)
            queue.extend((link, path) for link in links)
            for index, form_name in forms:
                with self.timing("empty forms"):
                    self.check_empty_form(role, url, index, form_name)
