"""A report card as data: what is printed on one pupil's card, and its content hash."""

import hashlib
import json
from dataclasses import dataclass, field

# Fields added after cards were first issued: left out of the content hash while they hold
# their default, so a card that does not use them keeps the hash (and the rendered PDF and
# verification code) it had before they existed.
_NEW = {"hashed_when_default": False}


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
    absent_with_leave: int  # sessions (buổi)
    absent_without_leave: int
    homeroom_comment: str
    homeroom_teacher: str
    principal: str
    principal_signs_as: str  # "HIỆU TRƯỞNG"
    dated: str  # "Hạ Long, ngày 16 tháng 01 năm 2027"
    award: str = ""  # year cards: "Học sinh Xuất sắc" / "Học sinh Giỏi" / ""
    promotion: str = ""  # year cards: "Lên lớp", "Kiểm tra lại", …; "" while incomplete
    missing: tuple[str, ...] = ()  # what keeps a result blank, in Vietnamese
    # Grades 1–5 (Circular 27): `learning` holds the year result ("Hoàn thành tốt"; "" on term
    # cards, which have none), `promotion` "Hoàn thành chương trình lớp học" or not; `conduct`
    # and `award` stay "" and `regular_columns` 0.
    primary: bool = field(default=False, metadata=_NEW)
    qualities: tuple[QualityGroup, ...] = field(default=(), metadata=_NEW)  # end-of-term ratings

    def content_hash(self) -> str:
        """SHA-256 of everything printed: equal hashes, equal cards."""
        canonical = json.dumps(_plain(self), ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()


def _plain(value):
    """A dataclass as nested lists of its fields in declaration order (a schema change
    changes the hash, as it should, except a `_NEW` field still at its default); ~5× quicker
    than asdict, which deep-copies."""
    if hasattr(value, "__dataclass_fields__"):
        plain = []
        for name, spec in value.__dataclass_fields__.items():
            item = getattr(value, name)
            if spec.metadata.get("hashed_when_default", True):
                plain.append(_plain(item))
            elif item != spec.default:
                plain.append([name, _plain(item)])  # named: two optional fields never collide
        return plain
    if isinstance(value, (tuple, list)):
        return [_plain(item) for item in value]
    return value
