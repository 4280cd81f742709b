"""Topics on cases, agenda items and annual reports, and how many networks worked on each topic by year.

The topic list itself is tested in topics/tests/test_topics.py."""

import datetime
import io
from collections.abc import Callable, Iterator

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.urls import reverse
from django.utils import translation
from docx import Document

from fagnett.cases.models import Case
from fagnett.cases.tests.factories import make_case
from fagnett.core.calendar import OSLO
from fagnett.meetings.models import AgendaItem, Meeting
from fagnett.meetings.tests.factories import add_items, make_meeting
from fagnett.reports import document, exports, statistics
from fagnett.reports.models import NetworkReport, RegionalReport
from fagnett.topics import services
from fagnett.topics.models import Topic
from tests.factories import World, make_network, make_world

pytestmark = pytest.mark.django_db


def _topic(world: World, name: str, **kwargs: object) -> Topic:
    return services.topic_create(user=world["coordinator"], region=world.region_a, data={"name": name, **kwargs})


def test_topics_on_an_object_must_be_the_regions_and_in_use(world: World) -> None:
    mine, retired = _topic(world, "Digitalisering"), _topic(world, "Gammelt tema")
    services.topic_update(user=world["coordinator"], topic=retired, data={"active": False}, lock_version=1)
    retired.refresh_from_db()
    other = Topic.objects.create(region=world.region_b, name="Nord")
    case = make_case(world)
    with pytest.raises(ValidationError):
        services.set_topics(relation=case.topics, region_id=world.region_a.pk, topics=[other])
    with pytest.raises(ValidationError):
        services.set_topics(relation=case.topics, region_id=world.region_a.pk, topics=[retired])
    services.set_topics(relation=case.topics, region_id=world.region_a.pk, topics=[mine])
    assert list(case.topics.all()) == [mine]
    # A retired topic already on something stays when the rest is edited.
    Case.topics.through.objects.create(topic=retired, case=case)
    services.set_topics(relation=case.topics, region_id=world.region_a.pk, topics=[mine, retired])
    assert set(case.topics.all()) == {mine, retired}


def _held(network: object, year: int, month: int) -> Meeting:
    start = datetime.datetime(year, month, 10, 12, tzinfo=OSLO)
    return make_meeting(network, starts_at=start, ends_at=start + datetime.timedelta(hours=2), status="held")  # type: ignore[arg-type]


def test_topic_shift_counts_networks_once_per_topic_and_year_from_cases_agendas_and_reports(world: World) -> None:
    """Known numbers in: Helseplattformen 3 networks in 2024 and 1 in 2025; Kloke valg 1 → 3."""
    platform, wise = _topic(world, "Helseplattformen"), _topic(world, "Kloke valg")
    _topic(world, "Ubrukt")  # never used: not a row
    third = make_network(world.region_a, name="Geriatri")
    n1, n2 = world.network, world.other_network
    # 2024: platform on an agenda item of n1 (twice: counts once), a case of n2, the annual report of third.
    for meeting in (_held(n1, 2024, 3), _held(n1, 2024, 9)):
        (item,) = add_items(meeting, "Helseplattformen: status")
        item.topics.add(platform)
    in_2024 = datetime.datetime(2024, 5, 1, 12, tzinfo=OSLO)
    make_case(world, network=n2, year=2024, submitted_at=in_2024).topics.add(platform)
    report = NetworkReport.objects.create(network=third, year=2024, status=NetworkReport.Status.ACCEPTED)
    report.topics.add(platform)
    # A draft report and a planned meeting do not count.
    NetworkReport.objects.create(network=n1, year=2025, status=NetworkReport.Status.DRAFT).topics.add(wise)
    (planned,) = add_items(make_meeting(n2, days=30), "Kloke valg")
    planned.topics.add(wise)
    # 2025: platform only at n1; wise at n1, n2 and third.
    (item,) = add_items(_held(n1, 2025, 4), "Helseplattformen og kloke valg")
    item.topics.add(platform, wise)
    for network in (n2, third):
        (item,) = add_items(_held(network, 2025, 6), "Kloke valg")
        item.topics.add(wise)
    NetworkReport.objects.create(network=world.network_b, year=2025, status="accepted").topics.add(
        Topic.objects.create(region=world.region_b, name="Nord")
    )

    shift = statistics.topic_shift(region_id=world.region_a.pk, year=2025)
    assert shift["years"] == [2024, 2025]
    assert shift["rows"] == [
        {"topic": "Kloke valg", "last_year": 0, "this_year": 3, "change": 3},
        {"topic": "Helseplattformen", "last_year": 3, "this_year": 1, "change": -2},
    ]


def test_the_secretary_puts_topics_on_an_agenda_item(world: World, login_as: Callable[[str], Client]) -> None:
    topic = _topic(world, "Samhandling")
    other_region = Topic.objects.create(region=world.region_b, name="Nord")
    meeting = make_meeting(world.network)
    client = login_as("secretary")
    url = reverse("meetings:agenda_item_add", args=[meeting.pk])
    page = client.get(url).content.decode()
    assert "Samhandling" in page and "Nord" not in page
    response = client.post(url, {"item_type": "discussion", "title": "Fastlegebrev", "topics": [topic.pk]})
    assert response.status_code == 302
    item = AgendaItem.objects.get(meeting=meeting, title="Fastlegebrev")
    assert list(item.topics.all()) == [topic]
    response = client.post(url, {"item_type": "discussion", "title": "Nord", "topics": [other_region.pk]})
    assert response.status_code == 200 and not AgendaItem.objects.filter(title="Nord").exists()
    assert "Samhandling" in client.get(meeting.get_absolute_url()).content.decode()


