"""The dashboard of results (learning, conduct, titles, promotion) with its charts: for a
department's officers over its schools, and for a school's managers over their own school.

Both count the cards with the school statistics' own code (`reports.statistics`: the same
`cards_for` and the same classification by the cards' codes), so a dashboard, the school
statistics and the cards always agree; nothing here applies a grading rule. The school's view
counts its cards when asked (one school); the department's reads each class's counts made in
the background (reports/counts.py: a province's cards are too many to compute while an
officer waits), and says when they were made and how many classes are not counted yet.

What an officer sees (`exact=False`): counts only, never a pupil — no name, code or row per
pupil — and no group small enough to point at one: a count from 1 to DASHBOARD_MIN_COUNT - 1
is shown as "<N" with its share hidden. When a row or a column of a table has exactly one
such count, the row's total (or the column's, the department's) less the others would give it
back, so the next smallest count of that row or column is hidden too, until no row or column
holds a lone one. The school's managers (`exact=True`) see the exact counts, and their rows
link to each class's summary.

The queries of the department's view: the schools, their years, the chosen years' terms,
their classes, the classes' stored counts, two for the attendance and one for the report
runs — eight whatever the schools, classes and pupils. The school's: the school statistics'
(one `cards_for` per class) and two for the attendance, never one per pupil. Both read from
the streaming replica where it is current for the reader (`core.replica.reads_from_replica`,
as the school statistics do), the primary otherwise.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import TruncWeek
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from contactbook.models import AttendanceMark
from core.charts import Bar, Segment, stacked_bars
from core.replica import reads_from_replica
from reports import statistics
from reports.counts import stored_counts
from reports.models import ReportRun
from school import names
from school.exceptions import NotFound
from school.models import ClassGroup, Department, School, SchoolYear, Term

LEVELS = tuple(School.Level)


@dataclass(frozen=True)
class Shown:
    """A count as the reader may see it."""

    text: str  # "12", "0" or "<5"
    percent: str  # "30,0" or "" when withheld
    count: int | None  # None when withheld

    @property
    def withheld(self) -> bool:
        return self.count is None


@dataclass(frozen=True)
class Row:
    label: str
    pupils: Shown
    cells: tuple[Shown, ...]
    url: str = ""
    total: bool = False  # a grade's, the school's or the department's total


@dataclass(frozen=True)
class Table:
    measure: str
    title: str  # "Kết quả học tập · theo trường"
    group: str  # the first column's heading
    categories: tuple[str, ...]
    rows: tuple[Row, ...]
    chart: str  # the SVG
    unit: str = ""  # the second column's heading: pupils, or for attendance the sessions


@dataclass(frozen=True)
class Progress:
    """One school's term at its end: closed (its cards reach the parents) or not, and its
    latest report run."""

    school: str
    term: str  # "HỌC KỲ I" or "" when the term is not set up there
    closed: str  # the date it was closed, "" while open
    run_status: str  # the latest run's status, "" when none
    run_done: str  # the latest run's share of cards ready, "82,5%"; "<5" for a tiny run


@dataclass(frozen=True)
class Dashboard:
    heading: str  # the department's or the school's name
    period: str  # "Năm học 2026–2027 · HỌC KỲ I"
    exact: bool
    minimum: int
    tables: tuple[Table, ...]
    pupils: Shown
    progress: tuple[Progress, ...] = ()
    progress_chart: str = ""
    # The department's view reads counts made in the background (reports/counts.py): when
    # the oldest of those shown was made ("08:30 03/12/2026"), and how many classes of the
    # period are not counted yet (new classes, or a term just begun).
    counted_at: str = ""
    uncounted: int = 0

    @property
    def refresh_minutes(self) -> int:
        return settings.DASHBOARD_REFRESH_MINUTES

    @property
    def not_closed(self) -> tuple[str, ...]:
        """The schools whose term is set up and not closed yet."""
        return tuple(p.school for p in self.progress if p.term and not p.closed)


def minimum_count() -> int:
    return max(int(settings.DASHBOARD_MIN_COUNT), 1)


# ---------------------------------------------------------------------------------------
# Suppression
# ---------------------------------------------------------------------------------------


def withheld_table(counts: Sequence[Sequence[int]], minimum: int) -> list[list[bool]]:
    """Which counts of a table (its rows of counts, a total row among them or not) to withhold:
    each from 1 to minimum - 1; then, until nothing changes, wherever a row or a column holds
    exactly one withheld count, the smallest other non-zero count of that row or column too.
    A lone withheld count would come back as the row's total (its pupils) less the others, or
    as the column's total (the department's, on this table or another) less the other rows'."""
    hidden = [[0 < c < minimum for c in row] for row in counts]
    width = max((len(row) for row in counts), default=0)
    lines = [[(i, j) for j in range(len(row))] for i, row in enumerate(counts)]
    lines += [[(i, j) for i, row in enumerate(counts) if j < len(row)] for j in range(width)]
    changed = True
    while changed:
        changed = False
        for line in lines:
            if sum(hidden[i][j] for i, j in line) != 1:
                continue
            others = [(counts[i][j], i, j) for i, j in line if counts[i][j] and not hidden[i][j]]
            if others:
                _count, i, j = min(others)
                hidden[i][j] = changed = True
    return hidden


