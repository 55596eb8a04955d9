"""Worked examples for the primary rules (Circular 27/2020), grades 1–5. No database."""

import pytest

from grading import circular27 as rules
from grading.errors import InvalidRating, InvalidScore, InvalidValue, MissingData

TV, TOAN, NN1 = "Tiếng Việt", "Toán", "Ngoại ngữ 1"
LSDL, KH, THCN = "Lịch sử và Địa lí", "Khoa học", "Tin học và Công nghệ"

# A grade-5 pupil of the 2018 programme.
SUBJECTS = [TV, TOAN, NN1, "Đạo đức", LSDL, KH, THCN, "Giáo dục thể chất", "Âm nhạc",
            "Mĩ thuật", "Hoạt động trải nghiệm"]
QUALITIES = ["Yêu nước", "Nhân ái", "Chăm chỉ", "Trung thực", "Trách nhiệm",
             "Tự chủ và tự học", "Giao tiếp và hợp tác", "Giải quyết vấn đề và sáng tạo",
             "Ngôn ngữ", "Tính toán", "Khoa học (năng lực)", "Công nghệ", "Tin học",
             "Thẩm mĩ", "Thể chất"]
TESTED = [TV, TOAN, NN1, LSDL, KH, THCN]


def pupil(subjects=None, qualities=None, tests=10, **test_scores):
    """All subjects "T", all qualities "T", every test `tests`; then the overrides."""
    return (
        {name: "T" for name in SUBJECTS} | (subjects or {}),
        {name: "T" for name in QUALITIES} | (qualities or {}),
        {name: tests for name in TESTED} | {
            {"tv": TV, "toan": TOAN, "nn1": NN1, "kh": KH}[key]: value
            for key, value in test_scores.items()
        },
    )


# --------------------------------------------------------------------------------------
# Which subjects sit tests
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("grade", "subjects"),
    [
        pytest.param(1, {TV, TOAN}, id="grade-1"),
        pytest.param(2, {TV, TOAN}, id="grade-2"),
        # Ngoại ngữ 1 and Tin học và Công nghệ are compulsory from grade 3 (2018 programme),
        # and the circular tests every compulsory subject of its list. DOMAIN.md gives Tin
        # học và Công nghệ for grades 4–5 only: the circular wins.
        pytest.param(3, {TV, TOAN, NN1, THCN}, id="grade-3-with-tin-hoc-va-cong-nghe"),
        pytest.param(4, {TV, TOAN, NN1, LSDL, KH, THCN}, id="grade-4"),
        pytest.param(5, {TV, TOAN, NN1, LSDL, KH, THCN}, id="grade-5"),
    ],
)
def test_tested_subjects(grade, subjects):
    assert rules.tested_subjects(grade) == subjects


@pytest.mark.parametrize(
    ("grade", "subjects"),
    [
        pytest.param(1, set(), id="grade-1-none"),
        pytest.param(3, set(), id="grade-3-none"),
        pytest.param(4, {TV, TOAN}, id="grade-4-tv-toan"),
        pytest.param(5, {TV, TOAN}, id="grade-5-tv-toan"),
    ],
)
def test_midterm_tested_subjects(grade, subjects):
    assert rules.midterm_tested_subjects(grade) == subjects


def test_returned_sets_are_copies():
    rules.midterm_tested_subjects(5).add("Khoa học")
    assert rules.midterm_tested_subjects(5) == {TV, TOAN}


@pytest.mark.parametrize("grade", [0, 6, 10])
def test_grades_outside_primary_are_refused(grade):
    with pytest.raises(InvalidValue) as raised:
        rules.tested_subjects(grade)
    assert raised.value.reason == "unknown_grade"


@pytest.mark.parametrize("grade", ["3", True, 3.0])
def test_grade_must_be_an_int(grade):
    with pytest.raises(TypeError):
        rules.midterm_tested_subjects(grade)


