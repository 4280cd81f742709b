from typing import Any

from django import template

from fagnett.accounts.oidc import oidc_enabled, provider_name

register = template.Library()


@register.inclusion_tag("accounts/oidc_login.html")
def oidc_login(next_url: str = "") -> dict[str, Any]:
    """The "Log in with <provider>" button, when single sign-on is configured."""
    return {"enabled": oidc_enabled(), "provider_name": provider_name(), "next": next_url}
