"""The network's recommendation to the medical director, as DOCX (python-docx) and PDF (WeasyPrint).

The document is the recommendation the network wrote (``models.Recommendation``): its text, the mandate's criteria,
consensus or dissent, the network's decision in a meeting and the medical director's decision, then the assessment
per hospital, trust and region; the round's tables and figures follow as its appendix."""

import base64
import io
from dataclasses import dataclass, field

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from fagnett.capacity import charts, display, selectors
from fagnett.capacity.models import Assessment, Category, ReportRound, Scenario
from fagnett.capacity.models import Recommendation as NetworkRecommendation
from fagnett.core import forked, formatting, pdf, word


@dataclass
class Recommendation:
    round: ReportRound
    dashboard: selectors.Dashboard
    dimensioning: list[selectors.DimensionResult]
    assessments: list[Assessment]
    composition_png: bytes
    dimensioning_png: bytes
    created: str
    #: the figures' text alternatives (the picture's alt text in the PDF, its description in the DOCX)
    composition_alt: str = ""
    dimensioning_alt: str = ""
    #: what the network wrote, or None before it is written (the document then says so)
    recommendation: NetworkRecommendation | None = None
    #: where it stands, in sentences read before the document's child process starts (it may not use the database)
    decision_lines: list[str] = field(default_factory=list)

    @property
    def consensus_text(self) -> str:
        rec = self.recommendation
        if rec is None:
            return ""
        if rec.consensus:
            return _("The recommendation was agreed in consensus.")
        return _("No consensus. Dissent from %(who)s: %(dissent)s") % {"who": rec.dissent_by, "dissent": rec.dissent}

    @property
    def title(self) -> str:
        return _("ICU capacity in %(region)s: the network's recommendation") % {"region": self.round.region.name}

    @property
    def totals_rows(self) -> list[list[str]]:
        return [
            [label, *(formatting.number(t.staffed) + " / " + formatting.number(t.physical) for t in totals)]
            for _s, label, totals in self.dashboard.region_totals
        ]

    @property
    def trust_rows(self) -> list[list[str]]:
        return [
            [
                row.label,
                *(formatting.number(v) for v in row.staffed_list()),
                display.per_100k(row.total_per_100k),
                _units_reported(row),
            ]
            for row in [*self.dashboard.trusts, self.dashboard.region_row]
        ]

    @property
    def completeness_text(self) -> str:
        """The round's completeness in one paragraph, and what the per-100 000 figures are over."""
        return completeness_text(self.dashboard)

    @property
    def completeness_rows(self) -> list[list[str]]:
        return [
            [
                t.trust.name if t.trust else "",
                f"{t.reported} / {t.expected}",
                "\n".join(selectors.earlier_report_text(u) for u in t.carried) or "–",
                ", ".join(u.unit.name for u in t.missing) or "–",
            ]
            for t in self.dashboard.figures.trusts
        ]

    @property
    def dimensioning_rows(self) -> list[list[str]]:
        return [
            [
                r.row.label,
                r.row.category,
                formatting.number(r.row.staffed),
                display.load(r.row.load),
                display.share(r.blocking),
                formatting.number(r.beds_needed),
            ]
            for r in self.dimensioning
        ]

    @property
    def assessment_rows(self) -> list[list[str]]:
        return [
            [
                a.level,
                a.category,
                str(Scenario(a.scenario).label),
                a.get_verdict_display(),
                a.reasons,
                a.actions,
            ]
            for a in self.assessments
        ]


def decision_lines(rec: NetworkRecommendation | None) -> list[str]:
    """Where the recommendation stands: decided in which meeting, sent as which case, the director's decision."""
    if rec is None:
        return []
    lines = []
    if rec.decided_in is not None:
        lines.append(
            _("Decided by the network in the meeting %(meeting)s (minutes approved %(date)s): %(decision)s")
            % {
                "meeting": rec.decided_in.meeting,
                "date": formatting.date(rec.decided_at),
                "decision": rec.meeting_decision,
            }
        )
    elif rec.agenda_item is not None:
        lines.append(_("On the agenda of the meeting %(meeting)s for decision.") % {"meeting": rec.agenda_item.meeting})
    else:
        lines.append(_("Draft: not yet decided by the network."))
    if rec.case is not None:
        lines.append(
            _("Sent to the medical director %(date)s as case %(reference)s.")
            % {"date": formatting.date(rec.sent_at), "reference": rec.case.reference}
        )
        if rec.case.decision:
            lines.append(
                _("The medical director's decision (%(date)s): %(decision)s")
                % {"date": formatting.date(rec.case.decided_at), "decision": rec.case.decision}
            )
        else:
            lines.append(_("The medical director has not decided yet."))
    return lines


