"""Import of pupils and guardians from CSV and XLSX (school/imports.py and its admin page).

Assertions are on each error's line, column and code, not on its wording, so they hold in
any language.
"""

import csv
import html
import datetime
import io
import unicodedata

import openpyxl
import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.text import capfirst
from django.utils import timezone, translation

from accounts.models import User
from school import imports
from school.models import Enrolment, Guardian, Guardianship, Student

pytestmark = pytest.mark.django_db

HEADER = [
    "Mã học sinh", "Họ", "Tên đệm", "Tên", "Ngày sinh", "Giới tính", "Lớp", "Mã thẻ",
    "Họ tên phụ huynh", "SĐT phụ huynh", "Quan hệ", "Email phụ huynh",
    "Họ tên phụ huynh 2", "SĐT phụ huynh 2", "Quan hệ 2",
]
IMPORT_URL = "admin:school_student_import"


def pupil(**values) -> dict:
    """One line of a file, keyed by header; a good pupil of 10A1 unless overridden."""
    line = {
        "Mã học sinh": "0220000001", "Họ": "Nguyễn", "Tên đệm": "Thị Ánh", "Tên": "Dương",
        "Ngày sinh": "14/03/2010", "Giới tính": "Nữ", "Lớp": "10A1",
        "Họ tên phụ huynh": "Nguyễn Văn Bình", "SĐT phụ huynh": "0912 345 678", "Quan hệ": "Bố",
        "Họ tên phụ huynh 2": "Trần Thị Hoa", "SĐT phụ huynh 2": "+84 987 654 321",
        "Quan hệ 2": "Mẹ",
    }
    line.update(values)
    return line


def good_rows() -> list[dict]:
    return [
        pupil(),
        pupil(**{
            "Mã học sinh": "0220000002", "Họ": "Lê", "Tên đệm": "Văn", "Tên": "An",
            "Ngày sinh": "2010-05-01", "Giới tính": "nam", "Lớp": "10A2",
            "Họ tên phụ huynh": "Lê Văn Cường", "SĐT phụ huynh": "0913 111 222", "Quan hệ": "bo",
            "Họ tên phụ huynh 2": "", "SĐT phụ huynh 2": "", "Quan hệ 2": "",
        }),
        pupil(**{
            "Mã học sinh": "0220000003", "Họ": "Phạm", "Tên đệm": "", "Tên": "Bình",
            "Ngày sinh": "1/9/2010", "Giới tính": "NAM", "Lớp": "10a1",
            "Họ tên phụ huynh": "", "SĐT phụ huynh": "", "Quan hệ": "",
            "Họ tên phụ huynh 2": "", "SĐT phụ huynh 2": "", "Quan hệ 2": "",
        }),
    ]


def csv_file(rows, *, header=HEADER, delimiter=",", name="hoc-sinh.csv", encoding="utf-8-sig"):
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(h, "") for h in header])
    return SimpleUploadedFile(name, out.getvalue().encode(encoding), content_type="text/csv")


