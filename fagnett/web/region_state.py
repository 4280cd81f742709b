"""The coordinator's view of the region on the start page: what needs attention, each a number that links to the
list showing exactly those items.

Every number is the count of the very selector and filter its list uses (the network list with a ``concern``, the
cases waiting to be routed with status "received"), so the number and the list cannot disagree. The numbers are
counted by hand-written statements (``network_concern_counts``, ``unrouted_case_count``: through the ORM, building
the lists' querysets cost most of the start page, issue 23), which tests hold to those selectors; the network
counts are kept in each worker until a write they count (``networks.freshness``). A medical director
sees the numbers whose lists they may open (the network list; routing cases is the coordinator's)."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.http import urlencode

from fagnett.access import access_for
from fagnett.accounts.models import User
from fagnett.cases.models import Case
from fagnett.cases.selectors import unrouted_case_count
from fagnett.networks import selectors as networks


@dataclass(frozen=True)
class Concern:
    key: str
    count: int
    url: str


@dataclass(frozen=True)
class RegionState:
    year: int
    report_year: int
    expiry_days: int
    concerns: dict[str, Concern]

    @property
    def needs_attention(self) -> int:
        return sum(c.count for c in self.concerns.values())


def region_state(*, user: User, unrouted: int | None = None) -> RegionState | None:
    """The region's state for a coordinator or medical director; None for anyone else. A fixed number of queries:
    the network list's counts (``network_concern_counts``: the freshness key, and one statement when it has moved)
    and the cases to route, unless the caller
    has counted them (``unrouted``: the start page, in its own statement)."""
    access = access_for(user)
    if not (access.is_coordinator_anywhere or access.director_regions):
        return None
    when = networks.region_year()
    network_list_url = reverse("networks:list")
    counts = networks.network_concern_counts(user=user, when=when)
    concerns = {
        key: Concern(key=key, count=counts[key], url=f"{network_list_url}?{urlencode({'concern': key})}")
        for key in networks.CONCERNS
    }
    if access.is_coordinator_anywhere:
        concerns["unrouted"] = Concern(
            key="unrouted",
            count=unrouted_case_count(user=user) if unrouted is None else unrouted,
            url=f"{reverse('cases:unrouted')}?{urlencode({'status': Case.Status.RECEIVED})}",
        )
    return RegionState(
        year=when.year, report_year=when.report_year, expiry_days=networks.MANDATE_EXPIRY_DAYS, concerns=concerns
    )
