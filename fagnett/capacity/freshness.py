"""The capacity pages' figures, kept in each worker until a capacity write (issue 23; ``core.freshness``).

A round's figures (``selectors.round_figures``), its trend and its dimensioning are the same for everyone who may
see the round, and change only when a report round, a capacity entry, a situation report or the region's units,
hospitals and trusts change. Each worker keeps them per round under ``CAPACITY``'s key, which moves with every
committed write to those tables on any app server, so the next request after a change computes them afresh: a
change shows at once. The permission checks stay per request (``round_get``); nothing kept depends on who asks.
"""

from fagnett.capacity.models import CapacityChange, CapacityEntry, ReportRound, SituationLine, SituationReport
from fagnett.core.freshness import Freshness, Tables
from fagnett.organisations.models import HealthTrust, Hospital, Region, Unit


def source_tables() -> Tables:
    """Every table the kept figures are read from (a test reads what they read)."""
    models = (ReportRound, CapacityEntry, SituationReport, SituationLine, Unit, Hospital, HealthTrust, Region)
    return dict.fromkeys((model._meta.db_table for model in models), None)


CAPACITY = Freshness(CapacityChange, source_tables)
