"""Batch runs of report cards, for a school's managers: the reports home (/bao-cao/: pick a
period and a scope, start a run, see the recent runs), a run's progress page (live through a
small JSON view polled every 2 s; without JavaScript it shows the state at load time) and the
download of what a run produced (one PDF per class, a ZIP for a grade or the school).

Runs and files are loaded through reports.access (404 for missing and not yours); starting a
run is reports.runs.start_run, idempotent, so a double click starts one run.
"""

import unicodedata

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from reports import access, runs
from reports.models import ReportFile, ReportRun
from school import audit
from school.exceptions import DomainError
from school.models import ClassGroup, DataAccess, School, StaffMembership, Term

WHOLE_YEAR = "ca-nam"  # the period value (and URL word) for the whole-year cards
RECENT_RUNS = 20


# ---------------------------------------------------------------------------------------
# Helpers shared with the card views
# ---------------------------------------------------------------------------------------


def ascii_filename(name: str) -> str:
    """A download name every browser and OS keeps as is: Vietnamese letters without their marks
    (đ → d), spaces to dashes, nothing but letters, digits, dots, dashes and underscores:
    "Phiếu báo 10A1 HK I.pdf" → "Phieu-bao-10A1-HK-I.pdf"."""
    text = unicodedata.normalize("NFD", name.replace("đ", "d").replace("Đ", "D"))
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = "-".join(text.split())
    text = "".join(c for c in text if c.isascii() and (c.isalnum() or c in "._-"))
    return text.strip(".-") or "tai-lieu"


def period_label(term: Term | None) -> str:
    """"Term I" / "Term II" / "Whole year" (translated)."""
    return str(term.get_number_display()) if term is not None else _("Whole year")


# ---------------------------------------------------------------------------------------
# The reports home: start a run
# ---------------------------------------------------------------------------------------


class RunForm(forms.Form):
    """Which cards to render: a period (a year's term I or II, or the whole year) and a scope
    (a class, a grade, the whole school) of one school. Choices come from that school only."""

    period = forms.ChoiceField(label=gettext_lazy("School year and term"))
    scope = forms.ChoiceField(
        label=gettext_lazy("Which pupils"),
        choices=ReportRun.Scope.choices,
        initial=ReportRun.Scope.CLASS,
        widget=forms.RadioSelect,
    )
    class_group = forms.ChoiceField(label=gettext_lazy("Class"), required=False)
    grade = forms.TypedChoiceField(
        label=gettext_lazy("Grade"), required=False, coerce=int, empty_value=None
    )
    # Who signs: the principal, or a vice-principal signing for them (KT. HIỆU TRƯỞNG).
    deputy = forms.ChoiceField(
        label=gettext_lazy("Signed by"),
        required=False,
        error_messages={
            "invalid_choice": gettext_lazy(
                "Choose the principal or one of this school's vice-principals."
            )
        },
    )

    def __init__(self, *args, school: School, **kwargs):
        super().__init__(*args, **kwargs)
        self.school = school
        years = list(school.years.order_by("-start_date"))
        terms = list(Term.objects.filter(school_year__school=school).order_by("number"))
        classes = list(
            ClassGroup.objects.filter(school=school).select_related("school_year")
            .order_by("-school_year__start_date", "sort_key")
        )
        self.years = {y.pk: y for y in years}
        self.terms = {(t.school_year_id, t.number): t for t in terms}
        self.classes = {c.pk: c for c in classes}
        periods = []
        for year in years:
            for number in (1, 2):
                term = self.terms.get((year.pk, number))
                if term is None:
                    continue
                label = f"{year.name} · {term.get_number_display()}"
                if not term.is_closed:
                    label += " " + _("(grade book not closed yet)")
                periods.append((f"{year.pk}:{number}", label))
            periods.append((f"{year.pk}:{WHOLE_YEAR}", f"{year.name} · {_('Whole year')}"))
        self.fields["period"].choices = periods
        current = next((y for y in years if y.is_current), years[0] if years else None)
        if current is not None:
            self.fields["period"].initial = f"{current.pk}:1"
        by_year: dict = {}
        for c in classes:
            by_year.setdefault(c.school_year.name, []).append((str(c.pk), c.name))
        self.fields["class_group"].choices = [("", "—")] + list(by_year.items())
        grades = sorted({c.grade for c in classes}) or range(6, 13)
        self.fields["grade"].choices = [("", "—")] + [(g, str(g)) for g in grades]
        deputies = list(
            StaffMembership.objects.filter(
                school=school, role=StaffMembership.Role.VICE_PRINCIPAL, is_active=True
            ).select_related("user").order_by("user__full_name", "pk")
        )
        self.deputies = {d.pk: d for d in deputies}
        self.fields["deputy"].choices = [("", _("The principal"))] + [
            (str(d.pk), _("%(name)s, vice-principal (KT. HIỆU TRƯỞNG)") % {"name": d.user.full_name})
            for d in deputies
        ]

    def clean(self) -> dict:
        data = super().clean()
        period = data.get("period")
        if period:
            year_id, _sep, number = period.partition(":")
            data["school_year"] = self.years[int(year_id)]
            data["term"] = None if number == WHOLE_YEAR else self.terms[(int(year_id), int(number))]
        scope = data.get("scope")
        if scope == ReportRun.Scope.CLASS:
            if not data.get("class_group"):
                self.add_error("class_group", _("Choose a class."))
            else:
                data["class_group"] = self.classes[int(data["class_group"])]
        else:
            data["class_group"] = None
        if scope == ReportRun.Scope.GRADE:
            if data.get("grade") is None:
                self.add_error("grade", _("Choose a grade."))
        else:
            data["grade"] = None
        deputy = data.get("deputy")
        data["deputy"] = self.deputies[int(deputy)] if deputy else None
        return data

    def add_domain_error(self, exc: DomainError) -> None:
        """Show start_run's refusal beside the field it names (the period for a year or term)."""
        field = {"school_year": "period", "term": "period"}.get(exc.field, exc.field)
        self.add_error(field if field in self.fields else None, str(exc.message))


