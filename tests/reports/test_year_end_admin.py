"""The year's end pages of the school administration (reports/admin.py): a term copied from
a previous school, entered with its subjects, and a personal education plan whose decision is
the principal's alone. Refusals come back on the form in Vietnamese with nothing written."""

import datetime

import pytest
from django.urls import reverse

from contactbook.models import CopiedResult, CopiedTerm, PersonalPlan
from school.models import StaffMembership, Subject
from tests import factories as f
from tests.conftest import as_user

pytestmark = pytest.mark.django_db

TERM2_START = datetime.date(2027, 1, 18)


@pytest.fixture
def term1(cast):
    year = cast.class_a1.school_year
    f.TermFactory(school_year=year, number=2, start_date=TERM2_START, end_date=datetime.date(2027, 5, 25))
    return f.TermFactory(school_year=year, number=1, start_date=datetime.date(2026, 9, 5),
                         end_date=datetime.date(2027, 1, 15))


@pytest.fixture
def newcomer(cast):
    pupil = f.StudentFactory(school=cast.school_a, given_name="Khoa")
    f.enrol(pupil, cast.class_a1, start_date=TERM2_START)
    return pupil


def _post_copied_term(client, pupil, term, rows, **fields):
    data = {
        "student": pupil.pk, "term": term.pk, "previous_school": "Trường THPT Bãi Cháy",
        "conduct": "Khá", "absent_with_leave": 2, "absent_without_leave": 0,
        "results-TOTAL_FORMS": len(rows), "results-INITIAL_FORMS": 0,
        **fields,
    }
    for n, row in enumerate(rows):
        data.update({f"results-{n}-{k}": v for k, v in row.items()})
    return client.post(reverse("admin:contactbook_copiedterm_add"), data)


def _errors(response) -> str:
    page = response.content.decode()
    assert response.status_code == 200, response.status_code
    return page


def test_a_manager_copies_term_i_of_a_pupil_who_joined_in_term_ii(cast, client, term1, newcomer):
    as_user(client, cast.principal)
    response = _post_copied_term(client, newcomer, term1, [{"subject": cast.math.pk, "average": "7,5"}])
    assert response.status_code == 302
    copied = CopiedTerm.objects.get()
    assert copied.entered_by == cast.principal and copied.previous_school == "Trường THPT Bãi Cháy"
    assert str(copied.results.get().average) == "7.5"


@pytest.mark.parametrize(
    ("case", "text"),
    [
        ("was_here", "Học sinh đã học tại trường trong học kỳ này"),
        ("two_decimals", "lấy đến một chữ số thập phân"),
        ("out_of_range", "từ 0 đến 10"),
        ("other_class_subject", "không có môn học này"),
        ("twice", "dữ liệu trùng lặp"),  # Django's own formset check, in Vietnamese
        ("no_conduct", "kết quả rèn luyện của học kỳ"),
    ],
)
def test_bad_copied_results_are_refused_on_the_form_and_nothing_written(
    cast, client, term1, newcomer, case, text
):
    as_user(client, cast.principal)
    pupil, rows, fields = newcomer, [{"subject": cast.math.pk, "average": "8"}], {}
    if case == "was_here":
        pupil = cast.pupil_a1  # in 10A1 since September
    elif case == "two_decimals":
        rows = [{"subject": cast.math.pk, "average": "7,25"}]
    elif case == "out_of_range":
        rows = [{"subject": cast.math.pk, "average": "11"}]
    elif case == "other_class_subject":
        rows = [{"subject": Subject.objects.get(name="Ngữ văn").pk, "average": "8"}]
    elif case == "twice":
        rows = rows * 2
    elif case == "no_conduct":
        fields = {"conduct": ""}
    page = _errors(_post_copied_term(client, pupil, term1, rows, **fields))
    assert text in page
    assert not CopiedTerm.objects.exists() and not CopiedResult.objects.exists()


def test_another_schools_manager_cannot_copy_into_school_a(cast, client, term1, newcomer):
    as_user(client, cast.other_school_admin)
    page = _errors(_post_copied_term(client, newcomer, term1, [{"subject": cast.math.pk, "average": "8"}]))
    assert "student" in page and not CopiedTerm.objects.exists()


# ---------------------------------------------------------------------------------------
# Personal education plans
# ---------------------------------------------------------------------------------------


@pytest.fixture
def vice_principal(cast):
    user = f.UserFactory(full_name="Nguyễn Văn Phó")
    f.StaffMembershipFactory(user=user, school=cast.school_a, role=StaffMembership.Role.VICE_PRINCIPAL)
    return user


def _post_plan(client, pupil, year, url=None, **fields):
    data = {"student": pupil.pk, "school_year": year.pk, "note": "Khuyết tật vận động",
            "decision": "", "decision_note": "", **fields}
    return client.post(url or reverse("admin:contactbook_personalplan_add"), data)


def test_a_vice_principal_records_the_plan_but_cannot_decide(cast, client, vice_principal):
    as_user(client, vice_principal)
    year = cast.class_a1.school_year
    page = _errors(_post_plan(client, cast.pupil_a1, year, decision="True"))
    assert "Chỉ Hiệu trưởng của trường mới được quyết định" in page
    assert not PersonalPlan.objects.exists()

    assert _post_plan(client, cast.pupil_a1, year).status_code == 302
    plan = PersonalPlan.objects.get()
    assert plan.promoted is None and plan.recorded_by == vice_principal


