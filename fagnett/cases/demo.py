"""Demo cases: submissions from employees and trusts, tasks from the regions, escalations, and the two
common cases the 2025 annual report names, sent to every Helse Midt-Norge network with some answered.

Everything goes through the services (so permissions and numbering are real), then is dated back so the
timelines look lived in. Deterministic: the same cases on every run.
"""

import datetime
from typing import Any

from django.utils import timezone

from fagnett.accounts.models import User
from fagnett.cases import services
from fagnett.cases.models import Case, CaseEvent, CommonCase, EscalationTarget
from fagnett.networks.models import Appointment, AppointmentRole, Network

ANESTESI = "Anestesi og intensiv"
ICU_NORD = "Fagnettverk for ledere på intensivavdelinger"

ANSWERS = [
    "Nettverket mener dette egner seg for de mindre sykehusene dersom anestesi- og intensivberedskapen "
    "er avklart og pasientene er ASA 1–2. Forutsetter felles henvisningskriterier.",
    "Aktiviteten bør bli værende ved de store sykehusene: volumet er lavt og kompetansen sårbar. "
    "Nettverket anbefaler i stedet felles poliklinikk med ambulering.",
    "Deler av aktiviteten kan flyttes. Nettverket har laget en liste over prosedyrer og forutsetninger "
    "(utstyr, bemanning, kvalitetsregistrering).",
    "Nettverket støtter flytting, men peker på behov for oppfølging av kvalitet gjennom registerdata det første året.",
]
GUIDELINE_ANSWERS = [
    "Nettverket foreslår å korte ned fristen for utredning ved mistanke om alvorlig sykdom og har "
    "kommentert hver tilstandsgruppe i vedlagt skjema.",
    "Veilederen er i hovedsak dekkende. Nettverket foreslår at rettighetsvurderingen for kontroller tydeliggjøres.",
]


def _user(username: str) -> User:
    return User.objects.get(username=username)


def _network(name: str) -> Network:
    return Network.objects.select_related("region").get(name=name)


def _leader(network: Network) -> User:
    appointment = (
        Appointment.objects.filter(network=network, status=Appointment.Status.APPOINTED)
        .filter(role__in=[AppointmentRole.LEADER, AppointmentRole.SECRETARY])
        .order_by("role")
        .select_related("person")
        .first()
    )
    assert appointment is not None, f"{network} has no leader in the demo"
    return appointment.person


def _backdate(case: Case, days_ago: int) -> None:
    """Move the case back in time (within its year, which its number belongs to) and spread its steps
    from then until yesterday."""
    now = timezone.now()
    days_ago = max(1, min(days_ago, timezone.localdate(now).timetuple().tm_yday - 1))
    submitted = now - datetime.timedelta(days=days_ago)
    Case.objects.filter(pk=case.pk).update(submitted_at=submitted)
    events = list(case.events.order_by("at", "pk"))
    span = datetime.timedelta(days=days_ago - 1)
    for i, event in enumerate(events):
        CaseEvent.objects.filter(pk=event.pk).update(at=submitted + span * i / max(len(events) - 1, 1))


def _submit(username: str, network: str | None, *, trust: bool = True, **data: Any) -> Case:
    user = _user(username)
    net = _network(network) if network else None
    region = None if net else (user.trust.region if user.trust else user.region_employer)
    return services.case_submit(
        user=user,
        data=data,
        network=net,
        region=region,
        trust=user.trust if trust else None,
    )


