"""The dashboard's and the dimensioning page's tables as flat rows, prepared once per request (issue 23).

The templates only print what is here: every figure is written by the same functions as the templates' filters did
(``capacity.display``, ``core.formatting``), every tag by the shared components' own functions, and every text by
the same message as before, so the pages read exactly as they did. What it saves is the template engine's work per
cell: an include, a custom tag or a ``blocktranslate`` per row cost more than the figures themselves.

The filter forms are rendered once per language and choice and kept in the worker (``form_fields``): their HTML
depends only on the key, so a kept copy is never stale.
"""

from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.template.loader import render_to_string
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from fagnett.capacity import display
from fagnett.capacity.models import CATEGORIES
from fagnett.capacity.selectors import (
    MEASURED_FROM_SITUATION,
    DimensionResult,
    GroupCompleteness,
    GroupRow,
    TrendPoint,
    earlier_report_text,
)
from fagnett.capacity.templatetags.situation import situation_age
from fagnett.core import formatting
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


# --- the filter forms ----------------------------------------------------------------------------------------------

#: rendered forms a worker keeps (a few languages × scenarios × groups × rounds' hospitals)
FORMS_KEPT = 256
_forms: OrderedDict[Hashable, dict[str, SafeString]] = OrderedDict()


def form_fields(key: Hashable, make: Callable[[], forms.Form]) -> dict[str, SafeString]:
    """The form made by ``make`` rendered, whole (``"form"``) and field by field (as ``as_field_group``), kept under
    ``key`` and the active language. ``key`` must hold everything the form's HTML depends on: its data or initial
    values and its choices."""
    full_key = (get_language(), key)
    kept = _forms.get(full_key)
    if kept is None:
        form = make()
        kept = {"form": SafeString(str(form))} | {name: form[name].as_field_group() for name in form.fields}
        _forms[full_key] = kept
        while len(_forms) > FORMS_KEPT:
            _forms.popitem(last=False)
    return kept


# --- the dashboard -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Completeness:
    """A row's "units reported" cell on the dashboard: reported / expected, the earlier
    reports used (how many, ``brief``, or each, ``carried``), and how many units have none."""

    reported: str
    expected: str
    brief: str
    carried: list[str]
    missing: str


def completeness(group: GroupCompleteness, *, brief: bool = False) -> Completeness:
    carried = group.carried
    n, missing = len(carried), len(group.missing)
    return Completeness(
        str(group.reported),
        str(group.expected),
        _translated(ngettext("(one with an earlier report)", "(%(counter)s with an earlier report)", n), counter=n)
        if carried and brief
        else "",
        [earlier_report_text(u) for u in carried] if not brief else [],
        _translated(ngettext("one without any report", "%(counter)s without any report", missing), counter=missing)
        if missing
        else "",
    )


@dataclass(frozen=True)
class TrustRow:
    trust: str
    staffed: list[str]
    total: str
    population: str
    per_100k: list[str]
    total_per_100k: str
    completeness: Completeness


def trust_rows(trusts: Iterable[GroupRow], region: GroupRow) -> list[TrustRow]:
    """The trusts' rows, then the region's (its earlier reports counted, not listed)."""
    return [*(_trust_row(row, row.trust) for row in trusts), _trust_row(region, region.label, brief=True)]


def _trust_row(row: GroupRow, name: str, *, brief: bool = False) -> TrustRow:
    return TrustRow(
        name,
        [_whole(v) for v in row.staffed_list()],
        _whole(row.staffed_total),
        formatting.number(row.population, 0),
        [display.per_100k(v) for v in row.per_100k()],
        display.per_100k(row.total_per_100k),
        completeness(row.completeness, brief=brief),
    )


@dataclass(frozen=True)
class HospitalRow:
    label: str
    trust: str
    staffed: list[str]
    composition: str
    nurses: str
    completeness: Completeness
    statuses: list[str]


def hospital_rows(rows: Iterable[GroupRow]) -> list[HospitalRow]:
    tags: dict[str, str] = {}  # a status's tag, rendered once per page

    def tag(status: str) -> str:
        if not status:
            return MISSING
        if status not in tags:
            tags[status] = status_tag(status, model="capacity.CapacityEntry")
        return tags[status]

    return [
        HospitalRow(
            row.label,
            row.trust,
            [_whole(v) for v in row.staffed_list()],
            " : ".join(str(p) for p in row.composition()) if row.staffed_total else MISSING,
            formatting.number(row.nurses_per_staffed_bed, 2),
            completeness(row.completeness),
            [tag(row.worst_status(c)) for c in CATEGORIES],
        )
        for row in rows
    ]


