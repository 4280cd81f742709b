import io
from collections.abc import Callable

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from docx import Document

from fagnett.access import access_for
from fagnett.cases import services
from fagnett.cases.models import Case, CaseEvent, CommonCase
from fagnett.cases.selectors import case_home_summary
from fagnett.cases.tests.factories import assess_consultations, days_from_today, make_case
from fagnett.networks.models import AppointmentRole
from tests.factories import World, appoint, make_network, make_user

pytestmark = pytest.mark.django_db

LoginAs = Callable[[str], Client]
S = Case.Status


def pages(world: World) -> dict[str, str]:
    common = services.common_case_send(
        user=world["coordinator"],
        region=world.region_a,
        networks=[world.network, world.other_network],
        data={"title": "Felles sak", "description": "Innspill", "wanted": "Svar"},
    )
    detail = make_case(world)
    return {
        "list": reverse("cases:list"),
        "mine": reverse("cases:mine"),
        "unrouted": reverse("cases:unrouted"),
        "submit": reverse("cases:submit"),
        "assign": reverse("progress:assign_task"),
        "network": reverse("cases:network", args=[world.network.pk]),
        "network_other": reverse("cases:network", args=[world.other_network.pk]),
        "detail": reverse("cases:detail", args=[detail.pk]),
        "route": reverse("cases:route", args=[make_case(world, network=None).pk]),
        "respond": reverse("cases:respond", args=[detail.pk]),
        "recommend": reverse("cases:recommend", args=[make_case(world, status=S.IN_PROGRESS).pk]),
        "decide": reverse("cases:decide", args=[make_case(world, status=S.ESCALATED).pk]),
        "close": reverse("cases:close", args=[make_case(world, status=S.RECOMMENDATION_GIVEN).pk]),
        "common_list": reverse("cases:common_list"),
        "common_create": reverse("cases:common_create"),
        "common_detail": reverse("cases:common_detail", args=[common.pk]),
        "common_export": reverse("cases:common_export", args=[common.pk]),
    }


# role → {page: expected status}; 404 where the person may not even see the case or network.
EXPECTED: dict[str, dict[str, int]] = {
    "coordinator": {
        "list": 200, "mine": 200, "unrouted": 200, "submit": 200, "assign": 200, "network": 200, "network_other": 200,
        "detail": 200, "route": 200, "respond": 403, "recommend": 403, "decide": 200, "close": 200,
        "common_list": 200, "common_create": 200, "common_detail": 200, "common_export": 200,
    },
    "director": {
        "list": 200, "mine": 200, "unrouted": 403, "submit": 200, "assign": 200, "network": 200, "network_other": 200,
        "detail": 200, "route": 403, "respond": 403, "recommend": 403, "decide": 200, "close": 403,
        "common_list": 200, "common_create": 403, "common_detail": 200, "common_export": 200,
    },
    "leader": {
        "list": 200, "mine": 200, "unrouted": 403, "submit": 200, "assign": 403, "network": 200, "network_other": 404,
        "detail": 200, "route": 404, "respond": 200, "recommend": 200, "decide": 403, "close": 200,
        "common_list": 200, "common_create": 403, "common_detail": 200, "common_export": 200,
    },
    "secretary": {
        "list": 200, "mine": 200, "unrouted": 403, "submit": 200, "assign": 403, "network": 200, "network_other": 404,
        "detail": 200, "route": 404, "respond": 200, "recommend": 200, "decide": 403, "close": 200,
        "common_list": 200, "common_create": 403, "common_detail": 200, "common_export": 200,
    },
    "member": {
        "list": 200, "mine": 200, "unrouted": 403, "submit": 200, "assign": 403, "network": 200, "network_other": 404,
        "detail": 200, "route": 404, "respond": 403, "recommend": 403, "decide": 403, "close": 403,
        "common_list": 200, "common_create": 403, "common_detail": 404, "common_export": 404,
    },
    "employee": {  # the submitter of every case here: follows them, takes no step
        "list": 200, "mine": 200, "unrouted": 403, "submit": 200, "assign": 403, "network": 404, "network_other": 404,
        "detail": 200, "route": 403, "respond": 403, "recommend": 403, "decide": 403, "close": 403,
        "common_list": 200, "common_create": 403, "common_detail": 404, "common_export": 404,
    },
    "fagsjef": {
        "list": 200, "mine": 200, "unrouted": 403, "submit": 200, "assign": 403, "network": 404, "network_other": 404,
        "detail": 404, "route": 404, "respond": 404, "recommend": 404, "decide": 404, "close": 404,
        "common_list": 200, "common_create": 403, "common_detail": 404, "common_export": 404,
    },
    "coordinator_b": {
        "list": 200, "mine": 200, "unrouted": 200, "submit": 200, "assign": 200, "network": 404, "network_other": 404,
        "detail": 404, "route": 404, "respond": 404, "recommend": 404, "decide": 404, "close": 404,
        "common_list": 200, "common_create": 200, "common_detail": 404, "common_export": 404,
    },
}  # fmt: skip


