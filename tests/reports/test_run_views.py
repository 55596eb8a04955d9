"""The batch-run pages through their URLs: the reports home (who may open it, starting a run,
a double POST starting one run, refusals shown on the form), a run's page and its progress
JSON, the downloads, against the whole cast; pinned query counts; and one run from the form
to the class PDF read back with pypdf (eager Celery, real rendering).

Runs and files are made directly where rendering does not matter. No assertion reads a
translated label: the tests go by status codes, data attributes and data.
"""

import datetime
import hashlib
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from reports.models import ReportCard, ReportChunk, ReportFile, ReportRun
from tests import factories as f
from tests.conftest import as_user, assert_cast

pytestmark = pytest.mark.django_db

MANAGERS_OF_A = {"operator", "principal"}


@pytest.fixture(autouse=True)
def reports_root(settings, tmp_path):
    settings.REPORTS_ROOT = tmp_path / "reports"
    return settings.REPORTS_ROOT


@pytest.fixture
def term(cast):
    return f.TermFactory(school_year=cast.class_a1.school_year, number=1)


def make_run(cast, term, *, status=ReportRun.Status.DONE, scope=ReportRun.Scope.CLASS, **fields):
    defaults = {"total": 2, "done": 2 if status == ReportRun.Status.DONE else 1}
    if scope == ReportRun.Scope.CLASS:
        defaults["class_group"] = cast.class_a1
    return ReportRun.objects.create(
        school=cast.school_a, school_year=term.school_year, term=term, scope=scope,
        status=status, requested_by=cast.principal, **(defaults | fields),
    )


def make_file(run, root, class_group=None, *, kind=ReportFile.Kind.CLASS_PDF, name=None, data=None):
    data = data or b"%PDF-1.7\n% a class's cards\n%%EOF\n"
    name = name or (f"phieu-bao-hk1-lop-{class_group.name.lower()}.pdf" if class_group else "phieu-bao.zip")
    relative = f"run-{run.pk}/{name}"
    (root / relative).parent.mkdir(parents=True, exist_ok=True)
    (root / relative).write_bytes(data)
    return ReportFile.objects.create(
        run=run, kind=kind, class_group=class_group, name=name, path=relative, size=len(data),
        sha256=hashlib.sha256(data).hexdigest(), pages=2,
    )


def home_post(cast, term, **fields):
    return {
        "truong": cast.school_a.pk,
        "period": f"{term.school_year_id}:1",
        "scope": "class",
        "class_group": cast.class_a1.pk,
        "grade": "",
    } | fields


# ---------------------------------------------------------------------------------------
# Who may open what
# ---------------------------------------------------------------------------------------


def test_who_may_open_the_reports_home(cast, client, term):
    statuses = {}

    def opens(user):
        response = as_user(client, user).get(reverse("reports:home"))
        statuses[getattr(user, "full_name", "anonymous")] = response.status_code
        return response.status_code == 200

    # The other school's administrator opens it for their own school.
    assert_cast(cast, opens, MANAGERS_OF_A | {"other_school_admin"})
    assert statuses["anonymous"] == 302
    assert statuses[cast.homeroom_a1.full_name] == 403
    assert statuses[cast.parent_a1.full_name] == 403


def test_the_home_lists_only_the_chosen_schools_runs(cast, client, term):
    run = make_run(cast, term)
    page = as_user(client, cast.principal).get(reverse("reports:home")).content.decode()
    assert f'data-run="{run.pk}"' in page
    page = as_user(client, cast.other_school_admin).get(reverse("reports:home")).content.decode()
    assert f'data-run="{run.pk}"' not in page
    # …and may not ask for school A's page.
    response = client.get(reverse("reports:home"), {"truong": cast.school_a.pk})
    assert response.status_code == 404


def test_who_may_open_a_run_and_its_progress(cast, client, term):
    run = make_run(cast, term)
    for name in ("reports:run", "reports:run_progress"):
        statuses = {}

        def opens(user):
            response = as_user(client, user).get(reverse(name, args=[run.pk]))
            statuses[getattr(user, "full_name", "anonymous")] = response.status_code
            return response.status_code == 200

        assert_cast(cast, opens, MANAGERS_OF_A)
        assert statuses["anonymous"] == 302
        for other in ("other_school_admin", "homeroom_a1", "teacher_a1", "group_head", "parent_a1", "stranger"):
            assert statuses[getattr(cast, other).full_name] == 404, (name, other)


