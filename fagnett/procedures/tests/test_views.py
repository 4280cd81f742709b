from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from fagnett.networks.models import AppointmentRole
from fagnett.procedures.models import Procedure, Status
from fagnett.procedures.tests.factories import d, make_procedure
from fagnett.procedures.tests.test_selectors import known_fixtures
from tests.factories import World, appoint, make_network, make_user

pytestmark = pytest.mark.django_db

LoginAs = Callable[[str], Client]


def urls(world: World, procedure: Procedure, procedure_b: Procedure) -> dict[str, str]:
    return {
        "register": reverse("procedures:network_register", args=[world.network.pk]),
        "register_b": reverse("procedures:network_register", args=[world.network_b.pk]),
        "detail": reverse("procedures:detail", args=[procedure.pk]),
        "detail_b": reverse("procedures:detail", args=[procedure_b.pk]),
        "create": reverse("procedures:create", args=[world.network.pk]),
        "update": reverse("procedures:update", args=[procedure.pk]),
        "status": reverse("procedures:change_status", args=[procedure.pk]),
        "overview": reverse("procedures:overview"),
    }


READ_ONLY = {"register": 200, "register_b": 404, "detail": 200, "detail_b": 404, "create": 403, "update": 403}
MANAGER = {**READ_ONLY, "create": 200, "update": 200, "status": 200}
# role → page → expected status. Another region's pages answer 404 so their existence is not revealed.
EXPECTED: dict[str, dict[str, int]] = {
    "coordinator": {**MANAGER, "overview": 200},
    "director": {**READ_ONLY, "status": 403, "overview": 200},
    "leader": {**MANAGER, "overview": 403},
    "secretary": {**MANAGER, "overview": 403},
    "member": {**READ_ONLY, "status": 403, "overview": 403},
    "other_member": {**READ_ONLY, "status": 403, "overview": 403},
    "employee": {**READ_ONLY, "status": 403, "overview": 403},
    "coordinator_b": {
        "register": 404,
        "register_b": 200,
        "detail": 404,
        "detail_b": 200,
        "create": 404,
        "update": 404,
        "status": 404,
        "overview": 200,
    },
}


@pytest.mark.parametrize("role", EXPECTED)
def test_permission_table(world: World, login_as: LoginAs, role: str) -> None:
    procedure = make_procedure(world.network)
    procedure_b = make_procedure(world.network_b)
    client = login_as(role)
    for page, url in urls(world, procedure, procedure_b).items():
        assert client.get(url).status_code == EXPECTED[role][page], (role, page)


def test_anonymous_is_sent_to_login(world: World, client: Client) -> None:
    response = client.get(reverse("procedures:network_register", args=[world.network.pk]))
    assert response.status_code == 302 and "/login/" in response["Location"]


@pytest.mark.parametrize("role", ["member", "director", "coordinator_b"])
def test_posts_are_refused_and_nothing_changes(world: World, login_as: LoginAs, role: str) -> None:
    procedure = make_procedure(world.network, (Status.PROPOSED, d(1)))
    client = login_as(role)
    response = client.post(
        reverse("procedures:change_status", args=[procedure.pk]),
        {"status": Status.IN_PROGRESS, "happened_on": "2025-02-01"},
    )
    assert response.status_code in (403, 404)
    response = client.post(
        reverse("procedures:create", args=[world.network.pk]),
        {"kind": "procedure", "title": "X", "status": "proposed", "happened_on": "2025-01-01"},
    )
    assert response.status_code in (403, 404)
    procedure.refresh_from_db()
    assert procedure.status == Status.PROPOSED and Procedure.objects.count() == 1


def test_secretary_registers_and_publishes(world: World, login_as: LoginAs) -> None:
    client = login_as("secretary")
    response = client.post(
        reverse("procedures:create", args=[world.network.pk]),
        {
            "kind": "procedure",
            "title": "Sedasjon av voksne intensivpasienter",
            "url": "https://example.org/prosedyre",
            "responsible": world["member"].pk,
            "review_date": "2027-05-01",
            "description": "",
            "status": "in_progress",
            "happened_on": "2025-02-03",
        },
    )
    procedure = Procedure.objects.get()
    assert response.status_code == 302 and response["Location"] == procedure.get_absolute_url()
    assert (procedure.status, procedure.responsible) == (Status.IN_PROGRESS, world["member"])
    response = client.post(
        reverse("procedures:change_status", args=[procedure.pk]),
        {"status": "published", "happened_on": "2025-04-01", "note": ""},
    )
    assert response.status_code == 302
    procedure.refresh_from_db()
    assert procedure.status == Status.PUBLISHED
    assert list(procedure.events.values_list("status", flat=True)) == [Status.IN_PROGRESS, Status.PUBLISHED]
    response = client.get(procedure.get_absolute_url())
    assert [e.status for e in response.context["events"]] == [Status.IN_PROGRESS, Status.PUBLISHED]


