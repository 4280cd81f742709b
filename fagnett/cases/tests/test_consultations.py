"""Consultations on a case (seed 004, 2.2.1): user involvement considered, the safety service (verneombud) and
the union representatives (tillitsvalgte) consulted; no recommendation while a required one is open."""

import datetime
import io
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation
from docx import Document

from fagnett.accounts.models import User
from fagnett.cases import services
from fagnett.cases.models import Case, CaseEvent, Consultation
from fagnett.cases.tests.factories import assess_consultations, days_from_today, make_case
from fagnett.core.exceptions import ConflictError
from fagnett.networks.models import AppointmentRole
from tests.factories import World, appoint, make_user

pytestmark = pytest.mark.django_db

S = Case.Status
K = Consultation.Kind
IDENTITY_NUMBER = "15108695088"  # a valid fødselsnummer (fictional)


@pytest.fixture(autouse=True)
def english(world: World) -> Iterator[None]:
    """The tests read the English texts (the msgids), in services and on the pages."""
    User.objects.update(language="en")
    with translation.override("en"):
        yield


def record(world: World, case: Case, kind: str = K.SAFETY_SERVICE, role: str = "leader", **data: Any) -> Consultation:
    data.setdefault("required", True)
    return services.consultation_record(user=world[role], case=case, kind=kind, **data)


def done(**extra: Any) -> dict[str, Any]:
    return {
        "required": True,
        "status": Consultation.Status.DONE,
        "consulted_on": days_from_today(-3),
        "consulted": "Hovedverneombud ved UNN",
        "outcome": "Ingen innvendinger mot forslaget.",
        **extra,
    }


class TestTheRule:
    def test_no_recommendation_while_a_required_consultation_is_open(self, world: World) -> None:
        case = make_case(world, status=S.IN_PROGRESS)
        assess_consultations(case, world["leader"], union_representatives="open", safety_service="open")
        with pytest.raises(ValidationError) as error:
            services.case_recommend(user=world["leader"], case=case, recommendation="Felles modell.")
        message = " ".join(error.value.messages)
        assert "Union representatives (tillitsvalgte)" in message
        assert "Safety service (verneombud)" in message
        assert "User involvement" not in message  # assessed as not required
        case.refresh_from_db()
        assert (case.status, case.recommendation) == (S.IN_PROGRESS, "")

    def test_no_recommendation_before_every_kind_is_assessed(self, world: World) -> None:
        case = make_case(world, status=S.ACCEPTED)
        record(world, case, K.USER_INVOLVEMENT, required=False, not_required_reason="Gjelder bare arbeidstid.")
        with pytest.raises(ValidationError) as error:
            services.case_recommend(user=world["leader"], case=case, recommendation="Felles modell.")
        message = " ".join(error.value.messages)
        assert "Safety service (verneombud)" in message and "Union representatives (tillitsvalgte)" in message

    def test_the_recommendation_is_given_once_each_is_done_or_not_required_with_a_reason(self, world: World) -> None:
        case = make_case(world, status=S.ON_AGENDA)
        record(world, case, K.USER_INVOLVEMENT, required=False, not_required_reason="Ingen betydning for pasientene.")
        record(world, case, K.SAFETY_SERVICE, **done())
        open_one = record(world, case, K.UNION_REPRESENTATIVES, role="secretary")
        with pytest.raises(ValidationError):
            services.case_recommend(user=world["leader"], case=case, recommendation="Felles modell.")
        record(world, case, K.UNION_REPRESENTATIVES, **done(consulted="Foretakstillitsvalgt NSF"))
        open_one.refresh_from_db()
        assert open_one.status == Consultation.Status.DONE
        case = services.case_recommend(user=world["leader"], case=case, recommendation="Felles modell.")
        assert case.status == S.RECOMMENDATION_GIVEN

    def test_an_escalation_without_consensus_still_reaches_the_medical_director(self, world: World) -> None:
        """Only a recommendation in consensus waits; an escalation carries the open consultations with it."""
        case = make_case(world, status=S.IN_PROGRESS)
        assess_consultations(case, world["leader"], union_representatives="open")
        case = services.case_escalate(user=world["leader"], case=case, recommendation="Pool.", other_view="Lokalt.")
        assert case.status == S.ESCALATED


