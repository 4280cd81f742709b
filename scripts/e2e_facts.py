"""Prints, as JSON, what the production-like flow needs to know about the demo data (run by scripts/e2e.sh
through `manage.py shell`): the secretary's next meeting with an agenda item, a member who will be invited,
and the region and year of an annual report the coordinator can export."""

import json

from django.contrib.auth import get_user_model
from django.utils import timezone

from fagnett.meetings.models import AgendaItem
from fagnett.networks.selectors import network_participants
from fagnett.reports.models import RegionalReport

secretary = get_user_model().objects.get(username="sekretar")
item = (
    AgendaItem.objects.filter(
        meeting__network__appointments__person=secretary,
        meeting__starts_at__gt=timezone.now(),
        meeting__status__in=["planned", "invited"],
    )
    .select_related("meeting")
    .order_by("meeting__starts_at", "order")
    .first()
)
assert item is not None, "the demo has no upcoming meeting with an agenda item for the secretary"
member = next(p for p in network_participants(network=item.meeting.network) if p.email and p != secretary)
coordinator = get_user_model().objects.get(username="koordinator")
report = (
    RegionalReport.objects.filter(region__roles__user=coordinator, region__roles__role="coordinator")
    .order_by("-year")
    .first()
)
assert report is not None, "the demo has no regional report for the coordinator"
print(
    json.dumps(
        {
            "meeting_id": item.meeting_id,
            "item_id": item.pk,
            "member_email": member.email,
            "region_id": report.region_id,
            "year": report.year,
        }
    )
)
