import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from fagnett.accounts.models import User
from fagnett.budget.models import Grant
from fagnett.funding import services
from fagnett.funding.models import Application, BudgetLine, FundingCall
from fagnett.funding.tests.factories import add_fagsjef_a1, draft, endorsed, make_call, submitted
from tests.factories import World, appoint, make_network, make_user

pytestmark = pytest.mark.django_db

LoginAs = Callable[[str], Client]
NATIONAL_ID = "01010750160"


def form_data(lines: list[tuple[str, str, str]], *, blank: int = 1, **fields: str) -> dict[str, str]:
    """The application form as a browser posts it: the fields, then the budget lines and ``blank`` empty rows."""
    data = {
        "applies_for": fields.pop("applies_for", ""),
        "proposed_name": "",
        "proposed_field": "",
        "purpose": "Samordne intensivtilbudet.",
        "activities": "To møter og en samling.",
        "programme": "",
        "period_start": "2026-03-01",
        "period_end": "2026-12-31",
        "lines-TOTAL_FORMS": str(len(lines) + blank),
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "30",
        **fields,
    }
    for i, (kind, description, amount) in enumerate(lines):
        data |= {f"lines-{i}-kind": kind, f"lines-{i}-description": description, f"lines-{i}-amount": amount}
    for i in range(len(lines), len(lines) + blank):
        data |= {f"lines-{i}-kind": "", f"lines-{i}-description": "", f"lines-{i}-amount": ""}
    return data


TWO_LINES = [("secretariat", "Frikjøp av sekretær", "60000"), ("catering", "Servering", "15000")]


@pytest.fixture
def call(world: World) -> FundingCall:
    add_fagsjef_a1(world)
    return make_call(world)


def urls(world: World, call: FundingCall) -> dict[str, str]:
    sent = submitted(world, call)  # by the leader, for the network, trust A1
    proposal = endorsed(world, call, user="employee", network=None)  # trust A2
    return {
        "list": reverse("funding:call_list"),
        "call": reverse("funding:call_detail", args=[call.pk]),
        "call_new": reverse("funding:call_create"),
        "call_edit": reverse("funding:call_update", args=[call.pk]),
        "apply": reverse("funding:application_create", args=[call.pk]),
        "detail": reverse("funding:application_detail", args=[sent.pk]),
        "endorse": reverse("funding:application_endorse", args=[sent.pk]),
        "detail_e": reverse("funding:application_detail", args=[proposal.pk]),
        "decide": reverse("funding:application_decide", args=[proposal.pk]),
        "mine": reverse("funding:my_applications"),
    }


PAGES = ["list", "call", "call_new", "call_edit", "apply", "detail", "endorse", "detail_e", "decide", "mine"]
# role → status of each page above. The coordinator and the directors read all of the region; the applicant
# their own; the network's leader and secretary their network's; the fagsjef of A1 what was submitted from A1.
# Anyone with a trust in the region may apply (for a new group); people of another region get 404.
EXPECTED: dict[str, list[int]] = {
    "coordinator": [200, 200, 200, 200, 403, 200, 403, 200, 200, 200],
    "director": [200, 200, 403, 403, 403, 200, 403, 200, 403, 200],
    "leader": [200, 200, 403, 403, 200, 200, 403, 403, 403, 200],
    "secretary": [200, 200, 403, 403, 200, 200, 403, 403, 403, 200],
    "member": [200, 200, 403, 403, 200, 403, 403, 403, 403, 200],
    "employee": [200, 200, 403, 403, 200, 403, 403, 200, 403, 200],
    "fagsjef": [200, 200, 403, 403, 200, 403, 403, 403, 403, 200],
    "fagsjef_a1": [200, 200, 403, 403, 200, 200, 200, 403, 403, 200],
    "rhf_rep": [200, 200, 403, 403, 403, 403, 403, 403, 403, 200],
    "coordinator_b": [200, 404, 200, 404, 404, 404, 404, 404, 404, 200],
    "fagsjef_b": [200, 404, 403, 404, 404, 404, 404, 404, 404, 200],
}


@pytest.mark.parametrize("role", EXPECTED)
def test_permission_table(world: World, call: FundingCall, login_as: LoginAs, role: str) -> None:
    pages = urls(world, call)
    client = login_as(role)
    got = [client.get(pages[name]).status_code for name in PAGES]
    assert dict(zip(PAGES, got, strict=True)) == dict(zip(PAGES, EXPECTED[role], strict=True))


