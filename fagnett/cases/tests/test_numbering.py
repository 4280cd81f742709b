"""Case numbers under concurrent submissions: no duplicates, no gaps."""

import threading

import pytest
from django.db import IntegrityError, connection, transaction

from fagnett.cases import services
from fagnett.cases.models import Case
from fagnett.cases.tests.factories import make_case
from tests.factories import World, make_world

DATA = {"title": "Samtidig innmeldt", "description": "Sak meldt samtidig.", "wanted": "Et svar."}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs row locks between connections (PostgreSQL)")
@pytest.mark.django_db(transaction=True)
def test_concurrent_submissions_get_distinct_consecutive_numbers() -> None:
    world = make_world()
    submitters = 8
    barrier = threading.Barrier(submitters)
    errors: list[BaseException] = []

    def submit() -> None:
        try:
            barrier.wait(timeout=10)
            services.case_submit(user=world["employee"], data=DATA, network=world.network)
        except BaseException as error:  # reported by the main thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(submitters)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    numbers = sorted(Case.objects.filter(network=world.network).values_list("number", flat=True))
    assert numbers == list(range(1, submitters + 1))


@pytest.mark.django_db
def test_the_database_refuses_a_duplicate_number(world: World) -> None:
    case = make_case(world)
    with pytest.raises(IntegrityError), transaction.atomic():
        Case.objects.create(
            region=case.region,
            network=case.network,
            year=case.year,
            number=case.number,
            title="Dobbel",
            description="x",
            wanted="y",
            submitted_by=case.submitted_by,
            submitted_at=case.submitted_at,
        )


@pytest.mark.django_db
def test_cases_waiting_for_routing_have_no_number_and_do_not_collide(world: World) -> None:
    first = make_case(world, network=None)
    second = make_case(world, network=None)
    assert first.number is None and second.number is None
