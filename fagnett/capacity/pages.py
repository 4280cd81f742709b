"""The dashboard's and the dimensioning page's tables, their rows written in Python and kept (issue 23).

The templates print what is here: every row is a ``core.rows.RowMarkup`` filled in per row, every figure written
by the same functions as the templates' filters did (``capacity.display``, ``core.formatting``), every tag by the
shared components' own functions, and every text by the same message as before, so the pages read exactly as they
did. What it saves is the template engine's work per cell: a node, a lookup and an escape per value, and an
include, a custom tag or a ``blocktranslate`` per row, cost more than the figures themselves.

The rows depend on nothing but the figures they show and the language, so each worker keeps them with the figures
(``capacity.freshness``: under the same key, per language) and writes them again only after a capacity write. What
changes by the minute (a situation report's age) is put in per request.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.template.loader import render_to_string
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from fagnett.capacity import display
from fagnett.capacity.freshness import CAPACITY
from fagnett.capacity.models import CATEGORIES
from fagnett.capacity.selectors import (
    MEASURED_FROM_SITUATION,
    Dashboard,
    DimensionResult,
    DimensionResults,
    GroupCompleteness,
    GroupRow,
    RoundFigures,
    Totals,
    TrendPoint,
    earlier_report_text,
)
from fagnett.capacity.templatetags.situation import situation_age
from fagnett.core import formatting
from fagnett.core.freshness import Kept
from fagnett.core.rows import RowMarkup
from fagnett.core.templatetags.components import status_tag

MISSING = formatting.MISSING


def _dash(value: Any) -> Any:
    """As the ``dash`` filter: a blank number is "–"."""
    return MISSING if value is None or value == "" else value


def _whole(value: int | None) -> str:
    """A whole number as the template writes it ("–" for a blank one), made here: the template localises every
    number it prints, 250 times a dashboard (USE_THOUSAND_SEPARATOR is off, so that is ``str``)."""
    return MISSING if value is None else str(value)


def _translated(text: str, **values: Any) -> SafeString:
    """A message with its values put in as ``blocktranslate`` does: the values escaped, the message itself not."""
    return mark_safe(text % {name: conditional_escape(value) for name, value in values.items()})  # noqa: S308


# --- the dashboard -------------------------------------------------------------------------------------------------

_NUMERIC = RowMarkup('<td class="numeric">{value}</td>')
_CELL = RowMarkup("<td>{value}</td>")
_NOTE = RowMarkup('<br><span class="muted">{note}</span>')
#: a row's "units reported" cell: reported / expected, how many earlier reports are used (the region's row) or
#: each of them, and how many units have none
_COMPLETENESS = RowMarkup("<td>{reported} / {expected} {brief}{notes}</td>")


def _numeric(values: Iterable[Any]) -> SafeString:
    return _NUMERIC.rows({"value": value} for value in values)


def completeness(group: GroupCompleteness, *, brief: bool = False) -> SafeString:
    """A row's "units reported" cell on the dashboard (the trusts', the region's with ``brief``, the hospitals')."""
    carried = group.carried
    n, missing = len(carried), len(group.missing)
    notes = [] if brief else [earlier_report_text(u) for u in carried]
    if missing:
        notes.append(
            _translated(ngettext("one without any report", "%(counter)s without any report", missing), counter=missing)
        )
    return _COMPLETENESS(
        reported=group.reported,
        expected=group.expected,
        brief=_translated(
            ngettext("(one with an earlier report)", "(%(counter)s with an earlier report)", n), counter=n
        )
        if carried and brief
        else "",
        notes=_NOTE.rows({"note": note} for note in notes),
    )


_COMPLETENESS_ROW = RowMarkup(
    '<tr><th scope="row">{trust}</th><td class="numeric">{reported} / {expected}</td>'
    "<td>{carried}</td><td>{missing}</td></tr>"
)
_COMPLETENESS_TABLES: Kept[SafeString] = CAPACITY.kept(256)


def completeness_rows(figures: RoundFigures) -> SafeString:
    """The rows of the table of units reported per trust (``capacity/_completeness.html``): each unit shown with
    its latest earlier report, each unit without any. Kept with the figures (their key) per language."""

    def write() -> SafeString:
        return _COMPLETENESS_ROW.rows(
            {
                "trust": t.trust.name if t.trust else "",
                "reported": t.reported,
                "expected": t.expected,
                "carried": _lines(earlier_report_text(u) for u in t.carried) or MISSING,
                "missing": ", ".join(u.unit.name for u in t.missing) or MISSING,
            }
            for t in figures.trusts
        )

    return _COMPLETENESS_TABLES.get(figures.version, (figures.round.pk, figures.group, get_language()), write)


def _lines(texts: Iterable[str]) -> SafeString:
    """Texts one under the other, each escaped."""
    return mark_safe("<br>".join(str(conditional_escape(text)) for text in texts))  # noqa: S308 — each escaped


_TOTALS_ROW = RowMarkup('<tr><th scope="row">{label}</th>{cells}</tr>')
_TOTALS_CELL = RowMarkup('<td class="numeric">{staffed} / {physical}</td>')


def totals_rows(region_totals: Iterable[tuple[str, str, list[Totals]]]) -> SafeString:
    """The region's staffed / physical beds per scenario and category."""
    return _TOTALS_ROW.rows(
        {
            "label": label,
            "cells": _TOTALS_CELL.rows({"staffed": _whole(t.staffed), "physical": _whole(t.physical)} for t in totals),
        }
        for _scenario, label, totals in region_totals
    )


