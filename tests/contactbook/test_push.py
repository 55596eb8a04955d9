"""The installable portal: the manifest, the service worker's route and the offline page."""

import json

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse
from PIL import Image

from tests.lms.conftest import log_in

pytestmark = pytest.mark.django_db


# --------------------------------------------------------------- the installable portal


def test_the_manifest_opens_the_portal_full_screen_with_our_icons(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert manifest["name"] == "Trường Số – Sổ liên lạc" and manifest["lang"] == "vi"
    assert manifest["start_url"] == "/phu-huynh/" and manifest["display"] == "standalone"
    assert manifest["theme_color"].startswith("#") and manifest["short_name"]
    sizes = set()
    for icon in manifest["icons"]:
        path = finders.find(icon["src"].removeprefix(settings.STATIC_URL if settings.STATIC_URL.startswith("/") else "/" + settings.STATIC_URL))
        with Image.open(path) as image:
            assert icon["sizes"] == f"{image.width}x{image.height}" and image.format == "PNG"
            sizes.add(image.width)
    assert sizes == {192, 512}


def test_every_page_links_the_manifest_and_the_worker_script(cast, client):
    for response in (client.get(reverse("accounts:login")),
                     log_in(client, cast.parent_a1).get(reverse("contactbook:portal_home"))):
        html = response.content.decode()
        assert '<link rel="manifest" href="/manifest.webmanifest">' in html
        assert 'data-worker="/sw.js"' in html and "pwa/pwa.js" in html


def test_the_service_worker_is_served_from_the_root_uncached_and_allowed(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    assert response["Cache-Control"] == "no-cache"
    with open(finders.find("pwa/sw.js"), "rb") as script:
        assert response.content == script.read()
    page = client.get(reverse("accounts:login"))
    policy = dict(part.strip().split(" ", 1) for part in page["Content-Security-Policy"].split(";"))
    assert policy["worker-src"] == "'self'" and policy["manifest-src"] == "'self'"
    assert policy["script-src"] == "'self'"  # /sw.js and pwa.js are same-origin files


def test_the_offline_page_names_nobody(cast, client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/ngoai-tuyen/")
    assert response.status_code == 200 and b"data-offline-page" in response.content
    signed_in = log_in(Client(), cast.parent_a1).get("/ngoai-tuyen/")
    assert cast.parent_a1.full_name.encode() not in signed_in.content
