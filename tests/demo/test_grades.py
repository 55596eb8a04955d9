"""The demo schools' term I grade books (demo/grades.py, written by `manage.py seed_demo`):
complete, published, realistic and the same on every run. The upper-secondary school has the
whole term (Circular 22); the primary school mid-term I so far (Circular 27).

The demo is seeded once for the module inside a transaction rolled back at the end (as
tests/demo/test_seed_demo.py does), so no other module sees it; each test runs in a savepoint
of it, so a test that removes or rebuilds the grades leaves the next test the first run's rows.
"""

import datetime
import hashlib
import io
import json
import os
import subprocess
import sys
import unicodedata
from collections import Counter, defaultdict
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from contactbook.gradebook.columns import columns_for, term_result
from contactbook.models import AttendanceMark, ConductRating, QualityRating, Score, TermComment
from demo import grades as demo
from grading import circular22
from school.models import ClassGroup, Enrolment, Student, TeachingAssignment, Term

pytestmark = pytest.mark.django_db

UPPER, PRIMARY = "thpt-ha-long", "th-tran-hung-dao"
GRADE_MODELS = (Score, ConductRating, TermComment, AttendanceMark)


def _rows(queryset, order, fields) -> list[tuple]:
    return list(queryset.order_by(*order).values_list(*fields))


def fingerprint() -> str:
    """sha256 over the grade book by natural keys (student codes, subject codes, phones), never
    primary keys; updated_at (the time of writing) is left out. Rows are sorted whole, in
    Python: an ORDER BY with ties (a pupil's conduct ratings of several terms) returns them in
    whatever order the plan of the day gives."""
    code = "student__student_code"
    queries = [
        _rows(Score.objects, (code, "term__start_date", "subject__code", "kind", "index"), (
            code, "subject__code", "term__number", "class_group__name", "kind", "index", "value",
            "passed", "rating", "published_at", "updated_by__phone",
        )),
        _rows(ConductRating.objects, (code,), (
            code, "term__number", "rating", "updated_by__phone",
        )),
        _rows(TermComment.objects, (code, "term__start_date", "subject__code"), (
            code, "term__number", "subject__code", "text", "author__phone",
        )),
        _rows(AttendanceMark.objects, (code, "date", "session"), (
            code, "class_group__name", "date", "session", "status", "note", "recorded_by__phone",
        )),
    ]
    digest = hashlib.sha256()
    for query in queries:
        for row in sorted(query, key=repr):
            digest.update(repr(row).encode())
    return digest.hexdigest()


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """The demo seeded once (with its grades); rolled back after the module."""
    with django_db_blocker.unblock(), transaction.atomic():
        out = io.StringIO()
        call_command("seed_demo", stdout=out)
        yield {"output": out.getvalue(), "fingerprint": fingerprint()}
        transaction.set_rollback(True)


def term_one() -> Term:
    return Term.objects.get(school_year__school__code=UPPER, school_year__is_current=True, number=1)


def primary_term_one() -> Term:
    return Term.objects.get(
        school_year__school__code=PRIMARY, school_year__is_current=True, number=1
    )


def upper_classes():
    return ClassGroup.objects.filter(school__code=UPPER, school_year__is_current=True).order_by(
        "name"
    )


def pupils_by_class() -> dict[int, list[int]]:
    pupils = defaultdict(list)
    for class_id, student_id in Enrolment.objects.filter(
        class_group__in=upper_classes(), status=Enrolment.Status.ACTIVE
    ).values_list("class_group_id", "student_id"):
        pupils[class_id].append(student_id)
    return pupils


