"""What the audit trail covers: the kinds of record that have a history page, and the tables recorded with them.

A *kind* is what people open a history for (a case, a meeting, a capacity entry). Each kind reads one or more
*sources*, the django-simple-history tables of its own model and of its parts: the text of minutes lives in
their items, a meeting's agenda in its agenda items. Everything here is configuration; ``changes`` turns rows
into words and ``selectors`` reads them.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from fagnett.accounts.models import COUNTERS, RegionRole, TrustRole, User
from fagnett.capacity.models import CapacityEntry, Recommendation, ReportRound, RestrictionReason, Scenario, Unit
from fagnett.cases.models import Case, CaseAttachment, Consultation
from fagnett.meetings.models import ActionItem, AgendaItem, Attendance, Meeting, Minutes, MinutesItem
from fagnett.networks.models import Appointment, AppointmentRole, Mandate, Network
from fagnett.organisations.models import HealthTrust, Region
from fagnett.reports.models import NetworkReport, RegionalReport


class Labels(Protocol):
    """Names of related objects by model and primary key (see ``changes.LabelCache``)."""

    def __call__(self, model: type[models.Model], pk: Any) -> str: ...


Row = Any  # a historical row of django-simple-history (a generated model per tracked model)
LabelFunction = Callable[[Row, Labels], str]

#: Never shown: bookkeeping for optimistic locking.
ALWAYS_HIDDEN = frozenset({"id", "lock_version"})


@dataclass(frozen=True)
class Source:
    """One historical table in the audit trail: a kind's own rows, or one of its parts."""

    slug: str
    model: type[models.Model]
    #: the kind whose history shows these rows
    kind: str
    #: the attribute of a row naming the record of ``kind`` it belongs to ("id" for the kind's own rows)
    parent_attname: str
    #: lookups from a historical row to its region (several: the first that is set, as a person's trust or RHF) and
    #: network (None: the kind has no network)
    region_path: str | tuple[str, ...]
    network_path: str | None
    #: fields not shown, besides ``ALWAYS_HIDDEN`` and automatic timestamps
    hidden: frozenset[str] = frozenset()
    #: JSON lists whose items are choices, shown by their labels
    list_choices: dict[str, type[models.TextChoices]] = field(default_factory=dict)
    #: for parts: what the part is, in words ("Item: Budget 2026")
    part_label: LabelFunction | None = None
    #: for parts of an agenda item, which is its case's when it has one (see ``CaseItem``)
    case_item: "CaseItem | None" = None

    @property
    def is_part(self) -> bool:
        return self.part_label is not None

    @property
    def history_model(self) -> Any:
        return self.model.history.model  # type: ignore[attr-defined]

    @property
    def region_paths(self) -> tuple[str, ...]:
        return self.region_path if isinstance(self.region_path, tuple) else (self.region_path,)

    def in_region(self, region_id: int) -> Q:
        """The historical rows of the region."""
        found = Q()
        for path in self.region_paths:
            found |= Q(**{path: region_id})
        return found

    def region_of_row(self) -> Any:
        """An expression for a historical row's region."""
        paths = self.region_paths
        return F(paths[0]) if len(paths) == 1 else Coalesce(*(F(path) for path in paths))


@dataclass(frozen=True)
class CaseItem:
    """How to find the agenda item a part's row belongs to, and name the part by another title.

    An agenda item of a case, and the minutes' text on it, are the case's: to someone who may not read the case a
    history names the part by the case's number and withholds its changes, as the meeting's page does.
    """

    #: the attribute of a row naming the agenda item
    agenda_item: str
    #: the part's name from a title, as ``part_label`` names it from the row
    name: Callable[[str], str]


@dataclass(frozen=True)
class Kind:
    slug: str
    model: type[models.Model]
    #: "Case", for the type column of the audit log
    name: str | Promise
    #: "the case", inside sentences: "Kari Nordmann changed the case"
    the: str | Promise
    #: the record's name, from any of its historical rows (so a deleted record still has one)
    label: LabelFunction
    sources: tuple[Source, ...]
    #: fields that tie the rows of one history together beyond the record itself (a capacity cell's versions)
    same_history: tuple[str, ...] = ()

    @property
    def own(self) -> Source:
        return self.sources[0]


def _oslo_date(value: Any) -> str:
    return timezone.localtime(value).strftime("%d.%m.%Y") if value else ""


def _choice(choices: type[models.TextChoices], value: Any) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)


def meeting_name(title: str, network_name: str, starts_at: Any) -> str:
    name = title or gettext("Meeting in %(network)s") % {"network": network_name}
    return f"{name} {_oslo_date(starts_at)}".strip()


