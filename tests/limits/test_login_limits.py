"""Failed logins are limited per account (across addresses, by username or email alike) and per address
with a higher ceiling (IPv6 per /64). A refusal is the friendly 429 page with Retry-After; a shared address
does not lock out the other accounts behind it.

Rates under test (petcommunity/settings/base.py): "login_failed": "5/5m/key,30/5m/ip". allauth's clock is
time.time, patched here so Retry-After values are exact.
"""

from unittest import mock

import pytest
from django.test import Client

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "pw-for-tests-123"
BASE = 1_900_000_000.0
HOME = "203.0.113.7"  # one household's (or office's, or carrier's) address
ELSEWHERE = "198.51.100.20"


def _login(login: str, password: str, *, at: float, ip: str = HOME):
    with mock.patch("time.time", return_value=at):
        return Client(REMOTE_ADDR=ip).post("/accounts/login/", {"login": login, "password": password})


def _signed_in(response) -> bool:
    return response.status_code == 302 and "_auth_user_id" in response.client.session


@pytest.fixture
def people():
    return UserFactory(username="ann", email="ann@example.com"), UserFactory(username="bob", email="bob@example.com")


def test_ten_failures_on_one_account_leave_the_other_accounts_on_that_address_alone(people):
    codes = [_login("ann", "wrong", at=BASE + i).status_code for i in range(10)]
    assert codes == [200] * 5 + [429] * 5  # ann's budget: 5 failures in 5 minutes

    refused = _login("ann", "wrong", at=BASE + 20)
    assert refused.status_code == 429
    assert refused["Retry-After"] == "280"  # the first failure (BASE) leaves the window at BASE + 300
    assert "You're doing that too often" in refused.content.decode()

    bob = _login("bob", PASSWORD, at=BASE + 21)  # same address, right password
    assert _signed_in(bob)


def test_an_account_under_attack_is_refused_from_every_address_until_its_window_passes(people):
    for i in range(5):
        assert _login("ann", "wrong", at=BASE + i).status_code == 200
    elsewhere = _login("ann", PASSWORD, at=BASE + 60, ip=ELSEWHERE)
    assert elsewhere.status_code == 429 and elsewhere["Retry-After"] == "240"
    assert not _signed_in(elsewhere)
    assert _signed_in(_login("ann", PASSWORD, at=BASE + 301, ip=ELSEWHERE))


def test_username_and_email_spend_the_same_account_budget(people):
    for i, login in enumerate(["ann", "ANN@example.com", "ann", "ann@example.com", "Ann"]):
        assert _login(login, "wrong", at=BASE + i).status_code == 200
    assert _login("ann@example.com", PASSWORD, at=BASE + 10).status_code == 429
    assert _login("ann", PASSWORD, at=BASE + 11, ip=ELSEWHERE).status_code == 429


def test_the_address_ceiling_is_higher_and_spares_other_addresses(people):
    office = [UserFactory(username=f"colleague{n}") for n in range(10)]
    at = BASE
    for person in office:  # ten people, three typos each: 30 failures, nobody's own budget spent
        for _ in range(3):
            at += 8  # 30 attempts over four minutes: under the 30-a-minute limit on all login attempts
            assert _login(person.username, "wrong", at=at).status_code == 200
    refused = _login("bob", PASSWORD, at=at + 5)
    assert refused.status_code == 429
    assert refused["Retry-After"] == "63"  # the first of the 30 (BASE + 8) leaves at BASE + 308
    assert _signed_in(_login("bob", PASSWORD, at=at + 6, ip=ELSEWHERE))
    assert _signed_in(_login("bob", PASSWORD, at=BASE + 309))


def test_ipv6_addresses_share_the_address_ceiling_per_64_block(people):
    for n in range(30):  # unknown logins, so no account budget gets in the way
        response = _login(f"ghost{n}", "wrong", at=BASE + n * 8, ip=f"2001:db8:7:7::{n + 1:x}")
        assert response.status_code == 200
    same_block = _login("bob", PASSWORD, at=BASE + 245, ip="2001:db8:7:7:ffff::1")
    assert same_block.status_code == 429 and same_block["Retry-After"] == "55"
    assert _signed_in(_login("bob", PASSWORD, at=BASE + 246, ip="2001:db8:7:8::1"))


def test_a_right_password_spends_nothing(people):
    for i in range(8):
        assert _signed_in(_login("bob", PASSWORD, at=BASE + i * 10))
    for i in range(5):  # bob's five failures are all still his to make
        assert _login("bob", "wrong", at=BASE + 100 + i).status_code == 200
    assert _login("bob", "wrong", at=BASE + 110).status_code == 429


def test_a_refusal_answers_json_clients_in_json(people):
    for i in range(5):
        _login("ann", "wrong", at=BASE + i)
    with mock.patch("time.time", return_value=BASE + 30):
        refused = Client(REMOTE_ADDR=HOME).post("/accounts/login/", {"login": "ann", "password": PASSWORD},
                                                HTTP_ACCEPT="application/json")
    assert refused.status_code == 429 and refused["Retry-After"] == "270"
    assert refused.json() == {"error": "rate_limited", "retry_after": 270}
