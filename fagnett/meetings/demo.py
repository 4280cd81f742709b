"""Demo meetings: a realistic 2023–2026 history for every network, so plans, participation and the annual
report have data. Six Helse Midt-Norge networks hold fewer than four meetings in 2025, as in the annual report."""

import datetime
import random
from typing import Any

from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from fagnett.core.calendar import OSLO
from fagnett.meetings.models import ActionItem, AgendaItem, Attendance, Meeting, Minutes, MinutesItem
from fagnett.networks.models import Appointment, AppointmentRole, Network

BELOW_MINIMUM_2025 = {"Endokrinologi", "Karkirurgi", "Nukleærmedisin", "Patologi", "Plastikkirurgi", "Habilitering"}
DECISION, DISCUSSION, ORIENTATION = (
    AgendaItem.ItemType.DECISION,
    AgendaItem.ItemType.DISCUSSION,
    AgendaItem.ItemType.ORIENTATION,
)
APPROVE_MINUTES = "Referatet fra forrige møte godkjennes."

TOPICS = [
    (
        "Regional fagprosedyre: revisjon og høring",
        "Utkast gjennomgått. Sendes på høring i HF-ene med frist om seks uker.",
    ),
    (
        "Helseplattformen: erfaringer og forbedringsønsker",
        "Felles liste over forbedringsønsker oversendes forvaltningen.",
    ),
    (
        "Kloke valg: utfasing av lavverditjenester",
        "Nettverket peker ut to prosedyrer som bør fases ut i hele regionen.",
    ),
    (
        "Ventetider og fristbrudd – gjennomgang av dashboard i Tallbingen",
        "Variasjon mellom HF-ene drøftet; tiltak følges opp.",
    ),
    ("Kompetanse, rekruttering og utdanning", "Behov for flere utdanningsstillinger meldes til RHF-et."),
    (
        "Felles sak: flytting av elektiv aktivitet fra store til små sykehus",
        "Nettverkets innspill samordnes og sendes RHF-et.",
    ),
    ("Innspill til revisjon av nasjonal prioriteringsveileder", "Innspill utarbeides av arbeidsgruppe."),
    (
        "Kvalitetsregisterdata: gjennomgang av årsrapporten",
        "Uønsket variasjon identifisert; HF-ene ser på egen praksis.",
    ),
    ("Samhandling med fastleger om henvisninger", "Felles kommunikasjonsskriv til fastlegene utarbeides."),
    ("Beredskap og kapasitet i sommerperioden", "Plan for lavdrift koordineres mellom sykehusene."),
    ("Behovsstyrt poliklinisk oppfølging", "Erfaringer deles; mal for pasientinformasjon lages."),
    ("Standardisert pasientinformasjon", "Felles mal vedtatt."),
]
ICU_TOPICS = [
    ("Vurdering av samlet intensivkapasitet i Helse Nord", "Siste kapasitetsrapport gjennomgått per sengekategori."),
    ("Fordeling av K1, K2 og K3 mellom sykehusene", "Behov for flere K2-senger ved mindre sykehus drøftet."),
    ("Lavdrift i sommerperioden og oppskalering", "Plan for oppskalering innen 7 dager gjennomgått."),
    ("Jobbutveksling og virtuelle visitter", "Pilot med virtuelle visitter mellom UNN og Finnmarkssykehuset."),
    ("Rekruttering og utdanning av intensivsykepleiere", "Utdanningskapasiteten er økt; behovet følges opp."),
]
ACTIONS = [
    "Sende utkast på høring",
    "Innhente tall fra HF-ene",
    "Lage notat til RHF-et",
    "Oppdatere prosedyren",
    "Kontakte kvalitetsregisteret",
]
#: What was done, for the closed ones: picked in turn, not by the random generator, so the rest of the demo stays
#: as it was.
DONE_NOTES = [
    "Sendt på høring til alle HF; svarfrist om fire uker.",
    "Tallene er samlet og lagt fram i møtet.",
    "Notatet er sendt RHF-et.",
    "Prosedyren er oppdatert og publisert.",
    "Registeret leverer data til neste årsrapport.",
]


def _count(name: str, year: int, rng: random.Random) -> int:
    if year == 2023:
        return rng.choice([3, 3, 4, 4, 5])
    if year == 2025 and name in BELOW_MINIMUM_2025:
        return rng.choice([2, 3])
    return rng.choice([4, 4, 5, 5, 6])


def _dates(year: int, count: int, rng: random.Random) -> list[datetime.date]:
    months = sorted(rng.sample([1, 2, 3, 4, 5, 6, 8, 9, 10, 11, 12], count))
    return [datetime.date(year, m, rng.randint(3, 26)) for m in months]


