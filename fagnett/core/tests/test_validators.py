"""The identity-number guard finds a fødselsnummer or D-number however it is written, and only those.

Numbers are generated (random real birth dates, individual numbers by century, the two mod-11 control
digits), written in the ways people and word processors write them and embedded in random text.
"""

import datetime
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from stdnum.no import fodselsnummer

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
def identity_numbers(draw: st.DrawFn, d_number: bool | None = False) -> str:
    """A valid fødselsnummer, or a D-number (day + 40); ``d_number=None`` draws either."""
    if d_number is None:
        d_number = draw(st.booleans())
    born = draw(st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.date.today()))
    # Individual numbers by century, as the Norwegian register assigns them.
    if born.year < 1940:
        individual = draw(st.integers(0, 499))
    elif born.year < 2000:
        individual = draw(st.one_of(st.integers(0, 499), st.integers(900, 999)))
    else:
        individual = draw(st.integers(500, 999))
    day = born.day + (40 if d_number else 0)
    nine = f"{day:02d}{born.month:02d}{born.year % 100:02d}{individual:03d}"
    digits = control_digits(nine)
    assume(digits is not None)
    number = nine + str(digits)
    assert fodselsnummer.is_valid(number)  # the generator and python-stdnum agree
    return number


@st.composite
def wrong_numbers(draw: st.DrawFn) -> str:
    """A number shaped like an identity number whose control digits are wrong (a phone number, a reference)."""
    number = draw(identity_numbers(d_number=None))
    position = draw(st.sampled_from([9, 10]))
    wrong = number[:position] + str((int(number[position]) + draw(st.integers(1, 9))) % 10) + number[position + 1 :]
    assume(not fodselsnummer.is_valid(wrong))
    return wrong


# Every kind of space: ordinary, no-break, narrow no-break, en, thin, hair, ideographic, tab and line breaks.
SPACES = [" ", "\u00a0", "\u202f", "\u2002", "\u2009", "\u200a", "\u3000", "\t", "\n", "\r\n", "\u2028"]
# Every kind of dash: hyphen-minus, hyphen, non-breaking hyphen, figure dash, en and em dash, bar, minus.
DASHES = ["-", "\u2010", "\u2011", "\u2012", "\u2013", "\u2014", "\u2015", "\u2212", "\ufe63", "\uff0d"]
SLASHES = ["/", "\u2044", "\u2215", "\uff0f", "\\"]
DOTS = [".", "\uff0e", "\u00b7"]
# Written between digit groups; spaced dashes and dots as people type them.
SEPARATORS = [*SPACES, *DASHES, *SLASHES, *DOTS, "_", " - ", " \u2013 ", ". ", " / ", ".\n", "-\r\n"]
# Invisible: zero-width space, non-joiner, joiner, word joiner, byte order mark, soft hyphen, direction marks.
INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u200e", "\u202a", "\u2066"]
# ASCII, full-width, Arabic-Indic, extended Arabic-Indic, Devanagari, Bengali, mathematical bold and monospace.
DIGIT_ZEROS = [0x30, 0xFF10, 0x0660, 0x06F0, 0x0966, 0x09E6, 0x1D7CE, 0x1D7F6]


@st.composite
def digits_in(draw: st.DrawFn, digits: str) -> str:
    """``digits`` in a random script each, with random invisible characters between them."""
    out = []
    for index, digit in enumerate(digits):
        if index and draw(st.integers(0, 5)) == 0:
            out.append(draw(st.sampled_from(INVISIBLE)))
        out.append(chr(draw(st.sampled_from(DIGIT_ZEROS)) + int(digit)))
    return "".join(out)


@st.composite
def written(draw: st.DrawFn, number: str) -> str:
    """``number`` as a person or a word processor might write it."""
    form = draw(st.sampled_from(["groups", "date", "date with century"]))
    if form == "groups":
        # Cut anywhere: "151086 95088", "151 086 950 88", "1510869 5088"…
        cuts = sorted(draw(st.sets(st.integers(1, 10), max_size=10)))
        parts = [number[a:b] for a, b in zip([0, *cuts], [*cuts, 11], strict=True)]
    else:
        day, month, year, individual = number[0:2], number[2:4], number[4:6], number[6:]
        if form == "date with century":
            year = str(fodselsnummer.get_birth_date(number).year)
        parts = [day, month, year, *draw(st.sampled_from([[individual], [individual[:3], individual[3:]]]))]
    out = [draw(digits_in(parts[0]))]
    for part in parts[1:]:
        out.append(draw(st.sampled_from(SEPARATORS)))
        out.append(draw(digits_in(part)))
    return "".join(out)


# Random text around the number ends in a word, so its own digits never join the number's.
surrounding = st.text(max_size=40)


@settings(max_examples=500)
@given(st.data(), identity_numbers(d_number=None), surrounding, surrounding)
def test_a_valid_number_is_found_however_it_is_written(
    data: st.DataObject, number: str, before: str, after: str
) -> None:
    text = f"{before} Pasient nr. {data.draw(written(number))} ble overflyttet {after}"
    assert number in find_national_id_numbers(text)
    with pytest.raises(ValidationError) as error:
        validate_no_national_id(text)
    assert error.value.code == "national_id"


