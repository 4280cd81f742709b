"""Production: every secret and address comes from the environment (see the README)."""

from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_int, env_str

from .base import *  # noqa: F403
from .base import LOGGING, SECRET_KEY

DEBUG = False
if not env_str("DJANGO_SECRET_KEY") or SECRET_KEY.startswith("insecure"):
    raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set in production.")
# Links in e-mails would otherwise point at the development address.
if not env_str("FAGNETT_SITE_URL"):
    raise ImproperlyConfigured("FAGNETT_SITE_URL must be set in production (e.g. https://fagnett.helse-nord.no).")

SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
LANGUAGE_COOKIE_SECURE = True
EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"

# JSON lines for the log collector, unless FAGNETT_LOG_FORMAT says otherwise.
LOG_FORMAT = env_str("FAGNETT_LOG_FORMAT", "json")
LOGGING["handlers"]["console"]["formatter"] = LOG_FORMAT  # type: ignore[index]
# The load balancer's probes and Prometheus may ask an app server directly over HTTP inside the network; these answers
# set no cookies and carry nothing a redirect to HTTPS would protect.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
