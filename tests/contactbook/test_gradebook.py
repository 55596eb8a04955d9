"""The grade book's services: reading typed cells, saving a whole grid (all or nothing),
publishing a column (one notification per guardian and child), history, closing and
reopening a term, the homeroom sheet, and what a guardian sees."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import translation

from contactbook.gradebook import writes
from contactbook.gradebook.columns import column_by_key, columns_for, filled, parse_cell
from contactbook.gradebook.reads import cell_history, grid, homeroom_history, pupil_grades
from contactbook.gradebook.writes import GridErrors, publish_column, save_grid
from contactbook.models import ConductRating, Notification, Score, TermComment
from school.exceptions import TermClosed
from school.models import Subject, TermEvent
from school.terms import close_term, reopen_term
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """Messages are compared in English: the Vietnamese catalog may not be compiled."""
    with translation.override("en"):
        yield


@pytest.fixture
def term(cast):
    return f.TermFactory(school_year=cast.class_a1.school_year)


@pytest.fixture
def maths(cast):
    """Toán in 10A1 (105 periods: four regular assessments), taught by teacher_a1."""
    return cast.class_a1.assignments.get().subject


@pytest.fixture
def music(cast):
    """A rated subject (Đ/CĐ) in 10A1, also taught by teacher_a1."""
    subject = f.SubjectFactory(
        school=cast.school_a,
        name="Âm nhạc",
        assessment=Subject.Assessment.RATED,
        periods_per_year=35,
    )
    f.TeachingAssignmentFactory(teacher=cast.teacher_a1, class_group=cast.class_a1, subject=subject)
    return subject


def save(cast, subject, term, cells, comments=None):
    return save_grid(
        teacher=cast.teacher_a1,
        class_group=cast.class_a1,
        subject=subject,
        term=term,
        cells=cells,
        comments=comments,
    )


def values(subject, term):
    return {
        (s.student_id, f"{s.kind}-{s.index}"): (s.value, s.passed)
        for s in Score.objects.filter(subject=subject, term=term)
    }


# ---------------------------------------------------------------------------------------
# Columns and typed cells
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("periods, regular", [(35, 2), (52, 3), (70, 3), (105, 4)])
def test_columns_follow_the_periods_a_year(periods, regular):
    subject = Subject(assessment=Subject.Assessment.SCORED, periods_per_year=periods)
    keys = [c.key for c in columns_for(subject)]
    assert keys == [f"regular-{i}" for i in range(1, regular + 1)] + ["midterm-1", "final-1"]


def test_a_rated_subject_has_two_regular_assessments_midterm_and_final():
    subject = Subject(assessment=Subject.Assessment.RATED, periods_per_year=70)
    assert [c.key for c in columns_for(subject)] == [
        "regular-1",
        "regular-2",
        "midterm-1",
        "final-1",
    ]


SCORED = Subject(assessment=Subject.Assessment.SCORED, periods_per_year=105)
RATED = Subject(assessment=Subject.Assessment.RATED, periods_per_year=35)


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("7,5", (Decimal("7.5"), None, None)),
        ("7.5", (Decimal("7.5"), None, None)),
        ("10", (Decimal("10"), None, None)),
        ("10,0", (Decimal("10"), None, None)),
        ("0", (Decimal("0"), None, None)),
        (" 8 ", (Decimal("8"), None, None)),
        ("", (None, None, None)),
        ("   ", (None, None, None)),
    ],
)
def test_good_scores(typed, expected):
    assert parse_cell(typed, SCORED) == expected


@pytest.mark.parametrize(
    "typed, message",
    [
        ("11", "from 0 to 10"),
        ("10,5", "from 0 to 10"),  # the old pattern let "10,5" through to the database
        ("-1", "from 0 to 10"),
        ("7.25", "at most one decimal"),
        ("abc", "Not a score"),
        ("7,", "Not a score"),
        ("Đ", "This subject is scored"),
        ("cđ", "This subject is scored"),
    ],
)
def test_bad_scores_say_what_is_wrong(typed, message):
    with pytest.raises(ValueError, match=message):
        parse_cell(typed, SCORED)


@pytest.mark.parametrize(
    "typed, passed",
    [
        ("Đ", True),
        ("đ", True),
        ("D", True),
        ("Đạt", True),
        ("CĐ", False),
        ("cd", False),
        ("Chưa đạt", False),
    ],
)
def test_rated_cells(typed, passed):
    assert parse_cell(typed, RATED) == (None, passed, None)


@pytest.mark.parametrize("typed", ["7", "7,5", "T", "x"])
def test_a_rated_subject_refuses_scores(typed):
    with pytest.raises(ValueError, match="This subject is rated"):
        parse_cell(typed, RATED)


# ---------------------------------------------------------------------------------------
# Saving a grid
# ---------------------------------------------------------------------------------------


def test_a_clean_grid_is_saved_and_its_averages_computed_by_the_rules(cast, maths, term):
    an, chau = cast.pupil_a1.pk, cast.sibling_a1.pk
    cells = {
        (an, "regular-1"): "7",
        (an, "regular-2"): "8",
        (an, "regular-3"): "9",
        (an, "regular-4"): "6,5",
        (an, "midterm-1"): "9",
        (an, "final-1"): "8",
        (chau, "regular-1"): "7,5",
    }
    assert save(cast, maths, term, cells) == 7
    data = grid(cast.class_a1, maths, term)
    rows = {row.student.pk: row for row in data["rows"]}
    # (7 + 8 + 9 + 6.5 + 2 × 9 + 3 × 8) / 9 = 72.5 / 9 = 8.055… → 8.1
    assert rows[an].average == Decimal("8.1")
    assert rows[chau].average is None  # incomplete: no average, never one from zeros
    assert [r.student.given_name for r in data["rows"]] == ["An", "Châu"]


@pytest.mark.parametrize("bad", ["11", "-1", "7.25", "abc", "Đ"])
def test_one_bad_cell_saves_nothing(cast, maths, term, bad):
    an, chau = cast.pupil_a1.pk, cast.sibling_a1.pk
    save(cast, maths, term, {(an, "regular-1"): "5"})
    with pytest.raises(GridErrors) as caught:
        save(
            cast,
            maths,
            term,
            {(an, "regular-1"): "6", (an, "regular-2"): "7,5", (chau, "final-1"): bad},
            comments={an: "Chăm chỉ"},
        )
    assert list(caught.value.errors) == [(chau, "final-1")]
    assert values(maths, term) == {(an, "regular-1"): (Decimal("5"), None)}
    assert not TermComment.objects.exists()


def test_every_bad_cell_is_named(cast, maths, term):
    an, chau = cast.pupil_a1.pk, cast.sibling_a1.pk
    with pytest.raises(GridErrors) as caught:
        save(
            cast,
            maths,
            term,
            {
                (an, "regular-1"): "11",
                (an, "regular-2"): "7,5",
                (chau, "midterm-1"): "x",
                (an, "regular-9"): "5",
                (cast.pupil_a2.pk, "regular-1"): "5",
            },
            comments={chau: "x" * 2001},
        )
    assert set(caught.value.errors) == {
        (an, "regular-1"),
        (chau, "midterm-1"),
        (an, "regular-9"),
        (cast.pupil_a2.pk, "regular-1"),
        (chau, "comment"),
    }
    assert not Score.objects.exists()


def test_a_rated_subject_takes_d_and_cd_and_refuses_scores(cast, music, term):
    an, chau = cast.pupil_a1.pk, cast.sibling_a1.pk
    with pytest.raises(GridErrors) as caught:
        save(cast, music, term, {(an, "regular-1"): "Đ", (chau, "regular-1"): "7"})
    assert list(caught.value.errors) == [(chau, "regular-1")]
    save(
        cast,
        music,
        term,
        {(an, k): "Đ" for k in ["regular-1", "regular-2", "midterm-1"]}
        | {(an, "final-1"): "cđ", (chau, "regular-1"): "đạt"},
    )
    rows = {row.student.pk: row for row in grid(cast.class_a1, music, term)["rows"]}
    assert rows[an].result is False and rows[an].average is None  # one CĐ: the term is CĐ
    assert rows[chau].result is None


def test_emptying_a_cell_keeps_its_history(cast, maths, term):
    an = cast.pupil_a1.pk
    save(cast, maths, term, {(an, "regular-1"): "7"})
    save(cast, maths, term, {(an, "regular-1"): ""})
    assert values(maths, term) == {(an, "regular-1"): (None, None)}
    changes = cell_history(cast.pupil_a1, maths, term)
    assert [(c.old, c.new) for c in changes] == [("7", ""), ("", "7")]


def test_a_closed_term_refuses_every_write(cast, maths, term):
    close_term(user=cast.principal, term=term)
    an = cast.pupil_a1.pk
    with pytest.raises(TermClosed):
        save(cast, maths, term, {(an, "regular-1"): "7"})
    with pytest.raises(TermClosed):
        publish_column(
            teacher=cast.teacher_a1,
            class_group=cast.class_a1,
            subject=maths,
            term=term,
            column=columns_for(maths)[0],
        )
    with pytest.raises(TermClosed):
        writes.save_homeroom(
            teacher=cast.homeroom_a1,
            class_group=cast.class_a1,
            term=term,
            conduct={an: "Tốt"},
            comments={},
        )
    assert not Score.objects.exists() and not ConductRating.objects.exists()


def test_a_term_closed_after_the_page_was_loaded_is_still_refused(cast, maths):
    """The service re-reads the term in its transaction: a stale, open-looking object does
    not let a write through."""
    term = f.TermFactory(school_year=cast.class_a1.school_year)
    stale = type(term).objects.get(pk=term.pk)
    close_term(user=cast.principal, term=term)
    assert not stale.is_closed
    with pytest.raises(TermClosed):
        save(cast, maths, stale, {(cast.pupil_a1.pk, "regular-1"): "7"})
    assert not Score.objects.exists()


def test_history_keeps_who_when_old_and_new_after_two_edits(cast, maths, term):
    an = cast.pupil_a1.pk
    save(cast, maths, term, {(an, "regular-1"): "7"})
    save(cast, maths, term, {(an, "regular-1"): "8,5"})
    save(cast, maths, term, {(an, "regular-1"): "8,5"})  # unchanged: no history row
    score = Score.objects.get()
    records = list(score.history.order_by("history_date"))
    assert [(r.value, r.history_user) for r in records] == [
        (Decimal("7"), cast.teacher_a1),
        (Decimal("8.5"), cast.teacher_a1),
    ]
    changes = cell_history(cast.pupil_a1, maths, term, key="regular-1")
    assert [(c.who, c.old, c.new) for c in changes] == [
        (cast.teacher_a1, "7", "8.5"),
        (cast.teacher_a1, "", "7"),
    ]
    assert changes[0].at >= changes[1].at


def test_subject_comments_are_saved_changed_and_removed_with_history(cast, maths, term):
    an = cast.pupil_a1.pk
    save(cast, maths, term, {}, comments={an: "Tiến bộ"})
    save(cast, maths, term, {}, comments={an: "Tiến bộ rõ"})
    assert TermComment.objects.get().text == "Tiến bộ rõ"
    save(cast, maths, term, {}, comments={an: ""})
    assert not TermComment.objects.exists()
    changes = cell_history(cast.pupil_a1, maths, term, key="comment")
    assert [(c.old, c.new) for c in changes] == [
        ("Tiến bộ rõ", ""),
        ("Tiến bộ", "Tiến bộ rõ"),
        ("", "Tiến bộ"),
    ]


# ---------------------------------------------------------------------------------------
# Publishing
# ---------------------------------------------------------------------------------------


def publish(cast, subject, term, key="regular-1"):
    return publish_column(
        teacher=cast.teacher_a1,
        class_group=cast.class_a1,
        subject=subject,
        term=term,
        column=column_by_key(subject, key),
    )


def test_publishing_notifies_each_guardian_once_per_child(cast, maths, term):
    # A second parent of An, and a parent with two children in 10A1.
    mother = f.UserFactory(full_name="Lý Thị Mẹ")
    f.link_guardian(mother, cast.pupil_a1)
    twins_parent = f.UserFactory(full_name="Đinh Văn Sinh Đôi")
    twins = [f.StudentFactory(school=cast.school_a, given_name=g) for g in ("Hùng", "Hưng")]
    for twin in twins:
        f.enrol(twin, cast.class_a1)
        f.link_guardian(twins_parent, twin)
    pupils = [cast.pupil_a1, cast.sibling_a1, *twins]
    save(
        cast,
        maths,
        term,
        {(p.pk, "regular-1"): "8" for p in pupils} | {(p.pk, "regular-2"): "7" for p in pupils},
    )

    assert publish(cast, maths, term) == 4
    per_person = {}
    for n in Notification.objects.all():
        per_person[n.recipient_id] = per_person.get(n.recipient_id, 0) + 1
    assert per_person == {
        cast.parent_a1.pk: 1,
        mother.pk: 1,
        cast.parent_of_two.pk: 1,
        twins_parent.pk: 2,
    }
    assert {n.url for n in Notification.objects.filter(recipient=twins_parent)} == {
        f"/phu-huynh/hoc-sinh/{t.pk}/diem/" for t in twins
    }
    assert Score.objects.filter(index=1, published_at__isnull=False).count() == 4
    assert Score.objects.filter(index=2, published_at__isnull=False).count() == 0

    # Publishing again finds nothing new and tells nobody.
    assert publish(cast, maths, term) == 0
    assert Notification.objects.count() == 5


def test_publishing_skips_empty_cells_and_pupils_who_left(cast, maths, term):
    an, chau = cast.pupil_a1, cast.sibling_a1
    save(cast, maths, term, {(an.pk, "regular-1"): "8", (chau.pk, "regular-1"): "6"})
    chau.enrolments.get().end(on=datetime.date(2026, 11, 1), status="left")
    assert publish(cast, maths, term) == 1
    assert (
        Notification.objects.get().recipient == cast.parent_a1
    )  # not the parent of the pupil who left


def test_changing_a_published_score_takes_it_back_until_published_again(cast, maths, term):
    an = cast.pupil_a1.pk
    save(cast, maths, term, {(an, "regular-1"): "8"})
    publish(cast, maths, term)
    save(cast, maths, term, {(an, "regular-1"): "8"})  # unchanged: stays published
    assert Score.objects.get().published_at is not None
    save(cast, maths, term, {(an, "regular-1"): "9"})
    assert Score.objects.get().published_at is None
    column = grid(cast.class_a1, maths, term)["columns"][0]
    assert column.publishable and not column.published
    assert publish(cast, maths, term) == 1
    assert Notification.objects.filter(recipient=cast.parent_a1).count() == 2


# ---------------------------------------------------------------------------------------
# What a guardian sees
# ---------------------------------------------------------------------------------------


def test_a_guardian_sees_published_cells_and_an_average_only_when_all_are_published(
    cast, maths, term
):
    an = cast.pupil_a1.pk
    full = {
        "regular-1": "7",
        "regular-2": "8",
        "regular-3": "9",
        "regular-4": "6,5",
        "midterm-1": "9",
        "final-1": "8",
    }
    save(cast, maths, term, {(an, k): v for k, v in full.items()})
    for key in list(full)[:-1]:
        publish(cast, maths, term, key)
    grades = pupil_grades(cast.pupil_a1, term.pk)
    (toan,) = grades.subjects
    assert [filled(c) for c in toan.cells] == [True] * 5 + [False]
    assert toan.average is None  # the final is not published: no average from it
    publish(cast, maths, term, "final-1")
    (toan,) = pupil_grades(cast.pupil_a1, term.pk).subjects
    assert toan.average == Decimal("8.1")


# ---------------------------------------------------------------------------------------
# The homeroom teacher's sheet
# ---------------------------------------------------------------------------------------


def test_conduct_and_homeroom_comments_are_saved_all_or_nothing_with_history(cast, term):
    an, chau = cast.pupil_a1.pk, cast.sibling_a1.pk

    def save_homeroom(conduct, comments):
        return writes.save_homeroom(
            teacher=cast.homeroom_a1,
            class_group=cast.class_a1,
            term=term,
            conduct=conduct,
            comments=comments,
        )

    with pytest.raises(GridErrors) as caught:
        save_homeroom({an: "Tốt", chau: "Giỏi"}, {an: "Ngoan"})
    assert list(caught.value.errors) == [(chau, "conduct")]
    assert not ConductRating.objects.exists() and not TermComment.objects.exists()

    assert save_homeroom({an: "Tốt", chau: "Khá"}, {an: "Ngoan", chau: ""}) == 3
    assert save_homeroom({an: "Khá", chau: "Khá"}, {an: "Ngoan"}) == 1
    assert dict(ConductRating.objects.values_list("student_id", "rating")) == {
        an: "Khá",
        chau: "Khá",
    }
    changes = homeroom_history(cast.pupil_a1, term)
    assert [(c.key, c.who, c.old, c.new) for c in changes if c.key == "conduct"] == [
        ("conduct", cast.homeroom_a1, "Tốt", "Khá"),
        ("conduct", cast.homeroom_a1, "", "Tốt"),
    ]
    assert TermComment.objects.get(student_id=an).subject is None


def test_homeroom_writes_are_limited_to_pupils_of_the_class(cast, term):
    with pytest.raises(GridErrors) as caught:
        writes.save_homeroom(
            teacher=cast.homeroom_a1,
            class_group=cast.class_a1,
            term=term,
            conduct={cast.pupil_a2.pk: "Tốt"},
            comments={},
        )
    assert list(caught.value.errors) == [(cast.pupil_a2.pk, "conduct")]


# ---------------------------------------------------------------------------------------
# Closing and reopening
# ---------------------------------------------------------------------------------------


def test_closing_and_reopening_are_recorded_and_only_for_the_schools_managers(cast, term):
    for user in (cast.teacher_a1, cast.homeroom_a1, cast.other_school_admin, cast.parent_a1):
        with pytest.raises(PermissionDenied):
            close_term(user=user, term=term)
    assert close_term(user=cast.principal, term=term) is True
    assert close_term(user=cast.principal, term=term) is False  # already closed
    assert term.is_closed and term.closed_by == cast.principal
    with pytest.raises(ValueError):
        reopen_term(user=cast.principal, term=term, reason="  ")
    with pytest.raises(PermissionDenied):
        reopen_term(user=cast.other_school_admin, term=term, reason="sửa điểm")
    assert reopen_term(user=cast.principal, term=term, reason="Sửa điểm nhập sai") is True
    term.refresh_from_db()
    assert not term.is_closed
    assert list(TermEvent.objects.values_list("action", "by", "reason")) == [
        ("closed", cast.principal.pk, ""),
        ("reopened", cast.principal.pk, "Sửa điểm nhập sai"),
    ]
