import datetime
from decimal import Decimal

import pytest
from django.db.models import Model
from django.http import Http404

from fagnett.networks import selectors
from fagnett.networks.models import Appointment, AppointmentRole, Network, TaskListItem
from tests.factories import World, appoint, make_mandate, make_network, make_user

pytestmark = pytest.mark.django_db


def names(networks: object) -> set[str]:
    return {n.name for n in networks}  # type: ignore[attr-defined]


def test_people_see_the_networks_of_their_own_region_only(world: World) -> None:
    assert names(selectors.network_list(user=world["employee"])) == {"Anestesi og intensiv", "Øye"}
    assert names(selectors.network_list(user=world["fagsjef_b"])) == {"Intensiv Nord"}
    with pytest.raises(Http404):
        selectors.network_get(user=world["fagsjef_b"], network_id=world.network.pk)


def test_filters_combine(world: World) -> None:
    world.other_network.status = Network.Status.PAUSED
    world.other_network.save()
    user = world["coordinator"]
    assert names(selectors.network_list(user=user, filters=selectors.NetworkFilters(status="paused"))) == {"Øye"}
    assert names(selectors.network_list(user=user, filters=selectors.NetworkFilters(q="anest"))) == {
        "Anestesi og intensiv"
    }
    assert names(selectors.network_list(user=user, filters=selectors.NetworkFilters(field="øyesykdom"))) == {"Øye"}
    assert not selectors.network_list(user=user, filters=selectors.NetworkFilters(region=world.region_b.pk)).exists()


def test_member_count_counts_appointed_people_only(world: World) -> None:
    network = selectors.network_list(user=world["coordinator"]).get(pk=world.network.pk)
    assert network.member_count == 4  # type: ignore[attr-defined]


def test_representation_matrix_marks_the_trust_without_a_member(world: World) -> None:
    matrix = selectors.representation_matrix(network=world.network)
    assert [row.label for row in matrix.gaps] == ["Trust A3 HF"]
    rows = {row.label: row for row in matrix.rows}
    roles = [value for value, _ in matrix.roles]
    assert [p.person.username for p in rows["Trust A1 HF"].cells[roles.index("leader")]] == ["leader"]
    assert [p.person.username for p in rows["Region A RHF"].cells[roles.index("rhf_representative")]] == ["rhf_rep"]
    assert not rows["Region A RHF"].is_gap  # the RHF's own row is never a gap


def test_a_nominated_person_does_not_fill_the_gap(world: World) -> None:
    appoint(world.network, world["candidate"], AppointmentRole.MEMBER, status=Appointment.Status.NOMINATED)
    matrix = selectors.representation_matrix(network=world.network)
    gap = matrix.gaps[0]
    assert gap.label == "Trust A3 HF"
    assert [a.person for a in gap.nominated] == [world["candidate"]]


def test_expiring_mandates_for_the_coordinator(world: World) -> None:
    make_mandate(world.other_network, period_start=datetime.date(2024, 1, 1))  # ends 2026-12-31
    today = datetime.date(2026, 11, 1)
    expiring = selectors.expiring_mandates(user=world["coordinator"], today=today, months=6)
    assert [m.network.name for m in expiring] == ["Øye"]
    assert selectors.expiring_mandates(user=world["member"], today=today, months=6) == []


def test_nominations_the_fagsjef_sees_are_their_own(world: World) -> None:
    appoint(world.network, world["candidate"], status=Appointment.Status.NOMINATED, nominated_by=world["fagsjef"])
    appoint(world.other_network, world["employee"], status=Appointment.Status.NOMINATED)
    assert [a.person for a in selectors.nomination_list(user=world["fagsjef"])] == [world["candidate"]]
    coordinator_sees = {a.person.username for a in selectors.nomination_list(user=world["coordinator"])}
    assert {"candidate", "employee"} <= coordinator_sees
    assert not selectors.nomination_list(user=world["coordinator_b"]).exists()


def test_the_participants_are_the_active_people_appointed_in_the_network(world: World) -> None:
    appoint(world.network, world["candidate"], AppointmentRole.MEMBER, status=Appointment.Status.NOMINATED)
    world["member"].is_active = False
    world["member"].save()
    assert [p.username for p in selectors.network_participants(network=world.network)] == [
        "leader",
        "rhf_rep",
        "secretary",
    ]