# --------------------------------------------------------------------------------------
# Year-end result
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("record", "expected"),
    [
        pytest.param(pupil(tests=10), "Hoàn thành xuất sắc", id="all-T-all-10"),
        pytest.param(pupil(tests=9), "Hoàn thành xuất sắc", id="all-T-all-9"),
        pytest.param(pupil(tests=9, toan=8), "Hoàn thành tốt", id="all-T-one-test-8"),
        pytest.param(pupil(tests=7), "Hoàn thành tốt", id="all-T-all-7"),
        pytest.param(pupil(tests=10, nn1=6), "Hoàn thành", id="all-T-one-test-6"),
        pytest.param(pupil({"Âm nhạc": "H"}), "Hoàn thành", id="one-subject-H-tests-10"),
        pytest.param(pupil(qualities={"Chăm chỉ": "Đ"}), "Hoàn thành", id="one-quality-D"),
        pytest.param(pupil({n: "H" for n in SUBJECTS}, {n: "Đ" for n in QUALITIES}, tests=5),
                     "Hoàn thành", id="all-H-all-D-all-5"),
        pytest.param(pupil(tests=10, kh=4), "Chưa hoàn thành", id="one-test-4"),
        pytest.param(pupil(tests=10, tv=0), "Chưa hoàn thành", id="test-0-allowed"),
        pytest.param(pupil({"Đạo đức": "C"}), "Chưa hoàn thành", id="one-subject-C"),
        pytest.param(pupil(qualities={"Trung thực": "C"}), "Chưa hoàn thành",
                     id="one-quality-C"),
        pytest.param(pupil({n: "t" for n in SUBJECTS}, {n: " đ " for n in QUALITIES}),
                     "Hoàn thành", id="lower-case-and-spaces"),
        pytest.param(pupil(tests="9"), "Hoàn thành xuất sắc", id="test-scores-as-text"),
    ],
)
def test_year_result(record, expected):
    assert rules.year_result(*record) == expected
    assert rules.completes_grade(expected) is (expected != "Chưa hoàn thành")


def test_year_result_with_grade_checks_every_tested_subject():
    subjects, qualities, tests = pupil()
    del tests[KH]
    with pytest.raises(MissingData) as raised:
        rules.year_result(subjects, qualities, tests, grade=5)
    assert raised.value.what == [KH]
    # The same scores are complete for grade 3, which has no Khoa học test.
    grade3 = {name: 10 for name in rules.tested_subjects(3)}
    assert rules.year_result(subjects, qualities, grade3, grade=3) == "Hoàn thành xuất sắc"


def test_year_result_names_everything_missing():
    subjects, qualities, tests = pupil()
    subjects["Âm nhạc"] = None
    qualities["Nhân ái"] = " "
    tests[TOAN] = None
    with pytest.raises(MissingData) as raised:
        rules.year_result(subjects, qualities, tests)
    assert raised.value.what == ["Âm nhạc", "Nhân ái", TOAN]


def test_year_result_empty_inputs_are_missing():
    with pytest.raises(MissingData) as raised:
        rules.year_result({}, {}, {})
    assert raised.value.what == ["subjects", "qualities", "tests"]


@pytest.mark.parametrize(
    ("subjects", "qualities", "what", "value"),
    [
        pytest.param({"Toán": "Đ"}, {}, "Toán", "Đ", id="D-is-a-quality-rating"),
        pytest.param({}, {"Chăm chỉ": "H"}, "Chăm chỉ", "H", id="H-is-a-subject-rating"),
        pytest.param({"Toán": "A"}, {}, "Toán", "A", id="unknown-letter"),
        pytest.param({}, {"Chăm chỉ": "Tốt"}, "Chăm chỉ", "Tốt", id="full-word"),
    ],
)
def test_year_result_refuses_bad_ratings(subjects, qualities, what, value):
    record = pupil(subjects, qualities)
    with pytest.raises(InvalidRating) as raised:
        rules.year_result(*record)
    assert (raised.value.what, raised.value.value) == (what, value)


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        pytest.param("8,5", "not_whole", id="decimal-comma"),
        pytest.param("8.5", "not_whole", id="decimal-point"),
        pytest.param(11, "out_of_range", id="eleven"),
        pytest.param(-1, "out_of_range", id="negative"),
        pytest.param("abc", "not_a_number", id="letters"),
    ],
)
def test_year_result_refuses_bad_test_scores(bad, reason):
    with pytest.raises(InvalidScore) as raised:
        rules.year_result(*pupil(toan=bad))
    assert (raised.value.what, raised.value.reason) == (TOAN, reason)


