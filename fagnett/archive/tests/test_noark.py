import datetime
import hashlib
import io
import os
import zipfile
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone, translation
from lxml import etree
from pypdf import PdfReader

from fagnett.archive.noark import ADDML, N5, build_package
from fagnett.cases.models import Case, CaseAttachment, CaseEvent
from fagnett.cases.tests.factories import make_case
from fagnett.meetings.models import AgendaDocument, AgendaItem, Meeting, Minutes, MinutesItem
from fagnett.meetings.tests.factories import add_items, make_meeting
from tests.factories import World
from tests.pdf_standards import assert_pdf_a

pytestmark = pytest.mark.django_db

# The official schemas lie in shared/ beside the project (as on every developer's machine and in CI); a
# missing folder fails the tests rather than skipping them.
SHARED = Path(__file__).resolve().parents[3].parent / "shared"
SCHEMAS = Path(os.environ.get("NOARK5_SCHEMAS") or SHARED / "schemas/noark5-v5.0")
NS = {"n5": N5, "addml": ADDML}
PDF = b"%PDF-1.7 saksframlegg om intensivkapasitet"
ATTACHMENT_NAME = "innspill.pdf"
ATTACHMENT = b"%PDF-1.4 innspill fra sykehuset"


def schema(name: str) -> etree.XMLSchema:
    assert (SCHEMAS / name).exists(), f"The official Noark 5 schemas are not at {SCHEMAS} (set NOARK5_SCHEMAS)"
    # Parsed from the file so that the import of metadatakatalog.xsd resolves next to it.
    return etree.XMLSchema(etree.parse(str(SCHEMAS / name)))


def fake_minutes_pdf(minutes: Minutes) -> bytes:
    return f"%PDF-1.7 referat {minutes.meeting_id} v{minutes.version}".encode()


def held_meeting(world: World, network=None, days: int = -3, title: str = "Høstmøtet") -> Meeting:
    meeting = make_meeting(network or world.network, days=days, title=title, status=Meeting.Status.HELD)
    _approval, capacity = add_items(meeting, "Godkjenning av referat", "Intensivkapasitet vinteren")
    capacity.description = "Status for intensivsengene."
    capacity.presenter = "Leder Testesen"
    capacity.save()
    AgendaDocument.objects.create(
        item=capacity,
        file=ContentFile(PDF, name="random.pdf"),
        original_name="kapasitet.pdf",
        content_type="application/pdf",
        size=len(PDF),
        uploaded_by=world["secretary"],
    )
    minutes = Minutes.objects.create(
        meeting=meeting,
        status=Minutes.Status.APPROVED,
        approved_by=world["leader"],
        approved_at=timezone.now(),
        approved_via=Minutes.ApprovedVia.LEADER,
        created_by=world["secretary"],
    )
    MinutesItem.objects.create(
        minutes=minutes, agenda_item=capacity, summary="Kapasiteten er presset.", conclusion="Nettverket anbefaler K2."
    )
    return meeting


