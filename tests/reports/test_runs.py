"""Report runs through the service (Celery eager): who may start one, one run per double
click, class PDFs and the ZIP, and a re-run that renders only the pupil whose grade changed."""

import io
import os
import zipfile
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from pypdf import PdfReader

from contactbook.models import Score
from reports import runs
from reports.models import ReportCard, ReportFile, ReportRun
from reports.storage import reports_storage
from school.exceptions import DomainError
from school.models import StaffMembership
from tests import factories as f

pytestmark = pytest.mark.django_db


class School:
    """Two grade-10 classes and one grade-11 class of a school, with complete published
    grades in two subjects for term I."""

    def __init__(self):
        self.year = f.SchoolYearFactory()
        self.school = self.year.school
        self.term = f.TermFactory(school_year=self.year)
        self.teacher = f.UserFactory(full_name="Lê Thu Hà")
        self.principal = f.UserFactory(full_name="Phạm Văn Hùng")
        f.StaffMembershipFactory(user=self.principal, school=self.school, role=StaffMembership.Role.PRINCIPAL)
        f.StaffMembershipFactory(user=self.teacher, school=self.school, role=StaffMembership.Role.TEACHER)
        self.subjects = [
            f.SubjectFactory(school=self.school, name=name, periods_per_year=70)
            for name in ("Toán", "Ngữ văn")
        ]
        self.classes = {}
        for name, grade, given in (("10A1", 10, ["An", "Bình", "Chi"]), ("10A2", 10, ["Dũng", "Giang"]), ("11B1", 11, ["Hạnh"])):
            class_group = f.ClassGroupFactory(school_year=self.year, name=name, grade=grade, homeroom_teacher=self.teacher)
            self.classes[name] = class_group
            for subject in self.subjects:
                f.TeachingAssignmentFactory(teacher=self.teacher, class_group=class_group, subject=subject)
            for given_name in given:
                pupil = f.StudentFactory(school=self.school, family_name="Nguyễn", middle_name="Thị", given_name=given_name)
                f.EnrolmentFactory(student=pupil, class_group=class_group)
                for subject in self.subjects:
                    for kind, index, value in (("regular", 1, "7"), ("regular", 2, "8"), ("midterm", 1, "6"), ("final", 1, "9")):
                        Score.objects.create(
                            student=pupil, subject=subject, term=self.term, class_group=class_group,
                            kind=kind, index=index, value=Decimal(value), published_at=timezone.now(),
                            updated_by=self.teacher,
                        )

    def start(self, user=None, **scope):
        scope.setdefault("scope", ReportRun.Scope.CLASS)
        if scope["scope"] == ReportRun.Scope.CLASS:
            scope.setdefault("class_group", self.classes["10A1"])
        return runs.start_run(
            user=user or self.principal, school=self.school, school_year=self.year, term=self.term, **scope
        )


@pytest.fixture
def school():
    return School()


def _pdf_text(data: bytes) -> tuple[int, str]:
    reader = PdfReader(io.BytesIO(data))
    return len(reader.pages), "\n".join(page.extract_text() for page in reader.pages)


def test_a_class_run_renders_each_pupil_once_into_one_class_pdf(school):
    run, created = school.start()
    assert created
    run.refresh_from_db()
    assert (run.status, run.total, run.done, run.rendered) == ("done", 3, 3, 3)
    (class_pdf,) = ReportFile.objects.filter(run=run)
    assert class_pdf.kind == ReportFile.Kind.CLASS_PDF and class_pdf.name == "phieu-bao-hk1-lop-10a1.pdf"
    pages, text = _pdf_text(runs.read_file(class_pdf))
    assert pages == class_pdf.pages == 3
    # Class-list order: An, Bình, Chi; every card has its own verification code.
    assert text.index("Nguyễn Thị An") < text.index("Nguyễn Thị Bình") < text.index("Nguyễn Thị Chi")
    for card in ReportCard.objects.filter(run=run):
        assert card.code in text


def test_a_double_click_starts_one_run_and_a_finished_run_can_be_started_again(school):
    from truongso.celery import app

    app.conf.task_always_eager = False  # keep the first run waiting, as a real queue would
    try:
        first, created_first = school.start()
        second, created_second = school.start()
    finally:
        app.conf.task_always_eager = True
    assert created_first and not created_second and first.pk == second.pk
    assert ReportRun.objects.count() == 1
    runs.resume_runs()  # eager again: renders the waiting chunks
    first.refresh_from_db()
    assert first.status == ReportRun.Status.DONE
    third, created = school.start()
    assert created and third.pk != first.pk


def test_a_rerun_after_one_grade_changed_renders_only_that_pupil(school):
    first, _ = school.start()
    chi = ReportCard.objects.get(run=first, student__given_name="Chi")
    Score.objects.filter(student=chi.student, kind="final", subject=school.subjects[0]).update(value=Decimal("10"))

    second, _ = school.start()
    second.refresh_from_db()
    assert (second.total, second.rendered) == (3, 1)
    chi.refresh_from_db()
    assert chi.superseded_at is not None  # the old card is kept, marked superseded
    new_chi = ReportCard.objects.get(student=chi.student, superseded_at__isnull=True)
    assert new_chi.run_id == second.pk and new_chi.code != chi.code
    assert ReportCard.objects.filter(superseded_at__isnull=True).count() == 3
    pages, _ = _pdf_text(runs.read_file(ReportFile.objects.get(run=second)))
    assert pages == 3  # the class PDF still has every pupil