def test_the_regional_report_shows_the_shift_as_figure_3_with_its_numbers(world: World) -> None:
    platform, wise = _topic(world, "Helseplattformen"), _topic(world, "Kloke valg")
    for network, year, topics in (
        (world.network, 2024, [platform]),
        (world.other_network, 2024, [platform]),
        (world.network, 2025, [platform, wise]),
        (world.other_network, 2025, [wise]),
    ):
        NetworkReport.objects.create(network=network, year=year, status="accepted").topics.add(*topics)
    stats = statistics.region_statistics(region=world.region_a, year=2025)
    assert stats["topics"]["rows"] == [
        {"topic": "Kloke valg", "last_year": 0, "this_year": 2, "change": 2},
        {"topic": "Helseplattformen", "last_year": 2, "this_year": 1, "change": -1},
    ]
    report = RegionalReport(region=world.region_a, year=2025)
    with translation.override("en"):
        built = document.build(report, stats)
        blocks = [b for s in built.sections for part in [s, *s.subsections] for b in part.blocks]
        (figure,) = [b for b in blocks if b.kind == "figure" and b.number == 3]
        assert "Kloke valg: 0 → 2; Helseplattformen: 2 → 1" in figure.alt
        assert figure.table is not None and figure.table.rows[0] == ["Kloke valg", "0", "2", "+2"]
        text = " ".join(b.text for b in blocks if b.kind == "paragraph")
        assert "Kloke valg rose the most: from 0 networks in 2024 to 2 in 2025." in text
        assert "Helseplattformen fell the most: from 2 networks in 2024 to 1 in 2025." in text
        docx = Document(io.BytesIO(exports.report_docx(built)))
    descriptions = [shape._inline.docPr.get("descr") for shape in docx.inline_shapes]
    assert len(descriptions) == 3 and "Kloke valg: 0 → 2" in descriptions[2]
    _name, _header, rows = exports.figure_tables(stats)[2]
    assert rows == [["Kloke valg", 0, 2, 2], ["Helseplattformen", 2, 1, -1]]


def test_the_networks_leader_puts_topics_on_a_case(world: World, login_as: Callable[[str], Client]) -> None:
    topic = _topic(world, "Beredskap")
    other_region = Topic.objects.create(region=world.region_b, name="Nord")
    case = make_case(world)
    url = reverse("cases:topics", args=[case.pk])
    assert login_as("member").post(url, {"topics": [topic.pk]}).status_code == 403
    assert not case.topics.exists()
    client = login_as("leader")
    assert client.post(url, {"topics": [other_region.pk]}).status_code == 302
    assert not case.topics.exists()
    client.post(url, {"topics": [topic.pk]})
    assert list(case.topics.all()) == [topic]
    assert "Beredskap" in client.get(case.get_absolute_url()).content.decode()
    client.post(url, {})
    assert not case.topics.exists()


@pytest.fixture
def before_the_move(transactional_db: None) -> Iterator[MigrationExecutor]:
    """An executor to take the database back to when Topic declared the relations (topics 0001, with
    ``executor.migrate``); migrated to the end afterwards. The test makes its people and cases first, with today's
    models: the tables of that time lack columns added since (a case's reference, a region's settings)."""
    executor = MigrationExecutor(connection)
    try:
        yield executor
    finally:
        call_command("migrate", verbosity=0)


@pytest.mark.migrations
def test_topics_put_on_before_the_relations_moved_are_still_there(before_the_move: MigrationExecutor) -> None:
    """The relations moved onto the tagged models in Django's state only: the rows stay in the same tables."""
    world = make_world()
    case = make_case(world)
    meeting = make_meeting(world.network)
    report = NetworkReport.objects.create(network=world.network, year=2025, status="accepted")
    before_the_move.migrate([("topics", "0001_initial")])
    before_the_move.loader.build_graph()
    old_state = before_the_move.loader.project_state([("topics", "0001_initial")])
    old_topic = old_state.apps.get_model("topics", "Topic")
    # The agenda item as its table was then (the columns meetings added later are not there yet).
    old_item = old_state.apps.get_model("meetings", "AgendaItem").objects.create(
        meeting_id=meeting.pk, order=1, title="Beredskapsplan", kind="discussion"
    )
    topic = old_topic.objects.create(region_id=world.region_a.pk, name="Beredskap")
    topic.cases.add(case.pk)
    topic.agenda_items.add(old_item.pk)
    topic.network_reports.add(report.pk)

    before_the_move.migrate(before_the_move.loader.graph.leaf_nodes())
    item = AgendaItem.objects.get(pk=old_item.pk)

    moved = Topic.objects.get(pk=topic.pk)
    assert [t.pk for t in Case.objects.get(pk=case.pk).topics.all()] == [topic.pk]
    assert [t.pk for t in AgendaItem.objects.get(pk=item.pk).topics.all()] == [topic.pk]
    assert [t.pk for t in NetworkReport.objects.get(pk=report.pk).topics.all()] == [topic.pk]
    assert (list(moved.cases.all()), list(moved.agenda_items.all()), list(moved.network_reports.all())) == (
        [case],
        [item],
        [report],
    )
