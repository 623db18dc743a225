"""Staff log in to the admin with a phone number; guessing is throttled."""

import pytest

from tests.factories import UserFactory

PASSWORD = "an-unguessable-passphrase"


@pytest.fixture
def staff(db):
    return UserFactory(phone="+84912000111", is_staff=True)


def login(client, username, password):
    return client.post("/admin/login/?next=/admin/", {"username": username, "password": password})


def test_staff_sign_in_with_any_common_way_of_writing_their_number(client, staff):
    response = login(client, "0912 000 111", PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/admin/"


def test_repeated_wrong_passwords_lock_the_account_out(client, staff, settings):
    spellings = ["0912000111", "0912 000 111", "+84912000111", "84 912 000 111"]
    for attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        assert login(client, spellings[attempt % 4], "wrong-guess").status_code == 200
    assert login(client, "0912.000.111", "wrong-guess").status_code == 429
    locked = login(client, "0912000111", PASSWORD)
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_lock_counts_a_person_however_the_number_is_written(client, staff, settings):
    settings.AXES_LOCKOUT_PARAMETERS = ["username"]  # as when guesses come from many addresses
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        login(client, ["0912000111", "0912 000 111"][attempt % 2], "wrong-guess")
    assert login(client, "+84 912 000 111", PASSWORD).status_code == 429
