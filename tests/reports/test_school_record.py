"""The học bạ (school record) of a class as one PDF (reports/school_record.py) with the heights
and weights it prints for grades 1–5: the PDF read back by text extraction, a pupil's years
each on its own page, the query count pinned for two class sizes; and the run that renders it
(POST /bao-cao/lop/<id>/hoc-ba/, reports.runs): who may start it, the class PDF it leaves.

The cast's primary school B: pupil Dũng was in 2A in 2025–2026 and is in 3A (the cast's
class_b) in 2026–2027.
"""

import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from pypdf import PdfReader

from contactbook.models import AttendanceMark, BodyMeasurement, Score
from reports import runs, school_record
from reports.models import ReportFile, ReportRun
from school.models import DataAccess, StaffMembership, Subject
from tests import factories as f
from tests.conftest import as_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def reports_root(settings, tmp_path):
    settings.REPORTS_ROOT = tmp_path / "reports"
    return settings.REPORTS_ROOT

PRIMARY = Subject.Assessment.PRIMARY


@pytest.fixture
def primary(cast):
    """School B's year before (2025–2026, class 2A) and this year's 3A, each with its terms
    and a Toán taught by 3A's homeroom teacher; Dũng in both, rated "Hoàn thành tốt" at the
    end of 2025–2026, measured in both years, absent one day with leave this year; his
    father and mother recorded."""
    teacher = f.UserFactory(full_name="Lương Thị Lớp Ba")
    f.StaffMembershipFactory(user=teacher, school=cast.school_b)
    f.StaffMembershipFactory(
        user=f.UserFactory(full_name="Đinh Văn Hiệu"), school=cast.school_b,
        role=StaffMembership.Role.PRINCIPAL,
    )
    cast.class_b.homeroom_teacher = teacher
    cast.class_b.save()
    year_b = cast.class_b.school_year
    earlier_year = f.SchoolYearFactory(
        school=cast.school_b, name="2025–2026", start_date=datetime.date(2025, 9, 5),
        end_date=datetime.date(2026, 5, 31), is_current=False,
    )
    class_2a = f.ClassGroupFactory(school_year=earlier_year, name="2A", grade=2)
    terms = {}
    for year, first in ((earlier_year, 2025), (year_b, 2026)):
        terms[year.pk] = [
            f.TermFactory(school_year=year, number=1, start_date=datetime.date(first, 9, 5),
                          end_date=datetime.date(first + 1, 1, 15)),
            f.TermFactory(school_year=year, number=2, start_date=datetime.date(first + 1, 1, 18),
                          end_date=datetime.date(first + 1, 5, 25)),
        ]
    math = f.SubjectFactory(school=cast.school_b, name="Toán", assessment=PRIMARY,
                            periods_per_year=105, has_primary_test=True)
    for class_group in (class_2a, cast.class_b):
        f.TeachingAssignmentFactory(teacher=teacher, class_group=class_group, subject=math)
    pupil = cast.sibling_b
    f.enrol(pupil, class_2a, start_date=datetime.date(2025, 9, 5))
    f.score(pupil, math, terms[earlier_year.pk][1], kind=Score.Kind.FINAL, value=None,
            rating="T", class_group=class_2a, by=teacher)
    BodyMeasurement.objects.create(student=pupil, school_year=earlier_year,
                                   height_cm=Decimal("120.5"), weight_kg=Decimal("22.0"))
    BodyMeasurement.objects.create(student=pupil, school_year=year_b,
                                   height_cm=Decimal("125.5"), weight_kg=Decimal("24.5"))
    f.attendance_mark(pupil, datetime.date(2026, 10, 5), status=AttendanceMark.Status.EXCUSED,
                      by=teacher)
    f.link_guardian(f.UserFactory(full_name="Bùi Văn Cha"), pupil, relationship="father")
    return {"teacher": teacher, "class_2a": class_2a, "earlier_year": earlier_year,
            "math": math}


def pages_text(data: bytes) -> list[str]:
    """Each page's text, its whitespace folded (text extraction breaks lines anywhere)."""
    reader = PdfReader(io.BytesIO(data))
    return [" ".join((page.extract_text() or "").split()) for page in reader.pages]


