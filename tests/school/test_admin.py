"""The school administration is scoped to the schools a user manages."""

import pytest
from django.contrib import messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from school.models import ClassroomDevice, Student
from tests import factories as f
from tests.conftest import as_user, assert_cast

pytestmark = pytest.mark.django_db


def test_who_may_enter_the_administration(cast, client):
    def enters(user):
        as_user(client, user)
        return client.get(reverse("admin:index")).status_code == 200

    assert_cast(cast, enters, {"operator", "principal", "other_school_admin"})


def test_who_may_open_a_pupils_record_in_the_administration(cast, client):
    url = reverse("admin:school_student_change", args=[cast.pupil_a1.pk])

    def opens(user):
        as_user(client, user)
        return client.get(url).status_code == 200

    assert_cast(cast, opens, {"operator", "principal"})


def test_the_pupil_list_shows_only_the_managed_schools_pupils(cast, client):
    as_user(client, cast.principal)
    listed = set(client.get(reverse("admin:school_student_changelist")).context["cl"].result_list)
    assert listed == set(Student.objects.filter(school=cast.school_a))
    assert cast.sibling_b not in listed


def test_pupil_search_ignores_tone_marks(cast, client):
    as_user(client, cast.principal)
    response = client.get(reverse("admin:school_student_changelist"), {"q": "tran thi binh"})
    assert list(response.context["cl"].result_list) == [cast.pupil_a2]


def test_a_class_form_offers_only_the_managed_schools_choices(cast, client):
    as_user(client, cast.principal)
    form = client.get(reverse("admin:school_classgroup_add")).context["adminform"].form
    assert set(form.fields["school"].queryset) == {cast.school_a}
    teachers = set(form.fields["homeroom_teacher"].queryset)
    assert cast.teacher_a1 in teachers and cast.other_school_admin not in teachers


def test_a_class_cannot_be_created_in_another_school(cast, client):
    as_user(client, cast.other_school_admin)
    response = client.post(
        reverse("admin:school_classgroup_add"),
        {
            "school": cast.school_a.pk,
            "school_year": cast.class_a1.school_year.pk,
            "grade": 10,
            "name": "10A9",
            "assignments-TOTAL_FORMS": 0,
            "assignments-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 200  # the form comes back with errors
    assert "school" in response.context["adminform"].form.errors
    assert not cast.school_a.class_groups.filter(name="10A9").exists()


def test_registering_a_device_shows_its_token_once_and_stores_only_a_hash(cast, client):
    as_user(client, cast.principal)
    response = client.post(
        reverse("admin:school_classroomdevice_add"),
        {"school": cast.school_a.pk, "room": cast.device.room.pk, "kind": "kiosk", "name": "Cổng chính"},
        follow=True,
    )
    shown = [str(m) for m in response.context["messages"] if m.level == messages.WARNING]
    token = shown[0].rsplit(" ", 1)[-1]
    device = ClassroomDevice.objects.get(name="Cổng chính")
    assert device.token_hash == ClassroomDevice.hash_token(token)
    assert token not in device.token_hash
    page = client.get(reverse("admin:school_classroomdevice_change", args=[device.pk]))
    assert token not in page.content.decode()


def test_a_principal_adds_a_teacher_by_phone(cast, client):
    as_user(client, cast.principal)
    response = client.post(
        reverse("admin:school_staffmembership_add"),
        {"full_name": "Đinh  Văn Mới", "phone": "0933 111 222", "school": cast.school_a.pk,
         "role": "teacher", "is_active": "on"},
    )
    assert response.status_code == 302
    membership = cast.school_a.memberships.get(user__phone="0933111222")
    assert membership.user.full_name == "Đinh Văn Mới"
    assert not membership.user.has_usable_password()
    again = client.post(
        reverse("admin:school_staffmembership_add"),
        {"full_name": "Đinh Văn Mới", "phone": "0933111222", "school": cast.school_a.pk, "role": "teacher"},
    )
    assert again.status_code == 200 and again.context["adminform"].form.errors


def test_a_class_form_reads_the_same_queries_however_many_subjects_it_has(cast, client):
    as_user(client, cast.principal)
    url = reverse("admin:school_classgroup_change", args=[cast.class_a1.pk])

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    before = queries()
    for name in ["Vật lí", "Hoá học", "Sinh học", "Lịch sử", "Địa lí"]:
        f.TeachingAssignmentFactory(
            class_group=cast.class_a1, teacher=cast.teacher_a2,
            subject=f.SubjectFactory(school=cast.school_a, name=name),
        )
    assert queries() == before


@pytest.mark.parametrize("changelist", [
    "school_staffmembership", "school_classgroup", "school_student", "school_subject",
    "school_room", "school_schoolyear", "school_timetableslot", "school_classroomdevice",
    "school_dataaccess",
])
def test_list_filters_name_no_other_school(cast, client, changelist):
    as_user(client, cast.other_school_admin)
    response = client.get(reverse(f"admin:{changelist}_changelist"))
    assert response.status_code == 200
    assert cast.school_a.name not in response.content.decode()


def test_every_foreign_key_of_every_form_and_inline_is_scoped(cast, rf):
    """Whatever a form shows or accepts for a foreign key (a select, an autocomplete, a
    posted id) is one queryset: for school A's principal, none of school B's rows is in any
    of them. A new admin or field that forgets its scope fails here."""
    from django import forms

    from school.admin import admin_site

    theirs = [
        cast.school_b, cast.class_b, cast.class_b.school_year, cast.sibling_b, cast.device_b,
        cast.device_b.room, cast.other_school_admin,
        f.link_guardian(f.UserFactory(), cast.sibling_b),
        f.SubjectFactory(school=cast.school_b), f.SubjectGroupFactory(school=cast.school_b),
        f.TermFactory(school_year=cast.class_b.school_year),
    ]
    request = rf.get("/quan-tri/")
    request.user = cast.principal
    checked = set()
    for model_admin in admin_site._registry.values():
        form_classes = [model_admin.get_form(request)]
        form_classes += [i.get_formset(request).form for i in model_admin.get_inline_instances(request)]
        for form_class in form_classes:
            for name, field in form_class.base_fields.items():
                if isinstance(field, forms.ModelChoiceField):
                    offered = set(field.queryset)
                    assert not offered & set(theirs), f"{form_class.__name__}.{name}"
                    checked.add(f"{form_class._meta.model.__name__}.{name}")
    assert {"Guardianship.guardian", "Guardianship.student", "ClassGroup.homeroom_teacher",
            "TeachingAssignment.teacher", "StaffMembership.school"} <= checked
