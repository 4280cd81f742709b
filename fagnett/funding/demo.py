"""Demo funding: Helse Nord's call for 2026 (deadline 1 February, as every year in Helse Nord), to which the ICU
leaders' network applied for its work on virtual rounds and job exchange; UNN's fagsjef endorsed it and the region
granted most of it, which is the network's second grant in the budget. Helse Nord's call for 2027 is open, with the
network's draft. In Helse Midt-Norge, a group at Helse Møre og Romsdal that wants to become a regional network for
palliative care has applied to the 2027 call; the trust's fagsjef endorsed it and the coordinator has yet to decide.

Built after the budget demo, straight from the models with fixed dates (the services refuse a submission after the
deadline, and these steps are in the past).
"""

import datetime

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from fagnett.accounts.models import User
from fagnett.budget.models import Expense, Grant
from fagnett.funding.models import Application, ApplicationEvent, BudgetLine, FundingCall
from fagnett.networks.models import Network
from fagnett.organisations.models import HealthTrust, Region

ICU_NETWORK = "Fagnettverk for ledere på intensivavdelinger"
D = datetime.date
K = Expense.Kind


def _at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _lines(application: Application, lines: list[tuple[str, str, int]]) -> int:
    for order, (kind, description, amount) in enumerate(lines):
        BudgetLine.objects.create(
            application=application, order=order, kind=kind, description=description, amount=amount
        )
    return sum(amount for _, _, amount in lines)


def _events(application: Application, events: list[tuple[str, User, datetime.date, str]]) -> None:
    for kind, actor, day, text in events:
        ApplicationEvent.objects.create(application=application, kind=kind, actor=actor, at=_at(day), text=text)


def _helse_nord() -> None:
    region = Region.objects.filter(short_name="Helse Nord").first()
    icu = Network.objects.filter(name=ICU_NETWORK).first()
    coordinator = User.objects.filter(username="koordinator-nord").first()
    fagsjef = User.objects.filter(username="fagsjef-unn").first()
    leader = User.objects.filter(username="leder-intensiv").first()
    if region is None or icu is None or coordinator is None or fagsjef is None or leader is None or not leader.trust:
        return
    call_2026 = FundingCall.objects.create(
        region=region,
        year=2026,
        title="Regionale fagmidler 2026",
        deadline=D(2026, 2, 1),
        description="Helse Nord RHF lyser ut regionale fagmidler til fagnettverkene for 2026. Søknaden skal beskrive "
        "formål, planlagte aktiviteter, program og budsjett, og være forankret i ledelsen i eget helseforetak. "
        "Reiseutgifter for deltakerne dekkes av eget HF og inngår ikke.",
        amount_available=2_000_000,
        status=FundingCall.Status.CLOSED,
        created_by=coordinator,
    )
    application = Application.objects.create(
        call=call_2026,
        network=icu,
        applicant=leader,
        trust=leader.trust,
        purpose="Regional samordning av intensivtilbudet: utrede virtuelle visitter mellom intensivavdelingene og "
        "iverksette en plan for jobbutveksling, jf. mandatets andre oppgaver.",
        activities="Kartlegging av teknisk løsning og juridiske rammer for virtuelle visitter; pilot mellom UNN "
        "Tromsø og Nordlandssykehuset Bodø; plan for jobbutveksling for intensivsykepleiere; én fysisk samling.",
        programme="Mars: oppstart og kartlegging. Mai: pilot med virtuelle visitter. Oktober: fysisk samling i "
        "Tromsø med erfaringsdeling og foredrag. Desember: rapport til fagdirektør.",
        period_start=D(2026, 3, 1),
        period_end=D(2026, 12, 31),
        status=Application.Status.GRANTED,
        submitted_at=_at(D(2026, 1, 20)),
        endorsed_by=fagsjef,
        endorsed_at=_at(D(2026, 1, 27)),
        decided_by=coordinator,
        decided_at=_at(D(2026, 3, 2)),
        amount_granted=180_000,
        decision_reference="Helse Nord RHF, fagdirektørens vedtak 02.03.2026",
        decision_reason="Innvilget med 180 000 kr. Foredragsholder dekkes innenfor samlingens ramme.",
        grant=Grant.objects.create(
            network=icu,
            amount=180_000,
            period_start=D(2026, 3, 1),
            period_end=D(2026, 12, 31),
            source="Regionale fagmidler 2026",
            decision_reference="Helse Nord RHF, fagdirektørens vedtak 02.03.2026",
            recorded_by=coordinator,
        ),
    )
    _lines(
        application,
        [
            (K.SECRETARIAT, "Frikjøp av prosjektleder for virtuelle visitter, 10 % stilling", 120_000),
            (K.GATHERING, "Fysisk samling i Tromsø: møterom, to dager", 20_000),
            (K.CATERING, "Fysisk samling i Tromsø: servering, 26 deltakere", 40_000),
            (K.SPEAKER, "Foredragsholder: erfaringer med jobbutveksling", 30_000),
        ],
    )
    _events(
        application,
        [
            (ApplicationEvent.Kind.CREATED, leader, D(2026, 1, 8), ""),
            (ApplicationEvent.Kind.SUBMITTED, leader, D(2026, 1, 20), ""),
            (ApplicationEvent.Kind.ENDORSED, fagsjef, D(2026, 1, 27), "Forankret i klinikkledelsen ved UNN."),
            (ApplicationEvent.Kind.GRANTED, coordinator, D(2026, 3, 2), application.decision_reason),
        ],
    )

    call_2027 = FundingCall.objects.create(
        region=region,
        year=2027,
        title="Regionale fagmidler 2027",
        deadline=D(2027, 2, 1),
        description=call_2026.description.replace("2026", "2027"),
        amount_available=2_000_000,
        status=FundingCall.Status.OPEN,
        created_by=coordinator,
    )
    draft = Application.objects.create(
        call=call_2027,
        network=icu,
        applicant=leader,
        trust=leader.trust,
        purpose="Videreføre arbeidet med virtuelle visitter og jobbutveksling ut mandatperioden, og følge opp "
        "nettverkets vurdering av intensivkapasiteten i regionen.",
        activities="Drift av virtuelle visitter mellom alle intensivavdelingene; to jobbutvekslinger; én fysisk "
        "samling i Bodø.",
        programme="",
        period_start=D(2027, 1, 1),
        period_end=D(2027, 2, 28),
    )
    _lines(
        draft,
        [
            (K.SECRETARIAT, "Frikjøp av leder og sekretariat, januar–februar 2027", 25_000),
            (K.CATERING, "Fysisk samling i Bodø: servering", 15_000),
        ],
    )
    _events(draft, [(ApplicationEvent.Kind.CREATED, leader, D(2026, 11, 10), "")])


