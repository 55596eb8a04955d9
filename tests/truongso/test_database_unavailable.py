"""A connection PostgreSQL dropped between requests is replaced before it is used
(CONN_HEALTH_CHECKS)."""

import pytest
import requests
from django.db import connection
from django.urls import reverse

from tests.clients import Client

pytestmark = pytest.mark.django_db(transaction=True)


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
