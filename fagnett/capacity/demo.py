"""Demo capacity data for Helse Nord's ICU units: fictional, plausible, and marked as demo.

Four quarterly rounds of 2026: three closed (the third with the summer low-activity period, weeks
28–31, and one correction after close) and the current one open with some trusts still to report.
"""

import datetime
import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from fagnett.accounts.models import TrustRole, User
from fagnett.capacity import calculations
from fagnett.capacity.models import (
    Assessment,
    CapacityEntry,
    Category,
    Recommendation,
    ReportRound,
    Scenario,
    UnitProfile,
)
from fagnett.capacity.situation_models import SituationLine, SituationReport
from fagnett.networks.models import Appointment, AppointmentRole, Network
from fagnett.organisations.models import Hospital, Region, Unit

# Physical beds (K1, K2, K3) in normal operation per unit; fictional but of a plausible size.
BEDS: dict[str, tuple[int, int, int]] = {
    "Intensivavdelingen, UNN Tromsø": (0, 6, 12),
    "Nyfødt intensiv, UNN Tromsø": (0, 8, 6),
    "Barneintensiv, UNN Tromsø": (0, 2, 4),
    "Intensivenheten, UNN Harstad": (2, 3, 3),
    "Intensivenheten, UNN Narvik": (2, 2, 2),
    "Intensivavdelingen, Bodø": (0, 6, 8),
    "Nyfødt intensiv, Bodø": (0, 6, 3),
    "Intensiv/overvåkning, Vesterålen": (2, 3, 2),
    "Intensiv/overvåkning, Lofoten": (2, 2, 1),
    "Intensivenheten, Mo i Rana": (2, 3, 3),
    "Overvåkning, Mosjøen": (3, 2, 0),
    "Intensivenheten, Sandnessjøen": (2, 3, 2),
    "Intensivenheten, Hammerfest": (2, 3, 3),
    "Intensivenheten, Kirkenes": (1, 3, 2),
}
LENGTH_OF_STAY = {"K1": Decimal("1.5"), "K2": Decimal("2.5"), "K3": Decimal("4.5")}
NURSES_PER_BED = {"K1": 2.0, "K2": 3.5, "K3": 5.5}
QUARTERS = [
    ("Q1 2026", datetime.date(2026, 1, 1), datetime.date(2026, 3, 31)),
    ("Q2 2026", datetime.date(2026, 4, 1), datetime.date(2026, 6, 30)),
    ("Q3 2026", datetime.date(2026, 7, 1), datetime.date(2026, 9, 30)),
    ("Q4 2026", datetime.date(2026, 10, 1), datetime.date(2026, 12, 31)),
]
LATE_TRUSTS = ("HSYK", "FIN")  # still to report in the open round


