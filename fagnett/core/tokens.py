"""Secrets handed out once (API keys, calendar addresses): only their hash is stored.

The secrets are long random strings (``secrets.token_urlsafe(32)``, 256 bits), so one SHA-256 without salt or
stretching is enough: nothing can be guessed from the hash, and a lookup by hash stays one indexed query.
"""

import hashlib


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
