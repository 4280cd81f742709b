"""A real OpenID Connect provider for the single sign-on tests: django-oauth-toolkit on 127.0.0.1.

``serve.py`` starts it on a free port from a JSON configuration (users, clients) written by the test fixture
(``fagnett/accounts/tests/conftest.py``). Besides what django-oauth-toolkit offers (authorization code flow with
PKCE, RS256 ID tokens, JWKS, userinfo, RP-initiated logout), it speaks what HelseID demands and the toolkit lacks:
client authentication with a signed client assertion (``private_key_jwt``) and pushed authorization requests
(PAR, RFC 9126). A client configured with a public key must use both.
"""