@pytest.mark.parametrize("role", sorted(EXPECTED))
def test_every_role_gets_the_expected_answer_on_every_page(world: World, client: Client, role: str) -> None:
    urls = pages(world)
    assert set(EXPECTED[role]) == set(urls)
    client.force_login(world[role])
    got = {name: client.get(url).status_code for name, url in urls.items()}
    assert got == EXPECTED[role]


def test_anonymous_visitors_are_sent_to_the_login_page(world: World, client: Client) -> None:
    for url in pages(world).values():
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def test_steps_posted_without_the_right_change_nothing(world: World, login_as: LoginAs) -> None:
    case = make_case(world)
    client = login_as("member")
    assert client.post(reverse("cases:respond", args=[case.pk]), {"decision": "accept"}).status_code == 403
    assert client.post(reverse("cases:start", args=[case.pk])).status_code == 403
    case.refresh_from_db()
    assert case.status == S.RECEIVED


class TestFlowThroughThePages:
    def test_submit_without_a_network_route_accept_and_recommend(self, world: World, client: Client) -> None:
        client.force_login(world["employee"])
        response = client.post(
            reverse("cases:submit"),
            {"title": "Hvem eier sepsisprosedyren?", "description": "Uklart eierskap.", "wanted": "Avklaring",
             "trust": world.trusts_a[1].pk},
        )  # fmt: skip
        case = Case.objects.get()
        assert response.url == case.get_absolute_url()
        assert (case.network, case.region, case.trust) == (None, world.region_a, world.trusts_a[1])

        client.force_login(world["coordinator"])
        assert case.pk in [row.pk for row in client.get(reverse("cases:unrouted")).context["page"].object_list]
        response = client.post(
            reverse("cases:route", args=[case.pk]), {"network": world.network.pk, "lock_version": case.lock_version}
        )
        assert response.status_code == 302
        case.refresh_from_db()
        assert case.reference.endswith("/001")

        client.force_login(world["leader"])
        detail = client.get(case.get_absolute_url())
        assert detail.context["actions"]["accept"] is True
        client.post(reverse("cases:respond", args=[case.pk]), {"decision": "accept", "lock_version": case.lock_version})
        case.refresh_from_db()
        client.post(reverse("cases:start", args=[case.pk]), {"lock_version": case.lock_version})
        case.refresh_from_db()
        assert case.status == S.IN_PROGRESS
        assess_consultations(case, world["leader"])
        response = client.post(
            reverse("cases:recommend", args=[case.pk]),
            {"recommendation": "Akuttnettverket eier den.", "consensus": "yes", "lock_version": case.lock_version},
        )
        assert response.status_code == 302
        case.refresh_from_db()
        assert (case.status, case.consensus) == (S.RECOMMENDATION_GIVEN, True)

        client.force_login(world["employee"])
        detail = client.get(case.get_absolute_url())
        assert "Akuttnettverket eier den." in detail.content.decode()
        kinds = [e.kind for e in detail.context["events"]]
        assert kinds == ["submitted", "routed", "accepted", "started", "recommended"]

    def test_declining_without_a_reason_is_refused_with_a_message(self, world: World, login_as: LoginAs) -> None:
        case = make_case(world)
        client = login_as("leader")
        response = client.post(reverse("cases:respond", args=[case.pk]), {"decision": "decline"})
        assert response.status_code == 200
        assert list(response.context["form"].errors) == ["reason"]
        case.refresh_from_db()
        assert case.status == S.RECEIVED

    def test_no_consensus_escalates_with_both_views_and_the_director_decides(
        self, world: World, client: Client
    ) -> None:
        case = make_case(world, status=S.ON_AGENDA)
        client.force_login(world["leader"])
        url = reverse("cases:recommend", args=[case.pk])
        response = client.post(
            url, {"recommendation": "Samle K3.", "consensus": "no", "escalate_to": "medical_director"}
        )
        assert list(response.context["form"].errors) == ["other_view"]
        client.post(url, {"recommendation": "Samle K3.", "consensus": "no", "other_view": "Behold lokalt.",
                          "escalate_to": "heads_meeting", "lock_version": case.lock_version})  # fmt: skip
        case.refresh_from_db()
        assert (case.status, case.escalated_to, case.other_view) == (S.ESCALATED, "heads_meeting", "Behold lokalt.")

        client.force_login(world["director"])
        client.post(
            reverse("cases:decide", args=[case.pk]),
            {"decision": "Fagsjefmøtet: behold lokalt i to år.", "lock_version": case.lock_version},
        )
        case.refresh_from_db()
        assert case.status == S.DECISION_RECORDED
        for role in ("employee", "member"):
            client.force_login(world[role])
            html = client.get(case.get_absolute_url()).content.decode()
            assert "Fagsjefmøtet: behold lokalt i to år." in html
            assert "Behold lokalt." in html

    def test_a_stale_form_is_told_and_keeps_the_text(self, world: World, client: Client) -> None:
        case = make_case(world, status=S.IN_PROGRESS)
        assess_consultations(case, world["leader"])
        seen = case.lock_version
        services.case_set_on_agenda(user=world["secretary"], case=case, meeting_label="Møte 2")
        client.force_login(world["leader"])
        response = client.post(
            reverse("cases:recommend", args=[case.pk]),
            {"recommendation": "Min tekst", "consensus": "yes", "lock_version": seen},
        )
        assert response.status_code == 200
        assert response.context["conflict"].status == S.ON_AGENDA
        assert response.context["form"]["recommendation"].value() == "Min tekst"
        case.refresh_from_db()
        assert case.recommendation == ""
        # saving again from the refreshed form goes through
        response = client.post(
            reverse("cases:recommend", args=[case.pk]),
            {"recommendation": "Min tekst", "consensus": "yes", "lock_version": case.lock_version},
        )
        assert response.status_code == 302

    def test_a_step_sent_without_its_version_is_a_conflict_never_a_silent_overwrite(
        self, world: World, client: Client
    ) -> None:
        """A page that sent no version (or a garbled one) cannot say which version it saw: it is asked again."""
        case = make_case(world, status=S.IN_PROGRESS)
        assess_consultations(case, world["leader"])
        client.force_login(world["leader"])
        url = reverse("cases:recommend", args=[case.pk])
        for version in ({}, {"lock_version": "x"}):
            response = client.post(url, {"recommendation": "Min tekst", "consensus": "yes", **version})
            assert response.status_code == 200 and response.context["conflict"].pk == case.pk
            assert response.context["form"]["lock_version"].value() == str(case.lock_version)
        case.refresh_from_db()
        assert (case.status, case.recommendation) == (S.IN_PROGRESS, "")
        # The one-button steps say so in a message and change nothing either.
        response = client.post(reverse("cases:responsible", args=[case.pk]), {"responsible": world["member"].pk})
        assert response.status_code == 302
        case.refresh_from_db()
        assert case.responsible is None

    def test_comment_with_identity_number_is_refused_on_the_page(self, world: World, login_as: LoginAs) -> None:
        case = make_case(world)
        client = login_as("member")
        response = client.post(reverse("cases:comment", args=[case.pk]), {"text": "Gjelder 15108695088"})
        assert response.status_code == 400
        assert list(response.context["comment_form"].errors) == ["text"]
        response = client.post(reverse("cases:comment", args=[case.pk]), {"text": "Vi ser på dette i mars."})
        assert response.status_code == 302
        assert case.events.filter(kind=CaseEvent.Kind.COMMENTED, text="Vi ser på dette i mars.").exists()

    def test_the_director_assigns_a_task_from_the_page(self, world: World, login_as: LoginAs) -> None:
        client = login_as("director")
        response = client.post(
            reverse("progress:assign_task"),
            {"title": "Kartlegg kapasitet", "description": "Oppdrag fra RHF.", "wanted": "Rapport",
             "networks": [world.network.pk, world.other_network.pk], "due_date": days_from_today(90).isoformat()},
        )  # fmt: skip
        assert response.status_code == 302
        assert Case.objects.filter(source=Case.Source.RHF_TASK).count() == 2
        response = client.post(
            reverse("progress:assign_task"),
            {"title": "Uten frist", "description": "x", "wanted": "y", "networks": [world.network.pk]},
        )
        assert list(response.context["form"].errors) == ["due_date"]
        assert Case.objects.count() == 2


