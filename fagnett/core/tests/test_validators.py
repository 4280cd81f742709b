import datetime

import pytest
from django.core.exceptions import ValidationError
from hypothesis import assume, given
from hypothesis import strategies as st

from fagnett.core.validators import find_national_id_numbers, validate_no_national_id

W1 = (3, 7, 6, 1, 8, 9, 4, 5, 2)
W2 = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)


def control_digits(nine: str) -> str | None:
    """The two mod-11 control digits of a national identity number, or None when none exist."""
    k1 = (11 - sum(w * int(d) for w, d in zip(W1, nine, strict=True)) % 11) % 11
    if k1 == 10:
        return None
    k2 = (11 - sum(w * int(d) for w, d in zip(W2, nine + str(k1), strict=True)) % 11) % 11
    if k2 == 10:
        return None
    return f"{k1}{k2}"


@st.composite
def identity_numbers(draw: st.DrawFn, d_number: bool = False) -> str:
    born = draw(st.dates(min_value=datetime.date(1940, 1, 1), max_value=datetime.date(2039, 12, 31)))
    assume(born <= datetime.date.today())
    # Individual numbers by century, as the Norwegian register assigns them.
    individual = draw(st.integers(0, 499)) if born.year < 2000 else draw(st.integers(500, 999))
    day = born.day + (40 if d_number else 0)
    nine = f"{day:02d}{born.month:02d}{born.year % 100:02d}{individual:03d}"
    digits = control_digits(nine)
    assume(digits is not None)
    return nine + str(digits)


@given(identity_numbers())
def test_text_with_a_valid_national_identity_number_is_refused(number: str) -> None:
    with pytest.raises(ValidationError) as error:
        validate_no_national_id(f"Pasienten med nr {number} ble overflyttet.")
    assert "fødselsnummer" in str(error.value.messages[0])


@given(identity_numbers(d_number=True))
def test_text_with_a_valid_d_number_is_refused(number: str) -> None:
    assert find_national_id_numbers(f"D-nummer: {number}") == [number]


@given(identity_numbers())
def test_number_written_with_a_space_is_found(number: str) -> None:
    assert find_national_id_numbers(f"{number[:6]} {number[6:]}") == [number]


@given(identity_numbers(), st.integers(1, 9))
def test_number_with_a_wrong_control_digit_is_accepted(number: str, change: int) -> None:
    wrong = number[:10] + str((int(number[10]) + change) % 10)
    validate_no_national_id(f"Referanse {wrong}")  # does not raise


def test_known_examples() -> None:
    # Published test numbers from python-stdnum's documentation.
    assert find_national_id_numbers("151086 95088") == ["15108695088"]
    assert find_national_id_numbers("15108695077") == []  # wrong control digits
    assert find_national_id_numbers("Ring 4799887766554 eller 123456789012") == []  # longer runs of digits
    assert find_national_id_numbers("") == []
