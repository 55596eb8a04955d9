"""The fault test of report runs, with real Celery workers on Redis: a worker killed (SIGKILL)
in the middle of a chunk, a new worker started, and the run completes with every pupil's card
exactly once and every page in the class PDF exactly once."""

import io
from decimal import Decimal

import pytest
from django.utils import timezone
from pypdf import PdfReader

from contactbook.models import Score
from reports import runs
from reports.models import ReportCard, ReportChunk, ReportFile, ReportRun
from school.models import StaffMembership
from tests import factories as f
from tests.celery_workers import kill, wait_for

pytestmark = pytest.mark.django_db(transaction=True)
PUPILS = 12
CHUNK = 2  # six chunks, so the worker is killed with work before and after it


@pytest.fixture
def class_with_grades():
    year = f.SchoolYearFactory()
    school = year.school
    term = f.TermFactory(school_year=year)
    teacher = f.UserFactory(full_name="Lê Thu Hà")
    principal = f.UserFactory(full_name="Phạm Văn Hùng")
    f.StaffMembershipFactory(user=principal, school=school, role=StaffMembership.Role.PRINCIPAL)
    class_group = f.ClassGroupFactory(school_year=year, name="10A3", homeroom_teacher=teacher)
    subjects = [
        f.SubjectFactory(school=school, name=name, periods_per_year=70)  # 2 regular assessments
        for name in ("Toán", "Ngữ văn")
    ]
    for subject in subjects:
        f.TeachingAssignmentFactory(teacher=teacher, class_group=class_group, subject=subject)
    now = timezone.now()
    for i in range(PUPILS):
        pupil = f.StudentFactory(school=school, family_name="Đặng", middle_name="Quốc", given_name=f"Trường{i:02d}")
        f.EnrolmentFactory(student=pupil, class_group=class_group)
        for subject in subjects:
            for kind, index, value in (("regular", 1, "7"), ("regular", 2, "8.5"), ("midterm", 1, "6"), ("final", 1, "9")):
                Score.objects.create(
                    student=pupil, subject=subject, term=term, class_group=class_group, kind=kind,
                    index=index, value=Decimal(value), published_at=now, updated_by=teacher,
                )
    return principal, class_group, term


def test_a_run_survives_its_worker_being_killed_mid_chunk(class_with_grades, tmp_path, settings, workers):
    principal, class_group, term = class_with_grades
    settings.REPORT_CHUNK_SIZE = CHUNK
    chunk_size = {"REPORTS_ROOT": str(settings.REPORTS_ROOT), "REPORT_CHUNK_SIZE": str(CHUNK)}
    first = workers("first", "reports", **chunk_size)
    run, created = runs.start_run(
        user=principal, school=class_group.school, school_year=class_group.school_year,
        term=term, scope=ReportRun.Scope.CLASS, class_group=class_group,
    )
    assert created and run.total == PUPILS
    chunks = ReportChunk.objects.filter(run=run)
    assert chunks.count() == PUPILS // CHUNK

    # Kill the worker while it is inside a chunk: one chunk done, another started.
    def inside_a_chunk():
        return (
            chunks.filter(done_at__isnull=False).exists()
            and chunks.filter(done_at__isnull=True, attempts__gte=1).exists()
        )

    assert wait_for(inside_a_chunk, seconds=90), (tmp_path / "first.log").read_text()
    kill(first)
    interrupted = list(chunks.filter(done_at__isnull=True, attempts__gte=1).values_list("pk", flat=True))
    run.refresh_from_db()
    assert run.status != ReportRun.Status.DONE and interrupted

    workers("second", "reports", **chunk_size)
    assert wait_for(lambda: ReportRun.objects.get(pk=run.pk).status == ReportRun.Status.DONE, seconds=90), (
        (tmp_path / "second.log").read_text()
    )

    run.refresh_from_db()
    assert (run.done, run.total) == (PUPILS, PUPILS)
    # The interrupted chunk was taken again, and left nothing behind the first time.
    assert all(c.attempts >= 2 for c in chunks.filter(pk__in=interrupted))
    assert not chunks.filter(done_at__isnull=True).exists()
    cards = ReportCard.objects.filter(term=term)
    assert cards.count() == PUPILS  # no card twice, none superseded by a duplicate render
    assert cards.values("student").distinct().count() == PUPILS
    assert run.rendered == PUPILS

    class_pdf = ReportFile.objects.get(run=run, kind=ReportFile.Kind.CLASS_PDF)
    reader = PdfReader(io.BytesIO(runs.read_file(class_pdf)))
    assert len(reader.pages) == class_pdf.pages == PUPILS
    texts = [page.extract_text() for page in reader.pages]
    for i in range(PUPILS):  # every pupil's page exactly once, in class-list order
        assert sum(f"Trường{i:02d}" in text for text in texts) == 1
        assert f"Trường{i:02d}" in texts[i]
