"""The regional annual report as a document: sections of paragraphs, lists, tables and figures.

One structure feeds the web page, the DOCX and the PDF, so the three say exactly the same. Sentences with
numbers are written here from ``statistics.region_statistics``; the coordinator's narrative is added as
paragraphs (blank lines separate them).
"""

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext

from fagnett.budget.models import Expense
from fagnett.reports import charts, statistics
from fagnett.reports.models import NetworkReport, RegionalReport


@dataclass
class Block:
    kind: str
    text: str = ""
    items: list[str] = field(default_factory=list)
    caption: str = ""
    header: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    number: int = 0
    alt: str = ""
    table: "Block | None" = None
    muted: bool = False
    #: how many leading columns of a table hold text (the rest are numbers, right-aligned)
    text_columns: int = 1

    @property
    def head_cells(self) -> list[tuple[bool, str]]:
        """The table's header as (numeric, text): the page's template prints them without comparing positions."""
        return [(i >= self.text_columns, h) for i, h in enumerate(self.header)]

    @property
    def body_rows(self) -> list[tuple[str, list[tuple[bool, str]]]]:
        """Each row as its heading cell and the other cells as (numeric, text), worked out once here rather than
        per cell in the template (issue 23: the preview's tables are most of its template's work)."""
        return [
            (row[0], [(i >= self.text_columns, cell) for i, cell in enumerate(row[1:], 1)]) for row in self.rows if row
        ]


@dataclass
class Section:
    heading: str
    blocks: list[Block] = field(default_factory=list)
    subsections: list["Section"] = field(default_factory=list)
    anchor: str = ""


@dataclass
class ReportDocument:
    title: str
    subtitle: str
    approval: str
    sections: list[Section]
    appendices: list[Section]
    stats: dict[str, Any]


def _p(text: str, *, muted: bool = False) -> Block:
    return Block(kind="paragraph", text=text, muted=muted)


def _narrative(text: str, draft: bool) -> list[Block]:
    paragraphs = [part.strip() for part in text.replace("\r\n", "\n").split("\n\n") if part.strip()]
    if paragraphs:
        return [_p(part) for part in paragraphs]
    return [_p(_("Not written yet."), muted=True)] if draft else []


def _kr(amount: int) -> str:
    return number_format(amount, force_grouping=True) + " kr"


