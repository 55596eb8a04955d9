"""Statistics for the provincial department (Sở GD&ĐT): aggregates only.

`GET /api/reports/statistics?school=<code>&year=2026-2027&term=1|2|year` answers a school's
counts and percentages per grade and class (learning results, conduct ratings and, for the
year, titles and promotion decisions). Never a pupil: no name, no code, no row per pupil.

Session-authenticated (the site's login): the managers of that school and the operator. Not
signed in: 401; a school the user does not manage, or that does not exist: 404 (a code
reveals nothing). Errors leave in the API's one shape (truongso/api.py).
"""

from typing import Literal

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Query, Router, Schema
from ninja.security import SessionAuth
from pydantic import Field

from reports import statistics
from school.exceptions import DomainError, NotFound
from school.managers import signed_in
from school.models import School, Term
from school.schemas import ErrorOut



class NotSignedIn(DomainError):
    status = 401
    code = "unauthorized"
    message = _("Sign in first: this endpoint uses the site's login session.")


class StaffSession(SessionAuth):
    """The site's session; a visitor who is not signed in is answered 401 in the API's error
    shape (raised, so the device-token message of the default 401 is not used)."""

    def authenticate(self, request: HttpRequest, key: str | None):
        if signed_in(request.user):
            return request.user
        raise NotSignedIn()


router = Router(tags=["reports"], auth=StaffSession())


# ---------------------------------------------------------------------------------------
# Schemas
# ---------------------------------------------------------------------------------------


class CategoryOut(Schema):
    code: str = Field(
        description='Stable, e.g. "tot", "chua_dat", "len_lop"; "incomplete" for no result yet.'
    )
    label: str = Field(description='As printed, e.g. "Tốt", "Lên lớp", "Chưa có kết quả".')


class CountOut(Schema):
    code: str
    count: int
    percent: float = Field(description="Of the row's pupils, one decimal.")


class TallyOut(Schema):
    pupils: int
    learning: list[CountOut]
    conduct: list[CountOut]
    award: list[CountOut] | None = Field(None, description="Whole year only.")
    promotion: list[CountOut] | None = Field(None, description="Whole year only.")
    achievement: list[CountOut] | None = Field(
        None, description="Whole year only: pupils with an award for an achievement."
    )


class ClassOut(TallyOut):
    name: str


class GradeOut(TallyOut):
    grade: int
    classes: list[ClassOut]


class SchoolOut(Schema):
    code: str
    name: str


class StatisticsOut(Schema):
    school: SchoolOut
    school_year: str
    term: Literal["1", "2", "year"]
    categories: dict[str, list[CategoryOut]] = Field(
        description="Each measure's categories in order (learning, conduct, award, promotion)."
    )
    grades: list[GradeOut]
    total: TallyOut


class StatisticsQuery(Schema):
    school: str = Field(
        description="The school's code.", min_length=1, max_length=32, pattern=r"^[-a-zA-Z0-9_]+$"
    )
    year: str | None = Field(
        None, description='The school year, e.g. "2026-2027" (any dash); default: the current one.',
        max_length=20, pattern=r"^[^\x00-\x1f]*$",
    )
    term: Literal["1", "2", "year"] | None = Field(
        None, description='"1", "2" or "year"; default: the term today falls in.'
    )


def _tally(tally: statistics.Tally, is_year: bool) -> dict:
    def counts(measure):
        return [
            {"code": c.category.code, "count": c.count, "percent": float(c.percent)}
            for c in tally.counts(measure)
        ]

    out = {"pupils": tally.pupils, "learning": counts("learning"), "conduct": counts("conduct")}
    if is_year:
        out.update(
            award=counts("award"), promotion=counts("promotion"),
            achievement=counts("achievement"),
        )
    return out


def statistics_body(stats: statistics.SchoolStatistics, school: School) -> dict:
    is_year = stats.is_year
    return {
        "school": {"code": school.code, "name": school.name},
        "school_year": stats.school_year_name,
        "term": "year" if is_year else stats.term_code,
        "categories": {
            measure: [{"code": c.code, "label": c.label} for c in stats.columns.of(measure)]
            for measure in stats.columns.names
        },
        "grades": [
            {
                "grade": grade.grade,
                **_tally(grade.tally, is_year),
                "classes": [{"name": c.name, **_tally(c.tally, is_year)} for c in grade.classes],
            }
            for grade in stats.grades
        ],
        "total": _tally(stats.total, is_year),
    }


@router.get(
    "/statistics",
    response={200: StatisticsOut, 401: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="A school's result statistics per grade and class (aggregates only)",
)
def school_statistics(request: HttpRequest, params: Query[StatisticsQuery]):
    """Counts and percentages only. Queries: the session's, the school, its years, the year's
    terms (not for the whole year), its classes, then a fixed number per class (never per
    pupil)."""
    school = School.objects.managed_by(request.user).filter(code=params.school).first()
    if school is None:
        raise NotFound(_("No school with this code that you manage."), field="school")
    school_year = statistics.resolve_school_year(school, params.year, field="year")
    terms = Term.objects.of_year(school_year)
    term = statistics.pick_term(terms, params.term, field="term", whole_year=("year",))
    stats = statistics.school_statistics(school, school_year, term)
    return statistics_body(stats, school)
