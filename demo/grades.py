"""The demo school's term I grade book (called at the end of demo/seed.py's seed_demo), so
that report cards, class summaries and the parents' pages have something real to show.

For every pupil of every current-year class of Trường THPT Hạ Long, term I of the current
year gets: every cell of every subject the class is taught (TX…, GK, CK; Đ/CĐ for the rated
subjects), all published and entered by the subject's teacher; a conduct rating and a term
comment by the homeroom teacher; a subject teacher's comment now and then; and a few absences
on the school days already over. Term I stays open.

Trường Tiểu học Trần Hưng Đạo (Circular 27) gets mid-term I only, as term I is still under way
(the demo's "today" is late November 2026): for every pupil, a rating (T/H/C) in every primary
subject the class is taught, and the mid-term test of Tiếng Việt and Toán in grades 4–5 (a
whole mark), all published by the subject's teacher in early November. No end-of-term cell, no
conduct, comment or absence yet.

Each pupil has an ability (their class shifts it a little), an aptitude per subject and a
leaning towards the sciences or the humanities; each score is that level plus noise. The
school then shows the usual spread (most pupils Khá or Đạt, some Tốt, a few Chưa đạt), which
the tests check through grading.circular22.

Deterministic: everything about a pupil comes from `plan_pupil`, a pure function of the
pupil's student code, class name, subjects and the school days, drawing from its own
generator seeded with a fixed string; normal draws are sums of uniforms (only + and ×, so no
platform's libm changes a score). Only two things depend on the day of the run: absences
after today are left out, and `updated_at` is the time of writing.

Fast: about 72,000 cells (and some 1,400 in the primary school) written with bulk_create, which
skips django-simple-history (seeded data needs no "who changed it" trail; every later change
through the grade book has one).
"""

import datetime
import random
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from contactbook.gradebook.columns import columns_for
from contactbook.models import AttendanceMark, ConductRating, QualityRating, Score, TermComment
from demo.school import PRIMARY_CODE, SCHOOL_CODES, UPPER_CODE, format_count
from grading import circular22
from school.models import (
    ClassGroup,
    Enrolment,
    School,
    Student,
    Subject,
    TeachingAssignment,
    Term,
    TimetableSlot,
)

SEED = "seed_demo/grades"
BATCH = 2000
ICT = ZoneInfo("Asia/Ho_Chi_Minh")

REGULAR, MIDTERM, FINAL = Score.Kind.REGULAR.value, Score.Kind.MIDTERM.value, Score.Kind.FINAL.value
MIDTERM_TEST = Score.Kind.MIDTERM_TEST.value
Absence = AttendanceMark.Status
TOT, KHA, DAT, CHUA_DAT = circular22.TOT, circular22.KHA, circular22.DAT, circular22.CHUA_DAT

# ------------------------------------------------------------------------- the plan (pure)


@dataclass(frozen=True)
class SubjectSpec:
    """What the plan needs of a subject: its code and name, whether it is rated (Đ/CĐ) and its
    number of regular assessments a term (contactbook.gradebook.columns_for's count)."""

    code: str
    name: str
    rated: bool
    regular: int

    @classmethod
    def of(cls, subject: Subject) -> "SubjectSpec":
        return cls(
            subject.code, subject.name, subject.assessment == Subject.Assessment.RATED,
            subject.regular_assessment_count,
        )

    @property
    def columns(self) -> list[tuple[str, int]]:
        """(kind, index) in the grade book's order: TX1…TXn, GK, CK."""
        regular = [(REGULAR, i) for i in range(1, self.regular + 1)]
        return [*regular, (MIDTERM, 1), (FINAL, 1)]


Cell = tuple[Decimal | None, bool | None]  # (value, passed), as Score holds them


@dataclass
class PupilPlan:
    cells: dict[tuple[str, str, int], Cell]  # (subject code, kind, index) -> cell
    averages: dict[str, Decimal]  # scored subjects' term averages (circular22)
    results: dict[str, bool]  # rated subjects' term results (True = Đ)
    learning: str  # the term's learning result (circular22.learning_result)
    conduct: str
    comment: str  # the homeroom teacher's term comment
    subject_comments: dict[str, str] = field(default_factory=dict)
    absences: list[tuple[datetime.date, str, str, str]] = field(default_factory=list)


# Nudges to a subject's level: GDQP&AN and Tin học are marked generously, Toán and the
# written-heavy subjects less so. Science subjects follow the pupil's leaning, the
# humanities the opposite way.
SUBJECT_SHIFT = {
    "gdqp-an": 0.8, "tin-hoc": 0.4, "cong-nghe": 0.4, "gdktpl": 0.3, "dia-li": 0.2,
    "sinh-hoc": 0.0, "lich-su": 0.1, "tieng-anh": -0.1, "hoa-hoc": -0.1, "vat-li": -0.1,
    "toan": -0.2, "ngu-van": -0.1,
}
MEAN_ABILITY = 7.0
SCIENCES = {"toan", "vat-li", "hoa-hoc", "sinh-hoc", "tin-hoc", "cong-nghe"}
HUMANITIES = {"ngu-van", "lich-su", "dia-li", "gdktpl"}