def _names(names: list[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return _("%(first)s and %(last)s") % {"first": ", ".join(names[:-1]), "last": names[-1]}


def _table(caption: str, header: list[str], rows: list[list[Any]], text_columns: int = 1) -> Block:
    return Block(
        kind="table",
        caption=caption,
        header=header,
        rows=[[str(c) for c in row] for row in rows],
        text_columns=text_columns,
    )


FORM_LABELS = {
    "digital": gettext_lazy("digital"),
    "physical": gettext_lazy("physical"),
    "hybrid": gettext_lazy("hybrid"),
}


def _status_section(stats: dict[str, Any], report: RegionalReport) -> Section:
    networks, year = stats["networks"], stats["year"]
    blocks = [
        _p(
            ngettext(
                "At the end of %(year)s there is %(n)s network in %(region)s:",
                "At the end of %(year)s there are %(n)s networks in %(region)s:",
                networks["count"],
            )
            % {"year": year, "n": networks["count"], "region": stats["region"]["name"]}
            + (
                " "
                + ngettext(
                    "%(active)s in operation and %(n)s not yet started.",
                    "%(active)s in operation and %(n)s not yet started.",
                    len(networks["not_started"]),
                )
                % {"active": stats["meetings"]["reporting"], "n": len(networks["not_started"])}
                if networks["not_started"]
                else ""
            )
        ),
        _table(
            _("The networks at the end of %(year)s") % {"year": year},
            [_("Network"), _("Professional field"), _("Councils and working groups")],
            [[n["name"], n["field"], n["subgroups"] or "–"] for n in networks["list"]],
            text_columns=2,
        ),
    ]
    if networks["subgroups"]:
        blocks.append(
            _p(
                ngettext(
                    "The networks have %(n)s professional council or working group under them.",
                    "The networks have %(n)s professional councils or working groups under them.",
                    networks["subgroups"],
                )
                % {"n": networks["subgroups"]}
            )
        )
    if networks["new"]:
        blocks.append(
            _p(
                ngettext(
                    "One new network was established in %(year)s: %(names)s.",
                    "%(n)s new networks were established in %(year)s: %(names)s.",
                    len(networks["new"]),
                )
                % {"n": len(networks["new"]), "year": year, "names": _names(networks["new"])}
            )
        )
    if networks["not_started"]:
        blocks.append(
            _p(
                ngettext(
                    "%(names)s has not started yet and is not part of this report.",
                    "%(names)s have not started yet and are not part of this report.",
                    len(networks["not_started"]),
                )
                % {"names": _names(networks["not_started"])}
            )
        )
    for ended in networks["ended"]:
        if ended["merged_into"]:
            text = _("%(name)s was merged into %(target)s in %(year)s.") % {
                "name": ended["name"],
                "target": ended["merged_into"],
                "year": year,
            }
        else:
            text = _("%(name)s was closed in %(year)s.") % {"name": ended["name"], "year": year}
        blocks.append(_p(text))
    blocks.extend(_narrative(report.status_text, not report.is_locked))
    return Section(heading=_("Status %(year)s") % {"year": year}, blocks=blocks, anchor="status")


def _meetings_section(stats: dict[str, Any], report: RegionalReport) -> Section:
    meetings, year = stats["meetings"], stats["year"]
    years = meetings["years"]
    table = _table(
        _("Meetings held per network, %(first)s–%(last)s") % {"first": years[0], "last": years[-1]},
        [_("Network"), *[str(y) for y in years], _("Minimum")],
        [
            [row["network"], *row["counts"], row["minimum"] if row["minimum"] is not None else "–"]
            for row in meetings["rows"]
        ]
        + [[_("All networks"), *meetings["totals"], ""]],
    )
    blocks = [
        Block(
            kind="figure",
            number=1,
            caption=_("Figure 1. Meetings in the networks per year – %(first)s–%(last)s")
            % {"first": years[0], "last": years[-1]},
            alt=charts.alt_text_1(stats),
            table=table,
        ),
        _p(
            ngettext(
                "Figure 1 shows the meetings the networks held in %(year)s compared with %(previous)s. In all they "
                "held %(total)s meeting in %(year)s, against %(totals_before)s.",
                "Figure 1 shows the meetings the networks held in %(year)s compared with %(previous)s. In all they "
                "held %(total)s meetings in %(year)s, against %(totals_before)s.",
                meetings["totals"][-1],
            )
            % {
                "year": year,
                "previous": _names([str(y) for y in years[:-1]]),
                "total": meetings["totals"][-1],
                "totals_before": _names(
                    [
                        _("%(n)s in %(year)s") % {"n": n, "year": y}
                        for y, n in zip(years[:-1], meetings["totals"][:-1], strict=True)
                    ]
                ),
            }
        ),
        _p(
            ngettext(
                "%(below)s of the %(n)s network in operation in %(year)s held fewer meetings than its mandate's "
                "minimum.",
                "%(below)s of the %(n)s networks in operation in %(year)s held fewer meetings than their mandate's "
                "minimum.",
                meetings["reporting"],
            )
            % {"below": meetings["below_minimum"], "n": meetings["reporting"], "year": year}
            if meetings["below_minimum"]
            else _("Every network held at least the minimum number of meetings in %(year)s.") % {"year": year}
        ),
    ]
    by_form = {k: v for k, v in meetings["by_form"].items() if v}
    if by_form:
        parts = [
            _("%(n)s %(form)s") % {"n": n, "form": FORM_LABELS.get(form, form)}
            for form, n in sorted(by_form.items(), key=lambda item: -item[1])
        ]
        blocks.append(_p(_("Of the meetings held in %(year)s, %(parts)s.") % {"year": year, "parts": _names(parts)}))
    blocks.extend(_narrative(report.activities, not report.is_locked))
    return Section(heading=_("Meetings"), blocks=blocks, anchor="meetings")


def _tasks_section(stats: dict[str, Any], report: RegionalReport) -> Section:
    tasks, procedures, registry, year = stats["tasks"], stats["procedures"], stats["registry"], stats["year"]
    ranked = [row for row in tasks["rows"] if row["first"]]
    blocks = [
        _p(
            _(
                "Starting from the list of tasks in the mandate, the networks have ranked their most central "
                "tasks of %(year)s (figure 2)."
            )
            % {"year": year}
        )
    ]
    if ranked:
        top = [
            ngettext(
                "%(task)s (ranked highest by %(n)s network)", "%(task)s (ranked highest by %(n)s networks)", r["first"]
            )
            % {"task": r["title"], "n": r["first"]}
            for r in ranked[:2]
        ]
        blocks.append(_p(_("The most central tasks are %(tasks)s.") % {"tasks": _names(top)}))
    blocks.append(
        Block(
            kind="figure",
            number=2,
            caption=_("Figure 2. The most central cases and tasks in the networks in %(year)s") % {"year": year},
            alt=charts.alt_text_2(stats),
            table=_table(
                _("Networks ranking each task, %(year)s") % {"year": year},
                [_("Task"), _("Most central"), _("Second"), _("Third")],
                [[r["title"], r["first"], r["second"], r["third"]] for r in tasks["rows"]],
            ),
        )
    )
    change = procedures["change"]
    if change > 0:
        change_text = ngettext("%(n)s more than the year before", "%(n)s more than the year before", change) % {
            "n": change
        }
    elif change < 0:
        change_text = ngettext("%(n)s fewer than the year before", "%(n)s fewer than the year before", -change) % {
            "n": -change
        }
    else:
        change_text = _("as many as the year before")
    blocks.append(
        _p(
            _(
                "In %(year)s the networks started, revised or completed %(procedures)s and %(pathways)s – %(n)s in "
                "all, %(change)s (%(last)s)."
            )
            % {
                # Each count with its own noun, so that one of them reads "1 regional procedure".
                "procedures": ngettext(
                    "%(n)s regional procedure", "%(n)s regional procedures", procedures["procedures_only"]
                )
                % {"n": procedures["procedures_only"]},
                "pathways": ngettext(
                    "%(n)s standardised patient pathway",
                    "%(n)s standardised patient pathways",
                    procedures["pathways_worked_on"],
                )
                % {"n": procedures["pathways_worked_on"]},
                "n": procedures["worked_on"],
                "year": year,
                "change": change_text,
                "last": procedures["last_year"],
            }
        )
    )
    blocks.append(
        _p(
            _("Of these, %(started)s were started, %(revised)s revised and %(completed)s completed.")
            % {k: procedures[k] for k in ("started", "revised", "completed")}
        )
    )
    blocks.append(
        _p(
            ngettext(
                "%(n)s network reports work on new or revised regional standardised patient pathways "
                "(%(pathways)s pathways).",
                "%(n)s networks report work on new or revised regional standardised patient pathways "
                "(%(pathways)s pathways).",
                procedures["pathway_networks"],
            )
            % {"n": procedures["pathway_networks"], "pathways": procedures["pathways_worked_on"]}
        )
    )
    this, last = registry["this_year"], registry["last_year"]
    values = {"this": this, "last": last, "year": year, "previous": year - 1}
    if this > last:
        text = _(
            "More networks report that results from medical quality registries, the health atlas or other data "
            "sources were reviewed in the network as a basis for quality improvement – from %(last)s in "
            "%(previous)s to %(this)s in %(year)s."
        )
    elif this < last:
        text = _(
            "Fewer networks report that results from medical quality registries, the health atlas or other data "
            "sources were reviewed in the network – from %(last)s in %(previous)s to %(this)s in %(year)s."
        )
    else:
        text = ngettext(
            "%(this)s network reports that results from medical quality registries, the health atlas or other "
            "data sources were reviewed in the network in %(year)s, as in %(previous)s.",
            "%(this)s networks report that results from medical quality registries, the health atlas or other "
            "data sources were reviewed in the network in %(year)s, as in %(previous)s.",
            this,
        )
    blocks.append(_p(text % values))
    blocks.extend(_topic_blocks(stats))
    blocks.extend(_narrative(report.central_work, not report.is_locked))
    return Section(heading=_("Central cases and tasks"), blocks=blocks, anchor="tasks")


def _topic_blocks(stats: dict[str, Any]) -> list[Block]:
    """Figure 3 and what it says: the topics most networks worked on, and how that shifted from last year."""
    topics = stats.get("topics")
    if not topics or not topics["rows"]:
        return []
    rows, (last, year) = topics["rows"], topics["years"]
    blocks = [
        Block(
            kind="figure",
            number=3,
            caption=_("Figure 3. Topics the networks worked on, %(last)s and %(year)s") % {"last": last, "year": year},
            alt=charts.alt_text_3(stats),
            table=_table(
                _("Networks that worked on each topic, %(last)s and %(year)s") % {"last": last, "year": year},
                [_("Topic"), str(last), str(year), pgettext("difference between two years", "Change")],
                [[r["topic"], r["last_year"], r["this_year"], f"{r['change']:+d}"] for r in rows],
            ),
        )
    ]
    top = [
        ngettext("%(topic)s (%(n)s network)", "%(topic)s (%(n)s networks)", r["this_year"])
        % {"topic": r["topic"], "n": r["this_year"]}
        for r in rows[:3]
        if r["this_year"]
    ]
    if top:
        blocks.append(
            _p(
                _("The topics most networks worked on in %(year)s were %(topics)s.")
                % {"year": year, "topics": _names(top)}
            )
        )
    risen = max(rows, key=lambda r: r["change"])
    fallen = min(rows, key=lambda r: r["change"])
    values = {"last": last, "year": year}
    if risen["change"] > 0:
        blocks.append(
            _p(
                ngettext(
                    "%(topic)s rose the most: from %(a)s network in %(last)s to %(b)s in %(year)s.",
                    "%(topic)s rose the most: from %(a)s networks in %(last)s to %(b)s in %(year)s.",
                    risen["last_year"],
                )
                % {**values, "topic": risen["topic"], "a": risen["last_year"], "b": risen["this_year"]}
            )
        )
    if fallen["change"] < 0:
        blocks.append(
            _p(
                ngettext(
                    "%(topic)s fell the most: from %(a)s network in %(last)s to %(b)s in %(year)s.",
                    "%(topic)s fell the most: from %(a)s networks in %(last)s to %(b)s in %(year)s.",
                    fallen["last_year"],
                )
                % {**values, "topic": fallen["topic"], "a": fallen["last_year"], "b": fallen["this_year"]}
            )
        )
    return blocks


def _functioning_section(stats: dict[str, Any]) -> Section:
    reflections = stats["reflections"]

    def items(kind: str) -> list[str]:
        return [
            ngettext("%(title)s (%(n)s network)", "%(title)s (%(n)s networks)", row["count"])
            % {"title": row["title"], "n": row["count"]}
            for row in reflections.get(kind, [])
        ]

    well, improve = items("worked_well"), items("improve")
    section = Section(
        heading=_("How the networks work"),
        blocks=[_p(_("Asked what has worked well and what must improve, the networks most often name:"))],
        anchor="functioning",
    )
    none = [_p(_("No network has answered yet."), muted=True)]
    section.subsections = [
        Section(heading=_("Success factors"), blocks=[Block(kind="bullets", items=well)] if well else none),
        Section(heading=_("Points to improve"), blocks=[Block(kind="bullets", items=improve)] if improve else none),
    ]
    return section


def _funds_section(stats: dict[str, Any]) -> Section:
    funds, year = stats["funds"], stats["year"]
    labels = dict(Expense.Kind.choices)
    rows = [[str(labels.get(r["kind"], r["kind"])), _kr(r["amount"])] for r in funds["rows"]]
    rows.append([_("In all"), _kr(funds["spent"])])
    blocks = [
        _p(
            ngettext(
                "%(n)s network had a grant for %(year)s, %(granted)s in all for the grant periods; the networks "
                "spent %(spent)s in %(year)s.",
                "%(n)s networks had grants for %(year)s, %(granted)s in all for the grant periods; the networks "
                "spent %(spent)s in %(year)s.",
                funds["networks_with_grants"],
            )
            % {
                "n": funds["networks_with_grants"],
                "year": year,
                "granted": _kr(funds["granted"]),
                "spent": _kr(funds["spent"]),
            }
        ),
        _table(_("Use of funds by kind, %(year)s") % {"year": year}, [_("Kind"), _("Spent")], rows),
    ]
    return Section(heading=_("Use of funds"), blocks=blocks, anchor="funds")


def _facts_tables(facts: dict[str, Any]) -> list[Block]:
    """A network report's figures from the records (empty for a report that has none stored)."""
    if not facts:
        return []
    meetings, cases, procedures, actions = (
        facts["meetings"],
        facts["cases"],
        facts["procedures"],
        facts["action_items"],
    )
    forms = ", ".join(f"{FORM_LABELS.get(form, form)} {n}" for form, n in sorted(meetings["by_form"].items()) if n)
    facts_table = _table(
        _("From the records"),
        [_("What"), _("Number")],
        [
            [_("Meetings held (minimum)"), f"{meetings['held']} ({meetings['minimum'] or '–'})"],
            [_("Meetings by form"), forms or "–"],
            [_("Cases received"), cases["received"]],
            [_("Cases answered"), cases["answered"]],
            [_("Cases closed or declined"), cases["closed"]],
            [_("Common cases answered"), f"{cases['common_answered']} / {cases['common_received']}"],
            [_("Procedures and pathways started"), procedures["started"]],
            [_("Procedures and pathways revised"), procedures["revised"]],
            [_("Procedures and pathways completed"), procedures["completed"]],
            [_("Action items done on time"), f"{actions['done_on_time']} / {actions['due']}"],
            [_("Spent from grants"), _kr(facts["funds"]["spent"])],
        ],
    )
    attendance = _table(
        _("Meetings with someone present, by health trust"),
        [_("Health trust"), _("Meetings")],
        [[row["trust"], f"{row['meetings']} / {meetings['held']}"] for row in facts["attendance"]],
    )
    return [facts_table, attendance]


def _iso_date(value: str) -> str:
    """A date the statistics keep as ISO text (they are frozen as JSON), written in the reader's language."""
    return date_format(datetime.date.fromisoformat(value), "DATE_FORMAT") if value else "–"


def appendix_heading(number: int, appendix: dict[str, Any]) -> str:
    return _("Appendix %(n)s: %(network)s") % {"n": number, "network": appendix["network"]}


def appendix_section(stats: dict[str, Any], number: int) -> Section | None:
    """Appendix ``number`` (from 1) of the report whose statistics are ``stats``; ``None`` if there is none."""
    appendices = stats.get("appendices") or []
    if not 1 <= number <= len(appendices):
        return None
    return _appendix(number, appendices[number - 1])


def _appendix(number: int, appendix: dict[str, Any]) -> Section:
    yes_no = {True: _("Yes"), False: _("No"), None: "–"}
    blocks: list[Block] = [
        _p(
            _("Submitted by %(name)s on %(date)s.")
            % {"name": appendix["submitted_by"] or "–", "date": _iso_date(appendix["submitted_on"])},
            muted=True,
        ),
        *_facts_tables(appendix["facts"]),
    ]
    sub = [
        Section(
            heading=_("The most central tasks"),
            blocks=[Block(kind="bullets", items=[f"{r['rank']}. {r['title']}" for r in appendix["rankings"]])],
        ),
        Section(
            heading=_("Registry and health-atlas data"),
            blocks=[
                _p(
                    _("Reviewed in the network: %(answer)s.")
                    % {"answer": yes_no.get(appendix["registry_data_reviewed"], "–")}
                ),
                *_narrative(appendix["registry_data_note"], False),
            ],
        ),
    ]
    if appendix["central_work"]:
        sub.append(Section(heading=_("Central work"), blocks=_narrative(appendix["central_work"], False)))
    for heading, points, text in (
        (_("What worked well"), appendix["worked_well_points"], appendix["worked_well"]),
        (_("What should improve"), appendix["improve_points"], appendix["improve"]),
    ):
        section_blocks = [Block(kind="bullets", items=points)] if points else []
        section_blocks += _narrative(text, False)
        sub.append(Section(heading=heading, blocks=section_blocks or [_p("–")]))
    if appendix.get("topics"):
        sub.append(Section(heading=_("Topics"), blocks=[_p(", ".join(appendix["topics"]))]))
    sub.append(Section(heading=_("Priorities for next year"), blocks=_narrative(appendix["priorities"], False)))
    return Section(
        heading=appendix_heading(number, appendix),
        blocks=blocks,
        subsections=sub,
        anchor=f"appendix-{number}",
    )


def build(report: RegionalReport, stats: dict[str, Any], *, appendices: bool = True) -> ReportDocument:
    """The report's document from its narrative and ``stats`` (live for a draft, frozen for an approved one).

    ``appendices=False`` leaves the appendices out (``appendices`` is then empty): the web page lists them by
    heading and builds each one when the reader opens it (``appendix_section``); the PDF and DOCX have them all."""
    year, draft = stats["year"], not report.is_locked
    submissions = stats["submissions"]
    intro = _narrative(report.introduction, draft)
    intro.append(
        _p(
            ngettext(
                "%(submitted)s of %(expected)s network has reported on its activity, central cases, what worked "
                "well in the year, points to improve and priorities. This report sums up; each network's report "
                "is an appendix.",
                "%(submitted)s of %(expected)s networks have reported on their activity, central cases, what "
                "worked well in the year, points to improve and priorities. This report sums up; each network's "
                "report is an appendix.",
                submissions["expected"],
            )
            % {"submitted": submissions["submitted"], "expected": submissions["expected"]}
        )
    )
    if submissions["missing"]:
        intro.append(_p(_("Not reported: %(names)s.") % {"names": _names(submissions["missing"])}, muted=draft))
    activities = Section(heading=_("Activities"), anchor="activities")
    activities.subsections = [_meetings_section(stats, report), _tasks_section(stats, report)]
    sections = [
        Section(heading=_("Introduction"), blocks=intro, anchor="introduction"),
        _status_section(stats, report),
        activities,
        _functioning_section(stats),
        Section(
            heading=_("Priorities in %(year)s") % {"year": year + 1},
            blocks=_narrative(report.priorities, draft),
            anchor="priorities",
        ),
        Section(
            heading=_("Support from the regional health authority"),
            blocks=_narrative(report.support, draft),
            anchor="support",
        ),
        _funds_section(stats),
        Section(heading=_("Summary"), blocks=_narrative(report.summary, draft), anchor="summary"),
    ]
    if report.is_locked and report.approved_on:
        approval = _("Approved by %(body)s on %(date)s") % {
            "body": report.approved_by_body,
            "date": date_format(report.approved_on, "SHORT_DATE_FORMAT"),
        }
    else:
        approval = _("Draft – not approved")
    return ReportDocument(
        title=_("Annual report %(year)s") % {"year": year},
        subtitle=_("The regional networks in %(region)s") % {"region": stats["region"]["name"]},
        approval=approval,
        sections=sections,
        appendices=[_appendix(i, a) for i, a in enumerate(stats["appendices"], 1)] if appendices else [],
        stats=stats,
    )


def build_network(report: NetworkReport) -> ReportDocument:
    """A network's own annual report as a document (its PDF and DOCX): the same sections as its appendix in the
    region's report, under the network's name. It has no figures."""
    appendix = statistics.network_report_appendix(report)
    section = _appendix(1, appendix)  # its first block, "Submitted by", is said once, under the title
    status = _("Submitted to the coordinator on %(date)s") % {"date": _iso_date(appendix["submitted_on"])}
    return ReportDocument(
        title=_("Annual report %(year)s: %(network)s") % {"year": report.year, "network": report.network.name},
        subtitle=report.network.region.name,
        approval=status if report.submitted_at else _("Draft – not submitted"),
        sections=[
            Section(heading=_("The year in figures"), blocks=section.blocks[1:], anchor="report"),
            *section.subsections,
        ],
        appendices=[],
        stats={"region": {"name": report.network.region.name}, "year": report.year},
    )