def _mandate(row: Row, labels: Labels) -> str:
    return gettext("%(network)s, mandate version %(version)s") % {
        "network": labels(Network, row.network_id),
        "version": row.version,
    }


def _appointment(row: Row, labels: Labels) -> str:
    return f"{labels(User, row.person_id)} – {_choice(AppointmentRole, row.role)} – {labels(Network, row.network_id)}"


def _meeting(row: Row, labels: Labels) -> str:
    return meeting_name(row.title, labels(Network, row.network_id), row.starts_at)


def minutes_name(meeting: str, version: int) -> str:
    return gettext("Minutes of %(meeting)s, version %(version)s") % {"meeting": meeting, "version": version}


def network_report_name(year: int, network: str) -> str:
    return gettext("Annual report %(year)s, %(network)s") % {"year": year, "network": network}


def regional_report_name(year: int, region: str, version: int) -> str:
    return gettext("Regional annual report %(year)s, %(region)s, version %(version)s") % {
        "year": year,
        "region": region,
        "version": version,
    }


def _minutes(row: Row, labels: Labels) -> str:
    return minutes_name(labels(Meeting, row.meeting_id), row.version)


def _case(row: Row, labels: Labels) -> str:
    if getattr(row, "reference", ""):
        return f"{row.reference} {row.title}"
    # A history row saved before case numbers had the network's code.
    return f"{row.year}/{row.number:03d} {row.title}" if row.number else str(row.title)


def _action_item(row: Row, labels: Labels) -> str:
    return str(row.title)


def _network_report(row: Row, labels: Labels) -> str:
    return network_report_name(row.year, labels(Network, row.network_id))


def _regional_report(row: Row, labels: Labels) -> str:
    return regional_report_name(row.year, labels(Region, row.region_id), row.version)


def _capacity_entry(row: Row, labels: Labels) -> str:
    name = f"{labels(Unit, row.unit_id)} – {row.category} – {_choice(Scenario, row.scenario)}"
    return f"{name} v{row.version}" if row.version and row.version > 1 else name


def _capacity_recommendation(row: Row, labels: Labels) -> str:
    return gettext("Recommendation, %(round)s") % {"round": labels(ReportRound, row.round_id)}


def minutes_item_name(item: str) -> str:
    return gettext("Item: %(item)s") % {"item": item}


def agenda_item_name(title: str) -> str:
    return gettext("Agenda item: %(title)s") % {"title": title}


def _minutes_item(row: Row, labels: Labels) -> str:
    return minutes_item_name(labels(AgendaItem, row.agenda_item_id))


def _agenda_item(row: Row, labels: Labels) -> str:
    return agenda_item_name(row.title)


def _attendance(row: Row, labels: Labels) -> str:
    return gettext("Attendance: %(person)s") % {"person": labels(User, row.person_id)}


def _consultation(row: Row, labels: Labels) -> str:
    return gettext("Consultation: %(kind)s") % {"kind": _choice(Consultation.Kind, row.kind)}


def _person(row: Row, labels: Labels) -> str:
    return f"{row.first_name} {row.last_name}".strip() or str(row.username)


def _region_role(row: Row, labels: Labels) -> str:
    return gettext("Regional role: %(role)s") % {"role": _choice(RegionRole.Role, row.role)}


def _trust_role(row: Row, labels: Labels) -> str:
    return gettext("Trust role: %(role)s, %(trust)s") % {
        "role": _choice(TrustRole.Role, row.role),
        "trust": labels(HealthTrust, row.trust_id),
    }


def _attachment(row: Row, labels: Labels) -> str:
    return gettext("Attachment: %(name)s") % {"name": row.original_name}


def _by_network(slug: str, model: type[models.Model], **options: Any) -> Source:
    """A kind's own rows, for a model with a ``network``."""
    return Source(slug, model, slug, "id", "network__region_id", "network_id", **options)


def _part(
    slug: str,
    model: type[models.Model],
    parent: str,
    paths: tuple[str, str],
    label: LabelFunction,
    case_item: CaseItem | None = None,
) -> Source:
    """Rows of a part of a record: ``parent`` is the kind and the field naming the record; ``paths`` lead from the
    parent to its region and network."""
    region_path, network_path = paths
    return Source(
        slug,
        model,
        parent,
        f"{parent}_id",
        f"{parent}__{region_path}",
        f"{parent}__{network_path}",
        hidden=frozenset({parent, "file"}),  # a stored file's random name says nothing to a person
        part_label=label,
        case_item=case_item,
    )


_DIRECT = ("region_id", "network_id")
_VIA_NETWORK = ("network__region_id", "network_id")
_VIA_MEETING = ("meeting__network__region_id", "meeting__network_id")

