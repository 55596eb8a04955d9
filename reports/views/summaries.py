"""The class summary (bảng tổng hợp kết quả đánh giá) and the school statistics, as a page and
as PDF or XLSX downloads, for staff:

- /bao-cao/lop/<class_id>/tong-hop/?ky=1|2|ca-nam&dinh-dang=pdf|xlsx — the school's managers,
  the class's homeroom teacher (this year, while on the staff) and the operator; a class of
  grades 1–5 also `thoi-diem=giua-ky` with a term, for its mid-term sheet (Circular 27);
- /bao-cao/truong/<school_id>/thong-ke/?nam-hoc=2026-2027&ky=…&dinh-dang=… — the school's
  managers and the operator;
- /bao-cao/lop/<class_id>/xet-tot-nghiep/ — a grade-12 class's averages of the three years for
  the graduation exam registration (XLSX), the school's managers and the operator.

Everyone else gets 404 (a subject teacher, another school's staff, a parent), an anonymous
visitor the login page. Without `dinh-dang` the page shows the table with the download links;
a bad `ky`, `nam-hoc` or `dinh-dang` gets a page saying which values are allowed.
"""


from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from reports import exports, statistics
from reports.access import get_class_group_for_manager, get_class_group_for_summary
from reports.cards.selectors import year_cards
from reports.views.runs import ascii_filename
from school import audit
from school.access import get_school_for_manager
from school.exceptions import DomainError
from school.models import DataAccess, SchoolYear, Term, TermQuerySet

TERM_PARAM, YEAR_PARAM, FORMAT_PARAM = "ky", "nam-hoc", "dinh-dang"
# Grades 1–5 are rated at the mid-term and at the term's end (Circular 27 Art. 6).
MOMENT_PARAM, MIDTERM, TERM_END = "thoi-diem", "giua-ky", "cuoi-ky"
FORMATS = ("pdf", "xlsx")
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
FILE_PERIODS = {"1": "HK1", "2": "HK2", statistics.WHOLE_YEAR: "Ca-nam"}
MIDTERM_FILE_PERIODS = {"1": "GK1", "2": "GK2"}


# ---------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------


def _format(request: HttpRequest) -> str | None:
    value = request.GET.get(FORMAT_PARAM)
    if value is None or value == "":
        return None
    if value not in FORMATS:
        raise statistics.InvalidChoice(
            _("Choose one of: %(allowed)s.") % {"allowed": ", ".join(FORMATS)}, field=FORMAT_PARAM
        )
    return value


def _error_page(request: HttpRequest, exc: DomainError, back: str) -> HttpResponse:
    """A bad query value: say which one and what is allowed (400), or that the year or term is
    not set up (404)."""
    return render(
        request,
        "reports/summaries/error.html",
        {"field": exc.field, "message": exc.message, "back": back},
        status=404 if exc.status == 404 else 400,
    )


def _period_links(base: str, terms: list[Term], current: Term | None, extra: dict) -> list[dict]:
    """The links to each term and the whole year, the shown one marked."""
    links = [
        {
            "label": str(t.get_number_display()),
            "url": f"{base}?{urlencode({**extra, TERM_PARAM: t.number})}",
            "active": current is not None and t.pk == current.pk,
        }
        for t in terms
    ]
    links.append({
        "label": _("Whole year"),
        "url": f"{base}?{urlencode({**extra, TERM_PARAM: statistics.WHOLE_YEAR})}",
        "active": current is None,
    })
    return links


def _downloads(base: str, period: str, extra: dict) -> dict:
    return {
        fmt: f"{base}?{urlencode({**extra, TERM_PARAM: period, FORMAT_PARAM: fmt})}"
        for fmt in FORMATS
    }


