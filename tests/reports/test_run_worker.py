"""The fault test of report runs, with real Celery workers on Redis: a worker killed (SIGKILL)
in the middle of a chunk, a new worker started, and the run completes with every pupil's card
exactly once and every page in the class PDF exactly once."""

import io
import os
import signal
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone
from pypdf import PdfReader

from contactbook.models import Score
from reports import runs
from reports.models import ReportCard, ReportChunk, ReportFile, ReportRun
from school.models import StaffMembership
from tests import factories as f
from truongso.celery import app

pytestmark = pytest.mark.django_db(transaction=True)
ROOT = Path(__file__).resolve().parents[2]
PUPILS = 12
CHUNK = 2  # six chunks, so the worker is killed with work before and after it


def _database_url() -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def _start_worker(tmp_path, name: str) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "truongso.settings.base",
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": app.conf.broker_url or settings.CELERY_BROKER_URL,
        "REPORTS_ROOT": str(settings.REPORTS_ROOT),
        "REPORT_CHUNK_SIZE": str(CHUNK),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "truongso", "worker", "-Q", "reports",
         "--pool", "solo", "--loglevel", "WARNING", "--without-gossip", "--without-mingle",
         "-n", f"{name}@%h"],
        cwd=ROOT, env=env, stdout=open(tmp_path / f"{name}.log", "wb"), stderr=subprocess.STDOUT,
    )


def _wait_for(check, seconds=90, step=0.05):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(step)
    return False


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


def test_a_run_survives_its_worker_being_killed_mid_chunk(class_with_grades, tmp_path, settings):
    principal, class_group, term = class_with_grades
    settings.REPORT_CHUNK_SIZE = CHUNK
    first = _start_worker(tmp_path, "first")
    app.conf.task_always_eager = False
    second = None
    try:
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

        assert _wait_for(inside_a_chunk), (tmp_path / "first.log").read_text()
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=20)
        interrupted = list(chunks.filter(done_at__isnull=True, attempts__gte=1).values_list("pk", flat=True))
        run.refresh_from_db()
        assert run.status != ReportRun.Status.DONE and interrupted

        second = _start_worker(tmp_path, "second")
        assert _wait_for(lambda: ReportRun.objects.get(pk=run.pk).status == ReportRun.Status.DONE), (
            (tmp_path / "second.log").read_text()
        )
    finally:
        app.conf.task_always_eager = True
        for worker in (first, second):
            if worker and worker.poll() is None:
                worker.terminate()
                worker.wait(timeout=20)

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
    reader = PdfReader(io.BytesIO(runs.file_path(class_pdf).read_bytes()))
    assert len(reader.pages) == class_pdf.pages == PUPILS
    texts = [page.extract_text() for page in reader.pages]
    for i in range(PUPILS):  # every pupil's page exactly once, in class-list order
        assert sum(f"Trường{i:02d}" in text for text in texts) == 1
        assert f"Trường{i:02d}" in texts[i]
