import pytest
from django.core.exceptions import ValidationError

from accounts.phone import normalize_contact_phone, normalize_phone
from backend.gs1 import (
    DigitalLink,
    InvalidDigitalLink,
    check_digit,
    digital_link_path,
    gtin_spellings,
    parse_digital_link,
    validate_gln,
    validate_gtin,
    validate_lot_or_serial,
)


@pytest.mark.parametrize("raw", ["0912 345 678", "84912345678", "+84 912.345.678", "0084912345678"])
def test_phone_numbers_normalise_to_one_form(raw):
    assert normalize_phone(raw) == "+84912345678"


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "12345",
        "+1 415 555 0100",
        "09123456789012",
        "'; DROP TABLE x;--",
        "gọi 0912345678",  # digits inside other text
        "0123456789",  # an 11-digit prefix renumbered in 2018
        "1900 1234",  # premium rate: no one signs in with it
    ],
)
def test_foreign_or_broken_phone_numbers_are_refused(raw):
    with pytest.raises(ValidationError) as refused:
        normalize_phone(raw)
    assert refused.value.code == "invalid_phone"


def test_a_landline_is_a_phone_number_too():
    assert normalize_phone("(024) 3826-1234") == "+842438261234"


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("0912 345 678", "+84912345678"),
        ("024 3826 1234", "+842438261234"),
        ("1800 1234", "+8418001234"),  # a toll-free hotline
        ("+33 1 42 68 53 00", "+33142685300"),  # a foreign office
    ],
)
def test_contact_phones_are_any_real_number_in_one_form(raw, stored):
    assert normalize_contact_phone(raw) == stored


@pytest.mark.parametrize("raw", ["'; DROP TABLE x;--", "12345", "1900 1234", "0912-ABC-678"])
def test_contact_phones_that_are_not_real_numbers_are_refused(raw):
    with pytest.raises(ValidationError) as refused:
        normalize_contact_phone(raw)
    assert refused.value.code == "invalid_phone"


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
    assert parse_digital_link("/01/08931234567897/10/ABC/21/XYZ/") == DigitalLink(
        "08931234567897", "ABC", "XYZ"
    )
    assert parse_digital_link("01/4006381333931/22/V1/21/S1") == DigitalLink(
        "04006381333931", None, "S1", "V1"
    )
    assert DigitalLink("04006381333931", "A B", "S1", "V1").path() == (
        "/01/04006381333931/22/V1/10/A%20B/21/S1"
    )
    with pytest.raises(InvalidDigitalLink):
        parse_digital_link("/01/123/10/ABC")


def test_a_gtin_is_looked_up_as_it_may_have_been_typed():
    assert gtin_spellings("00000040063816") == [
        "40063816",
        "000040063816",
        "0000040063816",
        "00000040063816",
    ]
    assert gtin_spellings("4006381333931") == ["4006381333931", "04006381333931"]
