"""Import of pupils and guardians from a CSV or XLSX file (a school secretary's class lists).

Three steps, each usable on its own (the admin view, a management command, a test):

    rows = read_rows(uploaded_file)                   # ImportFileError if the file is unusable
    clean, errors = validate_rows(school, rows)       # every bad row, with its line and column
    result = import_pupils(school=school, rows=clean, user=user)        # all or nothing

`run_import` chains them and writes nothing unless every row is clean. Importing the same
file twice changes nothing the second time: pupils are matched by student code within the
school, guardians' accounts by their normalised phone number, and existing accounts are never
renamed. An existing account is linked directly only when it is this school's alone; an
operator's or staff account is a row error, and any other account (a parent whose other child
is at another school) gets a GuardianLinkRequest that its holder accepts or declines. All text is NFC-normalised before it is compared or stored (a file saved on a Mac
arrives in NFD).
"""

import csv
import datetime
import io
import itertools
import logging
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Iterable, Iterator

import openpyxl
from openpyxl.utils import get_column_letter
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import validate_email
from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.phones import normalize_phone
from school import access, names
from school.forms import NOT_LINKABLE
from school.models import (
    ClassGroup,
    Enrolment,
    Guardian,
    GuardianLinkRequest,
    Guardianship,
    School,
    SchoolYear,
    Student,
)

logger = logging.getLogger(__name__)

HEADER_SEARCH_ROWS = 10  # title rows ("DANH SÁCH HỌC SINH…") may sit above the header
MAX_COLUMNS = 100
MIN_AGE, MAX_AGE = 5, 25  # at the start of the school year
MAX_CLASS_SIZE = 45  # grades 6–12 (DOMAIN.md, "School year")
CODE_RE = re.compile(r"[0-9A-Za-z._-]{1,20}")


# --- Columns -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    key: str
    header: str  # as written in our sample file
    aliases: tuple[str, ...] = ()  # other headers seen in schools' own exports


COLUMNS = (
    Column("student_code", "Mã học sinh", ("Mã HS", "Mã định danh", "Mã định danh học sinh")),
    Column("family_name", "Họ"),
    Column("middle_name", "Tên đệm", ("Tên lót",)),
    Column("given_name", "Tên"),
    Column("full_name", "Họ và tên", ("Họ tên", "Họ và tên học sinh", "Họ tên học sinh")),
    Column("date_of_birth", "Ngày sinh", ("Ngày tháng năm sinh",)),
    Column("sex", "Giới tính"),
    Column("class_name", "Lớp", ("Tên lớp",)),
    Column("card_id", "Mã thẻ"),
    Column("guardian1_name", "Họ tên phụ huynh", ("Họ và tên phụ huynh",)),
    Column("guardian1_phone", "SĐT phụ huynh", ("Số điện thoại phụ huynh", "Điện thoại phụ huynh")),
    Column("guardian1_relationship", "Quan hệ"),
    Column("guardian1_email", "Email phụ huynh"),
    Column("guardian2_name", "Họ tên phụ huynh 2", ("Họ và tên phụ huynh 2",)),
    Column(
        "guardian2_phone",
        "SĐT phụ huynh 2",
        ("Số điện thoại phụ huynh 2", "Điện thoại phụ huynh 2"),
    ),
    Column("guardian2_relationship", "Quan hệ 2"),
)
HEADERS = {c.key: c.header for c in COLUMNS}
REQUIRED = ("student_code", "date_of_birth", "sex", "class_name")
# The full name column is used only when the file has no separate "Tên" column.
SAMPLE_COLUMNS = [c for c in COLUMNS if c.key != "full_name"]
SAMPLE_ROW = {
    "student_code": "0220012345",
    "family_name": "Nguyễn",
    "middle_name": "Thị Ánh",
    "given_name": "Dương",
    "date_of_birth": "14/03/2010",
    "sex": "Nữ",
    "class_name": "10A1",
    "guardian1_name": "Nguyễn Văn Bình",
    "guardian1_phone": "0912 345 678",
    "guardian1_relationship": "Bố",
    "guardian2_name": "Trần Thị Hoa",
    "guardian2_phone": "0987 654 321",
    "guardian2_relationship": "Mẹ",
}

_SEXES = {"nam": Student.Sex.MALE, "nu": Student.Sex.FEMALE}
_RELATIONSHIPS = {
    "bo": Guardianship.Relationship.FATHER,
    "cha": Guardianship.Relationship.FATHER,
    "me": Guardianship.Relationship.MOTHER,
    "nguoi giam ho": Guardianship.Relationship.GUARDIAN,
    "giam ho": Guardianship.Relationship.GUARDIAN,
    "khac": Guardianship.Relationship.OTHER,
}


