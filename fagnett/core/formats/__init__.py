"""Date and number formats per interface language (``FORMAT_MODULE_PATH``).

Django's own ``en`` formats are American ("Feb. 9, 2027", "2:30 p.m.", 02/09/2027); Fagnett's English is British
with the 24-hour clock that Norwegian hospitals use. Besides Django's names (``DATE_FORMAT`` …) each language
defines the named formats below, so a template writes ``|date:"WEEKDAY_DATETIME_FORMAT"`` instead of a Norwegian
pattern such as ``"l j. F Y, H:i"`` (a name Django does not find in the active language's module is used as the
pattern itself, so both modules must define every name: ``fagnett/core/tests/test_formats.py`` checks it).
"""

# The names Fagnett adds to Django's (each defined in nb/formats.py and en/formats.py).
EXTRA_FORMATS = (
    "WEEKDAY_DATE_FORMAT",  # Tuesday 9 February 2027
    "WEEKDAY_DATETIME_FORMAT",  # Tuesday 9 February 2027, 14:30
    "WEEKDAY_MONTH_DAY_FORMAT",  # Tuesday 9 February
    "MONTH_DAY_TIME_FORMAT",  # 9 February, 14:30
)
