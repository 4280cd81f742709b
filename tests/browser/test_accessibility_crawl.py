"""Accessibility over the whole site (issue 10, part 1).

The crawl logs in with the demo data as one person of every role, opens every page reachable from the menu and
from the pages' own links, and runs axe-core (WCAG 2.1 A and AA) on each, with the error pages; it submits one
empty form of each kind and checks that the errors are told with their fields. It fails once, at the end, with
every violation and problem found, and writes what it visited to ``var/a11y-crawl.txt``.

The other tests check the layout at 320 px and at 200 % zoom on the key pages, and that focus is visible.
"""

import time
from collections import defaultdict
from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import RequestFactory
from django.urls import reverse
from playwright.sync_api import Browser, Page, Route

from fagnett.capacity.models import ReportRound
from fagnett.cases.models import Case
from fagnett.demo.data import DEMO_PASSWORD
from fagnett.meetings.models import Meeting
from fagnett.networks.models import Network
from fagnett.reports.models import NetworkReport, RegionalReport
from fagnett.web.errors import server_error
from tests.browser.a11y import Crawler, CrawlResult, focus_problem, serve_images_one_at_a_time
from tests.factories import World

# One login of every distinct role in the demo (README): the crawl sees what each kind of person sees.
ROLES = {
    "koordinator": "regional coordinator (Helse Midt-Norge)",
    "fagdirektor": "medical director",
    "leder": "network leader",
    "sekretar": "network secretary",
    "medlem": "network member",
    "rhf-representant": "RHF representative",
    "brukerrepresentant": "user representative",
    "fagsjef": "head of professional affairs at a trust",
    "ansatt": "employee without a role",
    "rapportor": "ICU capacity reporter (Helse Nord), member of the ICU network",
}
# The other demo logins hold the same roles in Helse Nord (koordinator-nord, fagdirektor-nord, leder-intensiv,
# sekretar-intensiv, fagsjef-unn): the same pages with other data.

# A page each role may not open (403); the coordinator may open all of them, so has no 403 to see.
FORBIDDEN = "/networks/new/"
REPORT = settings.BASE_DIR / "var" / "a11y-crawl.txt"


@pytest.fixture
def demo(transactional_db: None) -> None:
    call_command("load_demo", quiet_logins=True)