def _header_key(text: str) -> str:
    """"SĐT phụ huynh 2" -> "sdtphuhuynh2": headers match ignoring case, spaces, tone marks."""
    return re.sub(r"[^a-z0-9]", "", names.fold(text))


_HEADER_KEYS = {
    _header_key(name): column.key for column in COLUMNS for name in (column.header, *column.aliases)
}


# --- Errors --------------------------------------------------------------------------------


@dataclass(frozen=True)
class RowError:
    """One problem: its spreadsheet line (the header is line 1; None for the whole file), the
    column header it concerns ("" if none), a stable code for programs and a message for
    people, in the language active when it was made."""

    line: int | None
    column: str
    code: str
    message: str

    def __str__(self) -> str:
        if self.line is None:
            return self.message
        return _("Line %(line)s: %(message)s") % {"line": self.line, "message": self.message}


class ImportFileError(Exception):
    """The file cannot be used at all (wrong type, too big, unreadable, no header…)."""

    def __init__(self, errors: list[RowError]):
        super().__init__("; ".join(str(e) for e in errors))
        self.errors = errors


def _file_error(code: str, message: str) -> ImportFileError:
    """A whole-file error, ready to raise."""
    return ImportFileError([RowError(None, "", code, message)])


# --- Reading -------------------------------------------------------------------------------


def read_rows(uploaded_file: UploadedFile) -> list[dict]:
    """The data rows of an uploaded .csv (UTF-8) or .xlsx file, as dicts keyed by column key
    (see COLUMNS; columns absent from the file are absent from the dicts) plus "line", the
    row's line in the spreadsheet. Blank rows are skipped. Values are str, or datetime.date
    for XLSX date cells; XLSX numbers come as digits ("0220012345", never "2.2e9" or "123.0").

    Raises ImportFileError when the file cannot be used: wrong extension, too big, not UTF-8,
    damaged, empty, too many rows, or a required column missing."""
    name = (getattr(uploaded_file, "name", "") or "").lower()
    extension = name.rsplit(".", 1)[-1] if "." in name else ""
    if extension not in ("csv", "xlsx"):
        raise _file_error("bad_extension", _(
            "Only .csv and .xlsx files can be imported. In Excel, use File › Save As and choose "
            "\"Excel Workbook (.xlsx)\" or \"CSV UTF-8\"."
        ))
    if uploaded_file.size > settings.TRUONGSO_IMPORT_MAX_BYTES:
        megabytes = settings.TRUONGSO_IMPORT_MAX_BYTES / 1024 / 1024
        raise _file_error("too_big", _("The file is larger than %(size)s MB.") % {
            "size": f"{megabytes:.3g}"
        })
    uploaded_file.seek(0)
    data = uploaded_file.read()
    table = _csv_table(data) if extension == "csv" else _xlsx_table(data)
    try:
        return _rows_from_table(table)
    except csv.Error as exc:
        raise _file_error("unreadable", _("The file could not be read as CSV.")) from exc


def _csv_table(data: bytes) -> Iterator[tuple[int, list]]:
    """(line, cells) of a UTF-8 CSV, with or without BOM, separated by , ; or tab."""
    try:
        text = data.decode("utf-8-sig")
        if "\x00" in text:  # UTF-16 ("Unicode Text" in Excel) whose letters all happen to be ASCII
            raise UnicodeDecodeError("utf-8", data, 0, 1, "NUL byte")
    except UnicodeDecodeError as exc:
        raise _file_error("not_utf8", _(
            "The file is not in UTF-8, so Vietnamese letters would be garbled. In Excel, use "
            "File › Save As and choose \"CSV UTF-8 (Comma delimited)\", or upload the .xlsx file."
        )) from exc
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_guess_delimiter(text))
    return enumerate(reader, start=1)


