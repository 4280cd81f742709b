"""Guards that keep patient data out of Fagnett.

Fagnett must never hold patient data. Free text that contains a Norwegian national identity number
(fødselsnummer) or D-number — eleven digits whose two mod-11 control digits are valid — is refused.
Eleven-digit numbers that fail the control digits (phone numbers, case references) are accepted.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.no import fodselsnummer

# Eleven digits, optionally written as six and five with a space, hyphen or full stop between,
# not part of a longer run of digits.
_CANDIDATE = re.compile(r"(?<!\d)(\d{6})[ .\-]?(\d{5})(?!\d)")


def find_national_id_numbers(text: str) -> list[str]:
    """Return every valid national identity number or D-number found in ``text``."""
    found = []
    for match in _CANDIDATE.finditer(text or ""):
        number = match.group(1) + match.group(2)
        if fodselsnummer.is_valid(number):
            found.append(number)
    return found


def validate_no_national_id(value: str) -> None:
    if find_national_id_numbers(value):
        raise ValidationError(
            _(
                "This text looks like it contains a national identity number (fødselsnummer or "
                "D-number). Fagnett must not hold patient data: remove the number and try again."
            ),
            code="national_id",
        )