def build() -> None:
    today = timezone.localdate()
    koordinator, fagdirektor = _user("koordinator"), _user("fagdirektor")
    leder, sekretar = _user("leder"), _user("sekretar")
    anestesi = _network(ANESTESI)

    # --- Helse Midt-Norge: one way in -------------------------------------------------------------------------------
    case = _submit(
        "ansatt",
        None,
        title="Rutiner for overflytting av intensivpasienter mellom Levanger og St. Olavs",
        description="Vi opplever at kriteriene for overflytting varierer fra vakt til vakt, og at ansvaret for "
        "transporten er uklart. Vi vet ikke hvilket nettverk som eier dette.",
        wanted="Avklaring av hvem som bør utarbeide en felles rutine, og en tidsplan.",
        due_date=today + datetime.timedelta(days=45),
    )
    _backdate(case, 3)

    case = _submit(
        "ansatt",
        ANESTESI,
        title="Felles prosedyre for sedasjon av barn ved MR",
        description="Sykehusene i regionen sederer barn ved MR på ulike måter, med ulik bemanning. "
        "Vi ønsker en regional fagprosedyre.",
        wanted="Regional fagprosedyre, eller anbefaling om hvem som bør lage den.",
        due_date=today + datetime.timedelta(days=120),
    )
    services.case_comment(user=leder, case=case, text="Tas opp på neste møte; Barn og ungdom bør involveres.")
    _backdate(case, 6)

    case = _submit(
        "medlem",
        ANESTESI,
        title="Regional fagprosedyre for postoperativ smertebehandling",
        description="Prosedyren fra 2021 skal revideres. Nye anbefalinger om opioidsparende behandling.",
        wanted="Revidert prosedyre sendt på høring i HF-ene.",
        due_date=today - datetime.timedelta(days=14),
    )
    services.case_accept(user=leder, case=case, note="Arbeidsgruppe fra St. Olavs og HMR.")
    services.case_start(user=sekretar, case=case)
    services.case_comment(user=sekretar, case=case, text="Utkast forsinket på grunn av sykefravær i arbeidsgruppen.")
    _backdate(case, 140)

    case = _submit(
        "fagsjef",
        ANESTESI,
        title="Bemanning av intensivsykepleiere i sommerferien",
        description="Helse Møre og Romsdal foreslår en felles regional modell for sommerbemanning av "
        "intensivavdelingene, med mulighet for å låne personell mellom HF-ene.",
        wanted="Anbefaling om en felles modell før planleggingen av neste sommer.",
        due_date=today - datetime.timedelta(days=30),
    )
    services.case_accept(user=leder, case=case)
    services.case_start(user=leder, case=case)
    services.case_set_on_agenda(user=sekretar, case=case, meeting_label="Nettverksmøte i mars")
    services.case_escalate(
        user=leder,
        case=case,
        recommendation="Flertallet anbefaler en regional personellpool med felles avtaler om innleie mellom HF-ene.",
        other_view="St. Olavs mener pool-løsningen svekker egen bemanning og vil heller ha lokale avtaler med "
        "regional koordinering.",
        escalate_to=EscalationTarget.MEDICAL_DIRECTOR,
    )
    services.case_record_decision(
        user=fagdirektor,
        case=case,
        decision="Fagdirektørene ber HF-ene inngå lokale avtaler med regional koordinering for sommeren; "
        "en regional pool utredes til neste år.",
    )
    _backdate(case, 200)

    case = _submit(
        "medlem",
        ANESTESI,
        title="Sentralisering av ECMO-behandling",
        description="Behovet for ECMO er lite og kompetansen sårbar. Skal behandlingen samles ved St. Olavs?",
        wanted="Anbefaling til fagdirektørene.",
    )
    services.case_accept(user=leder, case=case)
    services.case_escalate(
        user=leder,
        case=case,
        recommendation="Samle ECMO ved St. Olavs, med transportteam for hele regionen.",
        other_view="Ålesund ønsker å beholde kortvarig ECMO-beredskap lokalt.",
    )
    _backdate(case, 40)

    case = _submit(
        "medlem",
        ANESTESI,
        title="Felles kriterier for tidlig varsling (NEWS2)",
        description="Ulik bruk av NEWS2 på sengepostene gir ulike terskler for tilsyn fra intensiv.",
        wanted="Felles terskelverdier og tiltak.",
    )
    services.case_accept(user=leder, case=case)
    services.case_start(user=leder, case=case)
    services.case_recommend(
        user=leder,
        case=case,
        recommendation="NEWS2 ≥ 5 utløser tilsyn fra intensivsykepleier innen 30 minutter i alle HF-ene.",
    )
    services.case_close(user=koordinator, case=case, note="Anbefalingen er sendt HF-ene.")
    _backdate(case, 300)

    case = _submit(
        "ansatt",
        "Geriatri",
        title="Rutinemessig blodprøvetaking av sykehjemspasienter",
        description="Forslag om å fase ut faste blodprøver ved kontroller av sykehjemspasienter (Kloke valg).",
        wanted="Anbefaling til HF-ene og kommunene.",
    )
    services.case_decline(
        user=_leader(_network("Geriatri")),
        case=case,
        reason="Gjelder i hovedsak kommunehelsetjenesten. Saken bør tas opp i samhandlingsutvalget; "
        "nettverket bidrar gjerne med innspill der.",
    )
    _backdate(case, 60)

    # A task from the region (oppdrag) to two networks.
    tasks = services.case_assign_task(
        user=fagdirektor,
        networks=[anestesi, _network("Akuttmedisin")],
        data={
            "title": "Regional beredskapsplan for intensivkapasitet",
            "description": "Fagdirektørene ber nettverkene vurdere behovet for en felles plan for oppskalering av "
            "intensivkapasitet ved større hendelser.",
            "wanted": "Vurdering og forslag til innhold i planen.",
            "due_date": today + datetime.timedelta(days=60),
        },
    )
    services.case_accept(user=leder, case=tasks[0])
    for task in tasks:
        _backdate(task, 10)

    # --- The two common cases of the annual report ------------------------------------------------------------------
    region = anestesi.region
    elective = services.common_case_send(
        user=koordinator,
        region=region,
        networks=None,
        data={
            "title": "Vurdering av flytting av elektiv virksomhet fra store til små sykehus",
            "description": "Nasjonalt oppdrag videreført fra 2024. Hvert nettverk vurderer hvilken elektiv "
            "aktivitet innen eget fagområde som kan flyttes fra de store til de små sykehusene.",
            "wanted": "Nettverkets vurdering, med forutsetninger og eventuelle motforestillinger.",
            "due_date": today + datetime.timedelta(days=30),
        },
    )
    guidelines = services.common_case_send(
        user=koordinator,
        region=region,
        networks=None,
        data={
            "title": "Innspill til Helsedirektoratets revisjon av nasjonale prioriteringsveiledere",
            "description": "Helsedirektoratet reviderer prioriteringsveilederne. Nettverkene bes gi innspill "
            "innen sitt fagområde.",
            "wanted": "Innspill til veilederen for eget fagområde.",
            "due_date": today - datetime.timedelta(days=5),
        },
    )
    for common, answers, every in ((elective, ANSWERS, 2), (guidelines, GUIDELINE_ANSWERS, 4)):
        for i, case in enumerate(_cases_of(common)):
            if i % every:
                continue
            assert case.network is not None
            leader = _leader(case.network)
            services.case_accept(user=leader, case=case)
            services.case_recommend(user=leader, case=case, recommendation=answers[i % len(answers)])
        for case in _cases_of(common):
            _backdate(case, 50 if common is elective else 90)
    CommonCase.objects.filter(pk=elective.pk).update(created_at=timezone.now() - datetime.timedelta(days=50))
    CommonCase.objects.filter(pk=guidelines.pk).update(created_at=timezone.now() - datetime.timedelta(days=90))

    # --- Helse Nord: the ICU leaders' network's first task, as its mandate says ------------------------------------
    leder_intensiv = _user("leder-intensiv")
    icu = _network(ICU_NORD)
    (capacity,) = services.case_assign_task(
        user=_user("fagdirektor-nord"),
        networks=[icu],
        data={
            "title": "Vurdering av intensivkapasiteten i Helse Nord",
            "description": "Nettverkets første oppdrag etter mandatet: vurdere om kapasiteten for K1, K2 og K3 er "
            "tilstrekkelig i normal drift, lavdrift og ved oppskalering.",
            "wanted": "Vurdering per kategori og helseforetak, med anbefaling til fagdirektør.",
            "due_date": today + datetime.timedelta(days=90),
        },
    )
    services.case_accept(user=leder_intensiv, case=capacity)
    services.case_start(user=leder_intensiv, case=capacity)
    _backdate(capacity, 70)

    case = _submit(
        "fagsjef-unn",
        ICU_NORD,
        title="Felles opplæringsprogram for nye intensivsykepleiere",
        description="UNN foreslår et felles introduksjonsprogram for nyansatte intensivsykepleiere i regionen.",
        wanted="Anbefaling om innhold og ansvar.",
    )
    _backdate(case, 8)

    case = _submit(
        "leder-intensiv",
        ICU_NORD,
        trust=False,
        title="Fordeling av K3-senger mellom UNN og Nordlandssykehuset",
        description="Ved langvarige kapasitetsproblemer: hvordan skal K3-senger fordeles mellom UNN Tromsø og "
        "Nordlandssykehuset Bodø?",
        wanted="Anbefaling til fagsjefmøtet.",
    )
    services.case_accept(user=leder_intensiv, case=case)
    services.case_escalate(
        user=leder_intensiv,
        case=case,
        recommendation="Fast fordelingsnøkkel etter befolkningsgrunnlag, med ukentlig koordinering.",
        other_view="Nordlandssykehuset ønsker fordeling etter faktisk belegg siste fire uker.",
        escalate_to=EscalationTarget.HEADS_MEETING,
    )
    _backdate(case, 25)


def _cases_of(common: CommonCase) -> list[Case]:
    return list(common.cases.select_related("network", "region").order_by("network__name"))