@settings(max_examples=500)
@given(st.data(), wrong_numbers(), surrounding, surrounding)
def test_a_number_with_wrong_control_digits_is_accepted_however_it_is_written(
    data: st.DataObject, wrong: str, before: str, after: str
) -> None:
    head, tail = f"{before} Ring ", f" eller send e-post {after}"
    text = head + data.draw(written(wrong)) + tail
    found = find_national_id_numbers(text)
    assert wrong not in found
    # Nothing is found that the random text around it does not hold by itself.
    assert set(found) <= set(find_national_id_numbers(head)) | set(find_national_id_numbers(tail))


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


@given(identity_numbers(d_number=None), st.sampled_from(["", " ", "1 ", "Side 2 av 3: ", "12 | "]))
def test_a_number_in_a_row_of_other_numbers_is_found(number: str, before: str) -> None:
    """A table row pasted from a word processor: the number among others, written as it usually is."""
    for shape in (number, f"{number[:6]} {number[6:]}", f"{number[:2]}.{number[2:4]}.{number[4:6]} {number[6:]}"):
        assert number in find_national_id_numbers(f"Rad {before}{shape} 3 4"), shape


@given(identity_numbers(d_number=None))
def test_a_number_in_a_link_or_a_file_name_is_found(number: str) -> None:
    spaced = f"{number[:6]} {number[6:]}"
    for text in (
        f"https://teams.example.org/l/meetup-join/{number[:6]}%20{number[6:]}",
        f"https://prosedyrer.example.no/sok?q={number[:6]}+{number[6:]}",
        f"https://prosedyrer.example.no/sok?fnr={number}&side=2",
        f"epikrise_{number[:6]}_{number[6:]}.docx",
        f"Epikrise {spaced}.pdf",
    ):
        assert number in find_national_id_numbers(text), text


def test_known_examples() -> None:
    # Published test numbers from python-stdnum's documentation.
    assert find_national_id_numbers("151086 95088") == ["15108695088"]
    assert find_national_id_numbers("15108695077") == []  # wrong control digits
    assert find_national_id_numbers("Ring 4799887766554 eller 123456789012") == []  # longer runs of digits
    assert find_national_id_numbers("") == []


@pytest.mark.parametrize(
    "text",
    [
        "15.10.86 95088",
        "15.10.1986 95088",
        "15/10/86-95088",
        "15 10 86 950 88",
        "151086\u00a095088",
        "151086\u202f95088",
        "1510\u200b86\u200d95088",
        "151086\u00ad95088",
        "151086\u201395088",
        "151086\u221295088",
        "151086\n95088",
        "\uff11\uff15\uff11\uff10\uff18\uff16\uff19\uff15\uff10\uff18\uff18",  # full-width
        "١٥١٠٨٦٩٥٠٨٨",  # Arabic-Indic
    ],
)
def test_written_forms_of_one_number(text: str) -> None:
    assert find_national_id_numbers(f"Pasient {text} innlagt") == ["15108695088"]


@pytest.mark.parametrize(
    "text",
    [
        # Digits are never joined across words or commas, however valid the result would be.
        "Født 151086 og journalnummer 95088",
        "151086, 95088",
        # A date with a four-digit year whose century the individual number contradicts (1886 ≠ 1986).
        "15.10.1886 95088",
    ],
)
def test_what_is_not_a_number(text: str) -> None:
    assert find_national_id_numbers(text) == []


dates = st.dates(min_value=datetime.date(1990, 1, 1), max_value=datetime.date(2039, 12, 31))
date_formats = st.sampled_from(["%d.%m.%y", "%d.%m.%Y", "%d/%m/%y", "%Y-%m-%d", "%d. %m. %Y", "%d%m%y"])
phones = st.integers(20_000_000, 99_999_999).map(lambda n: f"{n:08d}")
phone_formats = st.sampled_from(
    [
        lambda p: p,
        lambda p: f"{p[:2]} {p[2:4]} {p[4:6]} {p[6:]}",
        lambda p: f"{p[:3]} {p[3:5]} {p[5:]}",
        "+47 {}".format,
    ]
)


@given(dates, dates, date_formats, date_formats, st.sampled_from([" ", " - ", "–", " / ", "\n"]))
def test_two_dates_are_never_a_number(first: datetime.date, second: datetime.date, f1: str, f2: str, sep: str) -> None:
    assert find_national_id_numbers(f"Møtene {first.strftime(f1)}{sep}{second.strftime(f2)} i Tromsø") == []


@given(phones, phone_formats, st.integers(1990, 2039), st.sampled_from([" ", " / ", " - ", "\n"]))
def test_a_phone_number_and_a_year_are_never_a_number(phone: str, shape: Any, year: int, sep: str) -> None:
    assert find_national_id_numbers(f"Ring {shape(phone)}{sep}{year}") == []


@given(dates, date_formats, st.times(), st.sampled_from([" ", " kl. ", ", kl ", "\n"]))
def test_a_date_and_a_time_are_never_a_number(day: datetime.date, shape: str, time: datetime.time, sep: str) -> None:
    assert find_national_id_numbers(f"Møte {day.strftime(shape)}{sep}{time:%H.%M}–{time:%H:%M}") == []
