"""Demo budget: Helse Nord's 750 000 NOK from its fagmidler to the ICU leaders' network for the mandate period,
with what it paid for (secretariat time, two physical gatherings with catering and a meeting room, a speaker);
participants' travel is paid by their own trust and is not here. Some Helse Midt-Norge networks get a small
yearly grant for 5 % of a secretary position, as the annual report describes."""

import datetime

from fagnett.accounts.models import User
from fagnett.budget.models import Expense, Grant
from fagnett.networks.models import Appointment, AppointmentRole, Network

ICU_NETWORK = "Fagnettverk for ledere på intensivavdelinger"
D = datetime.date
K = Expense.Kind

ICU_EXPENSES: list[tuple[datetime.date, str, int, str]] = [
    (D(2024, 8, 31), K.SECRETARIAT, 70_000, "Frikjøp av leder og sekretariat, mars–august 2024"),
    (D(2024, 10, 15), K.GATHERING, 18_000, "Fysisk samling i Tromsø: møterom, to dager"),
    (D(2024, 10, 15), K.CATERING, 32_000, "Fysisk samling i Tromsø: servering, 24 deltakere"),
    (D(2024, 10, 16), K.SPEAKER, 15_000, "Foredragsholder: erfaringer med virtuelle visitter"),
    (D(2025, 2, 28), K.SECRETARIAT, 70_000, "Frikjøp av leder og sekretariat, september 2024–februar 2025"),
    (D(2025, 8, 31), K.SECRETARIAT, 70_000, "Frikjøp av leder og sekretariat, mars–august 2025"),
    (D(2025, 10, 7), K.GATHERING, 22_000, "Fysisk samling i Bodø: møterom, to dager"),
    (D(2025, 10, 7), K.CATERING, 36_500, "Fysisk samling i Bodø: servering, 26 deltakere"),
    (D(2025, 12, 10), K.DOCUMENTATION, 8_000, "Årsrapport 2025: ombrekking og trykk"),
    (D(2026, 2, 28), K.SECRETARIAT, 70_000, "Frikjøp av leder og sekretariat, september 2025–februar 2026"),
    (D(2026, 8, 31), K.SECRETARIAT, 70_000, "Frikjøp av leder og sekretariat, mars–august 2026"),
]
HMN_YEARLY = ["Anestesi og intensiv", "Akuttmedisin", "Hjertemedisin", "Kreft", "Nevrologi"]
HMN_YEARLY_AMOUNT = 32_000  # about 5 % of a secretary's yearly pay


def _secretary(network: Network) -> User | None:
    appointment = (
        Appointment.objects.filter(
            network=network,
            status=Appointment.Status.APPOINTED,
            role__in=[AppointmentRole.SECRETARY, AppointmentRole.LEADER],
        )
        .select_related("person")
        .order_by("-role")  # "secretary" sorts after "leader": the secretary first
        .first()
    )
    return appointment.person if appointment else None


def build() -> None:
    icu = Network.objects.filter(name=ICU_NETWORK).first()
    if icu is not None:
        coordinator = User.objects.filter(username="koordinator-nord").first()
        grant = Grant.objects.create(
            network=icu,
            amount=750_000,
            period_start=D(2024, 3, 1),
            period_end=D(2027, 2, 28),
            source="Helse Nords fagmidler",
            decision_reference="Helse Nord RHF, fagdirektørens vedtak 14.02.2024",
            recorded_by=coordinator,
        )
        secretary = User.objects.filter(username="sekretar-intensiv").first()
        for day, kind, amount, description in ICU_EXPENSES:
            Expense.objects.create(
                network=icu,
                grant=grant,
                kind=kind,
                spent_on=day,
                amount=amount,
                description=description,
                recorded_by=secretary,
            )

    coordinator_hmn = User.objects.filter(username="koordinator").first()
    for network in Network.objects.filter(region__short_name="HMN", name__in=HMN_YEARLY).order_by("name"):
        secretary = _secretary(network)
        for year in (2025, 2026):
            grant = Grant.objects.create(
                network=network,
                amount=HMN_YEARLY_AMOUNT,
                period_start=D(year, 1, 1),
                period_end=D(year, 12, 31),
                source="Helse Midt-Norges fagmidler: 5 % sekretærstilling",
                decision_reference=f"Budsjett for fagledernettverkene {year}",
                recorded_by=coordinator_hmn,
            )
            if year == 2025:
                spent = [
                    (D(2025, 6, 30), K.SECRETARIAT, 16_000, "Sekretær, 5 % stilling, første halvår"),
                    (D(2025, 12, 31), K.SECRETARIAT, 16_000, "Sekretær, 5 % stilling, andre halvår"),
                ]
            else:
                spent = [(D(2026, 6, 30), K.SECRETARIAT, 16_000, "Sekretær, 5 % stilling, første halvår")]
            if network.name == "Anestesi og intensiv":
                spent.append((D(year, 11, 4), K.CATERING, 4_500, "Servering på nettverksmøte med fysisk oppmøte"))
            for day, kind, amount, description in spent:
                Expense.objects.create(
                    network=network,
                    grant=grant,
                    kind=kind,
                    spent_on=day,
                    amount=amount,
                    description=description,
                    recorded_by=secretary,
                )
