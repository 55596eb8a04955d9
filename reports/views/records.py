"""A class's học bạ (school records) as one PDF: POST /bao-cao/lop/<class_id>/hoc-ba/ starts
a report run of the class's records (reports.runs, the `reports` queue) and shows its page,
where the PDF is downloaded once rendered, like a run of cards.

Not rendered in the request: a 42-pupil class took about 97 s (bench/school_record.py, two
pages a pupil; a primary class holds up to six a pupil). For the school's managers, who start
every run and sign the record (reports.access.get_class_group_for_manager); anyone else gets
404, an anonymous visitor the login page.
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path
from django.views.decorators.http import require_POST

from reports import runs
from reports.access import get_class_group_for_manager
from reports.models import ReportRun


@login_required
@require_POST
def start_school_record(request: HttpRequest, class_id: int) -> HttpResponse:
    """Start (or, while one is rendering, join) the run of the class's học bạ for its year."""
    class_group = get_class_group_for_manager(request.user, class_id)
    run, _created = runs.start_run(
        user=request.user, school=class_group.school, school_year=class_group.school_year,
        term=None, scope=ReportRun.Scope.CLASS, class_group=class_group,
        document=ReportRun.Document.SCHOOL_RECORD,
    )
    return redirect("reports:run", run.pk)


urlpatterns = [
    path("bao-cao/lop/<int:class_id>/hoc-ba/", start_school_record, name="school_record"),
]