def test_the_principal_decides_beside_the_proposal(cast, client, vice_principal, term1):
    year = cast.class_a1.school_year
    plan = PersonalPlan.objects.create(student=cast.pupil_a1, school_year=year, recorded_by=vice_principal)
    url = reverse("admin:contactbook_personalplan_change", args=[plan.pk])
    as_user(client, cast.principal)
    page = client.get(url).content.decode()
    assert "Đề xuất của hệ thống" in page and "Toán: chưa đủ điểm" in page  # why none yet

    response = _post_plan(client, cast.pupil_a1, year, url=url, decision="False", decision_note="Theo KHGDCN")
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.promoted is False and plan.decided_by == cast.principal and plan.decided_at
    assert plan.decision_note == "Theo KHGDCN"

    # The vice-principal may still edit the plan's note, not the decision.
    as_user(client, vice_principal)
    response = _post_plan(client, cast.pupil_a1, year, url=url, decision="False",
                          decision_note="Theo KHGDCN", note="Đã cập nhật")
    assert response.status_code == 302
    page = _errors(_post_plan(client, cast.pupil_a1, year, url=url, decision="True",
                              decision_note="Theo KHGDCN"))
    assert "Chỉ Hiệu trưởng" in page
    plan.refresh_from_db()
    assert plan.promoted is False and plan.note == "Đã cập nhật"


# ---------------------------------------------------------------------------------------
# Importing copied terms from a file
# ---------------------------------------------------------------------------------------


def _upload(client, term, text: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("chep.csv", text.encode("utf-8"), content_type="text/csv")
    return client.post(reverse("admin:contactbook_copiedterm_import"), {"term": term.pk, "file": upload})


HEADER = "Mã học sinh;Trường cũ;Rèn luyện;Nghỉ có phép;Nghỉ không phép;Toán;GDTC\n"


@pytest.fixture
def pe(cast):
    subject = f.SubjectFactory(school=cast.school_a, name="Giáo dục thể chất", code="GDTC",
                               periods_per_year=70, assessment=Subject.Assessment.RATED)
    f.TeachingAssignmentFactory(teacher=cast.teacher_a1, class_group=cast.class_a1, subject=subject)
    return subject


def test_a_file_of_copied_terms_is_imported(cast, client, term1, newcomer, pe):
    as_user(client, cast.principal)
    response = _upload(client, term1, HEADER + f"{newcomer.student_code};THPT Bãi Cháy;khá;2;;7,5;Đ\n")
    assert response.status_code == 302
    copied = CopiedTerm.objects.get()
    assert (copied.student, copied.conduct, copied.absent_with_leave, copied.absent_without_leave) == (
        newcomer, "Khá", 2, 0)
    assert {(r.subject.code, str(r.average), r.passed) for r in copied.results.all()} == {
        (cast.math.code, "7.5", None), ("GDTC", "None", True)}


def test_a_rated_subject_is_read_as_the_grade_book_reads_it(cast, client, term1, newcomer, pe):
    # Typed without accents, as the grade book takes it.
    as_user(client, cast.principal)
    response = _upload(client, term1, HEADER + f"{newcomer.student_code};THPT Bãi Cháy;Khá;0;0;7;chua dat\n")
    assert response.status_code == 302
    assert [r.passed for r in CopiedTerm.objects.get().results.filter(subject=pe)] == [False]


def test_a_bad_rated_result_is_refused_with_the_grade_books_message(cast, client, term1, newcomer, pe):
    as_user(client, cast.principal)
    page = _errors(_upload(client, term1, HEADER + f"{newcomer.student_code};THPT Bãi Cháy;Khá;0;0;7;Giỏi\n"))
    assert '<td class="line">2</td>' in page and "<td>GDTC</td>" in page
    assert "Môn này đánh giá bằng nhận xét: nhập Đ (Đạt) hoặc CĐ (Chưa đạt)." in page
    assert not CopiedTerm.objects.exists()


def test_one_bad_line_imports_nothing_and_every_bad_line_is_listed(cast, client, term1, newcomer, pe):
    as_user(client, cast.principal)
    other = f.StudentFactory(school=cast.school_a, given_name="Mai")
    f.enrol(other, cast.class_a1, start_date=TERM2_START)
    text = HEADER + (
        f"{newcomer.student_code};THPT Bãi Cháy;Khá;0;0;7,5;Đ\n"
        f"{other.student_code};THPT Bãi Cháy;Khá;0;0;7,25;Đ\n"  # two decimals
        f"{cast.pupil_a1.student_code};THPT Bãi Cháy;Khá;0;0;8;Đ\n"  # was here in term I
    )
    page = _errors(_upload(client, term1, text))
    assert "Chưa nhập dữ liệu nào. Có 2 lỗi" in page
    assert "lấy đến một chữ số thập phân" in page and "đã học tại trường" in page
    assert not CopiedTerm.objects.exists() and not CopiedResult.objects.exists()


def test_an_unknown_subject_column_is_refused(cast, client, term1, newcomer):
    as_user(client, cast.principal)
    page = _errors(_upload(client, term1, "Mã học sinh;Trường cũ;Rèn luyện;Thiên văn\n"
                                          f"{newcomer.student_code};A;Khá;8\n"))
    assert "Thiên văn" in page and not CopiedTerm.objects.exists()