def _units_reported(row: selectors.GroupRow) -> str:
    c = row.completeness
    text = f"{c.reported} / {c.expected}"
    if c.carried:
        text += " " + _("(%(count)s with an earlier report)") % {"count": len(c.carried)}
    return text


def group_text(figures: selectors.RoundFigures) -> str:
    """Which patient group the figures are of, and why adult units are the default."""
    if figures.all_groups:
        return _(
            "All patient groups are summed in these figures: beds for newborns and children are counted together "
            "with beds for adults."
        )
    if figures.group == selectors.DEFAULT_GROUP:
        return _(
            "Intensive care units for adults: the bed categories of the mandate are defined for adults, so units "
            "for children and newborns are shown separately."
        )
    return _("Patient group: %(group)s. Beds for other patient groups are not included.") % {
        "group": figures.group_label
    }


def completeness_text(data: selectors.Dashboard) -> str:
    region = data.completeness
    parts = [
        group_text(data.figures),
        ngettext(
            "%(reported)s of %(expected)s unit has reported in this round.",
            "%(reported)s of %(expected)s units have reported in this round.",
            region.expected,
        )
        % {"reported": region.reported, "expected": region.expected},
    ]
    if region.carried:
        parts.append(
            ngettext(
                "For %(count)s unit the latest earlier report is used, marked with its date.",
                "For %(count)s units the latest earlier report is used, marked with its date.",
                len(region.carried),
            )
            % {"count": len(region.carried)}
        )
    if region.missing:
        parts.append(
            ngettext(
                "%(count)s unit has never reported: it is shown as –, not as 0.",
                "%(count)s units have never reported: they are shown as –, not as 0.",
                len(region.missing),
            )
            % {"count": len(region.missing)}
        )
    parts.append(
        ngettext(
            "Per 100 000 inhabitants only where every unit of the trust has figures: the region's rate is over "
            "the %(population)s inhabitants of %(known)s of %(trusts)s trust.",
            "Per 100 000 inhabitants only where every unit of the trust has figures: the region's rate is over "
            "the %(population)s inhabitants of %(known)s of %(trusts)s trusts.",
            data.region_row.all_trusts,
        )
        % {
            "population": formatting.number(data.region_row.rate_population or 0),
            "known": data.region_row.rate_trusts,
            "trusts": data.region_row.all_trusts,
        }
    )
    return " ".join(parts)


def recommendation_data(*, round_: ReportRound, group: str = selectors.DEFAULT_GROUP) -> Recommendation:
    data = selectors.dashboard(round_=round_, group=group)
    results = selectors.dimensioning(round_=round_, level="trust", figures=data.figures)
    rec = selectors.recommendation_for(round_=round_)
    return Recommendation(
        round=round_,
        dashboard=data,
        dimensioning=results,
        assessments=list(selectors.assessment_list(round_=round_)),
        composition_png=charts.composition(data, "png"),
        dimensioning_png=charts.dimensioning(results, "png"),
        composition_alt=charts.composition_alt(data),
        dimensioning_alt=charts.dimensioning_alt(results),
        created=formatting.date(timezone.localdate()),
        recommendation=rec,
        decision_lines=decision_lines(rec),
    )


def _headers() -> dict[str, list[str]]:
    categories = [str(c) for c in Category.values]
    return {
        "totals": [_("Scenario"), *(f"{c} " + _("staffed / physical") for c in categories)],
        "trusts": [_("Health trust"), *categories, _("Staffed beds per 100 000"), _("Units reported")],
        "completeness": [
            _("Health trust"),
            _("Units reported / expected"),
            _("Latest earlier report used"),
            _("No report"),
        ],
        "dimensioning": [
            _("Health trust"),
            _("Category"),
            _("Staffed beds"),
            _("Offered load (erlang)"),
            _("Share refused"),
            _("Beds needed (5 %)"),
        ],
        "assessments": [_("For"), _("Category"), _("Scenario"), _("Verdict"), _("Reasons"), _("Proposed actions")],
    }


