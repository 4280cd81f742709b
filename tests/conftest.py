"""Fixtures of the apps' own tests that the cross-app tests here use too, and the Azure storage in Azurite."""

import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core.files.storage import Storage, storages

from config.env import storage_config
from fagnett.accounts.tests.conftest import oidc_entra_like, oidc_provider
from fagnett.provisioning.tests.conftest import scim, scim_key
from tests import azurite

__all__ = ["oidc_entra_like", "oidc_provider", "scim", "scim_key"]

UseAzure = Callable[[], Storage]


@pytest.fixture(scope="session")
def azurite_endpoint() -> Iterator[str]:
    """The blob endpoint of the Azurite that scripts/test.sh started, or of one started for this run."""
    if endpoint := os.environ.get(azurite.ENDPOINT_VARIABLE):
        yield endpoint
        return
    with azurite.running_azurite() as endpoint:
        yield endpoint


@pytest.fixture
def use_azure(azurite_endpoint: str, settings: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[UseAzure]:
    """``use_azure()`` makes the default storage a new, empty container in Azurite, chosen by the environment
    variables an operator sets (read by the settings' own ``storage_config``), and returns that storage. Called
    again, it switches to another new container. The containers are deleted afterwards."""
    made: list[Storage] = []

    def switch() -> Storage:
        for name, value in azurite.azure_environment(azurite_endpoint).items():
            monkeypatch.setenv(name, value)
        settings.STORAGES = {**settings.STORAGES, "default": storage_config()}
        storage: Any = storages["default"]  # the instance default_storage and every FileField use
        storage.client.create_container()
        made.append(storage)
        return storage

    yield switch
    for storage in made:
        storage.client.delete_container()  # type: ignore[attr-defined]