def test_an_unpublished_score_never_reaches_a_card(school):
    pupil = school.classes["11B1"].enrolments.get().student
    Score.objects.filter(student=pupil, kind="final", subject=school.subjects[0]).update(
        value=Decimal("3.3"), published_at=None
    )
    run, _ = school.start(class_group=school.classes["11B1"])
    card = ReportCard.objects.get(run=run)
    _, text = _pdf_text(bytes(card.pdf))
    assert "3,3" not in text and "3.3" not in text
    assert "Nguyễn Thị Hạnh" in text


def test_a_school_run_gives_a_pdf_per_class_and_a_zip_of_them(school):
    run, _ = school.start(scope=ReportRun.Scope.SCHOOL)
    files = {f.name: f for f in ReportFile.objects.filter(run=run)}
    assert set(files) == {
        "phieu-bao-hk1-lop-10a1.pdf", "phieu-bao-hk1-lop-10a2.pdf", "phieu-bao-hk1-lop-11b1.pdf",
        f"phieu-bao-hk1-{school.school.code}.zip",
    }
    archive = zipfile.ZipFile(io.BytesIO(runs.read_file(files[f"phieu-bao-hk1-{school.school.code}.zip"])))
    assert sorted(archive.namelist()) == sorted(n for n in files if n.endswith(".pdf"))
    assert archive.read("phieu-bao-hk1-lop-10a2.pdf") == runs.read_file(files["phieu-bao-hk1-lop-10a2.pdf"])


def test_a_grade_run_takes_only_that_grades_classes(school):
    run, _ = school.start(scope=ReportRun.Scope.GRADE, grade=10)
    run.refresh_from_db()
    assert run.total == 5
    assert ReportFile.objects.filter(run=run, kind=ReportFile.Kind.CLASS_PDF).count() == 2


def test_only_the_schools_managers_start_a_run(school, cast):
    for user in (school.teacher, cast.principal, cast.other_school_admin, cast.parent_a1, cast.stranger):
        with pytest.raises(PermissionDenied):
            school.start(user=user)
    assert ReportRun.objects.count() == 0
    run, created = school.start(user=cast.operator)  # the operator manages every school
    assert created


@pytest.mark.parametrize(
    "scope, field",
    [({"scope": "grade", "grade": 12}, "grade"), ({"scope": "everything"}, "scope")],
)
def test_a_bad_scope_is_refused_with_the_field_named(school, scope, field):
    with pytest.raises(DomainError) as refused:
        school.start(**scope)
    assert refused.value.field == field
    assert ReportRun.objects.count() == 0


def test_a_class_of_another_year_is_refused(school):
    other_year = f.SchoolYearFactory(school=school.school, name="2025–2026", is_current=False)
    with pytest.raises(DomainError) as refused:
        school.start(class_group=f.ClassGroupFactory(school_year=other_year))
    assert refused.value.field == "class_group"


def test_ensure_card_renders_once_and_reuses_the_stored_card(school):
    pupil = school.classes["10A2"].enrolments.first().student
    card = runs.ensure_card(pupil, school.classes["10A2"], school.year, school.term)
    again = runs.ensure_card(pupil, school.classes["10A2"], school.year, school.term)
    assert card.pk == again.pk and card.pages == 1
    _, text = _pdf_text(bytes(card.pdf))
    assert pupil.family_name in text and card.code in text


def test_a_school_rerun_joins_again_only_the_class_whose_card_changed(school):
    first, _ = school.start(scope=ReportRun.Scope.SCHOOL)
    pupil = school.classes["10A2"].enrolments.first().student
    Score.objects.filter(student=pupil, kind="regular", index=1).update(value=Decimal("9.5"))
    second, _ = school.start(scope=ReportRun.Scope.SCHOOL)
    second.refresh_from_db()
    assert second.rendered == 1
    before = {f.class_group.name: f for f in ReportFile.objects.filter(run=first, kind="class_pdf")}
    after = {f.class_group.name: f for f in ReportFile.objects.filter(run=second, kind="class_pdf")}
    assert after["10A2"].sha256 != before["10A2"].sha256
    for name in ("10A1", "11B1"):  # reused as they were: the same bytes, the same file on disk
        assert after[name].sha256 == before[name].sha256
        stored = reports_storage()
        assert os.stat(stored.path(after[name].path)).st_ino == os.stat(stored.path(before[name].path)).st_ino


def test_ensure_card_refuses_a_pupil_who_left_the_class(school):
    from school.exceptions import NotFound

    enrolment = school.classes["10A2"].enrolments.first()
    enrolment.status, enrolment.end_date = "transferred", school.term.start_date
    enrolment.save(update_fields=["status", "end_date"])
    with pytest.raises(NotFound):
        runs.ensure_card(enrolment.student, school.classes["10A2"], school.year, school.term)
    assert not ReportCard.objects.exists()