def write_report(result: CrawlResult, seconds: float) -> None:
    """Pages (by URL name) × roles, then every page visited, the forms checked and what was left out."""
    roles = ["anonymous", *ROLES]
    grid: dict[str, dict[str, str]] = defaultdict(dict)
    for visit in result.visits:
        grid[visit.name][visit.role] = "✗" if visit.violations else "✓"
    width = max(len(name) for name in grid)
    lines = [
        f"Accessibility crawl: {len(result.visits)} pages checked ({result.axe_runs} axe runs), "
        f"{len(grid)} kinds of page, {len(ROLES)} roles and anonymous, {seconds:.0f} s.",
        f"axe-core rules: WCAG 2.1 A and AA. Violations: {len(result.violations)}. Problems: {len(result.problems)}.",
        "Time by step: " + ", ".join(f"{step} {s:.0f} s" for step, s in sorted(result.seconds.items())),
        "",
        "Roles: " + "; ".join(f"{login} = {role}" for login, role in ROLES.items()),
        "",
        "Kinds of page × roles (✓ no violation, ✗ violations, blank = not reachable for that role)",
        f"{'':<{width}}  " + " ".join(f"{i + 1:>2}" for i in range(len(roles))),
        *(f"{'':<{width}}  {i + 1:>2} = {role}" for i, role in enumerate(roles)),
    ]
    for name in sorted(grid):
        lines.append(f"{name:<{width}}  " + " ".join(f"{grid[name].get(role, ''):>2}" for role in roles))
    slowest = sorted(result.visits, key=lambda v: -v.seconds)[:10]
    lines += ["", "Slowest pages to open and check", *(f"{v.seconds:5.1f} s  {v.role:<20} {v.path}" for v in slowest)]
    lines += ["", "Every page visited (role, URL name, path, status, violations, note)"]
    lines += [f"{v.role:<20} {v.name:<40} {v.path} {v.status} {v.violations} {v.note}" for v in result.visits]
    lines += ["", "Forms submitted empty (how the errors are told)"]
    lines += [f"{name:<40} {how}" for name, how in sorted(result.forms.items())]
    lines += ["", "Not opened"]
    lines += [f"{name:<40} {why}" for name, why in sorted(result.skipped.items())]
    lines += ["", "Problems", *result.problems, "", "Violations", *map(str, result.violations)]
    REPORT.parent.mkdir(exist_ok=True)
    REPORT.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_every_page_for_every_role_passes_axe(demo: None, live_server: Any, page: Page) -> None:
    started = time.perf_counter()
    serve_images_one_at_a_time(page)
    crawler = Crawler(page, live_server.url)

    # Before logging in: the login form (and its errors) and the 404 page.
    crawler.open(f"{live_server.url}/accounts/login/")
    crawler.check_page("anonymous", "/accounts/login/", name="login", status=200)
    for index, name in crawler.forms_to_check("login"):
        crawler.check_empty_form("anonymous", f"{live_server.url}/accounts/login/", index, name)
    assert "login" in crawler.result.forms
    crawler.error_page("anonymous", "/no-such-page/", 404)

    for login in ROLES:
        crawler.log_in(login, DEMO_PASSWORD)
        crawler.crawl(login)
        crawler.error_page(login, "/no-such-page/", 404)
        if login != "koordinator":
            crawler.error_page(login, FORBIDDEN, 403)
        crawler.log_out()

    # The 500 page as the real handler renders it (no view may fail on purpose, so the response is served by the
    # browser's router at an address of the live server, with the real style sheets).
    body = server_error(RequestFactory().get("/")).content

    def fulfil_500(route: Route) -> None:
        route.fulfill(status=500, body=body, content_type="text/html; charset=utf-8")

    page.route(f"{live_server.url}/server-error/", fulfil_500)
    assert crawler.open(f"{live_server.url}/server-error/") == (500, "text/html; charset=utf-8")
    crawler.check_page("anonymous", "/server-error/ (500.html)", name="error 500", status=500)

    result = crawler.result
    write_report(result, time.perf_counter() - started)
    roles_seen = {visit.role for visit in result.visits}
    assert roles_seen == {"anonymous", *ROLES}
    assert len({visit.name for visit in result.visits}) > 60, "the crawl should reach most kinds of page"
    if result.violations or result.problems:
        pytest.fail(
            f"{len(result.violations)} axe violations and {len(result.problems)} problems (all in {REPORT}):\n"
            + "\n".join([*result.problems, *map(str, result.violations)]),
            pytrace=False,
        )


# 320 CSS px is WCAG's reflow width; 1280 px at 200 % zoom lays out like 640 CSS px at twice the pixel density.
VIEWPORTS = {
    "320 px": {"viewport": {"width": 320, "height": 640}},
    "200 % zoom": {"viewport": {"width": 640, "height": 360}, "device_scale_factor": 2},
}

# Whether the page scrolls sideways, which wide tables do not scroll in a labelled, focusable region of their own,
# and whether the menu and the logout button are all on the screen.
_LAYOUT = """
() => {
  const width = window.innerWidth;
  const describe = el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
    + (el.className ? '.' + el.className : '');
  const overflowing = [...document.querySelectorAll('body *')]
    .filter(el => el.getBoundingClientRect().right > width + 1 && !el.closest('.table-scroll'))
    .map(describe);
  const tables = [...document.querySelectorAll('table')].filter(t => t.scrollWidth > t.parentElement.clientWidth + 1)
    .filter(t => !t.parentElement.matches('.table-scroll[role=region][aria-label][tabindex="0"]')).map(describe);
  const controls = [...document.querySelectorAll('.site-nav a, .site-tools a, .site-tools button')];
  const offScreen = controls.filter(el => { const r = el.getBoundingClientRect();
    return !r.width || !r.height || r.left < 0 || r.right > width + 1; }).map(el => el.textContent.trim());
  return {scrollWidth: document.scrollingElement.scrollWidth, width, overflowing: overflowing.slice(0, 5), tables,
          offScreen, controls: controls.length};
}
"""


