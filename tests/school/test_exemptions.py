"""The principal's exemptions from practical work (Circular 22/2021 Art. 10), recorded in the
school administration (/quan-tri/): PE or defence education only, for a term or the year of
the exemption, never overlapping; bad input is refused with a Vietnamese message and nothing
is written; another school's manager sees none of them."""

import datetime

import pytest
from django.urls import reverse

from school.models import PracticalExemption, Subject
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(cast):
    year = cast.class_a1.school_year
    term1 = f.TermFactory(school_year=year, number=1)
    term2 = f.TermFactory(school_year=year, number=2, start_date=datetime.date(2027, 1, 18),
                          end_date=datetime.date(2027, 5, 25))
    other_year = f.SchoolYearFactory(school=cast.school_a, name="2025–2026", is_current=False,
                                     start_date=datetime.date(2025, 9, 5),
                                     end_date=datetime.date(2026, 5, 31))
    old_term = f.TermFactory(school_year=other_year, number=1,
                             start_date=datetime.date(2025, 9, 5),
                             end_date=datetime.date(2026, 1, 15))
    pe = f.SubjectFactory(school=cast.school_a, name="Giáo dục thể chất",
                          assessment=Subject.Assessment.RATED, periods_per_year=70)
    return {"year": year, "term1": term1, "term2": term2, "old_term": old_term, "pe": pe}


def post(client, user, cast, world, **overrides):
    client.force_login(user)
    data = {
        "student": cast.pupil_a1.pk, "school_year": world["year"].pk, "subject": world["pe"].pk,
        "term": world["term1"].pk, "decision_number": "12/QĐ-THPT",
        "decision_date": "2026-09-10", "reason": "Gãy tay",
    }
    data.update(overrides)
    return client.post(reverse("admin:school_practicalexemption_add"), data)


def test_the_principal_records_an_exemption_for_a_term(client, cast, world):
    response = post(client, cast.principal, cast, world)
    assert response.status_code == 302, response.context["adminform"].form.errors
    exemption = PracticalExemption.objects.get()
    assert exemption.term == world["term1"] and exemption.decision_number == "12/QĐ-THPT"
    assert exemption.decision_date == datetime.date(2026, 9, 10)
    assert exemption.period_words == "học kỳ I"


@pytest.mark.parametrize(
    "change, field, message",
    [
        # Art. 10.1: only PE and defence education have a practical part to exempt
        ({"subject": "math"}, "subject", "Chỉ được miễn phần thực hành môn Giáo dục thể chất"),
        # Art. 10.3: a term of this year (a term of 2025–2026 is outside 2026–2027)
        ({"term": "old_term"}, "term", "Học kỳ không thuộc năm học này"),
        # a decision dated after the year it covers
        ({"decision_date": "2027-06-01"}, "decision_date", "sau khi năm học kết thúc"),
    ],
)
def test_bad_input_is_refused_in_vietnamese_and_nothing_is_written(
    client, cast, world, change, field, message
):
    values = {"math": cast.math.pk, "old_term": world["old_term"].pk}
    overrides = {k: values.get(v, v) for k, v in change.items()}
    response = post(client, cast.principal, cast, world, **overrides)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert field in errors and message in " ".join(errors[field]), errors
    assert not PracticalExemption.objects.exists()


@pytest.mark.parametrize(
    "first, second, allowed",
    [
        ("term1", "term2", True),  # term I then term II: no overlap
        ("term1", "term1", False),  # the same term twice
        ("", "term2", False),  # a term inside a year already exempted
        ("term2", "", False),  # the year over a term already exempted
    ],
)
def test_exemptions_of_a_pupil_and_subject_never_overlap(client, cast, world, first, second,
                                                        allowed):
    term = {"": "", "term1": world["term1"].pk, "term2": world["term2"].pk}
    assert post(client, cast.principal, cast, world, term=term[first]).status_code == 302
    response = post(client, cast.principal, cast, world, term=term[second],
                    decision_number="13/QĐ-THPT")
    if allowed:
        assert response.status_code == 302
        assert PracticalExemption.objects.count() == 2
    else:
        assert response.status_code == 200
        errors = response.context["adminform"].form.errors
        assert "trùng" in " ".join(errors["term"])
        assert PracticalExemption.objects.count() == 1


def test_another_school_s_manager_sees_and_offers_none_of_them(client, cast, world):
    exemption = PracticalExemption.objects.create(
        student=cast.pupil_a1, school_year=world["year"], subject=world["pe"],
        decision_number="12/QĐ-THPT", decision_date=datetime.date(2026, 9, 10),
    )
    client.force_login(cast.other_school_admin)
    listing = client.get(reverse("admin:school_practicalexemption_changelist"))
    assert listing.status_code == 200 and "12/QĐ-THPT" not in listing.content.decode()
    change = client.get(reverse("admin:school_practicalexemption_change", args=[exemption.pk]))
    assert change.status_code in (302, 404)
    response = post(client, cast.other_school_admin, cast, world)
    assert response.status_code == 200
    assert PracticalExemption.objects.count() == 1
