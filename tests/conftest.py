"""Fixtures of the apps' own tests that the cross-app tests here use too."""

from fagnett.accounts.tests.conftest import oidc_entra_like, oidc_provider
from fagnett.provisioning.tests.conftest import scim, scim_key

__all__ = ["oidc_entra_like", "oidc_provider", "scim", "scim_key"]