class TestRecording:
    def test_not_required_needs_a_reason_and_saves_nothing_without(self, world: World) -> None:
        case = make_case(world, status=S.IN_PROGRESS)
        with pytest.raises(ValidationError) as error:
            record(world, case, K.USER_INVOLVEMENT, required=False, not_required_reason="  ")
        assert list(error.value.message_dict) == ["not_required_reason"]
        assert not Consultation.objects.exists()
        assert not case.events.filter(kind=CaseEvent.Kind.CONSULTATION).exists()

    def test_whether_it_is_required_must_be_answered(self, world: World) -> None:
        case = make_case(world, status=S.IN_PROGRESS)
        with pytest.raises(ValidationError) as error:
            record(world, case, required=None)
        assert list(error.value.message_dict) == ["required"]

    def test_done_needs_the_date_who_and_what_came_of_it(self, world: World) -> None:
        case = make_case(world, status=S.IN_PROGRESS)
        with pytest.raises(ValidationError) as error:
            record(world, case, required=True, status=Consultation.Status.DONE)
        assert set(error.value.message_dict) == {"consulted_on", "consulted", "outcome"}
        assert not Consultation.objects.exists()

    def test_a_date_in_the_future_is_refused(self, world: World) -> None:
        case = make_case(world, status=S.IN_PROGRESS)
        with pytest.raises(ValidationError) as error:
            record(world, case, **done(consulted_on=days_from_today(1)))
        assert list(error.value.message_dict) == ["consulted_on"]
        today = datetime.date(2026, 3, 1)
        with pytest.raises(ValidationError):
            record(world, case, **done(consulted_on=datetime.date(2026, 3, 2)), today=today)
        record(world, case, **done(consulted_on=today), today=today)

    @pytest.mark.parametrize("field", ["consulted", "outcome", "not_required_reason"])
    def test_an_identity_number_in_free_text_is_refused(self, world: World, field: str) -> None:
        case = make_case(world, status=S.IN_PROGRESS)
        data = (
            {"required": False, "not_required_reason": f"Gjelder pasient {IDENTITY_NUMBER}"}
            if field == "not_required_reason"
            else done(**{field: f"Pasient {IDENTITY_NUMBER}"})
        )
        with pytest.raises(ValidationError) as error:
            record(world, case, **data)
        assert field in error.value.message_dict
        assert not Consultation.objects.exists()

    def test_each_change_is_on_the_timeline_and_in_the_history(self, world: World) -> None:
        case = make_case(world, status=S.IN_PROGRESS)
        first = record(world, case, K.UNION_REPRESENTATIVES)
        second = record(
            world, case, K.UNION_REPRESENTATIVES, role="secretary", lock_version=first.lock_version, **done()
        )
        assert first.pk == second.pk and second.lock_version == 2
        assert Consultation.objects.count() == 1
        events = list(case.events.filter(kind=CaseEvent.Kind.CONSULTATION).order_by("pk"))
        assert [(e.actor, e.text) for e in events] == [
            (world["leader"], "Union representatives (tillitsvalgte): open"),
            (world["secretary"], "Union representatives (tillitsvalgte): done"),
        ]
        assert second.history.count() == 2
        assert second.recorded_by == world["secretary"]

    def test_not_required_clears_what_was_written_for_a_consultation(self, world: World) -> None:
        case = make_case(world, status=S.IN_PROGRESS)
        record(world, case, **done())
        consultation = record(world, case, required=False, not_required_reason="Endrer ikke arbeidsmiljøet.")
        assert (consultation.consulted_on, consultation.consulted, consultation.outcome) == (None, "", "")
        assert not consultation.is_open

    def test_the_second_of_two_people_is_told_and_nothing_is_lost(self, world: World) -> None:
        case = make_case(world, status=S.IN_PROGRESS)
        record(world, case, lock_version=0)
        with pytest.raises(ConflictError) as conflict:
            record(world, case, role="secretary", lock_version=0, **done())
        assert conflict.value.current.status == Consultation.Status.OPEN
        assert Consultation.objects.get().status == Consultation.Status.OPEN

    @pytest.mark.parametrize("status", [S.RECEIVED, S.DECLINED, S.RECOMMENDATION_GIVEN, S.ESCALATED, S.CLOSED])
    def test_only_while_the_network_works_on_the_case(self, world: World, status: str) -> None:
        case = make_case(world, status=status)
        with pytest.raises(ValidationError):
            record(world, case)
        assert not Consultation.objects.exists()


