"""The one place where the environment is read.

Every setting that differs between machines comes from an environment variable; the names are
listed in the README. Nothing else in the project reads ``os.environ``.
"""

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return list(default or [])
    return [item.strip() for item in value.split(",") if item.strip()]


def database_config(default_sqlite: Path) -> dict[str, object]:
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{default_sqlite}"
    # Connections are kept between requests for a minute: opening one (a new PostgreSQL backend) cost more CPU than
    # a whole request of the bare view (bench/RESULTS.md). Health checks test a kept connection before reuse, so a
    # restart of PostgreSQL costs no 500s afterwards (measured by `make bench-fault`). DB_CONN_MAX_AGE=0 opens one
    # per request (e.g. behind PgBouncer in transaction mode).
    config: dict[str, object] = dict(
        dj_database_url.parse(url, conn_max_age=env_int("DB_CONN_MAX_AGE", 60), conn_health_checks=True)
    )
    if "postgresql" in str(config["ENGINE"]):
        # No JIT: a page's queries are short, and the planner compiled one whenever its estimate passed jit_above_cost
        # (the case list's, 0.7-3.5 s of compiling on every request; issue 23, bench/RESULTS.md).
        options: dict[str, object] = {"options": "-c jit=off"}
        # Prepared statements: a statement run DB_PREPARE_THRESHOLD times on a kept connection is prepared: PostgreSQL
        # parses it once and, after five runs, plans it no more where a generic plan costs no more than its own
        # (plan_cache_mode auto). Planning was most of the busiest pages' PostgreSQL time (a meeting page
        # 3.9 -> 2.0 ms, a coordinator's start page 6.3 -> 3.9 ms; issue 23, bench/RESULTS.md). It needs
        # server-side binding (psycopg's own cursor); Django leaves both off for poolers in transaction mode:
        # behind one (PgBouncer older than 1.21, or without max_prepared_statements) set DB_PREPARE_THRESHOLD=0.
        prepare = env_int("DB_PREPARE_THRESHOLD", 5)
        if prepare > 0:
            options |= {"server_side_binding": True, "prepare_threshold": prepare}
        config["OPTIONS"] = options
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # WAL and a busy timeout let the demo server and a management command share the file.
        config["OPTIONS"] = {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    return config


# The settings each kind of file storage needs (docs/OPERATIONS.md, "Where the files are"). Values from the environment.
_STORAGE_KINDS = ("local", "azure", "s3")


def storage_config() -> dict[str, object]:
    """``STORAGES["default"]``: the local folder, an Azure Blob Storage container or an S3 bucket (FAGNETT_STORAGE).

    Every file is reached through Django's storage API, so the choice changes no code. Nothing is ever served from
    the storage directly: downloads go through permission-checked views (docs/ARCHITECTURE.md), so the backends are
    configured without public URLs, ACLs or signed links.
    """
    from django.core.exceptions import ImproperlyConfigured

    kind = env_str("FAGNETT_STORAGE", "local").strip().lower() or "local"
    if kind not in _STORAGE_KINDS:
        raise ImproperlyConfigured(f"FAGNETT_STORAGE must be one of {', '.join(_STORAGE_KINDS)}, not {kind!r}.")
    if kind == "local":
        # No location option: the storage follows MEDIA_ROOT (FAGNETT_MEDIA_ROOT), as Django's default does.
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}

    def required(*names: str) -> None:
        missing = [name for name in names if not env_str(name)]
        if missing:
            raise ImproperlyConfigured(f"FAGNETT_STORAGE={kind} needs {', '.join(missing)} to be set.")

    if kind == "azure":
        required("FAGNETT_AZURE_CONTAINER")
        connection_string = env_str("FAGNETT_AZURE_CONNECTION_STRING")
        if not connection_string:
            required("FAGNETT_AZURE_ACCOUNT_NAME", "FAGNETT_AZURE_ACCOUNT_KEY")
            account = env_str("FAGNETT_AZURE_ACCOUNT_NAME")
            endpoint = env_str("FAGNETT_AZURE_BLOB_ENDPOINT").rstrip("/")
            # A custom endpoint (Azurite, a private endpoint, a sovereign cloud) goes into a connection string, the
            # one form the Azure SDK takes it in together with an account key.
            connection_string = ";".join(
                [
                    f"DefaultEndpointsProtocol={endpoint.split('://')[0] if endpoint else 'https'}",
                    f"AccountName={account}",
                    f"AccountKey={env_str('FAGNETT_AZURE_ACCOUNT_KEY')}",
                    f"BlobEndpoint={endpoint}" if endpoint else "EndpointSuffix=core.windows.net",
                ]
            )
        return {
            "BACKEND": "storages.backends.azure_storage.AzureStorage",
            "OPTIONS": {
                "connection_string": connection_string,
                "azure_container": env_str("FAGNETT_AZURE_CONTAINER"),
                # Names are never reused: an upload with a taken name gets a new one, as on the local disk.
                "overwrite_files": False,
            },
        }
    required("FAGNETT_S3_BUCKET")
    options: dict[str, object] = {
        "bucket_name": env_str("FAGNETT_S3_BUCKET"),
        "file_overwrite": False,
        "default_acl": None,  # the bucket's own policy (private); no object is ever made public
    }
    for option, name in [
        ("endpoint_url", "FAGNETT_S3_ENDPOINT_URL"),
        ("region_name", "FAGNETT_S3_REGION"),
        ("access_key", "FAGNETT_S3_ACCESS_KEY_ID"),
        ("secret_key", "FAGNETT_S3_SECRET_ACCESS_KEY"),
        ("addressing_style", "FAGNETT_S3_ADDRESSING_STYLE"),
    ]:
        if env_str(name):
            options[option] = env_str(name)
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}
