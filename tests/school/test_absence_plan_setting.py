"""The school's setting for counting absences on the one-session plan (Circular 22 Art.
12.1.c), changed by the school's managers in the school administration (/quan-tri/)."""

import pytest
from django.urls import reverse

from school.models import School
from tests.conftest import as_user

pytestmark = pytest.mark.django_db


def _form_data(response) -> dict:
    """The change form's data as the page shows it (the school and its inlines)."""
    form = response.context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if value is not None:
            data[name] = value.pk if hasattr(value, "pk") else value
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        for name, value in formset.management_form.initial.items():
            data[f"{formset.prefix}-{name}"] = value
        for sub in formset.initial_forms:
            data[sub.add_prefix("id")] = sub.instance.pk
            for name in sub.fields:
                value = sub.initial.get(name)
                if value is not None:
                    data[sub.add_prefix(name)] = value.pk if hasattr(value, "pk") else value
    return data


def test_a_new_school_counts_distinct_days():
    assert School._meta.get_field("absence_plan").default == School.AbsencePlan.DAYS


def test_the_principal_sets_the_session_that_carries_the_plan(cast, client):
    as_user(client, cast.principal)
    url = reverse("admin:school_school_change", args=[cast.school_a.pk])
    page = client.get(url)
    choices = dict(page.context["adminform"].form.fields["absence_plan"].choices)
    assert set(choices) == {"days", "morning", "afternoon"}

    data = _form_data(page) | {"absence_plan": "morning"}
    response = client.post(url, data)

    assert response.status_code == 302, [
        (i.formset.prefix, i.formset.errors, i.formset.non_form_errors())
        for i in response.context["inline_admin_formsets"]
    ]
    cast.school_a.refresh_from_db()
    assert cast.school_a.absence_plan == School.AbsencePlan.MORNING


def test_an_unknown_plan_is_refused_and_nothing_changes(cast, client):
    as_user(client, cast.principal)
    url = reverse("admin:school_school_change", args=[cast.school_a.pk])
    data = _form_data(client.get(url)) | {"absence_plan": "evening", "name": "Đổi tên"}

    response = client.post(url, data)

    assert response.status_code == 200
    assert "absence_plan" in response.context["adminform"].form.errors
    cast.school_a.refresh_from_db()
    assert (cast.school_a.absence_plan, cast.school_a.name) != ("evening", "Đổi tên")
    assert cast.school_a.absence_plan == School.AbsencePlan.DAYS
