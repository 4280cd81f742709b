"""The network's follow-up register (issue 20, item 3): every action item of a network for its people, filtered by
owner, meeting and status, paged and counted; closing an item with what was done, opening it again; the follow-up
item of the next agenda; the register as CSV and Excel."""

import csv
import datetime
import io
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from fagnett.core.exceptions import ConflictError
from fagnett.meetings import services
from fagnett.meetings.models import ActionItem, AgendaItem
from fagnett.meetings.selectors import case_reader, open_action_items
from fagnett.meetings.tests.factories import make_meeting
from tests.factories import World

pytestmark = pytest.mark.django_db

LoginAs = Callable[[str], Client]
TODAY = timezone.localdate()


def make_item(world: World, title: str, *, owner: str = "member", days: int = 14, **kwargs: Any) -> ActionItem:
    """An open action item of the world's network, due ``days`` from today (negative: overdue)."""
    return ActionItem.objects.create(
        network=world.network,
        title=title,
        owner=world[owner],
        due_date=TODAY + datetime.timedelta(days=days),
        created_by=world["secretary"],
        **kwargs,
    )


def make_case(world: World, *, title: str, network: Any = None) -> Any:
    """A case of ``network`` (the world's by default), made through the relation's model: meetings sits below cases
    and may not import them (the layers' contract)."""
    case_model: Any = ActionItem._meta.get_field("case").related_model
    network = network or world.network
    number = case_model._default_manager.filter(network=network, year=TODAY.year).count() + 1
    return case_model._default_manager.create(
        region=network.region,
        network=network,
        year=TODAY.year,
        number=number,
        title=title,
        description="Ulik praksis mellom sykehusene.",
        wanted="En regional anbefaling.",
        submitted_by=world["employee"],
        submitted_at=timezone.now(),
    )


def register_url(world: World, query: str = "") -> str:
    url = reverse("meetings:followup", args=[world.network.pk])
    return f"{url}?{query}" if query else url


# --- Closing and opening again (services) ---------------------------------------------------------------------------


