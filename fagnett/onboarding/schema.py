"""What a region's import reads: the workbooks (kinds), their sheets and their columns.

Each column has a fixed code (the same in every language: the export's CSV files use it as their header, and the
templates keep it on a hidden sheet, ``CODES_SHEET``) and a title in the reader's language (the templates' first
row). The reader finds a column by its code or by its title in Norwegian or English, so a template filled in by
someone who chose English reads the same.
"""

import functools
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db import models
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from fagnett.meetings.models import Meeting
from fagnett.networks.models import AppointmentRole, MeetingForm, Network
from fagnett.organisations.models import Unit
from fagnett.procedures.models import Procedure

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise as LazyText
else:
    LazyText = Promise

#: the hidden sheet of a template that maps every sheet and column to its code
CODES_SHEET = "_fields"
#: the most data rows one sheet may have: a region's every employee (Helse Sør-Øst has about 80 000) in one file
MAX_ROWS = 100_000
#: the most rows of the smaller sheets (a region's networks, mandates, meetings of a few years)
MAX_SMALL_ROWS = 20_000


class YesNo(models.TextChoices):
    YES = "yes", _("Yes")
    NO = "no", _("No")


@dataclass(frozen=True)
class Column:
    code: str
    title: LazyText
    #: what goes in the column, for the template's help sheet and the export's README
    help: LazyText
    required: bool = False
    #: "text", "email", "int", "decimal", "date", "time", "choice", "list"
    value_type: str = "text"
    choices: type[models.TextChoices] | None = None
    width: float = 22
    #: the drop-down offers another sheet's column of names (by sheet code and column code), e.g. the trusts
    names_from: tuple[str, str] | None = None
    #: the drop-down offers the region's trusts (and the RHF)
    trusts: bool = False


@dataclass(frozen=True)
class SheetSpec:
    code: str
    title: LazyText
    help: LazyText
    columns: tuple[Column, ...]
    max_rows: int = MAX_SMALL_ROWS

    def column(self, code: str) -> Column:
        return next(c for c in self.columns if c.code == code)


@dataclass(frozen=True)
class Kind:
    code: str
    title: LazyText
    help: LazyText
    sheets: tuple[SheetSpec, ...] = field(default=())

    @property
    def filename(self) -> str:
        return {
            "organisation": "organisasjon",
            "people": "personer",
            "networks": "nettverk",
            "history": "historikk",
        }[self.code]


def _network() -> Column:
    return Column(
        "network",
        _("Network"),
        _("The network's name, as on the sheet of networks or as in Fagnett."),
        required=True,
        names_from=("networks", "name"),
        width=30,
    )


_TRUST_HELP = _("The health trust: its organisation number, name or short name.")

