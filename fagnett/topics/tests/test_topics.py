"""The region's topic list: the coordinator keeps it, names are unique, a stale edit is a conflict.

Topics put on cases, agenda items and annual reports, and the count by year, are tested in
reports/tests/test_topics.py (they need the apps above topics)."""

from collections.abc import Callable

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from fagnett.core.exceptions import ConflictError
from fagnett.topics import services
from fagnett.topics.models import Topic
from tests.factories import World

pytestmark = pytest.mark.django_db


def _topic(world: World, name: str, **kwargs: object) -> Topic:
    return services.topic_create(user=world["coordinator"], region=world.region_a, data={"name": name, **kwargs})


def test_the_coordinator_keeps_the_list_and_names_are_unique(world: World) -> None:
    topic = _topic(world, "Helseplattformen")
    assert topic.order == 1 and _topic(world, "Beredskap").order == 2
    with pytest.raises(ValidationError) as error:
        _topic(world, " helseplattformen ")
    assert "name" in error.value.message_dict
    for person in ("director", "leader", "coordinator_b"):
        with pytest.raises(PermissionDenied):
            services.topic_create(user=world[person], region=world.region_a, data={"name": "Kloke valg"})
    with pytest.raises(ValidationError):
        _topic(world, "Pasient 15108695088")  # free text refuses national identity numbers


def test_a_stale_edit_is_a_conflict(world: World) -> None:
    topic = _topic(world, "Bemanning")
    services.topic_update(user=world["coordinator"], topic=topic, data={"name": "Personell"}, lock_version=1)
    with pytest.raises(ConflictError):
        services.topic_update(user=world["coordinator"], topic=topic, data={"name": "Kompetanse"}, lock_version=1)
    topic.refresh_from_db()
    assert topic.name == "Personell"


def test_the_topic_page_is_the_coordinators(world: World, login_as: Callable[[str], Client]) -> None:
    url = reverse("topics:list", args=[world.region_a.pk])
    assert login_as("director").get(url).status_code == 403
    assert login_as("leader").get(url).status_code == 403
    assert login_as("coordinator_b").get(url).status_code == 404
    client = login_as("coordinator")
    response = client.post(url, {"name": "Beredskap", "description": "Forsyning og kriser"})
    assert response.status_code == 302
    topic = Topic.objects.get(region=world.region_a)
    assert topic.name == "Beredskap"
    page = client.get(url)
    assert "Beredskap" in page.content.decode()
    response = client.post(url, {"name": "beredskap"})
    assert response.status_code == 200 and Topic.objects.count() == 1
    edit = reverse("topics:update", args=[world.region_a.pk, topic.pk])
    assert client.post(edit, {"name": "Beredskap og forsyning", "lock_version": 1}).status_code == 302
    assert login_as("coordinator_b").get(edit).status_code == 404