class TestClose:
    def test_closing_records_what_was_done_by_whom_in_the_item_and_its_history(self, world: World) -> None:
        item = make_item(world, "Lage prosedyre")
        closed = services.action_item_close(
            user=world["member"], item=item, note="  Prosedyren er sendt på høring.  ", expected_version=1
        )
        saved = ActionItem.objects.get(pk=item.pk)
        assert (saved.status, saved.done_note, saved.done_by, saved.lock_version) == (
            ActionItem.Status.DONE,
            "Prosedyren er sendt på høring.",
            world["member"],
            2,
        )
        assert saved.done_at is not None and closed.done_at == saved.done_at
        latest = saved.history.latest()
        assert (latest.done_note, latest.history_change_reason) == ("Prosedyren er sendt på høring.", "Closed")

    def test_the_note_shows_in_the_items_history(self, world: World, login_as: LoginAs) -> None:
        item = make_item(world, "Lage prosedyre")
        services.action_item_close(user=world["member"], item=item, note="Sendt på høring 3. mars", expected_version=1)
        page = login_as("leader").get(reverse("audit:history", args=["action-item", item.pk])).content.decode()
        assert "Hva ble gjort" in page and "Sendt på høring 3. mars" in page

    @pytest.mark.parametrize("note", ["", "   \n  "])
    def test_an_empty_note_is_refused_with_a_message_and_nothing_is_saved(self, world: World, note: str) -> None:
        item = make_item(world, "Lage prosedyre")
        history = item.history.count()
        with pytest.raises(ValidationError) as error:
            services.action_item_close(user=world["leader"], item=item, note=note, expected_version=1)
        assert error.value.message_dict == {
            "done_note": ["Skriv hva som ble gjort. Oppfølgingspunktet lukkes ikke uten."]
        }
        saved = ActionItem.objects.get(pk=item.pk)
        assert (saved.status, saved.done_note, saved.done_at, saved.lock_version) == ("open", "", None, 1)
        assert saved.history.count() == history

    def test_an_item_saved_without_a_creator_closes_too(self, world: World) -> None:
        """Rows made before every item had a creator (imports, older versions) are closed like any other."""
        item = ActionItem.objects.create(network=world.network, title="Ring", owner=world["member"], due_date=TODAY)
        services.action_item_close(user=world["member"], item=item, note="Ringt", expected_version=1)
        assert ActionItem.objects.get(pk=item.pk).done_note == "Ringt"

    def test_a_note_with_an_identity_number_is_refused(self, world: World) -> None:
        item = make_item(world, "Lage prosedyre")
        with pytest.raises(ValidationError) as error:
            services.action_item_close(
                user=world["leader"], item=item, note="Ringte pasient 15108695088", expected_version=1
            )
        assert "done_note" in error.value.message_dict
        assert ActionItem.objects.get(pk=item.pk).status == ActionItem.Status.OPEN

    @pytest.mark.parametrize("role", ["member", "leader", "secretary", "coordinator"])
    def test_the_owner_leader_secretary_and_coordinator_close(self, world: World, role: str) -> None:
        item = make_item(world, "Lage prosedyre", owner="member")
        services.action_item_close(user=world[role], item=item, note="Gjort", expected_version=1)
        assert ActionItem.objects.get(pk=item.pk).done_by == world[role]

    @pytest.mark.parametrize("role", ["rhf_rep", "other_member", "director", "employee", "coordinator_b"])
    def test_nobody_else_closes(self, world: World, role: str) -> None:
        item = make_item(world, "Lage prosedyre", owner="member")
        with pytest.raises(PermissionDenied):
            services.action_item_close(user=world[role], item=item, note="Gjort", expected_version=1)
        assert ActionItem.objects.get(pk=item.pk).status == ActionItem.Status.OPEN

    def test_two_closing_at_once_the_second_is_told_and_the_first_note_is_kept(self, world: World) -> None:
        item = make_item(world, "Lage prosedyre")
        services.action_item_close(user=world["member"], item=item, note="Eierens notat", expected_version=1)
        with pytest.raises(ConflictError) as error:
            services.action_item_close(user=world["leader"], item=item, note="Lederens notat", expected_version=1)
        assert error.value.current.done_note == "Eierens notat"
        assert ActionItem.objects.get(pk=item.pk).done_note == "Eierens notat"

    def test_a_reassignment_meanwhile_is_a_conflict(self, world: World) -> None:
        item = make_item(world, "Lage prosedyre", owner="member")
        services.action_item_reassign(
            user=world["secretary"], item=item, owner=world["rhf_rep"], expected_owner_id=world["member"].pk
        )
        assert ActionItem.objects.get(pk=item.pk).lock_version == 2
        with pytest.raises(ConflictError):
            services.action_item_close(user=world["leader"], item=item, note="Gjort", expected_version=1)
        assert ActionItem.objects.get(pk=item.pk).status == ActionItem.Status.OPEN

    def test_reopening_is_for_the_leader_and_secretary_and_keeps_the_note_in_history(self, world: World) -> None:
        item = make_item(world, "Lage prosedyre", owner="member")
        services.action_item_close(user=world["member"], item=item, note="Sendt", expected_version=1)
        with pytest.raises(PermissionDenied):
            services.action_item_reopen(user=world["member"], item=item, expected_version=2)
        reopened = services.action_item_reopen(user=world["leader"], item=item, expected_version=2)
        assert (reopened.status, reopened.done_note, reopened.done_by, reopened.done_at) == ("open", "", None, None)
        assert "Sendt" in reopened.history.values_list("done_note", flat=True)
        with pytest.raises(ValidationError):  # open already
            services.action_item_reopen(user=world["secretary"], item=item, expected_version=3)


# --- The next agenda's follow-up item ----------------------------------------------------------------------------