def _leader_elsewhere(world: World, network: Any) -> Any:
    person = make_user(trust=world.trusts_a[0])
    appoint(network, person, AppointmentRole.LEADER)
    return person


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("leader", True),
        ("secretary", True),
        ("member", False),
        ("rhf_rep", False),
        ("coordinator", False),
        ("director", False),
        ("employee", False),
        ("fagsjef", False),
        ("other_member", False),
        ("coordinator_b", False),
        ("leader_of_other_network", False),
        ("leader_in_other_region", False),
    ],
)
def test_only_the_networks_leader_and_secretary_record_consultations(world: World, who: str, allowed: bool) -> None:
    case = make_case(world, status=S.IN_PROGRESS)
    if who == "leader_of_other_network":
        user = _leader_elsewhere(world, world.other_network)
    elif who == "leader_in_other_region":
        user = _leader_elsewhere(world, world.network_b)
    else:
        user = world[who]
    call = lambda: services.consultation_record(  # noqa: E731
        user=user, case=case, kind=K.SAFETY_SERVICE, required=False, not_required_reason="Ingen betydning."
    )
    if allowed:
        assert call().recorded_by == user
    else:
        with pytest.raises(PermissionDenied):
            call()
        assert not Consultation.objects.exists()


class TestThePage:
    def post(self, client: Any, case: Case, kind: str, **data: Any) -> Any:
        return client.post(
            reverse("cases:consult", args=[case.pk, kind]), {f"{kind}-{key}": value for key, value in data.items()}
        )

    def test_the_leader_records_a_consultation_from_the_case_page(self, world: World, login_as: Any) -> None:
        case = make_case(world, status=S.IN_PROGRESS)
        client = login_as("leader")
        page = client.get(case.get_absolute_url())
        html = page.content.decode()
        assert [item["row"].kind for item in page.context["consultation_forms"]] == list(K.values)
        assert 'id="consultations-heading"' in html and 'id="consultations-waiting"' in html
        assert reverse("cases:consult", args=[case.pk, K.UNION_REPRESENTATIVES]) in html
        response = self.post(
            client, case, K.UNION_REPRESENTATIVES, required="yes", status="done",
            consulted_on=days_from_today(-1).isoformat(), consulted="Foretakstillitsvalgte NSF",
            outcome="Støtter forslaget.", lock_version=0,
        )  # fmt: skip
        assert response.status_code == 302
        consultation = Consultation.objects.get()
        assert (consultation.kind, consultation.status, consultation.consulted) == (
            K.UNION_REPRESENTATIVES, Consultation.Status.DONE, "Foretakstillitsvalgte NSF"
        )  # fmt: skip
        html = client.get(case.get_absolute_url()).content.decode()
        assert "Foretakstillitsvalgte NSF" in html and "Støtter forslaget." in html

    def test_bad_input_is_shown_on_the_form_and_saves_nothing(self, world: World, login_as: Any) -> None:
        case = make_case(world, status=S.IN_PROGRESS)
        client = login_as("secretary")
        response = self.post(client, case, K.USER_INVOLVEMENT, required="no", lock_version=0)
        assert response.status_code == 400
        form = next(i["form"] for i in response.context["consultation_forms"] if i["row"].kind == K.USER_INVOLVEMENT)
        assert list(form.errors) == ["not_required_reason"]
        assert '<details class="ds-details" open>' in response.content.decode()
        response = self.post(
            client, case, K.SAFETY_SERVICE, required="yes", status="done", consulted_on=days_from_today(2).isoformat(),
            consulted=f"Verneombud {IDENTITY_NUMBER}", outcome="Ok", lock_version=0,
        )  # fmt: skip
        assert response.status_code == 400
        form = next(i["form"] for i in response.context["consultation_forms"] if i["row"].kind == K.SAFETY_SERVICE)
        assert set(form.errors) >= {"consulted"}
        response = self.post(
            client, case, K.SAFETY_SERVICE, required="yes", status="done", consulted_on=days_from_today(2).isoformat(),
            consulted="Verneombud", outcome="Ok", lock_version=0,
        )  # fmt: skip
        form = next(i["form"] for i in response.context["consultation_forms"] if i["row"].kind == K.SAFETY_SERVICE)
        assert list(form.errors) == ["consulted_on"]
        assert not Consultation.objects.exists()

    def test_a_member_sees_the_consultations_but_gets_no_form(self, world: World, login_as: Any) -> None:
        case = make_case(world, status=S.IN_PROGRESS)
        assess_consultations(case, world["leader"], safety_service="done")
        client = login_as("member")
        response = client.get(case.get_absolute_url())
        assert response.context["consultation_forms"] == []
        assert "Hovedverneombud og hovedtillitsvalgte" in response.content.decode()
        assert self.post(client, case, K.SAFETY_SERVICE, required="no", not_required_reason="x").status_code == 403
        assert (
            login_as("coordinator_b").post(reverse("cases:consult", args=[case.pk, K.SAFETY_SERVICE])).status_code
            == 404
        )

    def test_a_case_not_taken_on_shows_no_consultations_yet(self, world: World, login_as: Any) -> None:
        for status in (S.RECEIVED, S.DECLINED):
            response = login_as("leader").get(make_case(world, status=status).get_absolute_url())
            assert 'id="consultations-heading"' not in response.content.decode()
        answered = make_case(world, status=S.CLOSED)
        assert 'id="consultations-heading"' in login_as("leader").get(answered.get_absolute_url()).content.decode()

    def test_an_unknown_kind_is_not_found(self, world: World, login_as: Any) -> None:
        case = make_case(world, status=S.IN_PROGRESS)
        assert login_as("leader").post(reverse("cases:consult", args=[case.pk, "press"])).status_code == 404

    def test_the_recommendation_page_says_why_consensus_is_refused(self, world: World, login_as: Any) -> None:
        case = make_case(world, status=S.IN_PROGRESS)
        assess_consultations(case, world["leader"], union_representatives="open")
        client = login_as("leader")
        detail = client.get(case.get_absolute_url())
        assert [str(label) for label in detail.context["consultation_blocking"]] == [
            "Union representatives (tillitsvalgte)"
        ]
        page = client.get(reverse("cases:recommend", args=[case.pk]))
        assert 'id="consultations-waiting"' in page.content.decode()
        response = client.post(
            reverse("cases:recommend", args=[case.pk]),
            {"recommendation": "Felles modell.", "consensus": "yes", "lock_version": case.lock_version},
        )
        assert response.status_code == 200
        assert "Union representatives (tillitsvalgte)" in " ".join(response.context["form"].non_field_errors())
        case.refresh_from_db()
        assert case.status == S.IN_PROGRESS

    def test_a_stale_form_is_told_and_keeps_the_text(self, world: World, login_as: Any) -> None:
        case = make_case(world, status=S.IN_PROGRESS)
        record(world, case, role="secretary")
        response = self.post(
            login_as("leader"), case, K.SAFETY_SERVICE, required="no", not_required_reason="Min begrunnelse",
            lock_version=0,
        )  # fmt: skip
        assert response.status_code == 409
        form = next(i["form"] for i in response.context["consultation_forms"] if i["row"].kind == K.SAFETY_SERVICE)
        assert form["not_required_reason"].value() == "Min begrunnelse"
        assert form["lock_version"].value() == "1"
        assert Consultation.objects.get().required is True