def xlsx_file(rows, *, header=HEADER, above=(), name="hoc-sinh.xlsx", formats=None):
    """An XLSX file; `above` are lines written before the header, `formats` maps a header to
    a number format for its cells."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for line in above:
        sheet.append(line)
    sheet.append(header)
    for row in rows:
        sheet.append([row.get(h) if row.get(h) != "" else None for h in header])
        for index, h in enumerate(header, start=1):
            if formats and h in formats:
                sheet.cell(row=sheet.max_row, column=index).number_format = formats[h]
    out = io.BytesIO()
    workbook.save(out)
    return SimpleUploadedFile(name, out.getvalue())


def table_counts() -> dict[str, int]:
    """Rows in every table, to prove that nothing was written."""
    return {m._meta.label: m._default_manager.count() for m in apps.get_models()}


def run(cast, upload, *, user=None, dry_run=False) -> imports.ImportOutcome:
    return imports.run_import(
        school=cast.school_a, uploaded_file=upload, user=user or cast.principal, dry_run=dry_run
    )


def errors_of(outcome) -> list[tuple]:
    return [(e.line, e.column, e.code) for e in outcome.errors]


# --- Good files ----------------------------------------------------------------------------


def test_good_csv_imports_pupils_enrolments_and_guardians(cast):
    before = table_counts()
    outcome = run(cast, csv_file(good_rows()))

    assert outcome.errors == []
    result = outcome.result
    assert (result.pupils_created, result.pupils_updated, result.pupils_unchanged) == (3, 0, 0)
    assert (result.accounts_created, result.guardians_created, result.links_created) == (3, 3, 3)
    after = table_counts()
    assert after["school.Student"] == before["school.Student"] + 3
    assert after["school.Enrolment"] == before["school.Enrolment"] + 3

    duong = Student.objects.get(student_code="0220000001")
    assert duong.full_name == "Nguyễn Thị Ánh Dương"
    assert (duong.middle_name, duong.given_name) == ("Thị Ánh", "Dương")
    assert duong.school == cast.school_a
    assert duong.date_of_birth == datetime.date(2010, 3, 14)
    assert duong.sex == Student.Sex.FEMALE
    enrolment = duong.enrolments.get()
    assert enrolment.class_group == cast.class_a1
    assert enrolment.status == Enrolment.Status.ACTIVE
    assert enrolment.start_date == max(cast.class_a1.school_year.start_date, timezone.localdate())
    links = {
        (g.guardian.user.phone, g.guardian.user.full_name, g.relationship)
        for g in duong.guardianships.select_related("guardian__user")
    }
    assert links == {
        ("0912345678", "Nguyễn Văn Bình", Guardianship.Relationship.FATHER),
        ("0987654321", "Trần Thị Hoa", Guardianship.Relationship.MOTHER),
    }
    assert not User.objects.get(phone="0912345678").has_usable_password()

    an = Student.objects.get(student_code="0220000002")
    assert (an.sex, an.date_of_birth) == (Student.Sex.MALE, datetime.date(2010, 5, 1))
    assert an.enrolments.get().class_group == cast.class_a2
    binh = Student.objects.get(student_code="0220000003")
    assert (binh.middle_name, binh.date_of_birth) == ("", datetime.date(2010, 9, 1))
    assert binh.enrolments.get().class_group == cast.class_a1  # "10a1" names 10A1
    assert not binh.guardianships.exists()


def test_good_xlsx_imports_with_date_cells(cast):
    rows = good_rows()
    rows[0]["Ngày sinh"] = datetime.date(2010, 3, 14)
    rows[1]["Ngày sinh"] = datetime.datetime(2010, 5, 1)
    outcome = run(cast, xlsx_file(rows))

    assert outcome.errors == []
    assert outcome.result.pupils_created == 3
    born = dict(Student.objects.values_list("student_code", "date_of_birth"))
    assert born["0220000001"] == datetime.date(2010, 3, 14)
    assert born["0220000002"] == datetime.date(2010, 5, 1)
    assert Guardian.objects.filter(user__phone="0913111222").exists()


def test_importing_the_same_file_again_changes_nothing(cast):
    assert run(cast, csv_file(good_rows())).errors == []
    before = table_counts()
    snapshot = list(Student.objects.order_by("pk").values())

    result = run(cast, csv_file(good_rows())).result

    assert (result.pupils_created, result.pupils_updated, result.pupils_unchanged) == (0, 0, 3)
    assert (result.transfers, result.accounts_created, result.guardians_created) == (0, 0, 0)
    assert (result.links_created, result.links_updated) == (0, 0)
    assert table_counts() == before
    assert list(Student.objects.order_by("pk").values()) == snapshot


def test_xlsx_and_csv_of_the_same_list_are_the_same_import(cast):
    assert run(cast, csv_file(good_rows())).errors == []
    before = table_counts()
    result = run(cast, xlsx_file(good_rows())).result
    assert result.pupils_unchanged == 3
    assert table_counts() == before


def test_nfd_input_is_stored_as_nfc(cast):
    def nfd(text):
        return unicodedata.normalize("NFD", text)

    row = {nfd(k): nfd(v) for k, v in pupil().items()}  # headers too: a file saved on a Mac
    outcome = run(cast, csv_file([row], header=[nfd(h) for h in HEADER]))

    assert outcome.errors == []
    student = Student.objects.get(student_code="0220000001")
    for text in (student.family_name, student.middle_name, student.given_name):
        assert text == unicodedata.normalize("NFC", text)
    assert student.full_name == "Nguyễn Thị Ánh Dương"
    assert User.objects.get(phone="0912345678").full_name == "Nguyễn Văn Bình"
    # and the NFC file afterwards finds the same pupil and guardians
    assert run(cast, csv_file([pupil()])).result.pupils_unchanged == 1


def test_semicolon_separated_csv_from_vietnamese_excel(cast):
    outcome = run(cast, csv_file(good_rows(), delimiter=";"))
    assert outcome.errors == []
    assert outcome.result.pupils_created == 3


def test_csv_without_bom_is_read(cast):
    outcome = run(cast, csv_file(good_rows(), encoding="utf-8"))
    assert outcome.errors == []
    assert outcome.result.pupils_created == 3


def test_full_name_column_is_split(cast):
    header = ["Mã học sinh", "Họ và tên", "Ngày sinh", "Giới tính", "Lớp"]
    row = {"Mã học sinh": "0220000009", "Họ và tên": "  Nguyễn   Thị Ánh Dương ",
           "Ngày sinh": "14/03/2010", "Giới tính": "Nữ", "Lớp": "10A1"}
    assert run(cast, csv_file([row], header=header)).errors == []
    student = Student.objects.get(student_code="0220000009")
    parts = (student.family_name, student.middle_name, student.given_name)
    assert parts == ("Nguyễn", "Thị Ánh", "Dương")


def test_leading_zeros_of_codes_survive_xlsx(cast):
    rows = [
        pupil(**{"Mã học sinh": "0012345678"}),  # a text cell
        # number cells, the code in a zero-padded format
        pupil(**{"Mã học sinh": 12345679, "SĐT phụ huynh": 912345678}),
        pupil(**{"Mã học sinh": 2200000001.0, "Họ tên phụ huynh": "", "SĐT phụ huynh": "",
                 "Quan hệ": ""}),  # a float that must not become "2.2e9" or "2200000001.0"
    ]
    upload = xlsx_file(rows, formats={"Mã học sinh": "0000000000"})

    outcome = run(cast, upload)

    assert outcome.errors == []
    codes = set(Student.objects.filter(school=cast.school_a).values_list("student_code", flat=True))
    assert {"0012345678", "0012345679", "2200000001"} <= codes
    # Excel dropped the phone's leading 0 in a number cell; it is put back.
    assert Guardian.objects.filter(user__phone="0912345678").count() == 1


def test_header_below_title_rows_keeps_spreadsheet_line_numbers(cast):
    above = [["DANH SÁCH HỌC SINH NĂM HỌC 2026–2027"], []]
    rows = [pupil(), pupil(**{"Mã học sinh": "0220000002", "Lớp": "10A9"})]
    upload = xlsx_file(rows, above=above)
    outcome = run(cast, upload)
    assert errors_of(outcome) == [(5, "Lớp", "unknown_class")]


def test_pupil_in_another_class_is_transferred(cast):
    pupil_a1 = cast.pupil_a1
    old = pupil_a1.enrolments.get(status=Enrolment.Status.ACTIVE)
    row = pupil(**{
        "Mã học sinh": pupil_a1.student_code, "Họ": pupil_a1.family_name,
        "Tên đệm": pupil_a1.middle_name, "Tên": pupil_a1.given_name,
        "Ngày sinh": pupil_a1.date_of_birth.strftime("%d/%m/%Y"), "Giới tính": "Nữ", "Lớp": "10A2",
    })

    result = run(cast, csv_file([row])).result

    assert (result.transfers, result.pupils_updated, result.pupils_created) == (1, 1, 0)
    start = max(cast.class_a2.school_year.start_date, timezone.localdate())
    old.refresh_from_db()
    assert (old.status, old.end_date) == (Enrolment.Status.TRANSFERRED, start)
    new = pupil_a1.enrolments.get(status=Enrolment.Status.ACTIVE)
    assert (new.class_group, new.start_date) == (cast.class_a2, start)
    assert pupil_a1.enrolments.count() == 2  # the history stays
    # importing it again moves nobody
    again = run(cast, csv_file([row])).result
    assert (again.transfers, again.pupils_unchanged) == (0, 1)


def test_existing_account_is_linked_not_renamed(cast):
    teacher = cast.teacher_a1  # a teacher who is also a parent: has an account, no guardian profile
    row = pupil(**{"Họ tên phụ huynh": "Tên Khác Hẳn", "SĐT phụ huynh": teacher.phone,
                   "Họ tên phụ huynh 2": "", "SĐT phụ huynh 2": "", "Quan hệ 2": ""})
    users_before = User.objects.count()

    result = run(cast, csv_file([row])).result

    assert (result.accounts_created, result.guardians_created, result.links_created) == (0, 1, 1)
    assert User.objects.count() == users_before
    teacher.refresh_from_db()
    assert teacher.full_name == "Lê Văn Toán"
    assert teacher.guardian.students.get().student_code == "0220000001"


def test_changed_details_update_the_pupil(cast):
    assert run(cast, csv_file(good_rows())).errors == []
    rows = good_rows()
    rows[0]["Tên"] = "Dung"
    rows[0]["Quan hệ"] = "Người giám hộ"
    result = run(cast, csv_file(rows)).result
    assert (result.pupils_updated, result.pupils_unchanged, result.links_updated) == (1, 2, 1)
    student = Student.objects.get(student_code="0220000001")
    assert student.given_name == "Dung"
    assert student.search_name == "nguyen thi anh dung"


def test_new_guardian_gets_the_email(cast):
    row = pupil(**{"Email phụ huynh": "Binh.Nguyen@Example.vn"})
    assert run(cast, csv_file([row])).errors == []
    assert User.objects.get(phone="0912345678").email == "binh.nguyen@example.vn"


def test_sample_files_import_cleanly(cast, client):
    client.force_login(cast.principal)
    url = reverse(IMPORT_URL)
    for kind in ("csv", "xlsx"):
        response = client.get(url, {"mau": kind})
        assert response.status_code == 200
        assert response["Content-Disposition"].endswith(f'.{kind}"')
        upload = SimpleUploadedFile(f"mau.{kind}", response.content)
        rows = imports.read_rows(upload)
        clean, errors = imports.validate_rows(cast.school_a, rows)
        assert errors == [] and len(clean) == 1
        assert clean[0].student_code == "0220012345"
    assert client.get(url, {"mau": "1"})["Content-Type"].startswith("text/csv")


# --- Bad rows ------------------------------------------------------------------------------


BAD_ROWS = {
    "missing name": ({"Tên": ""}, "Tên", "missing_name"),
    "missing family name": ({"Họ": ""}, "Họ", "missing_name"),
    "impossible date": ({"Ngày sinh": "31/02/2011"}, "Ngày sinh", "bad_date"),
    "not a date": ({"Ngày sinh": "mười bốn"}, "Ngày sinh", "bad_date"),
    "missing date": ({"Ngày sinh": ""}, "Ngày sinh", "missing_value"),
    "too young": ({"Ngày sinh": "01/01/2024"}, "Ngày sinh", "implausible_age"),
    "too old": ({"Ngày sinh": "01/01/1990"}, "Ngày sinh", "implausible_age"),
    "unknown class": ({"Lớp": "10A9"}, "Lớp", "unknown_class"),
    "class of another school": ({"Lớp": "3A"}, "Lớp", "unknown_class"),
    "bad sex": ({"Giới tính": "X"}, "Giới tính", "bad_sex"),
    "missing code": ({"Mã học sinh": ""}, "Mã học sinh", "missing_value"),
    "bad code": ({"Mã học sinh": "HS 01"}, "Mã học sinh", "bad_code"),
    "bad phone": ({"SĐT phụ huynh": "12345"}, "SĐT phụ huynh", "bad_phone"),
    "guardian without phone": ({"SĐT phụ huynh": ""}, "SĐT phụ huynh", "missing_value"),
    "phone without guardian": ({"Họ tên phụ huynh 2": ""}, "Họ tên phụ huynh 2", "missing_name"),
    "bad second phone": ({"SĐT phụ huynh 2": "0912"}, "SĐT phụ huynh 2", "bad_phone"),
    "same guardian twice": (
        {"SĐT phụ huynh 2": "0913.111.222"}, "SĐT phụ huynh 2", "duplicate_guardian"
    ),
    "bad relationship": ({"Quan hệ": "Hàng xóm"}, "Quan hệ", "bad_relationship"),
    "bad email": ({"Email phụ huynh": "khong-phai-email"}, "Email phụ huynh", "bad_email"),
}


@pytest.mark.parametrize("change,column,code", BAD_ROWS.values(), ids=BAD_ROWS.keys())
def test_bad_row_is_reported_with_its_line_and_nothing_is_written(cast, change, column, code):
    rows = good_rows()
    rows[1].update(change)
    # keep the second guardian's columns filled in where the case needs them
    if column.endswith("2") or code == "duplicate_guardian":
        rows[1].update({k: v for k, v in pupil().items() if k.endswith("2") and k not in change})
    before = table_counts()

    outcome = run(cast, csv_file(rows))

    assert errors_of(outcome) == [(3, column, code)]
    assert outcome.result is None
    assert table_counts() == before


def test_duplicate_code_reports_the_later_line_and_names_the_first(cast):
    rows = good_rows()
    rows[2]["Mã học sinh"] = rows[0]["Mã học sinh"]
    before = table_counts()
    with translation.override("en"):
        outcome = run(cast, csv_file(rows))
        assert str(outcome.errors[0]).startswith("Line 4: ")
    assert errors_of(outcome) == [(4, "Mã học sinh", "duplicate_code")]
    assert "line 2" in outcome.errors[0].message
    assert table_counts() == before


def test_code_of_another_schools_pupil_is_refused(cast):
    rows = good_rows()
    rows[0]["Mã học sinh"] = cast.sibling_b.student_code
    before = table_counts()
    outcome = run(cast, csv_file(rows))
    assert errors_of(outcome) == [(2, "Mã học sinh", "code_in_other_school")]
    assert table_counts() == before


def test_card_of_another_pupil_is_refused(cast):
    cast.pupil_a2.card_id = "THE-001"
    cast.pupil_a2.save()
    rows = good_rows()
    rows[0]["Mã thẻ"] = "THE-001"
    rows[2]["Mã thẻ"] = "THE-002"
    rows[1]["Mã thẻ"] = "THE-002"
    outcome = run(cast, csv_file(rows))
    assert errors_of(outcome) == [(2, "Mã thẻ", "card_taken"), (4, "Mã thẻ", "duplicate_card")]


def test_email_of_another_account_is_refused(cast):
    User.objects.filter(pk=cast.parent_a2.pk).update(email="me@example.vn")
    outcome = run(cast, csv_file([pupil(**{"Email phụ huynh": "ME@example.vn"})]))
    assert errors_of(outcome) == [(2, "Email phụ huynh", "email_taken")]


def test_every_bad_row_is_reported(cast):
    rows = good_rows() + [pupil(**{"Mã học sinh": f"02200001{n:02d}"}) for n in range(4)]
    rows[0]["Ngày sinh"] = "31/02/2011"
    rows[0]["Lớp"] = "11B"
    rows[2]["Tên"] = ""
    rows[4]["Giới tính"] = "nữa"
    rows[6]["SĐT phụ huynh"] = "abc"
    before = table_counts()

    outcome = run(cast, csv_file(rows))

    assert errors_of(outcome) == [
        (2, "Ngày sinh", "bad_date"),
        (2, "Lớp", "unknown_class"),
        (4, "Tên", "missing_name"),
        (6, "Giới tính", "bad_sex"),
        (8, "SĐT phụ huynh", "bad_phone"),
    ]
    assert table_counts() == before


def test_class_over_45_pupils_is_refused(cast):
    rows = [
        pupil(**{"Mã học sinh": f"03{n:08d}", "Lớp": "10A2", "Họ tên phụ huynh": "",
                 "SĐT phụ huynh": "", "Quan hệ": "", "Họ tên phụ huynh 2": "",
                 "SĐT phụ huynh 2": "", "Quan hệ 2": ""})
        for n in range(45)
    ]  # 10A2 already has one pupil
    clean, errors = imports.validate_rows(cast.school_a, imports.read_rows(csv_file(rows)))
    assert [(e.line, e.column, e.code) for e in errors] == [(2, "Lớp", "class_full")]
    clean, errors = imports.validate_rows(cast.school_a, imports.read_rows(csv_file(rows[:44])))
    assert errors == []


# --- Bad files -----------------------------------------------------------------------------


def file_error(upload) -> list[tuple]:
    with pytest.raises(imports.ImportFileError) as caught:
        imports.read_rows(upload)
    return [(e.line, e.column, e.code) for e in caught.value.errors]


def test_missing_required_columns_are_file_errors():
    header = [h for h in HEADER if h not in ("Lớp", "Ngày sinh")]
    assert file_error(csv_file([pupil()], header=header)) == [
        (1, "Ngày sinh", "missing_column"),
        (1, "Lớp", "missing_column"),
    ]
    no_name = [h for h in HEADER if h not in ("Họ", "Tên đệm", "Tên")]
    assert file_error(csv_file([pupil()], header=no_name)) == [(1, "Họ và tên", "missing_column")]


def test_headers_match_without_case_spaces_or_tone_marks(cast):
    header = ["ma hoc sinh", "HỌ", "ten dem", "tên", "NGAY SINH", "Gioi tinh", "lop",
              "Ho ten phu huynh", "SDT phu huynh", "quan he"]
    row = dict(zip(header, ["0220000001", "Nguyễn", "Thị", "An", "14/03/2010", "Nữ", "10A1",
                            "Nguyễn Văn Bình", "0912345678", "Bố"]))
    outcome = run(cast, csv_file([row], header=header))
    assert outcome.errors == []
    assert outcome.result.links_created == 1


def test_repeated_column_is_a_file_error():
    upload = csv_file([pupil()], header=HEADER + ["Lớp"])
    assert file_error(upload) == [(1, "Lớp", "duplicate_column")]


def test_empty_files_are_refused():
    empty = [(None, "", "empty_file")]
    assert file_error(SimpleUploadedFile("hs.csv", b"")) == empty
    assert file_error(SimpleUploadedFile("hs.csv", "\ufeff\n;;\n".encode())) == empty
    assert file_error(csv_file([])) == empty  # a header, no pupils
    assert file_error(xlsx_file([])) == empty


def test_too_many_rows_are_refused(settings):
    settings.TRUONGSO_IMPORT_MAX_ROWS = 2
    assert file_error(csv_file(good_rows())) == [(None, "", "too_many_rows")]
    assert file_error(xlsx_file(good_rows())) == [(None, "", "too_many_rows")]
    assert len(imports.read_rows(csv_file(good_rows()[:2]))) == 2


def test_too_big_a_file_is_refused(settings):
    settings.TRUONGSO_IMPORT_MAX_BYTES = 100
    assert file_error(csv_file(good_rows())) == [(None, "", "too_big")]


def test_wrong_or_unreadable_files_are_refused():
    old_excel = SimpleUploadedFile("hs.xls", b"\xd0\xcf\x11\xe0")
    assert file_error(old_excel) == [(None, "", "bad_extension")]
    assert file_error(SimpleUploadedFile("hs", b"a,b")) == [(None, "", "bad_extension")]
    fake = SimpleUploadedFile("hs.xlsx", b"not a zip file")
    assert file_error(fake) == [(None, "", "unreadable")]
    damaged = SimpleUploadedFile("hs.xlsx", xlsx_file(good_rows()).read()[:2000])
    assert file_error(damaged) == [(None, "", "unreadable")]


@pytest.mark.parametrize("content", [
    "Mã học sinh,Họ,Tên".encode("utf-16"),  # Excel's "Unicode Text"
    "Ma hoc sinh,Ho,Ten".encode("utf-16-le"),  # ASCII only, no BOM: NUL bytes give it away
    b"M\xe3 h\xf4c sinh,H\xf4,T\xean",  # Windows-1258
], ids=["utf-16", "utf-16-ascii", "cp1258"])
def test_csv_not_in_utf8_is_refused_with_a_hint(content):
    upload = SimpleUploadedFile("hs.csv", content)
    with translation.override("en"):
        with pytest.raises(imports.ImportFileError) as caught:
            imports.read_rows(upload)
    (error,) = caught.value.errors
    assert error.code == "not_utf8"
    assert "CSV UTF-8" in error.message


def test_school_without_a_current_year_is_refused(cast):
    cast.school_a.years.update(is_current=False)
    outcome = run(cast, csv_file(good_rows()))
    assert errors_of(outcome) == [(None, "", "no_current_year")]


# --- Check only, access, queries -----------------------------------------------------------


def test_check_only_reports_what_would_happen_and_writes_nothing(cast):
    before = table_counts()
    outcome = run(cast, csv_file(good_rows()), dry_run=True)
    assert outcome.errors == []
    assert outcome.result.dry_run
    assert (outcome.result.pupils_created, outcome.result.accounts_created) == (3, 3)
    assert table_counts() == before


def test_service_refuses_a_user_who_does_not_manage_the_school(cast):
    rows = imports.read_rows(csv_file(good_rows()))
    clean, errors = imports.validate_rows(cast.school_a, rows)
    assert errors == []
    before = table_counts()
    for user in (cast.other_school_admin, cast.teacher_a1, cast.parent_a1):
        with pytest.raises(PermissionDenied):
            imports.import_pupils(school=cast.school_a, rows=clean, user=user)
    assert table_counts() == before


def test_validation_queries_do_not_grow_with_the_file(cast):
    def queries_for(count):
        rows = [
            pupil(**{
                "Mã học sinh": f"04{n:08d}", "Lớp": ("10A1", "10A2")[n % 2], "Mã thẻ": f"T{n}",
                "SĐT phụ huynh": f"0912{n:06d}", "SĐT phụ huynh 2": f"0913{n:06d}",
                "Email phụ huynh": f"ph{n}@example.vn",
            })
            for n in range(count)
        ]
        parsed = imports.read_rows(csv_file(rows))
        with CaptureQueriesContext(connection) as context:
            clean, errors = imports.validate_rows(cast.school_a, parsed)
        assert errors == [] and len(clean) == count
        return len(context.captured_queries)

    assert queries_for(3) == queries_for(30)


# --- The admin page ------------------------------------------------------------------------


def test_import_page_shows_the_form(cast, client):
    client.force_login(cast.principal)
    response = client.get(reverse(IMPORT_URL))
    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.fields["school"].queryset) == [cast.school_a]
    assert form.fields["school"].initial == cast.school_a.pk  # the only one, preselected
    content = response.content.decode()
    assert 'accept=".csv,.xlsx"' in content
    assert "?mau=csv" in content and "?mau=xlsx" in content
    assert reverse("admin:school_student_changelist") in content  # breadcrumbs


def test_import_page_lists_every_problem_of_a_bad_file(cast, client):
    client.force_login(cast.principal)
    rows = good_rows()
    rows[0]["Lớp"] = "10A9"
    rows[2]["Ngày sinh"] = "31/02/2011"
    before = table_counts()

    response = client.post(
        reverse(IMPORT_URL),
        {"school": cast.school_a.pk, "file": csv_file(rows)},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 200
    assert [(e.line, e.code) for e in response.context["import_errors"]] == [
        (2, "unknown_class"), (4, "bad_date"),
    ]
    content = response.content.decode()
    assert 'data-code="unknown_class"' in content and 'data-code="bad_date"' in content
    assert "31/02/2011" in content
    assert table_counts() == before


def test_import_page_imports_a_good_file_and_goes_to_the_pupil_list(cast, client):
    client.force_login(cast.principal)
    response = client.post(
        reverse(IMPORT_URL), {"school": cast.school_a.pk, "file": xlsx_file(good_rows())}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:school_student_changelist")
    assert Student.objects.filter(student_code__startswith="022000000").count() == 3


def test_import_page_check_only_saves_nothing(cast, client):
    client.force_login(cast.principal)
    before = table_counts()
    response = client.post(
        reverse(IMPORT_URL),
        {"school": cast.school_a.pk, "file": csv_file(good_rows()), "check_only": "on"},
    )
    assert response.status_code == 200
    assert response.context["check_summary"]
    assert response.context["import_errors"] == []
    assert table_counts() == before


def test_principal_of_school_b_cannot_import_into_school_a(cast, client):
    client.force_login(cast.other_school_admin)
    before = table_counts()
    response = client.post(
        reverse(IMPORT_URL), {"school": cast.school_a.pk, "file": csv_file(good_rows())}
    )
    assert response.status_code == 200
    assert "school" in response.context["form"].errors
    assert table_counts() == before


def test_import_page_is_closed_to_people_who_manage_no_school(cast, client):
    for user in (cast.teacher_a1, cast.parent_a1):
        client.force_login(user)
        response = client.get(reverse(IMPORT_URL))
        assert response.status_code == 302  # to the admin login
        assert "/login/" in response["Location"]


def test_a_secretary_reads_each_problem_in_vietnamese(cast, client):
    client.force_login(cast.principal)
    rows = good_rows()
    rows[0]["Lớp"] = "10A9"
    rows[1]["Tên"] = ""
    rows[2]["Ngày sinh"] = "31/02/2011"
    response = client.post(reverse(IMPORT_URL), {"school": cast.school_a.pk, "file": csv_file(rows)})
    rendered = [e.message for e in response.context["import_errors"]]
    content = response.content.decode()
    assert len(rendered) == 3
    for message in rendered:
        assert html.escape(capfirst(message)) in content
    assert "10A9" in rendered[0] and "lớp" in rendered[0].lower()
    assert "tên" in rendered[1].lower()
    assert "ngày sinh" in rendered[2].lower() and "31/02/2011" in rendered[2]