def _normal(rng: random.Random) -> float:
    """A standard normal draw (approximately): the sum of six uniforms, centred and scaled.
    Unlike random.gauss it uses no log/cos, so every platform draws the same numbers; its
    tails stop at ±4.2 σ, which suits marks."""
    return (sum(rng.random() for _ in range(6)) - 3.0) * 1.4142135623730951


def _clamp(x: float, low: float = 0.0, high: float = 10.0) -> float:
    return min(high, max(low, x))


def _to_score(x: float, step: str) -> Decimal:
    """A mark as teachers write it: "whole" (an oral check: 7), "half" (7.5) or "quarter" (a
    test marked in quarters, then rounded to one decimal as Circular 22 wants: 7.25 → 7.3)."""
    x = _clamp(x)
    if step == "whole":
        return Decimal(int(x + 0.5)).quantize(circular22.ONE_DECIMAL)
    if step == "half":
        return (Decimal(int(x * 2 + 0.5)) / 2).quantize(circular22.ONE_DECIMAL)
    return circular22.round_score(Decimal(int(x * 4 + 0.5)) / 4)


def class_shift(class_name: str) -> float:
    """How much better or worse than the school a class is (the first classes of each grade a
    little stronger, as schools stream them)."""
    rng = random.Random(f"{SEED}/class/{class_name}")
    number = int(class_name.split("A")[-1]) if class_name.split("A")[-1].isdigit() else 5
    return 0.25 * _normal(rng) + (0.35 if number <= 2 else 0.0)


def _scored_cells(rng: random.Random, spec: SubjectSpec, level: float) -> list[Cell]:
    """Regular checks a little kinder and noisier than the midterm and end-of-term tests."""
    cells = []
    for kind, _index in spec.columns:
        if kind == REGULAR:
            mark = level + 0.3 + 0.95 * _normal(rng)
            step = "whole" if rng.random() < 0.55 else "half"
        else:
            mark = level - (0.1 if kind == MIDTERM else 0.2) + 0.8 * _normal(rng)
            step = "quarter"
        cells.append((_to_score(mark, step), None))
    return cells


def _rated_cells(rng: random.Random, spec: SubjectSpec, ability: float) -> list[Cell]:
    """Nearly everyone passes (Đ); a weak pupil now and then misses one assessment (CĐ)."""
    chance = 0.05 if ability < 5.0 else 0.01 if ability < 5.8 else 0.001
    return [(None, rng.random() >= chance) for _ in spec.columns]


def plan_pupil(
    student_code: str,
    class_name: str,
    subjects: Sequence[SubjectSpec],
    school_days: Sequence[tuple[datetime.date, str]] = (),
) -> PupilPlan:
    """Everything the demo records for one pupil in term I. Pure: the same arguments give the
    same plan in any process. `school_days` are the (day, session) the pupil's class has
    lessons in the term, in order; absences fall on some of them (all of the term: the caller
    leaves out those still to come)."""
    rng = random.Random(f"{SEED}/{student_code}")
    ability = _clamp(MEAN_ABILITY + class_shift(class_name) + 0.95 * _normal(rng), 3.2, 9.6)
    leaning = 0.45 * _normal(rng)  # > 0: better at the sciences
    diligence = 0.5 * (ability - MEAN_ABILITY) / 0.95 + 0.87 * _normal(rng)
    cells: dict[tuple[str, str, int], Cell] = {}
    averages, results = {}, {}
    for spec in sorted(subjects, key=lambda s: s.code):
        if spec.rated:
            row = _rated_cells(rng, spec, ability)
            results[spec.code] = circular22.term_rated_result(
                [p for _, p in row], required=len(spec.columns)
            )
        else:
            tilt = leaning if spec.code in SCIENCES else -leaning if spec.code in HUMANITIES else 0
            level = ability + SUBJECT_SHIFT.get(spec.code, 0.0) + tilt + 0.55 * _normal(rng)
            row = _scored_cells(rng, spec, level)
            values = [v for v, _ in row]
            averages[spec.code] = circular22.subject_term_average(
                values[:-2], values[-2], values[-1], expected_regular=spec.regular
            )
        for (kind, index), cell in zip(spec.columns, row):
            cells[(spec.code, kind, index)] = cell
    learning = circular22.learning_result(averages, results)
    conduct = _conduct(diligence)
    names = {s.code: s.name for s in subjects}
    plan = PupilPlan(
        cells, averages, results, learning, conduct,
        _homeroom_comment(rng, learning, conduct, averages, names),
    )
    plan.subject_comments = _subject_comments(rng, subjects, averages, results)
    plan.absences = _absences(rng, diligence, school_days)
    return plan


def _conduct(diligence: float) -> str:
    """About 68 % Tốt, 26 % Khá, 5 % Đạt and one pupil in two hundred Chưa đạt."""
    if diligence > -0.47:
        return TOT
    if diligence > -1.55:
        return KHA
    return DAT if diligence > -2.55 else CHUA_DAT


# ---------------------------------------------------------------------------- comments