def test_filter_choices_are_the_persons_regions_and_their_networks_fields(world: World) -> None:
    make_network(world.region_a, name="Ny", field="Anestesi")  # a field two networks share is offered once
    make_network(world.region_a, name="Først", field="Akuttmedisin")
    choices = selectors.network_filter_choices(user=world["coordinator"])
    assert choices.regions == [(world.region_a.pk, "Region A RHF")]
    assert choices.fields == ["Akuttmedisin", "Anestesi", "Øyesykdommer"]
    everything = selectors.network_filter_choices(user=make_user("root", is_superuser=True))
    assert everything.regions == [(world.region_a.pk, "Region A RHF"), (world.region_b.pk, "Region B RHF")]
    assert everything.fields == ["Akuttmedisin", "Anestesi", "Intensivmedisin", "Øyesykdommer"]
    assert selectors.network_filter_choices(user=make_user("outsider")) == selectors.NetworkFilterChoices([], [])


def test_the_network_pages_people_are_representation_matrix_and_appointment_list_as_values(world: World) -> None:
    """network_people (hand-written SQL) against the model reads it replaced: the same people in the same order."""
    a1, a2, a3 = world.trusts_a
    appoint(world.network, make_user("zed", trust=a1, first_name="", last_name=""), AppointmentRole.DEPUTY)
    appoint(world.network, make_user("ola", trust=a2), AppointmentRole.LEADER, end_date=datetime.date(2027, 6, 30))
    appoint(world.network, make_user("gone", trust=a3), status=Appointment.Status.ENDED)
    appoint(world.network, make_user("zara", trust=a1))  # before A2's "Member": trusts by name, then first names
    appoint(world.network, world["candidate"], nominated_by=world["fagsjef"], status=Appointment.Status.NOMINATED)
    appoint(world.network, make_user("rhf2"), AppointmentRole.RHF_REPRESENTATIVE, status=Appointment.Status.NOMINATED)
    network = selectors.network_get(user=world["coordinator"], network_id=world.network.pk)
    people = selectors.network_people(network=network)
    members = selectors.appointment_list(network=network)
    assert [m["pk"] for m in people.members] == [a.pk for a in members]
    assert [(m["name"], m["title"], m["role"], m["represents"], m["period"]) for m in people.members] == [
        (
            str(a.person),
            a.person.title,
            a.get_role_display(),
            str(a.trust or network.region),
            f"{a.start_date:%d.%m.%Y}" + (f" – {a.end_date:%d.%m.%Y}" if a.end_date else ""),
        )
        for a in members
    ]
    assert "zed" in [m["name"] for m in people.members] and "01.01.2025 – 30.06.2027" in [
        m["period"] for m in people.members
    ]
    matrix = selectors.representation_matrix(network=network)
    assert [(r.label, r.is_gap, r.appointed_count) for r in people.matrix.rows] == [
        (r.label, r.is_gap, r.appointed_count) for r in matrix.rows
    ]
    assert [[[str(a.person) for a in cell] for cell in r.cells] for r in matrix.rows] == [
        r.cells for r in people.matrix.rows
    ]
    assert [(n["name"], n["represents"], n["nominated_by"]) for n in people.nominations] == [
        ("Kari Kandidat", "Trust A3 HF", "Fagsjef Testesen"),
        ("Rhf2 Testesen", "Region A RHF", None),
    ]
    assert [n["pk"] for n in people.nominations] == [a.pk for r in matrix.rows for a in r.nominated]


def fields(instance: Model | None) -> dict[str, object] | None:
    """Every concrete field's value of ``instance`` (None for none)."""
    if instance is None:
        return None
    return {f.attname: getattr(instance, f.attname) for f in type(instance)._meta.concrete_fields}


