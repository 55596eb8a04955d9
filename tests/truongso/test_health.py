import pytest
from django.test import override_settings

pytestmark = pytest.mark.django_db


def test_healthz_reports_database_and_broker(client, settings):
    response = client.get("/healthz")
    body = response.json()
    assert body["database"] == "ok"
    if settings.CELERY_BROKER_URL:  # make test starts Redis and sets it
        assert body["broker"] == "ok"
    assert response.status_code == 200


@override_settings(CELERY_BROKER_URL="redis://127.0.0.1:9/0")
def test_healthz_is_503_when_the_broker_is_unreachable(client):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["broker"].startswith("error")
