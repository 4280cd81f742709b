"""Demo annual reports shaped like seed 000, Helse Midt-Norge's annual report for 2025.

Every reporting network has submitted its reports for 2024 and 2025; most are accepted, two 2025 reports
wait for the coordinator. Figure 2's top answers are those of the seed (the standardisation task ranked
highest by 10 networks, digitalisation by 7, prioritisation by 5), registry data were reviewed by 13
networks in 2024 and 19 in 2025, and the success factors and improvement points are the seed's. The 2024
regional report is approved and locked; the 2025 report is written and waits for the medical directors'
approval. The ICU leaders' network in Helse Nord has submitted its 2025 report, and the Anestesi og intensiv
network has started on this year's.
"""

import datetime
import random
from zoneinfo import ZoneInfo

from django.utils import timezone

from fagnett.accounts.models import User
from fagnett.core import kept
from fagnett.networks.models import Appointment, AppointmentRole, Network, TaskListItem
from fagnett.organisations.models import Region
from fagnett.reports import statistics
from fagnett.reports.models import NetworkReport, ReflectionPoint, RegionalReport, TaskRanking
from fagnett.topics.models import Topic

WORKED_WELL = [
    "Gode samarbeidsforhold",
    "Effektiv møteorganisering",
    "Gode faglige diskusjoner",
    "Regelmessige møter, inkl. fysiske",
    "Deltakelse og engasjement fra medlemmene",
    "Godt samarbeid med RHF-representant",
    "Bistand fra analyseseksjonen RHF – dashboard i Tallbingen",
]
IMPROVE = [
    "Bedre oppfølging av saker mellom møtene",
    "Mer strukturert møteplanlegging og -gjennomføring",
    "Deltakelse og bidrag fra alle HF",
    "Utarbeide flere regionale fagprosedyrer",
    "Større vekt på standardisert pasientinformasjon",
    "Mer tverrfaglig samarbeid",
]
# How many networks rank each task highest (the seed's three, the rest spread), for 32 reporting networks.
FIRST_2025 = {"T1": 10, "T2": 7, "T3": 5, "T5": 4, "T4": 2, "T6": 2, "T8": 1, "T10": 1}
FIRST_2024 = {"T2": 11, "T1": 9, "T5": 4, "T3": 2, "T4": 2, "T6": 2, "T9": 1, "T10": 1}
REGISTRY = {2024: 13, 2025: 19}
OSLO = ZoneInfo("Europe/Oslo")
# The region's topics (issue 7) and how many of the 32 reporting networks worked on each, 2024 → 2025: the
# shift seed 000 describes — the health record platform still central but falling, prioritisation and
# phasing out low-value care rising, staffing and competence everywhere.
TOPICS = [
    ("Helseplattformen", 26, 17),
    ("Prioritering og utfasing av lavverditjenester (Kloke valg)", 6, 14),
    ("Bemanning, kompetanse og utdanning", 18, 23),
    ("Beredskap", 5, 8),
    ("Samhandling med primærhelsetjenesten", 9, 12),
    ("Behovsstyrt oppfølging", 3, 7),
    ("Digitalisering", 15, 13),
]
WAITING_FOR_COORDINATOR = {"Nevrologi", "Øye"}