def test_who_may_download_a_runs_file(cast, client, term, reports_root):
    run = make_run(cast, term)
    report_file = make_file(run, reports_root, cast.class_a1)
    statuses = {}

    def downloads(user):
        response = as_user(client, user).get(reverse("reports:file", args=[report_file.pk]))
        statuses[getattr(user, "full_name", "anonymous")] = response.status_code
        return response.status_code == 200

    assert_cast(cast, downloads, MANAGERS_OF_A)
    assert statuses["anonymous"] == 302
    assert statuses[cast.other_school_admin.full_name] == 404
    assert statuses[cast.parent_a1.full_name] == 404


def test_a_missing_or_malformed_run_is_404(cast, client, term):
    as_user(client, cast.operator)
    assert client.get("/bao-cao/dot/999999/").status_code == 404
    assert client.get("/bao-cao/dot/999999/tien-do/").status_code == 404
    assert client.get("/bao-cao/tep/999999/").status_code == 404


# ---------------------------------------------------------------------------------------
# Progress and downloads
# ---------------------------------------------------------------------------------------


def test_progress_json_while_rendering(cast, client, term):
    run = make_run(cast, term, status=ReportRun.Status.RUNNING, total=40, done=10, rendered=10)
    response = as_user(client, cast.principal).get(reverse("reports:run_progress", args=[run.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Cache-Control"].startswith("max-age=0")
    state = response.json()
    assert state["status"] == "running"
    assert (state["total"], state["done"], state["rendered"], state["percent"]) == (40, 10, 10, 25)
    assert state["finished"] is False and state["files"] == []
    assert state["status_label"]


def test_progress_json_when_done_lists_the_files_with_their_urls(cast, client, term, reports_root):
    run = make_run(cast, term, scope=ReportRun.Scope.SCHOOL)
    pdf_a1 = make_file(run, reports_root, cast.class_a1)
    pdf_a2 = make_file(run, reports_root, cast.class_a2)
    archive = make_file(run, reports_root, kind=ReportFile.Kind.ZIP, data=b"PK\x05\x06" + bytes(18))
    state = as_user(client, cast.principal).get(reverse("reports:run_progress", args=[run.pk])).json()
    assert state["finished"] is True and state["percent"] == 100
    urls = {item["id"]: item["url"] for item in state["files"]}
    assert urls == {x.pk: reverse("reports:file", args=[x.pk]) for x in (pdf_a1, pdf_a2, archive)}
    kinds = {item["id"]: (item["kind"], item["class_group_id"]) for item in state["files"]}
    assert kinds[archive.pk] == ("zip", None) and kinds[pdf_a2.pk] == ("class_pdf", cast.class_a2.pk)


def test_the_run_page_without_javascript_shows_the_state_and_polls_with_it(cast, client, term):
    run = make_run(cast, term, status=ReportRun.Status.RUNNING, total=40, done=10)
    page = as_user(client, cast.principal).get(reverse("reports:run", args=[run.pk])).content.decode()
    assert 'data-finished="no"' in page and 'data-status="running"' in page
    assert '<span data-field="done">10</span>/<span data-field="total">40</span>' in page
    assert f'data-progress-url="{reverse("reports:run_progress", args=[run.pk])}"' in page
    assert "reports/progress.js" in page
    assert 'class="download"' not in page


def test_the_finished_run_page_links_each_class_pdf_and_the_zip(cast, client, term, reports_root):
    run = make_run(cast, term, scope=ReportRun.Scope.GRADE, grade=10)
    pdf_a1 = make_file(run, reports_root, cast.class_a1)
    archive = make_file(run, reports_root, kind=ReportFile.Kind.ZIP, data=b"PK\x05\x06" + bytes(18))
    page = as_user(client, cast.principal).get(reverse("reports:run", args=[run.pk])).content.decode()
    assert 'data-finished="yes"' in page and "reports/progress.js" not in page
    assert f'href="{reverse("reports:file", args=[pdf_a1.pk])}"' in page
    assert f'data-class="{cast.class_a1.pk}"' in page and "10A1" in page
    assert f'href="{reverse("reports:file", args=[archive.pk])}"' in page
    # Running it again posts the same choice to the home form.
    assert 'name="scope" value="grade"' in page and 'name="grade" value="10"' in page


def test_a_failed_run_shows_its_error(cast, client, term):
    run = make_run(cast, term, status=ReportRun.Status.FAILED, error="OSError: disk full")
    page = as_user(client, cast.principal).get(reverse("reports:run", args=[run.pk])).content.decode()
    assert 'data-field="error"' in page and "OSError: disk full" in page


def test_a_class_pdf_downloads_as_an_attachment_with_an_ascii_name(cast, client, term, reports_root):
    run = make_run(cast, term)
    data = b"%PDF-1.7\n% 10A1\n%%EOF\n"
    report_file = make_file(run, reports_root, cast.class_a1, name="Phiếu báo HK I lớp 10A1.pdf", data=data)
    response = as_user(client, cast.principal).get(reverse("reports:file", args=[report_file.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == data
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="Phieu-bao-HK-I-lop-10A1.pdf"'
    assert response["Cache-Control"] == "private, no-store"


def test_a_file_missing_from_disk_is_404(cast, client, term, reports_root):
    report_file = make_file(make_run(cast, term), reports_root, cast.class_a1)
    (reports_root / report_file.path).unlink()
    assert as_user(client, cast.principal).get(reverse("reports:file", args=[report_file.pk])).status_code == 404


# ---------------------------------------------------------------------------------------
# Starting a run
# ---------------------------------------------------------------------------------------


@pytest.fixture
def queued_only():
    """Celery not eager: start_run queues the chunks after commit, and the test's transaction
    never commits, so the run stays waiting — as when no worker has picked it up yet."""
    from truongso.celery import app

    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    yield
    app.conf.task_always_eager = eager


def test_a_double_post_starts_one_run(cast, client, term, queued_only):
    as_user(client, cast.principal)
    first = client.post(reverse("reports:home"), home_post(cast, term))
    second = client.post(reverse("reports:home"), home_post(cast, term))
    run = ReportRun.objects.get()
    assert run.status == ReportRun.Status.QUEUED and run.total == 2
    assert run.requested_by == cast.principal and run.class_group == cast.class_a1
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == reverse("reports:run", args=[run.pk])
    assert ReportChunk.objects.filter(run=run).count() == 1


def test_who_may_start_a_run(cast, client, term, queued_only):
    def starts(user):
        ReportRun.objects.all().delete()
        as_user(client, user).post(reverse("reports:home"), home_post(cast, term))
        return ReportRun.objects.exists()

    assert_cast(cast, starts, MANAGERS_OF_A)


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"scope": "grade", "grade": "12"}, "grade"),  # a grade without classes (start_run says)
        ({"scope": "class", "class_group": ""}, "class_group"),  # no class chosen (the form says)
        ({"scope": "grade", "grade": ""}, "grade"),
        ({"period": "0:1"}, "period"),  # not one of the school's periods
    ],
)
def test_a_refused_run_comes_back_on_the_form(cast, client, term, queued_only, fields, field):
    response = as_user(client, cast.principal).post(reverse("reports:home"), home_post(cast, term, **fields))
    assert response.status_code == 400
    assert not ReportRun.objects.exists()
    assert response.context["form"].errors[field]


def test_a_class_of_another_year_is_refused(cast, client, term, queued_only):
    old_year = f.SchoolYearFactory(
        school=cast.school_a, name="2025–2026", is_current=False,
        start_date=datetime.date(2025, 9, 5), end_date=datetime.date(2026, 5, 31),
    )
    old_class = f.ClassGroupFactory(school_year=old_year, name="10A9")
    response = as_user(client, cast.principal).post(
        reverse("reports:home"), home_post(cast, term, class_group=old_class.pk)
    )
    assert response.status_code == 400 and response.context["form"].errors["class_group"]
    assert not ReportRun.objects.exists()


def test_a_primary_school_starts_a_run_like_any_other(cast, client, queued_only):
    term_b = f.TermFactory(school_year=cast.class_b.school_year)
    response = as_user(client, cast.other_school_admin).post(
        reverse("reports:home"),
        {"truong": cast.school_b.pk, "period": f"{term_b.school_year_id}:1", "scope": "school"},
    )
    run = ReportRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("reports:run", args=[run.pk])
    assert (run.school, run.term, run.scope, run.total) == (cast.school_b, term_b, "school", 1)
    assert ReportChunk.objects.get(run=run).class_group == cast.class_b


def test_a_manager_cannot_start_a_run_for_another_school(cast, client, term, queued_only):
    response = as_user(client, cast.other_school_admin).post(reverse("reports:home"), home_post(cast, term))
    assert response.status_code == 404
    assert not ReportRun.objects.exists()


# ---------------------------------------------------------------------------------------
# Query counts
# ---------------------------------------------------------------------------------------


def _count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_run_page_runs_a_fixed_number_of_queries(cast, client, term, reports_root):
    small = make_run(cast, term, scope=ReportRun.Scope.CLASS)
    make_file(small, reports_root, cast.class_a1)
    big = make_run(cast, term, scope=ReportRun.Scope.SCHOOL)
    for n in range(6):
        class_group = cast.class_a1 if n == 0 else f.ClassGroupFactory(school_year=term.school_year)
        make_file(big, reports_root, class_group)
    make_file(big, reports_root, kind=ReportFile.Kind.ZIP)
    as_user(client, cast.principal)
    # session, user, the run, its state, its files, the class names, the navigation's check
    assert _count_queries(client, reverse("reports:run", args=[small.pk])) == 7
    assert _count_queries(client, reverse("reports:run", args=[big.pk])) == 7
    assert _count_queries(client, reverse("reports:run_progress", args=[big.pk])) == 5


def test_the_home_runs_a_fixed_number_of_queries(cast, client, term):
    as_user(client, cast.principal)
    before = _count_queries(client, reverse("reports:home"))
    for n in range(5):
        make_run(cast, term, status=ReportRun.Status.FAILED, class_group=f.ClassGroupFactory(school_year=term.school_year))
    f.TermFactory(school_year=term.school_year, number=2)
    # 9: the form's choice of who signs reads the school's vice-principals (one query).
    assert _count_queries(client, reverse("reports:home")) == before == 9


# ---------------------------------------------------------------------------------------
# End to end: the form, eager Celery, the class PDF
# ---------------------------------------------------------------------------------------


def test_a_class_run_from_the_form_to_the_class_pdf(cast, client, term, reports_root):
    as_user(client, cast.principal)
    response = client.post(reverse("reports:home"), home_post(cast, term))
    run = ReportRun.objects.get()
    assert response["Location"] == reverse("reports:run", args=[run.pk])
    state = client.get(reverse("reports:run_progress", args=[run.pk])).json()
    assert state["status"] == "done" and state["done"] == state["total"] == 2
    assert state["rendered"] == 2
    (class_pdf,) = state["files"]
    assert class_pdf["kind"] == "class_pdf" and class_pdf["class_group_id"] == cast.class_a1.pk

    page = client.get(reverse("reports:run", args=[run.pk])).content.decode()
    assert f'href="{class_pdf["url"]}"' in page
    download = client.get(class_pdf["url"])
    assert download.status_code == 200
    assert re.fullmatch(r'attachment; filename="[A-Za-z0-9._-]+\.pdf"', download["Content-Disposition"])
    reader = PdfReader(io.BytesIO(b"".join(download.streaming_content)))
    text = " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)
    assert cast.pupil_a1.full_name in text and cast.sibling_a1.full_name in text
    assert cast.pupil_a2.full_name not in text  # 10A2's pupil is not in 10A1's PDF
    assert "PHIẾU BÁO" in text
    # Each pupil's card is stored with its code; each code is on the class PDF.
    codes = list(ReportCard.objects.filter(run=run).values_list("code", flat=True))
    assert len(codes) == 2 and all(code in text.replace(" ", "") for code in codes)

    # Started again, nothing changed: a new run, no card rendered anew.
    client.post(reverse("reports:home"), home_post(cast, term))
    again = ReportRun.objects.exclude(pk=run.pk).get()
    assert again.status == "done" and again.rendered == 0 and again.done == 2
