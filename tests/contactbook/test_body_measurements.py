"""Heights and weights of pupils of grades 1–5 (contactbook.BodyMeasurement), which the học bạ
prints on each year's page, entered in the administration (contactbook/admin.py): a decimal
comma accepted, and bad figures refused in Vietnamese with nothing written."""

from decimal import Decimal

import pytest
from django.urls import reverse

from contactbook.models import BodyMeasurement
from tests.conftest import as_user

pytestmark = pytest.mark.django_db


def post_measurement(client, pupil, school_year, height, weight):
    return client.post(reverse("admin:contactbook_bodymeasurement_add"), {
        "student": pupil.pk, "school_year": school_year.pk, "height_cm": height,
        "weight_kg": weight,
    })


def test_a_manager_records_height_and_weight_with_a_decimal_comma(cast, client):
    as_user(client, cast.other_school_admin)  # a manager of school B
    response = post_measurement(client, cast.sibling_b, cast.class_b.school_year, "125,5", "24,5")
    assert response.status_code == 302
    row = BodyMeasurement.objects.get()
    assert (row.height_cm, row.weight_kg) == (Decimal("125.5"), Decimal("24.5"))
    assert row.recorded_by == cast.other_school_admin


@pytest.mark.parametrize(
    ("height", "weight", "text"),
    [
        ("1255", "24,5", "Chiều cao phải từ 70 đến 190 cm, ví dụ 125,5."),  # mm for cm
        ("125,5", "5", "Cân nặng phải từ 10 đến 120 kg, ví dụ 24,5."),
        ("125,55", "24,5", "Nhập một số có nhiều nhất một chữ số thập phân, ví dụ 125,5."),
        ("một trăm", "24,5", "Nhập một số có nhiều nhất một chữ số thập phân, ví dụ 125,5."),
        ("", "24,5", "Trường này là bắt buộc."),
    ],
)
def test_bad_figures_are_refused_in_vietnamese_and_nothing_written(
    cast, client, height, weight, text
):
    as_user(client, cast.other_school_admin)
    response = post_measurement(client, cast.sibling_b, cast.class_b.school_year, height, weight)
    assert response.status_code == 200
    assert text in response.content.decode()
    assert not BodyMeasurement.objects.exists()


def test_a_secondary_pupil_is_refused(cast, client):
    as_user(client, cast.principal)
    response = post_measurement(client, cast.pupil_a1, cast.class_a1.school_year, "160", "50")
    assert response.status_code == 200
    assert "chiều cao, cân nặng chỉ ghi cho học sinh lớp 1–5" in response.content.decode()
    assert not BodyMeasurement.objects.exists()


def test_another_schools_pupil_cannot_be_chosen(cast, client):
    as_user(client, cast.principal)  # school A's principal, school B's pupil
    response = post_measurement(client, cast.sibling_b, cast.class_b.school_year, "125", "25")
    assert response.status_code == 200
    assert not BodyMeasurement.objects.exists()