def year_pages(pages: list[str]) -> list[str]:
    return [page for page in pages if "HỌC BẠ – NĂM HỌC" in page]


# ---------------------------------------------------------------------------------------
# The PDF
# ---------------------------------------------------------------------------------------


def test_the_record_shows_the_particulars_page_and_a_page_per_year_with_height_and_weight(
    cast, primary
):
    class_group = cast.class_b
    records = school_record.school_record_for(class_group)
    pages = pages_text(school_record.render_school_record(class_group, records))

    particulars = pages[0]
    for words in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "BỘ GIÁO DỤC VÀ ĐÀO TẠO", "HỌC BẠ",
                  "TIỂU HỌC", "UBND PHƯỜNG HỒNG HÀ", "TRƯỜNG TIỂU HỌC HỒNG HÀ",
                  f"Họ và tên: {cast.sibling_b.full_name}", "Giới tính: Nữ",
                  "Ngày, tháng, năm sinh: 14/03/2010", "Họ và tên cha: Bùi Văn Cha",
                  "Họ và tên mẹ: Bùi Thị Hai Con", "HIỆU TRƯỞNG",
                  "(Ký, ghi rõ họ tên và đóng dấu)", "QUÁ TRÌNH HỌC TẬP",
                  "Năm học Lớp Tên trường Hiệu trưởng ký",
                  "2025–2026 2A Trường Tiểu học Hồng Hà", "2026–2027 3A Trường Tiểu học Hồng Hà"):
        assert words in particulars, words
    # What the school does not hold is a line to fill in, never invented.
    assert "Nơi sinh: …" in particulars and "Dân tộc: …" in particulars
    assert "Nơi ở hiện nay: …" in particulars

    first, second = year_pages(pages)
    assert "HỌC BẠ – NĂM HỌC 2025–2026" in first and "Lớp: 2A" in first
    assert "Chiều cao: 120,5 cm" in first and "Cân nặng: 22,0 kg" in first
    assert "Toán Hoàn thành tốt" in first  # 2A's end-of-year rating, from that year's card
    assert "Tổng số ngày nghỉ: 0" in first and first.count("ngày nghỉ") == 1
    assert "HỌC BẠ – NĂM HỌC 2026–2027" in second and "Lớp: 3A" in second
    assert "Chiều cao: 125,5 cm" in second and "Cân nặng: 24,5 kg" in second
    assert "Tổng số ngày nghỉ: 1 (có phép 1" in second and second.count("ngày nghỉ") == 1


def test_a_secondary_record_has_its_years_and_no_height_or_weight(cast):
    class_group = cast.class_a1
    records = school_record.school_record_for(class_group)
    assert [r.full_name for r in records] == [cast.pupil_a1.full_name, cast.sibling_a1.full_name]
    pages = pages_text(school_record.render_school_record(class_group, records))
    assert sum("HỌC BẠ" in page and "QUÁ TRÌNH HỌC TẬP" in page for page in pages) == 2
    assert "TRUNG HỌC PHỔ THÔNG" in pages[0]
    assert len(year_pages(pages)) == 2  # one year each
    assert not any("Chiều cao" in page for page in pages)
    assert any("buổi nghỉ học" in page for page in pages)  # sessions, not days
    # The pupil without a recorded father prints a line to fill in.
    assert "Họ và tên cha: …" in pages[0]


@pytest.mark.parametrize("pupils", [1, 4])
def test_the_record_reads_a_fixed_number_of_queries_whatever_the_class_size(
    cast, primary, pupils, django_assert_num_queries
):
    for n in range(pupils - 1):
        pupil = f.StudentFactory(school=cast.school_b, given_name=f"Em{n}")
        f.enrol(pupil, primary["class_2a"], start_date=datetime.date(2025, 9, 5))
        f.enrol(pupil, cast.class_b)
        f.link_guardian(f.UserFactory(), pupil)
        BodyMeasurement.objects.create(student=pupil, school_year=cast.class_b.school_year,
                                       height_cm=Decimal("130.0"), weight_kg=Decimal("28.0"))
    # The class, its pupils, their enrolments, the heights and weights, the guardians; then
    # one year_cards for 2A and one for 3A (12 each for grades 1–5).
    with django_assert_num_queries(5 + 12 + 12):
        records = school_record.school_record_for(cast.class_b)
    assert len(records) == pupils
    assert all(len(record.years) == 2 for record in records)