def _docx_text(content: bytes) -> str:
    document = Document(io.BytesIO(content))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


class TestExport:
    def test_the_case_export_holds_the_consultations(self, world: World, login_as: Any) -> None:
        case = make_case(world, status=S.IN_PROGRESS, title="Sommerbemanning")
        record(world, case, K.USER_INVOLVEMENT, required=False, not_required_reason="Gjelder arbeidstid.")
        record(world, case, K.SAFETY_SERVICE, **done())
        record(world, case, K.UNION_REPRESENTATIVES, consulted="Tillitsvalgte er invitert")
        response = login_as("member").get(reverse("cases:export", args=[case.pk]))
        assert response.status_code == 200
        assert response["Content-Disposition"] == f'attachment; filename="sak-ANI-{case.year}-{case.number:03d}.docx"'
        text = _docx_text(b"".join(response.streaming_content))
        for expected in ("Sommerbemanning", "Gjelder arbeidstid.", "Hovedverneombud ved UNN",
                         # The reader chose English, so the dates are British too (were "dd.mm.yyyy" before).
                         "Ingen innvendinger mot forslaget.", days_from_today(-3).strftime("%d/%m/%Y"),
                         "Tillitsvalgte er invitert", "Union representatives (tillitsvalgte): open"):  # fmt: skip
            assert expected in text, expected
        assert login_as("other_member").get(reverse("cases:export", args=[case.pk])).status_code == 404

    def test_the_common_case_export_holds_each_answers_consultations(self, world: World, login_as: Any) -> None:
        common = services.common_case_send(
            user=world["coordinator"], region=world.region_a, networks=None,
            data={"title": "Flytting av elektiv virksomhet", "description": "Oppdrag", "wanted": "Vurdering"},
        )  # fmt: skip
        answered = common.cases.get(network=world.network)
        services.case_accept(user=world["leader"], case=answered)
        record(world, answered, K.USER_INVOLVEMENT, **done(consulted="Regionalt brukerutvalg"))
        record(world, answered, K.SAFETY_SERVICE, required=False, not_required_reason="Et innspill.")
        record(world, answered, K.UNION_REPRESENTATIVES, required=False, not_required_reason="Et innspill.")
        services.case_recommend(user=world["leader"], case=answered, recommendation="Egnet for små sykehus.")
        response = login_as("coordinator").get(reverse("cases:common_export", args=[common.pk]))
        text = _docx_text(b"".join(response.streaming_content))
        assert "Regionalt brukerutvalg" in text and "Et innspill." in text


def test_a_consultation_posted_from_a_stale_tab_after_the_case_moved_on_is_refused_with_a_message(
    world: World, client: Any
) -> None:
    from django.contrib.messages import get_messages

    case = make_case(world, status=Case.Status.CLOSED)
    client.force_login(world["leader"])
    response = client.post(
        reverse("cases:consult", args=[case.pk, K.SAFETY_SERVICE]),
        {f"{K.SAFETY_SERVICE}-required": "no", f"{K.SAFETY_SERVICE}-not_required_reason": "Gjelder ikke ansatte."},
    )
    assert response.status_code == 302
    assert response["Location"].endswith("#consultations-heading")
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "The case has moved on: consultations can no longer be recorded on it."
    ]
    assert not Consultation.objects.filter(case=case).exists()
