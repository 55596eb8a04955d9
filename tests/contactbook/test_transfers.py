"""Terms copied from a previous school's record, and the principal's decision for a pupil
under a personal education plan (contactbook/transfers.py): every refusal writes nothing."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from contactbook import transfers
from contactbook.models import CopiedResult, CopiedTerm, PersonalPlan
from school.models import StaffMembership, Subject
from tests import factories as f

pytestmark = pytest.mark.django_db

TERM2_START = datetime.date(2027, 1, 18)


@pytest.fixture
def terms(cast):
    year = cast.class_a1.school_year
    return (
        f.TermFactory(school_year=year, number=1, start_date=datetime.date(2026, 9, 5),
                      end_date=datetime.date(2027, 1, 15)),
        f.TermFactory(school_year=year, number=2, start_date=TERM2_START,
                      end_date=datetime.date(2027, 5, 25)),
    )


@pytest.fixture
def newcomer(cast):
    """A pupil of 10A1 who came from another school at the start of term II."""
    pupil = f.StudentFactory(school=cast.school_a, given_name="Khoa")
    f.enrol(pupil, cast.class_a1, start_date=TERM2_START)
    return pupil


@pytest.fixture
def pe(cast):
    subject = f.SubjectFactory(school=cast.school_a, name="Giáo dục thể chất", periods_per_year=70,
                               assessment=Subject.Assessment.RATED)
    f.TeachingAssignmentFactory(teacher=cast.teacher_a1, class_group=cast.class_a1, subject=subject)
    return subject


def save(cast, pupil, term, results, **overrides):
    fields = {"previous_school": "Trường THPT Bãi Cháy", "conduct": "Khá",
              "absent_with_leave": 2, "absent_without_leave": 1}
    return transfers.save_copied_term(
        by=cast.principal, student=pupil, term=term, results=results, **{**fields, **overrides}
    )


def test_a_term_ii_newcomers_term_i_is_copied_with_its_results(cast, terms, newcomer, pe):
    copied = save(cast, newcomer, terms[0], [
        transfers.CopiedValues(cast.math, average="7,5"),
        transfers.CopiedValues(pe, passed=True),
    ])
    assert copied.previous_school == "Trường THPT Bãi Cháy" and copied.entered_by == cast.principal
    assert {(r.subject.name, r.average, r.passed) for r in copied.results.all()} == {
        ("Toán", Decimal("7.5"), None), ("Giáo dục thể chất", None, True),
    }
    # Evidence like any grade: who entered each value is in the history.
    assert copied.history.get().history_user == cast.principal
    assert {h.history_user for h in CopiedResult.history.all()} == {cast.principal}


def _refused(cast, pupil, term, results, field, text, **overrides):
    with pytest.raises(ValidationError) as refused:
        save(cast, pupil, term, results, **overrides)
    assert field in refused.value.error_dict
    assert text in " ".join(refused.value.messages)
    assert not CopiedTerm.objects.exists() and not CopiedResult.objects.exists()


def test_a_term_the_pupil_was_enrolled_here_is_refused(cast, terms):
    # An has been in 10A1 since September: term I is this school's own.
    _refused(cast, cast.pupil_a1, terms[0], [transfers.CopiedValues(cast.math, average="8")],
             "term", "đã học tại trường")


def test_a_term_in_which_the_pupil_has_published_grades_is_refused(cast, terms, newcomer):
    f.score(newcomer, cast.math, terms[0], value="6", by=cast.teacher_a1)
    _refused(cast, newcomer, terms[0], [transfers.CopiedValues(cast.math, average="8")],
             "term", "đã học tại trường")


def test_term_ii_itself_cannot_be_copied(cast, terms, newcomer):
    _refused(cast, newcomer, terms[1], [transfers.CopiedValues(cast.math, average="8")],
             "term", "đã học tại trường")


@pytest.mark.parametrize("average", ["10,5", "7,25", "-1", "", None])
def test_a_score_outside_0_10_or_with_two_decimals_is_refused(cast, terms, newcomer, average):
    _refused(cast, newcomer, terms[0], [transfers.CopiedValues(cast.math, average=average)],
             "average", "từ 0 đến 10")


def test_a_subject_the_class_does_not_have_is_refused(cast, terms, newcomer):
    literature = Subject.objects.get(school=cast.school_a, name="Ngữ văn")  # 10A2's, not 10A1's
    _refused(cast, newcomer, terms[0], [transfers.CopiedValues(literature, average="8")],
             "subject", "không có môn học này")


def test_a_rated_subject_takes_d_or_cd_only(cast, terms, newcomer, pe):
    _refused(cast, newcomer, terms[0], [transfers.CopiedValues(pe, average="8")], "passed", "Đ")
    _refused(cast, newcomer, terms[0], [transfers.CopiedValues(pe)], "passed", "Đ")


def test_the_conduct_of_grades_6_to_12_is_required(cast, terms, newcomer):
    _refused(cast, newcomer, terms[0], [transfers.CopiedValues(cast.math, average="8")],
             "conduct", "rèn luyện", conduct="")


def test_a_subject_given_twice_is_refused(cast, terms, newcomer):
    _refused(cast, newcomer, terms[0], [transfers.CopiedValues(cast.math, average="8"),
                                        transfers.CopiedValues(cast.math, average="9")],
             "subject", "hai lần")


def test_a_second_copy_of_the_same_term_is_refused(cast, terms, newcomer):
    save(cast, newcomer, terms[0], [transfers.CopiedValues(cast.math, average="8")])
    with pytest.raises(ValidationError) as refused:
        save(cast, newcomer, terms[0], [transfers.CopiedValues(cast.math, average="9")])
    assert "đã được chép" in " ".join(refused.value.messages)
    assert CopiedResult.objects.get().average == Decimal("8.0")


def test_another_schools_term_is_refused(cast, newcomer):
    other = f.TermFactory(school_year=cast.class_b.school_year, number=1)
    _refused(cast, newcomer, other, [], "term", "trường khác")


# ---------------------------------------------------------------------------------------
# The principal's decision
# ---------------------------------------------------------------------------------------


@pytest.fixture
def plan(cast):
    return PersonalPlan.objects.create(student=cast.pupil_a1, school_year=cast.class_a1.school_year,
                                       note="Khuyết tật vận động", recorded_by=cast.principal)


def test_the_principal_decides_and_who_and_when_are_recorded(cast, plan):
    transfers.decide_promotion(plan, by=cast.principal, promoted=True, note="Theo KHGDCN")
    plan.refresh_from_db()
    assert plan.promoted is True and plan.decided_by == cast.principal and plan.decided_at
    assert plan.decision_note == "Theo KHGDCN"
    assert plan.history.count() == 2  # the plan, then the decision
    assert plan.history.first().history_user == cast.principal  # the newest: the decision


def test_the_operator_may_decide(cast, plan):
    transfers.decide_promotion(plan, by=cast.operator, promoted=False)
    plan.refresh_from_db()
    assert plan.promoted is False


@pytest.mark.parametrize("who", ["vice_principal", "school_admin", "homeroom_a1", "teacher_a1",
                                 "other_school_admin", "former_principal"])
def test_nobody_else_may_decide(cast, plan, who):
    roles = {"vice_principal": StaffMembership.Role.VICE_PRINCIPAL,
             "school_admin": StaffMembership.Role.ADMIN,
             "former_principal": StaffMembership.Role.PRINCIPAL}
    if who in roles:
        user = f.UserFactory()
        f.StaffMembershipFactory(user=user, school=cast.school_a, role=roles[who],
                                 is_active=who != "former_principal")
    else:
        user = cast.users[who]
    with pytest.raises(PermissionDenied):
        transfers.decide_promotion(plan, by=user, promoted=True)
    plan.refresh_from_db()
    assert plan.promoted is None and plan.decided_by is None


# ---------------------------------------------------------------------------------------
# Grades 1–5: ratings and written tests, no conduct
# ---------------------------------------------------------------------------------------


@pytest.fixture
def primary(cast):
    year = cast.class_b.school_year
    term1 = f.TermFactory(school_year=year, number=1, start_date=datetime.date(2026, 9, 5),
                          end_date=datetime.date(2027, 1, 15))
    pupil = f.StudentFactory(school=cast.school_b, given_name="Nhỏ")
    f.enrol(pupil, cast.class_b, start_date=TERM2_START)
    teacher = f.UserFactory()
    subjects = {}
    for name, tested in (("Toán", True), ("Đạo đức", False)):
        subjects[name] = f.SubjectFactory(school=cast.school_b, name=name, periods_per_year=70,
                                          assessment=Subject.Assessment.PRIMARY, has_primary_test=tested)
        f.TeachingAssignmentFactory(teacher=teacher, class_group=cast.class_b, subject=subjects[name])
    return term1, pupil, subjects


def _save_primary(cast, term1, pupil, results, conduct=""):
    return transfers.save_copied_term(
        by=cast.other_school_admin, student=pupil, term=term1, previous_school="Trường TH Kim Đồng",
        conduct=conduct, absent_with_leave=1, absent_without_leave=0, results=results,
    )


def test_a_primary_term_copies_ratings_and_tests(cast, primary):
    term1, pupil, subjects = primary
    copied = _save_primary(cast, term1, pupil, [
        transfers.CopiedValues(subjects["Toán"], rating="T", test_score=9),
        transfers.CopiedValues(subjects["Đạo đức"], rating="H"),
    ])
    assert {(r.subject.name, r.rating, r.test_score) for r in copied.results.all()} == {
        ("Toán", "T", 9), ("Đạo đức", "H", None)}


@pytest.mark.parametrize(
    ("values", "conduct", "field"),
    [
        ({"subject": "Toán", "rating": "T"}, "", "test_score"),  # a tested subject needs its test
        ({"subject": "Đạo đức", "rating": "T", "test_score": 8}, "", "test_score"),  # no test
        ({"subject": "Toán", "rating": "T", "test_score": 11}, "", "test_score"),
        ({"subject": "Toán", "rating": "X", "test_score": 8}, "", "rating"),
        ({"subject": "Toán", "average": "8"}, "", "rating"),
        ({"subject": "Toán", "rating": "T", "test_score": 8}, "Tốt", "conduct"),  # no conduct in 1–5
    ],
)
def test_bad_primary_values_are_refused(cast, primary, values, conduct, field):
    term1, pupil, subjects = primary
    values = {**values, "subject": subjects[values["subject"]]}
    with pytest.raises(ValidationError) as refused:
        _save_primary(cast, term1, pupil, [transfers.CopiedValues(**values)], conduct)
    assert field in refused.value.error_dict
    assert not CopiedTerm.objects.exists()
