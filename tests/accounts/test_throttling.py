"""Login throttling (django-axes): after LOGIN_FAILURE_LIMIT wrong passwords for one account
from one address, that account waits there — the right password too — with a clear message,
whatever spelling of the phone number is typed; other accounts and other addresses are not
affected, and a success before the limit starts the count again. Across accounts, one address
waits after LOGIN_ADDRESS_FAILURE_LIMIT wrong passwords (one password tried on many accounts)."""

import pytest
from django.conf import settings
from django.urls import reverse

from accounts.models import User

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")
PASSWORD = "mat-khau-dai-1"


@pytest.fixture
def parent():
    return User.objects.create_user("0912345678", PASSWORD, full_name="Hoàng Văn Long")


def attempt(client, username, password, address="203.0.113.7"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def fail(client, times, username="0912345678", address="203.0.113.7"):
    """`times` wrong passwords: the form again each time, the lock page at the limit."""
    for n in range(1, times + 1):
        expected = 429 if n == settings.AXES_FAILURE_LIMIT else 200
        assert attempt(client, username, "sai", address).status_code == expected


def test_the_limit_locks_the_account_from_that_address_even_with_the_right_password(client, parent):
    fail(client, settings.AXES_FAILURE_LIMIT - 1)
    assert attempt(client, "0912345678", PASSWORD).status_code == 302  # still in time: logged in
    client.logout()
    fail(client, settings.AXES_FAILURE_LIMIT)  # the success started the count again
    response = attempt(client, "0912345678", PASSWORD)
    assert response.status_code == 429
    page = response.content.decode()
    assert "data-locked-out" in page and "vui lòng thử lại sau 15 phút" in page  # Vietnamese first
    assert 'name="username"' in page  # the login page, not a dead end
    assert "_auth_user_id" not in client.session


def test_phone_spellings_share_one_budget(client, parent):
    spellings = ["0912 345 678", "+84 912 345 678", "0912.345.678", "84912345678", "0912-345-678"]
    for typed in spellings[: settings.AXES_FAILURE_LIMIT]:
        attempt(client, typed, "sai")
    assert attempt(client, "0912345678", PASSWORD).status_code == 429


def test_another_address_and_another_account_are_not_locked(client, parent):
    other = User.objects.create_user("0987654321", PASSWORD, full_name="Ngô Thị Mẹ")
    fail(client, settings.AXES_FAILURE_LIMIT)
    assert attempt(client, "0912345678", PASSWORD).status_code == 429
    assert attempt(client, "0912345678", PASSWORD, address="198.51.100.20").status_code == 302
    client.logout()
    assert attempt(client, other.phone, PASSWORD).status_code == 302


def test_the_message_follows_the_page_language(client, parent):
    fail(client, settings.AXES_FAILURE_LIMIT)
    response = client.post(LOGIN, {"username": "0912345678", "password": PASSWORD},
                           REMOTE_ADDR="203.0.113.7", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 429
    assert "try again in 15 minutes" in response.content.decode()


def test_one_address_trying_many_accounts_is_locked_across_them(client, parent):
    """One password tried on many accounts (each below its own limit) from one address: at
    LOGIN_ADDRESS_FAILURE_LIMIT failures that address waits, the right password too."""
    limit = settings.LOGIN_ADDRESS_FAILURE_LIMIT
    assert limit > 5 * settings.AXES_FAILURE_LIMIT  # shared carrier addresses: far above per account
    for n in range(1, limit + 1):
        response = attempt(client, f"09130{n:05d}", "truongso2026")
        assert response.status_code == (429 if n == limit else 200), n
    response = attempt(client, "0912345678", PASSWORD)
    assert response.status_code == 429
    assert "vui lòng thử lại sau 15 phút" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_an_address_below_its_limit_and_other_addresses_are_not_locked(client, parent):
    limit = settings.LOGIN_ADDRESS_FAILURE_LIMIT
    for n in range(limit - 1):
        assert attempt(client, f"09130{n:05d}", "truongso2026").status_code == 200
    assert attempt(client, "0912345678", PASSWORD).status_code == 302  # one short: still in
    client.logout()
    attempt(client, "0913099999", "truongso2026")  # now at the limit
    assert attempt(client, "0912345678", PASSWORD).status_code == 429
    assert attempt(client, "0912345678", PASSWORD, address="198.51.100.20").status_code == 302