TEXT_2025 = {
    "introduction": (
        "Fagledernetverkene i Helse Midt-Norge er en viktig arena for fagutvikling i regionen, og samling om "
        "beste praksis. I de faginndelte nettverkene møtes klinikere med lederansvar fra alle sykehusene for å "
        "samarbeide på tvers om faglige problemstillinger. Formålet er samling om beste praksis – for å "
        "understøtte at alle pasienter i regionen skal ha tilgang til likeverdige tjenester av god kvalitet.\n\n"
        "I mandatet fra regionalt fagdirektørnettverk fremheves betydningen av faglig standardisering og "
        "samordning som de mest sentrale tiltakene for å oppnå samling om beste praksis. Men de regionale "
        "fagledernetverkene har også en viktig funksjon som én vei inn for alle som har behov for faglige "
        "innspill til ulike prosesser i Helse Midt-Norge."
    ),
    "status_text": (
        "Mange av nettverkene har etablert fagråd eller midlertidige arbeidsgrupper under seg, enten profesjons-, "
        "prosess- eller diagnosebasert. Med unntak av to nettverk (indremedisin og habilitering) ledes alle "
        "nettverkene av klinikksjef/avdelingssjef ved St. Olavs hospital HF, med bistand fra sekretær i klinikken. "
        "Tidligere fagledernetverk for smerte og utmattelse er lagt inn under fagledernetverk Anestesi og "
        "intensiv som et fagråd."
    ),
    "activities": (
        "Møtefrekvensen er økende, men relativt stabil fra 2024. Det gjennomføres stort sett kortere digitale "
        "møter. Det rapporteres jevnt over om at digitale møter fungerer godt, men at fysiske møter er nyttige "
        "for å bli kjent og arbeide grundigere med saker.\n\n"
        "Alle nettverk med unntak av ett har sekretær. HMN RHF tildelte i 2025 midler på klinikknivå "
        "tilsvarende 5 % stilling som sekretær (ca. én arbeidsdag i måneden)."
    ),
    "central_work": (
        "Helseplattformen har som i 2024 vært et sentralt tema, men det observeres samtidig en dreining over mot "
        "andre tema, der spesielt prioritering, reduksjon av overforbruk og utfasing av lavverdi tjenester blir "
        "hyppigere diskutert i nettverkene.\n\n"
        "Stadig flere fagområder merker mangelen på personell samtidig med at pasientvolumet øker. Drøftinger om "
        "kompetansebehov, personell og utdanning har vært et gjennomgående tema i svært mange av nettverkene."
    ),
    "priorities": (
        "Antallet regionale fagprosedyrer og regionale standardiserte pasientforløp har økt siden revidert "
        "mandat i 2023, men det er et stort potensial for flere. Et flertall av nettverkene oppgir arbeid med "
        "standardisering av prosedyrer og pasientforløp som viktigste oppgave i 2026.\n\n"
        "I tillegg oppgir et økende antall nettverk at de vil styrke samhandlingen med primærhelsetjenesten. "
        "Svært mange oppgir at prioritering og utfasing av lavverdi prosedyrer (Kloke valg) vil bli sentralt i "
        "året som kommer."
    ),
    "support": (
        "I alle nettverkene er det en representant fra Helse Midt-Norge RHF som bl.a. skal bidra til gode "
        "arbeidsprosesser, og involvere og få innspill fra nettverkene i regionale og nasjonale prosesser. HMN "
        "RHF har også en regional koordinator for alle nettverkene.\n\n"
        "I september arrangerte HMN RHF seminar for fagledernetverkene og fagrådene på St. Olavs hospital HF, "
        "med temaene prioritering, standardisering og digitalisering."
    ),
    "summary": (
        "Etter prosessen med å styrke nettverksstrukturen og revideringen av mandatet i 2023 ses en positiv "
        "utvikling i aktivitet og fungering i nettverk. Nettverkene oppleves aktive og engasjerte, det "
        "gjennomføres både fysiske og digitale møter, og det ses et økende antall regionale fagprosedyrer "
        "forankret i nettverkene."
    ),
}
TEXT_2024 = {
    "introduction": (
        "Fagledernetverkene i Helse Midt-Norge samler klinikere med lederansvar fra alle sykehusene om beste "
        "praksis. Dette er den første årsrapporten etter revidert mandat i 2023."
    ),
    "activities": "Nettverkene har i hovedsak hatt digitale møter, med én fysisk samling i året for de fleste.",
    "central_work": "Helseplattformen har vært det dominerende temaet i 2024.",
    "priorities": "Faglig standardisering og arbeid med regionale fagprosedyrer prioriteres i 2025.",
    "support": "HMN RHF har en regional koordinator og en representant i hvert nettverk.",
    "summary": "Nettverkene har kommet godt i gang etter revidert mandat.",
}


def _leader(network: Network) -> User | None:
    appointment = (
        Appointment.objects.filter(network=network, status=Appointment.Status.APPOINTED, role=AppointmentRole.LEADER)
        .select_related("person")
        .first()
    )
    return appointment.person if appointment else None


def _spread(counts: dict[str, int], size: int, rng: random.Random) -> list[str]:
    codes = [code for code, n in counts.items() for _ in range(n)]
    assert len(codes) == size, f"{len(codes)} first choices for {size} networks"
    rng.shuffle(codes)
    return codes


def _network_reports(
    region: Region,
    year: int,
    first_choices: dict[str, int],
    points: dict[str, list[ReflectionPoint]],
    coordinator: User,
    rng: random.Random,
) -> None:
    networks = statistics.reporting_networks(region=region, year=year)
    tasks = {t.code: t for t in TaskListItem.objects.filter(region=region)}
    firsts = _spread(first_choices, len(networks), rng)
    registry = set(rng.sample([n.pk for n in networks], REGISTRY[year]))
    facts = statistics.facts_for_networks(networks=networks, year=year)
    submitted = datetime.datetime(year + 1, 2, 10, 12, tzinfo=OSLO)
    for network, first in zip(networks, firsts, strict=True):
        leader = _leader(network)
        others = [code for code in tasks if code != first]
        waiting = year == 2025 and network.name in WAITING_FOR_COORDINATOR
        report = NetworkReport.objects.create(
            network=network,
            year=year,
            status=NetworkReport.Status.SUBMITTED if waiting else NetworkReport.Status.ACCEPTED,
            registry_data_reviewed=network.pk in registry,
            registry_data_note=(
                "Resultater fra det nasjonale kvalitetsregisteret og Tallbingen ble gjennomgått på høstmøtet."
                if network.pk in registry
                else ""
            ),
            central_work=f"Nettverket har i {year} særlig arbeidet med {tasks[first].title.lower()}.",
            worked_well=rng.choice(["", "Godt oppmøte fra alle HF på de digitale møtene."]),
            improve=rng.choice(["", "Sakene bør meldes inn tidligere før møtene."]),
            priorities=f"Videre arbeid med {tasks[rng.choice(others)].title.lower()} i {year + 1}.",
            facts=facts[network.pk],
            submitted_by=leader,
            submitted_at=submitted + datetime.timedelta(days=rng.randint(0, 30)),
            accepted_by=None if waiting else coordinator,
            accepted_at=None if waiting else submitted + datetime.timedelta(days=35),
        )
        TaskRanking.objects.bulk_create(
            TaskRanking(report=report, rank=rank, task=tasks[code])
            for rank, code in enumerate([first, *rng.sample(others, 2)], 1)
        )
        # The seed's points in its order are the most frequent: earlier points are ticked more often.
        for kind, relation in (("worked_well", report.worked_well_points), ("improve", report.improve_points)):
            choices = points[kind]
            relation.set([p for i, p in enumerate(choices) if rng.random() < 0.75 - i * 0.09])


