"""Checks of the identifiers an organisation carries: the organisation number (Brønnøysundregistrene) and RESH."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.exceptions import InvalidChecksum
from stdnum.exceptions import ValidationError as NumberError
from stdnum.no import orgnr


def normalise_org_number(value: str) -> str:
    """The nine digits of an organisation number however it is written ("974 749 025", "NO 974749025 MVA")."""
    text = re.sub(r"^\s*NO", "", value.strip(), flags=re.IGNORECASE)
    text = re.sub(r"MVA\s*$", "", text, flags=re.IGNORECASE)
    return orgnr.compact(text)


def validate_org_number(value: str) -> None:
    """Nine digits whose last is the mod-11 check digit of the first eight (``stdnum.no.orgnr``)."""
    try:
        orgnr.validate(normalise_org_number(value))
    except InvalidChecksum:
        raise ValidationError(
            _(
                "%(value)s is not an organisation number: the check digit is wrong. Check the number against the "
                "register (Brønnøysundregistrene)."
            ),
            code="org_number_checksum",
            params={"value": value},
        ) from None
    except NumberError:
        raise ValidationError(
            _("%(value)s is not an organisation number: it has nine digits."),
            code="org_number_format",
            params={"value": value},
        ) from None


def validate_resh_id(value: str) -> None:
    """The unit's id in the Norwegian register of health enterprises (RESH): digits only."""
    if not value.isdigit() or len(value) > 12:
        raise ValidationError(
            _("%(value)s is not a RESH id: it is a number of at most twelve digits."),
            code="resh_id",
            params={"value": value},
        )
