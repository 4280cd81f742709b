"""A Noark 5 (v5.0) archive extract (arkivuttrekk) of one network's records in a period.

The package is a ZIP holding ``arkivstruktur.xml`` (arkiv → arkivdel → mapper), ``endringslogg.xml``,
``arkivuttrekk.xml`` (ADDML describing the files with their SHA-256 checksums) and the documents under
``DOKUMENT/``. Held meetings become *møtemapper* with one *møteregistrering* per agenda item and one for the
approved minutes (rendered to PDF); numbered cases become *saksmapper* with one *journalpost* per step that
matters for the record and one per attachment.

System ids are UUIDs derived from the database keys, so exporting the same period twice gives the same ids.
"""

import datetime
import hashlib
import io
import mimetypes
import os
import uuid
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, Sum
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from lxml import etree

from fagnett.accounts.models import User
from fagnett.cases.models import Case, CaseAttachment, CaseEvent
from fagnett.core import kept, pdf
from fagnett.meetings import selectors as meeting_selectors
from fagnett.meetings.exports import minutes_pdf
from fagnett.meetings.models import AgendaDocument, AgendaItem, Meeting, Minutes, MinutesItem
from fagnett.networks.models import Network

N5 = "http://www.arkivverket.no/standarder/noark5/arkivstruktur"
N5_LOG = "http://www.arkivverket.no/standarder/noark5/endringslogg"
ADDML = "http://www.arkivverket.no/standarder/addml"
XSI = "http://www.w3.org/2001/XMLSchema-instance"

#: Namespace of the derived system ids; fixed so that ids are stable from one export to the next.
ID_NAMESPACE = uuid.UUID("6c1d4c4e-5b0f-4a5e-9f57-0c6c1b6b9a10")
SYSTEM = "Fagnett"
CHECKSUM_ALGORITHM = "SHA256"

#: Case steps that become a journal post of their own (comments and bookkeeping steps do not).
JOURNALED_EVENTS = {
    CaseEvent.Kind.SUBMITTED: "I",  # inngående dokument
    CaseEvent.Kind.DECLINED: "U",  # utgående dokument
    CaseEvent.Kind.RECOMMENDED: "U",
    CaseEvent.Kind.ESCALATED: "U",
    CaseEvent.Kind.DECIDED: "N",  # organinternt dokument for oppfølging
    CaseEvent.Kind.CLOSED: "X",  # organinternt dokument uten oppfølging
}
CLOSED_CASE_STATUSES = {Case.Status.DECLINED, Case.Status.DECISION_RECORDED, Case.Status.CLOSED}
MEETING_ITEM_TYPES = {
    AgendaItem.Kind.APPROVAL: "Godkjenning av protokoll",
    AgendaItem.Kind.ORIENTATION: "Orienteringssak",
    AgendaItem.Kind.AOB: "Eventuelt",
}
#: The archive copies Fagnett renders itself (the minutes) are PDF/A-2a (``core.pdf.Purpose.ARCHIVE``).
ARCHIVE_PDF_DETAILS = "PDF/A-2a"
FORMATS = {
    ".pdf": "PDF",
    ".docx": "DOCX",
    ".xlsx": "XLSX",
    ".pptx": "PPTX",
    ".png": "PNG",
    ".jpg": "JPEG",
    ".jpeg": "JPEG",
    ".txt": "TXT",
    ".csv": "CSV",
}


def system_id(kind: str, key: object) -> str:
    return str(uuid.uuid5(ID_NAMESPACE, f"{kind}:{key}"))


def _iso(value: datetime.datetime | datetime.date) -> str:
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).isoformat(timespec="seconds")
    return value.isoformat()


def _name(user: User | None, fallback: str = SYSTEM) -> str:
    if user is None:
        return fallback
    return (user.get_full_name() or user.get_username() or fallback).strip() or fallback


def _sub(parent: etree._Element, tag: str, value: object, *, namespace: str = N5) -> etree._Element:
    """A required element: an empty value is a bug in the mapping, not something to write."""
    text = _iso(value) if isinstance(value, datetime.date) else str(value)
    if not text.strip():
        raise ValueError(f"Noark element {tag} needs a value")
    element = etree.SubElement(parent, f"{{{namespace}}}{tag}")
    element.text = text
    return element