def test_status_form_defaults_to_today_and_refuses_the_future(world: World, login_as: LoginAs) -> None:
    procedure = make_procedure(world.network, (Status.PROPOSED, d(1)))
    client = login_as("leader")
    url = reverse("procedures:change_status", args=[procedure.pk])
    form = client.get(url).context["form"]
    assert form["happened_on"].value() == timezone.localdate()
    assert [value for value, _ in form.fields["status"].choices] == [Status.IN_PROGRESS, Status.WITHDRAWN]
    response = client.post(url, {"status": "in_progress", "happened_on": "2999-01-01"})
    assert response.status_code == 200 and response.context["form"].errors["happened_on"]
    response = client.post(url, {"status": "published", "happened_on": "2025-02-01"})
    assert response.status_code == 200 and response.context["form"].errors["status"]
    procedure.refresh_from_db()
    assert procedure.status == Status.PROPOSED and procedure.events.count() == 1


def test_edit_with_a_stale_version_shows_the_conflict(world: World, login_as: LoginAs) -> None:
    procedure = make_procedure(world.network, title="Original")
    client = login_as("leader")
    data = {
        "kind": "procedure",
        "title": "Mitt forslag",
        "url": "",
        "review_date": "",
        "description": "",
        "lock_version": 1,
    }
    Procedure.objects.filter(pk=procedure.pk).update(title="Noen andres", lock_version=2)
    response = client.post(reverse("procedures:update", args=[procedure.pk]), data)
    assert response.status_code == 200 and response.context["conflict"].title == "Noen andres"
    procedure.refresh_from_db()
    assert procedure.title == "Noen andres"
    response = client.post(reverse("procedures:update", args=[procedure.pk]), {**data, "lock_version": 2})
    assert response.status_code == 302
    procedure.refresh_from_db()
    assert procedure.title == "Mitt forslag"


def test_register_page_and_overview_show_the_years_counts(world: World, login_as: LoginAs) -> None:
    known_fixtures(world)
    client = login_as("coordinator")
    response = client.get(reverse("procedures:network_register", args=[world.network.pk]) + "?year=2025")
    counts = response.context["counts"]
    assert (counts.started, counts.revised, counts.completed) == (3, 2, 1)
    assert len(response.context["procedures"]) == 8
    html = response.content.decode()
    for figure in ("3", "2", "1"):  # started, revised, completed, in that order
        assert f"<dd>{figure}</dd>" in html
    assert html.index("<dd>3</dd>") < html.index("<dd>2</dd>") < html.index("<dd>1</dd>")
    response = client.get(
        reverse("procedures:network_register", args=[world.network.pk]) + "?year=2025&kind=pathway&status="
    )
    assert [p.kind for p in response.context["procedures"]] == [Procedure.Kind.PATHWAY]

    response = client.get(reverse("procedures:overview") + "?year=2025")
    counts = response.context["counts"]
    assert (counts.started, counts.revised, counts.completed, counts.worked_on) == (4, 2, 1, 6)
    row = next(r for r in counts.rows if r.network == world.network)
    assert (row.started, row.revised, row.completed, row.change) == (3, 2, 1, 2)


def test_overview_of_another_region_is_404(world: World, login_as: LoginAs) -> None:
    response = login_as("coordinator").get(reverse("procedures:overview") + f"?region={world.region_b.pk}")
    assert response.status_code == 404


class TestQueryCounts:
    def count(self, client: Client, url: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    def grow(self, world: World) -> None:
        for i in range(30):
            make_procedure(
                world.network,
                (Status.PROPOSED, d(1)),
                (Status.IN_PROGRESS, d(2)),
                responsible=make_user(),
                title=f"Prosedyre {i}",
            )
        for _ in range(10):
            network = make_network(world.region_a)
            appoint(network, make_user(), AppointmentRole.LEADER)
            make_procedure(network, (Status.PROPOSED, d(1)), (Status.IN_PROGRESS, d(2)))

    @pytest.mark.parametrize("page", ["register", "detail", "overview"])
    def test_flat_as_data_grows(self, world: World, login_as: LoginAs, page: str) -> None:
        procedure = make_procedure(world.network, (Status.PROPOSED, d(1)), responsible=world["member"])
        url = {
            "register": reverse("procedures:network_register", args=[world.network.pk]) + "?year=2025",
            "detail": reverse("procedures:detail", args=[procedure.pk]),
            "overview": reverse("procedures:overview") + "?year=2025",
        }[page]
        client = login_as("coordinator")
        client.get(url)  # session warm-up
        small = self.count(client, url)
        self.grow(world)
        for status, day in ((Status.IN_PROGRESS, d(2)), (Status.PUBLISHED, d(3))):
            procedure.events.create(status=status, happened_on=day)
        assert self.count(client, url) == small
