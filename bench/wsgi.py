"""gunicorn's entry point for the bench: ``config.wsgi``, which warms every view module and WeasyPrint before the
workers fork (``--preload``).

Each worker, including one started after a crash, forks from that warm process instead of importing it all again on
its first request — which on a busy two-core machine takes longer than gunicorn's 30 s timeout, so cold workers were
killed before they had answered anything.
"""

from config.wsgi import application

__all__ = ["application"]
