"""The reports' pages. Each area's view module (reports/views/…) exports its own
`urlpatterns`, assembled here like the contact book's."""

from django.urls import include, path

app_name = "reports"

AREAS = [
    "runs",  # batch runs: start, progress, downloads
    "summaries",  # class summary and school statistics, PDF and XLSX
    "awards",  # a class's Khen thưởng: the homeroom teacher's proposals, the principal's confirmation
    "summer",  # a class's summer: the year-end lists, re-assessed conduct, re-tests
    "records",  # a class's học bạ (school records): a run of the class's records
    "dashboard",  # the results dashboard with charts: a department's, a school's own
    "cards",  # a parent's download of a card; the public verification page
]

urlpatterns = [path("", include(f"reports.views.{area}")) for area in AREAS]
