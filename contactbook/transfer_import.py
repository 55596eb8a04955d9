"""Import of terms copied from previous schools' records, from a CSV or XLSX file: one line
per pupil, one column per subject. Two layouts, told apart by the pupils' grade (a file
mixing grades 1–5 and 6–12 is refused, since their columns mean different things):

grades 6–12, a scored subject's term average or a rated one's Đ/CĐ, and the conduct:

    Mã học sinh | Trường cũ     | Rèn luyện | Nghỉ có phép | Nghỉ không phép | Toán | Ngữ văn | GDTC
    2200000042  | THPT Bãi Cháy | Khá       | 2            | 0               | 7,5  | 6,8     | Đ

grades 1–5, each subject's rating (Hoàn thành tốt / Hoàn thành / Chưa hoàn thành, or T/H/C,
HTT/HT/CHT) and, for a subject with a periodic test, its mark in "<subject> (KTĐK)"; no
conduct (Circular 27):

    Mã học sinh | Trường cũ      | Nghỉ có phép | Nghỉ không phép | Toán | Toán (KTĐK) | Đạo đức
    0100000007  | TH Kim Đồng    | 1            | 0               | T    | 9           | H

A subject column is named by the subject's name or code in this school; an empty cell is a
subject not copied. Every line goes through `contactbook.transfers.save_copied_term` (every
rule of a copied term), each in its own savepoint; one bad line and nothing is imported, and
every bad line is reported with the column it concerns. The file is read by the pupil
import's readers (school.imports), so the same files open the same way. The qualities and
competencies are not copied: a copied term does not hold them (Circular 27 rates them for the
year at its end, here).
"""

import csv
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from contactbook import transfers
from contactbook.gradebook.columns import Column, parse_cell
from contactbook.models import Score
from grading import circular22
from grading.errors import RuleError
from school import imports
from school.models import Enrolment, Student, Subject, Term, is_primary_grade

FIXED = {
    "student_code": ("Mã học sinh", "Mã HS", "Mã định danh"),
    "previous_school": ("Trường cũ", "Trường chuyển đi", "Trường"),
    "conduct": ("Rèn luyện", "Kết quả rèn luyện", "Hạnh kiểm"),
    "absent_with_leave": ("Nghỉ có phép", "Có phép", "Số ngày nghỉ có phép", "Số buổi nghỉ có phép"),
    "absent_without_leave": (
        "Nghỉ không phép", "Không phép", "Số ngày nghỉ không phép", "Số buổi nghỉ không phép",
    ),
}
_FIXED_KEYS = {imports._header_key(h): key for key, headers in FIXED.items() for h in headers}
# "Toán (KTĐK)": the subject's periodic test (kiểm tra định kỳ), in brackets after its name.
_TEST_COLUMN = re.compile(r"^(?P<subject>.+?)\s*[(\[](?P<tag>[^)\]]*)[)\]]\s*$")
_TEST_TAGS = {"ktdk", "kt", "kiemtra", "kiemtradinhky", "diemktdk", "diemkiemtra", "baikiemtra"}


@dataclass
class ImportSummary:
    imported: int
    errors: list  # school.imports.RowError


@dataclass(frozen=True)
class TestColumn:
    """A column of a primary subject's periodic test marks."""

    subject: Subject


@dataclass
class Header:
    """The file's header read: column index -> a FIXED key, a Subject or a TestColumn, and
    each column's header as the file writes it (to name it in a message)."""

    columns: dict
    names: dict[int, str]

    def name_of(self, wanted) -> str:
        """The file's header for a FIXED key, a Subject or a TestColumn ("" if absent)."""
        return next((self.names[i] for i, key in self.columns.items() if key == wanted), "")


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


def _subjects(school, primary: bool | None) -> dict[str, Subject]:
    """The school's subjects by folded name and code: the primary ones for a grade 1–5 file,
    the others for a grade 6–12 file (a school teaching both may have two "Toán")."""
    subjects = {}
    queryset = Subject.objects.filter(school=school).order_by("pk")
    if primary is not None:
        kind = Subject.Assessment.PRIMARY
        queryset = queryset.filter(assessment=kind) if primary else queryset.exclude(assessment=kind)
    for subject in queryset:
        subjects.setdefault(imports._header_key(subject.name), subject)
        subjects.setdefault(imports._header_key(subject.code), subject)
    return subjects


def _column(text: str, subjects: dict, primary: bool | None):
    """A FIXED key, a Subject, a TestColumn, or None for a header naming nothing we know."""
    key = imports._header_key(text)
    if key in _FIXED_KEYS:
        return _FIXED_KEYS[key]
    if key in subjects:
        return subjects[key]
    test = _TEST_COLUMN.match(text)
    if test and imports._header_key(test["tag"]) in _TEST_TAGS and primary is not False:
        subject = subjects.get(imports._header_key(test["subject"]))
        if subject is not None and subject.assessment == Subject.Assessment.PRIMARY:
            return TestColumn(subject)
    return None


