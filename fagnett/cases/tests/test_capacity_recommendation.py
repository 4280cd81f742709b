"""The ICU network's capacity recommendation (issue 21, item 5): written by the network's leader or secretary,
decided in a meeting (an agenda item for decision; the approved minutes' decision comes back), sent by the leader
to the medical director as a case that follows the escalation and decision flow, and made into the Word/PDF
document. It lives with cases, the highest app it uses (capacity, meetings and cases)."""

import datetime
import hashlib
import io
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone
from docx import Document
from pypdf import PdfReader

from fagnett.capacity import documents
from fagnett.capacity import services as capacity_services
from fagnett.capacity.models import Assessment, Recommendation, ReportRound
from fagnett.capacity.tests.factories import make_entry, make_round, units_of
from fagnett.cases import recommendations
from fagnett.cases.models import Case, EscalationTarget
from fagnett.cases.services import case_record_decision
from fagnett.core import kept
from fagnett.core.exceptions import ConflictError
from fagnett.core.models import KeptFile
from fagnett.meetings import services as meeting_services
from fagnett.meetings.models import AgendaItem, Minutes
from fagnett.meetings.tests.factories import make_meeting
from tests.downloads import made
from tests.factories import World
from tests.pdf_standards import assert_pdf_ua

FORM = {
    "summary": "Regionen bør ha 4 bemannede K3-senger mer, fordelt på UNN Tromsø og Nordlandssykehuset Bodø.",
    "competence": "Kompetansen på ECMO finnes i Tromsø.",
    "preparedness": "Oppskalering innen 7 dager krever 6 ekstra sykepleiere.",
    "sustainability": "Lavdrift om sommeren må planlegges med jobbutveksling.",
    "travel": "Pasienter fra Finnmark har over 500 km reisevei.",
    "consensus": "no",
    "dissent_by": "Helgelandssykehuset",
    "dissent": "Vil beholde K3-senger i Mo i Rana.",
    "lock_version": "0",
}


@pytest.fixture
def round_(world: World) -> ReportRound:
    round_ = make_round(world.region_a, network=world.network)
    make_entry(round_, units_of(world)[0])
    return round_


def _url(round_: ReportRound, rest: str = "") -> str:
    return f"/capacity/rounds/{round_.pk}/recommendation/{rest}"


def _write(world: World, round_: ReportRound, **changes: Any) -> Recommendation:
    data: dict[str, Any] = {k: v for k, v in FORM.items() if k != "lock_version"}
    data["consensus"] = data["consensus"] == "yes"
    data.update(changes)
    return capacity_services.recommendation_save(user=world["leader"], round_=round_, data=data, lock_version=0)


def _decide(world: World, recommendation: Recommendation, decision: str = "Anbefalingen vedtas.") -> Minutes:
    """Put the recommendation on a meeting, record the decision in the minutes and approve them."""
    meeting = make_meeting(world.network, days=-1)
    recommendations.recommendation_to_agenda(
        user=world["secretary"], recommendation=recommendation, meeting=meeting, lock_version=None
    )
    minutes = meeting_services.minutes_start(user=world["secretary"], meeting=meeting)
    item = meeting.agenda_items.get()
    minutes = meeting_services.minutes_save(
        user=world["secretary"],
        minutes=minutes,
        texts={},
        lock_version=minutes.lock_version,
        decisions={item.pk: decision},
    )
    minutes = meeting_services.minutes_circulate(
        user=world["secretary"], minutes=minutes, comments_due=timezone.localdate() + datetime.timedelta(days=7)
    )
    return meeting_services.minutes_approve(user=world["leader"], minutes=minutes)


@pytest.mark.parametrize(
    ("role", "get", "post"),
    [
        ("leader", 200, 302),
        ("secretary", 200, 302),
        ("member", 200, 403),
        ("coordinator", 200, 403),
        ("director", 200, 403),
        ("employee", 403, 403),  # in the region, not in the network
        ("reporter", 403, 403),
        ("coordinator_b", 404, 404),  # another region: the round does not exist for them
    ],
)
def test_who_reads_and_writes(world: World, login_as: Any, round_: ReportRound, role: str, get: int, post: int) -> None:
    client: Client = login_as(role)
    assert client.get(_url(round_)).status_code == get
    assert client.post(_url(round_), FORM).status_code == post
    assert Recommendation.objects.exists() == (post == 302)


