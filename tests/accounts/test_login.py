"""Logging in with a phone number (any common spelling) or an e-mail address."""

import pytest
from django.contrib.auth import authenticate
from django.db import IntegrityError
from django.test import RequestFactory
from django.urls import reverse

from accounts.models import User
from accounts.phones import normalize_phone
from tests import factories as f

pytestmark = pytest.mark.django_db


def login_request():
    """A login form's request: throttling (django-axes) needs to know who is asking."""
    return RequestFactory().post("/tai-khoan/dang-nhap/")


@pytest.mark.parametrize(
    "typed", ["0912345678", "0912 345 678", "0912.345.678", "+84 912 345 678", "84912345678"]
)
def test_phone_spellings_normalise_to_the_national_form(typed):
    assert normalize_phone(typed) == "0912345678"


@pytest.mark.parametrize("typed", ["", "12345", "0912abc678", "+1 415 555 0100", "09123456789012"])
def test_not_a_vietnamese_phone(typed):
    assert normalize_phone(typed) is None


@pytest.mark.parametrize("typed", ["0912 345 678", "+84912345678", "0912-345-678"])
def test_a_parent_logs_in_with_their_phone_however_they_type_it(typed):
    User.objects.create_user("0912345678", "mat-khau-dai-1", full_name="Hoàng Văn Long")
    assert authenticate(login_request(), username=typed, password="mat-khau-dai-1") is not None


def test_staff_log_in_with_their_email_in_any_case():
    User.objects.create_user(email="Mai.Nguyen@thpt-halong.edu.vn", password="mat-khau-dai-1", full_name="Nguyễn Thị Mai")
    assert authenticate(login_request(), username="mai.nguyen@THPT-HALONG.edu.vn", password="mat-khau-dai-1") is not None


def test_a_wrong_password_or_unknown_phone_does_not_log_in():
    User.objects.create_user("0912345678", "mat-khau-dai-1", full_name="Hoàng Văn Long")
    assert authenticate(login_request(), username="0912345678", password="sai") is None
    assert authenticate(login_request(), username="0999999999", password="mat-khau-dai-1") is None


def test_garbage_does_not_match_an_email_only_user():
    User.objects.create_user(email="a@b.vn", password="mat-khau-dai-1", full_name="Chỉ Có Email")
    assert authenticate(login_request(), username="not a phone", password="mat-khau-dai-1") is None


def test_a_user_needs_a_phone_or_an_email():
    with pytest.raises(ValueError):
        User.objects.create_user(password="x", full_name="Không Ai")
    with pytest.raises(IntegrityError):
        User.objects.create(full_name="Không Ai")


def test_the_login_page_logs_in_by_phone_and_lands_on_home(client):
    user = f.UserFactory(phone="0987000002")
    response = client.post(
        reverse("accounts:login"), {"username": "0987 000 002", "password": f.TEST_PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert client.get(reverse("home")).context["user"] == user


def test_a_failed_login_says_so_in_vietnamese(client):
    f.UserFactory(phone="0987000002")
    response = client.post(reverse("accounts:login"), {"username": "0987000002", "password": "sai"})
    assert response.status_code == 200
    assert "không đúng" in response.content.decode()