def test_every_pupil_has_every_cell_of_every_assigned_subject_published(seeded):
    term = term_one()
    assert "Sổ điểm học kỳ I: " in seeded["output"]
    pupils = pupils_by_class()
    expected = {}  # (pupil, subject, kind, index) -> (class, teacher, rated)
    assignments = TeachingAssignment.objects.filter(class_group__in=upper_classes())
    for a in assignments.select_related("subject"):
        for column in columns_for(a.subject):
            for pupil in pupils[a.class_group_id]:
                expected[(pupil, a.subject_id, column.kind, column.index)] = (
                    a.class_group_id, a.teacher_id, a.subject.assessment == "rated",
                )
    assert 65_000 < len(expected) < 80_000 and sum(map(len, pupils.values())) > 1100
    cells = Score.objects.filter(term=term).values_list(
        "student_id", "subject_id", "kind", "index", "class_group_id", "updated_by_id",
        "value", "passed", "published_at",
    )
    seen = set()
    for pupil, subject, kind, index, class_id, teacher, value, passed, published in cells:
        key = (pupil, subject, kind, index)
        assert key not in seen
        seen.add(key)
        assert expected[key][:2] == (class_id, teacher), key
        if expected[key][2]:
            assert value is None and passed is not None, key
        else:
            assert passed is None and Decimal(0) <= value <= Decimal(10), key
            assert value == value.quantize(Decimal("0.1")), key
        assert published is not None and published <= datetime.datetime(
            2026, 11, 25, tzinfo=datetime.UTC
        )
    assert seen == set(expected)
    # Only term I of the upper-secondary school's current year (and the primary school's,
    # tested below); the term stays open.
    assert Score.objects.filter(
        class_group__school__code=UPPER, term__school_year__is_current=True
    ).count() == len(seen)
    assert not term.is_closed
    this_year = Score.objects.filter(term__school_year__is_current=True)
    assert set(this_year.values_list("term", flat=True).distinct()) == {
        term.pk, primary_term_one().pk,
    }
    # Written in bulk: seeded cells have no history row (a teacher's later change has one).
    assert not any(model.history.exists() for model in GRADE_MODELS)


def test_scores_look_like_a_teachers_marks(seeded):
    upper = Score.objects.filter(class_group__school__code=UPPER)
    values = Counter(upper.filter(value__isnull=False).values_list("value", flat=True))
    whole = sum(n for v, n in values.items() if v == v.to_integral_value())
    assert 0.3 < whole / sum(values.values()) < 0.7  # oral checks in whole marks, tests not
    assert {Decimal("7.3"), Decimal("6.8"), Decimal("8.5")} <= set(values)
    assert min(values) < Decimal("3.5") and max(values) == Decimal("10.0")
    passed = Counter(upper.filter(value__isnull=True).values_list("passed", flat=True))
    assert 0 < passed[False] < passed[True] / 100  # a CĐ is rare


def test_every_pupil_has_a_conduct_rating_and_a_comment_from_the_homeroom_teacher(seeded):
    term = term_one()
    homeroom = {}
    for group in upper_classes():
        for pupil in pupils_by_class()[group.pk]:
            homeroom[pupil] = group.homeroom_teacher_id
    ratings = dict(
        ConductRating.objects.filter(term=term).values_list("student_id", "updated_by_id")
    )
    assert ratings == homeroom
    spread = Counter(ConductRating.objects.values_list("rating", flat=True))
    total = sum(spread.values())
    assert spread["Tốt"] + spread["Khá"] > 0.85 * total and spread["Tốt"] > spread["Khá"]
    assert 0 < spread["Đạt"] < 0.1 * total and 0 < spread["Chưa đạt"] < 0.015 * total

    comments = TermComment.objects.filter(term=term, subject__isnull=True)
    assert dict(comments.values_list("student_id", "author_id")) == homeroom
    texts = list(comments.values_list("text", flat=True))
    assert len(set(texts)) > len(texts) / 3  # varied, not one sentence for all
    for text in texts:
        assert text.startswith("Em ") and text.endswith(".") and "{" not in text
        assert text == unicodedata.normalize("NFC", text) and 40 < len(text) < 400


def test_some_pupils_have_subject_comments_from_their_subject_teacher(seeded):
    teacher_of = {
        (a.class_group_id, a.subject_id): a.teacher_id
        for a in TeachingAssignment.objects.filter(class_group__in=upper_classes())
    }
    class_of = dict(
        Enrolment.objects.filter(class_group__in=upper_classes()).values_list(
            "student_id", "class_group_id"
        )
    )
    comments = TermComment.objects.filter(term=term_one(), subject__isnull=False)
    rows = list(comments.values_list("student_id", "subject_id", "author_id", "text"))
    assert 0.05 * len(teacher_of) * 40 < len(rows) < 0.4 * len(teacher_of) * 40
    for pupil, subject, author, text in rows:
        assert teacher_of[(class_of[pupil], subject)] == author
        assert text.endswith(".") and text[0].isupper()


