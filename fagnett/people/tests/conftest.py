from collections.abc import Iterator

import pytest
from django.utils import translation

from fagnett.accounts.models import User


@pytest.fixture(autouse=True)
def english(request: pytest.FixtureRequest) -> Iterator[None]:
    """The tests read the English texts (the msgids), in services, mails and on the pages."""
    if "world" in request.fixturenames:
        request.getfixturevalue("world")
        User.objects.update(language="en")
    with translation.override("en"):
        yield
