from collections.abc import Collection, Iterable
from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _appointed_in(pks: Collection[Any]) -> Iterable[int | None]:
    """Everyone with an appointment in the networks: a network's region is the region of its appointments."""
    from fagnett.networks.models import Appointment

    return Appointment._base_manager.filter(network_id__in=pks).values_list("person_id", flat=True)


class NetworksConfig(AppConfig):
    name = "fagnett.networks"
    verbose_name = _("Networks")

    def ready(self) -> None:
        from fagnett.access import watch
        from fagnett.core.freshness import connect
        from fagnett.networks import freshness
        from fagnett.networks.models import Appointment, Network

        connect(freshness.NETWORKS)

        # What a person holds in a network (fagnett.access reads it): every write of it makes their access version
        # one higher.
        watch(
            Appointment,
            ["person", "network", "role", "status"],
            lambda pks: Appointment._base_manager.filter(pk__in=pks).values_list("person_id", flat=True),
        )
        watch(Network, ["region"], _appointed_in)
