import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
application = get_wsgi_application()

# Warmed here, before gunicorn (--preload) forks the workers, so that each starts ready and they share the memory:
# every view module (through the URLconf), and WeasyPrint, which the child processes that lay out PDFs
# (fagnett.core.forked) would otherwise import anew each time, for one to two seconds.
from django.urls import get_resolver  # noqa: E402

get_resolver().url_patterns  # noqa: B018
import weasyprint  # noqa: E402, F401
