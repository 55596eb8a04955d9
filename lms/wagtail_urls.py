"""Wagtail's page and document URLs, behind our login: an anonymous visitor is sent to log
in (for any address, existing or not, so an address reveals nothing); a signed-in person
then passes lms's checks (wagtail_hooks.py: before_serve_page, before_serve_document), which
answer 404 for "missing" and "not yours" alike. Also the Wagtail admin views lms replaces
(admin_overrides) and the access-checked lesson images under MEDIA_URL (media)."""

from django.contrib.auth.decorators import login_required
from django.urls import path, re_path
from django.views.decorators.cache import never_cache
from wagtail import views as page_views
from wagtail.admin.auth import require_admin_access
from wagtail.admin.views import workflows
from wagtail.documents.views import serve as document_views
from wagtail.utils.urlpatterns import decorate_urlpatterns

from lms import admin_reports
from lms.views import (
    ExternalLinkView,
    cross_school_report_refused,
    media_file,
    workflow_editors_only,
)

# The same patterns and names as wagtail.urls and wagtail.documents.urls, so that page.url and
# document.url keep working; the password-protected variants are not used by lms.
pages = [re_path(r"^((?:[\w\-]+/)*)$", login_required(page_views.serve), name="wagtail_serve")]
documents = [
    re_path(r"^(\d+)/(.*)$", login_required(document_views.serve), name="wagtaildocs_serve"),
]

# Wagtail admin views whose filters or rows would show other schools' pages, people or
# workflows (lms/admin_reports.py), mounted under /cms/ before Wagtail's own patterns: the
# same addresses, so Wagtail's links and its results URLs lead here.
admin_overrides = [
    path("reports/page-types-usage/", cross_school_report_refused),
    path("reports/page-types-usage/results/", cross_school_report_refused, {"results_only": True}),
    path("reports/workflow/", admin_reports.SchoolWorkflowView.as_view()),
    path(
        "reports/workflow/results/", admin_reports.SchoolWorkflowView.as_view(results_only=True)
    ),
    path("reports/workflow_tasks/", admin_reports.SchoolWorkflowTasksView.as_view()),
    path(
        "reports/workflow_tasks/results/",
        admin_reports.SchoolWorkflowTasksView.as_view(results_only=True),
    ),
    path("reports/locked/", admin_reports.SchoolLockedPagesView.as_view()),
    path(
        "reports/locked/results/", admin_reports.SchoolLockedPagesView.as_view(results_only=True)
    ),
    path("reports/site-history/", admin_reports.SchoolLogEntriesView.as_view()),
    path(
        "reports/site-history/results/",
        admin_reports.SchoolLogEntriesView.as_view(results_only=True),
    ),
    path(
        "workflows/task_chooser/", workflow_editors_only(workflows.TaskChooserView.as_view())
    ),
    path(
        "workflows/task_chooser/results/",
        workflow_editors_only(workflows.TaskChooserResultsView.as_view()),
    ),
    path(
        "workflows/task_chooser/create/",
        workflow_editors_only(workflows.TaskChooserCreateView.as_view()),
    ),
    path("workflows/task_chooser/<int:task_id>/", workflow_editors_only(workflows.task_chosen)),
    path("choose-external-link/", ExternalLinkView.as_view()),
]
# As Wagtail guards its own admin views: sign-in and admin access first, never cached.
admin_overrides = decorate_urlpatterns(
    decorate_urlpatterns(admin_overrides, require_admin_access), never_cache
)

# Lesson images and renditions under MEDIA_URL, each after an access check (lms/media.py).
media = [re_path(r"^(?P<name>.+)$", media_file, name="media_file")]
