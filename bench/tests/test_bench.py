"""The benchmarks' own logic (not collected by ``make test``; run with
``DJANGO_SETTINGS_MODULE=config.settings.test .venv/bin/python -m pytest -q -p no:cacheprovider bench/tests``)."""

import re
from pathlib import Path

import pytest

from bench import load, world
from bench.formdata import form_data


def test_percentile_is_nearest_rank() -> None:
    values = sorted(float(v) for v in range(1, 101))
    assert load.percentile(values, 50) == 50
    assert load.percentile(values, 95) == 95
    assert load.percentile(values, 99) == 99
    assert load.percentile([7.0], 99) == 7
    assert load.percentile([], 50) == 0


def test_latency_table_counts_errors_per_request_type_and_overall() -> None:
    records = [
        {"t": 0, "name": "GET /", "ms": 10.0, "status": 200, "error": None},
        {"t": 1, "name": "GET /", "ms": 30.0, "status": 500, "error": "500 for /"},
        {"t": 2, "name": "POST /cases/new/", "ms": 20.0, "status": 302, "error": None},
    ]
    rows = {row["name"]: row for row in load.latency_table(records, seconds=2)}
    assert rows["GET /"]["errors"] == 1
    assert rows["GET /"]["p50"] == 10
    assert rows["All requests"]["count"] == 3
    assert rows["All requests"]["rps"] == 1.5
    assert rows["All requests"]["max"] == 30


def test_write_section_replaces_only_its_own_section(tmp_path: Path) -> None:
    results = tmp_path / "RESULTS.md"
    results.write_text("# Benchmark results\n\n<!-- bench:national:begin -->\nscale\n<!-- bench:national:end -->\n")
    load.write_section("load", "## Load (issue 8)\n\nfirst", results)
    load.write_section("load", "## Load (issue 8)\n\nsecond", results)
    text = results.read_text()
    assert "second" in text
    assert "first" not in text
    assert text.count("<!-- bench:load:begin -->") == 1
    assert "<!-- bench:national:begin -->\nscale\n<!-- bench:national:end -->" in text


def test_form_data_takes_the_post_form_a_browser_would_submit() -> None:
    html = b"""<html><body>
    <form method="get" action="/search/"><input name="q" value="x"></form>
    <form method="post" action="/action-items/7/done/"><input type="hidden" name="csrfmiddlewaretoken" value="t">
      <input type="hidden" name="done" value="1"></form>
    <form method="post"><input name="title" value="old"><textarea name="description">text</textarea>
      <input type="checkbox" name="confirm" value="on"><select name="trust"><option value="1">A</option>
      <option value="2" selected>B</option></select></form>
    </body></html>"""
    assert form_data(html, action="/action-items/7/done/") == {"csrfmiddlewaretoken": ["t"], "done": ["1"]}
    assert form_data(html, field="title") == {"title": ["old"], "description": ["text"], "trust": ["2"]}
    with pytest.raises(LookupError):
        form_data(html, field="nothing")


def test_the_users_split_into_officers_reporters_and_regional_staff() -> None:
    assert world.split(50) == {"officer": 40, "reporter": 6, "regional": 4}
    assert sum(world.split(13).values()) == 13
    with pytest.raises(ValueError, match="at least three"):
        world.split(2)


def test_the_bench_urlconf_has_a_bare_ok_view_and_the_whole_app(client, settings, world) -> None:  # type: ignore[no-untyped-def]
    settings.ROOT_URLCONF = "bench.urls"
    assert client.get("/networks/").status_code == 302  # the application behind it, asking for a login
    assert client.get("/bench/ok/").status_code == 302  # the bare view too: it is measured with a session, as pages are
    client.force_login(world["coordinator"])
    response = client.get("/bench/ok/")
    assert response.status_code == 200
    assert response.content == b"ok"
    layout = client.get("/bench/layout/").content.decode()  # the layout alone: the menu, no content of its own
    assert 'id="site-nav"' in layout
    assert re.search(r'<main id="main" class="site-main" tabindex="-1">\s*</main>', layout)


def test_cpu_per_page_is_measured_against_the_bare_view(world, settings) -> None:  # type: ignore[no-untyped-def]
    from bench import cpu

    settings.ROOT_URLCONF = "bench.urls"
    pages = [{"key": "networks", "path": "/networks/", "username": world["coordinator"].username}]
    result = cpu.measure(pages, rounds=3, requests=2)
    assert set(result["pages"]) == {"bare", "layout", "networks"}
    assert result["pages"]["bare"]["ratio"] == 1.0
    networks = result["pages"]["networks"]
    assert networks["python_ms"] > 0 and networks["ratio"] > 1  # a page with a template and queries costs more
    if result["database"] == "postgresql":
        assert networks["postgresql_ms"] > 0  # read from the server process, which runs on this machine
