"""What a person holds: regions, trusts and network roles, read once per request.

Every permission rule and every selector asks this object instead of querying roles itself, so a
page costs the same few queries however many rules it checks.

This is the layer between accounts and networks (docs/ARCHITECTURE.md, "Layers"): networks' rules and every
app above ask it, so it may not import networks. It reads the person's appointments through the reverse
relation ``user.appointments`` (``networks.Appointment.person``) instead.
"""

from dataclasses import dataclass, field

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q
from django.http import HttpRequest

from fagnett.accounts.models import RegionRole, TrustRole, User
from fagnett.organisations.models import HealthTrust

_CACHE_ATTR = "_fagnett_access"

#: ``networks.Appointment.Status.APPOINTED``: only an appointment that was made gives a role (networks' tests
#: check that the two agree).
APPOINTED = "appointed"


@dataclass(frozen=True)
class Access:
    is_superuser: bool = False
    trust_id: int | None = None
    coordinator_regions: frozenset[int] = frozenset()
    director_regions: frozenset[int] = frozenset()
    fagsjef_trusts: frozenset[int] = frozenset()
    reporter_trusts: frozenset[int] = frozenset()
    #: network id → roles the person is appointed to (appointed status only)
    network_roles: dict[int, frozenset[str]] = field(default_factory=dict)
    #: every region the person belongs to in any way
    regions: frozenset[int] = frozenset()
    #: region of every trust in which the person holds a trust role
    trust_regions: dict[int, int] = field(default_factory=dict)
    #: region of every network the person is appointed in
    network_regions: dict[int, int] = field(default_factory=dict)

    def is_coordinator(self, region_id: int | None) -> bool:
        return self.is_superuser or region_id in self.coordinator_regions

    def is_director(self, region_id: int | None) -> bool:
        return region_id in self.director_regions

    def in_region(self, region_id: int | None) -> bool:
        return self.is_superuser or region_id in self.regions

    def roles_in(self, network_id: int | None) -> frozenset[str]:
        return self.network_roles.get(network_id or 0, frozenset())

    def is_fagsjef_in_region(self, region_id: int | None) -> bool:
        return any(self.trust_regions.get(t) == region_id for t in self.fagsjef_trusts)

    def leads_network_in(self, region_id: int | None, leading_roles: frozenset[str]) -> bool:
        """True if the person holds one of ``leading_roles`` in some network of the region."""
        return any(
            roles & leading_roles and self.network_regions.get(network_id) == region_id
            for network_id, roles in self.network_roles.items()
        )

    @property
    def is_coordinator_anywhere(self) -> bool:
        return self.is_superuser or bool(self.coordinator_regions)

    @property
    def is_fagsjef_anywhere(self) -> bool:
        return bool(self.fagsjef_trusts)


class AuthenticatedRequest(HttpRequest):
    """The request of a view behind ``LoginRequiredMiddleware``: its ``user`` is a person, never anonymous."""

    user: User


ANONYMOUS = Access()


def access_for(user: User | AnonymousUser | None) -> Access:
    """The ``Access`` of ``user``, computed once and kept on the user object for the request."""
    if user is None or not user.is_authenticated:
        return ANONYMOUS
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is not None:
        return cached

    region_roles = list(RegionRole.objects.filter(user=user).values_list("region_id", "role"))
    trust_roles = list(TrustRole.objects.filter(user=user).values_list("trust_id", "trust__region_id", "role"))
    appointments = list(
        user.appointments.filter(status=APPOINTED).values_list("network_id", "network__region_id", "role")
    )
    own_region = (
        HealthTrust.objects.filter(pk=user.trust_id).values_list("region_id", flat=True).first()
        if user.trust_id
        else user.region_employer_id
    )

    network_roles: dict[int, set[str]] = {}
    regions: set[int] = {own_region} if own_region else set()
    for network_id, region_id, role in appointments:
        network_roles.setdefault(network_id, set()).add(role)
        regions.add(region_id)
    regions.update(region_id for region_id, _ in region_roles)
    regions.update(region_id for _, region_id, _ in trust_roles)

    access = Access(
        is_superuser=user.is_superuser,
        trust_id=user.trust_id,
        coordinator_regions=frozenset(r for r, role in region_roles if role == RegionRole.Role.COORDINATOR),
        director_regions=frozenset(r for r, role in region_roles if role == RegionRole.Role.MEDICAL_DIRECTOR),
        fagsjef_trusts=frozenset(t for t, _, role in trust_roles if role == TrustRole.Role.FAGSJEF),
        reporter_trusts=frozenset(t for t, _, role in trust_roles if role == TrustRole.Role.CAPACITY_REPORTER),
        network_roles={k: frozenset(v) for k, v in network_roles.items()},
        regions=frozenset(regions),
        trust_regions={t: r for t, r, _ in trust_roles},
        network_regions={network_id: region_id for network_id, region_id, _ in appointments},
    )
    setattr(user, _CACHE_ATTR, access)
    return access


def forget_access(user: User | AnonymousUser | None) -> None:
    """Drop the cached ``Access`` after a change of the person's roles within the same request."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def visible_region_filter(user: User | AnonymousUser | None, field_name: str = "region") -> Q:
    """A filter limiting a queryset to the regions ``user`` belongs to."""
    access = access_for(user)
    if access.is_superuser:
        return Q()
    return Q(**{f"{field_name}__in": access.regions})
