"""Wagtail's reports, kept to the user's own school. The reports' rows already keep to the
pages one may edit, but their filters offer choices taken from the whole installation: the
workflow reports name every submitter, workflow and task (whose names carry the school's
name), the locked pages report everyone who ever locked a page, the site history everyone
who ever did anything to a page. These views are Wagtail's,
with the filters' choices taken from the rows the user may see; lms/wagtail_urls.py mounts
them over Wagtail's own addresses."""

import django_filters
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import FilteredModelChoiceFilter
from wagtail.admin.views.reports.audit_logging import (
    LogEntriesView,
    SiteHistoryReportFilterSet,
    get_users_for_filter,
)
from wagtail.admin.views.reports.locked_pages import LockedPagesReportFilterSet, LockedPagesView
from wagtail.admin.views.reports.workflows import (
    WorkflowReportFilterSet,
    WorkflowTasksReportFilterSet,
    WorkflowTasksView,
    WorkflowView,
    get_editable_content_type_ids,
    get_editable_page_ids_query,
)
from wagtail.models import (
    Page,
    Task,
    TaskState,
    Workflow,
    WorkflowState,
    get_default_page_content_type,
)
from wagtail.permissions import policy_registry


def visible_workflow_states(request):
    """The workflow states of the pages (and snippets) `request.user` may edit: the rows the
    workflow reports show them (the same rule as Wagtail's WorkflowView.get_queryset)."""
    return WorkflowState.objects.filter(
        Q(
            base_content_type_id=get_default_page_content_type().id,
            object_id__in=get_editable_page_ids_query(request),
        )
        | Q(content_type_id__in=get_editable_content_type_ids(request))
    )


def _requesters(request):
    User = get_user_model()
    ids = visible_workflow_states(request).values("requested_by_id")
    return User.objects.filter(pk__in=ids).order_by(User.USERNAME_FIELD)


def _workflows(request):
    return Workflow.objects.filter(pk__in=visible_workflow_states(request).values("workflow_id"))


def _tasks(request):
    states = TaskState.objects.filter(workflow_state__in=visible_workflow_states(request))
    return Task.objects.filter(pk__in=states.values("task_id"))


class SchoolWorkflowReportFilterSet(WorkflowReportFilterSet):
    workflow = django_filters.ModelChoiceFilter(
        field_name="workflow", queryset=_workflows, label=_("Workflow")
    )
    requested_by = django_filters.ModelChoiceFilter(
        field_name="requested_by", queryset=_requesters, label=_("Requested by")
    )


class SchoolWorkflowTasksReportFilterSet(WorkflowTasksReportFilterSet):
    workflow = django_filters.ModelChoiceFilter(
        field_name="workflow_state__workflow", queryset=_workflows, label=_("Workflow")
    )
    task = FilteredModelChoiceFilter(
        queryset=_tasks, filter_field="id_workflow", filter_accessor="workflows"
    )


class SchoolWorkflowView(WorkflowView):
    filterset_class = SchoolWorkflowReportFilterSet


class SchoolWorkflowTasksView(WorkflowTasksView):
    filterset_class = SchoolWorkflowTasksReportFilterSet


def _lockers(request):
    """Who locked a page that `request.user` may edit (or locked themselves)."""
    User = get_user_model()
    pages = policy_registry.get_by_type(Page).instances_user_has_permission_for(
        request.user, "change"
    )
    ids = pages.filter(locked=True).values("locked_by_id")
    mine = Q(pk=request.user.pk, locked_pages__isnull=False)
    return User.objects.filter(Q(pk__in=ids) | mine).order_by(User.USERNAME_FIELD).distinct()


class SchoolLockedPagesReportFilterSet(LockedPagesReportFilterSet):
    locked_by = django_filters.ModelChoiceFilter(
        label=_("Locked by"), empty_label=_("Anyone"), field_name="locked_by", queryset=_lockers
    )


class SchoolLockedPagesView(LockedPagesView):
    filterset_class = SchoolLockedPagesReportFilterSet


class SchoolSiteHistoryReportFilterSet(SiteHistoryReportFilterSet):
    def get_users_queryset(self):
        # Wagtail's takes the users of every page's log entries; these are of the entries
        # the user may see.
        return get_users_for_filter(self.request.user)


class SchoolLogEntriesView(LogEntriesView):
    filterset_class = SchoolSiteHistoryReportFilterSet
