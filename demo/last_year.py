"""THPT Hạ Long's past years (called from demo/seed.py after this year's grade books), so that
the year's end has something to show: last year (2025–2026) complete and closed for 10A1, 11A1
and 12A1, and the two earlier years of the class that graduated in 2026, for its three-year
average. The classes and enrolments are demo/school.py's `build_upper_past`; the whole-year
cards of last year are issued by demo/cards.py.

For every pupil of every past class, both terms get: every cell of every subject the class was
taught (TX…, GK, CK; Đ/CĐ for the rated subjects), published by the subject's teacher before
the term closed; a conduct rating and a comment by the homeroom teacher (term II's comment is
the year's, on the year card); a subject teacher's comment now and then, and on term II a year
comment now and then (the year card's "Nhận xét" column); and a few absences
(Monday to Saturday mornings, the school's timetable). Every term is closed.

Who is where (deterministic; tests/demo/test_last_year.py checks each decision on the real
year cards, reports.cards, and that every name below is here and in the README):

- 2025–2026, 10A1 (this year's 11A1 a year younger; homeroom teacher Cao Minh Nam):
  Vũ Khánh Quân: kiểm tra lại in scored subjects (year averages below 5.0: Toán, Hoá học,
  Sinh học); Lê Văn Anh: kiểm tra lại in two rated subjects (CĐ: Giáo dục thể chất, Nội dung
  giáo dục địa phương), every scored average 5.0 or more; Đặng Đức Tiến: joined in term II
  (a transfer-in: enrolled from 19/01/2026, no term I results here), so his year card stays
  blank with the reason until term I's results are entered; Học sinh Giỏi: Nguyễn Thị
  Quỳnh, Nguyễn Ngọc Thu, Nguyễn Thùy Vân.
- 2025–2026, 11A1 (this year's 12A1; homeroom teacher Bùi Ngọc Linh): Vũ Thành Khôi:
  conduct and learning both Chưa đạt, sent to the summer conduct training alone (his re-tests
  wait for the conduct re-assessed); Nguyễn Xuân Phúc: conduct Chưa đạt, learning Khá:
  summer conduct training; Học sinh Giỏi: Trần Ngọc An, Đỗ Minh Giang, Phạm Thùy My.
- 2025–2026, 12A1 (the class of 2026, no class this year; homeroom teacher Nguyễn Thị Mai,
  who then took this year's 10A1): Lê Hữu Đức: Học sinh Xuất sắc (in grades 10 and 11 too);
  Phạm Thị Thư: kiểm tra lại in scored subjects (Ngữ văn, Lịch sử); Học sinh Giỏi (in all
  three years): Đỗ Quốc Huy, Nguyễn Đình Khôi, Hoàng Văn Trí.
- Every other pupil moves up ("Được lên lớp"; in 12A1 "Được công nhận hoàn thành chương
  trình THPT") with no title, and every pupil of 2023–2024's 10A1 and 2024–2025's 11A1 (the
  same 40 as 2025–2026's 12A1) moved up.

The summer's outcomes, recorded by demo/summer.py: Quân and Anh pass their re-tests, and Khôi
and Phúc their training (Khôi's re-tests then pass too), since all four have a class this
year; Thư fails hers (she has no class this year and did not graduate).

Each pupil-year is drawn from its own generator (seeded by a fixed string, the year and the
student code) as in demo/grades.py, then checked by the rules (grading.circular22: year
averages, learning, conduct, title, promotion); a draw that does not give the pupil's
situation is drawn again with the next attempt number, so the situations hold on every run.
A pupil's level follows their ability in this year's grade book (demo/grades.py's plan), so
last year's weakest pupils are this year's weak ones too.

Fast: about 24,000 cells written with bulk_create, like demo/grades.py (about 2 s, retries
included); rendering last year's 122 cards (demo/cards.py) takes longer, about half a minute.
"""