def _topics(region: Region, rng: random.Random) -> None:
    """The topic list, put on the networks' reports of 2024 and 2025 in the numbers of ``TOPICS``."""

    for order, (name, last, this) in enumerate(TOPICS, 1):
        topic = Topic.objects.create(region=region, name=name, order=order)
        for year, count in ((2024, last), (2025, this)):
            reports = list(NetworkReport.objects.filter(network__region=region, year=year).order_by("pk"))
            topic.network_reports.add(*rng.sample(reports, count))


def build() -> None:
    hmn = Region.objects.get(short_name="HMN")
    hn = Region.objects.get(short_name="Helse Nord")
    koordinator = User.objects.get(username="koordinator")
    rng = random.Random(2025)
    points: dict[str, list[ReflectionPoint]] = {}
    for region in (hmn, hn):
        for kind, titles in ((ReflectionPoint.Kind.WORKED_WELL, WORKED_WELL), (ReflectionPoint.Kind.IMPROVE, IMPROVE)):
            created = ReflectionPoint.objects.bulk_create(
                ReflectionPoint(region=region, kind=kind, title=title, order=i) for i, title in enumerate(titles, 1)
            )
            if region == hmn:
                points[str(kind)] = created

    _network_reports(hmn, 2024, FIRST_2024, points, koordinator, rng)
    _network_reports(hmn, 2025, FIRST_2025, points, koordinator, rng)
    _topics(hmn, rng)

    approved = RegionalReport.objects.create(
        region=hmn,
        year=2024,
        created_by=koordinator,
        **TEXT_2024,
    )
    approved.statistics = statistics.region_statistics(region=hmn, year=2024)
    approved.status = RegionalReport.Status.APPROVED
    approved.approved_on = datetime.date(2025, 3, 19)
    approved.approved_by_body = "Regionalt fagdirektørnettverk"
    approved.approval_recorded_by = User.objects.get(username="fagdirektor")
    approved.save()
    # Its PDF and DOCX are kept as at approval (core.kept): made by the job worker `make run` starts.
    kept.keep_on_commit(approved, by=approved.approval_recorded_by)
    RegionalReport.objects.create(region=hmn, year=2025, created_by=koordinator, **TEXT_2025)

    # Helse Nord: the ICU leaders' network has submitted 2025; the coordinator has not accepted it yet.
    icu = Network.objects.get(name="Fagnettverk for ledere på intensivavdelinger")
    icu_tasks = {t.code: t for t in TaskListItem.objects.filter(region=hn)}
    report = NetworkReport.objects.create(
        network=icu,
        year=2025,
        status=NetworkReport.Status.SUBMITTED,
        registry_data_reviewed=True,
        registry_data_note="Data fra Norsk intensiv- og pandemiregister (NIPaR) for alle enhetene ble gjennomgått.",
        central_work="Kartlegging av intensivkapasiteten i regionen etter mandatets første oppgave.",
        worked_well="Den fysiske samlingen i Bodø ga gode diskusjoner om dimensjonering.",
        improve="Flere enheter må rapportere kapasitet innen fristen.",
        priorities="Anbefaling til fagdirektøren om dimensjonering av intensivkapasiteten.",
        facts=statistics.network_facts(network=icu, year=2025),
        submitted_by=User.objects.get(username="leder-intensiv"),
        submitted_at=datetime.datetime(2026, 2, 3, 10, tzinfo=OSLO),
    )
    TaskRanking.objects.bulk_create(
        TaskRanking(report=report, rank=rank, task=icu_tasks[code]) for rank, code in enumerate(["N2", "N3", "N7"], 1)
    )

    # This year's report of Anestesi og intensiv, begun by its leader.
    anestesi = Network.objects.get(name="Anestesi og intensiv")
    tasks = {t.code: t for t in TaskListItem.objects.filter(region=hmn)}
    draft = NetworkReport.objects.create(
        network=anestesi,
        year=timezone.localdate().year,
        central_work="Regional fagprosedyre for postoperativ smertebehandling, og sommerbemanning i intensiv.",
    )
    TaskRanking.objects.bulk_create(
        TaskRanking(report=draft, rank=rank, task=tasks[code]) for rank, code in enumerate(["T1", "T5"], 1)
    )
