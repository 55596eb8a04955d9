"""Make-up assessments in the grade book (Circular 22 Art. 6: a pupil who misses an assessment
for a reason beyond their control takes a make-up, kiểm tra, đánh giá bù; one who does not
take it gets 0, or Chưa đạt in a rated subject). Typed in the grid as a trailing B ("7,5B")
and K ("K": missed without a make-up), kept in the cell's history, marked in the grid."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation

from contactbook.gradebook.columns import cell_text, parse_entry, score_text
from contactbook.gradebook.reads import cell_history, grid
from contactbook.gradebook.writes import GridErrors, save_grid
from contactbook.models import Score
from reports.cards.selectors import term_cards
from school.models import Subject
from tests import factories as f
from tests.conftest import as_user

pytestmark = pytest.mark.django_db

TAKEN, MISSED, NONE = Score.Makeup.TAKEN, Score.Makeup.MISSED, Score.Makeup.NONE
SCORED, RATED = Subject.Assessment.SCORED, Subject.Assessment.RATED
D = Decimal


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def term(cast):
    return f.TermFactory(school_year=cast.class_a1.school_year)


@pytest.fixture
def maths(cast):
    return cast.class_a1.assignments.get().subject


@pytest.fixture
def music(cast):
    subject = f.SubjectFactory(
        school=cast.school_a, name="Âm nhạc", assessment=RATED, periods_per_year=35
    )
    f.TeachingAssignmentFactory(teacher=cast.teacher_a1, class_group=cast.class_a1, subject=subject)
    return subject


def save(cast, subject, term, cells):
    return save_grid(
        teacher=cast.teacher_a1, class_group=cast.class_a1, subject=subject, term=term, cells=cells
    )


@pytest.mark.parametrize(
    ("assessment", "typed", "cell", "makeup"),
    [
        (SCORED, "7,5B", (D("7.5"), None, None), TAKEN),  # Art. 6: the make-up's score
        (SCORED, "7,5 b", (D("7.5"), None, None), TAKEN),
        (SCORED, "10B", (D("10.0"), None, None), TAKEN),
        (SCORED, "K", (D("0.0"), None, None), MISSED),  # Art. 6: no make-up taken → 0
        (SCORED, "0K", (D("0.0"), None, None), MISSED),
        (SCORED, "0 k", (D("0.0"), None, None), MISSED),  # as the grid types it back
        (SCORED, "7,5", (D("7.5"), None, None), NONE),
        (RATED, "ĐB", (None, True, None), TAKEN),
        (RATED, "cđ b", (None, False, None), TAKEN),
        (RATED, "K", (None, False, None), MISSED),  # Art. 6: no make-up → Chưa đạt
        (RATED, "CĐ K", (None, False, None), MISSED),
    ],
)
def test_typed_make_up_and_missed_cells(assessment, typed, cell, makeup):
    subject = Subject(assessment=assessment, periods_per_year=70)
    assert parse_entry(typed, subject) == (cell, makeup)


@pytest.mark.parametrize(
    ("assessment", "typed", "message"),
    [
        (SCORED, "7K", "Missed without a make-up scores 0 (Circular 22 Art. 6): type K."),
        (RATED, "ĐK", "Missed without a make-up is Chưa đạt (Circular 22 Art. 6): type K."),
        (SCORED, "B", "Type the make-up's result before B, e.g. 7,5B."),
        (SCORED, "11B", "A score is from 0 to 10."),
        (SCORED, "7,25B", "A score has at most one decimal, e.g. 7,5."),
        (RATED, "7B", "This subject is rated: enter Đ (Đạt) or CĐ (Chưa đạt)."),
        (Subject.Assessment.PRIMARY, "TB", "B and K (make-up, missed) are for grades 6–12"),
    ],
)
def test_bad_marked_cells_say_what_is_wrong(assessment, typed, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_entry(typed, Subject(assessment=assessment, periods_per_year=70))


def test_the_grid_types_a_marked_cell_back_as_it_reads_it():
    assert score_text(D("7.5"), None, None, TAKEN) == "7.5 B"
    assert score_text(D("0.0"), None, None, MISSED) == "0 K"
    assert score_text(None, False, None, MISSED) == "CĐ K"
    assert score_text(None, None, None, TAKEN) == ""  # an empty cell has no mark


def test_a_missed_assessment_counts_as_0_in_the_average_and_both_are_in_the_history(
    cast, maths, term
):
    an = cast.pupil_a1.pk
    cells = {(an, f"regular-{i}"): "8" for i in range(1, 5)}
    cells |= {(an, "regular-2"): "K", (an, "midterm-1"): "6B", (an, "final-1"): "8"}
    save(cast, maths, term, cells)
    rows = {r.student.pk: r for r in grid(cast.class_a1, maths, term)["rows"]}
    # Art. 6: 0 counts like any score: (8 + 0 + 8 + 8 + 2 × 6 + 3 × 8) / 9 = 60 / 9 = 6.67 → 6.7
    assert rows[an].average == D("6.7")
    marks = dict(Score.objects.values_list("kind", "makeup").filter(index=1, kind="midterm"))
    assert marks == {"midterm": TAKEN}
    assert Score.objects.get(kind="regular", index=2).makeup == MISSED

    # The make-up later taken for regular 2: the history shows the missed 0 and the make-up.
    save(cast, maths, term, {(an, "regular-2"): "7B"})
    changes = cell_history(cast.pupil_a1, maths, term, key="regular-2")
    assert [(c.old, c.new) for c in changes] == [("0 K", "7 B"), ("", "0 K")]
    # Only the mark changed (6 taken on time, not a make-up): still a change in the history.
    save(cast, maths, term, {(an, "midterm-1"): "6"})
    changes = cell_history(cast.pupil_a1, maths, term, key="midterm-1")
    assert [(c.old, c.new) for c in changes] == [("6 B", "6"), ("", "6 B")]


def test_one_bad_marked_cell_saves_nothing(cast, maths, term):
    an, chau = cast.pupil_a1.pk, cast.sibling_a1.pk
    with pytest.raises(GridErrors) as caught:
        save(cast, maths, term, {(an, "regular-1"): "7B", (chau, "regular-1"): "7K"})
    assert list(caught.value.errors) == [(chau, "regular-1")]
    assert not Score.objects.exists()


def test_the_database_refuses_a_missed_cell_that_is_not_0_or_cd(cast, maths, term):
    with pytest.raises(IntegrityError), transaction.atomic():
        f.score(cast.pupil_a1, maths, term, kind="regular", index=1, value="7",
                by=cast.teacher_a1, makeup=MISSED)


def test_the_grid_marks_the_cells_and_gives_the_legend(cast, client, maths, term):
    an = cast.pupil_a1
    save(cast, maths, term, {(an.pk, "regular-1"): "7,5B", (an.pk, "regular-2"): "K"})
    as_user(client, cast.teacher_a1)
    url = reverse("contactbook:gradebook_term", args=[cast.class_a1.pk, maths.pk, term.pk])
    page = client.get(url).content.decode()

    assert 'data-column="regular-1" data-makeup="taken"' in page
    assert 'data-column="regular-2" data-makeup="missed"' in page
    assert f'id="c-{an.pk}-regular-1" value="7,5 B"' in page  # typed back, saved again as is
    assert f'id="c-{an.pk}-regular-2" value="0 K"' in page
    assert 'class="mark makeup-taken"' in page and 'class="mark makeup-missed"' in page


def test_a_rated_subject_s_missed_cell_makes_it_cd(cast, music, term):
    an = cast.pupil_a1.pk
    save(cast, music, term, {(an, "regular-1"): "Đ", (an, "regular-2"): "K",
                             (an, "midterm-1"): "ĐB", (an, "final-1"): "Đ"})
    rows = {r.student.pk: r for r in grid(cast.class_a1, music, term)["rows"]}
    assert rows[an].result is False  # Art. 9: a CĐ among the assessments → CĐ


def test_the_card_prints_the_value_as_the_forms_do(cast, maths, term):
    """The forms have one box per assessment and no mark: a make-up's 7,5 prints "7,5", a
    missed assessment its 0."""
    an = cast.pupil_a1
    save(cast, maths, term, {(an.pk, "regular-1"): "7,5B", (an.pk, "regular-2"): "K"})
    Score.objects.update(published_at=timezone.now())

    card = next(c for c in term_cards(cast.class_a1, term) if c.student_id == an.pk)

    line = next(s for s in card.subjects if s.subject == maths.name)
    assert line.regular[:2] == ("7,5", "0")


def test_the_history_page_shows_the_missed_cell_and_its_make_up(cast, client, maths, term):
    an = cast.pupil_a1
    save(cast, maths, term, {(an.pk, "regular-1"): "K"})
    save(cast, maths, term, {(an.pk, "regular-1"): "6,5B"})
    as_user(client, cast.teacher_a1)
    url = reverse(
        "contactbook:gradebook_history", args=[cast.class_a1.pk, maths.pk, term.pk, an.pk]
    )

    page = client.get(url).content.decode()

    assert '<td class="old">0 K</td>' in page and '<td class="new">6,5 B</td>' in page


def test_a_guardian_reads_the_mark_in_words(cast, client, maths, term):
    save(cast, maths, term, {(cast.pupil_a1.pk, "regular-1"): "K"})
    score = Score.objects.get()
    assert cell_text(score) == "0 (missed, no make-up)"
    score.value, score.makeup = D("7.5"), TAKEN
    assert cell_text(score) == "7.5 (make-up)"
