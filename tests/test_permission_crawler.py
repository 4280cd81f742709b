"""Every URL of the project, as every role and as an anonymous visitor, against the table in
``tests/permissions/expected.txt`` (part 3 of issue 8).

The world (``tests/permissions/world.py``) has two regions, two networks in region A and one in region B, a person
in every role and an object of every kind. The crawler (``tests/permissions/crawler.py``) fills each URL pattern
from objects of region A / network A1, asks it as each column of the table, and searches every answer for the
sentinel words the asking person may not see.

A new URL fails ``test_every_url_answers_as_the_table_says`` with the row to add. To draft rows for many URLs,
run this module with ``CRAWLER_WRITE=1`` (or ``CRAWLER_WRITE=<path>``, or ``CRAWLER_WRITE=-`` with ``-s`` to print
it): the observed table is written to ``var/permission-crawler-observed.txt`` (or the path), keeping the comments of
the committed table. Review every cell against what the product should do before copying a row: the table is the
specification, not a snapshot.
"""

import io
import os
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.http import HttpResponse
from django.test import override_settings

from tests.permissions import crawler
from tests.permissions.world import ROLES, SENTINELS, build_world

pytestmark = pytest.mark.django_db

OBSERVED = Path(settings.BASE_DIR) / "var" / "permission-crawler-observed.txt"


def _refuse_a_real_database() -> None:
    name = str(connection.settings_dict["NAME"])
    if not ("memory" in name or Path(name).name.startswith("test")):
        pytest.fail(f"The crawler writes and rolls back; it runs only on a test database, not on {name}.")


@pytest.fixture(scope="module")
def crawl(
    django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> crawler.CrawlResult:
    """The crawl, once for the module: the world is built, asked and rolled back in one transaction."""
    media = tmp_path_factory.mktemp("crawler-media")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=str(media)):
        _refuse_a_real_database()
        with transaction.atomic():
            world = build_world()
            result = crawler.crawl(world)
            transaction.set_rollback(True)
    target = os.environ.get("CRAWLER_WRITE", "")
    if target:
        table = crawler.render_table(result, crawler.read_table())
        if target == "-":
            print("\n" + table)
        else:
            path = OBSERVED if target == "1" else Path(target)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(table, encoding="utf-8")
            print(f"\nThe observed table is in {path}: review every cell before copying rows into {crawler.TABLE}.")
    return result


def test_every_url_pattern_can_be_filled(crawl: crawler.CrawlResult) -> None:
    assert not crawl.problems, "\n".join(["URL patterns the crawler cannot ask:", *crawl.problems])


def test_every_url_answers_as_the_table_says(crawl: crawler.CrawlResult) -> None:
    differences = crawler.compare(crawl, crawler.read_table())
    assert not differences, "\n".join(
        [
            f"{len(differences)} row(s) of {crawler.TABLE} differ from what the URLs answer. Columns: "
            + ", ".join(f"{role} = {who}" for role, who in ROLES.items()),
            "Cells: 'login' = redirect to the login page; 'GET/POST' where the two answers differ.",
            "If the product changed on purpose, change the row; otherwise the view or its permission is wrong.",
            "",
            *differences,
        ]
    )


def test_no_url_fails_with_a_server_error(crawl: crawler.CrawlResult) -> None:
    assert not crawl.errors, "\n".join(["Requests that ended in an exception (500):", *crawl.errors])


def test_no_answer_shows_anyone_what_they_may_not_see(crawl: crawler.CrawlResult) -> None:
    assert not crawl.leaks, "\n".join(["Answers that show someone what they may not see:", *crawl.leaks])


def test_a_refused_request_changes_nothing(crawl: crawler.CrawlResult) -> None:
    assert not crawl.writes, "\n".join(["Refused requests that wrote to the database:", *crawl.writes])


def test_every_sentinel_is_seen_by_someone_allowed_to(crawl: crawler.CrawlResult) -> None:
    """Otherwise the leak check proves nothing: a word nobody ever sees would also never be found leaking."""
    unseen = sorted(word for word in SENTINELS if not crawl.seen.get(word))
    assert not unseen, f"No answer to anyone contained {unseen}: is the object still shown where it should be?"