def _guess_delimiter(text: str) -> str:
    """The separator used most in the first lines: Excel with Vietnamese regional settings
    writes ";" because the comma is the decimal separator."""
    head = "\n".join(itertools.islice((l for l in text.splitlines() if l.strip()), 5))
    counts = {d: head.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def _xlsx_table(data: bytes) -> Iterator[tuple[int, list]]:
    """(line, cells) of the first sheet of an XLSX workbook."""
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises a dozen types for a damaged or fake file
        raise _file_error("unreadable", _(
            "The file could not be opened as an Excel workbook (.xlsx)."
        )) from exc
    try:
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # some programs write a wrong size; read what is there
        for line, cells in enumerate(sheet.iter_rows(), start=1):
            yield line, [_xlsx_value(cell) for cell in cells[:MAX_COLUMNS]]
    except Exception as exc:  # a damaged sheet fails while it is read, not when opened
        raise _file_error("unreadable", _(
            "The file could not be opened as an Excel workbook (.xlsx)."
        )) from exc
    finally:
        workbook.close()


def _xlsx_value(cell) -> str | datetime.date:
    """A cell as text, or as a date for date cells. Whole numbers lose their ".0", and a
    zero-padded number format ("0000000000") gives its leading zeros back."""
    value = cell.value
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        number_format = getattr(cell, "number_format", "") or ""
        text = str(value)
        return text.zfill(len(number_format)) if re.fullmatch(r"0+", number_format) else text
    return str(value)


def _text(value) -> str:
    """A cell as NFC text with whitespace collapsed; a date cell becomes dd/mm/yyyy."""
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    text = "" if value is None else str(value)
    return names.nfc(text.replace("\u200b", "").replace("\ufeff", ""))


def _is_blank(cells: list) -> bool:
    return all(_text(c) == "" for c in cells)


def _known_headers(cells: list) -> int:
    return sum(1 for c in cells if _header_key(_text(c)) in _HEADER_KEYS)


def _rows_from_table(table: Iterable[tuple[int, list]]) -> list[dict]:
    """Find the header (the first line naming at least two of our columns, within the first
    non-blank lines; else the first line) and turn each later non-blank line into a dict."""
    table = iter(table)
    head = []
    for line, cells in table:
        if _is_blank(cells):
            continue
        head.append((line, cells))
        if _known_headers(cells) >= 2 or len(head) == HEADER_SEARCH_ROWS:
            break
    if not head:
        raise _file_error("empty_file", _("The file is empty."))
    index = len(head) - 1 if _known_headers(head[-1][1]) >= 2 else 0
    header_line, header_cells = head[index]
    mapping = _map_header(header_line, header_cells)
    return _data_rows(itertools.chain(head[index + 1 :], table), mapping)


def _data_rows(lines: Iterable[tuple[int, list]], mapping: dict[int, str]) -> list[dict]:
    """The non-blank lines as dicts; ImportFileError past TRUONGSO_IMPORT_MAX_ROWS."""
    limit = settings.TRUONGSO_IMPORT_MAX_ROWS
    rows = []
    for line, cells in lines:
        if _is_blank(cells):
            continue
        if len(rows) == limit:
            raise _file_error("too_many_rows", _(
                "The file has more than %(limit)s pupils. Split it, for example one file per grade."
            ) % {"limit": limit})
        row = {key: cells[i] if i < len(cells) else "" for i, key in mapping.items()}
        rows.append({"line": line, **row})
    if not rows:
        raise _file_error("empty_file", _("The file has a header but no pupils."))
    return rows


def _map_header(line: int, cells: list) -> dict[int, str]:
    """{cell index: column key}. Raises ImportFileError for a repeated or missing column."""
    mapping: dict[int, str] = {}
    errors = []
    for index, cell in enumerate(cells):
        key = _HEADER_KEYS.get(_header_key(_text(cell)))
        if key is None:
            continue  # other columns (STT, Ghi chú…) are ignored
        if key in mapping.values():
            errors.append(RowError(line, HEADERS[key], "duplicate_column", _(
                "the column \"%(column)s\" appears twice"
            ) % {"column": HEADERS[key]}))
        mapping[index] = key
    errors += _missing_columns(line, set(mapping.values()))
    if errors:
        raise ImportFileError(errors)
    return mapping


def _missing_columns(line: int, present: set[str]) -> list[RowError]:
    errors = [
        RowError(line, HEADERS[key], "missing_column", _(
            "the required column \"%(column)s\" is missing"
        ) % {"column": HEADERS[key]})
        for key in REQUIRED
        if key not in present
    ]
    if "full_name" not in present and not {"family_name", "given_name"} <= present:
        errors.append(RowError(line, HEADERS["full_name"], "missing_column", _(
            "the pupil's name is missing: add the columns \"Họ\", \"Tên đệm\" and \"Tên\", "
            "or one column \"Họ và tên\""
        )))
    return errors


# --- Validating ----------------------------------------------------------------------------


@dataclass(frozen=True)
class GuardianRow:
    name: str
    phone: str  # national form, "0912345678"
    relationship: str | None  # a Guardianship.Relationship, None when the cell is empty
    email: str  # "" when not given


@dataclass(frozen=True)
class PupilRow:
    """One clean line of the file, ready to import."""

    line: int
    student_code: str
    family_name: str
    middle_name: str
    given_name: str
    date_of_birth: datetime.date
    sex: str
    class_group: ClassGroup
    card_id: str  # "" leaves the card on file as it is
    guardians: tuple[GuardianRow, ...]


@dataclass
class _Lookup:
    """What validation needs from the database, loaded in a fixed number of queries, and what
    it has seen so far in the file."""

    year: SchoolYear
    classes: dict[str, ClassGroup]
    classes_folded: dict[str, ClassGroup | None]
    codes_elsewhere: set[str]
    cards: dict[str, str]  # card id -> student code, this school's pupils
    enrolled: dict[str, int]  # student code -> class id, active this year
    users_by_email: dict[str, str | None]  # lower-case e-mail -> phone
    phones_with_account: set[str]
    phones_not_linkable: set[str]  # operators' and staff accounts (access.LINK_REFUSED)
    seen_codes: dict[str, int] = field(default_factory=dict)
    seen_cards: dict[str, int] = field(default_factory=dict)
    seen_emails: dict[str, str] = field(default_factory=dict)


def validate_rows(school: School, rows: list[dict]) -> tuple[list[PupilRow], list[RowError]]:
    """Check every row of `read_rows` against the school's current year. Returns the rows
    that passed and the errors of all the others, in line order; import only when there are
    no errors. Runs the same number of queries whatever the number of rows."""
    year = school.current_year()
    if year is None:
        return [], [RowError(None, "", "no_current_year", _(
            "The school has no current school year. Add one (and its classes) first."
        ))]
    lookup = _load_lookup(school, year, rows)
    clean, errors = [], []
    for row in rows:
        check = _RowCheck(row, lookup)
        pupil = check.run()
        errors += check.errors
        if pupil is not None:
            clean.append(pupil)
    errors += _class_size_errors(clean, lookup)
    errors.sort(key=lambda e: (e.line or 0))
    return clean, errors


def _load_lookup(school: School, year: SchoolYear, rows: list[dict]) -> _Lookup:
    classes = list(ClassGroup.objects.filter(school=school, school_year=year))
    folded = Counter(_class_key(c.name) for c in classes)
    codes = {_text(r.get("student_code")) for r in rows} - {""}
    cards = {_text(r.get("card_id")) for r in rows} - {""}
    emails = {_text(r.get("guardian1_email")).lower() for r in rows} - {""}
    users_by_email = dict(
        User.objects.annotate(email_lower=Lower("email"))
        .filter(email_lower__in=emails)
        .values_list("email_lower", "phone")
    )
    phones = {_phone(_text(r.get(f"guardian{n}_phone"))) for r in rows for n in (1, 2)}
    links = access.account_links([school.pk], phones)
    return _Lookup(
        year=year,
        classes={names.nfc(c.name): c for c in classes},
        classes_folded={_class_key(c.name): c for c in classes if folded[_class_key(c.name)] == 1},
        codes_elsewhere=set(
            Student.objects.filter(student_code__in=codes)
            .exclude(school=school)
            .values_list("student_code", flat=True)
        ),
        cards=dict(
            Student.objects.filter(school=school, card_id__in=cards)
            .values_list("card_id", "student_code")
        ),
        enrolled=dict(
            Enrolment.objects.active().filter(school_year=year)
            .values_list("student__student_code", "class_group_id")
        ),
        users_by_email=users_by_email,
        phones_with_account=set(
            User.objects.filter(phone__in=phones - {None}).values_list("phone", flat=True)
        ) if users_by_email else set(),
        phones_not_linkable={p for p, link in links.items() if link == access.LINK_REFUSED},
    )


def _class_key(name: str) -> str:
    """"10 a1" and "10A1" name the same class."""
    return names.fold(name).replace(" ", "")


def _phone(text: str) -> str | None:
    """The national form of a phone number, or None. Excel drops the leading 0 of a number
    typed into a numeric cell ("912345678"), so it is put back."""
    if not text:
        return None
    phone = normalize_phone(text)
    if phone is None and text.isdigit() and len(text) in (9, 10):
        phone = normalize_phone("0" + text)
    return phone


def parse_date(value) -> datetime.date | None:
    """A date from a date cell or from dd/mm/yyyy, d/m/yyyy (also with - or .) or yyyy-mm-dd;
    None when it is not a date that exists."""
    if isinstance(value, datetime.date):
        return value
    text = _text(value)
    day_first = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", text)
    iso = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00)?)?", text)
    try:
        if day_first:
            day, month, year = (int(g) for g in day_first.groups())
            return datetime.date(year, month, day)
        if iso:
            return datetime.date(*(int(g) for g in iso.groups()))
    except ValueError:
        return None
    return None