def _header(line: int, cells: list[str], subjects: dict, primary: bool | None) -> Header:
    """The header read; an unknown or repeated column is a file error."""
    columns, names, errors = {}, {}, []
    for index, text in enumerate(cells):
        if not imports._header_key(text):
            continue
        column = _column(text, subjects, primary)
        if column is None:
            message = _("No subject of this school is called %(header)s.") % {"header": text}
            if primary is False and _TEST_COLUMN.match(text):
                message = _("Periodic test columns are for grades 1–5 only.")
            errors.append(imports.RowError(line, text, "unknown_column", message))
        elif column in columns.values():
            errors.append(imports.RowError(line, text, "repeated_column", _(
                "The column %(header)s repeats the column %(other)s."
            ) % {"header": text, "other": Header(columns, names).name_of(column)}))
        else:
            columns[index], names[index] = column, text
    if "student_code" not in columns.values():
        errors.append(imports.RowError(line, "Mã học sinh", "missing_column", _("The column Mã học sinh is missing.")))
    if errors:
        raise imports.ImportFileError(errors)
    return Header(columns, names)


def _code_column(cells: list[str]) -> int | None:
    return next((i for i, text in enumerate(cells)
                 if _FIXED_KEYS.get(imports._header_key(text)) == "student_code"), None)


def _pupils(school, term: Term, rows, code_index: int | None) -> tuple[dict, bool | None]:
    """The file's pupils of this school by student code, and whether the file is of grades
    1–5 (None: no pupil of it has a class in the term's year). Two queries."""
    codes = {line: cells[code_index].strip() for line, cells in rows
             if code_index is not None and code_index < len(cells)}
    pupils = {p.student_code: p for p in Student.objects.filter(school=school, student_code__in=codes.values())}
    grades = dict(Enrolment.objects.filter(
        student__in=pupils.values(), school_year_id=term.school_year_id
    ).values_list("student_id", "class_group__grade"))
    first = {}  # primary? -> the first line of such a pupil
    for line, code in codes.items():
        pupil = pupils.get(code)
        if pupil is not None and pupil.pk in grades:
            first.setdefault(is_primary_grade(grades[pupil.pk]), line)
    if len(first) == 2:
        raise imports._file_error("mixed_grades", _(
            "The file mixes pupils of grades 1–5 (line %(primary)s) and of grades 6–12 (line "
            "%(secondary)s), whose columns differ: import them in two files."
        ) % {"primary": first[True], "secondary": first[False]})
    return pupils, next(iter(first), None)


def _count(text: str, column: str) -> int:
    text = text.strip() or "0"
    if not text.isdigit():
        raise ValidationError({column: _("Absences are a whole number, not negative.")})
    return int(text)


# A test column's cells are read as the grade book reads its end-of-term written test.
_PERIODIC_TEST = Column(Score.Kind.FINAL_TEST, 1)


def _cell(text: str, subject: Subject, column: str, *, test: bool = False):
    """The cell as the grade book reads it (contactbook.gradebook.columns.parse_cell), so a
    copied term takes what a grade book takes; its refusal names the file's column."""
    try:
        return parse_cell(text, subject, _PERIODIC_TEST if test else None)
    except ValueError as exc:
        raise ValidationError({column: str(exc)}) from None


def _results(cells: list[str], header: Header) -> list[transfers.CopiedValues]:
    """The line's subject results; a bad rating, test mark or Đ/CĐ is refused naming its column."""
    results, refusals = {}, {}
    for index, key in header.columns.items():
        text = cells[index].strip() if index < len(cells) else ""
        if not text or not isinstance(key, (Subject, TestColumn)):
            continue
        subject = key.subject if isinstance(key, TestColumn) else key
        values = results.setdefault(subject.pk, transfers.CopiedValues(subject))
        column = header.names[index]
        try:
            if isinstance(key, TestColumn):
                value, _passed, _rating = _cell(text, subject, column, test=True)
                values.test_score = int(value)
            elif subject.assessment == Subject.Assessment.PRIMARY:
                _value, _passed, values.rating = _cell(text, subject, column)
            elif subject.assessment == Subject.Assessment.RATED:
                _value, values.passed, _rating = _cell(text, subject, column)
            else:  # a scored average: grading.transfers.copied_score, in save_copied_term
                values.average = text
        except ValidationError as refusal:
            refusals.update(refusal.error_dict)
    if refusals:
        raise ValidationError(refusals)
    return list(results.values())