def _shown(count: int, percent, hide: bool, minimum: int) -> Shown:
    if hide:
        return Shown(f"<{minimum}", "", None)
    return Shown(str(count), statistics.decimal_comma(percent), count)


def _pupils(pupils: int, exact: bool, minimum: int) -> Shown:
    hide = not exact and 0 < pupils < minimum
    return Shown(f"<{minimum}" if hide else str(pupils), "", None if hide else pupils)


@dataclass(frozen=True)
class _Item:
    """A row to be: its label, its counts, its link and whether it is a total."""

    label: str
    tally: statistics.Tally
    url: str = ""
    total: bool = False


def _rows(items: Sequence[_Item], measure: str, *, exact: bool, minimum: int) -> list[Row]:
    """One table's rows of `measure`: exact, or withheld over the whole table for an officer
    (`withheld_table`)."""
    counts = [item.tally.counts(measure) for item in items]
    hidden = ([[False] * len(row) for row in counts] if exact
              else withheld_table([[c.count for c in row] for row in counts], minimum))
    return [
        Row(
            label=item.label,
            pupils=_pupils(item.tally.pupils, exact, minimum),
            cells=tuple(_shown(c.count, c.percent, h, minimum) for c, h in zip(row, hide)),
            url=item.url,
            total=item.total,
        )
        for item, row, hide in zip(items, counts, hidden)
    ]


# ---------------------------------------------------------------------------------------
# Tables and their charts
# ---------------------------------------------------------------------------------------


def _chart(title: str, categories: Sequence[str], rows: Sequence[Row], minimum: int) -> str:
    bars = []
    for row in rows:
        segments = [
            Segment(i, cell.count, f"{row.label} · {category}: {cell.text} ({cell.percent}%)")
            for i, (category, cell) in enumerate(zip(categories, row.cells))
            if not cell.withheld
        ]
        if any(cell.withheld for cell in row.cells) or row.pupils.withheld:
            # One grey segment for what is withheld: its size is the row's total less the
            # shown counts, which the table already gives; each withheld count stays hidden.
            shown = sum(cell.count for cell in row.cells if not cell.withheld)
            rest = (row.pupils.count - shown) if row.pupils.count is not None else 1
            segments.append(Segment(-1, max(rest, 0), f"{row.label}: " + _withheld(minimum)))
        bars.append(Bar(row.label, segments))
    # Safe to place in a page as it is: core.charts escapes every text it draws.
    return mark_safe(stacked_bars(bars, categories, title=title, withheld=_withheld(minimum)))


def _withheld(minimum: int) -> str:
    return _("fewer than %(n)s each, not shown") % {"n": minimum}


def _table(measure: str, columns: statistics.Columns, by: str, group: str,
           rows: Sequence[Row], minimum: int) -> Table:
    title = f"{columns.title(measure)} · {by}"
    categories = tuple(c.label for c in columns.of(measure))
    return Table(measure, title, group, categories, tuple(rows),
                 _chart(title, categories, rows, minimum), _("Pupils"))


# ---------------------------------------------------------------------------------------
# Attendance: the marks of the period by week and by school (or class)
# ---------------------------------------------------------------------------------------

