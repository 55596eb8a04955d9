"""The database not answering is a 503 with Retry-After (truongso.views.server_error), never a
500, wherever the request meets it: the device API's JSON for a kiosk, a small Vietnamese page
for a person (here the session, read by a middleware before any view, is the first to fail).
A connection PostgreSQL dropped between requests is replaced before it is used
(CONN_HEALTH_CHECKS). The server's own restart under load: tests/reliability/
test_postgres_restart.py."""

import datetime
import logging
import uuid

import pytest
import requests
from django.db import OperationalError, connection
from django.test import RequestFactory
from django.urls import reverse

from tests import factories as f
from tests.clients import Client
from truongso.views import DATABASE_RETRY_AFTER_SECONDS, server_error

pytestmark = pytest.mark.django_db(transaction=True)
UNUSED_PORT = 9  # discard: nothing listens on loopback


@pytest.fixture
def database_down(monkeypatch):
    """From the next connection on, the database server refuses (as while it restarts)."""

    def down():
        connection.close()
        monkeypatch.setitem(connection.settings_dict, "PORT", UNUSED_PORT)

    yield down
    connection.close()  # the refused one; the port comes back with monkeypatch's undo


def _check_in(token: str) -> dict:
    return {
        "path": "/api/devices/check-ins",
        "data": {"events": [{
            "event_id": str(uuid.uuid4()), "card_id": "CARD-1", "direction": "in",
            "occurred_at": datetime.datetime.now(datetime.UTC).isoformat(),
        }]},
        "content_type": "application/json",
        "HTTP_AUTHORIZATION": f"Bearer {token}",
    }


def test_a_kiosk_upload_while_the_database_is_down_is_503_json_with_retry_after(
    database_down, caplog
):
    token = f.DeviceFactory(kind="kiosk").issue_token()
    database_down()
    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = Client(raise_request_exception=False).post(**_check_in(token))
    assert response.status_code == 503
    assert response["Retry-After"] == str(DATABASE_RETRY_AFTER_SECONDS)
    assert response.json() == {"error": {
        "code": "unavailable",
        "message": "Cơ sở dữ liệu đang không phản hồi; vui lòng thử lại sau vài giây.",
    }}
    (record,) = [r for r in caplog.records if r.name == "django.request"]
    assert record.getMessage() == "Service Unavailable: /api/devices/check-ins"
    assert isinstance(record.exc_info[1], OperationalError)  # the operator sees why


def test_a_signed_in_page_while_the_database_is_down_is_a_503_page_in_vietnamese(
    cast, database_down
):
    teacher = Client(raise_request_exception=False)
    teacher.force_login(cast.homeroom_a1)
    page = reverse("contactbook:attendance_sheet", args=[cast.class_a1.pk])
    database_down()
    response = teacher.get(page)
    assert response.status_code == 503
    assert response["Retry-After"] == str(DATABASE_RETRY_AFTER_SECONDS)
    assert response["Content-Type"].startswith("text/html")
    assert "Hệ thống đang tạm gián đoạn, vui lòng thử lại sau ít phút." in response.content.decode()


def test_the_same_process_serves_again_once_the_database_answers(cast, monkeypatch):
    teacher = Client(raise_request_exception=False)
    teacher.force_login(cast.homeroom_a1)
    page = reverse("contactbook:attendance_sheet", args=[cast.class_a1.pk])
    port = connection.settings_dict["PORT"]
    connection.close()
    monkeypatch.setitem(connection.settings_dict, "PORT", UNUSED_PORT)
    assert teacher.get(page).status_code == 503
    assert teacher.get("/healthz").status_code == 503
    connection.settings_dict["PORT"] = port  # the server is back
    assert teacher.get("/healthz").status_code == 200
    assert teacher.get(page).status_code == 200  # still signed in: the session was not lost


def test_other_errors_stay_500():
    request = RequestFactory().get("/api/devices/me")
    try:
        raise ValueError("a bug, not the database")
    except ValueError:
        response = server_error(request)
    assert response.status_code == 500
    assert not response.has_header("Retry-After")


def test_a_kept_connection_the_server_dropped_is_replaced_before_the_request_uses_it(
    cast, live_server, persistent_connections, settings
):
    """DB_CONN_MAX_AGE > 0, as in production: the server's connection outlives the request;
    PostgreSQL ends it (a restart does this to every connection); the next request still
    answers 200. (Through the live server: Django's test client skips the request-boundary
    checks of connections.)"""
    teacher = Client()
    teacher.force_login(cast.homeroom_a1)
    browser = requests.Session()
    browser.cookies.set(settings.SESSION_COOKIE_NAME, teacher.cookies[settings.SESSION_COOKIE_NAME].value)
    page = live_server.url + reverse("contactbook:attendance_sheet", args=[cast.class_a1.pk])
    for _ in range(2):  # the second runs on a connection opened with CONN_MAX_AGE=60: kept
        assert browser.get(page, timeout=30).status_code == 200
    with connection.cursor() as cursor:  # every connection to the test database but this one
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        assert cursor.fetchone()[0] >= 1

    assert browser.get(page, timeout=30).status_code == 200
