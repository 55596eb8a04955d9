"""One way to recover an account, the site's own: Wagtail's password reset and password
management are off (issue 10, hole 1: a school manager changed a parent's e-mail, then reset
the password at /cms/password_reset/). Django's admin offers no reset link either."""

import pytest
from django.core import mail
from django.urls import reverse

from tests import factories as f

pytestmark = pytest.mark.django_db

RESET_URLS = [
    "/cms/password_reset/",
    "/cms/password_reset/done/",
    "/cms/password_reset/confirm/MQ/set-password/",
    "/cms/password_reset/complete/",
]


@pytest.fixture
def operator():
    return f.UserFactory(email="van.hanh@example.vn", is_staff=True, is_superuser=True)


@pytest.mark.parametrize("url", RESET_URLS)
def test_wagtail_password_reset_answers_404_and_sends_nothing(client, operator, url):
    assert client.get(url).status_code == 404
    posted = {"email": operator.email, "new_password1": "x-Mat-khau-moi-9", "new_password2": "x-Mat-khau-moi-9"}
    assert client.post(url, posted).status_code == 404
    assert mail.outbox == []


def test_wagtail_account_page_offers_no_password_change(client, operator):
    client.force_login(operator)
    response = client.get("/cms/account/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "password-old_password" not in page and "new_password1" not in page
    assert "password_reset" not in page


def test_wagtail_login_page_links_no_reset(client):
    response = client.get("/cms/login/", follow=True)
    assert "password_reset" not in response.content.decode()


def test_django_admin_login_links_no_reset(client):
    response = client.get(reverse("admin:login"))
    assert response.status_code == 200
    assert "password_reset" not in response.content.decode()