CONDUCT_SENTENCES = {
    TOT: (
        "Em ngoan, lễ phép với thầy cô, chấp hành tốt nội quy nhà trường.",
        "Em chăm ngoan, tích cực phát biểu xây dựng bài.",
        "Em sống chan hòa, đoàn kết và biết giúp đỡ bạn bè.",
        "Em có ý thức tự giác, luôn hoàn thành tốt nhiệm vụ được giao.",
        "Em gương mẫu, nhiệt tình tham gia các hoạt động của lớp và của trường.",
        "Em lễ phép, trung thực, có tinh thần trách nhiệm với tập thể lớp.",
    ),
    KHA: (
        "Em ngoan, thực hiện tương đối tốt nội quy của lớp.",
        "Em hòa đồng với bạn bè nhưng đôi khi còn nói chuyện riêng trong giờ học.",
        "Em lễ phép với thầy cô, có ý thức tham gia hoạt động tập thể.",
        "Em có tiến bộ về ý thức học tập, tuy vậy còn một vài lần đi học muộn.",
    ),
    DAT: (
        "Em còn vi phạm nội quy, có lần đi học muộn và chưa mặc đúng đồng phục.",
        "Em còn thiếu tập trung, hay nói chuyện riêng trong giờ học.",
        "Em chưa tự giác trong học tập, nhiều lần chưa làm bài tập về nhà.",
    ),
    CHUA_DAT: (
        "Em vi phạm nội quy nhiều lần, nghỉ học không phép và chưa sửa chữa khuyết điểm.",
        "Em nhiều lần bỏ tiết, chưa có ý thức chấp hành nội quy của lớp.",
    ),
}
LEARNING_SENTENCES = {
    TOT: (
        "Kết quả học tập tốt, nổi bật ở môn {best}.",
        "Em học đều các môn, có khả năng tự học và tư duy tốt.",
        "Em tiếp thu bài nhanh, đạt kết quả cao ở nhiều môn học.",
    ),
    KHA: (
        "Kết quả học tập khá, học tốt môn {best}.",
        "Em nắm vững kiến thức cơ bản và có cố gắng trong học tập.",
        "Em học khá đều các môn, có ý thức chuẩn bị bài trước khi đến lớp.",
    ),
    DAT: (
        "Kết quả học tập đạt yêu cầu nhưng chưa đều giữa các môn.",
        "Em nắm được kiến thức cơ bản, tuy nhiên kết quả môn {worst} còn thấp.",
        "Em có cố gắng nhưng kết quả học tập chưa tương xứng với khả năng.",
    ),
    CHUA_DAT: (
        "Kết quả học tập chưa đạt yêu cầu, còn hổng kiến thức ở môn {worst}.",
        "Em còn nhiều môn chưa đạt yêu cầu, cần ôn tập lại kiến thức cơ bản.",
    ),
}
ADVICE_SENTENCES = {
    TOT: (
        "Hãy tiếp tục phát huy trong học kỳ II.",
        "Cần mạnh dạn hơn khi trình bày ý kiến trước lớp.",
        "Cần tiếp tục giữ vững thành tích và giúp đỡ các bạn trong lớp.",
        "Cần cẩn thận hơn khi làm bài kiểm tra.",
    ),
    KHA: (
        "Cần cẩn thận hơn khi làm bài kiểm tra.",
        "Cần đầu tư thêm thời gian cho môn {worst}.",
        "Cần chủ động hỏi thầy cô khi chưa hiểu bài.",
        "Nếu cố gắng hơn, em có thể đạt kết quả tốt trong học kỳ II.",
    ),
    DAT: (
        "Cần chăm chỉ hơn và dành nhiều thời gian ôn tập môn {worst}.",
        "Gia đình cần quan tâm, nhắc nhở em học bài ở nhà thường xuyên hơn.",
        "Cần tập trung nghe giảng và làm đầy đủ bài tập về nhà.",
    ),
    CHUA_DAT: (
        "Gia đình cần phối hợp chặt chẽ với nhà trường để giúp em tiến bộ.",
        "Cần tham gia đầy đủ các buổi phụ đạo và ôn tập kỹ các môn còn yếu.",
    ),
}


def _homeroom_comment(
    rng: random.Random, learning: str, conduct: str, averages: dict[str, Decimal],
    names: dict[str, str], closing: Sequence[str] | None = None,
) -> str:
    """Three sentences: conduct, learning (naming the best or weakest subject) and advice
    (or one of `closing`: the year's last comment has a word for the summer instead)."""
    # GDQP&AN is marked so generously that "best at GDQP&AN" would say little.
    ranked = sorted((c for c in averages if c != "gdqp-an"), key=lambda c: (averages[c], c))
    words = {"best": names[ranked[-1]], "worst": names[ranked[0]]}
    parts = (
        rng.choice(CONDUCT_SENTENCES[conduct]),
        rng.choice(LEARNING_SENTENCES[learning]),
        rng.choice(closing or ADVICE_SENTENCES[learning]),
    )
    return " ".join(p.format(**words) for p in parts)


