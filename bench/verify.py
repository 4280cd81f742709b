"""After a load or fault run: is every acknowledged write in the database? Runs inside Django (bench settings)::

    python -m bench.verify --writes var/bench/load/writes.jsonl --since 1767225600.0 --run ab12cd

Each kind of write is matched by what it leaves behind:

* **case**: a ``Case`` whose title is the write's marker — exactly one per acknowledged marker;
* **capacity**: a row of the capacity entries' history whose comment is the marker — exactly one per marker;
* **action_item**: rows of the action item's history since the run started — one per acknowledged change of
  that item (each item belongs to one virtual user, so the count is exact), and its status is the last one
  acknowledged;
* **attendance**: rows of the attendance history of the meeting since the run started — one per person per
  acknowledged save (each meeting belongs to one virtual user).

An acknowledged write that is missing is **lost**. A write whose answer never arrived (a timeout, a killed
worker) may or may not have been saved: such rows are counted as *saved without acknowledgement*, and rows that
match no attempt at all as *unexplained*. Prints one JSON object.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any


def verify(writes: list[dict[str, Any]], *, since: float, run: str) -> dict[str, dict[str, Any]]:
    from django.utils import timezone

    from fagnett.capacity.models import CapacityEntry
    from fagnett.cases.models import Case
    from fagnett.meetings.models import ActionItem, Attendance

    started = datetime.datetime.fromtimestamp(since, tz=datetime.UTC)
    assert timezone.is_aware(started)
    by_kind: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for write in writes:
        by_kind[write["kind"]].append(write)
    result: dict[str, dict[str, Any]] = {}

    def marker_kind(kind: str, found: Counter[str], prefix_rows: list[str]) -> None:
        acked = {w["marker"] for w in by_kind[kind] if w["acknowledged"]}
        unacked = {w["marker"] for w in by_kind[kind] if not w["acknowledged"]}
        lost = sorted(m for m in acked if found[m] == 0)
        duplicated = sorted(m for m, n in found.items() if n > 1)
        result[kind] = {
            "attempted": len(by_kind[kind]),
            "acknowledged": len(acked),
            "in_database": sum(1 for m in prefix_rows if m in acked),
            "lost": len(lost),
            "saved_without_acknowledgement": sum(1 for m in unacked if found[m]),
            "unexplained": sum(1 for m in prefix_rows if m not in acked and m not in unacked),
            "duplicated": len(duplicated),
            "examples_lost": lost[:5],
        }

    prefix = f"bench {run} "
    case_titles = list(Case.objects.filter(title__startswith=prefix + "case ").values_list("title", flat=True))
    marker_kind("case", Counter(case_titles), case_titles)

    history = CapacityEntry.history.model.objects  # type: ignore[attr-defined]
    comments = list(history.filter(comment__startswith=prefix + "capacity ").values_list("comment", flat=True))
    marker_kind("capacity", Counter(comments), comments)

    # Action items: one history row per acknowledged change of each item, and the last acknowledged status.
    item_writes: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for write in by_kind["action_item"]:
        item_writes[write["item"]].append(write)
    rows = Counter(
        ActionItem.history.model.objects.filter(  # type: ignore[attr-defined]
            id__in=list(item_writes), history_date__gte=started
        ).values_list("id", flat=True)
    )
    status = dict(ActionItem.objects.filter(pk__in=list(item_writes)).values_list("pk", "status"))
    lost = unacked_saved = unexplained = wrong_status = 0
    for item, attempts in item_writes.items():
        acked = sum(1 for w in attempts if w["acknowledged"])
        lost += max(0, acked - rows[item])
        unacked_saved += max(0, min(rows[item], len(attempts)) - acked)
        unexplained += max(0, rows[item] - len(attempts))
        last = max(attempts, key=lambda w: w["t"])
        if last["acknowledged"] and status.get(item) != (ActionItem.Status.DONE if last["done"] else "open"):
            wrong_status += 1
    result["action_item"] = {
        "attempted": len(by_kind["action_item"]),
        "acknowledged": sum(1 for w in by_kind["action_item"] if w["acknowledged"]),
        "in_database": sum(rows.values()),
        "lost": lost + wrong_status,
        "saved_without_acknowledgement": unacked_saved,
        "unexplained": unexplained,
        "wrong_final_status": wrong_status,
    }

    # Attendance: one history row per person per acknowledged save of each meeting.
    meeting_writes: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for write in by_kind["attendance"]:
        meeting_writes[write["meeting"]].append(write)
    rows = Counter(
        Attendance.history.model.objects.filter(  # type: ignore[attr-defined]
            meeting_id__in=list(meeting_writes), history_date__gte=started
        ).values_list("meeting_id", flat=True)
    )
    lost = unacked_saved = unexplained = 0
    acked_saves = found_saves = 0
    for meeting, attempts in meeting_writes.items():
        acked_rows = sum(w["people"] for w in attempts if w["acknowledged"])
        all_rows = sum(w["people"] for w in attempts)
        acked_saves += sum(1 for w in attempts if w["acknowledged"])
        people = max((w["people"] for w in attempts), default=1) or 1
        found_saves += rows[meeting] // people
        lost += -(-max(0, acked_rows - rows[meeting]) // people)  # whole saves missing, rounded up
        unacked_saved += max(0, min(rows[meeting], all_rows) - acked_rows) // people
        unexplained += max(0, rows[meeting] - all_rows)
    result["attendance"] = {
        "attempted": len(by_kind["attendance"]),
        "acknowledged": acked_saves,
        "in_database": found_saves,
        "lost": lost,
        "saved_without_acknowledgement": unacked_saved,
        "unexplained": unexplained,
    }
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writes", type=Path, required=True)
    parser.add_argument("--since", type=float, required=True, help="the run's start, seconds since the epoch")
    parser.add_argument("--run", required=True)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.bench")
    import django

    django.setup()
    writes = [json.loads(line) for line in args.writes.read_text().splitlines() if line.strip()]
    print(json.dumps(verify(writes, since=args.since, run=args.run)))


if __name__ == "__main__":
    main()
