"""Demo procedures and pathways for Helse Midt-Norge, shaped like the 2025 annual report: about 40 procedures
worked on (started, revised or completed) in 2024 and about 65 in 2025, and six networks working on
standardised patient pathways in 2025. A few review dates fall near today, so reminders have something to do."""

import datetime
import random

from django.utils import timezone

from fagnett.networks.models import Appointment, AppointmentRole, Network
from fagnett.procedures.models import Procedure, Status, StatusEvent

P, IP, PUB, REV = Status.PROPOSED, Status.IN_PROGRESS, Status.PUBLISHED, Status.UNDER_REVISION

# (scenario, how many): each scenario is a list of (status, year) steps; "old" means before 2023.
SCENARIOS: list[tuple[str, int, list[tuple[str, int]]]] = [
    ("started 2024, published 2025", 15, [(P, 2024), (IP, 2024), (PUB, 2025)]),
    ("revision 2024, published 2025", 5, [(PUB, 0), (REV, 2024), (PUB, 2025)]),
    ("started and published 2024", 8, [(P, 2024), (IP, 2024), (PUB, 2024)]),
    ("started 2023, published 2024", 7, [(P, 2023), (IP, 2023), (PUB, 2024)]),
    ("revision started 2024", 5, [(PUB, 0), (REV, 2024)]),
    ("started 2025", 28, [(P, 2025), (IP, 2025)]),
    ("revised and published 2025", 17, [(PUB, 0), (REV, 2025), (PUB, 2025)]),
    ("published earlier, untouched", 12, [(PUB, 0)]),
    ("proposed 2025", 6, [(P, 2025)]),
    # This year so far (the demo runs "today"): the register is not empty for the current year.
    ("started this year", 18, [(P, 2026), (IP, 2026)]),
    ("revision started this year", 7, [(PUB, 0), (REV, 2026)]),
]
PATHWAY_NETWORKS_2025 = [
    "Akuttmedisin",
    "Hjertemedisin",
    "Kreft",
    "Nevrologi",
    "Psykisk helsevern for voksne",
    "Barn og ungdom",
]
ICU_TITLES = [
    "Sedasjon og smertelindring av voksne intensivpasienter",
    "Sentralt venekateter – innleggelse, stell og fjerning",
    "Forebygging av ventilatorassosiert pneumoni",
    "Tidlig mobilisering av intensivpasienter",
    "Overflytting av intensivpasienter mellom sykehus",
    "Delirium hos intensivpasienter – vurdering og tiltak",
]
TITLES = [
    "Henvisning og prioritering i {field}",
    "Smertebehandling i {field}",
    "Legemiddelhåndtering i {field}",
    "Pasientinformasjon ved utskrivning i {field}",
    "Infeksjonsforebygging i {field}",
    "Ernæring og væskebehandling i {field}",
    "Oppfølging etter behandling i {field}",
    "Overflytting mellom sykehus i {field}",
    "Samhandling med kommunene i {field}",
    "Vurdering av akutt syk pasient i {field}",
]
PATHWAY_TITLES = {
    "Akuttmedisin": "Pasientforløp for hjerneslag – akuttfasen",
    "Hjertemedisin": "Pasientforløp for hjertesvikt",
    "Kreft": "Pakkeforløp hjem for pasienter med kreft",
    "Nevrologi": "Pasientforløp for epilepsi",
    "Psykisk helsevern for voksne": "Pasientforløp for psykoselidelser",
    "Barn og ungdom": "Pasientforløp for barn med diabetes",
}


def _dates(rng: random.Random, steps: list[tuple[str, int]]) -> list[tuple[str, datetime.date]]:
    """Dates in order: each step gets a day in its year after the previous step's day."""
    out: list[tuple[str, datetime.date]] = []
    previous = datetime.date(2016, 1, 1)
    for i, (status, year) in enumerate(steps):
        later_same_year = sum(1 for _, y in steps[i + 1 :] if y == year)
        if year == 0:
            day = datetime.date(rng.randint(2017, 2021), rng.randint(1, 12), rng.randint(1, 28))
        else:
            low = max(previous + datetime.timedelta(days=14), datetime.date(year, 1, 5))
            # Never in the future: the current year's steps stop before today.
            last = min(datetime.date(year, 12, 15), timezone.localdate() - datetime.timedelta(days=2))
            high = last - datetime.timedelta(days=40 * later_same_year)
            day = low + datetime.timedelta(days=rng.randint(0, max(0, (high - low).days)))
        out.append((status, day))
        previous = day
    return out


