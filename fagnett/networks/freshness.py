"""The region panel's network counts, kept in each worker until a write they are read from (issue 23;
``core.freshness``).

``selectors.network_concern_counts`` — how many of a person's networks each concern of the network list finds — is
the same for everyone who sees the same regions on the same day, and changes only when a network, its history, a
mandate, an appointment, a trust, a meeting or an annual report changes. Each worker keeps the counts per (regions,
day) under ``NETWORKS``' key, which moves with every committed write to those tables on any app server, so the next
request after a change counts afresh: a change shows at once.
"""

from fagnett.core.freshness import Freshness, Tables
from fagnett.networks.models import Appointment, Mandate, Network, NetworkChange
from fagnett.organisations.models import HealthTrust


def source_tables() -> Tables:
    """Every table the kept counts are read from (a test holds the counting statement to them). Meetings and annual
    reports belong to apps above this one: their tables are found through the relations."""
    tables = [model._meta.db_table for model in (Network, Mandate, Appointment, HealthTrust)]
    tables.append(Network.history.model._meta.db_table)
    for relation in ("meetings", "annual_reports"):
        related = Network._meta.get_field(relation).related_model
        assert related is not None and not isinstance(related, str)  # a relation, resolved once the apps are ready
        tables.append(related._meta.db_table)
    return dict.fromkeys(tables, None)


NETWORKS = Freshness(NetworkChange, source_tables)