KINDS: dict[str, Kind] = {
    kind.slug: kind
    for kind in (
        Kind("mandate", Mandate, _("Mandate"), _("the mandate"), _mandate, (_by_network("mandate", Mandate),)),
        Kind(
            "appointment",
            Appointment,
            _("Appointment"),
            _("the appointment"),
            _appointment,
            (_by_network("appointment", Appointment),),
        ),
        Kind(
            "meeting",
            Meeting,
            _("Meeting"),
            _("the meeting"),
            _meeting,
            (
                # The calendar id and sequence are the calendar program's business, not the users'.
                _by_network("meeting", Meeting, hidden=frozenset({"uid", "sequence"})),
                _part(
                    "meeting-agenda-item",
                    AgendaItem,
                    "meeting",
                    _VIA_NETWORK,
                    _agenda_item,
                    CaseItem("id", agenda_item_name),
                ),
                _part("meeting-attendance", Attendance, "meeting", _VIA_NETWORK, _attendance),
            ),
        ),
        Kind(
            "minutes",
            Minutes,
            _("Minutes"),
            _("the minutes"),
            _minutes,
            (
                Source("minutes", Minutes, "minutes", "id", "meeting__network__region_id", "meeting__network_id"),
                _part(
                    "minutes-item",
                    MinutesItem,
                    "minutes",
                    _VIA_MEETING,
                    _minutes_item,
                    CaseItem("agenda_item_id", minutes_item_name),
                ),
            ),
        ),
        Kind(
            "case",
            Case,
            _("Case"),
            _("the case"),
            _case,
            (
                Source("case", Case, "case", "id", "region_id", "network_id"),
                _part("case-consultation", Consultation, "case", _DIRECT, _consultation),
                _part("case-attachment", CaseAttachment, "case", _DIRECT, _attachment),
            ),
        ),
        Kind(
            "action-item",
            ActionItem,
            _("Action item"),
            _("the action item"),
            _action_item,
            (_by_network("action-item", ActionItem),),
        ),
        Kind(
            "network-report",
            NetworkReport,
            _("Network annual report"),
            _("the annual report"),
            _network_report,
            (_by_network("network-report", NetworkReport),),
        ),
        Kind(
            "regional-report",
            RegionalReport,
            _("Regional annual report"),
            _("the regional annual report"),
            _regional_report,
            (Source("regional-report", RegionalReport, "regional-report", "id", "region_id", None),),
        ),
        Kind(
            "capacity-entry",
            CapacityEntry,
            _("Capacity entry"),
            _("the capacity entry"),
            _capacity_entry,
            (
                Source(
                    "capacity-entry",
                    CapacityEntry,
                    "capacity-entry",
                    "id",
                    "round__region_id",
                    "round__network_id",
                    list_choices={"restrictions": RestrictionReason},
                ),
            ),
            # A correction after the round closed is a new version (a new row): the cell's history spans them.
            same_history=("round_id", "unit_id", "category", "scenario"),
        ),
        Kind(
            "capacity-recommendation",
            Recommendation,
            _("Capacity recommendation"),
            _("the capacity recommendation"),
            _capacity_recommendation,
            (
                Source(
                    "capacity-recommendation",
                    Recommendation,
                    "capacity-recommendation",
                    "id",
                    "round__region_id",
                    "round__network_id",
                ),
            ),
        ),
        # A person of the region (its trusts' or the RHF's) and the regional and trust roles they hold in it. The
        # records merged into a person are theirs too: their history is shown with the person's (``selectors``).
        Kind(
            "person",
            User,
            _("Person"),
            _("the person"),
            _person,
            (
                Source(
                    "person",
                    User,
                    "person",
                    "id",
                    ("trust__region_id", "region_employer_id"),
                    None,
                    # Not in the history at all (the password hash, the time of the last login, the counters of
                    # the person's access and sessions).
                    hidden=frozenset({"password", "last_login", *COUNTERS}),
                ),
                Source(
                    "person-region-role",
                    RegionRole,
                    "person",
                    "user_id",
                    "region_id",
                    None,
                    hidden=frozenset({"user"}),
                    part_label=_region_role,
                ),
                Source(
                    "person-trust-role",
                    TrustRole,
                    "person",
                    "user_id",
                    "trust__region_id",
                    None,
                    hidden=frozenset({"user"}),
                    part_label=_trust_role,
                ),
            ),
        ),
    )
}

SOURCES: dict[str, Source] = {source.slug: source for kind in KINDS.values() for source in kind.sources}


def kind_of(source: Source) -> Kind:
    return KINDS[source.kind]