def build() -> None:
    rng = random.Random(65)
    today = timezone.localdate()
    networks = list(
        Network.objects.filter(
            region__short_name="HMN", kind=Network.Kind.NETWORK, status=Network.Status.ACTIVE
        ).order_by("name")
    )
    if not networks:
        return
    managers: dict[int, list[Appointment]] = {}
    for a in Appointment.objects.filter(
        network__in=networks,
        status=Appointment.Status.APPOINTED,
        role__in=[AppointmentRole.LEADER, AppointmentRole.SECRETARY],
    ).select_related("person"):
        managers.setdefault(a.network_id, []).append(a)
    by_name = {n.name: n for n in networks}
    used_titles: dict[int, int] = {}

    def title_for(network: Network) -> str:
        n = used_titles.get(network.pk, 0)
        used_titles[network.pk] = n + 1
        if network.name == "Anestesi og intensiv" and n < len(ICU_TITLES):
            return ICU_TITLES[n]
        template = TITLES[(n + network.pk) % len(TITLES)]
        suffix = f" ({n // len(TITLES) + 1})" if n >= len(TITLES) else ""
        return template.format(field=network.field.lower()) + suffix

    def create(network: Network, kind: str, title: str, steps: list[tuple[str, int]]) -> Procedure:
        events = _dates(rng, steps)
        people = [a.person for a in managers.get(network.pk, [])]
        leader = next((a.person for a in managers.get(network.pk, []) if a.role == AppointmentRole.LEADER), None)
        published = [day for status, day in events if status == PUB]
        procedure = Procedure.objects.create(
            network=network,
            kind=kind,
            title=title,
            status=events[-1][0],
            url=f"https://dokumenter.example.no/hmn/{network.pk}/{len(used_titles)}-{rng.randint(1000, 9999)}",
            responsible=rng.choice(people) if people else None,
            review_date=published[-1].replace(year=published[-1].year + 3) if published else None,
            description="",
        )
        previous = ""
        for status, day in events:
            StatusEvent.objects.create(
                procedure=procedure, from_status=previous, status=status, happened_on=day, recorded_by=leader
            )
            previous = status
        return procedure

    # Six pathways worked on in 2025, one in each of six networks; they count among the 2025 work.
    pathway_steps: dict[int, list[tuple[str, int]]] = {
        0: [(P, 2025), (IP, 2025)],
        1: [(PUB, 0), (REV, 2025), (PUB, 2025)],
    }
    for i, name in enumerate(PATHWAY_NETWORKS_2025):
        if name in by_name:
            create(by_name[name], Procedure.Kind.PATHWAY, PATHWAY_TITLES[name], pathway_steps[i % 2])
    pathways_started = sum(1 for i, n in enumerate(PATHWAY_NETWORKS_2025) if n in by_name and i % 2 == 0)
    pathways_revised = sum(1 for i, n in enumerate(PATHWAY_NETWORKS_2025) if n in by_name and i % 2 == 1)

    slot = 0
    for label, count, steps in SCENARIOS:
        if label == "started 2025":
            count -= pathways_started
        elif label == "revised and published 2025":
            count -= pathways_revised
        for _ in range(count):
            # The demo leader's network gets a few more; the rest are spread round the region.
            network = (
                by_name.get("Anestesi og intensiv", networks[0]) if slot % 9 == 0 else networks[slot % len(networks)]
            )
            slot += 1
            create(network, Procedure.Kind.PROCEDURE, title_for(network), steps)

    # Review dates near today in the demo leader's network, so the reminders have work.
    anestesi = by_name.get("Anestesi og intensiv")
    if anestesi is not None:
        soon = list(anestesi.procedures.filter(status=PUB).order_by("pk")[:2])
        for procedure, days in zip(soon, (20, -10), strict=False):
            procedure.review_date = today + datetime.timedelta(days=days)
            procedure.save(update_fields=["review_date"])