def build() -> None:
    rng = random.Random(2025)
    today = timezone.localdate()
    networks = list(
        Network.objects.filter(kind=Network.Kind.NETWORK, status=Network.Status.ACTIVE)
        .select_related("region")
        .order_by("pk")
    )
    appointments: dict[int, list[Appointment]] = {}
    for a in Appointment.objects.filter(status=Appointment.Status.APPOINTED).select_related("person"):
        appointments.setdefault(a.network_id, []).append(a)

    def keeper(network_id: int) -> Any:
        """Who the history says made the network's records: its secretary, or else its leader."""
        people = appointments.get(network_id, [])
        for role in (AppointmentRole.SECRETARY, AppointmentRole.LEADER):
            for appointment in people:
                if appointment.role == role:
                    return appointment.person
        return None

    def by(obj: Any, network_id: int, when: datetime.datetime) -> Any:
        obj._history_user, obj._history_date = keeper(network_id), when  # read by bulk_create_with_history
        return obj

    plans: list[tuple[Network, datetime.date, str]] = []
    for network in networks:
        icu = network.region.short_name == "Helse Nord" and "intensiv" in network.name
        first_year = 2024 if icu else 2023
        for year in range(first_year, 2027):
            count = (3 if year == 2024 else 5) if icu else _count(network.name, year, rng)
            for day in _dates(year, count, rng):
                plans.append((network, day, "icu" if icu else "hmn"))
        if network.name == "Anestesi og intensiv":
            plans.append((network, today + datetime.timedelta(days=16), "hmn"))
        if icu:
            plans.append((network, today + datetime.timedelta(days=10), "icu"))

    meetings = []
    for network, day, kind in plans:
        form = rng.choices([Meeting.Form.DIGITAL, Meeting.Form.PHYSICAL, Meeting.Form.HYBRID], [75, 15, 10])[0]
        start = datetime.datetime.combine(day, datetime.time(rng.choice([9, 12, 13]), 0), tzinfo=OSLO)
        past = day < today
        meetings.append(
            Meeting(
                network=network,
                starts_at=start,
                ends_at=start + datetime.timedelta(hours=2 if form == Meeting.Form.DIGITAL else 5),
                form=form,
                location=""
                if form == Meeting.Form.DIGITAL
                else ("UNN Tromsø, Auditorium 1" if kind == "icu" else "St. Olavs hospital, Kunnskapssenteret"),
                video_link="" if form == Meeting.Form.PHYSICAL else f"https://teams.example.org/fagnett/{network.pk}",
                status=Meeting.Status.HELD
                if past
                else (Meeting.Status.INVITED if (day - today).days < 30 else Meeting.Status.PLANNED),
                invitation_sent_at=timezone.make_aware(
                    datetime.datetime.combine(day - datetime.timedelta(days=21), datetime.time(9))
                )
                if past or (day - today).days < 30
                else None,
            )
        )
    for meeting in meetings:
        by(meeting, meeting.network.pk, meeting.starts_at - datetime.timedelta(days=60))
    bulk_create_with_history(meetings, Meeting)
    meetings = list(Meeting.objects.select_related("network", "network__region").order_by("starts_at"))

    items: list[AgendaItem] = []
    for meeting in meetings:
        icu = meeting.network.region.short_name == "Helse Nord"
        topics = rng.sample(ICU_TOPICS if icu else TOPICS, 2)
        # As boards set them up: the last minutes and the first topic for decision (with the resolution put to the
        # meeting), the round of news for orientation, the rest for discussion.
        (first, first_conclusion), *others = topics
        standard = [
            (AgendaItem.Kind.APPROVAL, DECISION, "Godkjenning av referat fra forrige møte", APPROVE_MINUTES),
            (AgendaItem.Kind.ORIENTATION, ORIENTATION, "Orienteringer fra RHF og HF-ene", ""),
            (AgendaItem.Kind.CASE, DECISION, first, first_conclusion),
            *((AgendaItem.Kind.CASE, DISCUSSION, title, "") for title, _ in others),
            (AgendaItem.Kind.FOLLOW_UP, DISCUSSION, "Oppfølgingspunkter", ""),
            (AgendaItem.Kind.AOB, DISCUSSION, "Eventuelt", ""),
        ]
        items += [
            AgendaItem(
                meeting=meeting, order=i, kind=kind, item_type=item_type, title=title, proposed_resolution=proposed
            )
            for i, (kind, item_type, title, proposed) in enumerate(standard, 1)
        ]
    for item in items:
        by(item, item.meeting.network_id, item.meeting.starts_at - datetime.timedelta(days=25))
    bulk_create_with_history(items, AgendaItem)

    conclusions = dict(TOPICS + ICU_TOPICS)
    attendance: list[Attendance] = []
    minutes_rows: list[Minutes] = []
    for meeting in meetings:
        if meeting.status != Meeting.Status.HELD:
            continue
        for appointment in appointments.get(meeting.network_id, []):
            shy = appointment.trust is not None and appointment.trust.short_name in ("HNT", "HSYK")
            status = rng.choices(["present", "excused", "absent"], [55, 30, 15] if shy else [85, 12, 3])[0]
            attendance.append(
                Attendance(meeting=meeting, person=appointment.person, trust=appointment.trust, status=status)
            )
        recent = (today - meeting.starts_at.date()).days < 20
        minutes_rows.append(
            Minutes(
                meeting=meeting,
                status=Minutes.Status.DRAFT if recent else Minutes.Status.APPROVED,
                approved_via="" if recent else Minutes.ApprovedVia.LEADER,
                approved_at=None if recent else meeting.starts_at + datetime.timedelta(days=12),
                circulated_at=None if recent else meeting.starts_at + datetime.timedelta(days=3),
            )
        )
    for row in attendance:
        by(row, row.meeting.network_id, row.meeting.ends_at)
    for written in minutes_rows:
        by(written, written.meeting.network_id, written.meeting.ends_at + datetime.timedelta(days=1))
    bulk_create_with_history(attendance, Attendance)
    bulk_create_with_history(minutes_rows, Minutes)

    by_meeting: dict[int, list[AgendaItem]] = {}
    for item in AgendaItem.objects.order_by("order"):
        by_meeting.setdefault(item.meeting_id, []).append(item)
    minutes_items: list[MinutesItem] = []
    actions: list[ActionItem] = []
    for minutes in Minutes.objects.select_related("meeting"):
        for item in by_meeting[minutes.meeting_id]:
            minutes_items.append(
                MinutesItem(
                    minutes=minutes,
                    agenda_item=item,
                    summary="Saken ble drøftet." if item.kind == AgendaItem.Kind.CASE else "",
                    conclusion=conclusions.get(
                        item.title, "Godkjent." if item.kind == AgendaItem.Kind.APPROVAL else ""
                    ),
                    decision=item.proposed_resolution if item.is_decision else "",
                )
            )
            people = appointments.get(minutes.meeting.network_id, [])
            if item.kind == AgendaItem.Kind.CASE and people and rng.random() < 0.35:
                owner = rng.choice(
                    [a.person for a in people if a.role != AppointmentRole.RHF_REPRESENTATIVE] or [people[0].person]
                )
                due = minutes.meeting.starts_at.date() + datetime.timedelta(days=rng.choice([30, 45, 60, 90]))
                done = due < today - datetime.timedelta(days=20) and rng.random() < 0.9
                actions.append(
                    ActionItem(
                        network=minutes.meeting.network,
                        title=rng.choice(ACTIONS),
                        owner=owner,
                        due_date=due,
                        status=ActionItem.Status.DONE if done else ActionItem.Status.OPEN,
                        done_at=timezone.make_aware(
                            datetime.datetime.combine(due - datetime.timedelta(days=3), datetime.time(10))
                        )
                        if done
                        else None,
                        done_by=owner if done else None,
                        done_note=DONE_NOTES[len(actions) % len(DONE_NOTES)] if done else "",
                        meeting=minutes.meeting,
                        agenda_item=item,
                    )
                )
    for section in minutes_items:
        held = section.minutes.meeting
        by(section, held.network_id, held.ends_at + datetime.timedelta(days=1))
    for action in actions:
        meeting_of = action.meeting
        by(
            action,
            action.network.pk,
            meeting_of.starts_at + datetime.timedelta(hours=1) if meeting_of else timezone.now(),
        )
    bulk_create_with_history(minutes_items, MinutesItem)
    bulk_create_with_history(actions, ActionItem)
    # An action item is made during its meeting (carry-over to later agendas compares with that time).
    for meeting in Meeting.objects.filter(action_items__isnull=False).distinct():
        meeting.action_items.update(created_at=meeting.starts_at + datetime.timedelta(hours=1))

    # Open action items for the demo people, so "My action items" shows something on the first login.
    for username, network_name in (
        ("medlem", "Anestesi og intensiv"),
        ("leder-intensiv", "Fagnettverk for ledere på intensivavdelinger"),
    ):
        mine = next(
            (
                a
                for items in appointments.values()
                for a in items
                if a.person.username == username and a.network.name == network_name
            ),
            None,
        )
        if mine is None:
            continue
        last = (
            Meeting.objects.filter(network_id=mine.network_id, status=Meeting.Status.HELD)
            .order_by("-starts_at")
            .first()
        )
        ActionItem.objects.create(
            network_id=mine.network_id,
            title="Oppsummere innspill fra eget HF til neste møte",
            owner=mine.person,
            due_date=today + datetime.timedelta(days=9),
            meeting=last,
        )
        ActionItem.objects.create(
            network_id=mine.network_id,
            title="Sjekke status for regional prosedyre",
            owner=mine.person,
            due_date=today - datetime.timedelta(days=4),
            meeting=last,
        )