def test_a_few_absences_on_school_days_already_over(seeded):
    term, today = term_one(), timezone.localdate()
    marks = AttendanceMark.objects.filter(class_group__in=upper_classes()).select_related(
        "class_group"
    )
    assert marks.exists()
    pupils = sum(map(len, pupils_by_class().values()))
    absent_pupils = set()
    for mark in marks:
        absent_pupils.add(mark.student_id)
        assert mark.status in ("excused", "unexcused")
        assert mark.recorded_by_id == mark.class_group.homeroom_teacher_id
        assert term.start_date < mark.date < min(today, term.end_date + datetime.timedelta(1))
        # The demo school teaches Monday to Saturday mornings.
        assert mark.date.isoweekday() != 7 and mark.session == "morning"
    assert 0.1 * pupils < len(absent_pupils) < 0.6 * pupils
    statuses = Counter(marks.values_list("status", flat=True))
    assert statuses["excused"] > statuses["unexcused"] > 0
    this_year = AttendanceMark.objects.filter(class_group__school_year__is_current=True)
    assert not this_year.exclude(class_group__in=upper_classes()).exists()


def test_the_term_results_by_circular_22_have_a_realistic_spread(seeded):
    """Computed from the stored cells the way the grade book and the report cards do."""
    term = term_one()
    by_pupil = defaultdict(lambda: defaultdict(dict))
    subjects = {}
    for score in Score.objects.filter(term=term).select_related("subject"):
        subjects[score.subject_id] = score.subject
        by_pupil[score.student_id][score.subject_id][f"{score.kind}-{score.index}"] = score
    learning = Counter()
    for rows in by_pupil.values():
        scored, rated = {}, {}
        for subject_id, cells in rows.items():
            subject = subjects[subject_id]
            columns = columns_for(subject)
            average, result = term_result(subject, columns, [cells.get(c.key) for c in columns])
            if subject.assessment == "rated":
                rated[subject.code] = result
            else:
                scored[subject.code] = average
        learning[circular22.learning_result(scored, rated)] += 1
    total = sum(learning.values())
    assert all(learning[level] > 0 for level in ("Tốt", "Khá", "Đạt", "Chưa đạt")), learning
    assert learning["Khá"] + learning["Đạt"] > 0.6 * total  # most pupils
    assert 0.05 * total < learning["Tốt"] < 0.35 * total  # some
    assert learning["Chưa đạt"] < 0.06 * total  # a few
    assert learning["Khá"] > learning["Tốt"] and learning["Khá"] > learning["Chưa đạt"]


def _plan_fingerprint() -> str:
    """The grade book recomputed from the pure plan, from natural inputs only: each pupil's
    student code, class name, subjects and school days."""
    term, today = term_one(), timezone.localdate()
    rows = []
    for group in upper_classes().select_related("homeroom_teacher"):
        assignments = list(
            group.assignments.select_related("subject", "teacher").order_by("subject__code")
        )
        specs = [demo.SubjectSpec.of(a.subject) for a in assignments]
        slots = set(group.timetable.values_list("weekday", "session"))
        days = demo.school_days(term, slots)
        codes = Student.objects.filter(
            enrolments__class_group=group, enrolments__status="active"
        ).values_list("student_code", flat=True)
        for code in codes:
            plan = demo.plan_pupil(code, group.name, specs, days)
            for a, spec in zip(assignments, specs):
                for kind, index in spec.columns:
                    value, passed = plan.cells[(spec.code, kind, index)]
                    rows.append((code, spec.code, kind, index, value, passed, a.teacher.phone))
            rows.append((code, plan.conduct, group.homeroom_teacher.phone, plan.comment))
            rows += [(code, c, t) for c, t in sorted(plan.subject_comments.items())]
            rows += [(code, *a) for a in plan.absences if a[0] < today]
    digest = hashlib.sha256()
    for row in sorted(rows, key=repr):
        digest.update(repr(row).encode())
    return digest.hexdigest()


def _stored_fingerprint() -> str:
    """The same rows as _plan_fingerprint, read back from the database (this year's term I;
    the past years are tests/demo/test_last_year.py's)."""
    code, term = "student__student_code", term_one()
    rows = list(Score.objects.filter(term=term).values_list(
        code, "subject__code", "kind", "index", "value", "passed", "updated_by__phone"
    ))
    comments = dict(
        TermComment.objects.filter(term=term, subject__isnull=True).values_list(code, "text")
    )
    ratings = ConductRating.objects.filter(term=term).values_list(
        code, "rating", "updated_by__phone"
    )
    rows += [(c, rating, phone, comments[c]) for c, rating, phone in ratings]
    rows += list(TermComment.objects.filter(term=term, subject__isnull=False).values_list(
        code, "subject__code", "text"
    ))
    rows += list(AttendanceMark.objects.filter(class_group__in=upper_classes()).values_list(
        code, "date", "session", "status", "note"
    ))
    digest = hashlib.sha256()
    for row in sorted(rows, key=repr):
        digest.update(repr(row).encode())
    return digest.hexdigest()