ATTENDANCE = "attendance"
STATUSES = tuple(AttendanceMark.Status)


def _marks_tally(counts: dict[str, int]) -> statistics.Tally:
    """A row of marks as a Tally (the sessions marked, each status's count and share), so it
    is withheld and drawn exactly like the results."""
    total = sum(counts.values())
    return statistics.Tally(total, ((ATTENDANCE, tuple(
        statistics.Count(statistics.Category(s.value, str(s.label)), counts.get(s, 0),
                         statistics.percent(counts.get(s, 0), total))
        for s in STATUSES
    )),))


def attendance_tables(marks, group: str, groups: Sequence[tuple[int, str, str]], *,
                      exact: bool, minimum: int, title_group: str, heading: str) -> list[Table]:
    """Two tables of `marks` (an AttendanceMark queryset already limited to the schools and
    the period): by week (Monday's date) and by `group` ("class_group__school_id" or
    "class_group_id"; `groups` gives each one's (id, label, url) in order). Two queries."""
    by_week: dict = {}
    for week, status, n in (
        marks.annotate(week=TruncWeek("date")).values_list("week", "status")
        .annotate(n=Count("pk")).order_by("week")
    ):
        by_week.setdefault(week, {})[status] = n
    by_group: dict = {}
    for key, status, n in marks.values_list(group, "status").annotate(n=Count("pk")).order_by():
        by_group.setdefault(key, {})[status] = n
    options = {"exact": exact, "minimum": minimum}
    week_rows = _rows([
        _Item(_("Week of %(day)s") % {"day": week.strftime("%d/%m/%Y")}, _marks_tally(c))
        for week, c in by_week.items()
    ], ATTENDANCE, **options)
    group_rows = _rows([_Item(label, _marks_tally(by_group.get(key, {})), url)
                        for key, label, url in groups], ATTENDANCE, **options)
    categories = tuple(str(s.label) for s in STATUSES)
    tables = []
    for by, group_heading, rows in ((_("by week"), _("Week"), week_rows),
                                    (title_group, heading, group_rows)):
        title = f"{_('Attendance')} · {by}"
        tables.append(Table(ATTENDANCE, title, group_heading,
                            categories, tuple(rows), _chart(title, categories, rows, minimum),
                            _("Sessions marked")))
    return tables


# ---------------------------------------------------------------------------------------
# The department's dashboard
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Choices:
    """What the filters offer and what they chose."""

    year_names: tuple[str, ...]
    year_name: str
    term: str  # "1", "2" or statistics.WHOLE_YEAR
    level: str  # "" for every type
    area: str = ""  # "" for every area
    areas: tuple[str, ...] = ()  # the department's schools' areas, in Vietnamese order


def _choose_schools(department: Department, level: str | None,
                    area: str | None) -> tuple[list[School], tuple[str, ...]]:
    """The department's schools of a type (a School.Level, or all) in an area (one of the
    schools' own areas, or all), by name, and every area its schools name. One query: the
    filters apply to the department's schools already read."""
    if level and level not in LEVELS:
        raise statistics.InvalidChoice(
            _("Choose one of: %(allowed)s.") % {"allowed": ", ".join(LEVELS)}, field="loai"
        )
    every = list(School.objects.filter(department=department).order_by("name"))
    areas = tuple(sorted({s.area for s in every if s.area}, key=names.text_sort_key))
    area = (area or "").strip()
    if area and area not in areas:
        raise statistics.InvalidChoice(
            _("No school of this department is in that area. Choose one of: %(allowed)s.")
            % {"allowed": ", ".join(areas) or "–"}, field="khu-vuc",
        )
    schools = [s for s in every if (not level or s.level == level) and (not area or s.area == area)]
    return schools, areas


def _choose_year(years: Sequence[SchoolYear], value: str | None) -> str:
    names = sorted({statistics.year_key(y.name) for y in years}, reverse=True)
    if value and value.strip():
        if statistics.year_key(value) not in names:
            raise NotFound(_("No school of this department has such a school year."),
                           field="nam-hoc")
        return statistics.year_key(value)
    current = sorted({statistics.year_key(y.name) for y in years if y.is_current}, reverse=True)
    if current or names:
        return (current or names)[0]
    raise NotFound(_("No school of this department has a school year yet."), field="nam-hoc")