@dataclass(frozen=True)
class TrendRow:
    name: str
    #: the staffed beds' cells, one per category: 52 rows × 3 cells were half the page's template time as a loop
    staffed: SafeString
    reported: str
    expected: str
    carried: str


def trend_rows(points: Iterable[TrendPoint]) -> list[TrendRow]:
    return [
        TrendRow(
            point.round.name,
            format_html_join("", '<td class="numeric">{}</td>', ((_dash(point.staffed.get(c)),) for c in CATEGORIES)),
            str(point.reported),
            str(point.expected),
            _translated(
                ngettext(
                    "(one unit with an earlier report)", "(%(counter)s units with an earlier report)", point.carried
                ),
                counter=point.carried,
            )
            if point.carried
            else "",
        )
        for point in points
    ]


# --- dimensioning --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DimensionPageRow:
    label: str
    earlier: str
    category: str
    staffed: str
    physical: str
    #: measured occupied beds: "mean / p90", where from ("situation" or "rounds"), and the note under it
    measured: str
    measured_source: str
    measured_note: str
    latest: str  # the newest situation report's age (capacity/_situation_age.html)
    load: str
    load_basis: str
    verdict: str  # the tag
    verdict_note: str
    refused: str
    pooling: str


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


def dimensioning_rows(results: Iterable[DimensionResult]) -> list[DimensionPageRow]:
    ages: dict[Any, str] = {}  # a report time's age, rendered once per page

    def age(filed_at: Any) -> str:
        if filed_at not in ages:
            ages[filed_at] = render_to_string("capacity/_situation_age.html", situation_age(filed_at))
        return ages[filed_at]

    # A verdict's tag differs from row to row by its words only: rendered once per verdict with a stand-in for them.
    tags: dict[str, tuple[str, str]] = {}

    def verdict_tag(r: DimensionResult) -> str:
        if r.verdict not in tags:
            stand_in = "\x00verdict\x00"
            tags[r.verdict] = str(status_tag(_StandIn(r, stand_in), "verdict")), stand_in
        html, stand_in = tags[r.verdict]
        return mark_safe(html.replace(stand_in, str(conditional_escape(r.verdict_label))))  # noqa: S308

    rows = []
    for r in results:
        row = r.row
        earlier = len(row.earlier_reports)
        measured = row.measured
        note = latest = ""
        if measured and row.measured_source == MEASURED_FROM_SITUATION:
            n = measured.samples
            note = _translated(
                ngettext("situation reports, one day", "situation reports, %(counter)s days", n), counter=n
            )
            latest = age(row.measured_latest)
        elif measured:
            n = measured.samples
            note = _translated(ngettext("one round", "%(counter)s rounds", n), counter=n)
        pooling = r.pooling
        rows.append(
            DimensionPageRow(
                label=row.label,
                earlier=_translated(
                    ngettext("one unit’s earlier report", "%(counter)s units’ earlier reports", earlier),
                    counter=earlier,
                )
                if earlier
                else "",
                category=row.category,
                staffed=str(row.staffed),
                physical=str(row.physical),
                measured=f"{formatting.number(measured.mean, 1)} / {formatting.number(measured.p90, 1)}"
                if measured
                else "",
                measured_source=row.measured_source,
                measured_note=note,
                latest=latest,
                load=display.load(row.load) + ("*" if row.load_from_normal else "") if row.has_load else "",
                load_basis=f"{display.load(row.arrivals)} × {formatting.number(row.mean_stay, 1)}"
                if row.has_load
                else "",
                verdict=verdict_tag(r) if r.verdict else "",
                verdict_note=_translated(
                    _("%(refused)s refused, occupancy %(occupancy)s"),
                    refused=display.share(r.blocking),
                    occupancy=formatting.percent(r.occupancy, 0),
                )
                if r.verdict
                else "",
                refused=str(row.refused),
                pooling=format_html(
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
            )
        )
    return rows
