"""The demo register follows the annual report: ~40 procedures worked on in 2024, ~65 in 2025, six networks on
pathways in 2025; the budget demo follows Helse Nord's grant letter."""

import pytest

from fagnett.budget import selectors as budget_selectors
from fagnett.networks.models import Network
from fagnett.organisations.models import Region
from fagnett.procedures.selectors import procedure_counts

pytestmark = pytest.mark.django_db


def test_demo_counts_follow_the_annual_report(demo: None) -> None:
    hmn = Region.objects.get(short_name="HMN")
    counts_2025 = procedure_counts(region_id=hmn.pk, year=2025)
    assert counts_2025.worked_on == 65
    assert counts_2025.worked_on_last_year == 40
    assert counts_2025.change == 25  # "about 25 more than the year before"
    assert counts_2025.networks_with_pathways == 6

    icu = Network.objects.get(name="Fagnettverk for ledere på intensivavdelinger")
    grants = budget_selectors.grant_list(network=icu)
    # The mandate period's 750 000 kr (seed 004), and this year's regional funding granted on application.
    assert [(g.amount, g.source) for g in grants] == [
        (750_000, "Helse Nords fagmidler"),
        (180_000, "Regionale fagmidler 2026"),
    ]
    overall = budget_selectors.balance_overall(grants=grants)
    assert overall.granted == 930_000 and 0 < overall.spent < 750_000
    funds = budget_selectors.use_of_funds(network=icu, year=2025)
    assert {row.kind for row in funds.rows if row.amount} == {"secretariat", "gathering", "catering", "documentation"}
