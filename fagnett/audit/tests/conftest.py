import pytest

from fagnett.accounts.models import User
from tests.factories import World


@pytest.fixture(autouse=True)
def english(world: World) -> None:
    """Pages in English for everyone in the world, so the tests read the words they assert whatever nb says."""
    User.objects.update(language="en")
