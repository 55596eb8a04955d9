"""A report card as data: what is printed on one pupil's card, and its content hash.

Beside the printed text a card carries what it means, typed, for programs (statistics,
exports): the code of each result (`learning_code`, `conduct_code`, `award_code`,
`promotion_code`) and each average as a `Decimal` (`SubjectLine.average_value`, …). A code or
number is blank (None) exactly when its printed text is. These fields are not printed, so they
are not in the content hash: a card hashes as it did before they existed.
"""

import hashlib
import json
import re
from dataclasses import dataclass, field
from decimal import Decimal

from grading import circular22, circular27
from grading.summer import NO_SUMMER
from school.names import fold

# Fields added after cards were first issued: left out of the content hash while they hold
# their default, so a card that does not use them keeps the hash (and the rendered PDF and
# verification code) it had before they existed.
_NEW = {"hashed_when_default": False}
# What a card means rather than what it prints: never in the content hash.
_TYPED = {"printed": False}

# The codes beside the printed results: stable, ASCII, the same in every language; the words
# are the circulars' (grading/). Statistics and the API publish these codes.
TOT, KHA, DAT, CHUA_DAT = "tot", "kha", "dat", "chua_dat"
HOAN_THANH_XUAT_SAC, HOAN_THANH_TOT = "hoan_thanh_xuat_sac", "hoan_thanh_tot"
HOAN_THANH, CHUA_HOAN_THANH = "hoan_thanh", "chua_hoan_thanh"
XUAT_SAC, GIOI = "xuat_sac", "gioi"
LEN_LOP, KIEM_TRA_LAI, REN_LUYEN_HE, O_LAI_LOP = (
    "len_lop", "kiem_tra_lai", "ren_luyen_he", "o_lai_lop"
)
HOAN_THANH_CHUONG_TRINH = "hoan_thanh_chuong_trinh"
CHUA_HOAN_THANH_CHUONG_TRINH = "chua_hoan_thanh_chuong_trinh"

# Learning results and conduct ratings: Circular 22's four levels (grades 6–12), Circular 27's
# four year results (grades 1–5).
LEVEL_CODES = {
    circular22.TOT: TOT,
    circular22.KHA: KHA,
    circular22.DAT: DAT,
    circular22.CHUA_DAT: CHUA_DAT,
    circular27.HOAN_THANH_XUAT_SAC: HOAN_THANH_XUAT_SAC,
    circular27.HOAN_THANH_TOT: HOAN_THANH_TOT,
    circular27.HOAN_THANH: HOAN_THANH,
    circular27.CHUA_HOAN_THANH: CHUA_HOAN_THANH,
}
TIEU_BIEU = "tieu_bieu"
# Circular 22's titles and Circular 27's (Art. 13: "Học sinh Xuất sắc" is the same words, and
# the same code, at both levels).
AWARD_CODES = {
    circular22.HOC_SINH_XUAT_SAC: XUAT_SAC,
    circular22.HOC_SINH_GIOI: GIOI,
    circular27.HOC_SINH_XUAT_SAC: XUAT_SAC,
    circular27.HOC_SINH_TIEU_BIEU: TIEU_BIEU,
}
# Circular 22's promotion decisions (`Promotion.decision`).
PROMOTION_CODES = {
    circular22.LEN_LOP: LEN_LOP,
    circular22.KIEM_TRA_LAI: KIEM_TRA_LAI,
    circular22.REN_LUYEN_TRONG_HE: REN_LUYEN_HE,
    circular22.O_LAI_LOP: O_LAI_LOP,
}


_DECISIONS = {code: decision for decision, code in PROMOTION_CODES.items()}
_COMPLETION = {HOAN_THANH_CHUONG_TRINH: True, CHUA_HOAN_THANH_CHUONG_TRINH: False}


