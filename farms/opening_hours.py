"""Opening hours in OpenStreetMap's ``opening_hours`` syntax: "Mo-Sa 05:00-11:00,15:00-19:00;
Su off", "24/7", or "Mo-Su 22:00-04:00" for a wholesale market (chợ đầu mối) that trades
at night, open from 22:00 until 04:00 the next morning.

Read by opening-hours-py (the Python binding of the maintained Rust ``opening-hours``
crate) rather than a parser of our own: bad input is refused, and "open now?" knows spans
across midnight, a later rule replacing an earlier one, and public holidays ("PH off").
Its calendar of Viet Nam's holidays has the fixed-date ones only: Tết and the Hùng Kings'
day follow the lunar calendar, so a market closed for Tết writes the dates
("2027 Feb 05-2027 Feb 09 off"). Without coordinates, "sunrise" and "sunset" are read as
06:00 and 18:00, close enough in Viet Nam.
"""

import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from opening_hours import OpeningHours, ParserError

from farms.error_codes import FarmsErrorCode

COUNTRY = "VN"  # whose public holidays "PH" means


def parse(text: str) -> OpeningHours:
    try:
        return OpeningHours((text or "").strip(), country=COUNTRY)
    except ParserError as error:
        raise ValidationError(
            _('Write opening hours like "Mo-Sa 05:00-11:00,15:00-19:00; Su off" or "24/7".'),
            code=FarmsErrorCode.OPENING_HOURS,
        ) from error


def validate_opening_hours(text: str) -> None:
    parse(text)


def is_open(text: str, at: datetime.datetime) -> bool | None:
    """Open at ``at`` (read in Viet Nam's time)? None when the hours are not given or
    say they are unknown."""
    if not text:
        return None
    if timezone.is_aware(at):
        at = timezone.localtime(at).replace(tzinfo=None)  # the hours are local wall time
    hours = parse(text)
    return None if hours.is_unknown(at) else hours.is_open(at)