def test_who_is_refused_a_page_cannot_act_on_it_and_post_only_views_refuse_get(crawl: crawler.CrawlResult) -> None:
    """Whatever the table says: a person refused the GET is refused the POST too, and a view that only takes POST
    answers a GET with 405 (or sends the visitor to log in first)."""
    wrong = []
    for row in crawl.rows:
        for role, observed in crawl.observed[row.key].items():
            if observed.get in crawler.REFUSALS - {"405"} and observed.post not in (None, *crawler.REFUSALS):
                wrong.append(f"{row.key} as {role}: GET {observed.get} but POST {observed.post}")
            if row.methods == "POST" and observed.get not in (crawler.LOGIN, "405"):
                wrong.append(f"{row.key} as {role}: takes only POST but answered GET with {observed.get}")
    assert not wrong, "\n".join(wrong)


def test_every_cell_is_an_answer_the_crawler_can_give() -> None:
    table = crawler.read_table()
    assert table.columns == list(ROLES)
    bad = [
        f"{key} {role}={cell}"
        for key, row in table.rows.items()
        for role, cell in row.cells.items()
        if not all(part == crawler.LOGIN or part.isdigit() for part in cell.split("/"))
    ]
    assert not bad, f"Cells must be a status code or 'login', optionally '/': {bad}"


# --- The crawler's own checks can fail ---------------------------------------------------------------------------


def _result(cells: dict[str, str]) -> crawler.CrawlResult:
    row = crawler.Row("cases:detail[a1]", "cases:detail", "/cases/1/", "any")
    observed = {role: crawler.Observed(*crawler.parse_cell(cell)) for role, cell in cells.items()}
    return crawler.CrawlResult([row], [], {row.key: observed})


def test_the_comparison_names_each_wrong_cell_and_the_row_to_add_or_remove() -> None:
    cells = dict.fromkeys(ROLES, "404") | {"anon": "login"}
    table = crawler.parse_table(
        crawler.format_header(list(ROLES))
        + "\n"
        + crawler.format_row("cases:detail[a1]", "any", cells, list(ROLES))
        + "\n"
        + crawler.format_row("cases:gone", "any", cells, list(ROLES))
    )
    leaked = _result(cells | {"memA2": "200", "empl": "404/302"})
    differences = crawler.compare(leaked, table)
    assert "memA2 GET: expected 404, got 200" in differences[0]
    assert "empl POST: expected 404, got 302" in differences[0]
    assert "cases:gone: the table has a row, but no URL pattern" in differences[1]

    new = crawler.compare(leaked, crawler.parse_table(crawler.format_header(list(ROLES))))
    assert "cases:detail[a1] (/cases/1/) has no row" in new[0]
    observed = {role: answer.cell for role, answer in leaked.observed["cases:detail[a1]"].items()}
    assert crawler.format_row("cases:detail[a1]", "any", observed, list(ROLES)) in new[0]


def test_sentinels_are_found_in_pages_calendars_and_office_files() -> None:
    docx = io.BytesIO()
    with zipfile.ZipFile(docx, "w") as archive:
        archive.writestr("word/document.xml", "<w:t>Zirkonsak: overflytting</w:t>")
    calendar = HttpResponse(b"BEGIN:VEVENT\r\nSUMMARY:Anestesi og \r\n intensiv\r\n", content_type="text/calendar")
    page = HttpResponse("<h1>Basaltsak</h1>")
    office = HttpResponse(docx.getvalue(), content_type="application/octet-stream")
    assert crawler.leaks_in(crawler.text_of(page, page.content), "memA1") == ["basaltsak"]
    assert crawler.leaks_in(crawler.text_of(office, office.content), "memA2") == ["zirkonsak"]
    assert crawler.leaks_in(crawler.text_of(calendar, calendar.content), "coordB") == ["anestesi og intensiv"]
    assert crawler.leaks_in(crawler.text_of(page, page.content), "empl") == []
