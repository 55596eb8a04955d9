"""A school's area (School.area), by which the department's dashboard groups its schools:
set by the operator in the school administration (/quan-tri/), read-only to the school's
own managers."""

import pytest
from django.urls import reverse

from tests.conftest import as_user
from tests.school.test_absence_plan_setting import _form_data

pytestmark = pytest.mark.django_db


def test_the_operator_sets_a_schools_area(cast, client):
    as_user(client, cast.operator)
    url = reverse("admin:school_school_change", args=[cast.school_a.pk])
    page = client.get(url)
    assert "area" in page.context["adminform"].form.fields
    response = client.post(url, _form_data(page) | {"area": "Cẩm Phả"})
    assert response.status_code == 302
    cast.school_a.refresh_from_db()
    assert cast.school_a.area == "Cẩm Phả"


def test_the_principal_sees_the_area_but_cannot_move_the_school(cast, client):
    cast.school_a.area = "Hạ Long"
    cast.school_a.save()
    as_user(client, cast.principal)
    url = reverse("admin:school_school_change", args=[cast.school_a.pk])
    page = client.get(url)
    assert "area" not in page.context["adminform"].form.fields
    assert "Hạ Long" in page.content.decode()
    response = client.post(url, _form_data(page) | {"area": "Vân Đồn"})
    assert response.status_code == 302
    cast.school_a.refresh_from_db()
    assert cast.school_a.area == "Hạ Long"
