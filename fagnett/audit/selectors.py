"""Reads of the audit trail, scoped to the person asking.

A record's history is shown to the people who may see the record, by the record's own app's selectors (a case's
history where ``cases.selectors.case_get`` lets the person in, and so on). A deleted record's history is the
region coordinator's. The region's audit log is the coordinator's and the medical directors'.

Query counts stay flat as history grows: a history page reads each historical table once; the audit log reads one
page of a UNION ALL of every table, then each table once more for the rows on the page and the rows just before
them, and the names of related objects once per related model.
"""

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import BigIntegerField, CharField, F, OuterRef, Q, QuerySet, Subquery, Value
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from simple_history.models import HistoricalRecords

from fagnett.access import access_for
from fagnett.accounts.models import User
from fagnett.audit.changes import (
    Entry,
    LabelCache,
    M2MValues,
    describe_row,
    meeting_label,
    merge_saved_together,
    minutes_label,
    tracked_m2m_fields,
    want_labels,
)
from fagnett.audit.registry import (
    KINDS,
    SOURCES,
    Kind,
    Row,
    Source,
    kind_of,
    network_report_name,
    regional_report_name,
)
from fagnett.capacity import selectors as capacity_selectors
from fagnett.capacity.models import CapacityEntry, Category, Recommendation, Scenario
from fagnett.cases import selectors as case_selectors
from fagnett.core import kept
from fagnett.meetings import selectors as meeting_selectors
from fagnett.meetings.models import ActionItem, Minutes
from fagnett.networks import selectors as network_selectors
from fagnett.networks.models import Mandate, Network
from fagnett.organisations.models import Region
from fagnett.reports import selectors as report_selectors
from fagnett.reports.models import NetworkReport, RegionalReport

# --- The region ----------------------------------------------------------------------------------------------------


def audit_regions(*, user: User) -> QuerySet[Region]:
    """The regions whose audit log the person reads: those they coordinate or direct."""
    return network_selectors.coordinated_regions(user=user, include_directed=True)


def audit_region_get(*, user: User, region_id: int) -> Region:
    """The region if the person may read its audit log: 404 outside the region, 403 for others in it."""
    region = Region.objects.filter(pk=region_id).first()
    if region is None or not access_for(user).in_region(region.pk):
        raise Http404
    if not user.has_perm("audit.view_region_log", region):
        raise PermissionDenied
    return region


# --- One record ----------------------------------------------------------------------------------------------------


@dataclass
class Visible:
    """A record the person may see: its name, its page, and the object (for a capacity cell's other versions)."""

    title: str
    url: str
    obj: Any


def _mandate(user: User, pk: int) -> Visible:
    row = Mandate.objects.values("network_id", "version").get(pk=pk)
    mandate = network_selectors.mandate_get(user=user, network_id=row["network_id"], version=row["version"])
    return Visible(str(mandate), mandate.get_absolute_url(), mandate)


def _appointment(user: User, pk: int) -> Visible:
    appointment = network_selectors.appointment_get(user=user, appointment_id=pk)
    return Visible(str(appointment), appointment.network.get_absolute_url(), appointment)


def _meeting(user: User, pk: int) -> Visible:
    meeting = meeting_selectors.meeting_get(user=user, meeting_id=pk)
    return Visible(meeting_label(meeting), meeting.get_absolute_url(), meeting)


def _minutes(user: User, pk: int) -> Visible:
    row = Minutes.objects.values("meeting_id", "version").get(pk=pk)
    meeting = meeting_selectors.meeting_get(user=user, meeting_id=row["meeting_id"])
    minutes = meeting_selectors.minutes_get(user=user, meeting=meeting, version=row["version"])
    return Visible(minutes_label(minutes), minutes.get_absolute_url(), minutes)


def _case(user: User, pk: int) -> Visible:
    case = case_selectors.case_get(user=user, case_id=pk)
    return Visible(str(case), case.get_absolute_url(), case)