_TRUST_ROW = RowMarkup(
    '<tr><th scope="row">{trust}</th>{staffed}<td class="numeric">{total}</td>'
    '<td class="numeric">{population}</td>{per_100k}<td class="numeric">{total_per_100k}</td>{completeness}</tr>'
)


def trust_rows(trusts: Iterable[GroupRow], region: GroupRow) -> SafeString:
    """The trusts' rows, then the region's (its earlier reports counted, not listed)."""
    return _TRUST_ROW.rows(
        [*(_trust_row(row, row.trust) for row in trusts), _trust_row(region, region.label, brief=True)]
    )


def _trust_row(row: GroupRow, name: str, *, brief: bool = False) -> dict[str, Any]:
    return {
        "trust": name,
        "staffed": _numeric(_whole(v) for v in row.staffed_list()),
        "total": _whole(row.staffed_total),
        "population": formatting.number(row.population, 0),
        "per_100k": _numeric(display.per_100k(v) for v in row.per_100k()),
        "total_per_100k": display.per_100k(row.total_per_100k),
        "completeness": completeness(row.completeness, brief=brief),
    }


_HOSPITAL_ROW = RowMarkup(
    '<tr><th scope="row">{label}</th><td>{trust}</td>{staffed}<td class="numeric">{composition}</td>'
    '<td class="numeric">{nurses}</td>{completeness}</tr>'
)
_STATUS_ROW = RowMarkup('<tr><th scope="row">{label}</th>{tags}</tr>')


def hospital_rows(rows: Iterable[GroupRow]) -> tuple[SafeString, SafeString]:
    """The hospitals' rows of the composition table, and of the status table."""
    rows = list(rows)
    tags: dict[str, str] = {}  # a status's tag, rendered once per page

    def tag(status: str) -> str:
        if not status:
            return MISSING
        if status not in tags:
            tags[status] = status_tag(status, model="capacity.CapacityEntry")
        return tags[status]

    composition = _HOSPITAL_ROW.rows(
        {
            "label": row.label,
            "trust": row.trust,
            "staffed": _numeric(_whole(v) for v in row.staffed_list()),
            "composition": " : ".join(str(p) for p in row.composition()) if row.staffed_total else MISSING,
            "nurses": formatting.number(row.nurses_per_staffed_bed, 2),
            "completeness": completeness(row.completeness),
        }
        for row in rows
    )
    statuses = _STATUS_ROW.rows(
        {"label": row.label, "tags": _CELL.rows({"value": tag(row.worst_status(c))} for c in CATEGORIES)}
        for row in rows
    )
    return composition, statuses