SCORED_COMMENTS = (
    (Decimal("8.0"), (
        "Nắm vững kiến thức, vận dụng linh hoạt vào bài tập.",
        "Học tốt, tích cực phát biểu xây dựng bài.",
        "Có năng khiếu với môn học, cần tiếp tục phát huy.",
    )),
    (Decimal("6.5"), (
        "Nắm được kiến thức cơ bản, cần rèn thêm kỹ năng làm bài vận dụng.",
        "Có cố gắng, tiến bộ rõ so với đầu năm học.",
        "Chăm chỉ, cần cẩn thận hơn khi trình bày bài.",
    )),
    (Decimal("5.0"), (
        "Hiểu bài nhưng còn chậm, cần làm thêm bài tập ở nhà.",
        "Cần tập trung hơn trong giờ học và ôn tập thường xuyên.",
    )),
    (Decimal("0.0"), (
        "Còn hổng kiến thức cơ bản, cần ôn tập lại và hỏi thầy cô khi chưa hiểu.",
        "Chưa đạt yêu cầu, cần cố gắng nhiều hơn trong học kỳ II.",
    )),
)
# A subject teacher's own words for a strong pupil, beside the general ones.
STRONG_IN = {
    "toan": "Tư duy logic tốt, giải bài nhanh và chính xác.",
    "ngu-van": "Diễn đạt mạch lạc, bài viết giàu cảm xúc.",
    "tieng-anh": "Phát âm chuẩn, giao tiếp tự tin; cần mở rộng thêm vốn từ.",
    "vat-li": "Hiểu bản chất hiện tượng, làm thí nghiệm cẩn thận.",
    "lich-su": "Nắm chắc sự kiện, biết liên hệ với thực tế.",
    "tin-hoc": "Lập trình tốt, chủ động tìm hiểu thêm ngoài giờ học.",
}
RATED_COMMENTS = {
    True: (
        "Hoàn thành tốt các nội dung của môn học.",
        "Tích cực, tự giác tham gia các hoạt động.",
        "Đạt yêu cầu, tham gia đầy đủ các buổi học.",
    ),
    False: (
        "Chưa hoàn thành một số nội dung đánh giá, cần cố gắng hơn.",
        "Chưa tham gia đầy đủ các hoạt động, cần tích cực hơn.",
    ),
}


def _subject_comments(
    rng: random.Random, subjects: Sequence[SubjectSpec], averages: dict[str, Decimal],
    results: dict[str, bool],
) -> dict[str, str]:
    """A comment for about one subject in six, more often for a very strong or a weak result
    (what teachers take the time to write about)."""
    comments = {}
    for spec in sorted(subjects, key=lambda s: s.code):
        if spec.rated:
            passed = results[spec.code]
            chance, pool = (0.12 if passed else 0.9), RATED_COMMENTS[passed]
        else:
            average = averages[spec.code]
            pool = next(texts for bar, texts in SCORED_COMMENTS if average >= bar)
            if average >= Decimal("8.5") and spec.code in STRONG_IN:
                pool = (*pool, STRONG_IN[spec.code])
            outlying = average >= Decimal("8.5") or average < Decimal("5.0")
            chance = 0.4 if outlying else 0.12
        if rng.random() < chance:
            comments[spec.code] = rng.choice(pool)
    return comments


# ----------------------------------------------------------------------------- absences

EXCUSED_NOTES = (
    "Ốm, phụ huynh xin phép.",
    "Sốt, gia đình đã báo giáo viên chủ nhiệm.",
    "Đi khám bệnh, có giấy xin phép.",
    "Việc gia đình, phụ huynh gọi điện xin phép.",
    "Về quê dự đám cưới người thân, có giấy xin phép.",
)
UNEXCUSED_NOTES = ("", "Không có lý do.", "Không báo trước với giáo viên chủ nhiệm.")


def _absences(
    rng: random.Random, diligence: float, school_days: Sequence[tuple[datetime.date, str]]
) -> list[tuple[datetime.date, str, str, str]]:
    """A few absences: most pupils none, some one or two, a few an illness of two or three
    days in a row. Less diligent pupils are away more often, and more often without leave."""
    episodes = rng.choices((0, 1, 2, 3, 4), weights=(64, 20, 9, 5, 2))[0]
    if diligence < -1.0:
        episodes += rng.choice((0, 1, 2))
    if not school_days:
        return []
    marks: dict[tuple[datetime.date, str], tuple[str, str]] = {}
    for _ in range(episodes):
        start = rng.randrange(len(school_days))
        length = rng.choices((1, 2, 3), weights=(70, 20, 10))[0]
        excused = rng.random() < (0.55 if diligence < -1.0 else 0.85)
        status = Absence.EXCUSED.value if excused else Absence.UNEXCUSED.value
        note = rng.choice(EXCUSED_NOTES if excused else UNEXCUSED_NOTES)
        for day, session in school_days[start:start + length]:
            marks.setdefault((day, session), (status, note))
    return [(day, session, *mark) for (day, session), mark in sorted(marks.items())]


# ------------------------------------------------------------- the primary plan (pure)

RATING_GOOD, RATING_DONE, RATING_NOT_YET = (
    Score.Rating.GOOD.value, Score.Rating.DONE.value, Score.Rating.NOT_YET.value,
)
PRIMARY_MEAN_ABILITY = 7.3
# Đạo đức, the arts, PE and Hoạt động trải nghiệm are rated generously, Toán and Tiếng Việt
# (where a written test weighs in) less so.
PRIMARY_SHIFT = {
    "dao-duc": 0.8, "hdtn": 0.7, "am-nhac": 0.6, "mi-thuat": 0.6, "gdtc": 0.5, "tnxh": 0.3,
    "khoa-hoc": 0.1, "ls-dl": 0.1, "tin-hoc-cn": 0.1, "tieng-anh": -0.1, "tieng-viet": -0.1,
    "toan": -0.2,
}


