"""Reads of the organisation: which trust the identity provider's person belongs to.

These take a region (or none), not a person: they answer single sign-on and provisioning, which act for no one
logged in. The coordinator's pages check permission in their own selectors before they call these.
"""

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import translation

from fagnett.organisations.models import HealthTrust, Region, TrustIdentity, normalise_identity


@dataclass(frozen=True)
class Recognised:
    """The trust a person was recognised as employed by, and by what (for history and the log)."""

    trust: HealthTrust
    kind: str
    value: str

    def describe(self) -> str:
        """For history's reason, which Fagnett writes in English whatever the language of the request."""
        with translation.override("en"):
            return f"{TrustIdentity.Kind(self.kind).label} {self.value}"


def trust_identity_list(*, region: Region) -> QuerySet[TrustIdentity]:
    return TrustIdentity.objects.filter(trust__region=region).select_related("trust")


def email_domain(email: str) -> str:
    """The domain of an address, lower case; "" for anything that is not an address."""
    local, at, domain = (email or "").strip().rpartition("@")
    return domain.lower() if at and local and domain else ""


def trust_recognised(
    *,
    email: str = "",
    tenant: str = "",
    organisation_number: str = "",
    names: tuple[str, ...] = (),
    region: Region | None = None,
) -> Recognised | None:
    """The trust the identity belongs to, or None when nothing recognises it.

    The most specific sign wins: an organisation number names one legal entity; a tenant, one directory; a name, what
    the provider's administrators wrote; an e-mail domain, what the address says (give only a verified address).
    A trust's own name or short name is recognised without a row. ``region`` limits the answer to its trusts.
    Names compare ignoring case (``__lower``: æ, ø and å too, on both databases).
    """
    trusts = HealthTrust.objects.all() if region is None else HealthTrust.objects.filter(region=region)
    signs = [
        (TrustIdentity.Kind.ORGANISATION_NUMBER, organisation_number),
        (TrustIdentity.Kind.TENANT, tenant),
        *((TrustIdentity.Kind.ORGANISATION_NAME, name) for name in names),
        (TrustIdentity.Kind.EMAIL_DOMAIN, email_domain(email)),
    ]
    for kind, raw in signs:
        value = normalise_identity(kind, raw) if raw else ""
        if not value:
            continue
        identity = (
            TrustIdentity.objects.filter(kind=kind, value__lower=value.lower(), trust__in=trusts)
            .select_related("trust")
            .first()
        )
        if identity is not None:
            return Recognised(identity.trust, kind, value)
        if kind == TrustIdentity.Kind.ORGANISATION_NAME:
            trust = (
                trusts.filter(Q(name__lower=value.lower()) | Q(short_name__lower=value.lower())).order_by("pk").first()
            )
            if trust is not None:
                return Recognised(trust, kind, value)
    return None