import datetime
import random
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from contactbook.models import AttendanceMark, ConductRating, Score, TermComment
from demo import grades
from demo.grades import (
    BATCH,
    CHUA_DAT,
    DAT,
    FINAL,
    MEAN_ABILITY,
    MIDTERM,
    SUBJECT_SHIFT,
    TOT,
    Cell,
    SubjectSpec,
    _clamp,
    _normal,
)
from demo.school import UPPER_CODE, format_count
from grading import circular22
from school.models import ClassGroup, Enrolment, Subject, TeachingAssignment, Term

SEED = "seed_demo/past-years"
LAST_YEAR = "2025–2026"
MORNINGS = {(weekday, AttendanceMark.Session.MORNING.value) for weekday in range(1, 7)}
MAX_ATTEMPTS = 400

MOVES_UP = "moves up"
RETEST_SCORED = "re-test in scored subjects"
RETEST_RATED = "re-test in rated subjects"
CONDUCT_TRAINING = "summer conduct training"
BOTH = "conduct and learning Chưa đạt"
EXCELLENT = "Học sinh Xuất sắc"
GOOD = "Học sinh Giỏi"
GOOD_PER_CLASS = 3
TRANSFER_IN = "joined in term II"
# The rated subjects the RETEST_RATED pupil fails in term II (so in the year).
FAILED_RATED = ("gdtc", "gddp")


# ------------------------------------------------------------------------- the plan (pure)


