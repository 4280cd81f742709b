"""The demo's funding follows seed 004: Helse Nord's fagmidler, applied for by 1 February, granted to the ICU
leaders' network and recorded in its budget; a Helse Midt-Norge group waits for the decision."""

import pytest

from fagnett.accounts.models import User
from fagnett.budget.models import Grant
from fagnett.funding import demo, selectors
from fagnett.funding.models import Application, FundingCall
from fagnett.networks.models import Network

pytestmark = pytest.mark.django_db


@pytest.fixture
def funding_demo(demo: None) -> None:
    if not FundingCall.objects.exists():  # until the demo builder calls it itself
        demo.build()


def test_the_demo_calls_and_applications(funding_demo: None) -> None:
    """One test: loading the demo takes most of a minute."""
    call = FundingCall.objects.get(region__short_name="Helse Nord", year=2026)
    assert (call.deadline.month, call.deadline.day) == (2, 1)
    icu = Network.objects.get(name=demo.ICU_NETWORK)
    granted = Application.objects.get(call=call, network=icu)
    assert (granted.status, granted.applicant.username, granted.endorsed_by.username) == (
        "granted",
        "leder-intensiv",
        "fagsjef-unn",
    )
    assert granted.decided_by.username == "koordinator-nord"
    assert granted.grant == Grant.objects.get(network=icu, source="Regionale fagmidler 2026")
    assert granted.grant.amount == granted.amount_granted <= sum(line.amount for line in granted.lines.all())
    assert list(granted.events.values_list("kind", flat=True)) == ["created", "submitted", "endorsed", "granted"]
    draft = Application.objects.get(call__region=call.region, call__year=2027)
    assert draft.status == "draft" and draft.network == icu

    # A Helse Midt-Norge group that wants to become a network waits for the coordinator's decision.
    application = Application.objects.get(call__region__short_name="HMN")
    assert application.network is None and application.status == "endorsed"
    assert application.trust.short_name == "HMR" and application.endorsed_by.username == "fagsjef"
    summary = selectors.call_summary(call=application.call)
    assert summary.endorsed == sum(line.amount for line in application.lines.all())
    full = Application.objects.select_related("call").get(pk=application.pk)
    assert User.objects.get(username="koordinator").has_perm("funding.decide_application", full)