def _managed_schools(request: HttpRequest) -> tuple[list[School], School]:
    """The schools the user manages and the one chosen (`truong` in the query or the form;
    the first by name otherwise). PermissionDenied when the user manages none."""
    schools = list(School.objects.managed_by(request.user).order_by("name").only("name", "level"))
    if not schools:
        raise PermissionDenied("Only a school's managers start report runs.")
    chosen_id = request.POST.get("truong") or request.GET.get("truong")
    if chosen_id is None:
        return schools, schools[0]
    chosen = next((s for s in schools if str(s.pk) == str(chosen_id)), None)
    if chosen is None:
        raise Http404("Not a school this user manages")
    return schools, chosen


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
def reports_home(request: HttpRequest) -> HttpResponse:
    """The reports home for a school's managers (403 for everyone else). POST starts a run and
    goes to its page; the same run already waiting or rendering is returned instead of a
    second one. A refusal (a grade without classes, a term of another year…) comes back on the
    form."""
    schools, school = _managed_schools(request)
    form = RunForm(request.POST or None, school=school)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                run, created = runs.start_run(
                    user=request.user, school=school, school_year=data["school_year"],
                    term=data["term"], scope=data["scope"], grade=data["grade"],
                    class_group=data["class_group"], deputy=data["deputy"],
                )
            except DomainError as exc:
                form.add_domain_error(exc)
            else:
                if not created:
                    messages.info(
                        request, _("These cards are already being rendered: here is that run.")
                    )
                return redirect("reports:run", run.pk)
        status = 400
    recent = list(
        access.runs_visible_to(request.user)
        .filter(school=school)
        .select_related("school_year", "term", "class_group", "requested_by")[:RECENT_RUNS]
    )
    return render(
        request,
        "reports/runs/home.html",
        {
            "schools": schools,
            "school": school,
            "form": form,
            "runs": [_run_row(run) for run in recent],
        },
        status=status,
    )


def _scope_label(run: ReportRun) -> str:
    if run.scope == ReportRun.Scope.CLASS and run.class_group is not None:
        return _("Class %(name)s") % {"name": run.class_group.name}
    if run.scope == ReportRun.Scope.GRADE:
        return _("Grade %(grade)s") % {"grade": run.grade}
    return _("The whole school")