def test_network_get_reads_what_the_orm_read_with_its_relations(world: World, django_assert_num_queries) -> None:
    """network_get (hand-written SQL) against the ORM query it replaced: every field of the network, its region, its
    parent and the network it merged into, each kept (nothing more is asked), on a network, a sub-group and a
    merged network; 404 for an id that is not there or does not fit the column."""
    council = make_network(
        world.region_a, name="Fagråd <A>", kind=Network.Kind.COUNCIL, parent=world.network, code="FAG"
    )
    merged = make_network(
        world.region_a,
        name="Gammel",
        status=Network.Status.MERGED,
        merged_into=world.other_network,
        established_on=datetime.date(2019, 3, 1),
        description="Linje 1\nLinje 2",
        minutes_visible_to_region=True,
    )
    for network in (world.network, council, merged, world.network_b):
        orm = Network.objects.select_related("region", "parent", "merged_into").get(pk=network.pk)
        with django_assert_num_queries(1):
            read = selectors.network_get(
                user=world["coordinator_b" if network == world.network_b else "coordinator"], network_id=network.pk
            )
            related = (read.region, read.parent, read.merged_into)
        assert fields(read) == fields(orm)
        assert [fields(r) for r in related] == [fields(orm.region), fields(orm.parent), fields(orm.merged_into)]
        assert read._state.db == orm._state.db and read._state.adding is False
    assert isinstance(fields(merged)["established_on"], datetime.date)
    assert selectors.network_get(user=world["coordinator"], network_id=merged.pk).minutes_visible_to_region is True
    for missing in (0, 10**6, 2**63, -(2**63) - 1):
        with pytest.raises(Http404):
            selectors.network_get(user=world["coordinator"], network_id=missing)


def test_the_current_mandate_body_is_the_newest_mandate_as_the_orm_read_it(world: World) -> None:
    """mandate_current_body (hand-written SQL) against MandateBody.of the ORM's mandate_current: the newest version,
    its trusts by name, its tasks in the task list's order (order, then code), a budget, none."""
    network = world.network
    assert selectors.mandate_current_body(network_id=network.pk) == selectors.MandateBody.of(
        selectors.mandate_current(network=network)  # type: ignore[arg-type]
    )
    a1, a2, _ = world.trusts_a
    late = TaskListItem.objects.create(region=world.region_a, code="A0", title="Sist i lista", order=9)
    tied = TaskListItem.objects.create(region=world.region_a, code="T0", title="Lik orden, kode først", order=1)
    newest = make_mandate(
        network,
        secretariat_trust=a2,
        archive_trust=a1,
        budget_amount=Decimal("125000"),
        budget_note="Reiser <og> møter",
        approved_by="Fagdirektørmøtet",
        approved_on=datetime.date(2025, 2, 3),
        meeting_form="hybrid",
        specific_tasks="Utrede X\nog Y",
    )
    newest.tasks.set([late, *world.tasks, tied])
    body = selectors.mandate_current_body(network_id=network.pk)
    assert body == selectors.MandateBody.of(selectors.mandate_current(network=network))  # type: ignore[arg-type]
    assert body is not None and body.version == newest.version
    assert body.tasks == ["Lik orden, kode først", "Task 1", "Task 2", "Task 3", "Sist i lista"]
    assert (body.secretariat, body.archive, body.budget_amount) == (a2.name, a1.name, Decimal("125000"))
    assert body.meeting_form == "Hybrid"
    bare = make_mandate(world.other_network)
    assert selectors.mandate_current_body(network_id=world.other_network.pk) == selectors.MandateBody.of(bare)
    assert (bare.secretariat_trust, selectors.MandateBody.of(bare).tasks) == (None, [])
    assert selectors.mandate_current_body(network_id=make_network(world.region_a).pk) is None


def test_a_mandate_body_expires_as_its_mandate(world: World) -> None:
    mandate = world.network.mandates.get()
    body = selectors.MandateBody.of(mandate)
    for today in (
        mandate.period_end - datetime.timedelta(days=200),
        mandate.period_end,
        mandate.period_end + datetime.timedelta(days=1),
    ):
        assert body.expires_within(today, 6) == mandate.expires_within(today, 6)
        assert body.has_expired(today) == mandate.has_expired(today)


def test_the_subgroups_are_the_orms_by_name(world: World) -> None:
    for name, kind in (("Ørsta-gruppa", Network.Kind.WORKING_GROUP), ("Akutt-rådet", Network.Kind.COUNCIL)):
        make_network(world.region_a, name=name, kind=kind, parent=world.network, status=Network.Status.PAUSED)
    make_network(world.region_a, name="Bfagråd", kind=Network.Kind.COUNCIL, parent=world.other_network)
    assert selectors.network_subgroups(network_id=world.network.pk) == list(
        world.network.subgroups.order_by("name").values_list("pk", "name", "kind", "status")
    )
    assert [g.name for g in selectors.network_subgroups(network_id=world.network.pk)] == ["Akutt-rådet", "Ørsta-gruppa"]
    assert selectors.network_subgroups(network_id=world.network_b.pk) == []