# ---------------------------------------------------------------------------------------
# The run that renders a class's records, and who may start it
# ---------------------------------------------------------------------------------------


def start(client, user, class_group):
    as_user(client, user)
    return client.post(reverse("reports:school_record", args=[class_group.pk]))


def test_a_manager_starts_the_run_and_downloads_the_class_pdf(cast, client, settings):
    settings.REPORT_CHUNK_SIZE = 4  # one pupil a chunk: the class PDF joins two chunks
    response = start(client, cast.principal, cast.class_a1)
    run = ReportRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("reports:run", args=[run.pk])
    assert (run.document, run.scope, run.term, run.status) == (
        ReportRun.Document.SCHOOL_RECORD, ReportRun.Scope.CLASS, None, ReportRun.Status.DONE
    )
    assert run.chunks.count() == 2
    page = client.get(response["Location"]).content.decode()
    assert "Học bạ · Lớp 10A1" in page
    report_file = ReportFile.objects.get(run=run)
    assert report_file.name == "hoc-ba-2026-2027-lop-10a1.pdf"
    download = client.get(reverse("reports:file", args=[report_file.pk]))
    assert download.status_code == 200
    pages = pages_text(b"".join(download.streaming_content))
    assert len(pages) == report_file.pages
    names = [cast.pupil_a1.full_name, cast.sibling_a1.full_name]
    particulars = [p for p in pages if "QUÁ TRÌNH HỌC TẬP" in p]
    assert [next(n for n in names if n in p) for p in particulars] == names  # class order
    assert DataAccess.objects.filter(action=DataAccess.Action.REPORT_FILE).count() == 1


def test_starting_it_twice_while_it_renders_starts_one_run(cast):
    ReportRun.objects.create(
        school=cast.school_a, school_year=cast.class_a1.school_year, scope=ReportRun.Scope.CLASS,
        class_group=cast.class_a1, document=ReportRun.Document.SCHOOL_RECORD,
        requested_by=cast.principal, status=ReportRun.Status.RUNNING,
    )
    run, created = runs.start_run(
        user=cast.principal, school=cast.school_a, school_year=cast.class_a1.school_year,
        term=None, scope=ReportRun.Scope.CLASS, class_group=cast.class_a1,
        document=ReportRun.Document.SCHOOL_RECORD,
    )
    assert not created and ReportRun.objects.count() == 1
    # A run of the class's year cards is another run.
    _run, created = runs.start_run(
        user=cast.principal, school=cast.school_a, school_year=cast.class_a1.school_year,
        term=None, scope=ReportRun.Scope.CLASS, class_group=cast.class_a1,
    )
    assert created


@pytest.mark.parametrize(
    "name", ["homeroom_a1", "teacher_a1", "teacher_a2", "group_head", "parent_a1",
             "other_school_admin", "stranger"],
)
def test_anyone_but_the_schools_managers_gets_404(cast, client, name):
    response = start(client, cast.users[name], cast.class_a1)
    assert response.status_code == 404
    assert not ReportRun.objects.exists()


def test_an_anonymous_visitor_is_sent_to_sign_in_and_a_get_is_refused(cast, client):
    response = start(client, cast.anonymous, cast.class_a1)
    assert response.status_code == 302 and "next=" in response["Location"]
    as_user(client, cast.principal)
    assert client.get(reverse("reports:school_record", args=[cast.class_a1.pk])).status_code == 405
    assert not ReportRun.objects.exists()


def test_a_class_without_pupils_gets_a_run_with_nothing_to_print(cast, client):
    empty = f.ClassGroupFactory(school_year=cast.class_a1.school_year, name="10A9")
    response = start(client, cast.principal, empty)
    assert response.status_code == 302
    run = ReportRun.objects.get()
    assert run.status == ReportRun.Status.DONE and not run.files.exists()
