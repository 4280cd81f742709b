"""How the identity provider's names for a trust are kept and read (organisations.TrustIdentity)."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from fagnett.organisations.models import HealthTrust, TrustIdentity, normalise_identity
from fagnett.organisations.selectors import trust_recognised
from tests.factories import make_region, make_trust

pytestmark = pytest.mark.django_db

Kind = TrustIdentity.Kind
TENANT = "6F1C2D3E-4B5A-4C7D-8E9F-0A1B2C3D4E5F"


def test_values_are_stored_in_one_form_and_wrong_ones_are_told_what_to_write() -> None:
    assert normalise_identity(Kind.EMAIL_DOMAIN, " @StOlav.NO ") == "stolav.no"
    assert normalise_identity(Kind.TENANT, "{" + TENANT + "}") == TENANT.lower()
    assert normalise_identity(Kind.ORGANISATION_NUMBER, "974 749 025") == "974749025"
    assert normalise_identity(Kind.ORGANISATION_NAME, "  St. Olavs   hospital ") == "St. Olavs hospital"
    for kind, wrong in [
        (Kind.EMAIL_DOMAIN, "kari@stolav.no"),
        (Kind.EMAIL_DOMAIN, "no"),
        (Kind.TENANT, "stolav"),
        (Kind.ORGANISATION_NUMBER, "974749026"),  # wrong check digit
    ]:
        assert normalise_identity(kind, wrong) == ""
        with translation.override("en"), pytest.raises(ValidationError) as refused:
            normalise_identity(kind, wrong, strict=True)
        assert refused.value.message_dict["value"], (kind, wrong)


@translation.override("en")
def test_a_value_points_to_one_trust_only_whatever_its_case() -> None:
    region = make_region()
    first, second = make_trust(region), make_trust(region)
    TrustIdentity(trust=first, kind=Kind.EMAIL_DOMAIN, value="stolav.no").save()
    TrustIdentity(trust=first, kind=Kind.ORGANISATION_NAME, value="Sykehuset").save()
    for kind, value in [(Kind.EMAIL_DOMAIN, "STOLAV.NO"), (Kind.ORGANISATION_NAME, "SYKEHUSET")]:
        duplicate = TrustIdentity(trust=second, kind=kind, value=value)
        with pytest.raises(ValidationError) as refused:
            duplicate.full_clean()
        assert refused.value.messages == ["This value already points to a health trust."]
    # The same text as another kind is another sign.
    TrustIdentity(trust=second, kind=Kind.ORGANISATION_NAME, value="stolav.no").full_clean()


def test_the_most_specific_sign_wins_within_the_region() -> None:
    region, other_region = make_region(), make_region()
    by_number, by_tenant, by_name, by_domain = (make_trust(region) for _ in range(4))
    elsewhere = make_trust(other_region, name="Helse Møre og Romsdal HF", short_name="HMR")
    TrustIdentity.objects.create(trust=by_number, kind=Kind.ORGANISATION_NUMBER, value="974749025")
    TrustIdentity.objects.create(trust=by_tenant, kind=Kind.TENANT, value=TENANT.lower())
    TrustIdentity.objects.create(trust=by_name, kind=Kind.ORGANISATION_NAME, value="Klinikk Øst")
    TrustIdentity.objects.create(trust=by_domain, kind=Kind.EMAIL_DOMAIN, value="stolav.no")

    def found(**signs: str) -> HealthTrust | None:
        recognised = trust_recognised(region=region, **signs)  # type: ignore[arg-type]
        return recognised.trust if recognised else None

    everything = {"email": "kari@StOlav.no", "tenant": TENANT, "organisation_number": "974 749 025"}
    assert found(**everything) == by_number
    assert found(email="kari@stolav.no", tenant=TENANT) == by_tenant
    assert trust_recognised(region=region, email="kari@stolav.no", names=("KLINIKK ØST",)).trust == by_name  # type: ignore[union-attr]
    assert found(email="kari@stolav.no") == by_domain
    assert found(email="kari@elsewhere.no", tenant="not-a-guid") is None
    # A trust's own name or short name, ignoring case (æ, ø, å too), but only in the region asked about.
    assert trust_recognised(names=("helse møre og romsdal hf",)).trust == elsewhere  # type: ignore[union-attr]
    assert trust_recognised(names=("hmr",), region=other_region).trust == elsewhere  # type: ignore[union-attr]
    assert trust_recognised(names=("HMR",), region=region) is None
    recognised = trust_recognised(region=region, email="kari@stolav.no")
    assert recognised is not None and recognised.describe() == "E-mail domain stolav.no"