@dataclass(frozen=True)
class PrimarySubjectSpec:
    """What the primary plan needs of a subject in a class: its code and whether the class
    sits its written test at mid-term (contactbook.gradebook.columns_for's MIDTERM_TEST)."""

    code: str
    midterm_test: bool

    @classmethod
    def of(cls, subject: Subject, grade: int) -> "PrimarySubjectSpec":
        kinds = {column.kind for column in columns_for(subject, grade)}
        return cls(subject.code, MIDTERM_TEST in kinds)

    @property
    def columns(self) -> list[tuple[str, int]]:
        """The mid-term I columns seeded: the rating, then the test where there is one."""
        return [(MIDTERM, 1), *([(MIDTERM_TEST, 1)] if self.midterm_test else [])]


PrimaryCell = tuple[Decimal | None, str | None]  # (value, rating), as Score holds them


def _primary_rating(level: float) -> str:
    """In a subject of no shift about 44 % Hoàn thành tốt, 53 % Hoàn thành and 3 % Chưa hoàn
    thành; over a class's subjects about half T and one rating in fifty C."""
    if level >= 7.5:
        return RATING_GOOD
    return RATING_DONE if level >= 5.2 else RATING_NOT_YET


def plan_primary_pupil(
    student_code: str, class_name: str, subjects: Sequence[PrimarySubjectSpec]
) -> dict[tuple[str, str, int], PrimaryCell]:
    """One primary pupil's mid-term I: (subject code, kind, index) -> (value, rating). Pure,
    like plan_pupil: a pupil's ability (their class shifts it a little) plus an aptitude per
    subject gives the subject's level; the rating follows the level, and the written test is
    the level plus noise, as a whole mark (Circular 27: no decimals), so a pupil rated T
    mostly scores 8–10 and one rated H 6–8."""
    rng = random.Random(f"{SEED}/primary/{student_code}")
    ability = _clamp(PRIMARY_MEAN_ABILITY + class_shift(class_name) + 0.95 * _normal(rng), 3.0, 9.8)
    cells: dict[tuple[str, str, int], PrimaryCell] = {}
    for spec in sorted(subjects, key=lambda s: s.code):
        level = ability + PRIMARY_SHIFT.get(spec.code, 0.0) + 0.55 * _normal(rng)
        cells[(spec.code, MIDTERM, 1)] = (None, _primary_rating(level))
        if spec.midterm_test:
            mark = _to_score(level + 0.5 + 0.8 * _normal(rng), "whole")
            cells[(spec.code, MIDTERM_TEST, 1)] = (mark.quantize(Decimal(1)), None)
    return cells


# ------------------------------------------------------------------------------ writing

# When each column was published: (kind, index) -> day of term I. Regular checks through the
# term, the midterm in week 8, the end of term last. All before 25 November 2026, the demo's
# "today", so no parent sees a score published in the future.
PUBLISHED_ON = {
    (REGULAR, 1): datetime.date(2026, 9, 25),
    (REGULAR, 2): datetime.date(2026, 10, 9),
    (MIDTERM, 1): datetime.date(2026, 10, 30),
    (REGULAR, 3): datetime.date(2026, 11, 6),
    (REGULAR, 4): datetime.date(2026, 11, 13),
    (FINAL, 1): datetime.date(2026, 11, 20),
}
HOLIDAYS = {(1, 1)}  # Tết Dương lịch; term I holds no other public holiday


# The primary school's mid-term I (Circular 27): grades 4–5 sit the Tiếng Việt and Toán tests on
# Tuesday 3 November, in week 9, and the marks go out the next day; every subject's rating
# follows at the end of that week, once the tests are marked.
PRIMARY_PUBLISHED_ON = {
    (MIDTERM_TEST, 1): datetime.date(2026, 11, 4),
    (MIDTERM, 1): datetime.date(2026, 11, 6),
}


def published_at(subject_code: str, kind: str, index: int) -> datetime.datetime:
    """17:00 on the column's day, a subject's teacher up to three days later than the others."""
    return _late_by_up_to_three_days(PUBLISHED_ON[(kind, index)], subject_code)


def primary_published_at(
    class_name: str, subject_code: str, kind: str, index: int
) -> datetime.datetime:
    """The same for a primary class: its class teacher (or the specialist teaching the subject)
    up to three days later than the others, so still in early November."""
    key = f"{PRIMARY_CODE}/{class_name}/{subject_code}"
    return _late_by_up_to_three_days(PRIMARY_PUBLISHED_ON[(kind, index)], key)


def _late_by_up_to_three_days(day: datetime.date, key: str) -> datetime.datetime:
    late = random.Random(f"{SEED}/published/{key}").randrange(4)
    day += datetime.timedelta(days=late)
    return datetime.datetime.combine(day, datetime.time(17, 0), tzinfo=ICT)


def school_days(term: Term, lessons: set[tuple[int, str]]) -> list[tuple[datetime.date, str]]:
    """(day, session) of the term on which the class has lessons by its timetable
    ({(weekday 1–6, session)}), from the day after the opening ceremony to the last day."""
    days, day = [], term.start_date + datetime.timedelta(days=1)
    while day <= term.end_date:
        if (day.month, day.day) not in HOLIDAYS:
            for session in (AttendanceMark.Session.MORNING, AttendanceMark.Session.AFTERNOON):
                if (day.isoweekday(), session.value) in lessons:
                    days.append((day, session.value))
        day += datetime.timedelta(days=1)
    return days