def _action_item(user: User, pk: int) -> Visible:
    """Its owner, and the people of its network (and the region's coordinator and directors) or, for an action item
    of a case, those who may read the case.

    Action items have no page of their own: they are shown on their case, on the meeting's agenda to the network's
    people, and on the owner's list; the history goes back to the case or the meeting.
    """
    item = ActionItem.objects.select_related("network", "case").get(pk=pk)
    if item.case is not None:
        # An action item of a case is the case's (as on the meeting's agenda): its owner and the case's readers.
        allowed = item.owner_id == user.pk or user.has_perm("cases.view_case", item.case)
    else:
        allowed = item.owner_id == user.pk or user.has_perm("meetings.view_documents", item)
    if not allowed:
        raise Http404
    if item.case_id:
        url = reverse("cases:detail", args=[item.case_id])
    elif item.meeting_id:
        url = reverse("meetings:detail", args=[item.meeting_id])
    else:
        url = reverse("meetings:my_action_items") if item.owner_id == user.pk else item.network.get_absolute_url()
    return Visible(item.title, url, item)


def _network_report(user: User, pk: int) -> Visible:
    row = NetworkReport.objects.values("network_id", "year").get(pk=pk)
    network = report_selectors.report_network_get(user=user, network_id=row["network_id"])
    title = network_report_name(row["year"], network.name)
    return Visible(title, reverse("reports:network_report", args=[network.pk, row["year"]]), None)


def _regional_report(user: User, pk: int) -> Visible:
    report = RegionalReport.objects.select_related("region").get(pk=pk)
    region = report_selectors.report_region_get(user=user, region_id=report.region_id)
    if not user.has_perm("reports.view_regional_drafts", region):
        raise PermissionDenied  # as the reports app: drafts (and so a version's history) are not for everyone
    title = regional_report_name(report.year, region.name, report.version)
    return Visible(title, report.get_absolute_url(), report)


def _capacity_entry(user: User, pk: int) -> Visible:
    entry = CapacityEntry.objects.get(pk=pk)
    round_ = capacity_selectors.round_get(user=user, round_id=entry.round_id)
    unit = capacity_selectors.unit_for_report(user=user, round_=round_, unit_id=entry.unit_id)
    title = f"{unit.name} – {Category(entry.category).label} – {Scenario(entry.scenario).label} ({round_.name})"
    url = reverse("capacity:entry_edit", args=[round_.pk, unit.pk, entry.category, entry.scenario])
    return Visible(title, url, entry)


def _capacity_recommendation(user: User, pk: int) -> Visible:
    round_id = Recommendation.objects.values_list("round_id", flat=True).get(pk=pk)
    capacity_selectors.recommendation_round(user=user, round_id=round_id)  # 404 or 403 as the page
    recommendation = Recommendation.objects.select_related("round").get(pk=pk)
    return Visible(str(recommendation), recommendation.get_absolute_url(), recommendation)


def _person(user: User, pk: int) -> Visible:
    """A person of the region: for the region's coordinator, and a fagsjef for their own trust's people (the rule is
    the people pages', ``people.view_person``)."""
    person = User.objects.select_related("trust").get(pk=pk)
    if not user.has_perm("people.view_person", person):
        raise Http404
    region_id = person.trust.region_id if person.trust else person.region_employer_id
    return Visible(str(person), reverse("people:detail", args=[region_id, person.pk]), person)


def merged_into(person_id: int) -> list[int]:
    """The records merged into the person (``people.PersonMerge``, through the merged record's ``merge``): their
    history is the person's."""
    return list(User.objects.filter(merge__kept_id=person_id).values_list("pk", flat=True))


_VISIBLE: dict[str, Callable[[Any, int], Visible]] = {
    "mandate": _mandate,
    "appointment": _appointment,
    "meeting": _meeting,
    "minutes": _minutes,
    "case": _case,
    "action-item": _action_item,
    "network-report": _network_report,
    "regional-report": _regional_report,
    "capacity-entry": _capacity_entry,
    "capacity-recommendation": _capacity_recommendation,
    "person": _person,
}


@dataclass
class RecordHistory:
    kind: Kind
    record_id: int
    title: str
    #: the record's page, or the region's audit log for a deleted record
    url: str
    deleted: bool
    #: newest first
    entries: list[Entry]


def _previous_in(rows: Iterable[Row]) -> dict[int, Row | None]:
    """Each row's predecessor among ``rows`` (the same object's row saved just before it), by history id."""
    by_object: dict[Any, list[Row]] = defaultdict(list)
    for row in rows:
        by_object[row.id].append(row)
    previous: dict[int, Row | None] = {}
    for same in by_object.values():
        same.sort(key=lambda r: r.history_id)
        for before, row in zip([None, *same], same, strict=False):
            previous[row.history_id] = before
    return previous