def _age_on(born: datetime.date, day: datetime.date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


class _RowCheck:
    """Checks one row; `run()` gives the PupilRow or None, and `errors` lists what was wrong."""

    def __init__(self, row: dict, lookup: _Lookup):
        self.row = row
        self.line = row["line"]
        self.lookup = lookup
        self.errors: list[RowError] = []

    def fail(self, key: str, code: str, message: str) -> None:
        self.errors.append(RowError(self.line, HEADERS[key], code, message))

    def text(self, key: str) -> str:
        return _text(self.row.get(key))

    def missing(self, key: str) -> None:
        self.fail(key, "missing_value", _("\"%(column)s\" is empty") % {"column": HEADERS[key]})

    def run(self) -> PupilRow | None:
        code = self.student_code()
        family, middle, given = self.name()
        values = dict(
            line=self.line,
            student_code=code,
            family_name=family,
            middle_name=middle,
            given_name=given,
            date_of_birth=self.date_of_birth(),
            sex=self.sex(),
            class_group=self.class_group(),
            card_id=self.card_id(code),
            guardians=self.guardians(),
        )
        return None if self.errors else PupilRow(**values)

    def student_code(self) -> str:
        code = self.text("student_code")
        seen = self.lookup.seen_codes
        if not code:
            self.missing("student_code")
        elif not CODE_RE.fullmatch(code):
            self.fail("student_code", "bad_code", _(
                "student code \"%(value)s\" is not valid "
                "(letters and digits only, at most 20 characters)"
            ) % {"value": code})
        elif code in seen:
            self.fail("student_code", "duplicate_code", _(
                "student code \"%(value)s\" already appears on line %(first)s"
            ) % {"value": code, "first": seen[code]})
        elif code in self.lookup.codes_elsewhere:
            self.fail("student_code", "code_in_other_school", _(
                "student code \"%(value)s\" belongs to a pupil of another school"
            ) % {"value": code})
        seen.setdefault(code, self.line)
        return code

    def name(self) -> tuple[str, str, str]:
        if "given_name" in self.row:
            parts = (self.text("family_name"), self.text("middle_name"), self.text("given_name"))
            keys = ("family_name", "middle_name", "given_name")
        else:
            parts = names.split_full_name(self.text("full_name"))
            keys = ("full_name",) * 3
        for part, key, limit in zip(parts, keys, (50, 80, 50)):
            if len(part) > limit:
                self.fail(key, "name_too_long", _(
                    "\"%(value)s\" is longer than %(limit)s characters"
                ) % {"value": part, "limit": limit})
        if not parts[0] or not parts[2]:
            key = keys[0] if not parts[0] else keys[2]
            self.fail(key, "missing_name", _(
                "the pupil's name is incomplete: a family name and a given name are needed"
            ))
        return parts

    def date_of_birth(self) -> datetime.date | None:
        raw = self.row.get("date_of_birth")
        if _text(raw) == "":
            self.missing("date_of_birth")
            return None
        born = parse_date(raw)
        if born is None:
            self.fail("date_of_birth", "bad_date", _(
                "date of birth \"%(value)s\" is not valid (format dd/mm/yyyy)"
            ) % {"value": _text(raw)})
            return None
        age = _age_on(born, self.lookup.year.start_date)
        if not MIN_AGE <= age <= MAX_AGE:
            self.fail("date_of_birth", "implausible_age", _(
                "date of birth %(value)s gives an age of %(age)s at the start of the school "
                "year; a pupil is %(min)s to %(max)s"
            ) % {"value": born.strftime("%d/%m/%Y"), "age": age, "min": MIN_AGE, "max": MAX_AGE})
        return born

    def sex(self) -> str:
        text = self.text("sex")
        if not text:
            self.missing("sex")
        elif names.fold(text) not in _SEXES:
            self.fail("sex", "bad_sex", _(
                "sex \"%(value)s\" is not valid (write Nam or Nữ)"
            ) % {"value": text})
        return _SEXES.get(names.fold(text), "")

    def class_group(self) -> ClassGroup | None:
        text = self.text("class_name")
        found = self.lookup.classes.get(text) or self.lookup.classes_folded.get(_class_key(text))
        if not text:
            self.missing("class_name")
        elif found is None:
            self.fail("class_name", "unknown_class", _(
                "class \"%(value)s\" is not a class of school year %(year)s"
            ) % {"value": text, "year": self.lookup.year.name})
        return found

    def card_id(self, code: str) -> str:
        card = self.text("card_id")
        owner = self.lookup.cards.get(card)
        if not card:
            return ""
        if len(card) > 40:
            self.fail("card_id", "card_too_long", _(
                "card number \"%(value)s\" is longer than 40 characters"
            ) % {"value": card})
        elif card in self.lookup.seen_cards:
            self.fail("card_id", "duplicate_card", _(
                "card number \"%(value)s\" already appears on line %(first)s"
            ) % {"value": card, "first": self.lookup.seen_cards[card]})
        elif owner is not None and owner != code:
            self.fail("card_id", "card_taken", _(
                "card number \"%(value)s\" belongs to the pupil with code %(code)s"
            ) % {"value": card, "code": owner})
        self.lookup.seen_cards.setdefault(card, self.line)
        return card

    def guardians(self) -> tuple[GuardianRow, ...]:
        found = []
        for number in (1, 2):
            guardian = self.guardian(number)
            if guardian is None:
                continue
            if found and guardian.phone and guardian.phone == found[0].phone:
                self.fail(f"guardian{number}_phone", "duplicate_guardian", _(
                    "the second guardian has the same phone number as the first"
                ))
                continue
            found.append(guardian)
        return tuple(found)

    def guardian(self, number: int) -> GuardianRow | None:
        """The guardian in columns `number`, or None when those cells are all empty."""
        keys = [f"guardian{number}_{part}" for part in ("name", "phone", "relationship", "email")]
        name, raw_phone, raw_relationship, email = (self.text(k) for k in keys)
        if not (name or raw_phone or raw_relationship or email):
            return None
        phone = self.guardian_phone(keys[1], raw_phone)
        if not name:
            self.fail(keys[0], "missing_name", _("the guardian's name is empty"))
        elif len(name) > 150:
            self.fail(keys[0], "name_too_long", _(
                "\"%(value)s\" is longer than %(limit)s characters"
            ) % {"value": name, "limit": 150})
        relationship = _RELATIONSHIPS.get(names.fold(raw_relationship))
        if raw_relationship and relationship is None:
            self.fail(keys[2], "bad_relationship", _(
                "relationship \"%(value)s\" is not valid (write Bố, Mẹ, Người giám hộ or Khác)"
            ) % {"value": raw_relationship})
        email = self.guardian_email(keys[3], email.lower(), phone)
        return GuardianRow(name=name, phone=phone or "", relationship=relationship, email=email)

    def guardian_phone(self, key: str, raw: str) -> str | None:
        phone = _phone(raw)
        if not raw:
            self.fail(key, "missing_value", _(
                "the guardian's phone number is empty; it identifies their account"
            ))
        elif phone is None:
            self.fail(key, "bad_phone", _(
                "phone number \"%(value)s\" is not a Vietnamese phone number (e.g. 0912 345 678)"
            ) % {"value": raw})
        elif phone in self.lookup.phones_not_linkable:
            self.fail(key, "account_not_linkable", str(NOT_LINKABLE))
        return phone

    def guardian_email(self, key: str, email: str, phone: str | None) -> str:
        """The e-mail, used only for a new account: it must be valid and nobody else's."""
        if not email:
            return ""
        try:
            validate_email(email)
        except ValidationError:
            self.fail(key, "bad_email", _("e-mail \"%(value)s\" is not valid") % {"value": email})
            return ""
        if phone is None or phone in self.lookup.phones_with_account:
            return email  # the existing account is left as it is
        owner = self.lookup.users_by_email.get(email, self.lookup.seen_emails.get(email, phone))
        if owner != phone:
            self.fail(key, "email_taken", _(
                "e-mail \"%(value)s\" already belongs to another account"
            ) % {"value": email})
        self.lookup.seen_emails.setdefault(email, phone)
        return email


def _class_size_errors(rows: list[PupilRow], lookup: _Lookup) -> list[RowError]:
    """Grades 6–12 have at most MAX_CLASS_SIZE pupils a class, counting the pupils already
    in the class and those the file moves in or out. One error per class, on its first line."""
    placed = dict(lookup.enrolled)
    first_line: dict[int, int] = {}
    classes = {}
    for row in rows:
        placed[row.student_code] = row.class_group.pk
        first_line.setdefault(row.class_group.pk, row.line)
        classes[row.class_group.pk] = row.class_group
    sizes = Counter(placed.values())
    return [
        RowError(first_line[pk], HEADERS["class_name"], "class_full", _(
            "class %(class)s would have %(count)s pupils, more than the %(max)s allowed"
        ) % {"class": group.name, "count": sizes[pk], "max": MAX_CLASS_SIZE})
        for pk, group in classes.items()
        if group.grade >= 6 and sizes[pk] > MAX_CLASS_SIZE
    ]


# --- Importing -----------------------------------------------------------------------------


@dataclass
class ImportResult:
    """What an import did (or, for a check, would do). A pupil counts as updated when their
    details or class changed; transfers also counts the class changes alone."""

    pupils_created: int = 0
    pupils_updated: int = 0
    pupils_unchanged: int = 0
    transfers: int = 0
    accounts_created: int = 0
    guardians_created: int = 0
    links_created: int = 0
    links_updated: int = 0
    links_requested: int = 0  # GuardianLinkRequests made, waiting for the holders
    dry_run: bool = False

    def summary(self) -> str:
        text = _(
            "Pupils added: %(created)s, updated: %(updated)s, unchanged: %(unchanged)s, moved to "
            "another class: %(transfers)s. New guardians: %(guardians)s (new accounts: "
            "%(accounts)s); guardian links added: %(links)s, changed: %(links_updated)s."
        ) % {
            "created": self.pupils_created,
            "updated": self.pupils_updated,
            "unchanged": self.pupils_unchanged,
            "transfers": self.transfers,
            "guardians": self.guardians_created,
            "accounts": self.accounts_created,
            "links": self.links_created,
            "links_updated": self.links_updated,
        }
        if self.links_requested:
            text += " " + _(
                "Guardian links waiting for the holder of the number to confirm: %(count)s."
            ) % {"count": self.links_requested}
        return text


@dataclass
class _ImportState:
    """Existing rows the import needs, loaded once, and updated as it creates more."""

    school: School
    start: datetime.date
    students: dict[str, Student]
    active: dict[int, Enrolment]  # student id -> active enrolment this year
    users: dict[str, User]  # phone -> user
    guardians: dict[int, Guardian]  # user id -> guardian
    links: dict[tuple[int, int], str]  # (guardian id, student id) -> relationship
    account_links: dict[str, str]  # phone -> access.LINK_*, accounts that existed before
    requests: set[tuple[int, str]]  # (student id, phone) of GuardianLinkRequests, any state
    user: User
    result: ImportResult


def import_pupils(
    *, school: School, rows: list[PupilRow], user: User, dry_run: bool = False
) -> ImportResult:
    """Create or update the pupils of `rows` (clean rows from validate_rows, no errors), their
    enrolment in this year's class and their guardians, in one transaction. With `dry_run`
    everything is rolled back and the result says what would have happened.

    Raises PermissionDenied unless `user` manages `school`."""
    if not access.can_manage_school(user, school):
        raise PermissionDenied
    year = school.current_year()
    with transaction.atomic():
        # One import at a time per school: a second one waits, then finds this one's pupils.
        School.objects.select_for_update().filter(pk=school.pk).first()
        state = _load_state(school, year, rows, user, dry_run)
        for row in rows:
            _import_row(row, state)
        if dry_run:
            transaction.set_rollback(True)
    logger.info("pupil import by user %s into school %s (dry run: %s): %s",
                user.pk, school.pk, dry_run, state.result)
    return state.result


def _load_state(
    school: School, year: SchoolYear, rows: list[PupilRow], user: User, dry_run: bool
) -> _ImportState:
    codes = [r.student_code for r in rows]
    found = Student.objects.filter(school=school, student_code__in=codes)
    students = {s.student_code: s for s in found}
    for student in students.values():
        student.school = school  # the sort key reads school.name_order
    phones = {g.phone for r in rows for g in r.guardians}
    users = {u.phone: u for u in User.objects.filter(phone__in=phones)}
    guardians = {g.user_id: g for g in Guardian.objects.filter(user__in=users.values())}
    links = Guardianship.objects.filter(
        student__in=students.values(), guardian__in=guardians.values()
    ).values_list("guardian_id", "student_id", "relationship")
    active = Enrolment.objects.active().filter(student__in=students.values(), school_year=year)
    requests = GuardianLinkRequest.objects.filter(
        student__in=students.values(), phone__in=phones
    ).values_list("student_id", "phone")
    return _ImportState(
        school=school,
        start=max(year.start_date, timezone.localdate()),
        students=students,
        active={e.student_id: e for e in active},
        users=users,
        guardians=guardians,
        links={(g, s): rel for g, s, rel in links},
        account_links=access.account_links([school.pk], phones),
        requests=set(requests),
        user=user,
        result=ImportResult(dry_run=dry_run),
    )


def _import_row(row: PupilRow, state: _ImportState) -> None:
    result = state.result
    student, created, changed = _save_student(row, state)
    moved = _place_in_class(student, row.class_group, state)
    if created:
        result.pupils_created += 1
    elif changed or moved:
        result.pupils_updated += 1
    else:
        result.pupils_unchanged += 1
    for guardian_row in row.guardians:
        _link_guardian(student, guardian_row, state)


_PUPIL_FIELDS = ("family_name", "middle_name", "given_name", "date_of_birth", "sex")


def _save_student(row: PupilRow, state: _ImportState) -> tuple[Student, bool, bool]:
    """(pupil, created, changed). An empty card cell keeps the card on file."""
    values = {name: getattr(row, name) for name in _PUPIL_FIELDS}
    if row.card_id:
        values["card_id"] = row.card_id
    student = state.students.get(row.student_code)
    if student is None:
        student = Student(school=state.school, student_code=row.student_code, **values)
        student.save()
        state.students[row.student_code] = student
        return student, True, False
    changed = [name for name, value in values.items() if getattr(student, name) != value]
    for name in changed:
        setattr(student, name, values[name])
    if changed:
        student.save(update_fields=changed)
    return student, False, bool(changed)


def _place_in_class(student: Student, class_group: ClassGroup, state: _ImportState) -> bool:
    """Enrol the pupil in `class_group` unless they are in it already; a pupil in another
    class this year is transferred (the old enrolment ends, the history stays)."""
    current = state.active.get(student.pk)
    if current is not None and current.class_group_id == class_group.pk:
        return False
    if current is not None:
        current.end(on=state.start, status=Enrolment.Status.TRANSFERRED)
        state.result.transfers += 1
    state.active[student.pk] = Enrolment.objects.create(
        student=student, class_group=class_group, start_date=state.start
    )
    return True


def _link_guardian(student: Student, row: GuardianRow, state: _ImportState) -> None:
    link = state.account_links.get(row.phone, access.LINK_DIRECTLY)
    if link == access.LINK_REFUSED:
        raise PermissionDenied  # validate_rows reports these rows; never link one
    if link == access.LINK_PENDING:
        _ask_holder(student, row, state)
        return
    guardian = _guardian_for(row, state)
    key = (guardian.pk, student.pk)
    current = state.links.get(key)
    if current is None:
        relationship = row.relationship or Guardianship.Relationship.GUARDIAN
        Guardianship.objects.create(guardian=guardian, student=student, relationship=relationship)
        state.links[key] = relationship
        state.result.links_created += 1
    elif row.relationship and row.relationship != current:
        Guardianship.objects.filter(guardian=guardian, student=student).update(
            relationship=row.relationship
        )
        state.links[key] = row.relationship
        state.result.links_updated += 1


def _ask_holder(student: Student, row: GuardianRow, state: _ImportState) -> None:
    """An account that is not this school's alone is not linked: its holder is asked (a
    GuardianLinkRequest). Once per pupil and number, whatever became of an earlier request
    (pending, accepted or declined), so importing the same file again changes nothing."""
    if (student.pk, row.phone) in state.requests:
        return
    GuardianLinkRequest.objects.create(
        school=state.school, student=student, phone=row.phone, holder=state.users[row.phone],
        requested_by=state.user,
        relationship=row.relationship or Guardianship.Relationship.GUARDIAN,
    )
    state.requests.add((student.pk, row.phone))
    state.result.links_requested += 1


def _guardian_for(row: GuardianRow, state: _ImportState) -> Guardian:
    """The guardian with this phone number, creating the account (named from the file, no
    usable password until they set one) and the guardian profile when missing. An existing
    account keeps its name and e-mail."""
    user = state.users.get(row.phone)
    if user is None:
        user = User.objects.create_user(
            phone=row.phone, full_name=row.name, email=row.email or None
        )
        state.users[row.phone] = user
        state.result.accounts_created += 1
    guardian = state.guardians.get(user.pk)
    if guardian is None:
        guardian = Guardian.objects.create(user=user)
        state.guardians[user.pk] = guardian
        state.result.guardians_created += 1
    return guardian


@dataclass
class ImportOutcome:
    errors: list[RowError]
    result: ImportResult | None  # None when there were errors


def run_import(
    *, school: School, uploaded_file: UploadedFile, user: User, dry_run: bool = False
) -> ImportOutcome:
    """Read, validate and (when every row is clean) import a file: the errors, or the result.
    Validation and import share one transaction so no other import slips in between."""
    try:
        rows = read_rows(uploaded_file)
    except ImportFileError as exc:
        return ImportOutcome(errors=exc.errors, result=None)
    with transaction.atomic():
        School.objects.select_for_update().filter(pk=school.pk).first()
        clean, errors = validate_rows(school, rows)
        if errors:
            return ImportOutcome(errors=errors, result=None)
        result = import_pupils(school=school, rows=clean, user=user, dry_run=dry_run)
    return ImportOutcome(errors=[], result=result)


# --- Sample files --------------------------------------------------------------------------


def sample_csv() -> bytes:
    """The sample CSV: our headers and one example row, UTF-8 with a BOM so Excel shows the
    Vietnamese letters."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([c.header for c in SAMPLE_COLUMNS])
    writer.writerow([SAMPLE_ROW.get(c.key, "") for c in SAMPLE_COLUMNS])
    return out.getvalue().encode("utf-8-sig")


def sample_xlsx() -> bytes:
    """The sample workbook; codes and phone numbers are text cells, so leading zeros stay."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Học sinh"
    sheet.append([c.header for c in SAMPLE_COLUMNS])
    for index, column in enumerate(SAMPLE_COLUMNS, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = max(12, len(column.header) + 4)
        value = SAMPLE_ROW.get(column.key, "")
        if column.key == "date_of_birth":
            value = parse_date(value)
        cell = sheet.cell(row=2, column=index, value=value)
        cell.number_format = "DD/MM/YYYY" if column.key == "date_of_birth" else "@"
        if column.key != "date_of_birth":
            sheet.column_dimensions[letter].number_format = "@"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