def _helse_midt_norge() -> None:
    region = Region.objects.filter(short_name="HMN").first()
    coordinator = User.objects.filter(username="koordinator").first()
    fagsjef = User.objects.filter(username="fagsjef").first()
    hmr = HealthTrust.objects.filter(region=region, short_name="HMR").first() if region else None
    if region is None or coordinator is None or fagsjef is None or hmr is None:
        return
    applicant = User.objects.create(
        username="solveig.hovde",
        first_name="Solveig",
        last_name="Hovde",
        email="solveig.hovde@hmr.example",
        title="Overlege, palliativt team Ålesund sjukehus",
        trust=hmr,
        password=make_password(None),
    )
    call = FundingCall.objects.create(
        region=region,
        year=2027,
        title="Fagmidler til fagledernettverkene 2027",
        deadline=D(2027, 1, 15),
        description="Helse Midt-Norge RHF tildeler midler til fagledernettverkenes sekretariat og samlinger, og kan "
        "gi oppstartsmidler til nye nettverk. Søknaden skal være godkjent av fagsjef i eget helseforetak.",
        amount_available=1_200_000,
        status=FundingCall.Status.OPEN,
        created_by=coordinator,
    )
    application = Application.objects.create(
        call=call,
        proposed_name="Palliasjon og lindrende behandling",
        proposed_field="Palliativ medisin",
        applicant=applicant,
        trust=hmr,
        purpose="Etablere et regionalt fagnettverk for palliasjon, slik at pasienter i hele regionen får likeverdig "
        "lindrende behandling og forhåndssamtaler, og sykehusene samler seg om felles prosedyrer.",
        activities="Oppstartsmøte med representanter fra alle helseforetakene; forslag til mandat; kartlegging av "
        "palliative team og senger; to digitale møter og én fysisk samling.",
        programme="Februar: oppstartsmøte (digitalt). April: forslag til mandat. September: fysisk samling i "
        "Trondheim. November: rapport til fagdirektørene.",
        period_start=D(2027, 1, 1),
        period_end=D(2027, 12, 31),
        status=Application.Status.ENDORSED,
        submitted_at=_at(D(2026, 11, 2)),
        endorsed_by=fagsjef,
        endorsed_at=_at(D(2026, 11, 9)),
    )
    _lines(
        application,
        [
            (K.SECRETARIAT, "Sekretær, 10 % stilling i oppstartsåret", 64_000),
            (K.GATHERING, "Fysisk samling i Trondheim: møterom", 12_000),
            (K.CATERING, "Fysisk samling i Trondheim: servering, 20 deltakere", 18_000),
        ],
    )
    _events(
        application,
        [
            (ApplicationEvent.Kind.CREATED, applicant, D(2026, 10, 21), ""),
            (ApplicationEvent.Kind.SUBMITTED, applicant, D(2026, 11, 2), ""),
            (ApplicationEvent.Kind.ENDORSED, fagsjef, D(2026, 11, 9), "Støttes. Teamet i Ålesund leder oppstarten."),
        ],
    )


def build() -> None:
    _helse_nord()
    _helse_midt_norge()