_TREND_ROW = RowMarkup('<tr><th scope="row">{name}</th>{staffed}<td>{reported} / {expected} {carried}</td></tr>')


def trend_rows(points: Iterable[TrendPoint]) -> SafeString:
    return _TREND_ROW.rows(
        {
            "name": point.round.name,
            "staffed": _numeric(_dash(point.staffed.get(c)) for c in CATEGORIES),
            "reported": point.reported,
            "expected": point.expected,
            "carried": _translated(
                ngettext(
                    "(one unit with an earlier report)", "(%(counter)s units with an earlier report)", point.carried
                ),
                counter=point.carried,
            )
            if point.carried
            else "",
        }
        for point in points
    )


@dataclass(frozen=True)
class DashboardTables:
    """The dashboard's tables' rows."""

    totals: SafeString
    trusts: SafeString
    hospitals: SafeString
    statuses: SafeString
    trend: SafeString


_DASHBOARD: Kept[DashboardTables] = CAPACITY.kept(256)


def dashboard_tables(data: Dashboard) -> DashboardTables:
    """The rows of the dashboard's tables, kept in the worker with the figures they show (their key) per round,
    scenario, patient group and language: they depend on nothing else."""

    def write() -> DashboardTables:
        hospitals, statuses = hospital_rows(data.hospitals)
        return DashboardTables(
            totals=totals_rows(data.region_totals),
            trusts=trust_rows(data.trusts, data.region_row),
            hospitals=hospitals,
            statuses=statuses,
            trend=trend_rows(data.trend),
        )

    key = (data.round.pk, data.scenario, data.group, get_language())
    return _DASHBOARD.get(data.figures.version, key, write)


# --- dimensioning --------------------------------------------------------------------------------------------------


_DIMENSION_ROW = RowMarkup(
    '<tr><th scope="row">{label}{earlier}</th><td>{category}</td><td class="numeric">{staffed} / {physical}</td>'
    '<td class="numeric">{measured}</td><td class="numeric">{load}</td><td>{verdict}</td>'
    '<td class="numeric">{refused}</td><td>{pooling}</td></tr>'
)
#: a figure with the note under it: measured occupancy, offered load, the Erlang estimate
_WITH_NOTE = RowMarkup('{value}<br><span class="muted">{note}</span>')
_MEASURED_FROM_SITUATION = RowMarkup(
    '{value}<br><span class="muted" data-measured="situation">{note}; {latest_label} {latest}</span>'
)
_MEASURED_FROM_ROUNDS = RowMarkup('{value}<br><span class="muted" data-measured="rounds">{note}</span>')


class _StandIn(DimensionResult):
    """A result whose verdict's words are a stand-in: its tag is rendered once and the words put in per row."""

    def __init__(self, result: DimensionResult, label: str) -> None:
        self._verdict, self._label = result.verdict, label

    @property
    def verdict(self) -> str:
        return self._verdict

    @property
    def verdict_label(self) -> str:
        return self._label


@dataclass(frozen=True)
class DimensioningRows:
    """The dimensioning table's rows with a stand-in for each situation report's age ("2 hours ago" changes by
    the minute, the rest only with the figures): ``html()`` puts the ages in."""

    markup: str
    ages: tuple[tuple[str, datetime.datetime], ...]

    def html(self) -> SafeString:
        markup = self.markup
        for stand_in, filed_at in self.ages:
            age = render_to_string("capacity/_situation_age.html", situation_age(filed_at))
            markup = markup.replace(stand_in, age)
        return mark_safe(markup)  # noqa: S308 — rows written by RowMarkup, ages by their template


