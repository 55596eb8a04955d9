"""The summer of grades 6–12 (Circular 22, Articles 12–14), end to end: the services refuse bad
input with nothing written, the year card carries the post-summer columns, the page is the
homeroom teacher's and the managers'.

10A1's pupils (the year's results, published in both terms):
- An: Toán and Vật lí 4,0, the rest 8,0, conduct Tốt → Chưa đạt → kiểm tra lại Toán, Vật lí;
- Châu: every subject 8,0, conduct Tốt then Chưa đạt (year Chưa đạt) → rèn luyện hè;
- Lan: An's results and Châu's conduct → rèn luyện hè first, re-tests only after it.
"""

import io

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from contactbook.models import RetestResult, SummerConduct, SummerEvent
from reports import exports, statistics, summer
from reports.cards.selectors import year_cards
from school.terms import close_term
from tests import factories as f
from tests.reports import test_cards
from tests.reports.test_cards import card_of, grade_all, line, rate

# test_cards' fixtures: 10A1's subjects (six scored, Giáo dục thể chất rated) and two terms.
subjects, term1, term2 = test_cards.subjects, test_cards.term1, test_cards.term2

pytestmark = pytest.mark.django_db

WEAK = {"Toán": [4] * 6, "Vật lí": [4] * 5}


@pytest.fixture
def year(cast, subjects, term1, term2):
    lan = f.StudentFactory(school=cast.school_a, given_name="Lan")
    f.enrol(lan, cast.class_a1)
    pupils = {"an": cast.pupil_a1, "chau": cast.sibling_a1, "lan": lan}
    for term in (term1, term2):
        grade_all(cast, pupils["an"], subjects, term, **WEAK)
        grade_all(cast, pupils["chau"], subjects, term)
        grade_all(cast, pupils["lan"], subjects, term, **WEAK)
        rate(cast, pupils["an"], term, "Tốt")
        for name in ("chau", "lan"):
            rate(cast, pupils[name], term, "Tốt" if term.number == 1 else "Chưa đạt")
    return pupils


@pytest.fixture
def closed(cast, year, term1, term2):
    for term in (term1, term2):
        close_term(user=cast.principal, term=term)
    return year


def card(cast, pupil):
    return card_of(year_cards(cast.class_a1, cast.class_a1.school_year), pupil)


def nothing_written():
    return not RetestResult.objects.exists() and not SummerConduct.objects.exists()


def test_summer_results_before_the_year_closes_are_refused(cast, year, subjects, term1):
    close_term(user=cast.principal, term=term1)  # term II still open
    with pytest.raises(summer.SummerRefused) as refused:
        summer.save_summer(
            user=cast.homeroom_a1, class_group=cast.class_a1,
            retests={(year["an"].pk, cast.math.pk): "6"},
        )
    assert "học kỳ II chưa khoá sổ" in refused.value.message
    assert nothing_written()


def test_the_year_card_before_the_summer(cast, year):
    an, chau = card(cast, year["an"]), card(cast, year["chau"])
    assert an.promotion == "Kiểm tra lại: Toán, Vật lí"
    assert an.summer_stage == "awaiting_retests"
    assert chau.promotion == "Rèn luyện trong kì nghỉ hè" and chau.summer_stage == "awaiting_conduct"
    assert (an.summer_learning, an.summer_conduct, an.summer_promotion) == ("", "", "")