def decision_words(code: str, grade: int) -> str:
    """The official words of a promotion code for a pupil of `grade`, the one place cards,
    class summaries and statistics take them from: Circular 22's decisions (grades 6–12:
    "Được lên lớp", "Không được lên lớp", grades 9 and 12 "Được công nhận hoàn thành chương
    trình THCS / THPT", …) and Circular 27's completion (grades 1–5: "Hoàn thành chương trình
    lớp học", grade 5 "… tiểu học"). Raises KeyError for a code no rule gives."""
    if code in _COMPLETION:
        return circular27.completion_words(_COMPLETION[code], grade)
    return circular22.decision_words(_DECISIONS[code], grade)


def code_of(words: str, codes: dict[str, str]) -> str | None:
    """The code of a printed result: None for a blank, the known code, or for words no rule
    gives (a rating typed outside the choices) a code made from them, so it is still counted
    on its own instead of vanishing."""
    if not words:
        return None
    return codes.get(words) or re.sub(r"[^a-z0-9]+", "_", fold(words)).strip("_") or "other"


@dataclass(frozen=True)
class QualityLine:
    """A quality or competency and its rating in words (Tốt / Đạt / Cần cố gắng)."""

    name: str  # "Trung thực"
    rating: str  # "" while not rated


@dataclass(frozen=True)
class QualityGroup:
    name: str  # "Phẩm chất chủ yếu", "Năng lực chung", "Năng lực đặc thù"
    lines: tuple[QualityLine, ...]


@dataclass(frozen=True)
class SubjectLine:
    number: int
    subject: str
    rated: bool  # Đ/CĐ instead of scores
    regular: tuple[str, ...] = ()  # term cards: each regular assessment as printed ("7,5", "Đ")
    midterm: str = ""
    final: str = ""
    average: str = ""  # term average ("7,8") or result ("Đ"/"CĐ"); "" until complete
    comment: str = ""  # the subject teacher's term comment
    term1: str = ""  # year cards: term I, term II and year averages (or results)
    term2: str = ""
    year: str = ""
    # Grades 1–5 (Circular 27). `midterm`, `final` and `average` (the term's result) then hold
    # ratings in words ("Hoàn thành tốt"), and a year card's `year` the end-of-year rating.
    primary: bool = field(default=False, metadata=_NEW)
    midterm_test: str = field(default="", metadata=_NEW)  # written tests, whole numbers ("8")
    final_test: str = field(default="", metadata=_NEW)  # end of term (year card: of the year)
    # The averages as numbers, each None exactly when its text is "" (a rated subject's and a
    # primary subject's always are: their results are words).
    average_value: Decimal | None = field(default=None, metadata=_TYPED)
    term1_value: Decimal | None = field(default=None, metadata=_TYPED)
    term2_value: Decimal | None = field(default=None, metadata=_TYPED)
    year_value: Decimal | None = field(default=None, metadata=_TYPED)
    # Circular 22 Art. 10: "Miễn thực hành" (the year card adds the period) when the principal
    # exempted the pupil from the practical part; the result beside it is still the subject's.
    exemption: str = field(default="", metadata=_NEW)

    # Year cards: term I's result was copied from the previous school's record (printed with
    # a mark and `Card.copied_note`).
    term1_copied: bool = field(default=False, metadata=_NEW)

    # Year cards, the summer (Circular 22 Art. 13): the re-test result, "Điểm hoặc mức đánh giá
    # lại" ("6,5", "Đ"; "" without one), its number, and the subject's id.
    retest: str = field(default="", metadata=_NEW)
    retest_value: Decimal | None = field(default=None, metadata=_TYPED)
    subject_id: int | None = field(default=None, metadata=_TYPED)


@dataclass(frozen=True)
class YearFigure:
    """One upper-secondary year's overall average on a grade-12 year card (Circular 24/2024):
    "Lớp 10", "2024–2025", "7,53"; `average` "" with the reason in the card's `missing` when
    the school does not hold that year (a transfer from elsewhere) or it is incomplete."""

    grade: int
    school_year: str
    average: str
    value: Decimal | None = field(default=None, metadata=_TYPED)


