"""The record of who opened or exported pupils' data (school.models.DataAccess): a row for each
report card opened, batch of cards downloaded, class summary or school statistics exported —
and none for a refused request or a page only looked at; the school's managers read their own
school's rows in the administration, read only; nobody else reads them."""

import pytest
from django.urls import reverse

from school.models import DataAccess
from tests.conftest import as_user, assert_cast
from tests.reports.test_card_views import card_url, term1  # noqa: F401
from tests.reports.test_run_views import make_file, make_run, reports_root, term  # noqa: F401
from tests.reports.test_statistics import new_pupil, results  # noqa: F401
from tests.reports.test_summaries_views import statistics_url, summary_url

pytestmark = pytest.mark.django_db

ADDRESS = "203.0.113.9"
Action = DataAccess.Action


def get(client, user, url):
    return as_user(client, user).get(url, REMOTE_ADDR=ADDRESS)


def test_opening_a_card_is_recorded_with_who_whom_and_where(cast, client, term1):  # noqa: F811
    assert get(client, cast.parent_a1, card_url(cast.pupil_a1, term1)).status_code == 200
    assert get(client, cast.parent_a2, card_url(cast.pupil_a1, term1)).status_code == 404  # refused
    row = DataAccess.objects.get()
    assert (row.user, row.user_name, row.action) == (cast.parent_a1, cast.parent_a1.full_name, Action.REPORT_CARD)
    assert (row.school, row.student, row.class_group, row.pupils) == (
        cast.school_a, cast.pupil_a1, cast.class_a1, 1
    )
    assert row.ip_address == ADDRESS and row.detail.startswith("card ")


def test_downloading_a_runs_files_is_recorded(cast, client, term, reports_root):  # noqa: F811
    run = make_run(cast, term, total=30)
    class_pdf = make_file(run, reports_root, cast.class_a1)
    bundle = make_file(run, reports_root, None, kind="zip")
    for report_file in (class_pdf, bundle):
        assert get(client, cast.principal, reverse("reports:file", args=[report_file.pk])).status_code == 200
    assert get(client, cast.parent_a1, reverse("reports:file", args=[bundle.pk])).status_code == 404
    rows = list(DataAccess.objects.order_by("at"))
    assert [(r.user, r.action, r.class_group, r.pupils) for r in rows] == [
        (cast.principal, Action.REPORT_FILE, cast.class_a1, 0),
        (cast.principal, Action.REPORT_FILE, None, 30),
    ]
    assert class_pdf.name in rows[0].detail and bundle.name in rows[1].detail


def test_exports_are_recorded_and_pages_only_looked_at_are_not(client, results):  # noqa: F811
    cast = results.cast
    assert get(client, cast.principal, summary_url(cast.class_a1, ky="1")).status_code == 200
    assert get(client, cast.principal, statistics_url(cast.school_a, ky="1")).status_code == 200
    assert not DataAccess.objects.exists()
    response = get(client, cast.principal, summary_url(cast.class_a1, ky="1", **{"dinh-dang": "xlsx"}))
    assert response.status_code == 200
    response = get(client, cast.principal, statistics_url(cast.school_a, ky="1", **{"dinh-dang": "pdf"}))
    assert response.status_code == 200
    summary, statistics = DataAccess.objects.order_by("at")
    assert (summary.action, summary.class_group, summary.detail) == (Action.CLASS_SUMMARY, cast.class_a1, "1 xlsx")
    assert summary.pupils == cast.class_a1.enrolments.count()
    assert (statistics.action, statistics.school, statistics.class_group) == (
        Action.SCHOOL_STATISTICS, cast.school_a, None
    )


def test_the_record_is_read_in_the_administration_by_the_schools_managers_only(
    cast, client, term1  # noqa: F811
):
    get(client, cast.parent_a1, card_url(cast.pupil_a1, term1))
    changelist = "/quan-tri/school/dataaccess/"

    def reads(user):
        response = as_user(client, user).get(changelist)
        return response.status_code == 200 and cast.pupil_a1.full_name in response.content.decode()

    assert_cast(cast, reads, {"operator", "principal"})
    # another school's administrator opens the list but sees none of school A's rows
    page = as_user(client, cast.other_school_admin).get(changelist)
    assert page.status_code == 200 and cast.pupil_a1.full_name not in page.content.decode()


def test_nobody_adds_changes_or_deletes_a_record(cast, client, term1):  # noqa: F811
    get(client, cast.parent_a1, card_url(cast.pupil_a1, term1))
    row = DataAccess.objects.get()
    as_user(client, cast.operator)
    assert client.get("/quan-tri/school/dataaccess/add/").status_code == 403
    response = client.post(f"/quan-tri/school/dataaccess/{row.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    response = client.post(f"/quan-tri/school/dataaccess/{row.pk}/change/", {"detail": "sửa"})
    assert response.status_code == 403
    row.refresh_from_db()
    assert DataAccess.objects.count() == 1 and row.detail.startswith("card ")
