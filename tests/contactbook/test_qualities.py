"""The primary class teacher's sheet (Circular 27): qualities and competencies rated T/Đ/C at
the mid-term and the end of each term, typed however teachers write them, saved all or nothing
with history, refused in a closed term; who may open and save it (the whole cast); pinned
queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from contactbook import qualities
from contactbook.gradebook.writes import GridErrors
from contactbook.models import QualityRating, TermComment
from school.exceptions import TermClosed
from school.terms import close_term
from tests import factories as f
from tests.conftest import as_user, assert_cast
from tests.contactbook.primary_support import primary_class_teacher, primary_term  # noqa: F401

pytestmark = pytest.mark.django_db

MID, END = QualityRating.Period.MIDTERM, QualityRating.Period.FINAL


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def save(cast, teacher, term, ratings, period=MID, comments=None):
    return qualities.save(
        teacher=teacher, class_group=cast.class_b, term=term, period=period,
        ratings=ratings, comments=comments,
    )


def sheet_url(cast, term, period="giua-ky"):
    return reverse("contactbook:qualities_term", args=[cast.class_b.pk, term.pk]) + f"?giai-doan={period}"


def test_fifteen_items_in_the_records_order():
    assert len(qualities.ITEMS) == 15
    assert [len(items) for _label, items in qualities.GROUPS] == [5, 3, 7]
    assert qualities.ITEMS[0] == "yeu-nuoc" and qualities.ITEMS[-1] == "the-chat"


@pytest.mark.parametrize(
    "typed, rating",
    [("T", "T"), ("tốt", "T"), ("Tot", "T"), ("Đ", "Đ"), ("d", "Đ"), ("Đạt", "Đ"), ("dat", "Đ"),
     ("C", "C"), ("CCG", "C"), ("Cần cố gắng", "C"), ("can co gang", "C"), ("  ", "")],
)
def test_a_rating_is_read_however_a_teacher_writes_it(typed, rating):
    assert qualities.parse_rating(typed) == rating


@pytest.mark.parametrize("typed", ["H", "Khá", "8", "Hoàn thành", "TT"])
def test_anything_else_is_refused_with_a_message(typed):
    with pytest.raises(ValueError) as error:
        qualities.parse_rating(typed)
    assert str(error.value) == "Enter T (Tốt), Đ (Đạt) or C (Cần cố gắng)."


def test_one_bad_cell_saves_nothing(cast, class_teacher, term):
    pupil = cast.sibling_b
    with pytest.raises(GridErrors) as error:
        save(cast, class_teacher, term, {(pupil.pk, "nhan-ai"): "T", (pupil.pk, "trung-thuc"): "Khá",
                                         (pupil.pk, "lanh-dao"): "T"})
    assert set(error.value.errors) == {(pupil.pk, "trung-thuc"), (pupil.pk, "lanh-dao")}
    assert not QualityRating.objects.exists()


def test_saving_each_period_apart_with_history(cast, class_teacher, term):
    pupil = cast.sibling_b
    assert save(cast, class_teacher, term, {(pupil.pk, "nhan-ai"): "t", (pupil.pk, "the-chat"): "Đ"},
                comments={pupil.pk: "Em chăm ngoan, đọc to rõ ràng."}) == 3
    assert save(cast, class_teacher, term, {(pupil.pk, "nhan-ai"): "C"}, period=END) == 1
    stored = {(r.period, r.item): r.rating for r in QualityRating.objects.all()}
    assert stored == {(MID, "nhan-ai"): "T", (MID, "the-chat"): "Đ", (END, "nhan-ai"): "C"}
    assert save(cast, class_teacher, term, {(pupil.pk, "nhan-ai"): "T"}) == 0  # unchanged
    assert save(cast, class_teacher, term, {(pupil.pk, "the-chat"): ""}) == 1  # removed
    assert not QualityRating.objects.filter(period=MID, item="the-chat").exists()
    changes = qualities.history(pupil, term)
    assert changes[0].key == "midterm-the-chat" and changes[0].new == ""  # newest first
    assert sorted((c.key, c.old, c.new) for c in changes) == [
        ("final-nhan-ai", "", "C"), ("midterm-nhan-ai", "", "T"),
        ("midterm-the-chat", "", "Đ"), ("midterm-the-chat", "Đ", ""),
    ]
    assert all(c.who == class_teacher for c in changes)
    assert TermComment.objects.get(student=pupil, subject__isnull=True).text == "Em chăm ngoan, đọc to rõ ràng."


def test_a_closed_term_takes_no_rating(cast, class_teacher, term):
    close_term(user=cast.other_school_admin, term=term)
    term.refresh_from_db()
    with pytest.raises(TermClosed):
        save(cast, class_teacher, term, {(cast.sibling_b.pk, "nhan-ai"): "T"})
    assert not QualityRating.objects.exists()


# ---------------------------------------------------------------------------------------
# The page
# ---------------------------------------------------------------------------------------


def test_who_may_open_and_save_the_sheet(cast, client, class_teacher, term):
    def opens(user):
        response = as_user(client, user).get(sheet_url(cast, term))
        assert response.status_code in (200, 302, 404), (user, response.status_code)
        return response.status_code == 200

    def saves(user):
        QualityRating.objects.all().delete()
        as_user(client, user).post(sheet_url(cast, term), {f"q-{cast.sibling_b.pk}-nhan-ai": "T"})
        return QualityRating.objects.exists()

    assert_cast(cast, opens, {"operator", "other_school_admin", "class_teacher"})
    assert_cast(cast, saves, {"class_teacher"})
    assert QualityRating.objects.get().period == MID


def test_the_period_in_the_url_is_the_one_saved(cast, client, class_teacher, term):
    response = as_user(client, class_teacher).post(
        sheet_url(cast, term, "cuoi-ky"), {f"q-{cast.sibling_b.pk}-trung-thuc": "Đ"}
    )
    assert response.status_code == 302 and response["Location"].endswith("?giai-doan=cuoi-ky")
    assert QualityRating.objects.get().period == END
    page = client.get(sheet_url(cast, term, "cuoi-ky")).content.decode()
    assert f'name="q-{cast.sibling_b.pk}-trung-thuc" id="q-{cast.sibling_b.pk}-trung-thuc" value="Đ"' in page
    page = client.get(sheet_url(cast, term, "giua-ky")).content.decode()
    assert f'name="q-{cast.sibling_b.pk}-trung-thuc" id="q-{cast.sibling_b.pk}-trung-thuc" value=""' in page


def test_a_bad_cell_is_named_and_nothing_is_saved(cast, client, class_teacher, term):
    pupil = cast.sibling_b
    response = as_user(client, class_teacher).post(
        sheet_url(cast, term), {f"q-{pupil.pk}-nhan-ai": "T", f"q-{pupil.pk}-cham-chi": "Khá"}
    )
    page = response.content.decode()
    assert response.status_code == 422 and 'id="e-q-%d-cham-chi"' % pupil.pk in page
    assert 'value="Khá"' in page  # what was typed stays in the cell
    assert not QualityRating.objects.exists()


def test_the_conduct_page_of_a_primary_class_sends_to_the_sheet(cast, client, class_teacher, term):
    url = reverse("contactbook:homeroom_term", args=[cast.class_b.pk, term.pk])
    response = as_user(client, class_teacher).get(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("contactbook:qualities_term", args=[cast.class_b.pk, term.pk])
    # and a secondary class has no sheet
    upper_term = f.TermFactory(school_year=cast.class_a1.school_year)
    url = reverse("contactbook:qualities_term", args=[cast.class_a1.pk, upper_term.pk])
    assert as_user(client, cast.homeroom_a1).get(url).status_code == 404


def test_the_history_page_lists_ratings_and_comment(cast, client, class_teacher, term):
    pupil = cast.sibling_b
    save(cast, class_teacher, term, {(pupil.pk, "nhan-ai"): "T"}, comments={pupil.pk: "Ngoan"})
    url = reverse("contactbook:qualities_history", args=[cast.class_b.pk, term.pk, pupil.pk])
    page = as_user(client, class_teacher).get(url).content.decode()
    assert "Nhân ái" in page and "Ngoan" in page
    assert as_user(client, cast.parent_a1).get(url).status_code == 404


def test_the_sheet_runs_a_fixed_number_of_queries(cast, client, class_teacher, term):
    as_user(client, class_teacher)

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(sheet_url(cast, term)).status_code == 200
        return len(ctx.captured_queries)

    small = queries()
    pupils = [f.StudentFactory(school=cast.school_b) for _ in range(20)]
    for pupil in pupils:
        f.enrol(pupil, cast.class_b)
    save(cast, class_teacher, term, {(p.pk, item): "T" for p in pupils for item in qualities.ITEMS},
         comments={p.pk: "Ngoan" for p in pupils})
    assert queries() == small