@dataclass
class _Context:
    term: Term
    classes: list[ClassGroup]
    teachers: dict[tuple[int, int], int]  # (class id, subject id) -> teacher id
    subjects: dict[int, list[Subject]]  # class id -> its subjects (by code)
    pupils: dict[int, list[tuple[int, str]]]  # class id -> [(student id, student code)]
    lessons: dict[int, set[tuple[int, str]]]  # class id -> {(weekday, session)}


def _term_one(school_code: str, level: str) -> Term | None:
    """Term I of a demo school's current year, if the demo is there."""
    return (
        Term.objects.filter(
            number=1,
            school_year__is_current=True,
            school_year__school__code=school_code,
            school_year__school__level=level,
        )
        .select_related("school_year__school")
        .first()
    )


def _load(term: Term) -> _Context:
    """The classes, their subjects and teachers, pupils and weekly sessions: four queries."""
    classes = list(
        ClassGroup.objects.filter(school_year=term.school_year).order_by("name")
    )
    ids = [c.pk for c in classes]
    teachers, subjects = {}, defaultdict(list)
    assignments = (
        TeachingAssignment.objects.filter(class_group__in=ids)
        .exclude(subject__assessment=Subject.Assessment.PRIMARY)
        .select_related("subject")
        .order_by("subject__code")
    )
    for a in assignments:
        teachers[(a.class_group_id, a.subject_id)] = a.teacher_id
        subjects[a.class_group_id].append(a.subject)
    pupils = _pupils(ids)
    lessons = defaultdict(set)
    slots = TimetableSlot.objects.filter(class_group__in=ids).values_list(
        "class_group_id", "weekday", "session"
    )
    for class_id, weekday, session in slots.distinct():
        lessons[class_id].add((weekday, session))
    return _Context(term, classes, teachers, subjects, pupils, lessons)


def _pupils(class_ids: list[int]) -> dict[int, list[tuple[int, str]]]:
    """class id -> [(student id, student code)] of its active pupils, by code: one query."""
    pupils = defaultdict(list)
    enrolments = (
        Enrolment.objects.active().filter(class_group__in=class_ids)
        .order_by("student__student_code")
        .values_list("class_group_id", "student_id", "student__student_code")
    )
    for class_id, student_id, code in enrolments:
        pupils[class_id].append((student_id, code))
    return pupils


@dataclass
class _Rows:
    scores: list[Score] = field(default_factory=list)
    conduct: list[ConductRating] = field(default_factory=list)
    comments: list[TermComment] = field(default_factory=list)
    absences: list[AttendanceMark] = field(default_factory=list)
    learning: Counter = field(default_factory=Counter)


def _class_rows(ctx: _Context, group: ClassGroup, rows: _Rows, today: datetime.date) -> None:
    """One class's rows. A class without a homeroom teacher gets its cells only: conduct,
    comments and attendance need someone to have written them. Rows hold ids, not related
    objects: bulk_create then has nothing to check or fetch for the foreign keys."""
    term_id, class_id, homeroom = ctx.term.pk, group.pk, group.homeroom_teacher_id
    subjects = ctx.subjects[class_id]
    specs = [SubjectSpec.of(s) for s in subjects]
    days = school_days(ctx.term, ctx.lessons[class_id])
    # (subject id, teacher id, code, [(kind, index, published at)]) once for the class.
    columns = [
        (
            subject.pk, ctx.teachers[(class_id, subject.pk)], spec.code,
            [(kind, index, published_at(spec.code, kind, index)) for kind, index in spec.columns],
        )
        for subject, spec in zip(subjects, specs)
    ]
    for student_id, code in ctx.pupils[class_id]:
        plan = plan_pupil(code, group.name, specs, days)
        rows.learning[plan.learning] += 1
        for subject_id, teacher, subject_code, subject_columns in columns:
            for kind, index, published in subject_columns:
                value, passed = plan.cells[(subject_code, kind, index)]
                rows.scores.append(Score(
                    student_id=student_id, subject_id=subject_id, term_id=term_id,
                    class_group_id=class_id, kind=kind, index=index, value=value, passed=passed,
                    published_at=published, updated_by_id=teacher,
                ))
            if (text := plan.subject_comments.get(subject_code)) is not None:
                rows.comments.append(TermComment(
                    student_id=student_id, term_id=term_id, subject_id=subject_id, text=text,
                    author_id=teacher,
                ))
        if homeroom is None:
            continue
        rows.conduct.append(ConductRating(
            student_id=student_id, term_id=term_id, rating=plan.conduct, updated_by_id=homeroom,
        ))
        rows.comments.append(TermComment(
            student_id=student_id, term_id=term_id, subject_id=None, text=plan.comment,
            author_id=homeroom,
        ))
        rows.absences += [
            AttendanceMark(
                student_id=student_id, class_group_id=class_id, date=day, session=session,
                status=status, note=note, recorded_by_id=homeroom,
            )
            for day, session, status, note in plan.absences
            if day < today  # the registers of days still to come are not written yet
        ]


def seed_grades(log: Callable[[str], None] = lambda message: None) -> int:
    """Write the demo schools' term I grade books (the upper-secondary school's whole term, the
    primary school's mid-term I); returns the number of cells written. Each school is skipped
    when it is absent or its term I already has scores, so a second call writes nothing and
    returns 0. The caller holds the transaction (seed_demo's)."""
    return _seed_upper(log) + _seed_primary(log)


