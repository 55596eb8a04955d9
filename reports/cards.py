"""What a report card shows (phiếu báo kết quả học tập), as plain data.

`Card` is everything printed on one pupil's card, already formatted the Vietnamese way
(decimal comma, dd/mm/yyyy), so the PDF template only lays it out and the content hash covers
exactly what is printed. Only PUBLISHED scores count: an unpublished score, and any average
computed from it, never reaches a card.
"""

import hashlib
import json
from dataclasses import asdict, dataclass


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

    def content_hash(self) -> str:
        """SHA-256 of everything printed: equal hashes, equal cards."""
        canonical = json.dumps(asdict(self), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()