def test_the_follow_up_item_keeps_what_it_followed_up_with_the_note(world: World, login_as: LoginAs) -> None:
    """A past meeting lists the items open when it began, those closed since with their note; a coming meeting
    lists only what is still open."""
    past = make_meeting(world.network, days=-7)
    coming = make_meeting(world.network, days=14)
    for meeting in (past, coming):
        AgendaItem.objects.create(meeting=meeting, order=1, title="Oppfølging", kind=AgendaItem.Kind.FOLLOW_UP)
    before_past = past.starts_at - datetime.timedelta(days=3)
    closed_early = make_item(world, "Lukket før møtet")
    closed_late = make_item(world, "Lukket etter møtet")
    still_open = make_item(world, "Fortsatt åpen")
    ActionItem.objects.filter(pk__in=[closed_early.pk, closed_late.pk, still_open.pk]).update(created_at=before_past)
    ActionItem.objects.filter(pk=closed_early.pk).update(
        status=ActionItem.Status.DONE, done_at=past.starts_at - datetime.timedelta(days=1), done_note="Tidlig"
    )
    services.action_item_close(user=world["member"], item=closed_late, note="Rutinen er vedtatt", expected_version=1)

    reader = case_reader(world["member"])
    assert open_action_items(network=world.network, reader=reader, before=past.starts_at) == [closed_late, still_open]
    assert open_action_items(network=world.network, reader=reader, before=coming.starts_at) == [still_open]

    page = login_as("member").get(reverse("meetings:detail", args=[past.pk])).content.decode()
    assert "Lukket etter møtet" in page and "Rutinen er vedtatt" in page and "Lukket før møtet" not in page
    assert reverse("meetings:followup", args=[world.network.pk]) in page
    coming_page = login_as("member").get(reverse("meetings:detail", args=[coming.pk])).content.decode()
    assert "Fortsatt åpen" in coming_page and "Lukket etter møtet" not in coming_page


# --- The register (views) --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("leader", 200),
        ("secretary", 200),
        ("member", 200),
        ("rhf_rep", 200),
        ("coordinator", 200),
        ("director", 200),
        ("other_member", 403),  # appointed in another network of the region
        ("employee", 403),
        ("fagsjef", 403),
        ("coordinator_b", 404),  # another region: the network is not revealed
    ],
)
def test_who_reads_the_register(world: World, login_as: LoginAs, role: str, status: int) -> None:
    make_item(world, "Lage prosedyre")
    assert login_as(role).get(register_url(world)).status_code == status
    for fmt in ("csv", "xlsx"):
        url = reverse("meetings:followup_export", args=[world.network.pk, fmt])
        assert login_as(role).get(url).status_code == status


def test_the_network_page_links_to_the_register_for_its_people_only(world: World, login_as: LoginAs) -> None:
    url = world.network.get_absolute_url()
    assert register_url(world) in login_as("member").get(url).content.decode()
    assert register_url(world) not in login_as("other_member").get(url).content.decode()


def test_a_member_sees_every_item_of_the_network_not_only_their_own(world: World, login_as: LoginAs) -> None:
    make_item(world, "Medlemmets punkt", owner="member")
    make_item(world, "Lederens punkt", owner="leader")
    done = make_item(world, "Sekretærens punkt", owner="secretary")
    services.action_item_close(user=world["secretary"], item=done, note="Utsendt 3. mars", expected_version=1)
    ActionItem.objects.create(
        network=world.other_network, title="Et annet nettverks punkt", owner=world["other_member"], due_date=TODAY
    )
    response = login_as("rhf_rep").get(register_url(world))
    titles = [item.title for item in response.context["page"].object_list]
    assert sorted(titles) == ["Lederens punkt", "Medlemmets punkt", "Sekretærens punkt"]
    page = response.content.decode()
    assert "Utsendt 3. mars" in page
    # The RHF representative owns none of them and manages nothing: no close or reopen buttons.
    assert "/close/" not in page and "/reopen/" not in page


def test_filters_by_owner_meeting_and_status_with_counts(world: World, login_as: LoginAs) -> None:
    meeting = make_meeting(world.network, days=-20)
    overdue = make_item(world, "Forfalt", owner="member", days=-2, meeting=meeting)
    make_item(world, "Åpen", owner="leader", days=5, meeting=meeting)
    done = make_item(world, "Utført", owner="member", days=-10)
    services.action_item_close(user=world["member"], item=done, note="Ferdig", expected_version=1)
    client = login_as("member")

    def titles(query: str) -> list[str]:
        return [item.title for item in client.get(register_url(world, query)).context["page"].object_list]

    # Overdue first, then open by due date, then done.
    assert titles("") == ["Forfalt", "Åpen", "Utført"]
    assert titles("status=open") == ["Forfalt", "Åpen"]
    assert titles("status=overdue") == ["Forfalt"]
    assert titles("status=done") == ["Utført"]
    assert titles(f"owner={world['member'].pk}") == ["Forfalt", "Utført"]
    assert titles(f"meeting={meeting.pk}") == ["Forfalt", "Åpen"]
    assert titles(f"owner={world['member'].pk}&meeting={meeting.pk}&status=overdue") == [overdue.title]

    response = client.get(register_url(world, f"owner={world['member'].pk}"))
    counts = response.context["counts"]
    assert (counts.total, counts.open, counts.overdue, counts.done) == (2, 1, 1, 1)
    page = response.content.decode()
    assert "2 oppfølgingspunkter vist." in page and "Åpne: 1 (over fristen: 1). Utført: 1." in page
    one = client.get(register_url(world, "status=overdue")).content.decode()
    assert "1 oppfølgingspunkt vist." in one
    # Overdue is said in words, not by colour alone.
    assert '<span class="ds-tag" data-color="danger">Over fristen</span>' in one