def key_pages() -> dict[str, tuple[str, str]]:
    """The pages most people use, from the demo data: name -> (login, path)."""
    network = Network.objects.get(name="Anestesi og intensiv")
    case = Case.objects.filter(network=network).order_by("pk").first()
    meeting = Meeting.objects.filter(network=network, status=Meeting.Status.HELD).order_by("-starts_at").first()
    regional = RegionalReport.objects.filter(region=network.region).order_by("-year", "-version").first()
    network_report = NetworkReport.objects.filter(network=network).order_by("-year").first()
    round_ = ReportRound.objects.filter(region__short_name="Helse Nord").order_by("-period_start").first()
    assert case and meeting and regional and network_report and round_
    return {
        "start page": ("koordinator", reverse("home")),
        "network list": ("koordinator", reverse("networks:list")),
        "network": ("koordinator", network.get_absolute_url()),
        "case list": ("koordinator", reverse("cases:list")),
        "case": ("koordinator", case.get_absolute_url()),
        "meeting": ("koordinator", meeting.get_absolute_url()),
        "regional annual report": ("koordinator", regional.get_absolute_url()),
        "network annual report": ("koordinator", network_report.get_absolute_url()),
        "ICU capacity dashboard": ("koordinator-nord", reverse("capacity:dashboard", args=[round_.pk])),
    }


def test_key_pages_reflow_at_320_px_and_at_200_percent_zoom(
    demo: None, live_server: Any, browser: Browser, browser_context_args: dict[str, Any]
) -> None:
    pages = key_pages()
    problems = []
    for viewport, options in VIEWPORTS.items():
        context = browser.new_context(**browser_context_args, **options)
        page = context.new_page()
        serve_images_one_at_a_time(page)
        crawler = Crawler(page, live_server.url)
        logged_in = ""
        for name, (login, path) in pages.items():
            if login != logged_in:
                crawler.log_out()
                crawler.log_in(login, DEMO_PASSWORD)
                logged_in = login
            response = page.goto(f"{live_server.url}{path}")
            assert response is not None and response.status == 200, f"{name}: {path}"
            menu = page.locator(".site-menu-button")
            if menu.is_visible():  # on a narrow screen the menu folds behind its button (issue 20): open it
                menu.click()
            layout = page.evaluate(_LAYOUT)
            where = f"{name} ({path}) at {viewport}"
            if layout["scrollWidth"] > layout["width"]:
                problems.append(
                    f"{where}: the page scrolls sideways ({layout['scrollWidth']} > {layout['width']} px), "
                    f"widened by {', '.join(layout['overflowing'])}"
                )
            if layout["tables"]:
                problems.append(f"{where}: wide tables without a labelled scrolling region: {layout['tables']}")
            if layout["offScreen"] or not layout["controls"]:
                problems.append(f"{where}: menu items not on the screen: {layout['offScreen']}")
        context.close()
    assert not problems, "\n".join(problems)


def test_focus_is_visible_on_every_element_reached_with_tab(
    browser_world: World, live_server: Any, page: Page, login: Callable[[str], Page]
) -> None:
    """Tab through the start page, a network, the case list and the case form: every stop shows its focus."""
    network = browser_world.network
    login("leader")
    problems = []
    for path in ["/", network.get_absolute_url(), reverse("cases:list"), reverse("cases:submit")]:
        page.goto(f"{live_server.url}{path}")
        stops = 0
        for _ in range(150):
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement === document.body"):
                break  # past the last element of the page
            stops += 1
            problem = focus_problem(page)
            if problem:
                problems.append(f"{path}: {problem}")
        assert stops > 5, f"{path}: only {stops} elements take the focus"
    assert not problems, "\n".join(problems)