TRUSTS = SheetSpec(
    "trusts",
    _("Health trusts"),
    _(
        "One row per health trust (HF) of the region. The organisation number is the key: a row with a number Fagnett "
        "already has changes that trust."
    ),
    (
        Column("org_number", _("Organisation number"), _("Nine digits (Brønnøysundregistrene)."), required=True),
        Column("name", _("Name"), _("The trust's full name, e.g. St. Olavs hospital HF."), required=True, width=34),
        Column("short_name", _("Short name"), _("A short name for tables, e.g. St. Olav."), required=True),
        Column(
            "population",
            _("Population served"),
            _("Inhabitants in the area, for figures per 100 000."),
            value_type="int",
        ),
    ),
)
HOSPITALS = SheetSpec(
    "hospitals",
    _("Hospitals"),
    _("One row per hospital site. A hospital is known by its trust and name."),
    (
        Column("trust", _("Health trust"), _TRUST_HELP, required=True, names_from=("trusts", "name"), width=30),
        Column("name", _("Name"), _("The hospital's name."), required=True, width=30),
        Column("municipality", _("Municipality"), _("Where the hospital is.")),
    ),
)
UNITS = SheetSpec(
    "units",
    _("Units"),
    _("One row per unit (for example an intensive care unit). A unit is known by its hospital and name."),
    (
        Column("trust", _("Health trust"), _TRUST_HELP, required=True, names_from=("trusts", "name"), width=30),
        Column("hospital", _("Hospital"), _("The hospital's name."), required=True, names_from=("hospitals", "name")),
        Column("name", _("Name"), _("The unit's name."), required=True, width=30),
        Column(
            "kind",
            _("Kind"),
            _("Intensive care unit, ward, outpatient clinic or other."),
            value_type="choice",
            choices=Unit.Kind,
        ),
        Column(
            "age_group", _("Age group"), _("Adults, children or newborns."), value_type="choice", choices=Unit.AgeGroup
        ),
        Column("resh_id", _("RESH id"), _("The unit's id in the register of health enterprises, where known.")),
    ),
)
PEOPLE = SheetSpec(
    "people",
    _("People"),
    _(
        "One row per person. The e-mail address is the key: single sign-on recognises the person by it, and a row "
        "with an address Fagnett already has changes that person."
    ),
    (
        Column(
            "email",
            _("E-mail"),
            _("The work e-mail address single sign-on gives."),
            required=True,
            value_type="email",
            width=32,
        ),
        Column("first_name", _("First name"), _("First name."), required=True),
        Column("last_name", _("Last name"), _("Last name."), required=True),
        Column("title", _("Job title"), _("For example Head of department."), width=28),
        Column(
            "employer",
            _("Employer"),
            _(
                "The health trust the person works in (organisation number, name or short name), or RHF for the "
                "regional health authority itself."
            ),
            required=True,
            trusts=True,
            width=30,
        ),
    ),
    max_rows=MAX_ROWS,
)
TASK_LIST = SheetSpec(
    "task_list",
    _("Task list"),
    _(
        "The region's standard list of network tasks, used in mandates and for the annual report's ranking. The code "
        "is the key."
    ),
    (
        Column("code", _("Code"), _("A short code, e.g. T1."), required=True, width=10),
        Column("title", _("Task"), _("The task as the mandates say it."), required=True, width=60),
        Column("order", _("Order"), _("Where the task comes in the list."), value_type="int", width=10),
    ),
)
NETWORKS = SheetSpec(
    "networks",
    _("Networks"),
    _("One row per network, council or working group. The name is the key within the region."),
    (
        Column("name", _("Name"), _("The network's name."), required=True, width=34),
        Column("field", _("Professional field"), _("For example Intensive care."), required=True, width=26),
        Column(
            "kind", _("Kind"), _("Network, council, working group or forum."), value_type="choice", choices=Network.Kind
        ),
        Column(
            "parent",
            _("Parent network"),
            _("For a council or working group: the network it belongs to."),
            names_from=("networks", "name"),
            width=30,
        ),
        Column(
            "status",
            _("Status"),
            _("Planned, not started, active, paused, closed or merged; blank: active."),
            value_type="choice",
            choices=Network.Status,
        ),
        Column(
            "merged_into",
            _("Merged into"),
            _("For a merged network: the network it became part of."),
            names_from=("networks", "name"),
            width=30,
        ),
        Column("established_on", _("Established"), _("The date the network was established."), value_type="date"),
        Column("description", _("Description"), _("A few words about the network."), width=40),
    ),
)
MANDATES = SheetSpec(
    "mandates",
    _("Mandates"),
    _(
        "The current mandate of each network, one row per network. If it differs from the mandate in Fagnett, it "
        "becomes a new version; earlier versions are kept."
    ),
    (
        _network(),
        Column("purpose", _("Purpose"), _("The network's purpose."), required=True, width=50),
        Column(
            "tasks",
            _("Tasks (codes)"),
            _("Codes from the task list, separated by commas, e.g. T1, T3."),
            value_type="list",
        ),
        Column("specific_tasks", _("Assignments and other tasks"), _("Tasks beyond the standard list."), width=40),
        Column(
            "period_start",
            _("Period starts"),
            _("The date the mandate's period starts."),
            required=True,
            value_type="date",
        ),
        Column("period_end", _("Period ends"), _("Blank: three years after the start."), value_type="date"),
        Column("min_meetings", _("Minimum meetings per year"), _("Blank: 4."), value_type="int"),
        Column(
            "meeting_form",
            _("Meeting form"),
            _("Digital, physical, hybrid or mainly digital."),
            value_type="choice",
            choices=MeetingForm,
        ),
        Column("secretariat", _("Secretariat provided by"), _TRUST_HELP, trusts=True, width=30),
        Column("archive", _("Responsible for archiving"), _TRUST_HELP, trusts=True, width=30),
        Column("budget", _("Budget (NOK)"), _("Whole kroner."), value_type="int"),
        Column("budget_note", _("Budget notes"), _("What the budget covers."), width=30),
        Column("approved_by", _("Approved by"), _("For example the medical directors' meeting."), width=26),
        Column("approved_on", _("Approved on"), _("The date."), value_type="date"),
    ),
)
APPOINTMENTS = SheetSpec(
    "appointments",
    _("Appointments"),
    _(
        "One row per person and role in a network. A person is known by the e-mail address, on the sheet of people "
        "or in Fagnett."
    ),
    (
        Column("email", _("E-mail"), _("The person's e-mail address."), required=True, value_type="email", width=32),
        _network(),
        Column(
            "role",
            _("Role"),
            _("Leader, secretary, member, deputy, RHF representative or user representative."),
            required=True,
            value_type="choice",
            choices=AppointmentRole,
        ),
        Column(
            "trust",
            _("Represents"),
            _("The trust the person represents. Blank: the trust they work in; RHF for the RHF's representative."),
            trusts=True,
            width=30,
        ),
        Column("start_date", _("From"), _("The date the appointment starts."), value_type="date"),
        Column(
            "end_date", _("To"), _("The date it ends; a date passed makes an ended appointment."), value_type="date"
        ),
    ),
    max_rows=MAX_ROWS,
)
MEETINGS = SheetSpec(
    "meetings",
    _("Meetings held"),
    _(
        "The meetings each network held in earlier years, one row per meeting: figure 1 of the annual report counts "
        "them. A meeting is known by its network and date."
    ),
    (
        _network(),
        Column("date", _("Date"), _("The day of the meeting."), required=True, value_type="date"),
        Column(
            "form",
            _("Meeting form"),
            _("Digital, physical or hybrid."),
            required=True,
            value_type="choice",
            choices=Meeting.Form,
        ),
        Column("starts", _("Starts"), _("hh:mm; blank: 09:00."), value_type="time", width=10),
        Column("ends", _("Ends"), _("hh:mm; blank: two hours after the start."), value_type="time", width=10),
        Column("title", _("Title"), _("If the meeting had one."), width=30),
        Column("place", _("Place"), _("Where it was held."), width=24),
    ),
)
PROCEDURES = SheetSpec(
    "procedures",
    _("Procedures per year"),
    _(
        "How many regional procedures (or pathways) each network started, revised and completed in a year: the "
        'annual report\'s "procedures worked on" is their sum. Count each procedure in one column per year. Fagnett '
        "adds a record per procedure counted, named as history from the import."
    ),
    (
        _network(),
        Column("year", _("Year"), _("For example 2024."), required=True, value_type="int", width=10),
        Column(
            "kind",
            _("Kind"),
            _("Regional clinical procedure or standardised patient pathway; blank: procedure."),
            value_type="choice",
            choices=Procedure.Kind,
            width=30,
        ),
        Column("started", _("Started"), _("Number started in the year."), value_type="int", width=12),
        Column("revised", _("Revised"), _("Number revised in the year."), value_type="int", width=12),
        Column("completed", _("Completed"), _("Number completed (published) in the year."), value_type="int", width=12),
    ),
)
REGISTRY = SheetSpec(
    "registry",
    _("Registry data per year"),
    _(
        "Whether each network reviewed quality-registry or other data in a year, as its annual report said: the "
        "regional report compares this year with the last. Fagnett records it as the network's accepted report for "
        "that year."
    ),
    (
        _network(),
        Column("year", _("Year"), _("For example 2024."), required=True, value_type="int", width=10),
        Column(
            "reviewed", _("Registry data reviewed"), _("Yes or no."), required=True, value_type="choice", choices=YesNo
        ),
        Column("note", _("Which data"), _("Which data, and what came of it."), width=40),
    ),
)

