"""Procedures with a given lifecycle, for the tests."""

import datetime
from typing import Any

from fagnett.networks.models import Network
from fagnett.procedures.models import Procedure, Status, StatusEvent


def make_procedure(
    network: Network,
    *events: tuple[str, datetime.date],
    kind: str = Procedure.Kind.PROCEDURE,
    **kwargs: Any,
) -> Procedure:
    """A procedure whose lifecycle is ``events`` (status, date), oldest first; proposed if none are given."""
    events = events or ((Status.PROPOSED, datetime.date(2025, 1, 1)),)
    procedure = Procedure.objects.create(
        network=network, kind=kind, title=kwargs.pop("title", "Sentralt venekateter"), status=events[-1][0], **kwargs
    )
    previous = ""
    for status, day in events:
        StatusEvent.objects.create(procedure=procedure, from_status=previous, status=status, happened_on=day)
        previous = status
    return procedure


def d(month: int, day: int = 1, year: int = 2025) -> datetime.date:
    return datetime.date(year, month, day)
