"""Correcting a recorded summer result (reports.summer.correct_summer and its page): the school's
managers only, with a reason; the previous value stays in the history; refused with a
Vietnamese message and nothing written when the summer is closed, the value bad or the user
may not. The pupils are tests/reports/test_summer.py's (An re-takes Toán and Vật lí; Lan trains
first, then re-takes them)."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from contactbook.models import RetestResult, SummerConduct
from reports import summer
from tests.reports import test_cards, test_summer
from tests.reports.test_cards import line

subjects, term1, term2 = test_cards.subjects, test_cards.term1, test_cards.term2
year, closed = test_summer.year, test_summer.closed

pytestmark = pytest.mark.django_db

card = test_summer.card


@pytest.fixture
def recorded(cast, closed, subjects):
    """An's re-tests (Toán 5, Vật lí 6) and Lan's conduct (Khá) then her re-tests, recorded by
    the homeroom teacher."""
    an, lan = closed["an"], closed["lan"]
    summer.save_summer(user=cast.homeroom_a1, class_group=cast.class_a1, conduct={lan.pk: "Khá"})
    summer.save_summer(
        user=cast.homeroom_a1, class_group=cast.class_a1,
        retests={
            (an.pk, cast.math.pk): "5", (an.pk, subjects["Vật lí"].pk): "6",
            (lan.pk, cast.math.pk): "6", (lan.pk, subjects["Vật lí"].pk): "6",
        },
    )
    return closed


def correct(cast, pupil, value, reason="Nhập nhầm khi ghi", subject=None, user=None):
    summer.correct_summer(
        user=user or cast.principal, class_group=cast.class_a1, student_id=pupil.pk,
        subject_id=subject.pk if subject else None, value=value, reason=reason,
    )


def url(cast, pupil, subject=None):
    base = reverse("reports:class_summer_correct", args=[cast.class_a1.pk, pupil.pk])
    return f"{base}?mon={subject.pk}" if subject else base


def snapshot():
    """Everything a correction could write."""
    return (
        sorted(RetestResult.objects.values_list("pk", "value", "passed", "entered_by_id")),
        sorted(SummerConduct.objects.values_list("pk", "rating", "updated_by_id")),
        RetestResult.history.count(), SummerConduct.history.count(),
    )


def test_a_manager_corrects_a_retest_on_the_page_and_the_history_keeps_both(
    client, cast, recorded
):
    an = recorded["an"]
    client.force_login(cast.principal)
    summer_page = client.get(reverse("reports:class_summer", args=[cast.class_a1.pk]))
    assert url(cast, an, cast.math).split("?")[0] in summer_page.content.decode()

    answer = client.post(
        url(cast, an, cast.math), {"value": "6,5", "reason": "Giáo viên chấm phúc khảo"}
    )
    assert answer.status_code == 302
    row = RetestResult.objects.get(student=an, subject=cast.math)
    assert row.value == Decimal("6.5") and row.entered_by == cast.principal
    history = list(row.history.order_by("history_date", "pk"))
    assert [h.value for h in history] == [Decimal("5.0"), Decimal("6.5")]
    assert [h.entered_by_id for h in history] == [cast.homeroom_a1.pk, cast.principal.pk]
    assert history[-1].history_change_reason == "Giáo viên chấm phúc khảo"
    assert history[-1].history_user == cast.principal
    # The card reads the corrected value.
    assert line(card(cast, an), "Toán").retest == "6,5"
    # The page lists every value with its reason.
    body = client.get(url(cast, an, cast.math)).content.decode()
    assert 'data-value="5,0"' in body and 'data-value="6,5"' in body
    assert "Giáo viên chấm phúc khảo" in body


def test_a_manager_corrects_the_re_assessed_conduct(cast, recorded):
    lan = recorded["lan"]
    correct(cast, lan, "Tốt", reason="Hội đồng xét lại")
    row = SummerConduct.objects.get(student=lan)
    assert row.rating == "Tốt" and row.updated_by == cast.principal
    assert [h.rating for h in row.history.order_by("history_date", "pk")] == ["Khá", "Tốt"]
    assert card(cast, lan).summer_conduct == "Tốt"


def test_a_conduct_below_dat_is_refused_once_the_retests_are_recorded(cast, recorded):
    before = snapshot()
    with pytest.raises(summer.SummerErrors) as refused:
        correct(cast, recorded["lan"], "Chưa đạt")
    assert refused.value.errors == {"value": summer.CONDUCT_BELOW_DAT}
    assert snapshot() == before


@pytest.mark.parametrize(
    ("value", "reason", "field", "message"),
    [
        ("10,5", "Sai", "value", "phải từ 0 đến 10"),
        ("6,45", "Sai", "value", "chỉ được lấy đến một chữ số thập phân"),
        ("Đ", "Sai", "value", "không phải là số"),
        ("", "Sai", "value", ""),
        ("5", "Sai", "value", summer.UNCHANGED),
        ("7", "  ", "reason", summer.REASON_REQUIRED),
        ("7", "x" * 101, "reason", "dài quá 100 ký tự"),
    ],
)
def test_bad_corrections_are_refused_with_nothing_written(
    cast, recorded, value, reason, field, message
):
    before = snapshot()
    with pytest.raises(summer.SummerErrors) as refused:
        correct(cast, recorded["an"], value, reason=reason, subject=cast.math)
    assert message in refused.value.errors[field] and refused.value.errors[field]
    assert snapshot() == before


def test_a_bad_value_on_the_page_answers_422_in_vietnamese_and_keeps_what_was_typed(
    client, cast, recorded
):
    before = snapshot()
    client.force_login(cast.principal)
    answer = client.post(url(cast, recorded["an"], cast.math), {"value": "11", "reason": "Sai"})
    body = answer.content.decode()
    assert answer.status_code == 422
    assert "phải từ 0 đến 10" in body and 'value="11"' in body
    assert snapshot() == before


def test_a_closed_summer_refuses_corrections_until_reopened(client, cast, recorded):
    an, school_year = recorded["an"], cast.class_a1.school_year
    summer.close_summer(user=cast.principal, school_year=school_year)
    before = snapshot()
    with pytest.raises(summer.SummerRefused) as refused:
        correct(cast, an, "7", subject=cast.math)
    assert refused.value.message == summer.CLOSED_REOPEN_FIRST
    client.force_login(cast.principal)
    answer = client.post(url(cast, an, cast.math), {"value": "7", "reason": "Sai"})
    assert answer.status_code == 409 and summer.CLOSED_REOPEN_FIRST in answer.content.decode()
    assert snapshot() == before
    summer.reopen_summer(user=cast.principal, school_year=school_year, reason="Sửa điểm")
    correct(cast, an, "7", subject=cast.math)
    assert RetestResult.objects.get(student=an, subject=cast.math).value == 7


def test_the_homeroom_teacher_may_record_but_not_correct(client, cast, recorded):
    an = recorded["an"]
    before = snapshot()
    with pytest.raises(PermissionDenied):
        correct(cast, an, "7", subject=cast.math, user=cast.homeroom_a1)
    client.force_login(cast.homeroom_a1)
    page = client.get(url(cast, an, cast.math))
    assert page.status_code == 403 and summer.MANAGERS_ONLY in page.content.decode()
    assert 'name="value"' not in page.content.decode()
    answer = client.post(url(cast, an, cast.math), {"value": "7", "reason": "Sai"})
    assert answer.status_code == 403
    assert snapshot() == before


@pytest.mark.parametrize("who", ["teacher_a1", "parent_a1", "other_school_admin"])
def test_others_cannot_open_the_correction_page(client, cast, recorded, who):
    before = snapshot()
    client.force_login(cast.users[who])
    target = url(cast, recorded["an"], cast.math)
    assert client.get(target).status_code == 404
    assert client.post(target, {"value": "7", "reason": "Sai"}).status_code == 404
    assert snapshot() == before


def test_a_result_not_recorded_cannot_be_corrected(client, cast, recorded, subjects):
    an = recorded["an"]
    with pytest.raises(summer.SummerRefused) as refused:
        correct(cast, an, "7", subject=subjects["Hoá học"])
    assert refused.value.message == summer.NOTHING_RECORDED
    client.force_login(cast.principal)
    assert client.get(url(cast, an, subjects["Hoá học"])).status_code == 404
    assert client.get(url(cast, an)).status_code == 404  # An did not train
    assert client.get(url(cast, an) + "?mon=x").status_code == 404
