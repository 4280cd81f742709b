from typing import Any

import requests
from django.core.management.base import BaseCommand, CommandError, CommandParser

#: Fagnett's environment variable for each field of the provider's discovery document.
DISCOVERY_FIELDS = [
    ("OIDC_OP_ISSUER", "issuer"),
    ("OIDC_OP_AUTHORIZATION_ENDPOINT", "authorization_endpoint"),
    ("OIDC_OP_TOKEN_ENDPOINT", "token_endpoint"),
    ("OIDC_OP_JWKS_ENDPOINT", "jwks_uri"),
    ("OIDC_OP_USER_ENDPOINT", "userinfo_endpoint"),
    ("OIDC_OP_PAR_ENDPOINT", "pushed_authorization_request_endpoint"),
    ("OIDC_OP_LOGOUT_ENDPOINT", "end_session_endpoint"),
]


class Command(BaseCommand):
    help = (
        "Read an OpenID provider's discovery document (ISSUER/.well-known/openid-configuration) and print the "
        "OIDC_OP_* environment variables for it. Review them before use: see docs/OPERATIONS.md."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("issuer", help="e.g. https://helseid-sts.nhn.no")

    def handle(self, *args: Any, **options: Any) -> None:
        issuer = options["issuer"].rstrip("/")
        url = f"{issuer}/.well-known/openid-configuration"
        try:
            response = requests.get(url, timeout=10)
            response.raise_for_status()
            document = response.json()
        except (requests.RequestException, ValueError) as exc:
            raise CommandError(f"Could not read {url}: {exc}") from exc
        # OpenID Connect Discovery 1.0, section 4.3: the document must name the issuer it was fetched from.
        if str(document.get("issuer", "")).rstrip("/") != issuer:
            raise CommandError(f"{url} names another issuer: {document.get('issuer')!r}.")
        if "RS256" not in document.get("id_token_signing_alg_values_supported", ["RS256"]):
            raise CommandError("The provider does not sign ID tokens with RS256, which Fagnett expects.")
        for variable, field in DISCOVERY_FIELDS:
            if document.get(field):
                self.stdout.write(f"{variable}={document[field]}")