_DIMENSIONING_ROWS: Kept[DimensioningRows] = CAPACITY.kept(256)


def dimensioning_table(results: DimensionResults) -> SafeString:
    """``dimensioning_rows``, kept in the worker with the results they show (under their key) per language."""
    kept = _DIMENSIONING_ROWS.get(results.version, (*results.key, get_language()), lambda: dimensioning_rows(results))
    return kept.html()


def dimensioning_rows(results: Iterable[DimensionResult]) -> DimensioningRows:
    """The dimensioning table's rows: reported beds beside the measured occupancy and the Erlang estimate."""
    ages: dict[datetime.datetime, str] = {}  # a report time's stand-in

    def age(filed_at: Any) -> SafeString:
        if filed_at not in ages:
            ages[filed_at] = f"\x00age{len(ages)}\x00"
        return mark_safe(ages[filed_at])  # noqa: S308 — a stand-in, replaced by the age's HTML

    # A verdict's tag differs from row to row by its words only: rendered once per verdict with a stand-in for them.
    tags: dict[str, tuple[str, str]] = {}

    def verdict_tag(r: DimensionResult) -> SafeString:
        if r.verdict not in tags:
            stand_in = "\x00verdict\x00"
            tags[r.verdict] = str(status_tag(_StandIn(r, stand_in), "verdict")), stand_in
        html, stand_in = tags[r.verdict]
        return mark_safe(html.replace(stand_in, str(conditional_escape(r.verdict_label))))  # noqa: S308

    latest_label = _("latest report")
    rows = []
    for r in results:
        row = r.row
        earlier = len(row.earlier_reports)
        measured = row.measured
        if measured:
            n = measured.samples
            value = f"{formatting.number(measured.mean, 1)} / {formatting.number(measured.p90, 1)}"
            if row.measured_source == MEASURED_FROM_SITUATION:
                note = _translated(
                    ngettext("situation reports, one day", "situation reports, %(counter)s days", n), counter=n
                )
                measured_cell = _MEASURED_FROM_SITUATION(
                    value=value, note=note, latest_label=latest_label, latest=age(row.measured_latest)
                )
            else:
                note = _translated(ngettext("one round", "%(counter)s rounds", n), counter=n)
                measured_cell = _MEASURED_FROM_ROUNDS(value=value, note=note)
        pooling = r.pooling
        rows.append(
            {
                "label": row.label,
                "earlier": _NOTE(
                    note=_translated(
                        ngettext("one unit’s earlier report", "%(counter)s units’ earlier reports", earlier),
                        counter=earlier,
                    )
                )
                if earlier
                else "",
                "category": row.category,
                "staffed": row.staffed,
                "physical": row.physical,
                "measured": measured_cell if measured else MISSING,
                "load": _WITH_NOTE(
                    value=display.load(row.load) + ("*" if row.load_from_normal else ""),
                    note=f"{display.load(row.arrivals)} × {formatting.number(row.mean_stay, 1)}",
                )
                if row.has_load
                else MISSING,
                "verdict": _WITH_NOTE(
                    value=verdict_tag(r),
                    note=_translated(
                        _("%(refused)s refused, occupancy %(occupancy)s"),
                        refused=display.share(r.blocking),
                        occupancy=formatting.percent(r.occupancy, 0),
                    ),
                )
                if r.verdict
                else MISSING,
                "refused": row.refused,
                "pooling": format_html(
                    "{} / {};", display.share(pooling.separate_blocking), display.share(pooling.pooled_blocking)
                )
                + _translated(
                    ngettext(
                        " %(counter)s bed fewer needed pooled",
                        " %(counter)s fewer beds needed pooled",
                        pooling.beds_saved,
                    ),
                    counter=pooling.beds_saved,
                )
                if pooling
                else MISSING,
            }
        )
    return DimensioningRows(_DIMENSION_ROW.rows(rows), tuple((stand_in, at) for at, stand_in in ages.items()))
