"""Assessment rules for grades 1–5: Circular 27/2020/TT-BGDĐT.

Pure functions, no Django. Ratings are the short codes teachers write in the record:

- subjects and educational activities: "T" (Hoàn thành tốt), "H" (Hoàn thành),
  "C" (Chưa hoàn thành);
- qualities and competencies: "T" (Tốt), "Đ" (Đạt), "C" (Cần cố gắng);
- periodic written tests: whole numbers on a 10-point scale, 0 allowed, no decimals
  (Art. 7: "cho điểm theo thang điểm 10, không cho điểm thập phân").

The circular forbids comparing pupils: nothing here ranks one pupil against another.
"""

import re
import unicodedata
from collections.abc import Iterable, Mapping

from grading.errors import InvalidRating, InvalidScore, InvalidValue, MissingData

HOAN_THANH_XUAT_SAC = "Hoàn thành xuất sắc"
HOAN_THANH_TOT = "Hoàn thành tốt"
HOAN_THANH = "Hoàn thành"
CHUA_HOAN_THANH = "Chưa hoàn thành"

SUBJECT_RATINGS = {"T": "Hoàn thành tốt", "H": "Hoàn thành", "C": "Chưa hoàn thành"}
QUALITY_RATINGS = {"T": "Tốt", "Đ": "Đạt", "C": "Cần cố gắng"}

TIENG_VIET = "Tiếng Việt"
TOAN = "Toán"
NGOAI_NGU_1 = "Ngoại ngữ 1"
LICH_SU_DIA_LI = "Lịch sử và Địa lí"
KHOA_HOC = "Khoa học"
TIN_HOC_CONG_NGHE = "Tin học và Công nghệ"

GRADES = range(1, 6)

# Art. 7: end of term I and end of year, a periodic test in the *compulsory* subjects Tiếng
# Việt, Toán, Ngoại ngữ 1, Lịch sử và Địa lí, Khoa học, Tin học và Công nghệ — so each
# grade tests those of the six it has as compulsory subjects under the 2018 programme:
# Ngoại ngữ 1 and Tin học và Công nghệ from grade 3, Lịch sử và Địa lí and Khoa học from
# grade 4. (DOMAIN.md lists Tin học và Công nghệ for grades 4–5 only; it is a compulsory
# subject from grade 3, so grade 3 sits its test too — the circular wins.)
_FIRST_TESTED_GRADE = {
    TIENG_VIET: 1,
    TOAN: 1,
    NGOAI_NGU_1: 3,
    TIN_HOC_CONG_NGHE: 3,
    LICH_SU_DIA_LI: 4,
    KHOA_HOC: 4,
}
# Which subjects are optional (tự chọn) in which grades: the 2018 programme (Circular
# 32/2018/TT-BGDĐT, primary "Kế hoạch giáo dục") makes Ngoại ngữ 1 optional in grades 1 and 2
# and compulsory from grade 3, and Tiếng dân tộc thiểu số optional in every grade.
TIENG_DAN_TOC = "Tiếng dân tộc thiểu số"
_OPTIONAL_GRADES = {NGOAI_NGU_1: range(1, 3), TIENG_DAN_TOC: GRADES}
# Art. 7: grades 4 and 5 also sit Tiếng Việt and Toán at mid-term I and mid-term II.
_MIDTERM_TESTED = {TIENG_VIET, TOAN}
_FIRST_MIDTERM_GRADE = 4

_WHOLE_NUMBER = re.compile(r"[0-9]+")


def _is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _check_grade(grade: int) -> int:
    if isinstance(grade, bool) or not isinstance(grade, int):
        raise TypeError("grade must be an int")
    if grade not in GRADES:
        raise InvalidValue("grade", grade, "unknown_grade", "1–5")
    return grade


def tested_subjects(grade: int) -> set[str]:
    """The subjects with a periodic test at the end of term I and at the end of the year
    in `grade` (1–5): Tiếng Việt and Toán in every grade; Ngoại ngữ 1 and Tin học và Công
    nghệ from grade 3; Lịch sử và Địa lí and Khoa học from grade 4."""
    _check_grade(grade)
    return {subject for subject, first in _FIRST_TESTED_GRADE.items() if grade >= first}


def optional_subjects(grade: int) -> set[str]:
    """The programme's optional subjects (môn học tự chọn) of `grade` (1–5): Ngoại ngữ 1 in
    grades 1–2, Tiếng dân tộc thiểu số in every grade. Art. 7.1.b sets the periodic tests
    "đối với các môn học bắt buộc", so a test a school gives in one of these is its own, not
    the circular's: it does not decide the year result (`year_result(optional=…)`)."""
    _check_grade(grade)
    return {subject for subject, grades in _OPTIONAL_GRADES.items() if grade in grades}