def _opt(parent: etree._Element, tag: str, value: object, *, namespace: str = N5) -> None:
    """An optional element, left out when there is nothing to say (the schema allows no empty strings)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return
    _sub(parent, tag, value, namespace=namespace)


def _typed(parent: etree._Element, tag: str, xsi_type: str | None = None) -> etree._Element:
    element = etree.SubElement(parent, f"{{{N5}}}{tag}")
    if xsi_type:
        element.set(f"{{{XSI}}}type", xsi_type)
    return element


def _extension(original_name: str, stored_name: str | None) -> str:
    return os.path.splitext(original_name)[1] or os.path.splitext(stored_name or "")[1]


def _sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


@dataclass
class PackageFile:
    path: str
    content: bytes

    @property
    def checksum(self) -> str:
        return _sha256(self.content)


@dataclass
class _Builder:
    network: Network
    start: datetime.date
    end: datetime.date
    exported_by: str
    exported_at: datetime.datetime
    documents: list[PackageFile] = field(default_factory=list)
    changes: list[dict[str, str]] = field(default_factory=list)
    journal_numbers: dict[int, int] = field(default_factory=dict)
    render_minutes: Callable[[Minutes], bytes] | None = None

    @property
    def reader(self) -> meeting_selectors.CaseReader:
        return meeting_selectors.network_case_reader(self.network)

    # -- selection --------------------------------------------------------------------------------

    def _in_period(self, field_name: str) -> Q:
        start = datetime.datetime.combine(self.start, datetime.time.min, tzinfo=timezone.get_current_timezone())
        end = datetime.datetime.combine(
            self.end + datetime.timedelta(days=1), datetime.time.min, tzinfo=timezone.get_current_timezone()
        )
        return Q(**{f"{field_name}__gte": start, f"{field_name}__lt": end})

    def meetings(self) -> list[Meeting]:
        return list(
            Meeting.objects.filter(self._in_period("starts_at"), network=self.network, status=Meeting.Status.HELD)
            .select_related("created_by")
            .order_by("starts_at", "pk")
        )

    def cases(self) -> list[Case]:
        return list(
            Case.objects.filter(self._in_period("submitted_at"), network=self.network, number__isnull=False)
            .select_related("submitted_by", "responsible", "decided_by")
            .order_by("year", "number")
        )

    # -- documents --------------------------------------------------------------------------------

    def _add_document(
        self,
        registration: etree._Element,
        *,
        key: str,
        number: int,
        title: str,
        kind: str,
        role: str,
        content: bytes,
        extension: str,
        created: datetime.datetime,
        created_by: str,
        variant: str = "Produksjonsformat",
        description: str = "",
    ) -> None:
        described = _typed(registration, "dokumentbeskrivelse")
        _sub(described, "systemID", system_id("dokumentbeskrivelse", key))
        _sub(described, "dokumenttype", kind)
        _sub(described, "dokumentstatus", "Dokumentet er ferdigstilt")
        _sub(described, "tittel", title)
        _opt(described, "beskrivelse", description)
        _sub(described, "opprettetDato", created)
        _sub(described, "opprettetAv", created_by)
        _sub(described, "tilknyttetRegistreringSom", role)
        _sub(described, "dokumentnummer", number)
        _sub(described, "tilknyttetDato", created)
        _sub(described, "tilknyttetAv", created_by)

        object_id = system_id("dokumentobjekt", key)
        path = f"DOKUMENT/{object_id}{extension.lower()}"
        obj = _typed(described, "dokumentobjekt")
        _sub(obj, "systemID", object_id)
        _sub(obj, "versjonsnummer", 1)
        _sub(obj, "variantformat", variant)
        _sub(obj, "format", FORMATS.get(extension.lower(), extension.lstrip(".").upper() or "UKJENT"))
        if variant == "Arkivformat" and extension.lower() == ".pdf":
            _sub(obj, "formatDetaljer", ARCHIVE_PDF_DETAILS)  # what core.pdf.Purpose.ARCHIVE makes
        _sub(obj, "opprettetDato", created)
        _sub(obj, "opprettetAv", created_by)
        _sub(obj, "referanseDokumentfil", path)
        _sub(obj, "sjekksum", _sha256(content))
        _sub(obj, "sjekksumAlgoritme", CHECKSUM_ALGORITHM)
        _sub(obj, "filstoerrelse", len(content))
        self.documents.append(PackageFile(path, content))

    @staticmethod
    def _read(stored: Any) -> bytes:
        with stored.open("rb") as handle:
            return bytes(handle.read())

    # -- common parts ----------------------------------------------------------------------------

    def _registration_head(
        self, folder: etree._Element, xsi_type: str, key: str, created: datetime.datetime, created_by: str
    ) -> etree._Element:
        registration = _typed(folder, "registrering", xsi_type)
        _sub(registration, "systemID", system_id(xsi_type, key))
        _sub(registration, "opprettetDato", created)
        _sub(registration, "opprettetAv", created_by)
        _sub(registration, "arkivertDato", self.exported_at)
        _sub(registration, "arkivertAv", self.exported_by)
        return registration

    def _folder_head(
        self,
        parent: etree._Element,
        xsi_type: str,
        key: object,
        *,
        folder_id: str,
        title: str,
        description: str,
        created: datetime.datetime,
        created_by: str,
        closed: datetime.datetime,
        closed_by: str,
    ) -> tuple[etree._Element, str]:
        folder = _typed(parent, "mappe", xsi_type)
        sid = system_id(xsi_type, key)
        _sub(folder, "systemID", sid)
        _sub(folder, "mappeID", folder_id)
        _sub(folder, "tittel", title)
        _opt(folder, "beskrivelse", description)
        _sub(folder, "opprettetDato", created)
        _sub(folder, "opprettetAv", created_by)
        _sub(folder, "avsluttetDato", closed)
        _sub(folder, "avsluttetAv", closed_by)
        return folder, sid

    # -- meetings ---------------------------------------------------------------------------------

    def meeting_folder(self, parent: etree._Element, meeting: Meeting, number: str) -> None:
        minutes = meeting.minutes.filter(status=Minutes.Status.APPROVED).select_related("approved_by").first()
        closed = (minutes.approved_at if minutes and minutes.approved_at else None) or meeting.ends_at
        closed_by = _name(minutes.approved_by) if minutes else self.exported_by
        folder, _sid = self._folder_head(
            parent,
            "moetemappe",
            meeting.pk,
            folder_id=f"M{meeting.pk}",
            title=meeting.display_title,
            description=meeting.location,
            created=meeting.created_at,
            created_by=_name(meeting.created_by),
            closed=closed,
            closed_by=closed_by,
        )
        summaries: dict[int, MinutesItem] = {}
        if minutes is not None:
            summaries = {item.agenda_item_id: item for item in minutes.items.all()}
        # The extract is the network's record: its own cases in full (as their case folders below), another
        # network's case (which the product never puts on its agenda) by number only.
        items = meeting_selectors.mark_cases(
            meeting.agenda_items.select_related("case")
            .prefetch_related("documents__uploaded_by")
            .order_by("order", "pk"),
            self.reader,
        )
        for item in items:
            self.meeting_item(folder, meeting, item, summaries.get(item.pk))
        if minutes is not None:
            self.minutes_registration(folder, meeting, minutes)
        # The extension's own elements come after everything of mappe, registrations included.
        _sub(folder, "moetenummer", number)
        _sub(folder, "utvalg", self.network.name)
        _sub(folder, "moetedato", timezone.localtime(meeting.starts_at).date())
        _opt(folder, "moetested", meeting.location or meeting.get_form_display())

    def meeting_item(
        self, folder: etree._Element, meeting: Meeting, item: AgendaItem, summary: MinutesItem | None
    ) -> None:
        created_by = _name(meeting.created_by)
        registration = self._registration_head(
            folder, "moeteregistrering", str(item.pk), meeting.created_at, created_by
        )
        withheld = item.withholds_case
        for number, document in enumerate([] if withheld else item.documents.all(), 1):
            self.agenda_document(registration, document, number)
        _sub(registration, "registreringsID", f"{meeting.pk}/{item.order or item.pk}")
        _sub(registration, "tittel", item.display_title)
        text = [] if withheld else [item.description]
        if summary is not None and not withheld:
            text += [summary.summary, summary.conclusion]
        _opt(registration, "beskrivelse", "\n\n".join(part for part in text if part))
        presenter = "" if withheld else item.presenter
        _opt(registration, "forfatter", presenter)
        _sub(registration, "moeteregistreringstype", "Saksframlegg")
        _opt(registration, "moetesakstype", MEETING_ITEM_TYPES.get(AgendaItem.Kind(item.kind)))
        _sub(registration, "administrativEnhet", self.network.name)
        _sub(registration, "saksbehandler", presenter or created_by)

    def agenda_document(self, registration: etree._Element, document: AgendaDocument, number: int) -> None:
        by = _name(document.uploaded_by)
        self._add_document(
            registration,
            key=f"agenda:{document.pk}",
            number=number,
            title=document.original_name,
            kind="Saksframlegg",
            role="Hoveddokument" if number == 1 else "Vedlegg",
            content=self._read(document.file),
            extension=_extension(document.original_name, document.file.name),
            created=document.uploaded_at,
            created_by=by,
        )

    def minutes_registration(self, folder: etree._Element, meeting: Meeting, minutes: Minutes) -> None:
        approved_by = _name(minutes.approved_by)
        approved_at = minutes.approved_at or minutes.created_at
        registration = self._registration_head(
            folder, "moeteregistrering", f"minutes:{minutes.pk}", minutes.created_at, approved_by
        )
        render = self.render_minutes or _minutes_pdf
        self._add_document(
            registration,
            key=f"minutes:{minutes.pk}",
            number=1,
            title=f"Referat {meeting.display_title} (versjon {minutes.version})",
            kind="Møteprotokoll",
            role="Hoveddokument",
            content=render(minutes),
            extension=".pdf",
            created=approved_at,
            created_by=approved_by,
            variant="Arkivformat",
            description=minutes.correction_reason,
        )
        _sub(registration, "registreringsID", f"{meeting.pk}/referat")
        _sub(registration, "tittel", f"Referat {meeting.display_title}")
        _opt(registration, "beskrivelse", minutes.correction_reason)
        _sub(registration, "moeteregistreringstype", "Møteprotokoll")
        _sub(registration, "moeteregistreringsstatus", "Godkjent")
        _sub(registration, "administrativEnhet", self.network.name)
        _sub(registration, "saksbehandler", approved_by)

    # -- cases ------------------------------------------------------------------------------------

    def case_folder(self, parent: etree._Element, case: Case) -> None:
        events = list(case.events.select_related("actor").order_by("at", "pk"))
        attachments = list(case.attachments.select_related("uploaded_by").order_by("uploaded_at", "pk"))
        last = max([case.submitted_at, *(e.at for e in events), *(a.uploaded_at for a in attachments)])
        closed_event = next((e for e in reversed(events) if e.kind == CaseEvent.Kind.CLOSED), None)
        closed = closed_event.at if closed_event else (case.decided_at or last)
        closed_by = _name(closed_event.actor if closed_event else case.decided_by or case.responsible)
        folder, sid = self._folder_head(
            parent,
            "saksmappe",
            case.pk,
            folder_id=case.reference,
            title=case.title,
            description=case.description,
            created=case.submitted_at,
            created_by=_name(case.submitted_by),
            closed=closed,
            closed_by=closed_by,
        )
        entries: list[tuple[datetime.datetime, int, CaseEvent | CaseAttachment]] = [
            (e.at, 0, e) for e in events if e.kind in JOURNALED_EVENTS
        ]
        entries += [(a.uploaded_at, 1, a) for a in attachments]
        for number, (_at, _order, entry) in enumerate(sorted(entries, key=lambda row: row[:2]), 1):
            if isinstance(entry, CaseEvent):
                self.event_post(folder, case, entry, number)
            else:
                self.attachment_post(folder, case, entry, number)
        _sub(folder, "saksaar", case.year)
        _sub(folder, "sakssekvensnummer", case.number)
        _sub(folder, "saksdato", timezone.localtime(case.submitted_at).date())
        _sub(folder, "administrativEnhet", self.network.name)
        _sub(folder, "saksansvarlig", _name(case.responsible, self.network.name))
        _sub(folder, "saksstatus", "Avsluttet" if case.status in CLOSED_CASE_STATUSES else "Under behandling")
        self.case_changes(case, sid)

    def _journal_tail(self, post: etree._Element, at: datetime.datetime, kind: str, number: int) -> None:
        year = timezone.localtime(at).year
        self.journal_numbers[year] = self.journal_numbers.get(year, 0) + 1
        _sub(post, "journalaar", year)
        _sub(post, "journalsekvensnummer", self.journal_numbers[year])
        _sub(post, "journalpostnummer", number)
        _sub(post, "journalposttype", kind)
        _sub(post, "journalstatus", "Arkivert")
        _sub(post, "journaldato", timezone.localtime(at).date())
        _sub(post, "dokumentetsDato", timezone.localtime(at).date())

    def event_post(self, folder: etree._Element, case: Case, event: CaseEvent, number: int) -> None:
        actor = _name(event.actor)
        post = self._registration_head(folder, "journalpost", f"event:{event.pk}", event.at, actor)
        _sub(post, "registreringsID", f"{case.reference}-{number}")
        _sub(post, "tittel", f"{event.get_kind_display()}: {case.title}")
        _opt(post, "beskrivelse", self._event_text(case, event))
        _sub(post, "forfatter", actor)
        self._journal_tail(post, event.at, JOURNALED_EVENTS[CaseEvent.Kind(event.kind)], number)

    @staticmethod
    def _event_text(case: Case, event: CaseEvent) -> str:
        kind = event.kind
        parts = [event.text]
        if kind == CaseEvent.Kind.SUBMITTED:
            parts += [case.description, case.wanted]
        elif kind == CaseEvent.Kind.DECLINED:
            parts.append(case.decline_reason)
        elif kind == CaseEvent.Kind.RECOMMENDED:
            parts += [case.recommendation, case.other_view]
        elif kind == CaseEvent.Kind.ESCALATED:
            parts.append(case.get_escalated_to_display())
        elif kind == CaseEvent.Kind.DECIDED:
            parts.append(case.decision)
        unique = dict.fromkeys(part.strip() for part in parts if part and part.strip())
        return "\n\n".join(unique)

    def attachment_post(self, folder: etree._Element, case: Case, attachment: CaseAttachment, number: int) -> None:
        by = _name(attachment.uploaded_by)
        post = self._registration_head(folder, "journalpost", f"attachment:{attachment.pk}", attachment.uploaded_at, by)
        self._add_document(
            post,
            key=f"case:{attachment.pk}",
            number=1,
            title=attachment.original_name,
            kind="Vedlegg",
            role="Hoveddokument",
            content=self._read(attachment.file),
            extension=_extension(attachment.original_name, attachment.file.name),
            created=attachment.uploaded_at,
            created_by=by,
        )
        _sub(post, "registreringsID", f"{case.reference}-{number}")
        _sub(post, "tittel", attachment.original_name)
        _sub(post, "forfatter", by)
        self._journal_tail(post, attachment.uploaded_at, "I", number)

    def case_changes(self, case: Case, folder_id: str) -> None:
        """Status changes from the case's history become entries of the change log."""
        previous = None
        for record in case.history.order_by("history_date", "history_id").select_related("history_user"):
            if previous is not None and record.status != previous.status:
                self.changes.append(
                    {
                        "referanseArkivenhet": folder_id,
                        "referanseMetadata": "saksstatus",
                        "endretDato": _iso(record.history_date),
                        "endretAv": _name(record.history_user),
                        "tidligereVerdi": str(Case.Status(previous.status).label),
                        "nyVerdi": str(Case.Status(record.status).label),
                    }
                )
            previous = record

    # -- the documents of the package -------------------------------------------------------------

    def arkivstruktur(self) -> bytes:
        network = self.network
        root = etree.Element(f"{{{N5}}}arkiv", nsmap={None: N5, "xsi": XSI})
        root.set(f"{{{XSI}}}schemaLocation", f"{N5} arkivstruktur.xsd")
        created = network.mandates.order_by("version").values_list("created_at", flat=True).first()
        created = created or self.exported_at
        _sub(root, "systemID", system_id("arkiv", network.pk))
        _sub(root, "tittel", f"{network.name} ({network.region.name})")
        _opt(root, "beskrivelse", network.description)
        _sub(root, "arkivstatus", "Avsluttet")
        _sub(root, "dokumentmedium", "Elektronisk arkiv")
        _sub(root, "opprettetDato", created)
        _sub(root, "opprettetAv", SYSTEM)
        _sub(root, "avsluttetDato", self.exported_at)
        _sub(root, "avsluttetAv", self.exported_by)
        creator = _typed(root, "arkivskaper")
        _sub(creator, "arkivskaperID", f"network-{network.pk}")
        _sub(creator, "arkivskaperNavn", network.name)
        _opt(creator, "beskrivelse", network.field)

        part = _typed(root, "arkivdel")
        part_id = system_id("arkivdel", f"{network.pk}:{self.start}:{self.end}")
        _sub(part, "systemID", part_id)
        _sub(part, "tittel", f"{network.name} {self.start:%d.%m.%Y}–{self.end:%d.%m.%Y}")
        _sub(part, "arkivdelstatus", "Avsluttet periode")
        _sub(part, "dokumentmedium", "Elektronisk arkiv")
        _sub(part, "opprettetDato", created)
        _sub(part, "opprettetAv", SYSTEM)
        _sub(part, "avsluttetDato", self.exported_at)
        _sub(part, "avsluttetAv", self.exported_by)
        _sub(part, "arkivperiodeStartDato", self.start)
        _sub(part, "arkivperiodeSluttDato", self.end)

        numbers: dict[int, int] = {}
        for meeting in self.meetings():
            year = timezone.localtime(meeting.starts_at).year
            numbers[year] = numbers.get(year, 0) + 1
            self.meeting_folder(part, meeting, f"{year}/{numbers[year]}")
        for case in self.cases():
            self.case_folder(part, case)
        self.changes.append(
            {
                "referanseArkivenhet": part_id,
                "referanseMetadata": "arkivdelstatus",
                "endretDato": _iso(self.exported_at),
                "endretAv": self.exported_by,
                "tidligereVerdi": "Aktiv periode",
                "nyVerdi": "Avsluttet periode",
            }
        )
        return _serialise(root)

    def endringslogg(self) -> bytes:
        root = etree.Element(f"{{{N5_LOG}}}endringslogg", nsmap={None: N5_LOG, "xsi": XSI})
        root.set(f"{{{XSI}}}schemaLocation", f"{N5_LOG} endringslogg.xsd")
        for change in self.changes:
            entry = etree.SubElement(root, f"{{{N5_LOG}}}endring")
            for tag, value in change.items():
                _sub(entry, tag, value, namespace=N5_LOG)
        return _serialise(root)

    def arkivuttrekk(self, files: Iterable[PackageFile]) -> bytes:
        root = etree.Element(f"{{{ADDML}}}addml", nsmap={None: ADDML, "xsi": XSI})
        root.set(f"{{{XSI}}}schemaLocation", f"{ADDML} addml.xsd")
        dataset = etree.SubElement(root, f"{{{ADDML}}}dataset")
        _sub(dataset, "description", f"Noark 5 arkivuttrekk: {self.network.name}", namespace=ADDML)
        reference = etree.SubElement(dataset, f"{{{ADDML}}}reference")
        context = etree.SubElement(reference, f"{{{ADDML}}}context")
        _additional(
            context,
            {
                "recordCreators": self.network.name,
                "systemName": SYSTEM,
                "archivist": self.exported_by,
            },
        )
        content = etree.SubElement(reference, f"{{{ADDML}}}content")
        _additional(
            content,
            {"archivalPeriod": f"{self.start.isoformat()}/{self.end.isoformat()}", "noarkVersion": "5.0"},
        )
        objects = etree.SubElement(dataset, f"{{{ADDML}}}dataObjects")
        package = etree.SubElement(objects, f"{{{ADDML}}}dataObject", name="Noark 5 arkivuttrekk")
        inner = etree.SubElement(package, f"{{{ADDML}}}dataObjects")
        for item in files:
            obj = etree.SubElement(inner, f"{{{ADDML}}}dataObject", name=item.path)
            properties = etree.SubElement(obj, f"{{{ADDML}}}properties")
            file_property = etree.SubElement(properties, f"{{{ADDML}}}property", name="file")
            details = etree.SubElement(file_property, f"{{{ADDML}}}properties")
            _property(details, "name", item.path)
            _property(details, "size", str(len(item.content)))
            mime = mimetypes.guess_type(item.path)[0]
            if mime:
                _property(details, "format", mime)
            checksum = etree.SubElement(details, f"{{{ADDML}}}property", name="checksum")
            checksum_details = etree.SubElement(checksum, f"{{{ADDML}}}properties")
            _property(checksum_details, "algorithm", CHECKSUM_ALGORITHM)
            _property(checksum_details, "value", item.checksum)
        return _serialise(root)