def test_retests_that_pass_move_the_pupil_up_and_print_the_columns(cast, closed, subjects):
    an = closed["an"]
    saved = summer.save_summer(
        user=cast.homeroom_a1, class_group=cast.class_a1,
        retests={(an.pk, cast.math.pk): "5", (an.pk, subjects["Vật lí"].pk): "6,5"},
    )
    assert saved == 2
    result = card(cast, an)
    assert line(result, "Toán").retest == "5,0" and line(result, "Vật lí").retest == "6,5"
    assert line(result, "Hoá học").retest == ""
    # Art. 13.2 + Art. 9: Toán 5.0 and Vật lí 6.5 replace 4.0 and 4.0; with the four others
    # at 8.0 every average is ≥ 5.0 but only five are ≥ 6.5: not Khá → Đạt → lên lớp.
    assert (result.summer_learning, result.summer_conduct) == ("Đạt", "Tốt")
    assert result.summer_promotion == "Được lên lớp" and result.summer_promotion_code == "len_lop"
    assert result.promotion == "Kiểm tra lại: Toán, Vật lí"  # the year's decision stays printed
    history = RetestResult.history.filter(student=an)
    assert history.count() == 2 and {h.entered_by_id for h in history} == {cast.homeroom_a1.pk}


def test_a_lower_retest_replaces_the_year_result_and_the_pupil_repeats(cast, closed, subjects):
    an = closed["an"]
    summer.save_summer(
        user=cast.principal, class_group=cast.class_a1,
        retests={(an.pk, cast.math.pk): "3", (an.pk, subjects["Vật lí"].pk): "4"},
    )
    result = card(cast, an)
    # Toán 3.0 replaces the year's 4.0 although lower: 3.0 < 3.5 → Chưa đạt again (no single
    # subject lifts it two levels) → does not move up; never a second re-test.
    assert line(result, "Toán").retest == "3,0" and line(result, "Toán").year == "4,0"
    assert result.summer_learning == "Chưa đạt"
    assert result.summer_promotion == "Không được lên lớp"


@pytest.mark.parametrize(
    ("who", "key", "value", "message"),
    [
        ("an", "Toán", "10,5", "phải từ 0 đến 10"),
        ("an", "Toán", "6,45", "chỉ được lấy đến một chữ số thập phân"),
        ("an", "Toán", "Đ", "không phải là số"),
        ("an", "Hoá học", "6", summer.NOT_IN_LIST),
        ("chau", "Toán", "6", summer.CONDUCT_FIRST),
        ("lan", "Toán", "6", summer.CONDUCT_FIRST),
        ("an", "conduct", "Đạt", summer.NOT_TRAINING),
        ("chau", "conduct", "Giỏi", "không phải là mức đánh giá hợp lệ"),
    ],
)
def test_bad_summer_results_are_refused_with_nothing_written(
    cast, closed, subjects, who, key, value, message
):
    pupil = closed[who]
    conduct, retests = {}, {}
    if key == "conduct":
        conduct[pupil.pk] = value
    else:
        retests[(pupil.pk, subjects[key].pk)] = value
    # A good value beside the bad one is not written either: all or nothing.
    retests[(closed["an"].pk, subjects["Vật lí"].pk)] = "7"
    with pytest.raises(summer.SummerErrors) as refused:
        summer.save_summer(
            user=cast.homeroom_a1, class_group=cast.class_a1, conduct=conduct, retests=retests
        )
    assert any(message in text for text in refused.value.errors.values())
    assert nothing_written()


def test_a_second_retest_is_refused(cast, closed):
    an, key = closed["an"], (closed["an"].pk, cast.math.pk)
    summer.save_summer(user=cast.homeroom_a1, class_group=cast.class_a1, retests={key: "5"})
    with pytest.raises(summer.SummerErrors) as refused:
        summer.save_summer(user=cast.homeroom_a1, class_group=cast.class_a1, retests={key: "9"})
    assert refused.value.errors == {key: summer.SECOND_RETEST}
    assert RetestResult.objects.get(student=an).value == 5


