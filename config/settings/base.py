"""Settings shared by every environment. Environment variables are read in ``config.env`` only."""

from datetime import timedelta
from urllib.parse import urlsplit

from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config.env import BASE_DIR, database_config, env_bool, env_int, env_list, env_str, storage_config

SECRET_KEY = env_str("DJANGO_SECRET_KEY", "insecure-development-key-change-me")
DEBUG = False
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "django_htmx",
    "template_partials",
    "simple_history",
    "rules.apps.AutodiscoverRulesConfig",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "django_prometheus",
    "fagnett.core",
    "fagnett.accounts",
    "fagnett.organisations",
    "fagnett.networks",
    "fagnett.cases",
    "fagnett.progress",
    "fagnett.meetings",
    "fagnett.capacity",
    "fagnett.procedures",
    "fagnett.budget",
    "fagnett.opendata",
    "fagnett.events",
    "fagnett.funding",
    "fagnett.reports",
    "fagnett.topics",
    "fagnett.archive",
    "fagnett.audit",
    "fagnett.onboarding",
    "fagnett.web",
    "fagnett.ops",
    "fagnett.demo",
    "fagnett.provisioning",
    "fagnett.people",
]

MIDDLEWARE = [
    # First and last: the request metrics time everything between them, and the view's name is known at the end.
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    # Before anything that may log or answer early (the HTTPS redirect, a login redirect): the id is on all of it.
    "fagnett.core.request_id.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "fagnett.core.middleware.SecurityHeadersMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Every view needs a logged-in person unless marked @login_not_required (config/urls.py lists the public ones).
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "fagnett.core.middleware.SessionRefreshMiddleware",
    "fagnett.core.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "fagnett.web.context_processors.navigation",
            ],
            "builtins": ["django.templatetags.i18n", "fagnett.core.templatetags.kept_urls"],
        },
    }
]
FORM_RENDERER = "fagnett.core.forms.DesignsystemetFormRenderer"

