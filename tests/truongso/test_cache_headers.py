"""Pages and files about a pupil carry `Cache-Control: private, no-store` (and `Vary: Cookie`),
so no shared cache keeps them and no browser writes them to disk; static files keep their
long cache. Views that chose their own Cache-Control keep it."""

import pytest
from django.conf import settings
from django.urls import reverse

from tests.lms.conftest import library, log_in  # noqa: F401  (library is a fixture)

pytestmark = pytest.mark.django_db


def directives(response) -> set[str]:
    return {part.strip() for part in response.get("Cache-Control", "").split(",") if part.strip()}


def assert_private(response):
    assert response.status_code == 200
    assert {"private", "no-store"} <= directives(response), response.get("Cache-Control")
    assert "Cookie" in response["Vary"]


def test_a_teachers_page_is_private(cast, client):
    assert_private(log_in(client, cast.teacher_a1).get(reverse("home")))


def test_a_parents_portal_is_private(cast, client):
    assert_private(log_in(client, cast.parent_a1).get(reverse("contactbook:portal_home")))


def test_a_lesson_page_and_its_material_download_are_private(cast, client, library):
    log_in(client, cast.parent_a1)
    assert_private(client.get(library.lesson.url))
    download = client.get(library.material.url)
    assert_private(download)
    download.close()


def test_the_device_api_is_private(cast, client):
    token = cast.device.issue_token()
    response = client.get("/api/devices/me", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert_private(response)


def test_a_view_that_chose_its_own_cache_control_keeps_it(cast, client):
    """The public verification page asks browsers to revalidate (reports/views/cards.py)."""
    response = log_in(client, cast.parent_a1).get(reverse("reports:verify", args=["ABCDEFGH23"]))
    assert response.status_code == 404  # no such card: the same public headers
    assert response["Cache-Control"] == "no-cache"


def test_an_anonymous_answer_is_left_to_its_view(client):
    response = client.get(reverse("home"))  # the redirect to the login page
    assert response.status_code == 302 and not response.has_header("Cache-Control")


def test_static_files_are_answered_before_the_private_rule():
    """WhiteNoise (long cache for hashed names) comes first, so it answers static files before
    the private rule sees them."""
    from truongso.settings import base

    order = base.MIDDLEWARE
    assert order.index("whitenoise.middleware.WhiteNoiseMiddleware") < order.index(
        "truongso.middleware.PrivateCacheMiddleware"
    )
    assert "truongso.middleware.PrivateCacheMiddleware" in settings.MIDDLEWARE