def test_summer_training_then_retests(cast, closed, subjects):
    chau, lan = closed["chau"], closed["lan"]
    summer.save_summer(
        user=cast.homeroom_a1, class_group=cast.class_a1,
        conduct={chau.pk: "Đạt", lan.pk: "Khá"},
    )
    chau_card = card(cast, chau)
    assert (chau_card.summer_conduct, chau_card.summer_learning) == ("Đạt", "Tốt")
    assert chau_card.summer_promotion == "Được lên lớp"
    # Lan: conduct re-assessed Khá, learning Chưa đạt → only now the re-tests (Art. 13.1).
    lan_card = card(cast, lan)
    assert lan_card.summer_stage == "awaiting_retests" and lan_card.summer_promotion == ""
    summer.save_summer(
        user=cast.homeroom_a1, class_group=cast.class_a1,
        retests={(lan.pk, cast.math.pk): "6", (lan.pk, subjects["Vật lí"].pk): "6"},
    )
    lan_card = card(cast, lan)
    assert (lan_card.summer_conduct, lan_card.summer_learning) == ("Khá", "Đạt")
    assert lan_card.summer_promotion == "Được lên lớp"
    # The re-assessment cannot change once a re-test is recorded.
    with pytest.raises(summer.SummerErrors) as refused:
        summer.save_summer(
            user=cast.homeroom_a1, class_group=cast.class_a1, conduct={lan.pk: "Chưa đạt"}
        )
    assert refused.value.errors == {(lan.pk, "conduct"): summer.CONDUCT_LOCKED}

    # The class summary: the post-summer columns and "trong đó … được lên lớp sau khi …" (Lan
    # after her re-tests, Châu after training alone; An still waits for his re-tests).
    result = statistics.class_summary(cast.class_a1, cast.class_a1.school_year)
    assert result.after_summer == (
        ("Được lên lớp sau khi kiểm tra lại", 1),
        ("Được lên lớp sau khi rèn luyện trong kì nghỉ hè", 1),
        ("Không được lên lớp sau kì nghỉ hè", 0),
    )
    lan_row = next(r for r in result.rows if r.full_name == lan.full_name)
    assert (lan_row.summer_learning, lan_row.summer_conduct, lan_row.summer_promotion) == (
        "Đạt", "Khá", "Được lên lớp"
    )
    text = " ".join(
        page.extract_text()
        for page in PdfReader(io.BytesIO(exports.class_summary_pdf(result))).pages
    ).split()
    assert "Được lên lớp sau khi kiểm tra lại: 1" in " ".join(text)
    sheet = load_workbook(io.BytesIO(exports.class_summary_xlsx(result))).active
    cells = [c.value for r in sheet.iter_rows() for c in r if c.value is not None]
    assert "Kết quả học tập sau kì nghỉ hè" in cells and "Được lên lớp sau khi kiểm tra lại" in cells
    # The school's statistics: the same "trong đó" over every class (10A2 has no summer).
    school = statistics.school_statistics(cast.school_a, cast.class_a1.school_year)
    assert school.after_summer == result.after_summer


def test_conduct_still_chua_dat_after_training_repeats(cast, closed):
    chau = closed["chau"]
    summer.save_summer(user=cast.principal, class_group=cast.class_a1, conduct={chau.pk: "Chưa đạt"})
    assert card(cast, chau).summer_promotion == "Không được lên lớp"
    lists = summer.summer_lists(cast.class_a1)
    assert [r.card.student_id for r in lists.not_moving_up] == [chau.pk]
    assert lists.not_moving_up[0].after_summer == "sau khi rèn luyện trong kì nghỉ hè"


def test_a_closed_summer_refuses_writes_until_reopened_with_a_reason(cast, closed):
    year_ = cast.class_a1.school_year
    assert summer.close_summer(user=cast.principal, school_year=year_, reason="Hết hè")
    with pytest.raises(summer.SummerRefused):
        summer.save_summer(
            user=cast.homeroom_a1, class_group=cast.class_a1,
            conduct={closed["chau"].pk: "Đạt"},
        )
    assert nothing_written()
    with pytest.raises(PermissionDenied):
        summer.close_summer(user=cast.homeroom_a1, school_year=year_)
    with pytest.raises(ValueError):
        summer.reopen_summer(user=cast.principal, school_year=year_, reason=" ")
    assert summer.reopen_summer(user=cast.principal, school_year=year_, reason="Sửa sai sót")
    events = list(SummerEvent.objects.values_list("action", "by_id", "reason"))
    assert events == [
        ("closed", cast.principal.pk, "Hết hè"), ("reopened", cast.principal.pk, "Sửa sai sót")
    ]