def recommendation_docx(report: Recommendation) -> bytes:
    """Made in a child process (``core.forked``), so python-docx's memory does not stay in the worker."""
    return forked.call(_docx, report)


def recommendation_pdf(report: Recommendation) -> bytes:
    """Laid out in a child process (``core.forked``), so WeasyPrint's memory does not stay in the worker."""
    return forked.call(_pdf, report)


def _docx(report: Recommendation) -> bytes:

    document = word.new_document(title=report.title, author=report.round.region.name, subject=report.round.name)
    document.add_heading(report.title, level=0)
    intro = _("Report round %(round)s (%(start)s – %(end)s). Prepared %(date)s for the medical director.") % {
        "round": report.round.name,
        "start": formatting.date(report.round.period_start, "SHORT_DATE_FORMAT"),
        "end": formatting.date(report.round.period_end, "SHORT_DATE_FORMAT"),
        "date": report.created,
    }
    document.add_paragraph(intro)
    if report.round.is_demo:
        document.add_paragraph(_("Demo data: the numbers are fictional."))
    headers = _headers()

    def table(header: list[str], rows: list[list[str]]) -> None:
        grid = document.add_table(rows=1, cols=len(header))
        grid.style = "Table Grid"
        for cell, text in zip(grid.rows[0].cells, header, strict=True):
            cell.text = text
        for row in rows:
            cells = grid.add_row().cells
            for cell, text in zip(cells, row, strict=True):
                cell.text = text

    rec = report.recommendation
    document.add_heading(_("The network's recommendation"), level=1)
    if rec is None:
        document.add_paragraph(_("The network has not written its recommendation for this round yet."))
    else:
        for text in rec.summary.splitlines():
            if text.strip():
                document.add_paragraph(text)
        for label, text in rec.criteria:
            document.add_heading(label[:1].upper() + label[1:], level=2)
            document.add_paragraph(text or "–")
        document.add_heading(_("Consensus"), level=2)
        document.add_paragraph(report.consensus_text)
        document.add_heading(_("Decision"), level=2)
        for line in report.decision_lines:
            document.add_paragraph(line)
    document.add_heading(_("The network's assessment"), level=1)
    if report.assessment_rows:
        table(headers["assessments"], report.assessment_rows)
    else:
        document.add_paragraph(_("No assessment has been recorded."))
    document.add_heading(_("Appendix: the round's figures"), level=1)
    document.add_heading(_("How complete the round is"), level=2)
    document.add_paragraph(report.completeness_text)
    table(headers["completeness"], report.completeness_rows)
    document.add_heading(_("Region totals by category and scenario"), level=2)
    table(headers["totals"], report.totals_rows)
    document.add_heading(_("Distribution by trust (normal operation)"), level=2)
    table(headers["trusts"], report.trust_rows)
    document.add_heading(_("Figure 1. Composition K1 : K2 : K3 per hospital"), level=3)
    word.add_picture(document, report.composition_png, alt=report.composition_alt)
    document.add_heading(_("Dimensioning with the Erlang loss model"), level=2)
    table(headers["dimensioning"], report.dimensioning_rows)
    document.add_heading(_("Figure 2. Staffed beds against beds needed"), level=3)
    word.add_picture(document, report.dimensioning_png, alt=report.dimensioning_alt)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _pdf(report: Recommendation) -> bytes:
    html = render_to_string(
        "capacity/recommendation_pdf.html",
        {
            "report": report,
            "headers": _headers(),
            "composition_src": "data:image/png;base64," + base64.b64encode(report.composition_png).decode(),
            "dimensioning_src": "data:image/png;base64," + base64.b64encode(report.dimensioning_png).decode(),
        },
    )
    return pdf.write_pdf(html, purpose=pdf.Purpose.PUBLISH)