DATABASES = {"default": database_config(BASE_DIR / "var" / "db.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
    # Inert unless OpenID Connect is configured (OIDC_ENABLED below).
    "fagnett.accounts.oidc.OIDCBackend",
]
PASSWORD_HASHERS = [
    "fagnett.accounts.hashers.Argon2idPasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Sessions end after an hour without activity. The expiry is pushed back at most once a minute
# (fagnett.core.middleware.SessionRefreshMiddleware), not by a write on every request.
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_SECONDS", 3600)
SESSION_REFRESH_SECONDS = 60
# The session is a cookie signed with SECRET_KEY (JSON: the person's id, the auth hash, the refresh time, single
# sign-on's state), so reading it costs no query; its signature's time enforces the idle timeout on the server. A
# logout or the end of a person's access makes the person's session epoch one higher, which changes the auth hash
# every session carries: a cookie copied before stops working (accounts.User; docs/ARCHITECTURE.md).
SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"
SESSION_COOKIE_SAMESITE = "Lax"

# How many reverse proxies in front of the app append the client's address to X-Forwarded-For; the client is that
# many entries from the right (fagnett.core.proxies). 0: the header is ignored, anyone could write it.
TRUSTED_PROXY_COUNT = env_int("FAGNETT_TRUSTED_PROXIES", 0)
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("FAGNETT_TRUSTED_PROXIES must be 0 or more.")

AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# Failures are counted per person, from every address together: behind the proxy everyone shares one address, so
# counting per address would let one person's typing lock out the whole hospital. The person-and-address pair is
# what axes' own check (axes.W006) asks for; its failures are a part of the person's, so it never locks first.
AXES_LOCKOUT_PARAMETERS = ["username", ["username", "ip_address"]]
# A successful login deletes the attempts matching the lock-out parameters, so only the person's own failures.
AXES_RESET_ON_SUCCESS = True
# The address is recorded with each attempt and login (axes' admin pages); django-ipware is not used.
AXES_CLIENT_IP_CALLABLE = "fagnett.core.proxies.client_ip"
# Axes guards the local passwords. The OpenID Connect callback carries no password (the provider checks it and
# throttles), so it is neither counted nor blocked: an IP address locked out by password guessing keeps single
# sign-on, and people refused as unknown do not lock out their colleagues behind the same address.
AXES_WHITELIST_CALLABLE = "fagnett.accounts.oidc.is_oidc_callback"

LANGUAGE_CODE = "nb"
LANGUAGES = [("nb", _("Norwegian Bokmål")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Dates, times and numbers per language: English in British formats with the 24-hour clock, and the named formats
# the templates use (WEEKDAY_DATETIME_FORMAT …); fagnett/core/formats/.
FORMAT_MODULE_PATH = ["fagnett.core.formats"]
TIME_ZONE = "Europe/Oslo"
USE_I18N = True
USE_TZ = True
LANGUAGE_COOKIE_NAME = "fagnett_language"
LANGUAGE_COOKIE_SECURE = False
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"

STATIC_URL = "static/"
STATIC_ROOT = env_str("FAGNETT_STATIC_ROOT", str(BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploaded files live outside the web root and are only ever served through a permission check.
MEDIA_ROOT = env_str("FAGNETT_MEDIA_ROOT", str(BASE_DIR / "var" / "media"))
STORAGES = {
    # A local folder (MEDIA_ROOT) unless FAGNETT_STORAGE names Azure Blob Storage or S3 (config.env.storage_config).
    "default": storage_config(),
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# No URL serves this folder: downloads go through views that check permission first.
MEDIA_URL = "/_not-served/"
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# An uploaded Office or OpenDocument file is a ZIP package. Before one is opened (to scan its text, or to import a
# workbook), its directory must stay within these bounds: entries, unpacked size in all and per part, and how many
# times a part of more than 1 MB may have shrunk. An 84 KB workbook can otherwise unpack to millions of strings.
# Measured: the large parts of files made by python-docx, openpyxl, python-pptx and odfpy pack 12-37 times (small,
# regular ones up to a few hundred times, hence the 1 MB grace), a zip bomb several hundred times; the capacity
# workbook at its 20 000-row limit unpacks to about 18 MB.
UPLOAD_PACKAGE_MAX_ENTRIES = env_int("UPLOAD_PACKAGE_MAX_ENTRIES", 5000)
UPLOAD_PACKAGE_MAX_UNPACKED_MB = env_int("UPLOAD_PACKAGE_MAX_UNPACKED_MB", 200)
UPLOAD_PACKAGE_MAX_PART_MB = env_int("UPLOAD_PACKAGE_MAX_PART_MB", 100)
UPLOAD_PACKAGE_MAX_RATIO = env_int("UPLOAD_PACKAGE_MAX_RATIO", 200)
# Uploaded files are read (documents scanned for identity numbers, workbooks imported) in a child process of the
# worker with these operating-system limits: memory it may add to what it shares with the worker, and CPU seconds.
# Keep the CPU limit well under gunicorn's --timeout (default 30 s). 0 turns a limit off.
UPLOAD_READER_MEMORY_MB = env_int("UPLOAD_READER_MEMORY_MB", 512)
UPLOAD_READER_CPU_SECONDS = env_int("UPLOAD_READER_CPU_SECONDS", 20)

EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_str("EMAIL_USE_TLS", "false").lower() == "true"
# Seconds to wait for the mail server before an attempt counts as failed (fagnett.core.mail); none would hang forever.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
# The outbox (fagnett.core.mail, docs/OPERATIONS.md "E-mail"): a mail the server could not take (down, timeout, 4xx) is
# tried again after FAGNETT_MAIL_RETRY_DELAY seconds, the wait doubling each time up to FAGNETT_MAIL_RETRY_MAX_DELAY;
# it is marked failed after FAGNETT_MAIL_MAX_ATTEMPTS attempts or once FAGNETT_MAIL_GIVE_UP_AFTER seconds have passed
# since it was queued, whichever comes first. The defaults retry for about a day and a half (30 s, 1 min, … then
# hourly). A mail claimed by a worker that then vanished is queued again after FAGNETT_MAIL_SENDING_LEASE seconds;
# sent and failed mails are deleted after FAGNETT_MAIL_KEEP_DAYS days (they hold the mail's text).
FAGNETT_MAIL_RETRY_DELAY = env_int("FAGNETT_MAIL_RETRY_DELAY", 30)
FAGNETT_MAIL_RETRY_MAX_DELAY = env_int("FAGNETT_MAIL_RETRY_MAX_DELAY", 3600)
FAGNETT_MAIL_MAX_ATTEMPTS = env_int("FAGNETT_MAIL_MAX_ATTEMPTS", 40)
FAGNETT_MAIL_GIVE_UP_AFTER = env_int("FAGNETT_MAIL_GIVE_UP_AFTER", 2 * 24 * 3600)
FAGNETT_MAIL_SENDING_LEASE = env_int("FAGNETT_MAIL_SENDING_LEASE", 15 * 60)
FAGNETT_MAIL_KEEP_DAYS = env_int("FAGNETT_MAIL_KEEP_DAYS", 30)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Fagnett <fagnett@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# The address people reach Fagnett at, e.g. https://fagnett.helse-nord.no: every link in an e-mail is built from it
# (mail is sent outside any request, so the request's host cannot be used). Production refuses to start without it.
FAGNETT_SITE_URL = (env_str("FAGNETT_SITE_URL") or "http://127.0.0.1:8000").rstrip("/")
_site = urlsplit(FAGNETT_SITE_URL)
if _site.scheme not in {"http", "https"} or not _site.netloc or _site.path or _site.query or _site.fragment:
    raise ImproperlyConfigured(
        f"FAGNETT_SITE_URL must be the site's address, scheme and host only (e.g. https://fagnett.example.no), "
        f"not {FAGNETT_SITE_URL!r}."
    )

X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_HTTPONLY = True
# Browser features Fagnett does not use, switched off on every page (fagnett.core.middleware.SecurityHeadersMiddleware).
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        # Only names Chromium knows: it warns in the console about any other.
        "accelerometer",
        "autoplay",
        "browsing-topics",
        "camera",
        "clipboard-read",
        "display-capture",
        "encrypted-media",
        "gamepad",
        "geolocation",
        "gyroscope",
        "hid",
        "idle-detection",
        "local-fonts",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "picture-in-picture",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "usb",
        "window-management",
        "xr-spatial-tracking",
    )
)

# Strict policy: no inline script or style anywhere. Designsystemet's CSS uses data: URIs for icons.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

# Background jobs (Django's Tasks API, backported by django-tasks): the database backend keeps the queue in our own
# database, so the demo needs nothing beside SQLite and production nothing beside PostgreSQL. Workers run
# `manage.py worker` (django_tasks_db's db_worker plus the scheduler; make run starts one; docs/OPERATIONS.md has
# the systemd unit).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# Scheduled jobs (fagnett.core.schedule) run inside the workers (`manage.py worker`), each once per day or interval
# however many workers run. The reminders go out daily at this local time (HH:MM, Europe/Oslo).
REMINDERS_AT = env_str("FAGNETT_REMINDERS_AT", "07:00")
# The daily digest of notifications (fagnett.core.digest) for those who chose it: after the reminders, so the day's
# reminders are in the same morning's digest.
DIGEST_AT = env_str("FAGNETT_DIGEST_AT", "07:30")
# How long the record of which scheduled slots ran is kept.
SCHEDULE_KEEP_DAYS = 30
# Files made by background jobs (core.downloads): kept this many hours after they are ready, then deleted by
# core.downloads.expire_due (the daily run, or `manage.py downloads_sweep`).
FAGNETT_DOWNLOADS_KEEP_HOURS = env_int("FAGNETT_DOWNLOADS_KEEP_HOURS", 72)
# A running job touches its record every HEARTBEAT seconds; one silent for STALE seconds lost its worker (killed,
# host gone) and is started once more, or marked failed with a message if it already was.
FAGNETT_DOWNLOADS_HEARTBEAT_SECONDS = env_int("FAGNETT_DOWNLOADS_HEARTBEAT_SECONDS", 10)
FAGNETT_DOWNLOADS_STALE_SECONDS = env_int("FAGNETT_DOWNLOADS_STALE_SECONDS", 120)
# A confirmed region import with more rows than this runs as a background job (core.downloads) instead of in the
# request; a national import takes about 35 s.
FAGNETT_IMPORT_JOB_ROWS = env_int("FAGNETT_IMPORT_JOB_ROWS", 300)

# Logs go to standard error, as lines of text (development) or of JSON (production's default): FAGNETT_LOG_FORMAT.
# Each line carries the request's id (fagnett.core.request_id), "-" outside a request.
LOG_FORMAT = env_str("FAGNETT_LOG_FORMAT", "text")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "fagnett.core.request_id.RequestIdFilter"}},
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": ["asctime", "levelname", "name", "message", "request_id"],
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["request_id"], "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # The Azure SDK logs every HTTP request and its headers at INFO, WeasyPrint each step of every page it lays out
    # and fontTools each font it subsets: only their warnings and errors are news.
    "loggers": {
        "azure": {"level": "WARNING"},
        "weasyprint.progress": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
if LOG_FORMAT not in LOGGING["formatters"]:  # type: ignore[operator]
    raise ImproperlyConfigured("FAGNETT_LOG_FORMAT must be 'text' or 'json'.")

# /metrics (Prometheus) answers only a scraper with this bearer token, or from these addresses or networks
# (comma-separated, e.g. 10.20.0.0/16), as seen behind FAGNETT_TRUSTED_PROXIES; to everyone else it does not exist.
METRICS_TOKEN = env_str("FAGNETT_METRICS_TOKEN")
METRICS_ALLOWED = env_list("FAGNETT_METRICS_ALLOWED")

# Error reports to Sentry (or a Sentry-compatible service such as GlitchTip) when SENTRY_DSN is set: no personal data
# (config.sentry says what is dropped).
SENTRY_DSN = env_str("SENTRY_DSN")
if SENTRY_DSN:
    from config.sentry import sentry_init

    sentry_init(SENTRY_DSN, environment=env_str("SENTRY_ENVIRONMENT", "production"))

SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

# How many months before a mandate's period ends the network page starts warning.
MANDATE_EXPIRY_WARNING_MONTHS = 6

# Single sign-on with OpenID Connect (mozilla-django-oidc), e.g. HelseID or Microsoft Entra ID. Every variable is
# described in docs/OPERATIONS.md. Off unless OIDC_RP_CLIENT_ID is set; then the provider's issuer and endpoints and
# a client credential (a secret, or a private key for private_key_jwt) must be set too.
OIDC_RP_CLIENT_ID = env_str("OIDC_RP_CLIENT_ID")
OIDC_RP_CLIENT_SECRET = env_str("OIDC_RP_CLIENT_SECRET")
OIDC_RP_CLIENT_PRIVATE_KEY_FILE = env_str("OIDC_RP_CLIENT_PRIVATE_KEY_FILE")
OIDC_RP_CLIENT_KEY_ID = env_str("OIDC_RP_CLIENT_KEY_ID")
OIDC_RP_CLIENT_ASSERTION_AUDIENCE = env_str("OIDC_RP_CLIENT_ASSERTION_AUDIENCE")
OIDC_OP_ISSUER = env_str("OIDC_OP_ISSUER")
OIDC_OP_AUTHORIZATION_ENDPOINT = env_str("OIDC_OP_AUTHORIZATION_ENDPOINT")
OIDC_OP_TOKEN_ENDPOINT = env_str("OIDC_OP_TOKEN_ENDPOINT")
OIDC_OP_JWKS_ENDPOINT = env_str("OIDC_OP_JWKS_ENDPOINT")
OIDC_OP_USER_ENDPOINT = env_str("OIDC_OP_USER_ENDPOINT")
OIDC_OP_PAR_ENDPOINT = env_str("OIDC_OP_PAR_ENDPOINT")
OIDC_OP_LOGOUT_ENDPOINT = env_str("OIDC_OP_LOGOUT_ENDPOINT")
OIDC_RP_SCOPES = env_str("OIDC_RP_SCOPES", "openid email profile")
OIDC_RP_SIGN_ALGO = env_str("OIDC_RP_SIGN_ALGO", "RS256")
# Who the provider's person is: first the identifier claim (compared exactly with User.sso_identifier: Entra ID's
# oid, HelseID's HPR number), then the e-mail claim (case-insensitively with User.email) unless the claim named by
# OIDC_EMAIL_VERIFIED_CLAIM is false. An empty name turns that way of matching off. OIDC_MATCH_CLAIM and
# OIDC_MATCH_FIELD, the earlier one-claim settings, still give the defaults.
_legacy_match_claim = env_str("OIDC_MATCH_CLAIM")
_legacy_by_identifier = env_str("OIDC_MATCH_FIELD", "email") == "sso_identifier"
OIDC_IDENTIFIER_CLAIM = env_str("OIDC_IDENTIFIER_CLAIM", _legacy_match_claim if _legacy_by_identifier else "")
OIDC_EMAIL_CLAIM = env_str("OIDC_EMAIL_CLAIM", "" if _legacy_by_identifier else (_legacy_match_claim or "email"))
OIDC_EMAIL_VERIFIED_CLAIM = env_str("OIDC_EMAIL_VERIFIED_CLAIM", "email_verified")
# Claims that say which organisation a new person belongs to, looked up in the region's trust identities
# (organisations.TrustIdentity) at a first login. Entra ID always sends its tenant as tid.
OIDC_TENANT_CLAIM = env_str("OIDC_TENANT_CLAIM", "tid")
OIDC_ORGANISATION_NUMBER_CLAIM = env_str("OIDC_ORGANISATION_NUMBER_CLAIM")
OIDC_PROVIDER_NAME = env_str("OIDC_PROVIDER_NAME", "single sign-on")
OIDC_ENABLED = bool(OIDC_RP_CLIENT_ID)
if OIDC_ENABLED:
    _oidc_missing = [
        name
        for name, value in [
            ("OIDC_OP_ISSUER", OIDC_OP_ISSUER),
            ("OIDC_OP_AUTHORIZATION_ENDPOINT", OIDC_OP_AUTHORIZATION_ENDPOINT),
            ("OIDC_OP_TOKEN_ENDPOINT", OIDC_OP_TOKEN_ENDPOINT),
            ("OIDC_OP_JWKS_ENDPOINT", OIDC_OP_JWKS_ENDPOINT),
            (
                "OIDC_RP_CLIENT_SECRET or OIDC_RP_CLIENT_PRIVATE_KEY_FILE",
                OIDC_RP_CLIENT_SECRET or OIDC_RP_CLIENT_PRIVATE_KEY_FILE,
            ),
        ]
        if not value
    ]
    if _oidc_missing:
        raise ImproperlyConfigured(f"OIDC_RP_CLIENT_ID is set, so these must be set too: {', '.join(_oidc_missing)}.")
    if env_str("OIDC_MATCH_FIELD", "email") not in {"email", "sso_identifier"}:
        raise ImproperlyConfigured("OIDC_MATCH_FIELD must be 'email' or 'sso_identifier'.")
    if not (OIDC_IDENTIFIER_CLAIM or OIDC_EMAIL_CLAIM):
        raise ImproperlyConfigured("OIDC_IDENTIFIER_CLAIM or OIDC_EMAIL_CLAIM must name a claim.")
    if OIDC_OP_LOGOUT_ENDPOINT:
        # Browsers apply form-action to the redirect after the log-out form is posted.
        _logout = urlsplit(OIDC_OP_LOGOUT_ENDPOINT)
        CONTENT_SECURITY_POLICY["DIRECTIVES"]["form-action"].append(f"{_logout.scheme}://{_logout.netloc}")
OIDC_USE_PKCE = True
OIDC_PKCE_CODE_CHALLENGE_METHOD = "S256"
OIDC_TIMEOUT = 10
# The ID token is kept only to end the session at the provider too (id_token_hint at log-out).
OIDC_STORE_ID_TOKEN = bool(OIDC_OP_LOGOUT_ENDPOINT)
OIDC_OP_LOGOUT_URL_METHOD = "fagnett.accounts.oidc.provider_logout_url"
OIDC_AUTHENTICATE_CLASS = "fagnett.accounts.oidc.OIDCAuthenticationRequestView"
OIDC_CALLBACK_CLASS = "fagnett.accounts.oidc.OIDCCallbackView"

# Provisioning from the identity provider (SCIM 2.0 at /scim/v2/, django-scim2; fagnett.provisioning). A region's
# coordinator issues the bearer keys. Locations in answers are built from FAGNETT_SITE_URL.
SCIM_SERVICE_PROVIDER = {
    "SCHEME": _site.scheme,
    "NETLOC": _site.netloc,
    "AUTHENTICATION_SCHEMES": [
        {
            "type": "oauthbearertoken",
            "name": "Bearer token",
            "description": "A region's provisioning key (fnscim_…), issued by its coordinator: Authorization: Bearer …",
            "specUri": "https://www.rfc-editor.org/rfc/rfc6750",
            "primary": True,
        }
    ],
    "USER_ADAPTER": "fagnett.provisioning.scim.PersonAdapter",
    "GROUP_ADAPTER": "fagnett.provisioning.scim.GroupAdapter",
    "GROUP_MODEL": "fagnett.provisioning.models.ScimGroup",
    "SERVICE_PROVIDER_CONFIG_MODEL": "fagnett.provisioning.scim.ServiceProviderConfig",
    "BASE_LOCATION_GETTER": "fagnett.provisioning.scim_auth.base_location",
    "AUTH_CHECK_MIDDLEWARE": "fagnett.provisioning.scim_auth.BearerKeyCheck",
    "WWW_AUTHENTICATE_HEADER": 'Bearer realm="Fagnett SCIM"',
}
# When Entra ID both provisions people and logs them in: its externalId (mapped from objectId) is also the person's
# single sign-on identifier (OIDC_IDENTIFIER_CLAIM=oid), so a provisioned person's first login finds them.
SCIM_EXTERNAL_ID_IS_SSO_IDENTIFIER = env_bool("SCIM_EXTERNAL_ID_IS_SSO_IDENTIFIER", False)