@pytest.mark.parametrize("bad", [pytest.param(9.0, id="float"), pytest.param(True, id="bool")])
def test_year_result_test_score_type_errors(bad):
    with pytest.raises(TypeError):
        rules.year_result(*pupil(toan=bad))


# --------------------------------------------------------------------------------------
# Completion, in the record's words (Art. 11)
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("completes", "grade", "words"),
    [
        (True, 1, "Hoàn thành chương trình lớp học"),
        (True, 4, "Hoàn thành chương trình lớp học"),
        (False, 3, "Chưa hoàn thành chương trình lớp học"),
        # Art. 11 clause 3: a grade-5 pupil who completes is recorded "Hoàn thành chương
        # trình tiểu học".
        (True, 5, "Hoàn thành chương trình tiểu học"),
        (False, 5, "Chưa hoàn thành chương trình tiểu học"),
    ],
)
def test_completion_words(completes, grade, words):
    assert rules.completion_words(completes, grade) == words


def test_completion_words_errors():
    with pytest.raises(InvalidValue):
        rules.completion_words(True, 6)
    with pytest.raises(TypeError):
        rules.completion_words("yes", 5)


# --------------------------------------------------------------------------------------
# Optional subjects (Art. 7.1.b: periodic tests for the compulsory subjects only)
# --------------------------------------------------------------------------------------

GRADE_1 = [TV, TOAN, NN1, "Đạo đức", "Tự nhiên và Xã hội", "Giáo dục thể chất", "Âm nhạc",
           "Mĩ thuật", "Hoạt động trải nghiệm"]


def grade_1(english_test, english="T", tv=10, toan=10):
    """A grade-1 pupil who takes the optional Tiếng Anh (the circular's Ngoại ngữ 1)."""
    return (
        {name: "T" for name in GRADE_1} | {NN1: english},
        {name: "T" for name in QUALITIES},
        {TV: tv, TOAN: toan} | ({} if english_test is None else {NN1: english_test}),
    )


@pytest.mark.parametrize(
    ("grade", "optional"),
    [
        # Circular 32/2018's primary plan: Ngoại ngữ 1 optional in grades 1–2, compulsory
        # from grade 3; Tiếng dân tộc thiểu số optional in every grade.
        pytest.param(1, {NN1, "Tiếng dân tộc thiểu số"}, id="grade-1-english-optional"),
        pytest.param(2, {NN1, "Tiếng dân tộc thiểu số"}, id="grade-2-english-optional"),
        pytest.param(3, {"Tiếng dân tộc thiểu số"}, id="grade-3-english-compulsory"),
        pytest.param(5, {"Tiếng dân tộc thiểu số"}, id="grade-5"),
    ],
)
def test_optional_subjects(grade, optional):
    assert rules.optional_subjects(grade) == optional


@pytest.mark.parametrize(
    ("record", "expected"),
    [
        # Art. 7.1.b: the periodic tests are the compulsory subjects'. A grade-1 pupil with
        # everything T and Tiếng Việt 10, Toán 9 is Hoàn thành xuất sắc whatever the
        # school's own English test says: 4 does not pull the result down to Chưa hoàn thành…
        pytest.param(grade_1(4), rules.HOAN_THANH_XUAT_SAC, id="english-4-does-not-fail"),
        # …and 10 does not lift a pupil whose compulsory tests are 8 and 7 (min 7 ≥ 7: tốt).
        pytest.param(grade_1(10, tv=8, toan=7), rules.HOAN_THANH_TOT, id="english-10-no-lift"),
        # A missing English test is not missing data: it is not the circular's test.
        pytest.param(grade_1(None), rules.HOAN_THANH_XUAT_SAC, id="no-english-test-needed"),
        # Its rating still counts (Art. 10: every subject and activity the pupil studies):
        # English H keeps an otherwise all-T pupil at Hoàn thành.
        pytest.param(grade_1(10, english="H"), rules.HOAN_THANH, id="english-rating-counts"),
        # A bad score in a test that does not count is not read at all.
        pytest.param(grade_1("8,5"), rules.HOAN_THANH_XUAT_SAC, id="english-test-not-read"),
    ],
)
def test_optional_subject_test_does_not_decide_the_year(record, expected):
    assert rules.year_result(*record, grade=1, optional=rules.optional_subjects(1)) == expected