def _seed_upper(log: Callable[[str], None]) -> int:
    term = _term_one(UPPER_CODE, School.Level.UPPER_SECONDARY)
    if term is None or Score.objects.filter(term=term).exists():
        return 0
    ctx = _load(term)
    rows = _Rows()
    today = timezone.localdate()
    for group in ctx.classes:
        _class_rows(ctx, group, rows, today)
    with transaction.atomic():
        for model, objs in (
            (Score, rows.scores), (ConductRating, rows.conduct), (TermComment, rows.comments),
            (AttendanceMark, rows.absences),
        ):
            model.objects.bulk_create(objs, batch_size=BATCH)
    pupils = sum(rows.learning.values())
    spread = ", ".join(f"{level} {rows.learning[level]}" for level in reversed(circular22.LEVELS))
    log(
        f"Sổ điểm học kỳ I: {format_count(pupils)} học sinh, {format_count(len(rows.scores))} "
        f"điểm, {len(rows.absences)} buổi nghỉ; kết quả học tập: {spread}"
    )
    return len(rows.scores)


def _seed_primary(log: Callable[[str], None]) -> int:
    """The primary school's mid-term I cells: five queries and one bulk insert (about 0.1 s)."""
    term = _term_one(PRIMARY_CODE, School.Level.PRIMARY)
    if term is None or Score.objects.filter(term=term).exists():
        return 0
    classes = list(ClassGroup.objects.filter(school_year=term.school_year).order_by("name"))
    assignments = defaultdict(list)
    for a in (
        TeachingAssignment.objects.filter(
            class_group__in=classes, subject__assessment=Subject.Assessment.PRIMARY
        )
        .select_related("subject")
        .order_by("subject__code")
    ):
        assignments[a.class_group_id].append(a)
    pupils = _pupils([c.pk for c in classes])
    scores = []
    for group in classes:
        scores += _primary_class_rows(term, group, assignments[group.pk], pupils[group.pk])
    Score.objects.bulk_create(scores, batch_size=BATCH)
    ratings = Counter(s.rating for s in scores if s.rating)
    spread = ", ".join(f"{label} {ratings[code]}" for code, label in Score.Rating.choices)
    log(
        f"Sổ theo dõi tiểu học, giữa học kỳ I: "
        f"{format_count(sum(map(len, pupils.values())))} học sinh, "
        f"{format_count(sum(ratings.values()))} đánh giá môn học ({spread}), "
        f"{len(scores) - sum(ratings.values())} điểm kiểm tra giữa kỳ"
    )
    return len(scores)


def _primary_class_rows(
    term: Term, group: ClassGroup, assignments: list[TeachingAssignment],
    pupils: list[tuple[int, str]],
) -> list[Score]:
    """One primary class's mid-term I cells, entered and published by each subject's teacher.
    Rows hold ids only, as in _class_rows."""
    specs = [PrimarySubjectSpec.of(a.subject, group.grade) for a in assignments]
    # (subject id, teacher id, code, [(kind, index, published at)]) once for the class.
    columns = [
        (
            a.subject_id, a.teacher_id, spec.code,
            [
                (kind, index, primary_published_at(group.name, spec.code, kind, index))
                for kind, index in spec.columns
            ],
        )
        for a, spec in zip(assignments, specs)
    ]
    rows = []
    for student_id, code in pupils:
        plan = plan_primary_pupil(code, group.name, specs)
        for subject_id, teacher, subject_code, subject_columns in columns:
            for kind, index, published in subject_columns:
                value, rating = plan[(subject_code, kind, index)]
                rows.append(Score(
                    student_id=student_id, subject_id=subject_id, term_id=term.pk,
                    class_group_id=group.pk, kind=kind, index=index, value=value, rating=rating,
                    published_at=published, updated_by_id=teacher,
                ))
    return rows


def remove_grades(school_codes: Sequence[str] = SCHOOL_CODES) -> int:
    """Delete every score, conduct rating, quality rating, term comment and attendance mark of the demo
    schools' pupils, with their history rows; returns how many live rows went.

    Call it before the pupils are deleted. Deleting a pupil cascades to these rows, but
    django-simple-history listens to post_delete, so Django would load every one of the tens of
    thousands of cells and write a "deleted" history row for each (measured: 45 s on SQLite,
    95 s on PostgreSQL, instead of under a second). Here each table is emptied with one DELETE (no signals: nothing else refers to
    these rows), and their history (the demo's own, written by people trying the demo) with
    another."""
    pupils = Student.objects.filter(school__code__in=school_codes).values("pk")
    removed = 0
    for model in (Score, ConductRating, TermComment, AttendanceMark, QualityRating):
        history = model.history.model.objects.filter(student_id__in=pupils)
        history._raw_delete(history.db)
        live = model.objects.filter(student__in=pupils)
        removed += live._raw_delete(live.db)
    return removed


# ------------------------------------------------------------------ last year (primary)

