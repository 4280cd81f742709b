import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
application = get_wsgi_application()

# Warmed here, before gunicorn (--preload) forks the workers, so that each starts ready and they share the memory:
# every view module (through the URLconf), WeasyPrint, which the child processes that lay out PDFs
# (fagnett.core.forked) would otherwise import anew each time, for one to two seconds, and pypdf, which the child
# that reads an uploaded PDF would import anew for every upload (0.8 s, 43 MB after WeasyPrint).
from django.urls import get_resolver  # noqa: E402

get_resolver().url_patterns  # noqa: B018
import pypdf  # noqa: E402, F401
import weasyprint  # noqa: E402, F401