def test_without_optional_the_english_test_counts():
    # The same record with English not marked optional (a grade-3 pupil's, where Ngoại ngữ 1
    # is compulsory): 4 is below 5, so Chưa hoàn thành.
    assert rules.year_result(*grade_1(4)) == rules.CHUA_HOAN_THANH


def test_optional_is_a_collection_of_names():
    with pytest.raises(TypeError):
        rules.year_result(*grade_1(4), optional=NN1)


# --------------------------------------------------------------------------------------
# Titles (Art. 13.1.a)
# --------------------------------------------------------------------------------------

XS, TIEU_BIEU = "Học sinh Xuất sắc", "Học sinh Tiêu biểu hoàn thành tốt trong học tập và rèn luyện"


@pytest.mark.parametrize(
    ("result", "recognised", "title"),
    [
        # "Học sinh Xuất sắc cho những học sinh được đánh giá kết quả giáo dục đạt mức Hoàn
        # thành xuất sắc": no proposal needed.
        pytest.param(rules.HOAN_THANH_XUAT_SAC, False, XS, id="xuat-sac"),
        # One title per pupil: a Hoàn thành xuất sắc pupil the class also proposed is Xuất sắc.
        pytest.param(rules.HOAN_THANH_XUAT_SAC, True, XS, id="xuat-sac-over-tieu-bieu"),
        # "Học sinh Tiêu biểu … cho những học sinh … đạt mức Hoàn thành tốt, … được tập thể
        # lớp công nhận": Hoàn thành tốt and the class's proposal, confirmed.
        pytest.param(rules.HOAN_THANH_TOT, True, TIEU_BIEU, id="tieu-bieu"),
        pytest.param(rules.HOAN_THANH_TOT, False, "", id="hoan-thanh-tot-not-proposed"),
        # Hoàn thành is not Hoàn thành tốt: no title even if a proposal slipped through.
        pytest.param(rules.HOAN_THANH, True, "", id="hoan-thanh-no-title"),
        pytest.param(rules.CHUA_HOAN_THANH, True, "", id="chua-hoan-thanh-no-title"),
        # No year result yet: no title yet.
        pytest.param("", True, "", id="no-result-yet"),
        pytest.param(None, False, "", id="none-result"),
    ],
)
def test_primary_title(result, recognised, title):
    assert rules.primary_title(result, recognised=recognised) == title


@pytest.mark.parametrize(
    ("result", "allowed"),
    [
        # Art. 13.1.a: the Tiêu biểu title is for "Hoàn thành tốt" exactly.
        pytest.param(rules.HOAN_THANH_TOT, True, id="hoan-thanh-tot"),
        # Reading chosen: Hoàn thành xuất sắc already carries Học sinh Xuất sắc.
        pytest.param(rules.HOAN_THANH_XUAT_SAC, False, id="xuat-sac-has-its-own-title"),
        pytest.param(rules.HOAN_THANH, False, id="hoan-thanh"),
        pytest.param(rules.CHUA_HOAN_THANH, False, id="chua-hoan-thanh"),
    ],
)
def test_who_may_be_proposed_tieu_bieu(result, allowed):
    assert rules.may_be_proposed_tieu_bieu(result) is allowed


def test_titles_refuse_unknown_results():
    with pytest.raises(InvalidRating):
        rules.primary_title("Giỏi")
    with pytest.raises(InvalidRating):
        rules.may_be_proposed_tieu_bieu("Khá")
