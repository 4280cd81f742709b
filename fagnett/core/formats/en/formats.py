"""English as in the United Kingdom (en-GB), with the 24-hour clock; see ``fagnett.core.formats``.

Input formats are not set here: Django's ``en`` ones are used (ISO dates first, as the date fields send).
"""

DATE_FORMAT = "j F Y"  # 9 February 2027
TIME_FORMAT = "H:i"  # 14:30
DATETIME_FORMAT = "j F Y, H:i"  # 9 February 2027, 14:30
YEAR_MONTH_FORMAT = "F Y"  # February 2027
MONTH_DAY_FORMAT = "j F"  # 9 February
SHORT_DATE_FORMAT = "d/m/Y"  # 09/02/2027
SHORT_DATETIME_FORMAT = "d/m/Y H:i"  # 09/02/2027 14:30
WEEKDAY_DATE_FORMAT = "l j F Y"  # Tuesday 9 February 2027
WEEKDAY_DATETIME_FORMAT = "l j F Y, H:i"  # Tuesday 9 February 2027, 14:30
WEEKDAY_MONTH_DAY_FORMAT = "l j F"  # Tuesday 9 February
MONTH_DAY_TIME_FORMAT = "j F, H:i"  # 9 February, 14:30
FIRST_DAY_OF_WEEK = 1  # Monday
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