def midterm_tested_subjects(grade: int) -> set[str]:
    """The subjects with a periodic test at mid-term I and mid-term II: Tiếng Việt and Toán
    in grades 4 and 5; none in grades 1–3."""
    _check_grade(grade)
    return set(_MIDTERM_TESTED) if grade >= _FIRST_MIDTERM_GRADE else set()


def _read_rating(value: str, what: str, allowed: Mapping[str, str]) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{what}: a rating is a str, not {value!r}")
    code = unicodedata.normalize("NFC", value.strip()).upper()
    if code not in allowed:
        raise InvalidRating(what, value, allowed)
    return code


def parse_test_score(value: int | str | None, what: str) -> int:
    """Read one periodic test score: a whole number 0–10, as an int or digits ("9").

    Raises `MissingData(what)` for None or blank, `InvalidScore` for decimals ("8,5"),
    text that is not a number, or a value outside 0–10, and `TypeError` for a float or bool.
    """
    if _is_blank(value):
        raise MissingData(what)
    if isinstance(value, bool) or isinstance(value, float):
        raise TypeError(f"{what}: {type(value).__name__} is not accepted as a test score")
    if isinstance(value, str):
        text = value.strip()
        if not _WHOLE_NUMBER.fullmatch(text):
            reason = "not_whole" if re.fullmatch(r"[0-9]+[.,][0-9]+", text) else "not_a_number"
            raise InvalidScore(what, value, reason)
        number = int(text)
    elif isinstance(value, int):
        number = value
    else:
        raise TypeError(f"{what}: {type(value).__name__} is not accepted as a test score")
    if not 0 <= number <= 10:
        raise InvalidScore(what, value, "out_of_range")
    return number


def _read_all(
    subjects: Mapping[str, str | None],
    qualities: Mapping[str, str | None],
    tests: Mapping[str, int | str | None],
    grade: int | None,
) -> tuple[list[str], list[str], list[int]]:
    """Validate the three dicts, naming every missing item at once."""
    kinds = {"subjects": subjects, "qualities": qualities, "tests": tests}
    missing = [kind for kind, given in kinds.items() if not given]
    for given in kinds.values():
        missing += [name for name, value in given.items() if _is_blank(value)]
    if grade is not None:
        missing += sorted(tested_subjects(grade) - set(tests))
    if missing:
        raise MissingData(missing)
    return (
        [_read_rating(value, name, SUBJECT_RATINGS) for name, value in subjects.items()],
        [_read_rating(value, name, QUALITY_RATINGS) for name, value in qualities.items()],
        [parse_test_score(value, name) for name, value in tests.items()],
    )


def year_result(
    subjects: Mapping[str, str | None],
    qualities: Mapping[str, str | None],
    tests: Mapping[str, int | str | None],
    *,
    grade: int | None = None,
    optional: Iterable[str] = (),
) -> str:
    """The year-end result of a primary pupil (Circular 27, summary of educational results).

    `subjects` maps each subject and educational activity to its year rating ("T", "H",
    "C"); `qualities` maps each quality and competency to its rating ("T", "Đ", "C");
    `tests` maps each tested subject to its end-of-year test score (0–10, whole). Pass
    `grade` to check that every subject tested in that grade has a score.

    - Hoàn thành xuất sắc: all subjects T, all qualities T, every test ≥ 9;
    - Hoàn thành tốt: all subjects T, all qualities T, every test ≥ 7;
    - Hoàn thành: every subject T or H, every quality T or Đ, every test ≥ 5;
    - Chưa hoàn thành: otherwise.

    The first three complete the grade. `optional` names the pupil's optional subjects
    (`optional_subjects(grade)`, under the caller's names): Art. 7.1.b sets periodic tests for
    the compulsory subjects only, so an optional subject's test (Tiếng Anh in grades 1–2) is
    left out — neither asked for nor counted — while its rating counts like any subject's.
    Raises `MissingData` naming every missing item (an empty dict is missing too),
    `InvalidRating` for an unknown rating (note that "Đ" is a quality rating, not a subject
    rating), `InvalidScore` for a bad test score.
    """
    if isinstance(optional, str):
        raise TypeError("optional is a collection of subject names, not one str")
    left_out = set(optional)
    tests = {name: value for name, value in tests.items() if name not in left_out}
    subject_codes, quality_codes, scores = _read_all(subjects, qualities, tests, grade)
    all_tot = all(code == "T" for code in subject_codes + quality_codes)
    if all_tot and min(scores) >= 9:
        return HOAN_THANH_XUAT_SAC
    if all_tot and min(scores) >= 7:
        return HOAN_THANH_TOT
    if "C" not in subject_codes and "C" not in quality_codes and min(scores) >= 5:
        return HOAN_THANH
    return CHUA_HOAN_THANH