KINDS: dict[str, Kind] = {
    kind.code: kind
    for kind in (
        Kind(
            "organisation",
            _("Organisation"),
            _("Health trusts with organisation numbers, their hospitals and units."),
            (TRUSTS, HOSPITALS, UNITS),
        ),
        Kind(
            "people", _("People"), _("Everyone who works in the region: name, e-mail, title and employer."), (PEOPLE,)
        ),
        Kind(
            "networks",
            _("Networks"),
            _("The task list, the networks with their current mandates, and the appointments of people to them."),
            (TASK_LIST, NETWORKS, MANDATES, APPOINTMENTS),
        ),
        Kind(
            "history",
            _("History"),
            _("Meetings held, procedures per year and registry data per year, for the first annual report."),
            (MEETINGS, PROCEDURES, REGISTRY),
        ),
    )
}
#: every sheet by code, in the order an import handles them (what a sheet refers to comes before it)
SHEETS: dict[str, SheetSpec] = {sheet.code: sheet for kind in KINDS.values() for sheet in kind.sheets}
#: the kind each sheet belongs to
KIND_OF_SHEET: dict[str, str] = {sheet.code: kind.code for kind in KINDS.values() for sheet in kind.sheets}


@functools.cache
def titles(text: Promise) -> frozenset[str]:
    """The text in every language of the product, lower-cased: what a reader may find in a header."""
    found = set()
    for language in ("nb", "en"):
        with translation.override(language):
            found.add(str(text).strip().lower())
    return frozenset(found)


@functools.cache
def choice_values(choices: type[models.TextChoices]) -> dict[str, str]:
    """Everything a cell may say for each choice (its code, and its label in every language), lower-cased → code."""
    values: dict[str, str] = {}
    for code, label in zip(choices.values, choices.labels, strict=True):
        values[code.lower()] = code
        for title in titles(label):
            values.setdefault(title, code)
    return values
