"""The dashboard of results with its charts (reports/dashboard.py):

- /so/<department code>/?nam-hoc=2026-2027&ky=1|2|ca-nam&loai=<school type>&khu-vuc=<area>
  &dinh-dang=xlsx —
  the department's officers (school.DepartmentMembership) and the operator: counts of every
  school of the department, small counts withheld, never a pupil;
- /bao-cao/truong/<school_id>/bieu-do/?nam-hoc=…&ky=…&dinh-dang=xlsx — the school's managers
  and the operator: the same over their school, exact, per class (linked to its summary).

Everyone else gets 404 (an officer of another department, a teacher, a parent, another
school's staff), an anonymous visitor the login page; a bad filter value a page naming it.
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from reports import dashboard as board
from reports import exports, statistics
from reports.views.summaries import (
    FORMAT_PARAM,
    TERM_PARAM,
    YEAR_PARAM,
    _download,
    _error_page,
    _pick,
    _resolve_year,
    _year_value,
)
from school import audit
from school.access import get_department_for_officer, get_school_for_manager
from school.exceptions import DomainError
from school.models import DataAccess, School, Term

LEVEL_PARAM = "loai"
AREA_PARAM = "khu-vuc"


def _xlsx_wanted(request: HttpRequest) -> bool:
    value = request.GET.get(FORMAT_PARAM) or ""
    if value not in ("", "xlsx"):
        raise statistics.InvalidChoice(
            _("Choose one of: %(allowed)s.") % {"allowed": "xlsx"}, field=FORMAT_PARAM
        )
    return value == "xlsx"


@login_required
@require_safe
@never_cache
def department_dashboard(request: HttpRequest, code: str) -> HttpResponse:
    department = get_department_for_officer(request.user, code)
    base = reverse("reports:department_dashboard", args=[department.code])
    try:
        xlsx = _xlsx_wanted(request)
        dashboard, choices = board.department_dashboard(
            department,
            year=request.GET.get(YEAR_PARAM),
            term=request.GET.get(TERM_PARAM),
            level=request.GET.get(LEVEL_PARAM),
            area=request.GET.get(AREA_PARAM),
        )
    except DomainError as exc:
        return _error_page(request, exc, base)
    query = {YEAR_PARAM: choices.year_name, TERM_PARAM: choices.term}
    if choices.level:
        query[LEVEL_PARAM] = choices.level
    if choices.area:
        query[AREA_PARAM] = choices.area
    if xlsx:
        name = " ".join(filter(None, ("Thong ke", department.code, choices.year_name,
                                      choices.term, choices.level, choices.area)))
        return _download(exports.dashboard_xlsx(dashboard, _filters(choices)), "xlsx", name)
    return render(request, "reports/dashboard/dashboard.html", {
        "dashboard": dashboard,
        "base": base,
        "years": [{"value": n, "name": n.replace("-", "–"), "active": n == choices.year_name}
                  for n in choices.year_names],
        "terms": _term_options(choices.term),
        "levels": [{"value": v, "name": label, "active": v == choices.level}
                   for v, label in School.Level.choices],
        "areas": [{"value": a, "active": a == choices.area} for a in choices.areas],
        "xlsx": f"{base}?{urlencode({**query, FORMAT_PARAM: 'xlsx'})}",
    })


def _filters(choices: board.Choices) -> list[tuple[str, str]]:
    """The filters that narrow the department's schools, as the workbook names them."""
    filters = []
    if choices.level:
        filters.append(("Loại trường", str(School.Level(choices.level).label)))
    if choices.area:
        filters.append(("Khu vực", choices.area))
    return filters


def _term_options(chosen: str) -> list[dict]:
    return [
        {"value": value, "name": name, "active": value == chosen}
        for value, name in (("1", _("Term I")), ("2", _("Term II")),
                            (statistics.WHOLE_YEAR, _("Whole year")))
    ]


@login_required
@require_safe
@never_cache
def school_dashboard(request: HttpRequest, school_id: int) -> HttpResponse:
    school = get_school_for_manager(request.user, school_id)
    base = reverse("reports:school_dashboard", args=[school.pk])
    years = list(school.years.order_by("-start_date"))
    try:
        xlsx = _xlsx_wanted(request)
        school_year = _resolve_year(years, request)
        term = _pick(Term.objects.of_year(school_year), request)
    except DomainError as exc:
        return _error_page(request, exc, base)
    dashboard = board.school_dashboard(school, school_year, term)
    term_value = statistics.term_code(term)
    query = {YEAR_PARAM: _year_value(school_year), TERM_PARAM: term_value}
    if xlsx:
        audit.record(request, DataAccess.Action.SCHOOL_STATISTICS, school_id=school.pk,
                     detail=f"{school_year.name} {term_value} dashboard xlsx")
        name = f"Bieu do {school.code} {query[YEAR_PARAM]} {term_value}"
        return _download(exports.dashboard_xlsx(dashboard), "xlsx", name)
    return render(request, "reports/dashboard/dashboard.html", {
        "dashboard": dashboard,
        "base": base,
        "years": [{"value": _year_value(y), "name": y.name, "active": y.pk == school_year.pk}
                  for y in years],
        "terms": _term_options(term_value),
        "xlsx": f"{base}?{urlencode({**query, FORMAT_PARAM: 'xlsx'})}",
        "statistics": reverse("reports:school_statistics", args=[school.pk]) + "?" + urlencode(query),
    })


urlpatterns = [
    path("so/<slug:code>/", department_dashboard, name="department_dashboard"),
    path("bao-cao/truong/<int:school_id>/bieu-do/", school_dashboard, name="school_dashboard"),
]