def _additional(parent: etree._Element, values: dict[str, str]) -> None:
    elements = etree.SubElement(parent, f"{{{ADDML}}}additionalElements")
    for name, value in values.items():
        element = etree.SubElement(elements, f"{{{ADDML}}}additionalElement", name=name)
        _sub(element, "value", value, namespace=ADDML)


def _property(parent: etree._Element, name: str, value: str) -> None:
    element = etree.SubElement(parent, f"{{{ADDML}}}property", name=name)
    _sub(element, "value", value, namespace=ADDML)


def _serialise(root: etree._Element) -> bytes:
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))


def _minutes_pdf(minutes: Minutes) -> bytes:
    """The approved minutes as the network's record: its own cases in full (see ``meeting_folder``). The PDF/A kept
    at approval (``core.kept``, checked against its checksum; a damaged one fails the extract rather than go into
    the archive); made now only for minutes approved before files were kept, or whose files are still being made."""
    row = kept.kept_file(minutes, "pdf-a") if minutes.is_locked else None
    if row is not None:
        return kept.kept_read(row)
    return minutes_pdf(
        minutes, reader=meeting_selectors.network_case_reader(minutes.meeting.network), purpose=pdf.Purpose.ARCHIVE
    )


def build_files(
    *,
    network: Network,
    start: datetime.date,
    end: datetime.date,
    exported_by: str = SYSTEM,
    render_minutes: Callable[[Minutes], bytes] | None = None,
) -> list[PackageFile]:
    """Every file of the package, XML first, then the documents."""
    if end < start:
        raise ValueError("The period ends before it starts.")
    builder = _Builder(
        network=network,
        start=start,
        end=end,
        exported_by=exported_by.strip() or SYSTEM,
        exported_at=timezone.now().replace(microsecond=0),
        render_minutes=render_minutes,
    )
    structure = PackageFile("arkivstruktur.xml", builder.arkivstruktur())
    log = PackageFile("endringslogg.xml", builder.endringslogg())
    described = [structure, log, *builder.documents]
    return [PackageFile("arkivuttrekk.xml", builder.arkivuttrekk(described)), *described]