def test_the_stored_grade_book_is_the_plan_recomputed_from_the_seed(seeded):
    assert _stored_fingerprint() == _plan_fingerprint()


# A pupil who is not in the demo, with a class's twelve subjects: exact values pinned, so a
# change of the generator (or anything that makes it depend on the run) shows up here.
SPECS = [
    demo.SubjectSpec("ngu-van", "Ngữ văn", False, 4),
    demo.SubjectSpec("toan", "Toán", False, 4),
    demo.SubjectSpec("tieng-anh", "Tiếng Anh", False, 4),
    demo.SubjectSpec("lich-su", "Lịch sử", False, 3),
    demo.SubjectSpec("gdtc", "Giáo dục thể chất", True, 2),
    demo.SubjectSpec("gdqp-an", "Giáo dục quốc phòng và an ninh", False, 2),
    demo.SubjectSpec("hdtn-hn", "Hoạt động trải nghiệm, hướng nghiệp", True, 2),
    demo.SubjectSpec("gddp", "Nội dung giáo dục địa phương", True, 2),
    demo.SubjectSpec("vat-li", "Vật lí", False, 3),
    demo.SubjectSpec("hoa-hoc", "Hoá học", False, 3),
    demo.SubjectSpec("sinh-hoc", "Sinh học", False, 3),
    demo.SubjectSpec("tin-hoc", "Tin học", False, 3),
]
PRIMARY_SPECS = [
    demo.PrimarySubjectSpec("tieng-viet", True),
    demo.PrimarySubjectSpec("toan", True),
    demo.PrimarySubjectSpec("khoa-hoc", False),
    demo.PrimarySubjectSpec("gdtc", False),
]
DAYS = [
    (datetime.date(2026, 9, 7) + datetime.timedelta(days=i), "morning")
    for i in range(120)
    if (datetime.date(2026, 9, 7) + datetime.timedelta(days=i)).isoweekday() != 7
]


def _sample_plan() -> dict:
    plan = demo.plan_pupil("2299999999", "10A3", SPECS, DAYS)
    return {
        "cells": {"|".join(map(str, key)): [str(v), p] for key, (v, p) in plan.cells.items()},
        "averages": {k: str(v) for k, v in plan.averages.items()},
        "learning": plan.learning, "conduct": plan.conduct, "comment": plan.comment,
        "subject_comments": plan.subject_comments,
        "absences": [[str(d), s, st, n] for d, s, st, n in plan.absences],
        "primary": {
            "|".join(map(str, key)): [str(v), r]
            for key, (v, r) in demo.plan_primary_pupil("3099999999", "4A", PRIMARY_SPECS).items()
        },
    }