@pytest.fixture
def records(world: World, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    meeting = held_meeting(world)
    first = make_case(world, Case.Status.RECOMMENDATION_GIVEN, title="Felles rutine for overflytting")
    first.recommendation = "Bruk felles sjekkliste ved overflytting."
    first.save()
    CaseEvent.objects.create(case=first, kind=CaseEvent.Kind.RECOMMENDED, actor=world["leader"], at=timezone.now())
    CaseEvent.objects.create(case=first, kind=CaseEvent.Kind.COMMENTED, actor=world["leader"], at=timezone.now())
    CaseAttachment.objects.create(
        case=first,
        file=ContentFile(ATTACHMENT, name="x.pdf"),
        original_name=ATTACHMENT_NAME,
        content_type="application/pdf",
        size=len(ATTACHMENT),
        uploaded_by=world["employee"],
    )
    second = make_case(world, title="Opplæring i ECMO")
    second.status = Case.Status.ACCEPTED
    second.save()
    # Another network's records and this network's records outside the period stay out.
    held_meeting(world, world.other_network, title="Øyemøtet")
    make_case(world, network=world.other_network, title="Grå stær-rutine")
    held_meeting(world, days=-400, title="Gammelt møte")
    make_case(world, title="Gammel sak", submitted_at=timezone.now() - datetime.timedelta(days=400))
    make_meeting(world.network, days=-2, title="Avlyst møte", status=Meeting.Status.CANCELLED)
    return {"meeting": meeting, "cases": [first, second]}


def package(world: World, **kwargs) -> zipfile.ZipFile:
    today = timezone.localdate()
    content = build_package(
        network=world.network,
        start=today - datetime.timedelta(days=30),
        end=today,
        exported_by="Sekretær Testesen",
        **{"render_minutes": fake_minutes_pdf, **kwargs},
    )
    return zipfile.ZipFile(io.BytesIO(content))


class TestPackage:
    def test_every_xml_file_validates_against_the_official_schemas(self, world: World, records) -> None:
        archive = package(world)
        for name, xsd in (
            ("arkivstruktur.xml", "arkivstruktur.xsd"),
            ("endringslogg.xml", "endringslogg.xsd"),
            ("arkivuttrekk.xml", "addml.xsd"),
        ):
            validator = schema(xsd)
            document = etree.fromstring(archive.read(name))
            assert validator.validate(document), (name, validator.error_log)

    def test_documents_are_in_the_package_with_matching_checksums(self, world: World, records) -> None:
        archive = package(world)
        structure = etree.fromstring(archive.read("arkivstruktur.xml"))
        objects = structure.findall(".//n5:dokumentobjekt", NS)
        assert len(objects) == 3  # agenda document, approved minutes, case attachment
        contents = set()
        for obj in objects:
            path = obj.findtext("n5:referanseDokumentfil", namespaces=NS)
            assert path.startswith("DOKUMENT/")
            content = archive.read(path)
            assert obj.findtext("n5:sjekksum", namespaces=NS) == hashlib.sha256(content).hexdigest()
            assert obj.findtext("n5:sjekksumAlgoritme", namespaces=NS) == "SHA256"
            assert int(obj.findtext("n5:filstoerrelse", namespaces=NS)) == len(content)
            contents.add(content)
        assert PDF in contents and ATTACHMENT in contents
        assert sorted(n for n in archive.namelist() if n.startswith("DOKUMENT/")) == sorted(
            o.findtext("n5:referanseDokumentfil", namespaces=NS) for o in objects
        )

        addml = etree.fromstring(archive.read("arkivuttrekk.xml"))
        described = {
            obj.get("name"): obj.findtext(
                ".//addml:property[@name='checksum']//addml:property[@name='value']/addml:value", namespaces=NS
            )
            for obj in addml.findall(".//addml:dataObject/addml:dataObjects/addml:dataObject", NS)
        }
        assert set(described) == set(archive.namelist()) - {"arkivuttrekk.xml"}
        for name, checksum in described.items():
            assert checksum == hashlib.sha256(archive.read(name)).hexdigest()

    def test_only_the_network_and_the_period(self, world: World, records) -> None:
        structure = package(world).read("arkivstruktur.xml").decode()
        assert "Høstmøtet" in structure
        assert "Felles rutine for overflytting" in structure and "Opplæring i ECMO" in structure
        for absent in ("Øyemøtet", "Grå stær-rutine", "Gammelt møte", "Gammel sak", "Avlyst møte"):
            assert absent not in structure

    def test_meetings_and_cases_are_mapped_with_their_text(self, world: World, records) -> None:
        structure = etree.fromstring(package(world).read("arkivstruktur.xml"))
        xsi_type = "{http://www.w3.org/2001/XMLSchema-instance}type"
        (meeting,) = [m for m in structure.iter(f"{{{N5}}}mappe") if m.get(xsi_type) == "moetemappe"]
        assert meeting.findtext("n5:utvalg", namespaces=NS) == "Anestesi og intensiv"
        registrations = meeting.findall("n5:registrering", NS)
        assert [r.findtext("n5:tittel", namespaces=NS) for r in registrations] == [
            "Godkjenning av referat",
            "Intensivkapasitet vinteren",
            "Referat Høstmøtet",
        ]
        description = registrations[1].findtext("n5:beskrivelse", namespaces=NS)
        assert "Kapasiteten er presset." in description and "Nettverket anbefaler K2." in description
        assert registrations[2].findtext("n5:moeteregistreringstype", namespaces=NS) == "Møteprotokoll"

        cases = [m for m in structure.iter(f"{{{N5}}}mappe") if m.get(xsi_type) == "saksmappe"]
        first, second = records["cases"]
        assert [
            (c.findtext("n5:saksaar", namespaces=NS), c.findtext("n5:sakssekvensnummer", namespaces=NS)) for c in cases
        ] == [
            (str(first.year), str(first.number)),
            (str(second.year), str(second.number)),
        ]
        assert cases[0].findtext("n5:mappeID", namespaces=NS) == first.reference
        posts = cases[0].findall("n5:registrering", NS)
        # submitted and recommended are journaled, the comment is not; the attachment is a post of its own
        assert len(posts) == 3
        text = etree.tostring(cases[0], encoding="unicode")
        assert "Bruk felles sjekkliste ved overflytting." in text and ATTACHMENT_NAME in text

    def test_the_approved_minutes_render_as_pdf(self, world: World, records) -> None:
        archive = package(world, render_minutes=None)
        structure = etree.fromstring(archive.read("arkivstruktur.xml"))
        minutes = [
            d
            for d in structure.iter(f"{{{N5}}}dokumentbeskrivelse")
            if d.findtext("n5:dokumenttype", namespaces=NS) == "Møteprotokoll"
        ]
        path = minutes[0].findtext("n5:dokumentobjekt/n5:referanseDokumentfil", namespaces=NS)
        assert minutes[0].findtext("n5:dokumentobjekt/n5:variantformat", namespaces=NS) == "Arkivformat"
        assert minutes[0].findtext("n5:dokumentobjekt/n5:formatDetaljer", namespaces=NS) == "PDF/A-2a"
        assert_pdf_a(archive.read(path), lang="nb", title=f"Referat – {world.network.name}")

    def test_status_changes_go_to_the_change_log(self, world: World, records) -> None:
        archive = package(world)
        structure = etree.fromstring(archive.read("arkivstruktur.xml"))
        log = etree.fromstring(archive.read("endringslogg.xml"))
        second_id = next(
            m.findtext("n5:systemID", namespaces=NS)
            for m in structure.iter(f"{{{N5}}}mappe")
            if m.findtext("n5:tittel", namespaces=NS) == "Opplæring i ECMO"
        )
        log_ns = {"log": "http://www.arkivverket.no/standarder/noark5/endringslogg"}
        changes = [
            (e.findtext("log:referanseMetadata", namespaces=log_ns), e.findtext("log:nyVerdi", namespaces=log_ns))
            for e in log.findall("log:endring", log_ns)
            if e.findtext("log:referanseArkivenhet", namespaces=log_ns) == second_id
        ]
        assert changes == [("saksstatus", str(Case.Status.ACCEPTED.label))]

    def test_same_ids_on_a_second_export(self, world: World, records) -> None:
        ids = [
            [e.text for e in etree.fromstring(package(world).read("arkivstruktur.xml")).iter(f"{{{N5}}}systemID")]
            for _ in range(2)
        ]
        assert ids[0] == ids[1] and len(set(ids[0])) == len(ids[0])


class TestCasesOnTheAgenda:
    def test_the_networks_own_case_is_archived_in_full_and_another_networks_by_number(
        self, world: World, records
    ) -> None:
        """The extract is the network's record: its own cases in full, as in their case folders (those who make it
        may read them all). An item tied to another network's case (the product never makes one; an administrator
        could) keeps its number only, without its text, presenter or documents, in the XML and the minutes PDF."""
        meeting = records["meeting"]
        own = make_case(world, Case.Status.ACCEPTED, title="Egen sak om sedasjon", wanted="Eget ønske")
        other = make_case(world, Case.Status.ACCEPTED, network=world.other_network, title="Øyesak om stær", year=2025)
        minutes = meeting.minutes.get()
        for number, (case, text) in enumerate(((own, "Egen drøfting"), (other, "Øyedrøfting")), 10):
            item = AgendaItem.objects.create(
                meeting=meeting, order=number, kind=AgendaItem.Kind.CASE, title=f"Sak {case.reference}: {case.title}",
                description=case.wanted, presenter="Øyepresentatør" if case == other else "", case=case,
            )  # fmt: skip
            MinutesItem.objects.create(minutes=minutes, agenda_item=item, summary=text)
        with translation.override("nb"):  # made without a request: in the default language, whatever a test left
            archive = package(world, render_minutes=None)
        structure = archive.read("arkivstruktur.xml").decode()
        assert "Egen sak om sedasjon" in structure and "Eget ønske" in structure and "Egen drøfting" in structure
        assert f"<tittel>Sak {other.reference}</tittel>" in structure
        for secret in ("Øyesak om stær", "Øyedrøfting", "Øyepresentatør"):
            assert secret not in structure
        documents = [archive.read(name) for name in archive.namelist() if name.startswith("DOKUMENT/")]
        (pdf,) = [d for d in documents if d.startswith(b"%PDF") and d != PDF and d != ATTACHMENT]
        text = " ".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages)
        assert "Egen drøfting" in text and f"Sak {other.reference}" in text
        assert "Øyesak" not in text and "Øyedrøfting" not in text