#: The most one extract holds, so that making it stays within a worker's time and memory: every approved minutes is
#: rendered to PDF with WeasyPrint (the slow part; not yet benchmarked at this size), and every document is held in
#: memory until the ZIP is written. Two years of a network's monthly meetings; a longer history takes several periods.
MAX_MINUTES = 24
MAX_DOCUMENT_BYTES = 100 * 1024 * 1024


def package_problems(*, network: Network, start: datetime.date, end: datetime.date) -> list[str]:
    """Why the extract of ``start``–``end`` is too big to make at once (empty when it is not), in three queries."""
    builder = _Builder(network=network, start=start, end=end, exported_by="", exported_at=timezone.now())
    meetings = Meeting.objects.filter(builder._in_period("starts_at"), network=network, status=Meeting.Status.HELD)
    cases = Case.objects.filter(builder._in_period("submitted_at"), network=network, number__isnull=False)
    minutes = meetings.filter(minutes__status=Minutes.Status.APPROVED).distinct().count()
    stored = (AgendaDocument.objects.filter(item__meeting__in=meetings).aggregate(total=Sum("size"))["total"] or 0) + (
        CaseAttachment.objects.filter(case__in=cases).aggregate(total=Sum("size"))["total"] or 0
    )
    problems = []
    if minutes > MAX_MINUTES:
        problems.append(
            ngettext(
                "The period has approved minutes of %(count)s meeting; one extract holds at most %(limit)s. "
                "Choose a shorter period and take the rest in another extract.",
                "The period has approved minutes of %(count)s meetings; one extract holds at most %(limit)s. "
                "Choose a shorter period and take the rest in another extract.",
                minutes,
            )
            % {"count": minutes, "limit": MAX_MINUTES}
        )
    if stored > MAX_DOCUMENT_BYTES:
        problems.append(
            gettext(
                "The period's documents take %(size)s; one extract holds at most %(limit)s. "
                "Choose a shorter period and take the rest in another extract."
            )
            % {"size": filesizeformat(stored), "limit": filesizeformat(MAX_DOCUMENT_BYTES)}
        )
    return problems


def build_package(
    *,
    network: Network,
    start: datetime.date,
    end: datetime.date,
    exported_by: str = SYSTEM,
    render_minutes: Callable[[Minutes], bytes] | None = None,
) -> bytes:
    """The archive extract of ``network`` for ``start``–``end`` (both days included) as a ZIP."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for item in build_files(
            network=network, start=start, end=end, exported_by=exported_by, render_minutes=render_minutes
        ):
            archive.writestr(item.path, item.content)
    return buffer.getvalue()
