"""Demo cases: submissions from employees and trusts, tasks from the regions, escalations, and the two
common cases the 2025 annual report names, sent to every Helse Midt-Norge network with some answered.
Every case with a recommendation has its consultations recorded (seed 004, 2.2.1); the ICU capacity task in
Helse Nord still waits for the safety service and the union representatives.

Everything goes through the services (so permissions and numbering are real), then is dated back so the
timelines look lived in. Deterministic: the same cases on every run.
"""

import datetime
from typing import Any

from django.utils import timezone

from fagnett.accounts.models import User
from fagnett.cases import services
from fagnett.cases.models import Case, CaseEvent, CommonCase, Consultation, EscalationTarget
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


#: the consultations of the networks that answered a common case: {is it the elective one: kinds}
COMMON_CONSULTATIONS: dict[bool, dict[str, Any]] = {
    True: {
        "user_involvement": (
            "Regionalt brukerutvalg i Helse Midt-Norge",
            "Brukerutvalget støtter flytting når reisevei og ventetid vurderes samlet.",
        ),
        "safety_service": "Et innspill; vernetjenesten involveres når HF-ene planlegger flytting.",
        "union_representatives": "Et innspill; tillitsvalgte involveres når HF-ene planlegger flytting.",
    },
    False: {
        "user_involvement": "Faglig innspill til en nasjonal veileder; Helsedirektoratet har egen høring.",
        "safety_service": "Faglig innspill uten betydning for arbeidsmiljøet.",
        "union_representatives": "Faglig innspill uten betydning for ansattes arbeidsvilkår.",
    },
}


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


def _backdate(case: Case, days_ago: int, spread_days: int | None = None) -> None:
    """Move the case back in time (within its year, which its number belongs to) and spread its steps
    from then until yesterday, or over the first ``spread_days``. Consultations are dated with their steps."""
    now = timezone.now()
    days_ago = max(1, min(days_ago, timezone.localdate(now).timetuple().tm_yday - 1))
    submitted = now - datetime.timedelta(days=days_ago)
    Case.objects.filter(pk=case.pk).update(submitted_at=submitted)
    events = list(case.events.order_by("at", "pk"))
    span = datetime.timedelta(days=min(spread_days or days_ago - 1, days_ago - 1))
    for i, event in enumerate(events):
        event.at = submitted + span * i / max(len(events) - 1, 1)
        CaseEvent.objects.filter(pk=event.pk).update(at=event.at)
    consulted = [e for e in events if e.kind == CaseEvent.Kind.CONSULTATION]
    for event, consultation in zip(consulted, case.consultations.order_by("recorded_at", "pk"), strict=False):
        Consultation.objects.filter(pk=consultation.pk).update(
            recorded_at=event.at,
            consulted_on=timezone.localdate(event.at) if consultation.consulted_on else None,
        )


Done = tuple[str, str]  # who was consulted, what came of it


def _consult(case: Case, user: User, **kinds: str | Done | None) -> None:
    """Record each kind of consultation: a reason (str) when not required, (who, outcome) when done,
    None when required and still open."""
    for kind, answer in kinds.items():
        if isinstance(answer, str):
            services.consultation_record(user=user, case=case, kind=kind, required=False, not_required_reason=answer)
        elif answer is None:
            services.consultation_record(user=user, case=case, kind=kind, required=True)
        else:
            who, outcome = answer
            services.consultation_record(
                user=user,
                case=case,
                kind=kind,
                required=True,
                status=Consultation.Status.DONE,
                consulted_on=timezone.localdate(),
                consulted=who,
                outcome=outcome,
            )


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
    _consult(
        case,
        sekretar,
        user_involvement=None,
        safety_service="Faglig prosedyre for smertebehandling; endrer ikke arbeidsmiljøet.",
        union_representatives="Endrer ikke oppgavedeling eller arbeidstid.",
    )
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
    _consult(
        case,
        sekretar,
        user_involvement="Gjelder personellets arbeidsvilkår; pasienttilbudet om sommeren er uendret.",
        safety_service=(
            "Hovedverneombudene i St. Olavs, HNT og HMR",
            "Vernetjenesten advarer mot lange vakter ved innlån og ber om at hviletid følges opp.",
        ),
        union_representatives=(
            "Foretakstillitsvalgte for NSF og Legeforeningen i de tre HF-ene",
            "NSF støtter regional koordinering, men ikke en felles pool uten egne avtaler om reise og kompensasjon.",
        ),
    )
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
    _consult(
        case,
        leder,
        user_involvement=(
            "Regionalt brukerutvalg",
            "Brukerutvalget godtar lengre reisevei når transportteamet er på plass.",
        ),
        safety_service="Ingen endring i arbeidsmiljøet før en beslutning; vernetjenesten følger HF-enes plan.",
        union_representatives=(
            "Foretakstillitsvalgte i St. Olavs og HMR",
            "Tillitsvalgte i Ålesund ber om at kompetansen på kortvarig ECMO beholdes lokalt.",
        ),
    )
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
    _consult(
        case,
        leder,
        user_involvement=(
            "Brukerrepresentanten i nettverket",
            "Støtter felles terskler og ber om bedre informasjon til pårørende.",
        ),
        safety_service="Endrer ikke arbeidsmiljøet vesentlig.",
        union_representatives=(
            "Hovedtillitsvalgte for NSF i de tre HF-ene",
            "Tilsyn innen 30 minutter krever at intensivsykepleierne frigjøres; tas inn i bemanningsplanene.",
        ),
    )
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
            _consult(case, leader, **COMMON_CONSULTATIONS[common is elective])
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
    # Capacity is about beds and staff: the employees' representatives must be heard before the recommendation.
    _consult(
        capacity,
        leder_intensiv,
        user_involvement=(
            "Regionalt brukerutvalg i Helse Nord",
            "Brukerutvalget ber om at reisetid og overflyttinger for pasient og pårørende tas med i vurderingen.",
        ),
        safety_service=None,
        union_representatives=None,
    )
    _backdate(capacity, 70, spread_days=14)

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
    _consult(
        case,
        leder_intensiv,
        user_involvement="Gjelder fordeling av kapasitet mellom HF-ene; pasientforløpene er uendret.",
        safety_service="Endrer ikke arbeidsmiljøet ved avdelingene.",
        union_representatives=(
            "Foretakstillitsvalgte i UNN og Nordlandssykehuset",
            "Ingen innvendinger mot ukentlig koordinering.",
        ),
    )
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