def test_a_pupils_plan_is_the_same_in_another_process():
    """Another interpreter with another hash seed (set and dict order) plans the same pupil
    identically."""
    script = (
        "import django, json; django.setup(); "
        "from tests.demo.test_grades import _sample_plan; "
        "print(json.dumps(_sample_plan(), ensure_ascii=False))"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    env.setdefault("DJANGO_SETTINGS_MODULE", "truongso.settings.test")
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, check=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert json.loads(result.stdout) == _sample_plan()


def test_a_pupils_plan_keeps_its_exact_values():
    plan = demo.plan_pupil("2299999999", "10A3", SPECS, DAYS)
    toan = [plan.cells[("toan", kind, index)][0] for kind, index in SPECS[1].columns]
    assert (toan, plan.averages["toan"]) == PINNED_TOAN
    assert (plan.learning, plan.conduct) == PINNED_RESULTS
    assert plan.comment == PINNED_COMMENT


D = Decimal
# TX 9,5 9 9 8,5; GK 8; CK 8,3: (36 + 16 + 24,9) / 9 = 8,54… → 8,5.
PINNED_TOAN = ([D("9.5"), D("9.0"), D("9.0"), D("8.5"), D("8.0"), D("8.3")], D("8.5"))
PINNED_RESULTS = ("Tốt", "Tốt")
PINNED_COMMENT = (
    "Em gương mẫu, nhiệt tình tham gia các hoạt động của lớp và của trường. Kết quả học tập "
    "tốt, nổi bật ở môn Tiếng Anh. Cần tiếp tục giữ vững thành tích và giúp đỡ các bạn trong "
    "lớp."
)


def test_seeding_again_writes_nothing(seeded):
    assert demo.seed_grades() == 0
    assert fingerprint() == seeded["fingerprint"]


# ------------------------------------------------------------ the primary school (Circular 27)

MIDTERM_KINDS = ("midterm", "midtest")


def primary_classes():
    return ClassGroup.objects.filter(
        school__code=PRIMARY, school_year__is_current=True
    ).order_by("name")


def primary_midterm_columns() -> dict[tuple, tuple]:
    """(pupil, subject, kind, index) -> (class, teacher): the mid-term I columns that
    columns_for gives each primary class's assigned subjects, for each of its pupils."""
    pupils = defaultdict(list)
    for class_id, student_id in Enrolment.objects.filter(
        class_group__in=primary_classes(), status=Enrolment.Status.ACTIVE
    ).values_list("class_group_id", "student_id"):
        pupils[class_id].append(student_id)
    expected = {}
    assignments = TeachingAssignment.objects.filter(
        class_group__in=primary_classes(), subject__assessment="primary"
    ).select_related("subject", "class_group")
    for a in assignments:
        for column in columns_for(a.subject, a.class_group.grade):
            if column.kind in MIDTERM_KINDS:
                for pupil in pupils[a.class_group_id]:
                    expected[(pupil, a.subject_id, column.kind, column.index)] = (
                        a.class_group_id, a.teacher_id,
                    )
    return expected


def test_every_primary_pupil_has_a_published_midterm_rating_in_every_assigned_subject(seeded):
    term = primary_term_one()
    assert "Sổ theo dõi tiểu học, giữa học kỳ I: " in seeded["output"]
    expected = primary_midterm_columns()
    rated = {(pupil, subject) for pupil, subject, kind, _ in expected if kind == "midterm"}
    assert len({(class_id, s) for (_, s, _, _), (class_id, _) in expected.items()}) == (
        TeachingAssignment.objects.filter(class_group__in=primary_classes()).count()
    ) > 40
    assert 1000 < len(rated) < 2000
    cells = Score.objects.filter(term=term).values_list(
        "student_id", "subject_id", "kind", "index", "class_group_id", "updated_by_id",
        "value", "passed", "rating", "published_at",
    )
    seen = set()
    for pupil, subject, kind, index, class_id, teacher, value, passed, rating, published in cells:
        key = (pupil, subject, kind, index)
        assert key not in seen
        seen.add(key)
        assert expected[key] == (class_id, teacher), key
        assert passed is None, key
        if kind == "midterm":
            assert rating in ("T", "H", "C") and value is None, key
        else:  # the written test: a whole mark 0–10 (Circular 27: no decimals)
            assert rating is None and Decimal(0) <= value <= Decimal(10), key
            assert value == value.to_integral_value(), key
        # Published in early November, after the mid-term week and before the demo's today.
        assert datetime.datetime(2026, 11, 2, tzinfo=datetime.UTC) <= published
        assert published < datetime.datetime(2026, 11, 15, tzinfo=datetime.UTC)
    assert seen == set(expected)
    # The mid-term tests are exactly Tiếng Việt and Toán in grades 4–5.
    tested = Score.objects.filter(term=term, kind="midtest").values_list(
        "class_group__grade", "subject__name"
    )
    assert set(tested) == {(g, s) for g in (4, 5) for s in ("Tiếng Việt", "Toán")}
    # Term I is under way: no end-of-term rating or test yet, nothing in term II.
    assert not Score.objects.filter(term=term, kind__in=("final", "finaltest")).exists()
    assert not Score.objects.filter(
        class_group__school__code=PRIMARY, class_group__school_year__is_current=True
    ).exclude(term=term).exists()
    assert not term.is_closed


def test_primary_ratings_are_mostly_t_and_h_and_follow_each_pupils_level(seeded):
    cells = Score.objects.filter(term=primary_term_one())
    rating_of = {
        (pupil, code): rating
        for pupil, code, rating in cells.filter(kind="midterm").values_list(
            "student_id", "subject__code", "rating"
        )
    }
    spread = Counter(rating_of.values())
    total = sum(spread.values())
    assert spread["T"] > 0.3 * total and spread["H"] > 0.3 * total  # most pupils
    assert 0 < spread["C"] < 0.05 * total  # a few
    marks = {
        (pupil, code): value
        for pupil, code, value in cells.filter(kind="midtest").values_list(
            "student_id", "subject__code", "value"
        )
    }
    assert sum(6 <= v <= 10 for v in marks.values()) > 0.8 * len(marks)
    assert len(set(marks.values())) >= 5  # a spread of marks, not one for all

    def mean(xs) -> float:
        xs = list(xs)
        return sum(xs) / len(xs)

    # A pupil rated T scores higher on the same subject's test than one rated H …
    assert mean(v for k, v in marks.items() if rating_of[k] == "T") > 1 + mean(
        v for k, v in marks.items() if rating_of[k] == "H"
    )
    # … and a pupil rated T in Toán has more T in the other subjects (one ability per pupil).
    share_t = {}
    for pupil in {p for p, _ in rating_of}:
        others = [r for (p, code), r in rating_of.items() if p == pupil and code != "toan"]
        share_t[pupil] = sum(r == "T" for r in others) / len(others)
    assert mean(share_t[p] for (p, c), r in rating_of.items() if c == "toan" and r == "T") > (
        0.2 + mean(share_t[p] for (p, c), r in rating_of.items() if c == "toan" and r == "H")
    )


def test_the_stored_primary_cells_are_the_plan_recomputed_from_the_seed(seeded):
    stored = set(Score.objects.filter(
        class_group__school__code=PRIMARY, class_group__school_year__is_current=True
    ).values_list(
        "student__student_code", "subject__code", "kind", "index", "value", "rating",
        "published_at", "updated_by__phone",
    ))
    planned = set()
    for group in primary_classes():
        assignments = list(group.assignments.select_related("subject", "teacher"))
        specs = [demo.PrimarySubjectSpec.of(a.subject, group.grade) for a in assignments]
        phone = {a.subject.code: a.teacher.phone for a in assignments}
        codes = Student.objects.filter(
            enrolments__class_group=group, enrolments__status="active"
        ).values_list("student_code", flat=True)
        for code in codes:
            plan = demo.plan_primary_pupil(code, group.name, specs)
            for (subject, kind, index), (value, rating) in plan.items():
                published = demo.primary_published_at(group.name, subject, kind, index)
                planned.add((code, subject, kind, index, value, rating, published, phone[subject]))
    assert stored == planned


def test_a_removed_primary_grade_book_is_seeded_again_once_and_alone(seeded):
    primary = Score.objects.filter(class_group__school__code=PRIMARY)
    this_year = primary.filter(class_group__school_year__is_current=True).count()
    last_year = primary.count() - this_year
    qualities = QualityRating.objects.filter(student__school__code=PRIMARY).count()
    # This year's cells and last year's (with its qualities and year comments) all go.
    assert demo.remove_grades([PRIMARY]) > this_year + last_year + qualities
    assert not primary.exists() and this_year > 0 and last_year > 0 and qualities > 0
    assert demo.seed_grades() == this_year  # the upper-secondary grade book is there: left alone
    assert demo.seed_grades() == 0
    assert demo.seed_last_year() == last_year
    assert demo.seed_last_year() == 0
    assert fingerprint() == seeded["fingerprint"]


def test_last_years_primary_grade_book_is_closed_complete_and_published(seeded):
    """2025–2026 at the primary school: every column columns_for gives last year's 2A in both
    terms, published before its term closed, and the fifteen qualities at each term's end."""
    terms = list(Term.objects.filter(
        school_year__school__code=PRIMARY, school_year__is_current=False
    ).order_by("number"))
    assert [t.is_closed for t in terms] == [True, True]
    (group,) = ClassGroup.objects.filter(school_year=terms[0].school_year)
    pupils = list(Enrolment.objects.filter(class_group=group).values_list("student_id", flat=True))
    assert len(pupils) > 20
    for term in terms:
        for a in group.assignments.select_related("subject"):
            kinds = {c.kind for c in columns_for(a.subject, group.grade)}
            cells = Score.objects.filter(term=term, subject=a.subject, student__in=pupils)
            assert cells.count() == len(kinds) * len(pupils), a.subject.code
            assert set(cells.values_list("kind", flat=True)) == kinds
            assert not cells.filter(published_at__gt=term.closed_at).exists()
        ratings = QualityRating.objects.filter(term=term, period="final", student__in=pupils)
        assert ratings.count() == 15 * len(pupils)