class TestCommonCase:
    def test_matrix_shows_who_has_answered_and_the_export_holds_every_answer(
        self, world: World, login_as: LoginAs
    ) -> None:
        client = login_as("coordinator")
        response = client.post(
            reverse("cases:common_create"),
            {"region": world.region_a.pk, "title": "Flytting av elektiv virksomhet",
             "description": "Nasjonalt oppdrag.", "wanted": "Vurdering", "all_networks": "on"},
        )  # fmt: skip
        common = CommonCase.objects.get()
        assert response.url == common.get_absolute_url()
        answered = common.cases.get(network=world.network)
        services.case_accept(user=world["leader"], case=answered)
        assess_consultations(answered, world["leader"], user_involvement="done")
        services.case_recommend(user=world["leader"], case=answered, recommendation="Egnet for dagkirurgi ved små.")

        matrix = client.get(common.get_absolute_url()).context["matrix"]
        assert [(row.network.name, row.answered) for row in matrix.rows] == [
            ("Anestesi og intensiv", True),
            ("Øye", False),
        ]
        assert matrix.answered_count == 1

        response = client.get(reverse("cases:common_export", args=[common.pk]))
        assert response["Content-Disposition"].startswith("attachment;")
        document = Document(io.BytesIO(b"".join(response.streaming_content)))  # type: ignore[attr-defined]
        text = "\n".join(p.text for p in document.paragraphs)
        assert "Egnet for dagkirurgi ved små." in text
        assert "Øye" in text

        # the leader of the answering network sees the matrix too
        assert login_as("leader").get(common.get_absolute_url()).status_code == 200

    def test_neither_networks_nor_all_is_refused(self, world: World, login_as: LoginAs) -> None:
        response = login_as("coordinator").post(
            reverse("cases:common_create"),
            {"region": world.region_a.pk, "title": "T", "description": "D"},
        )
        assert list(response.context["form"].errors) == ["networks"]
        assert not CommonCase.objects.exists()


