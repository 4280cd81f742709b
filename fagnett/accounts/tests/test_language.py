import pytest
from django.core.exceptions import ValidationError

from fagnett.accounts.services import user_language_set
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def test_the_chosen_language_is_kept_and_an_unknown_one_refused() -> None:
    person = make_user("kari")
    user_language_set(person=person, language="en")
    person.refresh_from_db()
    assert person.language == "en"
    with pytest.raises(ValidationError):
        user_language_set(person=person, language="xx")
    person.refresh_from_db()
    assert person.language == "en"