def _download(body: bytes, fmt: str, name: str) -> HttpResponse:
    response = HttpResponse(body, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{ascii_filename(name)}.{fmt}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def _pick(terms: TermQuerySet, request: HttpRequest) -> Term | None:
    return statistics.pick_term(terms, request.GET.get(TERM_PARAM), field=TERM_PARAM)


def _midterm(request: HttpRequest, class_group, term: Term | None) -> bool:
    """Whether `thoi-diem` asks for the mid-term sheet: only a primary class has one, and
    only for a term (the year has none)."""
    value = (request.GET.get(MOMENT_PARAM) or "").strip()
    if value in ("", TERM_END):
        return False
    if value != MIDTERM:
        raise statistics.InvalidChoice(
            _("Choose one of: %(allowed)s.") % {"allowed": f"{MIDTERM}, {TERM_END}"},
            field=MOMENT_PARAM,
        )
    if not class_group.is_primary:
        raise statistics.InvalidChoice(
            _("Only grades 1–5 have a mid-term summary."), field=MOMENT_PARAM
        )
    if term is None:
        raise statistics.InvalidChoice(
            _("The mid-term summary is for a term: choose ky=1 or ky=2."), field=MOMENT_PARAM
        )
    return True


def _moment_links(base: str, term: Term | None, midterm: bool) -> list[dict]:
    """A primary class's term: its mid-term sheet and its end-of-term one."""
    if term is None:
        return []
    return [
        {
            "label": label,
            "url": f"{base}?{urlencode({TERM_PARAM: term.number, MOMENT_PARAM: value})}",
            "active": midterm == (value == MIDTERM),
        }
        for label, value in (
            (_("Mid-term summary"), MIDTERM), (_("End-of-term summary"), TERM_END)
        )
    ]


# ---------------------------------------------------------------------------------------
# The class summary
# ---------------------------------------------------------------------------------------


@login_required
@require_safe
@never_cache
def class_summary(request: HttpRequest, class_id: int) -> HttpResponse:
    """A class's summary for a term or the year: the page, or its PDF (landscape A4) or XLSX.
    The queries: the session's, the class, the terms, then one cards_for (8, 9, 12 or 15)."""
    class_group = get_class_group_for_summary(request.user, class_id)
    base = reverse("reports:class_summary", args=[class_group.pk])
    terms = Term.objects.of_year(class_group.school_year)
    try:
        fmt = _format(request)
        term = _pick(terms, request)
        midterm = _midterm(request, class_group, term)
    except DomainError as exc:
        return _error_page(request, exc, base)
    summary = statistics.class_summary(
        class_group, class_group.school_year, term, midterm=midterm
    )
    extra = {MOMENT_PARAM: MIDTERM} if midterm else {}
    if fmt is not None:
        audit.record(
            request, DataAccess.Action.CLASS_SUMMARY, school_id=class_group.school_id,
            class_group=class_group, pupils=len(summary.rows),
            detail=f"{summary.term_code}{' ' + MIDTERM if midterm else ''} {fmt}",
        )
        periods = MIDTERM_FILE_PERIODS if midterm else FILE_PERIODS
        name = f"Tong hop {class_group.name} {periods[summary.term_code]}"
        if fmt == "pdf":
            return _download(exports.class_summary_pdf(summary), fmt, name)
        return _download(exports.class_summary_xlsx(summary), fmt, name)
    return render(
        request,
        "reports/summaries/class_summary.html",
        {
            "class_group": class_group,
            "summary": summary,
            "periods": _period_links(base, terms, term, {}),
            "moments": _moment_links(base, term, midterm) if class_group.is_primary else [],
            "downloads": _downloads(base, summary.term_code, extra),
        },
    )


# ---------------------------------------------------------------------------------------
# School statistics
# ---------------------------------------------------------------------------------------


@login_required
@require_safe
@never_cache
def school_statistics(request: HttpRequest, school_id: int) -> HttpResponse:
    """A school's statistics for a year's term or the whole year: the page, or its PDF or XLSX.
    The queries: the session's, the school, its years, the year's terms, its classes, then one
    cards_for per class (never per pupil)."""
    school = get_school_for_manager(request.user, school_id)
    base = reverse("reports:school_statistics", args=[school.pk])
    years = list(school.years.order_by("-start_date"))
    try:
        fmt = _format(request)
        school_year = _resolve_year(years, request)
        terms = Term.objects.of_year(school_year)
        term = _pick(terms, request)
    except DomainError as exc:
        return _error_page(request, exc, base)
    stats = statistics.school_statistics(school, school_year, term)
    year_value = {YEAR_PARAM: _year_value(school_year)}
    if fmt is not None:
        audit.record(
            request, DataAccess.Action.SCHOOL_STATISTICS, school_id=school.pk,
            detail=f"{school_year.name} {stats.term_code} {fmt}",
        )
        name = f"Thong ke {school.code} {year_value[YEAR_PARAM]} {FILE_PERIODS[stats.term_code]}"
        if fmt == "pdf":
            return _download(exports.school_statistics_pdf(stats), fmt, name)
        return _download(exports.school_statistics_xlsx(stats), fmt, name)
    return render(
        request,
        "reports/summaries/school_statistics.html",
        {
            "school": school,
            "stats": stats,
            "school_year": school_year,
            "years": [
                {"name": y.name, "value": _year_value(y), "active": y.pk == school_year.pk}
                for y in years
            ],
            "periods": _period_links(base, terms, term, year_value),
            "downloads": _downloads(base, stats.term_code, year_value),
            # The shown year and period, not the newest year.
            "dashboard_url": reverse("reports:school_dashboard", args=[school.pk])
            + "?" + urlencode({**year_value, TERM_PARAM: stats.term_code}),
            "base": base,
        },
    )


def _year_value(school_year: SchoolYear) -> str:
    """The year as the URL names it: "2026-2027" (a plain hyphen reads better in a link)."""
    return school_year.name.replace("–", "-")


def _resolve_year(years: list[SchoolYear], request: HttpRequest) -> SchoolYear:
    """The year `nam-hoc` names (any dash), else the current one (else the latest)."""
    value = request.GET.get(YEAR_PARAM)
    return statistics.pick_school_year(years, value, field=YEAR_PARAM)


# ---------------------------------------------------------------------------------------
# The graduating class's averages
# ---------------------------------------------------------------------------------------


@login_required
@require_safe
@never_cache
def graduation_list(request: HttpRequest, class_id: int) -> HttpResponse:
    """A grade-12 class's three years' averages and their 1 : 2 : 3 average as XLSX, for the
    graduation exam registration (Circular 24/2024 Art. 41). Another grade's class is a 404:
    only grade 12 registers. Logged like every export (school.DataAccess)."""
    class_group = get_class_group_for_manager(request.user, class_id)
    if class_group.grade != 12:
        raise Http404("Not a grade-12 class")
    cards = year_cards(class_group, class_group.school_year)
    audit.record(
        request, DataAccess.Action.GRADUATION_LIST, school_id=class_group.school_id,
        class_group=class_group, pupils=len(cards), detail="xlsx",
    )
    return _download(exports.graduation_xlsx(cards), "xlsx", f"Xet tot nghiep {class_group.name}")


urlpatterns = [
    path("bao-cao/lop/<int:class_id>/tong-hop/", class_summary, name="class_summary"),
    path("bao-cao/truong/<int:school_id>/thong-ke/", school_statistics, name="school_statistics"),
    path("bao-cao/lop/<int:class_id>/xet-tot-nghiep/", graduation_list, name="graduation_list"),
]