def test_the_leader_writes_and_the_page_shows_it(world: World, login_as: Any, round_: ReportRound) -> None:
    client: Client = login_as("leader")
    form = client.get(_url(round_)).context["form"]
    response = client.post(_url(round_), FORM | {"lock_version": form["lock_version"].value()})
    assert response.status_code == 302, response.context["form"].errors
    saved = Recommendation.objects.get()
    assert (
        saved.consensus is False and saved.dissent_by == "Helgelandssykehuset" and saved.written_by == world["leader"]
    )
    assert saved.status == Recommendation.Status.DRAFT and saved.lock_version == 1
    page = login_as("member").get(_url(round_)).content.decode()
    for text in ("4 bemannede K3-senger", "ECMO", "6 ekstra sykepleiere", "jobbutveksling", "500 km", "Mo i Rana"):
        assert text in page
    assert "recommendation-form" not in page  # a member reads, without the form


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"summary": "  "}, "summary"),
        ({"consensus": ""}, "consensus"),
        ({"dissent_by": ""}, "dissent_by"),
        ({"dissent": ""}, "dissent"),
        ({"travel": "Pasient 15108695088 måtte vente."}, "travel"),  # a national identity number
    ],
)
def test_bad_input_saves_nothing(
    world: World, login_as: Any, round_: ReportRound, changes: dict[str, str], field: str
) -> None:
    client = login_as("leader")
    response = client.post(_url(round_), FORM | changes)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Recommendation.objects.exists()


def test_consensus_clears_an_earlier_dissent(world: World, round_: ReportRound) -> None:
    saved = _write(world, round_, consensus=True)
    assert saved.consensus is True and saved.dissent == "" and saved.dissent_by == ""


def test_two_people_editing_at_once_lose_nothing(world: World, login_as: Any, round_: ReportRound) -> None:
    first = _write(world, round_)
    # The leader and the secretary both opened the form at version 1; the secretary saves first.
    secretary = Client()
    secretary.force_login(world["secretary"])
    assert (
        secretary.post(_url(round_), FORM | {"summary": "Sekretærens tekst.", "lock_version": "1"}).status_code == 302
    )
    leader = login_as("leader")
    response = leader.post(_url(round_), FORM | {"summary": "Lederens tekst.", "lock_version": "1"})
    assert response.status_code == 200 and response.context["conflict"] is not None
    first.refresh_from_db()
    assert first.summary == "Sekretærens tekst." and first.lock_version == 2  # the first save stands
    assert "Lederens tekst." in response.content.decode()  # the leader's text is still in the form
    with pytest.raises(ConflictError):
        capacity_services.recommendation_save(
            user=world["leader"], round_=round_, data={"summary": "x", "consensus": True}, lock_version=1
        )


def test_history_is_kept_and_shown_to_readers(world: World, login_as: Any, round_: ReportRound) -> None:
    saved = _write(world, round_)
    capacity_services.recommendation_save(
        user=world["secretary"], round_=round_, data={"summary": "Endret tekst."}, lock_version=saved.lock_version
    )
    assert saved.history.count() == 2
    url = f"/history/capacity-recommendation/{saved.pk}/"
    page = login_as("director").get(url)
    assert page.status_code == 200 and "Endret tekst." in page.content.decode()
    assert login_as("employee").get(url).status_code in (403, 404)


def test_assessment_per_hospital(world: World, login_as: Any, round_: ReportRound) -> None:
    hospital = units_of(world)[0].hospital
    client = login_as("leader")
    data = {"hospital": hospital.pk, "category": "K3", "scenario": "normal", "verdict": "marginal", "reasons": "Tynt"}
    assert client.post(f"/capacity/rounds/{round_.pk}/assessment/", data).status_code == 302
    for level in (
        {"trust": hospital.trust_id},
        {},
    ):  # the trust's and the region's verdicts for the same category and scenario stand beside it
        payload = {**data, "hospital": "", **level, "reasons": f"Nivå {level}"}
        assert client.post(f"/capacity/rounds/{round_.pk}/assessment/", payload).status_code == 302
    rows = list(Assessment.objects.order_by("pk"))
    assert len(rows) == 3
    assert rows[0].hospital == hospital and rows[0].trust_id == hospital.trust_id
    assert rows[1].hospital is None and rows[1].trust_id == hospital.trust_id
    assert rows[2].trust is None
    other_trust = world.trusts_a[1]
    refused = client.post(
        f"/capacity/rounds/{round_.pk}/assessment/", {**data, "trust": other_trust.pk, "reasons": "Feil"}
    )
    assert refused.status_code == 200 and Assessment.objects.count() == 3
    page = login_as("member").get(_url(round_)).content.decode()
    assert f"{hospital.name} ({hospital.trust.name})" in page