class TestQueryCounts:
    """Case lists and the common case matrix run the same number of queries however many cases there are."""

    def grow(self, world: World, extra: int) -> None:
        network = make_network(world.region_a)
        appoint(network, world["leader"], AppointmentRole.MEMBER)
        for i in range(extra):
            submitter = make_user(trust=world.trusts_a[i % 3])
            make_case(world, network=world.network if i % 2 else network, submitted_by=submitter,
                      trust=world.trusts_a[i % 3], due_date=days_from_today(i - 5))  # fmt: skip
            make_case(world, network=None, submitted_by=world["leader"])

    def count(self, client: Client, url: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    @pytest.mark.parametrize(
        ("role", "page"),
        [("coordinator", "list"), ("leader", "mine"), ("leader", "network"), ("coordinator", "unrouted"),
         ("coordinator", "common_list"), ("coordinator", "common_detail")],
    )  # fmt: skip
    def test_flat_as_data_grows(self, world: World, client: Client, role: str, page: str) -> None:
        common = services.common_case_send(
            user=world["coordinator"], region=world.region_a, networks=None, data={"title": "T", "description": "D"}
        )
        url = {
            "list": reverse("cases:list"),
            "mine": reverse("cases:mine"),
            "network": reverse("cases:network", args=[world.network.pk]),
            "unrouted": reverse("cases:unrouted"),
            "common_list": reverse("cases:common_list"),
            "common_detail": reverse("cases:common_detail", args=[common.pk]),
        }[page]
        client.force_login(world[role])
        client.get(url)  # session warm-up
        self.grow(world, 3)
        small = self.count(client, url)
        self.grow(world, 30)
        for _ in range(10):
            services.common_case_send(
                user=world["coordinator"], region=world.region_a, networks=None, data={"title": "T", "description": "D"}
            )
        assert self.count(client, url) == small


def test_htmx_filtering_answers_with_the_results_only(world: World, login_as: LoginAs) -> None:
    make_case(world, title="Sedasjon av barn ved MR")
    make_case(world, title="Tidlig varsling")
    client = login_as("coordinator")
    response = client.get(reverse("cases:list"), {"q": "sedasjon"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="case-results"' in html and "<html" not in html
    assert "Sedasjon av barn ved MR" in html and "Tidlig varsling" not in html
    assert "HX-Request" in response["Vary"]


def test_the_coordinator_of_another_region_does_not_see_cases_waiting_here(world: World, login_as: LoginAs) -> None:
    make_case(world, network=None)
    response = login_as("coordinator_b").get(reverse("cases:unrouted"))
    assert response.context["page"].count == 0


def test_the_home_summary_costs_one_query(world: World, django_assert_num_queries: Callable[..., object]) -> None:
    make_case(world, network=None)
    user = world["coordinator"]
    access_for(user)
    with django_assert_num_queries(1):  # type: ignore[operator]
        case_home_summary(user=user)


def test_the_submitter_sees_why_the_network_declined(world: World, login_as: LoginAs) -> None:
    case = make_case(world)
    services.case_decline(user=world["leader"], case=case, reason="Hører hjemme i Akuttmedisin.")
    response = login_as("employee").get(case.get_absolute_url())
    assert "Hører hjemme i Akuttmedisin." in response.content.decode()
    assert response.context["actions"] == dict.fromkeys(response.context["actions"], False)
    assert response.context["can"]["comment_case"] is True


def test_the_home_summary_card_links_to_what_waits(world: World) -> None:
    make_case(world, network=None)
    make_case(world, status=S.ESCALATED)
    html = render_to_string("cases/_home_summary.html", {"case_summary": case_home_summary(user=world["coordinator"])})
    assert reverse("cases:unrouted") in html
    assert f"{reverse('cases:list')}?status=escalated" in html
    assert "?status=received" not in html  # the coordinator leads no network