def _choose_term(terms: Sequence[Term], value: str | None) -> str:
    if value is not None and value.strip():
        return statistics.period_code(value, field="ky")
    today = timezone.localdate()
    now = sorted({t.number for t in terms if t.start_date <= today <= t.end_date})
    if now:
        return str(now[0])
    if terms and all(t.end_date < today for t in terms):
        return statistics.WHOLE_YEAR
    return "1"


@reads_from_replica()
def department_dashboard(department: Department, *, year: str | None = None,
                         term: str | None = None, level: str | None = None,
                         area: str | None = None) -> tuple[Dashboard, Choices]:
    """The department's dashboard for a school year (by name, "2026-2027"; default the
    current one), a term ("1", "2", "ca-nam"; default today's), a school type (a
    School.Level; default all) and an area (School.area; default all). Counts withheld as
    the module says. NotFound / InvalidChoice name the filter that is wrong."""
    schools, areas = _choose_schools(department, level, area)
    years = list(SchoolYear.objects.filter(school__in=schools))
    year_name = _choose_year(years, year)
    chosen = {y.school_id: y for y in years if statistics.year_key(y.name) == year_name}
    terms = list(Term.objects.filter(school_year__in=chosen.values()))
    term_value = _choose_term(terms, term)
    is_year = term_value == statistics.WHOLE_YEAR
    term_of = {t.school_year_id: t for t in terms if str(t.number) == term_value}
    classes = list(
        ClassGroup.objects.filter(school_year__in=chosen.values())
        .select_related("school", "school_year", "homeroom_teacher")
        .order_by("grade", "sort_key")
    )
    # A term not set up has no cards yet: its classes are not asked for.
    asked = [cg for cg in classes if is_year or chosen[cg.school_id].pk in term_of]
    stored = stored_counts(asked, None if is_year else term_of)
    by_school: dict[int, list] = {s.pk: [] for s in schools}
    for cg in asked:
        if cg.pk in stored.by_class:
            by_school[cg.school_id].append((cg, stored.by_class[cg.pk]))
    stats = statistics.summarise_department(is_year, [(s, by_school[s.pk]) for s in schools])
    minimum = minimum_count()
    tables = []
    for measure in stats.columns.names:
        options = {"exact": False, "minimum": minimum}
        school_rows = _rows([
            *(_Item(s.name, t) for s, t in stats.schools),
            _Item(_("Whole department"), stats.total, total=True),
        ], measure, **options)
        grade_rows = _rows([_Item(_("Grade %(g)s") % {"g": g}, t) for g, t in stats.grades],
                           measure, **options)
        tables.append(_table(measure, stats.columns, _("by school"), _("School"), school_rows, minimum))
        tables.append(_table(measure, stats.columns, _("by grade"), _("Grade"), grade_rows, minimum))
    spans = [(t.start_date, t.end_date) for t in (terms if is_year else term_of.values())]
    if spans:
        marks = AttendanceMark.objects.filter(
            class_group__school_year__in=chosen.values(),
            date__range=(min(a for a, _b in spans), max(b for _a, b in spans)),
        )
        tables += attendance_tables(
            marks, "class_group__school_id", [(s.pk, s.name, "") for s in schools],
            exact=False, minimum=minimum, title_group=_("by school"), heading=_("School"),
        )
    period = f"Năm học {year_name.replace('-', '–')} · " + statistics.period_heading(term_value)
    progress = _progress(schools, chosen, terms, "2" if is_year else term_value, minimum)
    dashboard = Dashboard(department.name, period, False, minimum, tuple(tables),
                          _pupils(stats.total.pupils, False, minimum), progress,
                          _progress_chart(progress),
                          counted_at=timezone.localtime(stored.oldest).strftime("%H:%M %d/%m/%Y")
                          if stored.oldest else "",
                          uncounted=len(asked) - len(stored.by_class))
    year_names = tuple(sorted({statistics.year_key(y.name) for y in years}, reverse=True))
    return dashboard, Choices(year_names, year_name, term_value, level or "",
                              (area or "").strip(), areas)