def test_decided_in_a_meeting_sent_as_a_case_and_the_directors_decision_comes_back(
    world: World, login_as: Any, round_: ReportRound, mailoutbox: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    recommendation = _write(world, round_)
    leader = login_as("leader")
    # Not yet decided: sending is refused, and nothing is made.
    leader.post(_url(round_, "send/"), {"lock_version": recommendation.lock_version})
    assert not Case.objects.exists()
    minutes = _decide(world, recommendation, decision="Nettverket slutter seg til anbefalingen.")
    item = AgendaItem.objects.get()
    assert item.item_type == AgendaItem.ItemType.DECISION and item.proposed_resolution == recommendation.summary
    recommendation.refresh_from_db()
    assert recommendation.status == Recommendation.Status.DECIDED and recommendation.decided_in == minutes
    assert recommendation.meeting_decision == "Nettverket slutter seg til anbefalingen."
    page = leader.get(_url(round_)).content.decode()
    assert minutes.get_absolute_url() in page and "Nettverket slutter seg til anbefalingen." in page
    # Decided, it can no longer be changed.
    assert leader.post(_url(round_), FORM | {"lock_version": str(recommendation.lock_version)}).status_code == 403
    # The secretary may not send it; the leader does.
    secretary = Client()
    secretary.force_login(world["secretary"])
    assert secretary.post(_url(round_, "send/"), {"lock_version": recommendation.lock_version}).status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        response = leader.post(_url(round_, "send/"), {"lock_version": recommendation.lock_version})
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.status == Case.Status.ESCALATED and case.escalated_to == EscalationTarget.MEDICAL_DIRECTOR
    assert case.network == world.network and case.reference and case.source == Case.Source.NETWORK
    assert case.recommendation == recommendation.summary and case.consensus is False
    assert "Helgelandssykehuset" in case.other_view and "Mo i Rana" in case.other_view
    assert [e.kind for e in case.events.all()] == ["submitted", "escalated"]
    assert any(world["director"].email in m.to for m in mail.outbox)
    recommendation.refresh_from_db()
    assert recommendation.status == Recommendation.Status.SENT and recommendation.case == case
    assert "Fagdirektøren har ikke besluttet ennå." in leader.get(_url(round_)).content.decode()
    # Sending twice makes no second case.
    leader.post(_url(round_, "send/"), {"lock_version": recommendation.lock_version})
    assert Case.objects.count() == 1
    # The director decides through the cases' own flow; the recommendation shows it.
    case_record_decision(user=world["director"], case=case, decision="Fire nye K3-senger fra 2027.")
    page = login_as("member").get(_url(round_)).content.decode()
    assert "Fire nye K3-senger fra 2027." in page and case.reference in page


def test_the_agenda_page_and_its_refusals(world: World, login_as: Any, round_: ReportRound) -> None:
    recommendation = _write(world, round_)
    meeting = make_meeting(world.network)
    other_network = make_meeting(world.other_network)
    member = login_as("member")
    assert member.get(_url(round_, "agenda/")).status_code == 403
    client = login_as("secretary")
    assert client.get(_url(round_, "agenda/")).status_code == 200
    response = client.post(_url(round_, "agenda/"), {"meeting": other_network.pk, "lock_version": 1})
    assert response.status_code == 200 and not AgendaItem.objects.exists()
    response = client.post(_url(round_, "agenda/"), {"meeting": meeting.pk, "lock_version": 1})
    assert response.status_code == 302
    item = AgendaItem.objects.get()
    assert item.meeting == meeting and item.is_decision and "500 km" in item.description
    recommendation.refresh_from_db()
    assert recommendation.status == Recommendation.Status.ON_AGENDA and recommendation.agenda_item == item


def test_minutes_without_a_decision_leave_it_on_the_agenda(world: World, round_: ReportRound) -> None:
    recommendation = _write(world, round_)
    _decide(world, recommendation, decision="")
    recommendation.refresh_from_db()
    assert recommendation.status == Recommendation.Status.ON_AGENDA and recommendation.decided_in is None


def test_the_document_is_the_recommendation(
    world: World, login_as: Any, round_: ReportRound, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    recommendation = _write(world, round_)
    _decide(world, recommendation, decision="Vedtatt slik den foreligger.")
    client = login_as("leader")
    docx = Document(io.BytesIO(made(client, _url(round_).rstrip("/") + ".docx").content))
    paragraphs = [p.text for p in docx.paragraphs]
    text = "\n".join(paragraphs)
    for expected in ("4 bemannede K3-senger", "ECMO", "500 km", "Helgelandssykehuset", "Vedtatt slik den foreligger."):
        assert expected in text, expected
    # The recommendation first, the round's figures as its appendix.
    assert text.index("4 bemannede K3-senger") < text.index("Vedlegg")
    descriptions = [shape._inline.docPr.get("descr") for shape in docx.inline_shapes]
    assert len(descriptions) == 2 and all(d and len(d) > 40 for d in descriptions)
    pdf_file = made(client, _url(round_).rstrip("/") + ".pdf").content
    assert_pdf_ua(pdf_file, lang="nb", title="Intensivkapasitet i Region A RHF: nettverkets anbefaling")
    pdf_text = " ".join(" ".join((page.extract_text() or "") for page in PdfReader(io.BytesIO(pdf_file)).pages).split())
    for expected in ("4 bemannede K3-senger", "Helgelandssykehuset", "Vedtatt slik den foreligger."):
        assert expected in pdf_text, expected
    # Someone in the region outside the network does not get the document.
    assert login_as("employee").post(_url(round_).rstrip("/") + ".pdf").status_code == 403


def test_the_files_as_sent_are_kept_with_their_checksums_and_served_as_they_were(
    world: World,
    login_as: Any,
    round_: ReportRound,
    settings: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    recommendation = _write(world, round_)
    _decide(world, recommendation)
    recommendation.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        recommendations.recommendation_send(user=world["leader"], recommendation=recommendation)
    rows = {row.kind: row for row in kept.kept_rows(recommendation)}
    assert set(rows) == {"pdf", "docx"} and all(row.state == KeptFile.State.KEPT for row in rows.values())
    for row in rows.values():
        with row.file.storage.open(row.file.name, "rb") as handle:
            stored = handle.read()
        assert hashlib.sha256(stored).hexdigest() == row.sha256 and len(stored) == row.size
    # What the director got, whatever the code would make now.
    monkeypatch.setattr(documents, "recommendation_pdf", lambda report: b"%PDF-1.7 made later")
    member = login_as("member")
    response = member.get(f"/capacity/rounds/{round_.pk}/recommendation-sent.pdf")
    assert response.status_code == 200 and response["Repr-Digest"].startswith("sha-256=:")
    content = b"".join(response.streaming_content)
    assert hashlib.sha256(content).hexdigest() == rows["pdf"].sha256
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    assert "4 bemannede K3-senger" in " ".join(text.split())
    docx = member.get(f"/capacity/rounds/{round_.pk}/recommendation-sent.docx")
    paragraphs = [p.text for p in Document(io.BytesIO(b"".join(docx.streaming_content))).paragraphs]
    assert FORM["summary"] in paragraphs
    # The page lists them with their checksums; people outside the network get nothing.
    page = member.get(_url(round_)).content.decode()
    assert rows["pdf"].short_sha256 in page and rows["docx"].sha256 in page
    assert login_as("employee").get(f"/capacity/rounds/{round_.pk}/recommendation-sent.pdf").status_code == 403
    assert login_as("coordinator_b").get(f"/capacity/rounds/{round_.pk}/recommendation-sent.pdf").status_code == 404
    assert member.get(f"/capacity/rounds/{round_.pk}/recommendation-sent.exe").status_code == 404


def test_nothing_is_kept_before_the_recommendation_is_sent(world: World, login_as: Any, round_: ReportRound) -> None:
    _write(world, round_)
    assert login_as("leader").get(f"/capacity/rounds/{round_.pk}/recommendation-sent.pdf").status_code == 404
    assert not KeptFile.objects.exists()