# --- the page -----------------------------------------------------------------------------


def test_the_homeroom_teacher_sees_the_lists_and_records_results(client, cast, closed, subjects):
    an = closed["an"]
    url = reverse("reports:class_summer", args=[cast.class_a1.pk])
    client.force_login(cast.homeroom_a1)
    page = client.get(url)
    body = page.content.decode()
    assert page.status_code == 200
    assert "Kiểm tra lại" in body and "Rèn luyện trong kì nghỉ hè" in body
    assert f'name="k-{an.pk}-{cast.math.pk}"' in body
    assert f'name="c-{closed["chau"].pk}"' in body

    bad = client.post(url, {f"k-{an.pk}-{cast.math.pk}": "11", f"c-{closed['chau'].pk}": "Đạt"})
    assert bad.status_code == 422
    assert "phải từ 0 đến 10" in bad.content.decode()
    assert nothing_written()

    good = client.post(url, {f"k-{an.pk}-{cast.math.pk}": "7", f"c-{closed['chau'].pk}": "Đạt"})
    assert good.status_code == 302
    assert RetestResult.objects.get(student=an).value == 7
    assert SummerConduct.objects.get(student=closed["chau"]).rating == "Đạt"


@pytest.mark.parametrize("who", ["teacher_a1", "parent_a1", "other_school_admin"])
def test_others_cannot_open_the_summer_page(client, cast, closed, who):
    client.force_login(cast.users[who])
    url = reverse("reports:class_summer", args=[cast.class_a1.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {f"c-{closed['chau'].pk}": "Đạt"}).status_code == 404
    assert nothing_written()


def test_only_managers_close_the_summer(client, cast, closed):
    url = reverse("reports:class_summer_close", args=[cast.class_a1.pk])
    client.force_login(cast.homeroom_a1)
    assert client.post(url, {"action": "close"}).status_code == 403
    client.force_login(cast.principal)
    assert client.post(url, {"action": "close", "reason": "Hết hè"}).status_code == 302
    assert SummerEvent.objects.get().action == "closed"


# --- the printed year card ----------------------------------------------------------------


def test_the_printed_year_card_shows_the_post_summer_columns():
    """Read back from the PDF: the re-test column, learning and conduct after the summer and
    the final decision in the official words."""
    from dataclasses import replace

    from reports import pdf
    from tests.reports.test_pdf import make_card, pdf_text

    base = make_card(term=None)
    lines = tuple(
        replace(s, retest="5,5") if s.subject == "Toán" else s for s in base.subjects
    )
    printed = replace(
        base, subjects=lines, learning="Chưa đạt", promotion="Kiểm tra lại: Toán",
        summer_stage="done", summer_learning="Đạt", summer_conduct="Tốt",
        summer_promotion="Được lên lớp",
    )
    [rendered] = pdf.render_cards([(printed, "K7Q2M9XD")])
    text = " ".join(pdf_text(rendered.pdf).split())
    for expected in (
        "Điểm hoặc mức đánh giá lại", "5,5",
        "Mức đánh giá sau khi rèn luyện trong kì nghỉ hè; kiểm tra, đánh giá lại",
        "Kết quả học tập Đạt", "Kết quả rèn luyện Tốt",
        "Kết quả xét lên lớp: Kiểm tra lại: Toán",
        "Kết quả xét lên lớp sau kì nghỉ hè: Được lên lớp",
    ):
        assert expected in text, expected
    # A card without a summer prints no re-test column (and keeps its hash).
    plain = " ".join(pdf_text(pdf.render_cards([(base, "K7Q2M9XD")])[0].pdf).split())
    assert "Điểm hoặc mức đánh giá lại" not in plain