# The four year results, best first.
PRIMARY_RESULTS = (HOAN_THANH_XUAT_SAC, HOAN_THANH_TOT, HOAN_THANH, CHUA_HOAN_THANH)

HOAN_THANH_LOP_HOC = "Hoàn thành chương trình lớp học"
CHUA_HOAN_THANH_LOP_HOC = "Chưa hoàn thành chương trình lớp học"
HOAN_THANH_TIEU_HOC = "Hoàn thành chương trình tiểu học"
CHUA_HOAN_THANH_TIEU_HOC = "Chưa hoàn thành chương trình tiểu học"


def completion_words(completes: bool, grade: int) -> str:
    """What the record prints for the year (Art. 11): grades 1–4 "Hoàn thành chương trình lớp
    học"; grade 5 "Hoàn thành chương trình tiểu học" (Art. 11 clause 3: a grade-5 pupil who
    completes is recorded as completing primary school). A pupil who does not: "Chưa hoàn
    thành chương trình lớp học / tiểu học" (reading chosen: the circular's own negative,
    "chưa hoàn thành", of the same line; the help plan and the principal's later decision are
    Art. 11 clause 2's and come after)."""
    if not isinstance(completes, bool):
        raise TypeError("completes must be a bool")
    if _check_grade(grade) == 5:
        return HOAN_THANH_TIEU_HOC if completes else CHUA_HOAN_THANH_TIEU_HOC
    return HOAN_THANH_LOP_HOC if completes else CHUA_HOAN_THANH_LOP_HOC


def completes_grade(result: str) -> bool:
    """True for the three results that complete the grade (all but "Chưa hoàn thành")."""
    if result not in (HOAN_THANH_XUAT_SAC, HOAN_THANH_TOT, HOAN_THANH, CHUA_HOAN_THANH):
        raise InvalidRating("result", result, (HOAN_THANH_XUAT_SAC, HOAN_THANH_TOT, HOAN_THANH,
                                               CHUA_HOAN_THANH))
    return result != CHUA_HOAN_THANH


# ---------------------------------------------------------------------------------------
# Titles at the end of the year (Art. 13: Khen thưởng)
# ---------------------------------------------------------------------------------------

HOC_SINH_XUAT_SAC = "Học sinh Xuất sắc"
HOC_SINH_TIEU_BIEU = "Học sinh Tiêu biểu hoàn thành tốt trong học tập và rèn luyện"


def may_be_proposed_tieu_bieu(result: str) -> bool:
    """Whether the class may propose a pupil whose year result is `result` for "Học sinh Tiêu
    biểu hoàn thành tốt trong học tập và rèn luyện". Art. 13.1.a gives the title to pupils
    "được đánh giá kết quả giáo dục đạt mức Hoàn thành tốt, đồng thời có thành tích xuất sắc
    về ít nhất một môn học hoặc có tiến bộ rõ rệt ít nhất một phẩm chất, năng lực; được tập
    thể lớp công nhận". Reading chosen: exactly Hoàn thành tốt — a pupil at Hoàn thành xuất
    sắc has the higher title (Học sinh Xuất sắc), one title per pupil; Hoàn thành and Chưa
    hoàn thành are refused. The achievement in a subject or the progress in a quality is the
    teacher's judgement, stated in the proposal; the class's recognition is the proposal."""
    completes_grade(result)  # an unknown result is refused, not read as "no"
    return result == HOAN_THANH_TOT


def primary_title(result: str | None, *, recognised: bool = False) -> str:
    """The year-end title of a primary pupil (Art. 13.1.a), "" for none:

    - "Học sinh Xuất sắc" for the year result Hoàn thành xuất sắc (no proposal needed);
    - "Học sinh Tiêu biểu hoàn thành tốt trong học tập và rèn luyện" for Hoàn thành tốt when
      the class's proposal was `recognised` (proposed by the class, confirmed by the
      principal, who awards the giấy khen: Art. 13.1 "Hiệu trưởng tặng giấy khen");
    - "" otherwise, and while the year result is not known (None or "")."""
    if not isinstance(recognised, bool):
        raise TypeError("recognised must be a bool")
    if not result:
        return ""
    completes_grade(result)
    if result == HOAN_THANH_XUAT_SAC:
        return HOC_SINH_XUAT_SAC
    if result == HOAN_THANH_TOT and recognised:
        return HOC_SINH_TIEU_BIEU
    return ""