def _m2m_values(source: Source, history_ids: Iterable[int], labels: LabelCache) -> M2MValues:
    values: M2MValues = {}
    ids = list(history_ids)
    for model_field in tracked_m2m_fields(source):
        m2m_model = HistoricalRecords.m2m_models[model_field]
        target = m2m_model._meta.get_field(model_field.m2m_reverse_field_name()).attname
        collected: dict[int, set[Any]] = defaultdict(set)
        for history_id, related_id in m2m_model.objects.filter(history_id__in=ids).values_list("history_id", target):
            collected[history_id].add(related_id)
            labels.want(model_field.related_model, related_id)
        for history_id, related in collected.items():
            values[(model_field.name, history_id)] = frozenset(related)
    return values


def record_history(*, user: User, kind_slug: str, record_id: int) -> RecordHistory:
    """Every change of the record and its parts in words, newest first; 404 (or 403) where the person may not see it."""
    kind = KINDS.get(kind_slug)
    if kind is None:
        raise Http404
    deleted = not kind.model._default_manager.filter(pk=record_id).exists()
    visible = _deleted_record(user, kind, record_id) if deleted else _VISIBLE[kind.slug](user, record_id)

    labels = LabelCache()
    record_ids = [record_id, *(merged_into(record_id) if kind.model is User else [])]
    for other in record_ids[1:]:
        labels.want(User, other)
    rows_by_source: list[tuple[Source, list[Row]]] = []
    for source in kind.sources:
        rows = source.history_model.objects.order_by()
        if source is kind.own and kind.same_history:
            rows = rows.filter(**{name: getattr(visible.obj, name) for name in kind.same_history})
        else:
            rows = rows.filter(**{f"{source.parent_attname}__in": record_ids})
        rows_by_source.append((source, list(rows)))
        want_labels(source, rows_by_source[-1][1], labels)
    m2m: M2MValues = {}
    for source, rows in rows_by_source:
        m2m.update(_m2m_values(source, [r.history_id for r in rows], labels))
    labels.load()
    withheld = _withheld_case_items(user, rows_by_source)

    if deleted:
        own_rows = [r for r in rows_by_source[0][1] if r.id == record_id]
        visible.title = kind.label(max(own_rows, key=lambda r: r.history_id), labels)
    kept_files = _kept_files(kind, rows_by_source[0][1], None if deleted else visible.obj)
    entries = []
    for order, (source, rows) in enumerate(rows_by_source):
        previous = _previous_in(rows)
        for row in rows:
            hidden = ""
            if source.case_item is not None:
                title = withheld.get(getattr(row, source.case_item.agenda_item))
                hidden = source.case_item.name(title) if title else ""
            entry = describe_row(
                source, row, previous[row.history_id], labels, m2m, record=visible.title, withheld=hidden
            )
            if source is kind.own:
                entry.kept = kept_files.get(row.history_id, [])
            owner = getattr(row, source.parent_attname)
            if kind.model is User and owner != record_id:
                entry.merged_record = gettext("%(name)s (a record merged into this one)") % {
                    "name": labels(User, owner)
                }
            entries.append((row.history_date, order, row.history_id, entry))
    entries.sort(key=lambda item: item[:3])
    merged = merge_saved_together([entry for *_key, entry in entries])
    return RecordHistory(kind, record_id, visible.title, visible.url, deleted, merged[::-1])


def _kept_files(kind: Kind, own_rows: list[Row], record: Any) -> dict[int, list[Any]]:
    """The files kept when the record was approved (``core.kept``), by the history row of the approval, each with
    the address of its download (none for a deleted record). One query, and none for kinds that keep no files."""
    try:
        kept.keeper(kind.model)
    except LookupError:
        return {}
    found = kept.kept_by_history(kind.model, [row.history_id for row in own_rows])
    for files in found.values():
        for file in files:
            file.url = kept.kept_url(file, record) if record is not None else ""  # type: ignore[attr-defined]
    return found


