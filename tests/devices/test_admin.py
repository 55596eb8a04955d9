"""Devices and check-ins in the school administration."""

import datetime
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from devices.models import CheckInEvent
from tests.conftest import assert_cast

pytestmark = pytest.mark.django_db


def unknown_check_in(device, card="CARD-NEW"):
    return CheckInEvent.objects.create(
        device=device, school=device.school, event_id=uuid.uuid4(), card_id=card,
        occurred_at=timezone.now() - datetime.timedelta(minutes=3), direction="in", payload_hash="x",
    )


def test_who_may_see_a_schools_check_ins(cast, client):
    check_in = unknown_check_in(cast.device)
    url = reverse("admin:devices_checkinevent_change", args=[check_in.pk])

    def sees(user):
        client.logout()
        if user.is_authenticated:
            client.force_login(user)
        return client.get(url).status_code == 200

    assert_cast(cast, sees, {"operator", "principal"})


def test_choosing_the_pupil_of_an_unknown_card_resolves_all_its_check_ins(cast, client):
    first, second = unknown_check_in(cast.device), unknown_check_in(cast.device)
    client.force_login(cast.principal)
    response = client.post(
        reverse("admin:devices_checkinevent_change", args=[first.pk]), {"student": cast.pupil_a2.pk}
    )
    assert response.status_code == 302
    second.refresh_from_db()
    cast.pupil_a2.refresh_from_db()
    assert second.student == cast.pupil_a2 and second.resolved_at is not None
    assert cast.pupil_a2.card_id == "CARD-NEW"


def test_the_device_list_shows_online_and_clock_drift(cast, client):
    cast.device.last_seen_at = timezone.now()
    cast.device.clock_skew_seconds = 240
    cast.device.save()
    client.force_login(cast.principal)
    page = client.get(reverse("admin:school_classroomdevice_changelist")).content.decode()
    assert "+240 s" in page and "⚠" in page


def test_a_card_cannot_be_given_to_another_schools_pupil(cast, client):
    check_in = unknown_check_in(cast.device)
    client.force_login(cast.operator)
    response = client.post(
        reverse("admin:devices_checkinevent_change", args=[check_in.pk]), {"student": cast.sibling_b.pk}
    )
    assert response.status_code == 200 and response.context["adminform"].form.errors
    check_in.refresh_from_db()
    assert check_in.student is None
