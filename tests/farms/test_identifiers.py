import pytest
from django.core.exceptions import ValidationError

from accounts.phone import normalize_phone
from backend.gs1 import (
    check_digit,
    digital_link_path,
    parse_digital_link_path,
    validate_gln,
    validate_gtin,
    validate_lot_or_serial,
)


@pytest.mark.parametrize("raw", ["0912 345 678", "84912345678", "+84 912.345.678", "0084912345678"])
def test_phone_numbers_normalise_to_one_form(raw):
    assert normalize_phone(raw) == "+84912345678"


@pytest.mark.parametrize("raw", ["", "12345", "+1 415 555 0100", "09123456789012"])
def test_foreign_or_broken_phone_numbers_are_refused(raw):
    with pytest.raises(ValidationError):
        normalize_phone(raw)


def test_gs1_check_digits():
    assert check_digit("400638133393") == "1"  # a real EAN-13: 4006381333931
    validate_gtin("4006381333931")
    validate_gln("4006381333931")
    with pytest.raises(ValidationError):
        validate_gtin("4006381333932")
    with pytest.raises(ValidationError):
        validate_gln("893123456789")


def test_lot_and_serial_rules():
    validate_lot_or_serial("RAUM-261123-7K3Q")
    for bad in ["", "x" * 21, "lô hàng"]:
        with pytest.raises(ValidationError):
            validate_lot_or_serial(bad)


def test_digital_link_round_trip_with_percent_encoding():
    path = digital_link_path("4006381333931", "LOT/1 A", "S%1")
    assert path == "/01/04006381333931/10/LOT%2F1%20A/21/S%251"
    assert parse_digital_link_path("/01/08931234567895/10/ABC/21/XYZ") == {
        "gtin": "08931234567895",
        "lot": "ABC",
        "serial": "XYZ",
    }
    assert parse_digital_link_path("/01/123/10/ABC") is None
