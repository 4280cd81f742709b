"""gunicorn's entry point for the bench: ``config.wsgi``, warmed up before the workers fork.

With ``--preload`` the arbiter imports this once: Django, every app and, through the URLconf, every view module
(matplotlib, weasyprint, openpyxl …). Each worker, including one started after a crash, forks from that warm
process instead of importing it all again on its first request — which on a busy two-core machine takes longer
than gunicorn's 30 s timeout, so cold workers were killed before they had answered anything.
"""

from django.urls import get_resolver

from config.wsgi import application

get_resolver().url_patterns  # noqa: B018 — imports every view module now, in the arbiter

__all__ = ["application"]