def test_anonymous_people_are_sent_to_log_in(client: Client, world: World) -> None:
    response = client.get(reverse("funding:call_list"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# --- Calls ---------------------------------------------------------------------------------------------------------


def test_coordinator_creates_a_call(world: World, login_as: LoginAs) -> None:
    response = login_as("coordinator").post(
        reverse("funding:call_create"),
        {
            "year": "2027",
            "title": "Regionale fagmidler 2027",
            "deadline": "2027-02-01",
            "description": "",
            "amount_available": "2000000",
            "status": "open",
        },
    )
    call = FundingCall.objects.get()
    assert response.status_code == 302 and response["Location"] == call.get_absolute_url()
    assert (call.region, call.amount_available) == (world.region_a, 2_000_000)


def test_a_second_call_for_the_year_is_refused_on_the_form(world: World, login_as: LoginAs) -> None:
    make_call(world, year=2027)
    response = login_as("coordinator").post(
        reverse("funding:call_create"),
        {"year": "2027", "title": "Igjen", "deadline": "2027-02-01", "status": "open"},
    )
    assert response.status_code == 200 and response.context["form"].errors["year"]
    assert FundingCall.objects.count() == 1


def test_a_stale_call_edit_shows_the_conflict(world: World, call: FundingCall, login_as: LoginAs) -> None:
    client = login_as("coordinator")
    FundingCall.objects.filter(pk=call.pk).update(lock_version=2, title="Endret av en annen")
    response = client.post(
        reverse("funding:call_update", args=[call.pk]),
        {
            "year": str(call.year),
            "title": "Min tittel",
            "deadline": str(call.deadline),
            "status": "open",
            "lock_version": "1",
        },
    )
    assert response.status_code == 200 and response.context["conflict"] is not None
    assert response.context["form"]["lock_version"].value() == "2"
    call.refresh_from_db()
    assert call.title == "Endret av en annen"


# --- The application form --------------------------------------------------------------------------------------------


def test_leader_saves_a_draft_with_two_lines(world: World, call: FundingCall, login_as: LoginAs) -> None:
    response = login_as("leader").post(
        reverse("funding:application_create", args=[call.pk]),
        form_data(TWO_LINES, blank=2, applies_for=str(world.network.pk)),
    )
    application = Application.objects.get()
    assert response.status_code == 302 and response["Location"] == application.get_absolute_url()
    assert application.network == world.network and application.status == "draft"
    assert list(application.lines.values_list("description", "amount")) == [
        ("Frikjøp av sekretær", 60_000),
        ("Servering", 15_000),
    ]


def test_a_bad_line_shows_the_error_on_that_line_and_saves_nothing(
    world: World, call: FundingCall, login_as: LoginAs
) -> None:
    lines = [TWO_LINES[0], ("catering", "Servering", "-500"), ("speaker", "", "4000")]
    response = login_as("leader").post(
        reverse("funding:application_create", args=[call.pk]), form_data(lines, applies_for=str(world.network.pk))
    )
    assert response.status_code == 200
    forms = response.context["formset"].forms
    assert not forms[0].errors
    assert forms[1].errors["amount"]
    assert forms[2].errors["description"]
    html = response.content.decode()
    assert 'href="#id_lines-1-amount"' in html and 'href="#id_lines-2-description"' in html
    assert not Application.objects.exists() and not BudgetLine.objects.exists()


def test_identity_number_in_a_line_is_refused(world: World, call: FundingCall, login_as: LoginAs) -> None:
    lines = [("speaker", f"Honorar {NATIONAL_ID}", "4000")]
    response = login_as("leader").post(
        reverse("funding:application_create", args=[call.pk]), form_data(lines, applies_for=str(world.network.pk))
    )
    assert response.context["formset"].forms[0].errors["description"]
    assert not Application.objects.exists()


def test_add_a_line_shows_the_form_again_with_one_more_line(world: World, call: FundingCall, login_as: LoginAs) -> None:
    data = form_data(TWO_LINES, blank=1, applies_for=str(world.network.pk), add_line="1")
    response = login_as("leader").post(reverse("funding:application_create", args=[call.pk]), data)
    assert response.status_code == 200
    formset = response.context["formset"]
    assert len(formset.forms) == 3  # the two filled lines and one blank; the posted blank row is dropped
    assert formset.forms[1].initial["description"] == "Servering"
    assert response.context["form"]["purpose"].value() == "Samordne intensivtilbudet."
    assert not Application.objects.exists()


def test_a_new_group_needs_a_name(world: World, call: FundingCall, login_as: LoginAs) -> None:
    response = login_as("employee").post(
        reverse("funding:application_create", args=[call.pk]), form_data(TWO_LINES, applies_for="new")
    )
    assert response.context["form"].errors["proposed_name"]
    response = login_as("employee").post(
        reverse("funding:application_create", args=[call.pk]),
        form_data(TWO_LINES, applies_for="new", proposed_name="Palliasjon", proposed_field="Palliativ medisin"),
    )
    assert response.status_code == 302
    assert Application.objects.get().proposed_name == "Palliasjon"


def test_a_second_application_for_the_network_is_refused_on_the_form(
    world: World, call: FundingCall, login_as: LoginAs
) -> None:
    draft(world, call)
    response = login_as("secretary").post(
        reverse("funding:application_create", args=[call.pk]),
        form_data(TWO_LINES, applies_for=str(world.network.pk)),
    )
    assert response.status_code == 200 and response.context["form"].errors["applies_for"]
    assert Application.objects.count() == 1


def test_editing_a_draft_removes_a_line(world: World, call: FundingCall, login_as: LoginAs) -> None:
    application = draft(world, call)
    client = login_as("leader")
    page = client.get(reverse("funding:application_update", args=[application.pk]))
    assert len(page.context["formset"].forms) == 4  # two lines and two blank rows
    data = form_data(TWO_LINES, blank=2, applies_for=str(world.network.pk), lock_version="1")
    data |= {"lines-INITIAL_FORMS": "2", "lines-1-DELETE": "on"}
    response = client.post(reverse("funding:application_update", args=[application.pk]), data)
    assert response.status_code == 302
    assert list(application.lines.values_list("description", flat=True)) == ["Frikjøp av sekretær"]


# --- Steps ----------------------------------------------------------------------------------------------------------


def test_submit_after_the_deadline_shows_the_message(world: World, call: FundingCall, login_as: LoginAs) -> None:
    application = draft(world, call)
    FundingCall.objects.filter(pk=call.pk).update(deadline=timezone.localdate() - datetime.timedelta(days=2))
    client = login_as("leader")
    response = client.post(reverse("funding:application_submit", args=[application.pk]), {"lock_version": "1"})
    assert response.status_code == 302
    [message] = list(get_messages(response.wsgi_request))
    assert message.level_tag == "error" and call.title in str(message)
    application.refresh_from_db()
    assert application.status == "draft"


def test_a_late_draft_shows_why_instead_of_the_submit_button(
    world: World, call: FundingCall, login_as: LoginAs
) -> None:
    application = draft(world, call)
    User.objects.filter(pk=world["leader"].pk).update(language="en")
    client = login_as("leader")
    url = reverse("funding:application_detail", args=[application.pk])
    assert client.get(url).context["can"]["submit"]
    FundingCall.objects.filter(pk=call.pk).update(deadline=timezone.localdate() - datetime.timedelta(days=1))
    response = client.get(url)
    assert not response.context["can"]["submit"] and response.context["can"]["change"]
    html = response.content.decode()
    assert (
        "can no longer be submitted" in html
        and reverse("funding:application_submit", args=[application.pk]) not in html
    )


def test_the_whole_flow_through_the_pages(world: World, call: FundingCall, client: Client) -> None:
    application = draft(world, call)
    client.force_login(world["leader"])
    client.post(reverse("funding:application_submit", args=[application.pk]), {"lock_version": "1"})
    client.force_login(world["fagsjef_a1"])
    url = reverse("funding:application_endorse", args=[application.pk])
    response = client.post(url, {"decision": "return", "reason": "", "lock_version": "2"})
    assert response.context["form"].errors["reason"]
    client.post(url, {"decision": "endorse", "reason": "", "lock_version": "2"})
    client.force_login(world["coordinator"])
    url = reverse("funding:application_decide", args=[application.pk])
    response = client.post(
        url,
        {"decision": "grant", "amount_granted": "75001", "decision_reference": "", "reason": "", "lock_version": "3"},
    )
    assert response.context["form"].errors["amount_granted"]
    response = client.post(
        url,
        {
            "decision": "grant",
            "amount_granted": "60000",
            "decision_reference": "RHF",
            "reason": "",
            "lock_version": "3",
        },
    )
    assert response.status_code == 302
    grant = Grant.objects.get()
    assert (grant.network, grant.amount) == (world.network, 60_000)
    page = client.get(reverse("budget:network_budget", args=[world.network.pk]))
    assert call.title in page.content.decode()


def test_decline_without_a_reason_is_refused_on_the_form(world: World, call: FundingCall, login_as: LoginAs) -> None:
    application = endorsed(world, call)
    response = login_as("coordinator").post(
        reverse("funding:application_decide", args=[application.pk]),
        {"decision": "decline", "amount_granted": "", "decision_reference": "", "reason": "", "lock_version": "3"},
    )
    assert response.context["form"].errors["reason"]
    application.refresh_from_db()
    assert application.status == "endorsed"


def test_the_coordinator_creates_the_network_of_a_proposed_group(
    world: World, call: FundingCall, login_as: LoginAs
) -> None:
    application = endorsed(world, call, user="employee", network=None)
    client = login_as("coordinator")
    page = client.get(reverse("funding:application_decide", args=[application.pk]))
    assert "Palliasjon" in page.context["form"].fields["network"].empty_label
    response = client.post(
        reverse("funding:application_decide", args=[application.pk]),
        {"decision": "grant", "amount_granted": "50000", "decision_reference": "", "network": "", "lock_version": "3"},
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.network is not None and application.network.status == "planned"
    assert application.network.name == "Palliasjon" and application.grant is not None


def test_the_decision_table_sums_applied_endorsed_and_granted(
    world: World, call: FundingCall, login_as: LoginAs
) -> None:
    granted = endorsed(world, call)  # 75 000 applied
    services.application_grant(
        user=world["coordinator"], application=granted, amount=70_000, decision_reference="", lock_version=3
    )
    endorsed(world, call, user="employee", network=None)  # 75 000 applied
    other = make_network(world.region_a)
    leader = make_user(trust=world.trusts_a[0])
    appoint(other, leader, "leader")
    world.people["leader2"] = leader
    submitted(world, call, user="leader2", network=other)  # 75 000 applied, not endorsed
    draft(world, call, user="secretary", network=None, proposed_name="Gruppe")  # a draft: not counted
    response = login_as("coordinator").get(reverse("funding:call_detail", args=[call.pk]))
    summary = response.context["summary"]
    assert (summary.applied, summary.endorsed, summary.granted, summary.remaining, summary.drafts) == (
        225_000,
        150_000,
        70_000,
        430_000,
        1,
    )
    assert [a.status for a in summary.applications] == ["endorsed", "submitted", "granted"]


# --- Query counts ---------------------------------------------------------------------------------------------------


def _count(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def _grow(world: World, call: FundingCall, n: int) -> None:
    """``n`` more applications with three lines each, from new networks and leaders, and ``n`` more calls."""
    for i in range(n):
        network = make_network(world.region_a)
        leader = make_user(trust=world.trusts_a[i % 3])
        appoint(network, leader, "leader")
        lines = [services.LineInput("other", f"Linje {k}", 1_000 + k) for k in range(3)]
        application = services.application_create(
            user=leader,
            call=call,
            data={
                "purpose": "P",
                "activities": "A",
                "period_start": datetime.date(2026, 1, 1),
                "period_end": datetime.date(2026, 12, 31),
            },
            lines=lines,
            network=network,
        )
        Application.objects.filter(pk=application.pk).update(status="submitted", applicant=world["leader"])
        make_call(world, region=world.region_a, year=1900 + FundingCall.objects.count())


@pytest.mark.parametrize(
    ("role", "page", "expected"),
    [
        # the person (the session is a signed cookie, the person's access is kept: fagnett.access), the calls
        ("leader", "list", 2),
        # the person, the call, the applications and the drafts, own applications
        ("coordinator", "call", 5),
        # the person, own applications
        ("leader", "mine", 2),
    ],
)
def test_list_pages_have_a_flat_query_count(
    world: World,
    call: FundingCall,
    login_as: LoginAs,
    django_assert_num_queries: Any,
    role: str,
    page: str,
    expected: int,
) -> None:
    url = {
        "list": reverse("funding:call_list"),
        "call": reverse("funding:call_detail", args=[call.pk]),
        "mine": reverse("funding:my_applications"),
    }[page]
    client = login_as(role)
    client.get(reverse("home"))  # session warm-up
    _grow(world, call, 2)
    small = _count(client, url)
    _grow(world, call, 12)
    assert _count(client, url) == small
    with django_assert_num_queries(expected):
        client.get(url)
