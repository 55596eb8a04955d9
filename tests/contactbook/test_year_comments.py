"""The subject teacher's year comment (nhận xét cả năm), written in term II's grade book and
printed on the year card in the học bạ's "nhận xét" column, where term II's own comment used
to stand in for it: through the grade book's URL, and on the card read back from the PDF.

No assertion on the page reads a translated label: element names and data only."""

import datetime
import io

import pytest
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader

from contactbook.gradebook.writes import GridErrors, save_grid
from contactbook.models import TermComment
from reports import pdf
from school.models import Subject
from reports.cards.selectors import term_cards, year_cards
from tests import factories as f
from tests.conftest import as_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def terms(cast):
    year = cast.class_a1.school_year
    return (
        f.TermFactory(school_year=year, number=1),
        f.TermFactory(
            school_year=year, number=2,
            start_date=datetime.date(2027, 1, 18), end_date=datetime.date(2027, 5, 25),
        ),
    )


@pytest.fixture
def maths(cast):
    return cast.class_a1.assignments.get().subject


def book_url(cast, subject, term):
    return reverse("contactbook:gradebook_term", args=[cast.class_a1.pk, subject.pk, term.pk])


def test_the_year_comment_is_written_in_term_twos_grade_book(cast, client, maths, terms):
    term1, term2 = terms
    an = cast.pupil_a1.pk
    as_user(client, cast.teacher_a1)

    assert f'name="y-{an}"' not in client.get(book_url(cast, maths, term1)).content.decode()
    page = client.get(book_url(cast, maths, term2)).content.decode()
    assert f'name="y-{an}"' in page and f'name="n-{an}"' in page

    response = client.post(book_url(cast, maths, term2), {
        f"n-{an}": "Học kỳ II tiến bộ.", f"y-{an}": "Cả năm chăm chỉ, tiến bộ rõ.",
    })

    assert response.status_code == 302
    assert set(TermComment.objects.values_list("whole_year", "text")) == {
        (False, "Học kỳ II tiến bộ."), (True, "Cả năm chăm chỉ, tiến bộ rõ."),
    }
    page = client.get(book_url(cast, maths, term2)).content.decode()
    assert f'name="y-{an}" id="y-{an}" value="Cả năm chăm chỉ, tiến bộ rõ."' in page
    # Emptied, it is removed; history keeps both changes.
    client.post(book_url(cast, maths, term2), {f"y-{an}": ""})
    assert not TermComment.objects.filter(whole_year=True).exists()
    assert TermComment.history.filter(whole_year=True).count() == 2


def test_a_bad_year_comment_saves_nothing(cast, client, maths, terms):
    _term1, term2 = terms
    an = cast.pupil_a1.pk
    as_user(client, cast.teacher_a1)

    response = client.post(book_url(cast, maths, term2), {
        f"c-{an}-regular-1": "8", f"y-{an}": "x" * 2001,
    })

    assert response.status_code == 422
    assert f'aria-describedby="e-y-{an}"' in response.content.decode()
    assert not TermComment.objects.exists() and not cast.pupil_a1.scores.exists()


def test_term_one_takes_no_year_comment(cast, maths, terms):
    term1, _term2 = terms
    with pytest.raises(GridErrors) as refused:
        save_grid(
            teacher=cast.teacher_a1, class_group=cast.class_a1, subject=maths, term=term1,
            cells={}, year_comments={cast.pupil_a1.pk: "Cả năm tốt."},
        )
    assert (cast.pupil_a1.pk, "year-comment") in refused.value.errors
    assert not TermComment.objects.exists()


def test_a_primary_book_refuses_a_year_comment(cast, terms):
    _term1, term2 = terms
    # Circular 27 has no subject teacher's year comment: even term II's book refuses one.
    reading = f.SubjectFactory(school=cast.class_a1.school, assessment=Subject.Assessment.PRIMARY)
    with pytest.raises(GridErrors) as refused, translation.override("en"):
        save_grid(
            teacher=cast.teacher_a1, class_group=cast.class_a1, subject=reading, term=term2,
            cells={}, year_comments={cast.pupil_a1.pk: "Cả năm tốt."},
        )
    assert refused.value.errors == {
        (cast.pupil_a1.pk, "year-comment"):
            "The year comment is written in term II's grade book, in grades 6–12.",
    }
    assert not TermComment.objects.exists()


def test_the_year_card_prints_the_year_comment_and_the_term_card_term_twos(cast, maths, terms):
    _term1, term2 = terms
    for whole_year, text in ((False, "Học kỳ II tiến bộ."), (True, "Cả năm chăm chỉ.")):
        TermComment.objects.create(
            student=cast.pupil_a1, term=term2, subject=maths, text=text, whole_year=whole_year,
            author=cast.teacher_a1,
        )

    year = next(c for c in year_cards(cast.class_a1, cast.class_a1.school_year)
                if c.student_id == cast.pupil_a1.pk)
    term = next(c for c in term_cards(cast.class_a1, term2) if c.student_id == cast.pupil_a1.pk)

    assert next(s for s in year.subjects if s.subject == "Toán").comment == "Cả năm chăm chỉ."
    assert next(s for s in term.subjects if s.subject == "Toán").comment == "Học kỳ II tiến bộ."
    [rendered] = pdf.render_cards([(year, "NAM2345ABC")])
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(rendered.pdf)).pages)
    assert "Cả năm chăm chỉ." in text and "Học kỳ II tiến bộ." not in text


def test_a_year_card_without_a_year_comment_prints_none(cast, maths, terms):
    _term1, term2 = terms
    TermComment.objects.create(
        student=cast.pupil_a1, term=term2, subject=maths, text="Học kỳ II tiến bộ.",
        author=cast.teacher_a1,
    )

    year = next(c for c in year_cards(cast.class_a1, cast.class_a1.school_year)
                if c.student_id == cast.pupil_a1.pk)

    assert next(s for s in year.subjects if s.subject == "Toán").comment == ""