def test_a_filter_no_one_could_choose_is_told_and_the_whole_register_shown(world: World, login_as: LoginAs) -> None:
    make_item(world, "Lage prosedyre")
    response = login_as("member").get(register_url(world, f"owner={world['other_member'].pk}&status=later"))
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"owner", "status"}
    assert [item.title for item in response.context["page"].object_list] == ["Lage prosedyre"]


def test_the_register_is_paged(world: World, login_as: LoginAs) -> None:
    for number in range(55):
        make_item(world, f"Punkt {number:02d}", days=number)
    client = login_as("member")
    first = client.get(register_url(world))
    assert len(first.context["page"].object_list) == 50
    second = client.get(register_url(world, "status=open&page=2"))
    assert [item.title for item in second.context["page"].object_list] == [f"Punkt {n:02d}" for n in range(50, 55)]
    assert "status=open&amp;page=1" in second.content.decode()


def test_the_query_count_stays_flat_as_the_register_grows(
    world: World, login_as: LoginAs, django_assert_num_queries: Any
) -> None:
    client = login_as("leader")
    url = register_url(world)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    make_item(world, "Første")
    count()  # the session and access warm up
    few = count()
    people = ["member", "leader", "secretary", "rhf_rep"]
    for number in range(60):
        meeting = make_meeting(world.network, days=-number) if number % 6 == 0 else None
        case = make_case(world, title=f"Sak {number}") if number % 10 == 0 else None
        item = make_item(
            world, f"Punkt {number}", owner=people[number % 4], days=number - 30, meeting=meeting, case=case
        )
        if number % 3 == 0:
            services.action_item_close(user=world["leader"], item=item, note=f"Notat {number}", expected_version=1)
    with django_assert_num_queries(few):
        assert client.get(url).status_code == 200


# --- Closing through the pages ---------------------------------------------------------------------------------


