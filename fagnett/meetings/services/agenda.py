"""The agenda: standard items, cases from the case list, order, and the items' documents."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from fagnett.accounts.models import User
from fagnett.core.permissions import require_perm
from fagnett.core.uploads import check_upload
from fagnett.meetings.models import AgendaDocument, AgendaItem, Meeting, Minutes, MinutesItem
from fagnett.topics.services import set_topics


def _next_order(meeting: Meeting) -> int:
    last = meeting.agenda_items.order_by("-order").values_list("order", flat=True).first()
    return (last or 0) + 1


@transaction.atomic
def agenda_add_standard_items(*, user: User, meeting: Meeting) -> list[AgendaItem]:
    """Add the standard items that are missing: approval of last minutes, orientations, follow-up, AOB.

    The follow-up item lists the network's open action items when the agenda is shown, so every action item
    stays on each new agenda until it is done. Any other business is always kept last.
    """
    require_perm(user, "meetings.manage_meetings", meeting)
    existing = set(meeting.agenda_items.values_list("kind", flat=True))
    types = AgendaItem.ItemType
    wanted = [
        (
            AgendaItem.Kind.APPROVAL,
            _("Approval of the minutes of the last meeting"),
            types.DECISION,
            _("The minutes of the last meeting are approved."),
        ),
        (AgendaItem.Kind.ORIENTATION, _("Orientations"), types.ORIENTATION, ""),
        (AgendaItem.Kind.FOLLOW_UP, _("Follow-up of action items"), types.ORIENTATION, ""),
    ]
    created = []
    order = _next_order(meeting)
    for kind, title, item_type, resolution in wanted:
        if kind not in existing:
            created.append(
                AgendaItem.objects.create(
                    meeting=meeting,
                    kind=kind,
                    item_type=item_type,
                    proposed_resolution=resolution,
                    title=title,
                    order=order,
                )
            )
            order += 1
    if AgendaItem.Kind.AOB not in existing:
        created.append(
            AgendaItem.objects.create(
                meeting=meeting,
                kind=AgendaItem.Kind.AOB,
                item_type=types.DISCUSSION,
                title=_("Any other business"),
                order=order + 100,
            )
        )
    _renumber(meeting)
    return created


def _renumber(meeting: Meeting) -> None:
    """Keep numbering 1…n with any other business last."""
    items = list(meeting.agenda_items.all())
    items.sort(key=lambda i: (i.kind == AgendaItem.Kind.AOB, i.order, i.pk))
    for number, item in enumerate(items, 1):
        if item.order != number:
            item.order = number
            item.save(update_fields=["order"])


def _editable_agenda(user: User, meeting: Meeting) -> None:
    require_perm(user, "meetings.manage_meetings", meeting)
    if meeting.is_cancelled:
        raise ValidationError(_("The meeting is cancelled."))
    if meeting.minutes.filter(status=Minutes.Status.APPROVED).exists():
        raise ValidationError(_("The minutes are approved, so the agenda is locked."))


@dataclass(frozen=True)
class CaseItem:
    """An agenda item of a case, as the cases app words it: meetings does not import cases, which sits above it."""

    case_id: int
    title: str
    description: str


@transaction.atomic
def agenda_add_case_items(*, user: User, meeting: Meeting, items: Sequence[CaseItem]) -> list[AgendaItem]:
    """Put cases on the agenda as items of kind "case", after the items already there.

    They are items for discussion until the secretary makes one an item for decision with its proposed resolution.

    The cases app chooses the cases, words the items and moves the cases on (``cases.services.agenda_add_open_cases``);
    this checks that the person may change the agenda, even when there is nothing to add.
    """
    _editable_agenda(user, meeting)
    created = [
        AgendaItem.objects.create(
            meeting=meeting,
            kind=AgendaItem.Kind.CASE,
            title=item.title,
            description=item.description,
            case_id=item.case_id,
            order=_next_order(meeting),
        )
        for item in items
    ]
    _renumber(meeting)
    return created


@transaction.atomic
def agenda_item_add(*, user: User, meeting: Meeting, data: dict[str, Any]) -> AgendaItem:
    """Add an item to the agenda; ``data`` may carry ``topics`` from the region's list."""
    _editable_agenda(user, meeting)
    data = dict(data)
    topics = data.pop("topics", None)
    item = AgendaItem(meeting=meeting, order=_next_order(meeting), **data)
    item.full_clean()
    item.save()
    if topics is not None:
        set_topics(relation=item.topics, region_id=meeting.network.region_id, topics=topics)
    _renumber(meeting)
    item.refresh_from_db()
    return item


@transaction.atomic
def agenda_item_update(*, user: User, item: AgendaItem, data: dict[str, Any]) -> AgendaItem:
    _editable_agenda(user, item.meeting)
    data = dict(data)
    topics = data.pop("topics", None)
    for name, value in data.items():
        setattr(item, name, value)
    item.full_clean()
    item.save()
    if topics is not None:
        set_topics(relation=item.topics, region_id=item.meeting.network.region_id, topics=topics)
    return item


@transaction.atomic
def agenda_item_move(*, user: User, item: AgendaItem, up: bool) -> None:
    _editable_agenda(user, item.meeting)
    items = [i for i in item.meeting.agenda_items.order_by("order", "pk") if i.kind != AgendaItem.Kind.AOB]
    if item not in items:
        return
    index = items.index(item)
    other = index - 1 if up else index + 1
    if 0 <= other < len(items):
        items[index], items[other] = items[other], items[index]
        for number, each in enumerate(items, 1):
            if each.order != number:
                each.order = number
                each.save(update_fields=["order"])
    _renumber(item.meeting)


@transaction.atomic
def agenda_item_delete(*, user: User, item: AgendaItem) -> None:
    _editable_agenda(user, item.meeting)
    if MinutesItem.objects.filter(agenda_item=item).exists():
        raise ValidationError(_("The minutes already refer to this item, so it cannot be removed."))
    meeting = item.meeting
    item.delete()
    _renumber(meeting)


@transaction.atomic
def document_attach(*, user: User, item: AgendaItem, upload: UploadedFile) -> AgendaDocument:
    _editable_agenda(user, item.meeting)
    checked = check_upload(upload)
    document = AgendaDocument(
        item=item, original_name=checked.name, content_type=checked.content_type, size=checked.size, uploaded_by=user
    )
    document.file.save(checked.name, upload, save=False)
    document.save()
    return document


@transaction.atomic
def document_delete(*, user: User, document: AgendaDocument) -> None:
    _editable_agenda(user, document.item.meeting)
    storage, name = document.file.storage, document.file.name or ""
    document.delete()
    transaction.on_commit(lambda: storage.delete(name))
