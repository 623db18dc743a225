# Vietnamese conventions Django's own "vi" formats leave out: thousands grouped with
# dots (15.500 kg) and dates as day/month/year.
NUMBER_GROUPING = 3
SHORT_DATE_FORMAT = "d/m/Y"
SHORT_DATETIME_FORMAT = "H:i d/m/Y"
