"""The portal pages of lms: a pupil's lessons (this week, or by subject) for their parents
and teachers, lesson search, giving a lesson to classes, and old files of materials."""

import datetime
import functools

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.forms.choosers import ExternalLinkChooserForm, URLOrAbsolutePathField
from wagtail.admin.views import chooser
from django.views.decorators.http import require_GET

from lms import access, media, selectors, services
from lms.forms import AssignLessonForm
from school import access as school_access


def _date_param(value: str | None) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value) if value else timezone.localdate()
    except ValueError:
        return timezone.localdate()


@login_required
@require_GET
def student_lessons(request: HttpRequest, student_id: int) -> HttpResponse:
    """A pupil's lessons: the week of ?tuan=YYYY-MM-DD (this week by default), or every lesson
    of one subject with ?mon=<subject id>. Parents see their own children; teachers and
    managers the pupils they may see (school.access)."""
    student = school_access.get_student_for_user(request.user, student_id)
    try:
        subject_id = int(request.GET["mon"]) if request.GET.get("mon") else None
    except ValueError:
        subject_id = None
    context = selectors.student_lessons(
        student, week_of=_date_param(request.GET.get("tuan")), subject_id=subject_id
    )
    monday = context["week_start"]
    context.update(
        previous_week=monday - datetime.timedelta(days=7),
        next_week=monday + datetime.timedelta(days=7),
        today=timezone.localdate(),
    )
    return render(request, "lms/student_lessons.html", context)


@login_required
@require_GET
def search(request: HttpRequest) -> HttpResponse:
    """Lessons the user may open, found without tone marks: "phuong trinh" finds "Phương trình"."""
    query = request.GET.get("q", "").strip()[:200]
    results = selectors.search_lessons(request.user, query) if query else []
    return render(request, "lms/search.html", {"query": query, "results": results})


@login_required
def assign(request: HttpRequest, lesson_id: int) -> HttpResponse:
    """A teacher gives a published lesson to one or more of their classes for a day."""
    lesson = access.get_lesson_for_user(request.user, lesson_id)
    if not access.may_assign(request.user, lesson):
        messages.error(request, _("You do not teach this lesson's subject in any class this year."))
        return redirect(lesson.url)
    form = AssignLessonForm(request.POST or None, user=request.user, lesson=lesson)
    if request.method == "POST" and form.is_valid():
        session, period = form.session_and_period()
        try:
            assignments = services.assign_lesson(
                lesson=lesson, class_groups=form.cleaned_data["class_groups"],
                on=form.cleaned_data["date"], user=request.user, session=session, period=period,
                homework_due=form.cleaned_data["homework_due"],
            )
        except services.LessonNotAssignable as error:
            form.add_error(None, str(error.message))
        else:
            names = ", ".join(a.class_group.name for a in assignments)
            messages.success(
                request,
                _("“%(lesson)s” is given to %(classes)s for %(date)s.")
                % {"lesson": lesson.title, "classes": names,
                   "date": form.cleaned_data["date"].strftime("%d/%m/%Y")},
            )
            return redirect(lesson.url)
    existing = lesson.assignments.filter(
        class_group__in=access.assignable_classes(request.user, lesson)
    ).select_related("class_group").order_by("-date")
    return render(request, "lms/assign.html", {"lesson": lesson, "form": form, "existing": existing})


@login_required
@require_GET
def material_version(request: HttpRequest, version_id: int, filename: str) -> HttpResponse:
    """An earlier file of a material (from a lesson's history): the school's staff only."""
    version = access.get_material_version_for_user(request.user, version_id)
    if version.filename != filename:
        raise Http404("No such file")
    response = FileResponse(version.file.open("rb"), as_attachment=True, filename=version.filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'"
    return response


@require_GET
def media_file(request: HttpRequest, name: str) -> HttpResponse:
    """A lesson image or one of its renditions (lms/media.py): for those lms.access allows,
    or a board with the file's key from the device API; 404 otherwise, as for a missing file."""
    found = media.find_image_file(name)
    if found is None:
        raise Http404("No such file")
    image, file = found
    device = media.has_device_key(name, request.GET.get(media.KEY_PARAMETER))
    if not (device or access.can_view_image(request.user, image)):
        raise Http404("No such file")
    try:
        return media.file_response(file)
    except OSError:
        raise Http404("No such file") from None


@login_required
def cross_school_report_refused(request: HttpRequest, results_only: bool = False) -> HttpResponse:
    """Wagtail's "page types usage" report (and its results, which its filters fetch) names
    the last edited page of each type across every school; only the platform operator may
    open it."""
    from wagtail.admin.views.reports.page_types_usage import PageTypesUsageReportView

    if not request.user.is_superuser:
        raise Http404("No such report")
    return PageTypesUsageReportView.as_view(results_only=results_only)(request)


WORKFLOW_EDITING = ("wagtailcore.add_workflow", "wagtailcore.change_workflow")


def workflow_editors_only(view):
    """Wagtail's task chooser (used while editing a workflow) lists every task of every
    school, whatever the user's rights: only those who may edit workflows may open it."""

    @functools.wraps(view)
    def guarded(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not any(request.user.has_perm(permission) for permission in WORKFLOW_EDITING):
            raise Http404("No such page")
        return view(request, *args, **kwargs)

    return guarded


class _URLOrPathField(URLOrAbsolutePathField):
    """Wagtail's field calls value.startswith() and fails (500) when the form posts no url."""

    def to_python(self, value):
        return super().to_python(value or "")


class _ExternalLinkForm(ExternalLinkChooserForm):
    url = _URLOrPathField(required=True, label=gettext_lazy("URL"))


class ExternalLinkView(chooser.ExternalLinkView):
    """Wagtail's external-link chooser, answering a post without a url with the form's error."""

    form_class = _ExternalLinkForm