def _withheld_case_items(user: User, rows_by_source: list[tuple[Source, list[Row]]]) -> dict[int, str]:
    """The agenda items in these rows whose case the person may not read, with the title shown instead.

    A meeting is read by its region and approved minutes may be, but an agenda item of a case, and what the minutes
    say about it, are the case's (``meetings.selectors``): a history must not show what the page does not. Two
    queries, whatever the number of rows.
    """
    agenda_items: set[int] = set()
    named_cases: dict[int, set[int]] = defaultdict(set)
    for source, rows in rows_by_source:
        if source.case_item is None:
            continue
        for row in rows:
            agenda_item = getattr(row, source.case_item.agenda_item)
            agenda_items.add(agenda_item)
            case_id = getattr(row, "case_id", None)  # an agenda item's own rows name its case
            if case_id is not None:
                named_cases[agenda_item].add(case_id)
    if not agenda_items:
        return {}
    return meeting_selectors.withheld_agenda_items(
        reader=meeting_selectors.case_reader(user), agenda_item_ids=agenda_items, case_ids=named_cases
    )


def _deleted_record(user: User, kind: Kind, record_id: int) -> Visible:
    """A deleted record's history is for its region's coordinator; everyone else gets 404 as for any unknown id."""
    last = (
        kind.own.history_model.objects.filter(id=record_id)
        .order_by("-history_id")
        .annotate(audit_region=kind.own.region_of_row())
        .first()
    )
    if last is None or last.audit_region is None or not access_for(user).is_coordinator(last.audit_region):
        raise Http404
    return Visible("", reverse("audit:region_log", args=[last.audit_region]), last)


# --- The region's audit log ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LogFilters:
    person: int | None = None
    network: int | None = None
    start: datetime.date | None = None
    #: the last day included
    end: datetime.date | None = None


def _oslo_midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))


def region_log(*, region: Region, filters: LogFilters) -> QuerySet[Any]:
    """Every historical row of the audit trail in the region, newest first, as one UNION ALL query.

    Each row is ``{"row_source", "row_hid", "row_at", "row_network"}``; ``log_entries`` puts a page of them in words.
    """
    branches = []
    for source in SOURCES.values():
        if filters.network and source.network_path is None:
            continue
        rows = source.history_model.objects.filter(source.in_region(region.pk))
        if filters.person:
            # What the person did with a record since merged into theirs is theirs too (people.PersonMerge, read
            # through the reverse relation ``merge`` of the merged record, as audit sits below people).
            rows = rows.filter(Q(history_user_id=filters.person) | Q(history_user__merge__kept_id=filters.person))
        if filters.network and source.network_path:
            rows = rows.filter(**{source.network_path: filters.network})
        if filters.start:
            rows = rows.filter(history_date__gte=_oslo_midnight(filters.start))
        if filters.end:
            rows = rows.filter(history_date__lt=_oslo_midnight(filters.end + datetime.timedelta(days=1)))
        network = F(source.network_path) if source.network_path else Value(None, output_field=BigIntegerField())
        branches.append(
            rows.order_by()
            .annotate(
                row_source=Value(source.slug, output_field=CharField()),
                row_hid=F("history_id"),
                row_at=F("history_date"),
                row_network=network,
            )
            .values("row_source", "row_hid", "row_at", "row_network")
        )
    first, *rest = branches
    return first.union(*rest, all=True).order_by("-row_at", "row_source", "-row_hid")