@dataclass(frozen=True)
class Card:
    student_id: int
    class_group_id: int
    school_year_id: int
    term_id: int | None  # None: the whole-year card (CẢ NĂM)
    authority: str  # "SỞ GIÁO DỤC VÀ ĐÀO TẠO QUẢNG NINH" (upper case, as printed)
    school: str  # "TRƯỜNG THPT HẠ LONG"
    title: str  # "PHIẾU BÁO KẾT QUẢ HỌC TẬP HỌC KỲ I"
    school_year: str  # "Năm học 2026–2027"
    full_name: str
    class_name: str
    date_of_birth: str  # "05/03/2010"
    sex: str  # "Nam" / "Nữ"
    student_code: str
    subjects: tuple[SubjectLine, ...]
    regular_columns: int  # how many regular-assessment columns the table has (term cards)
    learning: str  # "Tốt" / "Khá" / "Đạt" / "Chưa đạt"; "" while incomplete
    conduct: str  # the same levels; "" while not rated
    absent_with_leave: int  # sessions on the one-session plan (grading.absences); 1–5: days
    absent_without_leave: int
    homeroom_comment: str
    homeroom_teacher: str
    principal: str
    principal_signs_as: str  # "HIỆU TRƯỞNG"
    dated: str  # "Hạ Long, ngày 16 tháng 01 năm 2027"
    award: str = ""  # year cards: "Học sinh Xuất sắc" / "Học sinh Giỏi" / (1–5) "… Tiêu biểu …"
    promotion: str = ""  # year cards: `decision_words` ("Được lên lớp", …); "" while incomplete
    missing: tuple[str, ...] = ()  # what keeps a result blank, in Vietnamese
    # Grades 1–5 (Circular 27): `learning` holds the year result ("Hoàn thành tốt"; "" on term
    # cards, which have none), `promotion` "Hoàn thành chương trình lớp học" (grade 5: "… tiểu học") or not, `award`
    # Art. 13's title (year cards); `conduct` stays "" and `regular_columns` 0.
    primary: bool = field(default=False, metadata=_NEW)
    qualities: tuple[QualityGroup, ...] = field(default=(), metadata=_NEW)  # end-of-term ratings
    # The results' codes (LEVEL_CODES, AWARD_CODES, PROMOTION_CODES, HOAN_THANH_CHUONG_TRINH…),
    # each None exactly when its printed text is "".
    learning_code: str | None = field(default=None, metadata=_TYPED)
    conduct_code: str | None = field(default=None, metadata=_TYPED)
    award_code: str | None = field(default=None, metadata=_TYPED)
    promotion_code: str | None = field(default=None, metadata=_TYPED)
    # Grades 10–12 year cards (Circular 24/2024 Art. 41): the year's overall average of the
    # scored subjects ("7,53", two decimals) once every scored subject has its year average;
    # grade 12 also each year's figure (10, 11, 12) and the 1 : 2 : 3 average of the three.
    year_average: str = field(default="", metadata=_NEW)
    graduation_years: tuple[YearFigure, ...] = field(default=(), metadata=_NEW)
    three_year_average: str = field(default="", metadata=_NEW)
    # The principal's exemptions from practical work, as sentences under the table.
    exemption_notes: tuple[str, ...] = field(default=(), metadata=_NEW)
    year_average_value: Decimal | None = field(default=None, metadata=_TYPED)
    three_year_average_value: Decimal | None = field(default=None, metadata=_TYPED)
    # Year cards of a pupil who transferred in: "Kết quả học kỳ I chép từ học bạ của Trường …".
    copied_note: str = field(default="", metadata=_NEW)
    # A pupil under a personal education plan (a disability): `promotion` is the principal's
    # decision ("" while pending, `missing` says so); the computed one is only the proposal.
    personal_plan: bool = field(default=False, metadata=_NEW)
    promotion_proposal: str = field(default="", metadata=_TYPED)
    # Year cards, grades 1–12: the awards for outstanding achievements (Khen thưởng, recorded
    # by the school: reports.models.Award), printed after the title.
    awards: tuple[str, ...] = field(default=(), metadata=_NEW)
    # Year cards of grades 6–12, after the summer (Circular 22 Art. 12–14): "Mức đánh giá sau
    # khi rèn luyện trong kì nghỉ hè; kiểm tra, đánh giá lại" for learning (after the re-tests)
    # and conduct (re-assessed after training), and the final decision in the official words;
    # each "" until known. `summer_stage` is grading.summer's stage (None: not read),
    # `retake_subject_ids` the subjects to re-take now.
    summer_learning: str = field(default="", metadata=_NEW)
    summer_conduct: str = field(default="", metadata=_NEW)
    summer_promotion: str = field(default="", metadata=_NEW)
    summer_stage: str | None = field(default=None, metadata=_TYPED)
    summer_learning_code: str | None = field(default=None, metadata=_TYPED)
    summer_conduct_code: str | None = field(default=None, metadata=_TYPED)
    summer_promotion_code: str | None = field(default=None, metadata=_TYPED)
    retake_subject_ids: tuple[int, ...] = field(default=(), metadata=_TYPED)
    # Year cards of grades 6–12, as the học bạ's year page has them: term I's and term II's
    # learning and conduct beside the year's, each filled once the year's own result is known
    # (a year card printed before the year's end keeps what it printed: the terms are on their
    # term cards).
    term1_learning: str = field(default="", metadata=_NEW)
    term2_learning: str = field(default="", metadata=_NEW)
    term1_conduct: str = field(default="", metadata=_NEW)
    term2_conduct: str = field(default="", metadata=_NEW)
    # Circular 22 Art. 9.3: the year's learning result was raised one level because a single
    # subject alone pulled it down two or more: the table's level ("Chưa đạt") and that
    # subject ("Toán"); both "" when the table's level stands.
    learning_table_result: str = field(default="", metadata=_NEW)
    learning_adjusted_for: str = field(default="", metadata=_NEW)

    # Read from the fields above, so never in the content hash (properties are not fields).

    @property
    def had_summer(self) -> bool:
        """A year card of a pupil sent to the summer (training or re-tests, Circular 22
        Art. 12–14), whatever its stage; False while the stage is not read."""
        return self.summer_stage not in (None, NO_SUMMER)

    @property
    def final_promotion_code(self) -> str | None:
        """The decision that stands: the summer's once the pupil had one (None until it is
        taken), else the year's when it is final (lên lớp, ở lại lớp, grades 1–5 their
        completion); None while incomplete or waiting for the summer."""
        if self.had_summer:
            return self.summer_promotion_code
        if self.promotion_code in (KIEM_TRA_LAI, REN_LUYEN_HE):
            return None
        return self.promotion_code

    @property
    def khen_thuong(self) -> str:
        """The forms' Khen thưởng (commendations): the title, then each award for an
        achievement, "; " between; "" with neither."""
        return "; ".join(text for text in (self.award, *self.awards) if text)

    def content_hash(self) -> str:
        """SHA-256 of everything printed (not the typed codes and numbers beside it): equal
        hashes, equal cards."""
        canonical = json.dumps(_plain(self), ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()


def _plain(value):
    """A dataclass as nested lists of its fields in declaration order (a schema change
    changes the hash, as it should, except a `_NEW` field still at its default and the
    `_TYPED` fields, which are not printed); ~5× quicker than asdict, which deep-copies."""
    if hasattr(value, "__dataclass_fields__"):
        plain = []
        for name, spec in value.__dataclass_fields__.items():
            if not spec.metadata.get("printed", True):
                continue
            item = getattr(value, name)
            if spec.metadata.get("hashed_when_default", True):
                plain.append(_plain(item))
            elif item != spec.default:
                plain.append([name, _plain(item)])  # named: two optional fields never collide
        return plain
    if isinstance(value, (tuple, list)):
        return [_plain(item) for item in value]
    return value
