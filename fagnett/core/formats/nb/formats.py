"""Norwegian bokmål: Django's ``nb`` formats, spelled out, and Fagnett's named ones (see ``fagnett.core.formats``)."""

DATE_FORMAT = "j. F Y"  # 9. februar 2027
TIME_FORMAT = "H:i"  # 14:30
DATETIME_FORMAT = "j. F Y H:i"  # 9. februar 2027 14:30
YEAR_MONTH_FORMAT = "F Y"  # februar 2027
MONTH_DAY_FORMAT = "j. F"  # 9. februar
SHORT_DATE_FORMAT = "d.m.Y"  # 09.02.2027
SHORT_DATETIME_FORMAT = "d.m.Y H:i"  # 09.02.2027 14:30
WEEKDAY_DATE_FORMAT = "l j. F Y"  # tirsdag 9. februar 2027
WEEKDAY_DATETIME_FORMAT = "l j. F Y, H:i"  # tirsdag 9. februar 2027, 14:30
WEEKDAY_MONTH_DAY_FORMAT = "l j. F"  # tirsdag 9. februar
MONTH_DAY_TIME_FORMAT = "j. F, H:i"  # 9. februar, 14:30
FIRST_DAY_OF_WEEK = 1  # Monday
DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "\xa0"  # a no-break space: 1 250 000
NUMBER_GROUPING = 3