def log_people(*, region: Region) -> QuerySet[User]:
    """Everyone who appears in the region's audit log, for the person filter, in one query."""
    appears = Q(pk__in=[])
    for source in SOURCES.values():
        saved = source.history_model.objects.filter(source.in_region(region.pk)).values("history_user_id")
        appears |= Q(pk__in=saved)
    actors = User.objects.filter(appears).values("pk")
    # And everyone into whose record one of them was merged: filtered by them, the log shows what that record did.
    return (
        User.objects.filter(Q(pk__in=actors) | Q(merged_records__merged__in=actors))
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


def log_networks(*, region: Region) -> QuerySet[Network]:
    return Network.objects.filter(region=region).order_by("name")


def _rows_with_previous(source: Source, history_ids: list[int]) -> tuple[dict[int, Row], dict[int, Row | None]]:
    """The rows ``history_ids`` of ``source`` and the row saved just before each, in one query."""
    model = source.history_model
    previous_id = Subquery(
        model.objects.filter(id=OuterRef("id"), history_id__lt=OuterRef("history_id"))
        .order_by("-history_id")
        .values("history_id")[:1]
    )
    previous_ids = (
        model.objects.filter(history_id__in=history_ids).annotate(previous_id=previous_id).values("previous_id")
    )
    fetched = list(model.objects.filter(Q(history_id__in=history_ids) | Q(history_id__in=previous_ids)).order_by())
    wanted = set(history_ids)
    previous = _previous_in(fetched)
    return {r.history_id: r for r in fetched if r.history_id in wanted}, previous


def _readable(user: User, region: Region, kind: Kind, record_ids: set[int]) -> set[int]:
    """The records among ``record_ids`` whose details the person may read in the log.

    The coordinator reads everything in the region. A medical director reads every kind but draft minutes (the
    network's managers' until circulated), capacity entries (the reporters' and the coordinator's pages) and people
    (the coordinator's people pages); deleted
    records are the coordinator's. The same people as the history pages let in, without a query per row.
    """
    if access_for(user).is_coordinator(region.pk):
        return record_ids
    if kind.slug in ("capacity-entry", "person"):
        # Reporting and the region's people are the coordinator's pages (a fagsjef's for their trust's people).
        return set()
    if kind.slug == "minutes":
        minutes = Minutes.objects.select_related("meeting__network").filter(pk__in=record_ids)
        return {m.pk for m in minutes if user.has_perm("meetings.view_minutes", m)}
    return set(kind.model._default_manager.filter(pk__in=record_ids).values_list("pk", flat=True))


def log_entries(*, user: User, region: Region, rows: Iterable[dict[str, Any]]) -> list[Entry]:
    """Rows of ``region_log`` in words, in the same order: a fixed number of queries whatever the number of rows."""
    rows = list(rows)
    wanted: dict[str, list[int]] = defaultdict(list)
    for item in rows:
        wanted[item["row_source"]].append(item["row_hid"])
    labels = LabelCache()
    fetched: dict[tuple[str, int], Row] = {}
    previous: dict[tuple[str, int], Row | None] = {}
    m2m: M2MValues = {}
    record_ids: dict[str, set[int]] = defaultdict(set)
    for slug, history_ids in wanted.items():
        source = SOURCES[slug]
        found, before = _rows_with_previous(source, history_ids)
        want_labels(source, [*found.values(), *(b for b in before.values() if b is not None)], labels)
        m2m.update(_m2m_values(source, [*found, *(b.history_id for b in before.values() if b is not None)], labels))
        for history_id, row in found.items():
            fetched[(slug, history_id)] = row
            previous[(slug, history_id)] = before.get(history_id)
            record_ids[source.kind].add(getattr(row, source.parent_attname))
    for item in rows:
        labels.want(Network, item["row_network"])
    labels.load()
    readable = {slug: _readable(user, region, KINDS[slug], ids) for slug, ids in record_ids.items()}

    entries = []
    for item in rows:
        source = SOURCES[item["row_source"]]
        row = fetched[(source.slug, item["row_hid"])]
        kind = kind_of(source)
        record_id = getattr(row, source.parent_attname)
        record = labels(kind.model, record_id) if source.is_part else kind.label(row, labels)
        entry = describe_row(
            source,
            row,
            previous[(source.slug, row.history_id)],
            labels,
            m2m,
            record=record,
            network_id=item["row_network"],
        )
        entry.network = labels(Network, item["row_network"])
        entry.readable = record_id in readable[kind.slug]
        if not entry.readable:
            entry.sections = []
        entries.append(entry)
    return entries


def region_log_entries(*, user: User, region: Region, filters: LogFilters, chunk: int = 500) -> Iterator[Entry]:
    """The whole filtered log in words, newest first, put in words ``chunk`` rows at a time (for the exports).

    The log is read in one query and streamed: slicing it page by page (``OFFSET``) made the database sort the
    whole UNION again for every page, which grew with the square of the rows.
    """
    rows = region_log(region=region, filters=filters).iterator(chunk_size=2000)
    while batch := list(islice(rows, chunk)):
        yield from log_entries(user=user, region=region, rows=batch)