class TestClosePage:
    def test_an_empty_note_is_refused_with_a_clear_message_and_nothing_saved(
        self, world: World, login_as: LoginAs
    ) -> None:
        item = make_item(world, "Lage prosedyre")
        url = reverse("meetings:action_item_close", args=[item.pk])
        response = login_as("leader").post(url, {"done_note": "  ", "lock_version": "1"})
        assert response.status_code == 200
        assert response.context["form"].errors == {
            "done_note": ["Skriv hva som ble gjort. Oppfølgingspunktet lukkes ikke uten."]
        }
        assert "Skriv hva som ble gjort." in response.content.decode()
        saved = ActionItem.objects.get(pk=item.pk)
        assert (saved.status, saved.done_note, saved.lock_version) == ("open", "", 1)

    def test_the_leader_closes_with_a_note_and_goes_back_to_the_register(self, world: World, login_as: LoginAs) -> None:
        item = make_item(world, "Lage prosedyre")
        client = login_as("leader")
        page = client.get(reverse("meetings:followup", args=[world.network.pk]))
        close_url = reverse("meetings:action_item_close", args=[item.pk])
        assert close_url in page.content.decode()
        next_url = register_url(world, "status=open")
        form = client.get(close_url, {"next": next_url})
        assert 'name="lock_version" value="1"' in form.content.decode()
        response = client.post(close_url, {"done_note": "Sendt til alle HF", "lock_version": "1", "next": next_url})
        assert response.status_code == 302 and response["Location"] == next_url
        shown = client.get(register_url(world, "status=done")).content.decode()
        assert "Sendt til alle HF" in shown
        saved = ActionItem.objects.get(pk=item.pk)
        assert (saved.status, saved.done_note, saved.done_by) == ("done", "Sendt til alle HF", world["leader"])

    def test_a_stale_form_is_told_and_keeps_the_text(self, world: World, login_as: LoginAs) -> None:
        item = make_item(world, "Lage prosedyre")
        services.action_item_close(user=world["member"], item=item, note="Eierens notat", expected_version=1)
        response = login_as("leader").post(
            reverse("meetings:action_item_close", args=[item.pk]), {"done_note": "Lederens notat", "lock_version": "1"}
        )
        page = response.content.decode()
        assert response.status_code == 200 and response.context["conflict"]
        assert "Eierens notat" in page
        assert ActionItem.objects.get(pk=item.pk).done_note == "Eierens notat"

    def test_someone_who_may_not_close_it_does_not_find_it(self, world: World, login_as: LoginAs) -> None:
        item = make_item(world, "Lage prosedyre", owner="member")
        url = reverse("meetings:action_item_close", args=[item.pk])
        for role in ("rhf_rep", "other_member", "coordinator_b"):
            assert login_as(role).get(url).status_code == 404
            assert login_as(role).post(url, {"done_note": "Gjort", "lock_version": "1"}).status_code == 404
        assert ActionItem.objects.get(pk=item.pk).status == ActionItem.Status.OPEN

    def test_my_action_items_leads_to_the_close_form(self, world: World, login_as: LoginAs) -> None:
        item = make_item(world, "Lage prosedyre", owner="member")
        page = login_as("member").get(reverse("meetings:my_action_items")).content.decode()
        assert reverse("meetings:action_item_close", args=[item.pk]) in page

    def test_the_leader_opens_an_item_again_the_owner_cannot(self, world: World, login_as: LoginAs) -> None:
        item = make_item(world, "Lage prosedyre", owner="member")
        services.action_item_close(user=world["member"], item=item, note="Gjort", expected_version=1)
        url = reverse("meetings:action_item_reopen", args=[item.pk])
        assert login_as("member").post(url, {"lock_version": "2"}).status_code == 403
        assert ActionItem.objects.get(pk=item.pk).status == ActionItem.Status.DONE
        response = login_as("leader").post(url, {"lock_version": "2"})
        assert response.status_code == 302 and response["Location"] == register_url(world)
        assert ActionItem.objects.get(pk=item.pk).status == ActionItem.Status.OPEN


# --- The register as CSV and Excel -----------------------------------------------------------------------------


def test_the_register_downloads_as_csv_and_excel_under_the_filters(world: World, login_as: LoginAs) -> None:
    make_item(world, "Åpent punkt")
    done = make_item(world, "Ferdig punkt")
    services.action_item_close(user=world["member"], item=done, note="Vedtatt i møtet", expected_version=1)
    client = login_as("member")
    url = reverse("meetings:followup_export", args=[world.network.pk, "csv"])
    response = client.get(url, {"status": "done"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][0] == "Oppfølgingspunkt" and rows[0][-1] == "Hva ble gjort"
    assert [(r[0], r[3], r[-1]) for r in rows[1:]] == [("Ferdig punkt", "Utført", "Vedtatt i møtet")]

    xlsx = client.get(reverse("meetings:followup_export", args=[world.network.pk, "xlsx"]))
    sheet = load_workbook(io.BytesIO(xlsx.content), read_only=True).active
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert [row[0] for row in values[1:]] == ["Åpent punkt", "Ferdig punkt"]
    assert values[2][-1] == "Vedtatt i møtet"
    assert isinstance(values[1][2], datetime.datetime)  # the due date is a date cell

    assert client.get(reverse("meetings:followup_export", args=[world.network.pk, "pdf"])).status_code == 404


def test_an_item_of_a_case_the_person_may_not_read_shows_only_its_number(world: World, login_as: LoginAs) -> None:
    """An item tied to a case of another network (as an import could leave it): the network's member may not read
    that case, so the register shows the case's number and nothing written on the item; the coordinator reads it."""
    case = make_case(world, title="Annen sak", network=world.other_network)
    item = make_item(world, "Safiroppgave: innhente rutiner", case=case)
    services.action_item_close(user=world["leader"], item=item, note="Safirnotat", expected_version=1)
    page = login_as("member").get(register_url(world)).content.decode()
    assert f"Oppfølgingspunkt i sak {case.reference}" in page
    assert "Safir" not in page
    rows = login_as("member").get(reverse("meetings:followup_export", args=[world.network.pk, "csv"]))
    assert "Safir" not in rows.content.decode("utf-8-sig")
    assert "Safirnotat" in login_as("coordinator").get(register_url(world)).content.decode()
