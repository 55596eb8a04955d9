import pytest
from django.db import connection
from django.test import override_settings

pytestmark = pytest.mark.django_db


def test_healthz_reports_database_cache_and_broker(client, settings):
    response = client.get("/healthz")
    body = response.json()
    assert body["database"] == "ok"
    assert body["cache"].startswith("ok")
    if settings.CELERY_BROKER_URL:  # make test starts Redis and sets it
        assert body["broker"] == "ok"
    assert response.status_code == 200
    assert body["status"] == "ok"


@override_settings(CELERY_BROKER_URL="redis://127.0.0.1:9/0")
def test_healthz_says_degraded_when_the_broker_is_unreachable(client):
    """Pages still serve without the broker (saves commit, the outbox keeps the notifications),
    and every host shares it: the load balancer keeps the host (200), the body tells the truth."""
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "degraded"
    assert response.json()["broker"].startswith("error")


@pytest.mark.django_db(transaction=True)
def test_healthz_is_503_when_the_database_does_not_answer(client):
    port = connection.settings_dict["PORT"]
    connection.close()
    connection.settings_dict["PORT"] = 9
    try:
        response = client.get("/healthz")
    finally:
        connection.close()
        connection.settings_dict["PORT"] = port
    assert response.status_code == 503
    assert response.json()["status"] == "error"
    assert response.json()["database"].startswith("error")