@dataclass
class TermPlan:
    cells: dict[tuple[str, str, int], Cell]  # (subject code, kind, index) -> cell
    averages: dict[str, Decimal]
    results: dict[str, bool]
    learning: str
    conduct: str
    comment: str
    subject_comments: dict[str, str] = field(default_factory=dict)
    absences: list[tuple[datetime.date, str, str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class Outcome:
    """The year's results as the year card computes them (None while term I is missing)."""

    learning: str
    conduct: str
    sessions_absent: int
    title: str | None
    promotion: circular22.Promotion


@dataclass
class YearPlan:
    situation: str
    terms: dict[int, TermPlan]  # term number -> plan; a transfer-in has term II only
    outcome: Outcome | None
    attempt: int = 0


def ability(student_code: str, class_now: str | None) -> float:
    """The pupil's ability: the one demo/grades.py's plan_pupil draws for this year's grade
    book when the pupil has a class now (`class_now`), else a draw of the same kind."""
    if class_now is not None:
        rng = random.Random(f"{grades.SEED}/{student_code}")
        return _clamp(MEAN_ABILITY + grades.class_shift(class_now) + 0.95 * _normal(rng), 3.2, 9.6)
    rng = random.Random(f"{SEED}/ability/{student_code}")
    return _clamp(MEAN_ABILITY + 0.35 + 0.95 * _normal(rng), 3.2, 9.6)


def situations(
    year_name: str, class_name: str, abilities: dict[str, float], late: set[str],
    carried: dict[str, str] | None = None,
) -> dict[str, str]:
    """student code -> situation for one past class. Last year: in 10A1 the weakest pupil
    re-takes scored subjects, the next weakest rated ones, and the pupil who joined late is
    the transfer-in; in 11A1 the weakest has conduct and learning Chưa đạt and the median
    pupil conduct Chưa đạt; in 12A1 the strongest is Học sinh Xuất sắc and the weakest
    re-takes scored subjects; in each, the three strongest (after the Xuất sắc one) are Học
    sinh Giỏi and no one else has a title. In the earlier years the graduates' titles of
    last year (`carried`: code -> EXCELLENT or GOOD) are theirs too, and everyone moves up."""
    chosen = {code: TRANSFER_IN for code in late}
    ranked = sorted((c for c in abilities if c not in late), key=lambda c: (abilities[c], c))
    if year_name == LAST_YEAR and ranked:
        picks = {
            "10A1": ((0, RETEST_SCORED), (1, RETEST_RATED)),
            "11A1": ((0, BOTH), (len(ranked) // 2, CONDUCT_TRAINING)),
            "12A1": ((-1, EXCELLENT), (0, RETEST_SCORED)),
        }.get(class_name, ())
        chosen |= {ranked[i]: situation for i, situation in picks}
        strongest = [c for c in reversed(ranked) if c not in chosen]
        chosen |= {code: GOOD for code in strongest[:GOOD_PER_CLASS]}
    else:
        chosen |= {code: title for code, title in (carried or {}).items() if code in abilities}
    return {code: chosen.get(code, MOVES_UP) for code in abilities}


def _fits(situation: str, plan: YearPlan, rated: set[str]) -> bool:
    if situation == TRANSFER_IN:
        term = plan.terms[2]
        return term.learning != CHUA_DAT and term.conduct != CHUA_DAT
    outcome = plan.outcome
    decision = outcome.promotion
    if situation == MOVES_UP:
        return decision.decision == circular22.LEN_LOP and outcome.title is None
    if situation == EXCELLENT:
        return outcome.title == circular22.HOC_SINH_XUAT_SAC
    if situation == GOOD:
        return outcome.title == circular22.HOC_SINH_GIOI
    if situation == RETEST_SCORED:
        retake = decision.retake_subjects
        return (decision.decision == circular22.KIEM_TRA_LAI and 1 <= len(retake) <= 3
                and not set(retake) & rated)
    if situation == RETEST_RATED:
        return (decision.decision == circular22.KIEM_TRA_LAI
                and set(decision.retake_subjects) == set(FAILED_RATED))
    if situation == CONDUCT_TRAINING:
        return decision.decision == circular22.REN_LUYEN_TRONG_HE and not decision.failed_subjects
    if situation == BOTH:
        return decision.decision == circular22.REN_LUYEN_TRONG_HE and bool(decision.failed_subjects)
    raise ValueError(situation)


def _year_comments(student_code: str, year_name: str, subjects, plan: "YearPlan") -> dict[str, str]:
    """The subject teachers' year comments (the học bạ's year page), kept on term II: drawn as
    the term comments are, from the year's results (Art. 9: the year average of each scored
    subject, term II's Đ/CĐ of each rated one), by a generator of their own so that adding them
    changes none of the year's marks. None for a transfer-in without term I here."""
    if set(plan.terms) != {1, 2}:
        return {}
    first, second = plan.terms[1], plan.terms[2]
    averages = {
        spec.code: circular22.subject_year_average(first.averages[spec.code], second.averages[spec.code])
        for spec in subjects if not spec.rated
    }
    rng = random.Random(f"{SEED}/{year_name}/{student_code}/year-comments")
    return grades._subject_comments(rng, subjects, averages, second.results)


def plan_year(
    student_code: str, year_name: str, class_name: str, pupil_ability: float,
    subjects: Sequence[SubjectSpec], days: dict[int, Sequence[tuple[datetime.date, str]]],
    situation: str,
) -> YearPlan:
    """Everything the demo records for one pupil in one past year. Pure: the same arguments
    give the same plan in any process. `days` are the (day, session) of each term the pupil
    attends; a transfer-in's plan has term II only."""
    rated = {s.code for s in subjects if s.rated}
    for attempt in range(MAX_ATTEMPTS):
        rng = random.Random(f"{SEED}/{year_name}/{student_code}/{attempt}")
        plan = _draw(rng, year_name, class_name, pupil_ability, subjects, days, situation)
        if _fits(situation, plan, rated):
            plan.attempt = attempt
            return plan
    raise RuntimeError(f"no plan for {student_code} in {year_name}: {situation}")


def _draw(rng, year_name, class_name, pupil_ability, subjects, days, situation) -> YearPlan:
    years_ago = 2026 - int(year_name[:4])  # 2025–2026: 1
    base = {EXCELLENT: max(pupil_ability, 9.3), RETEST_SCORED: 4.9, BOTH: 4.4}.get(
        situation, max(pupil_ability, 5.7)
    )
    level = base - 0.15 * (years_ago - 1) + 0.2 * _normal(rng)
    leaning = 0.45 * _normal(rng)
    diligence = 0.5 * (level - MEAN_ABILITY) / 0.95 + 0.87 * _normal(rng)
    if situation in (EXCELLENT, GOOD):
        diligence = max(diligence, 0.5)
    elif situation not in (CONDUCT_TRAINING, BOTH):
        diligence = max(diligence, -1.4)  # no conduct Chưa đạt by chance
    aptitude = {}
    for spec in sorted(subjects, key=lambda s: s.code):
        tilt = (
            leaning if spec.code in grades.SCIENCES
            else -leaning if spec.code in grades.HUMANITIES else 0.0
        )
        aptitude[spec.code] = SUBJECT_SHIFT.get(spec.code, 0.0) + tilt + 0.5 * _normal(rng)
    names = {s.code: s.name for s in subjects}
    terms = {}
    for number in (1, 2):
        if situation == TRANSFER_IN and number == 1:
            continue
        terms[number] = _draw_term(
            rng, number, level + 0.1 * (number - 1), diligence, aptitude, subjects, names,
            days.get(number, ()), situation,
        )
    return YearPlan(situation, terms, _outcome(terms, subjects) if 1 in terms else None)


def _draw_term(rng, number, level, diligence, aptitude, subjects, names, days, situation):
    cells: dict[tuple[str, str, int], Cell] = {}
    averages, results = {}, {}
    for spec in sorted(subjects, key=lambda s: s.code):
        if spec.rated:
            row = grades._rated_cells(rng, spec, level)
            if situation == RETEST_RATED and number == 2 and spec.code in FAILED_RATED:
                row[-1] = (None, False)  # missed the end-of-term assessment: CĐ
            results[spec.code] = circular22.term_rated_result(
                [p for _, p in row], required=len(spec.columns)
            )
        else:
            row = grades._scored_cells(rng, spec, level + aptitude[spec.code] + 0.25 * _normal(rng))
            values = [v for v, _ in row]
            averages[spec.code] = circular22.subject_term_average(
                values[:-2], values[-2], values[-1], expected_regular=spec.regular
            )
        for (kind, index), cell in zip(spec.columns, row):
            cells[(spec.code, kind, index)] = cell
    learning = circular22.learning_result(averages, results)
    if situation in (CONDUCT_TRAINING, BOTH):
        conduct = DAT if number == 1 else CHUA_DAT
    elif situation in (EXCELLENT, GOOD):
        conduct = TOT
    else:
        conduct = grades._conduct(diligence + 0.4 * _normal(rng))
    if number == 1:
        comment = grades._homeroom_comment(rng, learning, conduct, averages, names)
    else:
        comment = grades._homeroom_comment(
            rng, learning, conduct, averages, names, closing=YEAR_END_SENTENCES[situation]
        )
    subject_comments = grades._subject_comments(rng, subjects, averages, results)
    if number == 2:  # "… in term II" said in term II would read oddly
        subject_comments = {
            code: text.replace("trong học kỳ II", "trong năm học tới")
            for code, text in subject_comments.items()
        }
    plan = TermPlan(cells, averages, results, learning, conduct, comment, subject_comments)
    plan.absences = grades._absences(rng, diligence, days)
    return plan


YEAR_END_SENTENCES = {
    MOVES_UP: (
        "Chúc em một kỳ nghỉ hè vui vẻ, bổ ích và tiếp tục cố gắng ở lớp trên.",
        "Em cần duy trì nề nếp học tập trong kỳ nghỉ hè.",
        "Hãy đọc thêm sách và ôn lại kiến thức trong hè để vững vàng hơn ở năm học mới.",
    ),
    EXCELLENT: ("Em là tấm gương sáng về học tập và rèn luyện của lớp.",),
    GOOD: (
        "Em xứng đáng với danh hiệu Học sinh Giỏi; hãy giữ vững phong độ ở năm học mới.",
        "Chúc mừng em đạt danh hiệu Học sinh Giỏi.",
    ),
    RETEST_SCORED: ("Em cần ôn tập kỹ trong hè để kiểm tra lại đạt yêu cầu.",),
    RETEST_RATED: ("Em cần hoàn thành đầy đủ các nội dung đánh giá khi kiểm tra lại trong hè.",),
    CONDUCT_TRAINING: (
        "Em cần nghiêm túc rèn luyện trong kì nghỉ hè theo kế hoạch của nhà trường.",
    ),
    BOTH: ("Em cần nghiêm túc rèn luyện trong kì nghỉ hè theo kế hoạch của nhà trường.",),
    TRANSFER_IN: ("Em đã nhanh chóng hòa nhập với tập thể lớp từ học kỳ II.",),
}


def _outcome(terms: dict[int, TermPlan], subjects: Sequence[SubjectSpec]) -> Outcome:
    """The year's results by grading.circular22, as reports.cards' year card computes them."""
    scored, rated = {}, {}
    for spec in subjects:
        if spec.rated:
            rated[spec.code] = circular22.year_rated_result(
                terms[1].results[spec.code], terms[2].results[spec.code]
            )
        else:
            scored[spec.code] = circular22.subject_year_average(
                terms[1].averages[spec.code], terms[2].averages[spec.code]
            )
    learning = circular22.learning_result(scored, rated)
    conduct = circular22.conduct_year(terms[1].conduct, terms[2].conduct)
    absent = sum(len(t.absences) for t in terms.values())
    return Outcome(
        learning, conduct, absent, circular22.title(learning, conduct, scored),
        circular22.promotion(learning, conduct, absent, scored, rated),
    )


def published_at(
    term: Term, year_name: str, class_name: str, subject_code: str, kind: str, index: int,
    regular: int,
) -> datetime.datetime:
    """Regular checks spread over the term, the midterm a little before its middle, the end
    of term twelve days before it ends; each up to three days late (17:00), so all before the
    term closed."""
    span = (term.end_date - term.start_date).days
    if kind == FINAL:
        offset = span - 12
    elif kind == MIDTERM:
        offset = int(span * 0.45)
    else:
        offset = int((span - 16) * index / (regular + 1))
    day = term.start_date + datetime.timedelta(days=offset)
    key = f"past/{year_name}/{class_name}/{term.number}/{subject_code}/{kind}{index}"
    return grades._late_by_up_to_three_days(day, key)


# ------------------------------------------------------------------------------ writing


@dataclass
class _Rows:
    scores: list[Score] = field(default_factory=list)
    conduct: list[ConductRating] = field(default_factory=list)
    comments: list[TermComment] = field(default_factory=list)
    absences: list[AttendanceMark] = field(default_factory=list)
    situations: Counter = field(default_factory=Counter)


def seed_upper_past_years(log: Callable[[str], None] = lambda message: None) -> int:
    """Write THPT Hạ Long's past years' grade books; returns the cells written (0 when the
    demo is absent or they are already there). The caller holds the transaction."""
    terms = list(
        Term.objects.filter(
            school_year__school__code=UPPER_CODE, school_year__is_current=False
        ).select_related("school_year")
    )
    if not terms or Score.objects.filter(term__in=terms).exists():
        return 0
    terms_of = defaultdict(dict)
    for term in terms:
        terms_of[term.school_year_id][term.number] = term
    classes = list(
        ClassGroup.objects.filter(school_year_id__in=terms_of).select_related("school_year")
    )
    teachers, subjects = {}, defaultdict(list)
    for a in (
        TeachingAssignment.objects.filter(class_group__in=classes)
        .select_related("subject")
        .order_by("subject__code")
    ):
        teachers[(a.class_group_id, a.subject_id)] = a.teacher_id
        subjects[a.class_group_id].append(a.subject)
    pupils = defaultdict(list)  # class id -> [(student id, code, start date)]
    for class_id, student_id, code, start in (
        Enrolment.objects.active().filter(class_group__in=classes)
        .order_by("student__student_code")
        .values_list("class_group_id", "student_id", "student__student_code", "start_date")
    ):
        pupils[class_id].append((student_id, code, start))
    class_now = dict(
        Enrolment.objects.current()
        .filter(student__in=[s for rows in pupils.values() for s, _, _ in rows])
        .values_list("student__student_code", "class_group__name")
    )
    rows = _Rows()
    titles: dict[str, str] = {}
    # Last year first: its graduates' titles are theirs in the earlier years too.
    for group in sorted(classes, key=lambda c: (-c.school_year.start_date.toordinal(), c.name)):
        titles |= _class_rows(group, terms_of[group.school_year_id], subjects[group.pk],
                              teachers, pupils[group.pk], class_now, titles, rows)
    for model, objs in (
        (Score, rows.scores), (ConductRating, rows.conduct), (TermComment, rows.comments),
        (AttendanceMark, rows.absences),
    ):
        model.objects.bulk_create(objs, batch_size=BATCH)
    log(
        f"Các năm học trước (THPT, đã khoá sổ): {len(classes)} lớp, "
        f"{format_count(len(rows.scores))} điểm, {len(rows.absences)} buổi nghỉ"
    )
    return len(rows.scores)


def _class_rows(group, terms, subjects: list[Subject], teachers, pupils, class_now, carried,
                rows: _Rows) -> dict[str, str]:
    """One past class's rows (ids only, as demo/grades.py writes them); returns its pupils'
    titles by situation (code -> EXCELLENT or GOOD)."""
    year = group.school_year
    specs = [SubjectSpec.of(s) for s in subjects]
    days = {n: grades.school_days(t, MORNINGS) for n, t in terms.items()}
    abilities = {code: ability(code, class_now.get(code)) for _, code, _ in pupils}
    late = {code for _, code, start in pupils if start >= terms[2].start_date}
    chosen = situations(year.name, group.name, abilities, late, carried)
    homeroom = group.homeroom_teacher_id
    columns = {
        (subject.pk, n): [
            (kind, index, published_at(t, year.name, group.name, spec.code, kind, index,
                                       spec.regular))
            for kind, index in spec.columns
        ]
        for subject, spec in zip(subjects, specs)
        for n, t in terms.items()
    }
    for student_id, code, _start in pupils:
        plan = plan_year(code, year.name, group.name, abilities[code], specs, days, chosen[code])
        rows.situations[plan.situation] += 1
        year_comments = _year_comments(code, year.name, specs, plan)
        for number, term_plan in plan.terms.items():
            term = terms[number]
            for subject, spec in zip(subjects, specs):
                teacher = teachers[(group.pk, subject.pk)]
                for kind, index, published in columns[(subject.pk, number)]:
                    value, passed = term_plan.cells[(spec.code, kind, index)]
                    rows.scores.append(Score(
                        student_id=student_id, subject_id=subject.pk, term_id=term.pk,
                        class_group_id=group.pk, kind=kind, index=index, value=value,
                        passed=passed, published_at=published, updated_by_id=teacher,
                    ))
                if (text := term_plan.subject_comments.get(spec.code)) is not None:
                    rows.comments.append(TermComment(
                        student_id=student_id, term_id=term.pk, subject_id=subject.pk,
                        text=text, author_id=teacher,
                    ))
                if number == 2 and (text := year_comments.get(spec.code)) is not None:
                    rows.comments.append(TermComment(
                        student_id=student_id, term_id=term.pk, subject_id=subject.pk,
                        text=text, author_id=teacher, whole_year=True,
                    ))
            rows.conduct.append(ConductRating(
                student_id=student_id, term_id=term.pk, rating=term_plan.conduct,
                updated_by_id=homeroom,
            ))
            rows.comments.append(TermComment(
                student_id=student_id, term_id=term.pk, subject_id=None, text=term_plan.comment,
                author_id=homeroom,
            ))
            rows.absences += [
                AttendanceMark(
                    student_id=student_id, class_group_id=group.pk, date=day, session=session,
                    status=status, note=note, recorded_by_id=homeroom,
                )
                for day, session, status, note in term_plan.absences
            ]
    return {code: s for code, s in chosen.items() if s in (EXCELLENT, GOOD)}