# Last year's columns were published at each term's mid-term and end: (term, kind) -> day.
LAST_YEAR_PUBLISHED_ON = {
    (1, MIDTERM): datetime.date(2025, 11, 7),
    (1, FINAL): datetime.date(2026, 1, 14),
    (2, MIDTERM): datetime.date(2026, 3, 27),
    (2, FINAL): datetime.date(2026, 5, 26),
}
FINAL_TEST = Score.Kind.FINAL_TEST.value
Quality = QualityRating.Rating
LAST_YEAR_COMMENTS = (
    "Em ngoan, chăm chỉ, hoàn thành tốt các nhiệm vụ học tập; đọc to, viết chữ đẹp.",
    "Em tiến bộ nhiều trong năm học, mạnh dạn hơn khi phát biểu trước lớp.",
    "Em hoàn thành các môn học; cần luyện thêm kĩ năng tính nhẩm và trình bày bài.",
    "Em lễ phép, hoà đồng với bạn bè; cần tập trung hơn trong giờ học.",
)


def plan_primary_year(
    student_code: str, class_name: str, subjects: Sequence[tuple[str, list[str]]]
) -> tuple[dict[tuple[int, str, str], PrimaryCell], dict[tuple[int, str], str], str]:
    """A primary pupil's whole past year, pure like plan_pupil: ({(term, subject code, kind):
    (value, rating)} for each subject's columns (code, [kinds]) in both terms, {(term, item):
    quality rating} at each term's end, and the class teacher's end-of-year comment). A pupil
    improves a little from term I to term II."""
    rng = random.Random(f"{SEED}/primary-year/{student_code}")
    ability = _clamp(PRIMARY_MEAN_ABILITY + class_shift(class_name) + 0.95 * _normal(rng), 3.0, 9.8)
    cells: dict[tuple[int, str, str], PrimaryCell] = {}
    for code, kinds in sorted(subjects):
        base = ability + PRIMARY_SHIFT.get(code, 0.0) + 0.55 * _normal(rng)
        for term in (1, 2):
            level = base + (0.2 * term - 0.2) + 0.3 * _normal(rng)
            for kind in kinds:
                if kind == FINAL_TEST:
                    mark = _to_score(level + 0.5 + 0.8 * _normal(rng), "whole")
                    cells[(term, code, kind)] = (mark.quantize(Decimal(1)), None)
                else:
                    cells[(term, code, kind)] = (None, _primary_rating(level))
    qualities = {}
    for term in (1, 2):
        for item in QualityRating.Item.values:
            level = ability + 0.7 * _normal(rng)
            rating = Quality.GOOD if level >= 7.0 else Quality.PASS if level >= 4.2 else Quality.NEEDS_EFFORT
            qualities[(term, item)] = rating.value
    return cells, qualities, rng.choice(LAST_YEAR_COMMENTS)


def seed_last_year(log: Callable[[str], None] = lambda message: None) -> int:
    """The primary school's closed 2025–2026 grade book (Circular 27): every rating and test of
    both terms, published, the qualities and competencies at each term's end and the class
    teacher's comment, so the year's cards are complete. Returns the cells written (0 when
    already there or the demo is absent)."""
    terms = {
        t.number: t
        for t in Term.objects.filter(
            school_year__school__code=PRIMARY_CODE, school_year__is_current=False
        )
    }
    if not terms or Score.objects.filter(term__in=terms.values()).exists():
        return 0
    classes = list(ClassGroup.objects.filter(school_year=terms[1].school_year).order_by("name"))
    pupils = _pupils([c.pk for c in classes])
    scores, qualities, comments = [], [], []
    for group in classes:
        assignments = list(
            TeachingAssignment.objects.filter(class_group=group).select_related("subject")
        )
        columns = [(a.subject.code, [c.kind for c in columns_for(a.subject, group.grade)])
                   for a in assignments]
        by_code = {a.subject.code: a for a in assignments}
        teacher = group.homeroom_teacher_id
        for student_id, code in pupils[group.pk]:
            cells, rated, comment = plan_primary_year(code, group.name, columns)
            for (number, subject_code, kind), (value, rating) in cells.items():
                day = LAST_YEAR_PUBLISHED_ON[(number, FINAL if kind == FINAL_TEST else kind)]
                a = by_code[subject_code]
                scores.append(Score(
                    student_id=student_id, subject_id=a.subject_id, term_id=terms[number].pk,
                    class_group_id=group.pk, kind=kind, index=1, value=value, rating=rating,
                    published_at=_late_by_up_to_three_days(day, f"{group.name}/{subject_code}"),
                    updated_by_id=a.teacher_id,
                ))
            qualities += [
                QualityRating(student_id=student_id, term_id=terms[number].pk,
                              period=QualityRating.Period.FINAL, item=item, rating=rating,
                              updated_by_id=teacher)
                for (number, item), rating in rated.items()
            ]
            comments.append(TermComment(student_id=student_id, term_id=terms[2].pk, subject_id=None,
                                        text=comment, author_id=teacher))
    Score.objects.bulk_create(scores, batch_size=BATCH)
    QualityRating.objects.bulk_create(qualities, batch_size=BATCH)
    TermComment.objects.bulk_create(comments, batch_size=BATCH)
    log(
        f"Năm học trước (tiểu học, đã khoá sổ): {sum(map(len, pupils.values()))} học sinh, "
        f"{format_count(len(scores))} đánh giá và điểm kiểm tra, "
        f"{format_count(len(qualities))} đánh giá phẩm chất, năng lực"
    )
    return len(scores)
