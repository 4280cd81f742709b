"""The load run's people and what each may touch, added to a bench database that already holds the demo.

Run inside the bench environment (``servers.bench_env``)::

    python -m bench.world --users 50 --manifest var/bench/manifest.json

Virtual users come in three kinds, as the people who use Fagnett do:

* **officers** (80 %): a network's leader or secretary. They read the start page, the network list, their
  network, the case list, a meeting and their action items; they submit cases, mark their action items done or
  open again, and save attendance for a past meeting of their network.
* **reporters** (12 %): a trust's ICU capacity reporter. They read the capacity dashboard and submit capacity
  entries for their trust's units in the open round.
* **regional staff** (the rest, at most 4): coordinators and medical directors. They read across the region and
  submit cases.

The demo's own leaders, secretaries and reporters are used first (the demo logins among them), each given the
demo password in this database only; when a run wants more people than the demo has, bench people are created
and appointed through the models. Every virtual user gets its own login, its own meeting and its own action
items, so each acknowledged write can be matched exactly against the rows afterwards.

The manifest (JSON) tells the locustfile who logs in and with what, and the verifier what to look for.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
from pathlib import Path
from typing import Any

PASSWORD = "demo"  # noqa: S105 — the demo's password, set on bench people in the throwaway bench database only


def split(users: int) -> dict[str, int]:
    """How many virtual users of each kind a run of ``users`` gets (officers take the remainder)."""
    regional = min(4, max(1, users // 12))
    reporters = max(1, round(users * 0.12))
    officers = users - regional - reporters
    if officers < 1:
        raise ValueError("A load run needs at least three virtual users.")
    return {"officer": officers, "reporter": reporters, "regional": regional}


def build(users: int) -> dict[str, Any]:
    """Create what the run needs and return the manifest."""
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils import timezone

    from fagnett.accounts.models import RegionRole, TrustRole, User
    from fagnett.capacity.models import Category, ReportRound, Scenario
    from fagnett.meetings.models import ActionItem, Meeting
    from fagnett.networks.models import Appointment, AppointmentRole, Network
    from fagnett.organisations.models import Region, Unit

    counts = split(users)
    encoded = make_password(PASSWORD)  # one Argon2 hash for everyone: logging in still costs what it costs
    now = timezone.now()
    today = timezone.localdate()

    with transaction.atomic():
        # --- officers: leaders and secretaries of active networks with a past meeting ---------------------------
        officers: list[dict[str, Any]] = []
        used_meetings: set[int] = set()
        leadership = Appointment.objects.filter(
            status=Appointment.Status.APPOINTED,
            role__in=[AppointmentRole.LEADER, AppointmentRole.SECRETARY],
            network__kind=Network.Kind.NETWORK,
            network__status=Network.Status.ACTIVE,
        ).select_related("person", "network", "trust")
        # The demo logins (the people with a usable password) first, then network by network.
        candidates = sorted(
            leadership, key=lambda a: (not a.person.has_usable_password(), a.network.name, a.role, a.person_id)
        )
        with_meetings = list(
            Network.objects.filter(
                kind=Network.Kind.NETWORK, status=Network.Status.ACTIVE, meetings__starts_at__lte=now
            )
            .distinct()
            .order_by("name")
        )
        bench_number = 0
        while len(officers) < counts["officer"]:
            if candidates:
                appointment = candidates.pop(0)
            else:  # more people than the demo has: bench secretaries, network by network
                bench_number += 1
                if bench_number > 50 * len(with_meetings):
                    raise RuntimeError("Not enough past meetings for that many officers.")
                network = with_meetings[(bench_number - 1) % len(with_meetings)]
                mandate = network.mandates.order_by("-version").first()
                trust = mandate.secretariat_trust if mandate else None
                person = User.objects.create(
                    username=f"bench-sekretar-{bench_number:03d}",
                    first_name="Bench",
                    last_name=f"Sekretær {bench_number}",
                    email=f"bench-sekretar-{bench_number}@bench.example",
                    title="Sekretær (bench)",
                    trust=trust,
                )
                appointment = Appointment.objects.create(
                    network=network,
                    person=person,
                    role=AppointmentRole.SECRETARY,
                    trust=trust,
                    status=Appointment.Status.APPOINTED,
                    start_date=today - datetime.timedelta(days=365),
                    decided_at=now,
                )
            meeting = (
                Meeting.objects.filter(network=appointment.network, starts_at__lte=now)
                .exclude(status=Meeting.Status.CANCELLED)
                .exclude(pk__in=used_meetings)
                .order_by("-starts_at")
                .first()
            )
            if meeting is None or any(o["username"] == appointment.person.username for o in officers):
                continue
            used_meetings.add(meeting.pk)
            person = appointment.person
            person.password = encoded
            person.save(update_fields=["password"])
            items = [
                ActionItem.objects.create(
                    network=appointment.network,
                    title=f"Bench: følge opp punkt {n} ({person.username})",
                    owner=person,
                    due_date=today + datetime.timedelta(days=30 + n),
                    meeting=meeting,
                    created_by=person,
                ).pk
                for n in (1, 2)
            ]
            officers.append(
                {
                    "username": person.username,
                    "network": appointment.network_id,
                    "meeting": meeting.pk,
                    "action_items": items,
                }
            )

        # --- reporters: capacity reporters of trusts with ICU units in a region with an open round --------------
        round_ = ReportRound.objects.filter(status=ReportRound.Status.OPEN).order_by("-period_start").first()
        if round_ is None:
            raise RuntimeError("The demo has no open capacity round.")
        units = list(
            Unit.objects.filter(hospital__trust__region=round_.region, kind=Unit.Kind.ICU)
            .select_related("hospital__trust")
            .order_by("hospital__trust__short_name", "name")
        )
        trusts = sorted({u.hospital.trust for u in units}, key=lambda t: t.short_name)
        existing = sorted(
            User.objects.filter(
                trust_roles__role=TrustRole.Role.CAPACITY_REPORTER, trust_roles__trust__in=trusts
            ).distinct(),
            key=lambda u: (not u.has_usable_password(), u.username),
        )
        reporter_users: list[Any] = []
        for n in range(counts["reporter"]):
            if n < len(existing):
                reporter_users.append(existing[n])
                continue
            trust = trusts[n % len(trusts)]
            person = User.objects.create(
                username=f"bench-rapportor-{n + 1:03d}",
                first_name="Bench",
                last_name=f"Rapportør {n + 1}",
                email=f"bench-rapportor-{n + 1}@bench.example",
                title="Rapportør intensivkapasitet (bench)",
                trust=trust,
            )
            TrustRole.objects.create(user=person, trust=trust, role=TrustRole.Role.CAPACITY_REPORTER)
            reporter_users.append(person)
        reporter_trusts = {
            p.pk: set(
                TrustRole.objects.filter(user=p, role=TrustRole.Role.CAPACITY_REPORTER).values_list("trust", flat=True)
            )
            for p in reporter_users
        }
        # Each reporter gets cells of its own trust's units that no other reporter touches.
        cells_taken: set[tuple[int, str, str]] = set()
        reporters = []
        for person in reporter_users:
            person.password = encoded
            person.save(update_fields=["password"])
            cells: list[list[Any]] = []
            for unit in units:
                if unit.hospital.trust_id not in reporter_trusts[person.pk]:
                    continue
                for category in Category.values:
                    for scenario in (Scenario.NORMAL, Scenario.LOW_ACTIVITY):
                        cell = (unit.pk, category, scenario)
                        if cell not in cells_taken and len(cells) < 6:
                            cells_taken.add(cell)
                            cells.append(list(cell))
            if not cells:
                raise RuntimeError(f"No free capacity cells for {person.username}.")
            reporters.append({"username": person.username, "round": round_.pk, "cells": cells})

        # --- regional staff: coordinators and medical directors ----------------------------------------------
        regional = []
        staff = sorted(
            RegionRole.objects.filter(
                role__in=[RegionRole.Role.COORDINATOR, RegionRole.Role.MEDICAL_DIRECTOR]
            ).select_related("user", "region"),
            key=lambda r: (not r.user.has_usable_password(), r.region.name, r.role),
        )
        for role in staff[: counts["regional"]]:
            person = role.user
            person.password = encoded
            person.save(update_fields=["password"])
            region_network = (
                Network.objects.filter(
                    region=role.region, kind=Network.Kind.NETWORK, status=Network.Status.ACTIVE, meetings__isnull=False
                )
                .distinct()
                .order_by("name")
                .first()
            )
            if region_network is None:
                raise RuntimeError(f"{role.region} has no active network with meetings.")
            meeting = Meeting.objects.filter(network=region_network).order_by("-starts_at").first()
            region_round = (
                ReportRound.objects.filter(region=role.region)
                .order_by("-period_start")
                .values_list("pk", flat=True)
                .first()
            )
            regional.append(
                {
                    "username": person.username,
                    "network": region_network.pk,
                    "meeting": meeting.pk if meeting else None,
                    "round": region_round,
                }
            )
        if len(regional) < counts["regional"]:
            raise RuntimeError("Not enough coordinators and medical directors in the demo.")

    return {
        "password": PASSWORD,
        "users": {"officer": officers, "reporter": reporters, "regional": regional},
        "regions": list(Region.objects.values_list("short_name", flat=True)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, required=True)
    parser.add_argument("--manifest", type=Path, required=True)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.bench")
    import django

    django.setup()
    manifest = build(args.users)
    args.manifest.parent.mkdir(parents=True, exist_ok=True)
    args.manifest.write_text(json.dumps(manifest, indent=1))


if __name__ == "__main__":
    main()