def _progress(schools, chosen, terms, number: str, minimum: int) -> tuple[Progress, ...]:
    """Each school's term `number` ("1" or "2"; the year's end is term II's): closed or not,
    and the latest run of the whole school's cards for that term (a class's or a grade's run,
    or a học bạ, says nothing of the school's progress). One query (the runs, the latest per
    school); the schools, years and terms are the dashboard's."""
    term_of = {t.school_year_id: t for t in terms if str(t.number) == number}
    school_runs = ReportRun.objects.filter(
        scope=ReportRun.Scope.SCHOOL, document=ReportRun.Document.CARDS
    )
    # The latest per school as a correlated subquery, not DISTINCT ON: the first run's SQLite
    # has none.
    latest = school_runs.filter(school=OuterRef("school"), term=OuterRef("term")).order_by(
        "-created_at", "-pk"
    ).values("pk")[:1]
    runs = {
        run.school_id: run
        for run in school_runs.filter(term__in=term_of.values(), pk=Subquery(latest))
    }
    rows = []
    for school in schools:
        year = chosen.get(school.pk)
        term = term_of.get(year.pk) if year else None
        run = runs.get(school.pk)
        done = ""
        if run is not None:
            done = (f"<{minimum}" if 0 < run.total < minimum
                    else statistics.decimal_comma(statistics.percent(run.done, run.total)) + "%")
        rows.append(Progress(
            school=school.name,
            term=statistics.term_heading(term) if term else "",
            closed=timezone.localtime(term.closed_at).strftime("%d/%m/%Y")
            if term and term.closed_at else "",
            run_status=str(run.get_status_display()) if run else "",
            run_done=done,
        ))
    return tuple(rows)


def _progress_chart(progress: Sequence[Progress]) -> str:
    closed = sum(1 for p in progress if p.closed)
    open_ = sum(1 for p in progress if p.term and not p.closed)
    missing = sum(1 for p in progress if not p.term)
    labels = (_("Closed"), _("Not closed yet"), _("Not set up"))
    bar = Bar(_("Schools"), [
        Segment(i, n, f"{label}: {n}")
        for i, (label, n) in enumerate(zip(labels, (closed, open_, missing)))
    ])
    # Safe to place in a page as it is: core.charts escapes every text it draws.
    return mark_safe(stacked_bars([bar], labels, title=_("The term's close across schools")))


# ---------------------------------------------------------------------------------------
# A school's own dashboard
# ---------------------------------------------------------------------------------------


@reads_from_replica()
def school_dashboard(school: School, school_year: SchoolYear, term: Term | None) -> Dashboard:
    """The same dashboard over one school, for its managers: exact counts, per class (each
    linked to the class's summary), per grade and the school; the school statistics' own
    numbers (`statistics.school_statistics`)."""
    stats = statistics.school_statistics(school, school_year, term)
    minimum = minimum_count()
    period_query = f"?ky={stats.term_code}"
    tables = []
    for measure in stats.columns.names:
        options = {"exact": True, "minimum": minimum}
        class_rows = _rows([
            _Item(c.name, c.tally, reverse("reports:class_summary", args=[c.class_id]) + period_query)
            for g in stats.grades for c in g.classes
        ], measure, **options)
        grade_rows = _rows([
            *(_Item(_("Grade %(g)s") % {"g": g.grade}, g.tally) for g in stats.grades),
            _Item(_("Whole school"), stats.total, total=True),
        ], measure, **options)
        tables.append(_table(measure, stats.columns, _("by class"), _("Class"), class_rows, minimum))
        tables.append(_table(measure, stats.columns, _("by grade"), _("Grade"), grade_rows, minimum))
    periods = [term] if term is not None else list(Term.objects.of_year(school_year))
    if periods:
        marks = AttendanceMark.objects.filter(
            class_group__school_year=school_year,
            date__range=(min(t.start_date for t in periods), max(t.end_date for t in periods)),
        )
        groups = [(c.class_id, c.name, "") for g in stats.grades for c in g.classes]
        tables += attendance_tables(marks, "class_group_id", groups, exact=True,
                                    minimum=minimum, title_group=_("by class"), heading=_("Class"))
    period = f"{stats.school_year} · {stats.term}"
    return Dashboard(school.name, period, True, minimum, tuple(tables),
                     _pupils(stats.total.pupils, True, minimum))