# Which column a refusal of save_copied_term concerns, by the field it names.
_FIELD_COLUMNS = {"student": "student_code", "term": "student_code", "previous_school": "previous_school",
                  "conduct": "conduct", "absent_with_leave": "absent_with_leave"}


def _refusal_columns(refusal: ValidationError, header: Header) -> dict[str, list]:
    """{column header: messages} of save_copied_term's refusal."""
    if not hasattr(refusal, "error_dict"):
        return {"": refusal.messages}
    by_column = {}
    for field, errors in refusal.error_dict.items():
        if isinstance(refusal, transfers.ResultRefused):
            subject = refusal.subject
            test = header.name_of(TestColumn(subject)) if field == "test_score" else ""
            column = test or header.name_of(subject) or subject.name
        else:
            key = _FIELD_COLUMNS.get(field, "")
            column = header.name_of(key) or (FIXED[key][0] if key else "")
        by_column.setdefault(column, []).extend(ValidationError(errors).messages)
    return by_column


def _save_line(by, term, cells, header: Header, pupils) -> None:
    """One line through save_copied_term; a ValidationError keyed by column header says
    what is wrong ("" for the line as a whole)."""
    def cell(key) -> str:
        index = next((i for i, k in header.columns.items() if k == key), None)
        return cells[index].strip() if index is not None and index < len(cells) else ""

    def name(key) -> str:
        return header.name_of(key) or FIXED[key][0]

    student = pupils.get(cell("student_code"))
    if student is None:
        raise ValidationError({name("student_code"): _("No pupil of this school has this student code.")})
    refusals, conduct = {}, cell("conduct")
    if conduct:
        try:
            conduct = circular22.parse_level(conduct, "conduct")
        except RuleError:
            refusals[name("conduct")] = [_("Conduct is Tốt, Khá, Đạt or Chưa đạt.")]
    counts = {}
    for key in ("absent_with_leave", "absent_without_leave"):
        try:
            counts[key] = _count(cell(key), name(key))
        except ValidationError as refusal:
            refusals.update(refusal.error_dict)
    try:
        results = _results(cells, header)
    except ValidationError as refusal:
        refusals.update(refusal.error_dict)
    if refusals:
        raise ValidationError(refusals)
    try:
        transfers.save_copied_term(
            by=by, student=student, term=term, previous_school=cell("previous_school"),
            conduct=conduct, results=results, **counts,
        )
    except ValidationError as refusal:
        raise ValidationError(_refusal_columns(refusal, header)) from None


def _row_errors(line: int, refusal: ValidationError) -> list:
    """One RowError per column, its message naming the column: "Toán (KTĐK): …"."""
    errors = []
    for column, messages in refusal.message_dict.items():
        text = " ".join(messages)
        errors.append(imports.RowError(line, column, "invalid", f"{column}: {text}" if column else text))
    return errors


def import_copied_terms(*, by, term: Term, uploaded_file: UploadedFile) -> ImportSummary:
    """Import every line or none. The caller has checked that `by` manages the term's school.
    Raises school.imports.ImportFileError for a file that cannot be used at all: unreadable,
    an unknown column, no Mã học sinh, or pupils of grades 1–5 and 6–12 together."""
    school = term.school_year.school
    table = _table(uploaded_file)
    if not table:
        raise imports._file_error("empty_file", _("The file is empty."))
    (header_line, header_cells), rows = table[0], table[1:]
    pupils, primary = _pupils(school, term, rows, _code_column(header_cells))
    header = _header(header_line, header_cells, _subjects(school, primary), primary)
    errors = []
    with transaction.atomic():
        for line, cells in rows:
            try:
                with transaction.atomic():
                    _save_line(by, term, cells, header, pupils)
            except ValidationError as refusal:
                errors.extend(_row_errors(line, refusal))
        if errors:
            transaction.set_rollback(True)
    return ImportSummary(0 if errors else len(rows), errors)


def sample_csv(primary: bool = False) -> bytes:
    """A sample file of either layout."""
    if primary:
        lines = [
            ("Mã học sinh;Trường cũ;Nghỉ có phép;Nghỉ không phép;Tiếng Việt;Tiếng Việt (KTĐK);"
             "Toán;Toán (KTĐK);Đạo đức"),
            "0100000007;TH Kim Đồng;1;0;Hoàn thành tốt;9;Hoàn thành;7;T",
        ]
    else:
        lines = [
            "Mã học sinh;Trường cũ;Rèn luyện;Nghỉ có phép;Nghỉ không phép;Toán;Ngữ văn;Giáo dục thể chất",
            "2200000042;THPT Bãi Cháy;Khá;2;0;7,5;6,8;Đ",
        ]
    return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8")
