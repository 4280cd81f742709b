"""Azurite, Microsoft's Azure Storage emulator (npm, frontend/package.json), for the tests of the Azure storage.

scripts/test.sh starts one for the whole run and exports its address in FAGNETT_TEST_AZURITE_BLOB_ENDPOINT; a
test run outside the script starts its own (the ``azurite_endpoint`` fixture). FAGNETT_TEST_REQUIRE_AZURITE=1
(set by the script) turns "Azurite is not installed" from a skip into a failure, so the suite cannot pass
without these tests having run.
"""

import os
import re
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

BINARY = Path(__file__).resolve().parent.parent / "frontend" / "node_modules" / ".bin" / "azurite-blob"
# Azurite's one account and its well-known key (documented by Microsoft; not a secret).
ACCOUNT = "devstoreaccount1"
KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
ENDPOINT_VARIABLE = "FAGNETT_TEST_AZURITE_BLOB_ENDPOINT"
REQUIRE_VARIABLE = "FAGNETT_TEST_REQUIRE_AZURITE"
_LISTENING = re.compile(r"listens on (http://127\.0\.0\.1:\d+)")


@contextmanager
def running_azurite(timeout: float = 30) -> Iterator[str]:
    """Start Azurite's blob service on 127.0.0.1 (a port the system picks) in a temporary folder; its endpoint."""
    if not BINARY.exists():
        message = f"Azurite is not installed ({BINARY} is missing): run `npm ci --prefix frontend` (make setup)."
        if os.environ.get(REQUIRE_VARIABLE):
            pytest.fail(message)
        pytest.skip(message)
    with tempfile.TemporaryDirectory(prefix="fagnett-azurite-") as folder:
        log = Path(folder) / "azurite.log"
        with log.open("w") as out:
            process = subprocess.Popen(
                [str(BINARY), "--blobHost", "127.0.0.1", "--blobPort", "0", "--location", folder, "--silent",
                 "--disableTelemetry", "--skipApiVersionCheck", "--loose"],
                stdout=out, stderr=subprocess.STDOUT,
            )  # fmt: skip
        try:
            deadline = time.monotonic() + timeout
            while not (found := _LISTENING.search(log.read_text())):
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"Azurite did not start:\n{log.read_text()}")
                time.sleep(0.1)
            yield f"{found.group(1)}/{ACCOUNT}"
        finally:
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def azure_environment(endpoint: str, container: str | None = None) -> dict[str, str]:
    """The environment that selects Azure Blob Storage in Azurite (README: FAGNETT_STORAGE and the rest)."""
    return {
        "FAGNETT_STORAGE": "azure",
        "FAGNETT_AZURE_ACCOUNT_NAME": ACCOUNT,
        "FAGNETT_AZURE_ACCOUNT_KEY": KEY,
        "FAGNETT_AZURE_BLOB_ENDPOINT": endpoint,
        "FAGNETT_AZURE_CONTAINER": container or new_container_name(),
    }


def new_container_name() -> str:
    # Each test a container of its own: the SQLite and PostgreSQL runs of scripts/test.sh share one Azurite.
    return f"test-{uuid.uuid4().hex}"
