"""Security headers and cookies on real responses: HTTPS redirect (but not for the load
balancer's /healthz), HSTS behind a TLS-terminating proxy, frames refused, CSRF cookie out of
scripts' reach. The redirect is on in production and off in the test settings, so the tests
that need it turn it on."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

PROXY = ("HTTP_X_FORWARDED_PROTO", "https")


@pytest.fixture
def production(settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = PROXY
    settings.SECURE_HSTS_SECONDS = 31536000
    return settings


def test_plain_http_is_redirected_to_https(client, production):
    response = client.get(reverse("accounts:login"))
    assert response.status_code == 301
    assert response["Location"].startswith("https://")


def test_healthz_answers_a_plain_http_probe(client, production):
    assert client.get("/healthz").status_code == 200


def test_https_behind_the_proxy_gets_hsts_and_no_redirect(client, production):
    response = client.get(reverse("accounts:login"), HTTP_X_FORWARDED_PROTO="https")
    assert response.status_code == 200
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


def test_the_csrf_cookie_is_out_of_scripts_reach(client):
    response = client.get(reverse("accounts:login"))
    cookie = response.cookies["csrftoken"]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