def _run_row(run: ReportRun) -> dict:
    return {
        "run": run,
        "period": f"{run.school_year.name} · "
        + (period_label(run.term) if run.document == ReportRun.Document.CARDS
           else str(ReportRun.Document(run.document).label)),
        "scope": _scope_label(run),
        "url": reverse("reports:run", args=[run.pk]),
    }


# ---------------------------------------------------------------------------------------
# A run's page, its progress (JSON) and its files
# ---------------------------------------------------------------------------------------


def _progress(run: ReportRun) -> dict:
    """runs.progress with each file's download URL."""
    state = runs.progress(run)
    for item in state["files"]:
        item["url"] = reverse("reports:file", args=[item["id"]])
    return state


def _run_again_fields(run: ReportRun) -> dict:
    """The home form's fields that start this run again (re-renders only changed cards)."""
    return {
        "truong": run.school_id,
        "period": f"{run.school_year_id}:{run.term.number if run.term else WHOLE_YEAR}",
        "scope": run.scope,
        "class_group": run.class_group_id or "",
        "grade": run.grade or "",
        "deputy": run.deputy_id or "",
    }


@login_required
@require_GET
@never_cache
def run_detail(request: HttpRequest, run_id: int) -> HttpResponse:
    """A run's progress and, once done, its downloads. Four queries besides the session's."""
    run = access.get_run_for_user(request.user, run_id)
    state = _progress(run)
    class_names = {}
    if state["files"]:
        ids = [f["class_group_id"] for f in state["files"] if f["class_group_id"]]
        class_names = dict(ClassGroup.objects.filter(pk__in=ids).values_list("pk", "name"))
    files = [
        {**f, "class_name": class_names.get(f["class_group_id"], "")}
        for f in state["files"]
    ]
    return render(
        request,
        "reports/runs/detail.html",
        {
            "run": run,
            "row": _run_row(run),
            "state": state,
            "class_files": [f for f in files if f["kind"] == ReportFile.Kind.CLASS_PDF],
            "zip_files": [f for f in files if f["kind"] == ReportFile.Kind.ZIP],
            "again": _run_again_fields(run),
            "progress_url": reverse("reports:run_progress", args=[run.pk]),
        },
    )


@login_required
@require_GET
@never_cache
def run_progress(request: HttpRequest, run_id: int) -> JsonResponse:
    """The run's state as JSON for the progress page's script: status, status_label, total,
    done, rendered, percent, finished, error, files (with `url`)."""
    run = access.get_run_for_user(request.user, run_id)
    return JsonResponse(_progress(run))


CONTENT_TYPES = {
    ReportFile.Kind.CLASS_PDF: "application/pdf",
    ReportFile.Kind.ZIP: "application/zip",
}


@login_required
@require_GET
def run_file(request: HttpRequest, file_id: int) -> FileResponse:
    """A run's class PDF or ZIP, as a download, to the managers of the run's school."""
    report_file = access.get_file_for_user(request.user, file_id)
    try:
        handle = runs.open_file(report_file)  # streamed: this view stays the only door
    except FileNotFoundError:
        raise Http404("The file is not on this server") from None
    run = report_file.run
    audit.record(
        request, DataAccess.Action.REPORT_FILE, school_id=run.school_id,
        class_group=report_file.class_group,
        pupils=run.total if report_file.class_group_id is None else 0,  # a ZIP: the whole run
        detail=f"{report_file.name}, {report_file.pages} pages (run {run.pk})",
    )
    response = FileResponse(
        handle, as_attachment=True, filename=ascii_filename(report_file.name),
        content_type=CONTENT_TYPES.get(report_file.kind, "application/octet-stream"),
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


urlpatterns = [
    path("bao-cao/", reports_home, name="home"),
    path("bao-cao/dot/<int:run_id>/", run_detail, name="run"),
    path("bao-cao/dot/<int:run_id>/tien-do/", run_progress, name="run_progress"),
    path("bao-cao/tep/<int:file_id>/", run_file, name="file"),
]
