"""Import of terms copied from previous schools' records, from a CSV or XLSX file: one line
per pupil (grades 6–12), one column per subject.

    Mã học sinh | Trường cũ | Rèn luyện | Nghỉ có phép | Nghỉ không phép | Toán | Ngữ văn | GDTC …
    2200000042  | THPT Bãi Cháy | Khá  | 2            | 0               | 7,5  | 6,8     | Đ

A subject column is named by the subject's name or code in this school; a scored subject
takes its term average, a rated one Đ or CĐ; an empty cell is a subject not copied. Every line
goes through `contactbook.transfers.save_copied_term` (every rule of a copied term), each in
its own savepoint; one bad line and nothing is imported, and every bad line is reported. The
file is read by the pupil import's readers (school.imports), so the same files open the same
way. Grades 1–5 (ratings and tests) are entered on the page, not imported.
"""

import csv
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from contactbook import transfers
from grading import circular22
from grading.errors import RuleError
from school import imports
from school.models import Student, Subject, Term

FIXED = {
    "student_code": ("Mã học sinh", "Mã HS", "Mã định danh"),
    "previous_school": ("Trường cũ", "Trường chuyển đi", "Trường"),
    "conduct": ("Rèn luyện", "Kết quả rèn luyện", "Hạnh kiểm"),
    "absent_with_leave": ("Nghỉ có phép", "Có phép"),
    "absent_without_leave": ("Nghỉ không phép", "Không phép"),
}
_FIXED_KEYS = {imports._header_key(h): key for key, headers in FIXED.items() for h in headers}
_PASSED = {"đ": True, "d": True, "đạt": True, "cđ": False, "cd": False, "chưa đạt": False}


@dataclass
class ImportSummary:
    imported: int
    errors: list  # school.imports.RowError


def _table(uploaded_file: UploadedFile):
    name = (getattr(uploaded_file, "name", "") or "").lower()
    extension = name.rsplit(".", 1)[-1] if "." in name else ""
    if extension not in ("csv", "xlsx"):
        raise imports._file_error("bad_extension", _("Only .csv and .xlsx files can be imported."))
    uploaded_file.seek(0)
    data = uploaded_file.read()
    table = imports._csv_table(data) if extension == "csv" else imports._xlsx_table(data)
    try:
        return [(line, [imports._text(c) for c in cells]) for line, cells in table
                if not imports._is_blank(cells)]
    except csv.Error as exc:
        raise imports._file_error("unreadable", _("The file could not be read as CSV.")) from exc


def _header(line: int, cells: list[str], subjects: dict) -> dict[int, object]:
    """Column index -> a FIXED key or a Subject; an unknown header is a file error."""
    mapping, unknown = {}, []
    for index, text in enumerate(cells):
        key = imports._header_key(text)
        if not key:
            continue
        if key in _FIXED_KEYS:
            mapping[index] = _FIXED_KEYS[key]
        elif key in subjects:
            mapping[index] = subjects[key]
        else:
            unknown.append(text)
    errors = [imports.RowError(line, text, "unknown_column", _(
        "No subject of this school is called %(header)s."
    ) % {"header": text}) for text in unknown]
    if "student_code" not in mapping.values():
        errors.append(imports.RowError(line, "Mã học sinh", "missing_column", _("The column Mã học sinh is missing.")))
    if errors:
        raise imports.ImportFileError(errors)
    return mapping


def _number(text: str) -> int:
    text = text.strip() or "0"
    if not text.isdigit():
        raise ValidationError({"absent_with_leave": _("Absences are a whole number, not negative.")})
    return int(text)


def _values(subject: Subject, text: str) -> transfers.CopiedValues:
    if subject.assessment == Subject.Assessment.RATED:
        passed = _PASSED.get(text.strip().casefold())
        if passed is None:
            raise ValidationError({"passed": _("Give the subject's result: Đ or CĐ.")})
        return transfers.CopiedValues(subject, passed=passed)
    return transfers.CopiedValues(subject, average=text)


def _save_line(by, school, term, line, cells, mapping, pupils) -> None:
    """One line through save_copied_term; ValidationError names what is wrong."""
    fields = {key: cells[i] if i < len(cells) else "" for i, key in mapping.items() if isinstance(key, str)}
    student = pupils.get(fields.get("student_code", "").strip())
    if student is None:
        raise ValidationError({"student": _("No pupil of this school has this student code.")})
    conduct = fields.get("conduct", "").strip()
    if conduct:
        try:
            conduct = circular22.parse_level(conduct, "conduct")
        except RuleError:
            raise ValidationError({"conduct": _("Conduct is Tốt, Khá, Đạt or Chưa đạt.")}) from None
    results = [
        _values(key, cells[i]) for i, key in mapping.items()
        if isinstance(key, Subject) and i < len(cells) and cells[i].strip()
    ]
    transfers.save_copied_term(
        by=by, student=student, term=term, previous_school=fields.get("previous_school", ""),
        conduct=conduct, absent_with_leave=_number(fields.get("absent_with_leave", "")),
        absent_without_leave=_number(fields.get("absent_without_leave", "")), results=results,
    )


def import_copied_terms(*, by, term: Term, uploaded_file: UploadedFile) -> ImportSummary:
    """Import every line or none. The caller has checked that `by` manages the term's school.
    Raises school.imports.ImportFileError for a file that cannot be used at all."""
    school = term.school_year.school
    table = _table(uploaded_file)
    if not table:
        raise imports._file_error("empty_file", _("The file is empty."))
    subjects = {}
    for subject in Subject.objects.filter(school=school):
        subjects.setdefault(imports._header_key(subject.name), subject)
        subjects.setdefault(imports._header_key(subject.code), subject)
    (header_line, header_cells), rows = table[0], table[1:]
    mapping = _header(header_line, header_cells, subjects)
    codes = [cells[i].strip() for _line, cells in rows for i, k in mapping.items()
             if k == "student_code" and i < len(cells)]
    pupils = {p.student_code: p for p in Student.objects.filter(school=school, student_code__in=codes)}
    errors = []
    with transaction.atomic():
        for line, cells in rows:
            try:
                with transaction.atomic():
                    _save_line(by, school, term, line, cells, mapping, pupils)
            except ValidationError as refusal:
                errors.append(imports.RowError(line, "", "invalid", " ".join(refusal.messages)))
        if errors:
            transaction.set_rollback(True)
    return ImportSummary(0 if errors else len(rows), errors)


def sample_csv() -> bytes:
    lines = [
        "Mã học sinh;Trường cũ;Rèn luyện;Nghỉ có phép;Nghỉ không phép;Toán;Ngữ văn;Giáo dục thể chất",
        "2200000042;THPT Bãi Cháy;Khá;2;0;7,5;6,8;Đ",
    ]
    return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8")
