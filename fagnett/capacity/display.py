"""Each capacity figure's decimals, the same on every surface: the pages, the recommendation's DOCX and PDF, the
CSV and Excel exports and the charts' labels. The writing itself (language, half-up rounding, "–" for missing)
is ``core.formatting``'s."""

from fagnett.core import formatting
from fagnett.core.formatting import Number

#: staffed beds per 100 000 inhabitants: 25,7
PER_100K_DIGITS = 1
#: offered load in erlang and admissions per day, as Erlang tables give them: 11,25
LOAD_DIGITS = 2
#: mean length of stay in days, and measured occupied beds (mean and 90th percentile): 4,5
DAYS_DIGITS = 1
#: ICU nurses (FTE) per staffed bed: 4,29
NURSES_DIGITS = 2
#: shares refused and units reported, as percentages: 1,8 %
PERCENT_DIGITS = formatting.PERCENT_DIGITS


def per_100k(value: Number | None, *, grouping: bool = True) -> str:
    return formatting.number(value, PER_100K_DIGITS, grouping=grouping)


def load(value: Number | None, *, grouping: bool = True) -> str:
    return formatting.number(value, LOAD_DIGITS, grouping=grouping)


def share(value: Number | None) -> str:
    """A share (0–1), e.g. of patients refused, as a percentage."""
    return formatting.percent(value, PERCENT_DIGITS)