def _values(
    rng: random.Random, category: str, scenario: str, physical: int, days: int, quarter: int
) -> dict[str, object]:
    drift = 1 if (quarter == 3 and category == "K3" and physical >= 8) else 0  # a bed added in Q4 at the big units
    physical += drift
    if scenario == Scenario.NORMAL:
        staffed = max(0, physical - rng.choice((0, 0, 1)) if physical > 2 else physical)
        hours = 0
    elif scenario == Scenario.LOW_ACTIVITY:
        staffed = round(physical * rng.uniform(0.55, 0.7))
        hours = 0
    elif scenario == Scenario.SURGE_7_DAYS:
        physical = physical + (1 if category == "K3" and physical >= 3 else 0)
        staffed = physical
        hours = rng.choice((24, 48, 72))
    else:
        physical = physical + (max(1, physical // 2) if category == "K3" and physical >= 2 else 0)
        staffed = physical
        hours = rng.choice((120, 168))
    staffed = min(staffed, physical)
    values: dict[str, object] = {"physical_beds": physical, "staffed_beds": staffed, "hours_to_activate": hours}
    if category == Category.K3:
        values["ventilated_beds"] = staffed
        values["ventilators"] = physical + 1
        values["ecmo_devices"] = 2 if physical >= 10 else 0
    values["nurses_fte"] = Decimal(str(round(staffed * NURSES_PER_BED[category] * rng.uniform(0.9, 1.05), 1)))
    values["nurses_day"] = max(0, round(staffed * (1.0 if category == "K3" else 0.5)))
    values["nurses_night"] = max(0, round(staffed * (0.9 if category == "K3" else 0.4)))
    values["vacancies_fte"] = Decimal(str(round(rng.uniform(0, 0.12) * float(values["nurses_fte"]), 1)))  # type: ignore[arg-type]
    if scenario in (Scenario.NORMAL, Scenario.LOW_ACTIVITY) and staffed:
        # Big units run fuller than small ones, as queueing theory lets them.
        utilisation = rng.uniform(0.7, 0.92) if staffed >= 8 else rng.uniform(0.3, 0.65)
        if category != "K3":
            utilisation *= 0.8
        load = staffed * utilisation
        los = LENGTH_OF_STAY[category]
        values["mean_length_of_stay"] = los
        values["admissions"] = round(load / float(los) * days)
        values["occupancy_mean"] = Decimal(str(round(100 * calculations.occupancy(staffed, load), 1)))
        values["occupancy_p90"] = min(Decimal("100.0"), values["occupancy_mean"] + Decimal(rng.randint(8, 20)))  # type: ignore[operator]
        refused = calculations.erlang_b(staffed, load) * values["admissions"]  # type: ignore[operator]
        values["refused"] = round(refused * 0.6)
        values["transferred_out"] = round(refused * 0.4)
    full = scenario == Scenario.NORMAL and category == "K3" and utilisation_high(values)
    values["status"] = "full" if full else ("limited" if scenario == Scenario.LOW_ACTIVITY else "available")
    values["restrictions"] = ["staff"] if values["status"] != "available" else []
    if not staffed:  # a cell without beds has no status (capacity.validation)
        values["status"], values["restrictions"] = "", []
    return values


def utilisation_high(values: dict[str, object]) -> bool:
    occupancy = values.get("occupancy_mean")
    return isinstance(occupancy, Decimal) and occupancy >= Decimal("85")


@transaction.atomic
def build() -> None:
    region = Region.objects.filter(short_name="Helse Nord").first()
    if region is None or ReportRound.objects.filter(region=region, is_demo=True).exists():
        return
    network = Network.objects.filter(region=region, name__startswith="Fagnettverk for ledere på intensiv").first()
    units = list(
        Unit.objects.filter(hospital__trust__region=region, kind=Unit.Kind.ICU).select_related("hospital__trust")
    )
    for unit in units:
        big = BEDS.get(unit.name, (0, 3, 3))[2] >= 6
        UnitProfile.objects.get_or_create(
            unit=unit,
            defaults={
                "non_invasive_ventilation": True,
                "invasive_ventilation": BEDS.get(unit.name, (0, 3, 3))[2] > 0,
                "ecmo": unit.name == "Intensivavdelingen, UNN Tromsø",
                "renal_replacement": big,
                "isolation_rooms": 4 if big else 1,
            },
        )
    rng = random.Random(2026)
    rounds = []
    for quarter, (name, start, end) in enumerate(QUARTERS):
        is_open = quarter == len(QUARTERS) - 1
        summer = quarter == 2
        rounds.append(
            ReportRound.objects.create(
                region=region,
                network=network,
                name=f"{name} (demo)",
                period_start=start,
                period_end=end,
                deadline=end + datetime.timedelta(days=15),
                status=ReportRound.Status.OPEN if is_open else ReportRound.Status.CLOSED,
                low_activity_name="Sommerukene 28–31"
                if summer
                else ("Juleferien" if is_open else "Påsken" if quarter == 0 else ""),
                low_activity_start=datetime.date(2026, 7, 6) if summer else None,
                low_activity_end=datetime.date(2026, 8, 2) if summer else None,
                is_demo=True,
            )
        )
    entries = []
    for quarter, round_ in enumerate(rounds):
        days = round_.period_days
        for unit in units:
            if round_.is_open and unit.hospital.trust.short_name in LATE_TRUSTS:
                continue
            beds = BEDS.get(unit.name, (0, 3, 3))
            for index, category in enumerate(Category.values):
                for scenario in Scenario.values:
                    scenario_days = 28 if scenario == Scenario.LOW_ACTIVITY and quarter == 2 else days
                    values = _values(rng, category, scenario, beds[index], scenario_days, quarter)
                    entries.append(
                        CapacityEntry(
                            round=round_,
                            unit=unit,
                            category=category,
                            scenario=scenario,
                            source="demo",
                            comment="Demodata." if scenario == Scenario.NORMAL and category == "K3" else "",
                            **values,
                        )
                    )
    # History names each trust's capacity reporter (where the demo has one) on the round's deadline.
    reporters = {
        role.trust_id: role.user
        for role in TrustRole.objects.filter(role=TrustRole.Role.CAPACITY_REPORTER).select_related("user")
    }
    for entry in entries:
        entry._history_user = reporters.get(entry.unit.hospital.trust_id)  # type: ignore[attr-defined]
        entry._history_date = datetime.datetime.combine(  # type: ignore[attr-defined]
            entry.round.deadline, datetime.time(12), tzinfo=datetime.UTC
        )
    bulk_create_with_history(entries, CapacityEntry)
    _correction(rounds[1])
    _assessments(rounds[2])
    _recommendation(rounds[2])
    _situation_reports(units, reporters, rng)


def _correction(round_: ReportRound) -> None:
    """One correction after close, as the reporters make them: a new version with a reason."""
    entry = CapacityEntry.objects.filter(round=round_, unit__name="Intensivenheten, UNN Harstad", category="K3").first()
    if entry is None:
        return
    entry.is_current = False
    entry.save(update_fields=["is_current"])
    corrected = CapacityEntry.objects.get(pk=entry.pk)
    corrected.pk = None
    corrected.version = 2
    corrected.is_current = True
    corrected.staffed_beds = max(0, (entry.staffed_beds or 0) - 1)
    corrected.ventilated_beds = corrected.staffed_beds
    corrected.correction_reason = "Én seng var ikke bemannet i hele perioden (demo)."
    corrected.save()


def _assessments(round_: ReportRound) -> None:
    Assessment.objects.bulk_create(
        [
            Assessment(
                round=round_,
                trust=None,
                category="K3",
                scenario=Scenario.NORMAL,
                verdict=Assessment.Verdict.MARGINAL,
                reasons="Høyt belegg ved de store enhetene; avvisninger og overflyttinger ved UNN Tromsø og Bodø.",
                actions="Vurdere to bemannede K3-senger til i Tromsø; felles regional oversikt over ledige senger.",
            ),
            Assessment(
                round=round_,
                trust=None,
                category="K3",
                scenario=Scenario.LOW_ACTIVITY,
                verdict=Assessment.Verdict.INADEQUATE,
                reasons="Sommerukene 28–31: bemannede K3-senger falt til rundt 60 % (demo).",
                actions="Jobbutveksling mellom HF-ene og felles ferieplan for intensivsykepleiere.",
            ),
        ]
    )
    hospital = Hospital.objects.filter(trust__region_id=round_.region_id, name__icontains="Tromsø").first()
    if hospital is not None:
        Assessment.objects.create(
            round=round_,
            trust=hospital.trust,
            hospital=hospital,
            category="K3",
            scenario=Scenario.SURGE_7_DAYS,
            verdict=Assessment.Verdict.MARGINAL,
            reasons="Regionens eneste ECMO-senter; oppskalering krever sykepleiere fra andre enheter (demo).",
            actions="Avtale om innlån av intensivsykepleiere fra UNN Harstad og Narvik ved oppskalering.",
        )


def _recommendation(round_: ReportRound) -> None:
    """The ICU network's recommendation for the summer round, written by its leader and not yet decided: a newcomer
    sees what the network is to put to its next meeting and send to the medical director."""
    if round_.network_id is None:
        return
    leader = (
        Appointment.objects.filter(
            network_id=round_.network_id, role=AppointmentRole.LEADER, status=Appointment.Status.APPOINTED
        )
        .select_related("person")
        .first()
    )
    Recommendation.objects.create(
        round=round_,
        summary=(
            "Nettverket anbefaler to bemannede K3-senger til ved UNN Tromsø, en felles regional oversikt over "
            "ledige intensivsenger og en felles ferieplan for intensivsykepleiere i sommerukene (demo)."
        ),
        competence=(
            "ECMO og de mest krevende pasientene hører hjemme i Tromsø; de mindre enhetene trenger hospitering for "
            "å holde K3-kompetansen ved like."
        ),
        preparedness=(
            "Oppskalering innen 7 dager er mulig i Tromsø og Bodø med innlånte sykepleiere; maksimal oppskalering "
            "forutsetter at planlagt kirurgi reduseres."
        ),
        sustainability="Sommerukene 28–31 ga rundt 60 % bemannede K3-senger; jobbutveksling mellom HF-ene foreslås.",
        travel=(
            "Fra Øst-Finnmark er det over 500 km til Tromsø; Kirkenes og Hammerfest må kunne stabilisere og "
            "overflytte trygt."
        ),
        consensus=False,
        dissent_by="Helgelandssykehuset",
        dissent="Ønsker å beholde K3-sengene i Mo i Rana i stedet for å styrke Tromsø.",
        written_by=leader.person if leader else None,
    )


#: Days of situation reports before the latest one (one each morning), so dimensioning can measure from them.
SITUATION_DAYS = 7


def _situation_reports(units: list[Unit], reporters: dict[int, User], rng: random.Random) -> None:
    """A week of morning situation reports and a recent one for every ICU unit except those of one trust (which the
    "now" view shows as missing), and one unit whose latest report is a day and a half old (shown as stale)."""
    now = timezone.now()
    reports: list[SituationReport] = []
    lines: list[SituationLine] = []
    for unit in units:
        if unit.hospital.trust.short_name == LATE_TRUSTS[0]:
            continue
        beds = BEDS.get(unit.name, (0, 3, 3))
        stale = unit.name == "Intensivenheten, Kirkenes"
        morning = timezone.localtime(now).replace(hour=8, minute=0, second=0, microsecond=0)
        times = [morning - datetime.timedelta(days=d) for d in range(SITUATION_DAYS, 0, -1)]
        times.append(now - datetime.timedelta(hours=36 if stale else rng.choice((1, 2, 3, 5))))
        for filed_at in sorted(t for t in times if t <= now - datetime.timedelta(hours=stale * 36)):
            report = SituationReport(unit=unit, filed_at=filed_at, source="demo")
            report._history_user = reporters.get(unit.hospital.trust_id)  # type: ignore[attr-defined]
            report._history_date = filed_at  # type: ignore[attr-defined]
            reports.append(report)
            for index, category in enumerate(Category.values):
                staffed = beds[index] - (1 if beds[index] > 2 and rng.random() < 0.3 else 0)
                if staffed:
                    occupied = min(staffed, round(staffed * rng.uniform(0.6, 1.0)))
                    lines.append(
                        SituationLine(report=report, category=category, staffed_beds=staffed, occupied_beds=occupied)
                    )
    bulk_create_with_history(reports, SituationReport)
    bulk_create_with_history(lines, SituationLine)
