import datetime
from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import timezone, translation

from fagnett.accounts.models import RegionRole, User
from fagnett.onboarding.services import Upload
from fagnett.onboarding.tests.files import Rows, upload
from fagnett.organisations.models import Region
from tests.factories import World, make_region, make_user

#: the year the first annual report is made for: last year, so every meeting of it has been held
YEAR = timezone.localdate().year - 1

ORGANISATION: Rows = {
    "trusts": [
        {"org_number": "912345602", "name": "Nordfjord HF", "short_name": "Nordfjord", "population": 120000},
        {"org_number": "912 345 610", "name": "Sunnmøre HF", "short_name": "Sunnmøre", "population": 90000},
    ],
    "hospitals": [
        {"trust": "Nordfjord HF", "name": "Nordfjord sjukehus", "municipality": "Stad"},
        {"trust": "912345610", "name": "Ålesund sjukehus", "municipality": "Ålesund"},
    ],
    "units": [
        {
            "trust": "Nordfjord",
            "hospital": "Nordfjord sjukehus",
            "name": "Intensiv",
            "kind": "icu",
            "age_group": "adult",
            "resh_id": "4001",
        },
        {
            "trust": "Sunnmøre HF",
            "hospital": "Ålesund sjukehus",
            "name": "Nyfødt intensiv",
            "kind": "icu",
            "age_group": "neonatal",
        },
    ],
}
PEOPLE: Rows = {
    "people": [
        {
            "email": "kari@nordfjord.no",
            "first_name": "Kari",
            "last_name": "Fjord",
            "title": "Overlege",
            "employer": "Nordfjord HF",
        },
        {
            "email": "Ola@Sunnmore.no",
            "first_name": "Ola",
            "last_name": "Berg",
            "title": "Avdelingssjef",
            "employer": "912345610",
        },
        {"email": "per@helse-test.no", "first_name": "Per", "last_name": "Rådgiver", "employer": "RHF"},
        {"email": "lise@nordfjord.no", "first_name": "Lise", "last_name": "Sekretær", "employer": "Nordfjord"},
    ]
}
NETWORKS: Rows = {
    "task_list": [
        {"code": "T1", "title": "Faglig oppdatering", "order": 1},
        {"code": "T2", "title": "Regionale prosedyrer", "order": 2},
    ],
    "networks": [
        {
            "name": "Intensivnettverket",
            "field": "Intensivmedisin",
            "kind": "network",
            "status": "active",
            "established_on": datetime.date(2020, 1, 1),
        },
        {"name": "Fagråd for nyfødt", "field": "Nyfødtmedisin", "kind": "council", "parent": "Intensivnettverket"},
        {"name": "Smertenettverket", "field": "Smerte", "established_on": "01.03.2021"},
    ],
    "mandates": [
        {
            "network": "Intensivnettverket",
            "purpose": "Likeverdig intensivbehandling i regionen.",
            "tasks": "T1, T2",
            "period_start": datetime.date(2024, 1, 1),
            "min_meetings": 4,
            "meeting_form": "digital",
            "secretariat": "Nordfjord HF",
            "budget": 750000,
            "approved_by": "Fagdirektørmøtet",
        },
        {
            "network": "Smertenettverket",
            "purpose": "Samordnet smertebehandling.",
            "tasks": "T1",
            "period_start": datetime.date(2023, 1, 1),
        },
    ],
    "appointments": [
        {"email": "kari@nordfjord.no", "network": "Intensivnettverket", "role": "leader"},
        {
            "email": "ola@sunnmore.no",
            "network": "Intensivnettverket",
            "role": "member",
            "start_date": datetime.date(2024, 1, 1),
        },
        {"email": "per@helse-test.no", "network": "Intensivnettverket", "role": "rhf_representative", "trust": "RHF"},
        {
            "email": "lise@nordfjord.no",
            "network": "Intensivnettverket",
            "role": "secretary",
            "start_date": datetime.date(2022, 1, 1),
            "end_date": datetime.date(2023, 12, 31),
        },
    ],
}


def _meetings(network: str, year: int, months: list[int], form: str = "digital") -> list[dict[str, Any]]:
    return [{"network": network, "date": datetime.date(year, month, 15), "form": form} for month in months]


HISTORY: Rows = {
    "meetings": [
        *_meetings("Intensivnettverket", YEAR - 2, [2, 5, 9, 11]),
        *_meetings("Intensivnettverket", YEAR - 1, [3, 6, 10]),
        *_meetings("Intensivnettverket", YEAR, [1, 3, 5, 9], form="physical"),
        {
            "network": "Intensivnettverket",
            "date": datetime.date(YEAR, 11, 20),
            "form": "hybrid",
            "starts": "10:00",
            "ends": "15:30",
            "title": "Fagdag",
            "place": "Ålesund",
        },
        *_meetings("Smertenettverket", YEAR, [4, 10]),
    ],
    "procedures": [
        {"network": "Intensivnettverket", "year": YEAR - 1, "completed": 2},
        {"network": "Intensivnettverket", "year": YEAR, "started": 1, "revised": 1, "completed": 3},
        {"network": "Smertenettverket", "year": YEAR, "kind": "pathway", "completed": 1},
    ],
    "registry": [
        {"network": "Intensivnettverket", "year": YEAR - 1, "reviewed": "yes", "note": "Norsk intensivregister"},
        {"network": "Smertenettverket", "year": YEAR - 1, "reviewed": "no"},
    ],
}


@pytest.fixture(autouse=True)
def bokmal() -> Iterator[None]:
    """The texts these tests read are bokmål, the default, whatever language an earlier test left active."""
    with translation.override("nb"):
        yield


@pytest.fixture
def new_region(world: World) -> Region:
    """An empty region (no trusts, people or networks) beside the test world's two, with its coordinator."""
    region = make_region(name="Helse Test RHF", short_name="HT")
    coordinator = make_user("coordinator_new", region_employer=region)
    RegionRole.objects.create(user=coordinator, region=region, role=RegionRole.Role.COORDINATOR)
    return region


@pytest.fixture
def coordinator_new(new_region: Region) -> User:
    return User.objects.get(username="coordinator_new")


def region_uploads(
    organisation: Rows = ORGANISATION, people: Rows = PEOPLE, networks: Rows = NETWORKS, history: Rows = HISTORY
) -> list[Upload]:
    return [
        upload("organisation", organisation),
        upload("people", people),
        upload("networks", networks),
        upload("history", history),
    ]
