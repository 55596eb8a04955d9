"""The graduating class's averages for the exam registration: an XLSX per grade-12 class for
the school's managers (Circular 24/2024 Art. 41), numbers with two decimals, logged."""

from decimal import Decimal
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from school.models import DataAccess
from tests.reports.test_graduating_cards import School

pytestmark = pytest.mark.django_db


@pytest.fixture
def school(cast):
    school = School(cast)
    pupil = school.pupil("Giang")
    school.grade_year(pupil, 10, [7] * 6)
    school.grade_year(pupil, 11, [7] * 6)
    school.grade_year(pupil, 12, [7, 7, 7, 7, 7, "7.3"])
    newcomer = school.pupil("Hà", grades=(12,))  # grades 10 and 11 at another school
    school.grade_year(newcomer, 12, [8] * 6)
    return school


def url(class_group):
    return reverse("reports:graduation_list", args=[class_group.pk])


def test_the_principal_downloads_the_class_s_averages_as_numbers(client, cast, school):
    client.force_login(cast.principal)
    response = client.get(url(school.classes[12]))

    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('.xlsx"')
    sheet = load_workbook(BytesIO(response.content)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=7)]
    giang, ha = (next(r for r in rows if r[1] and r[1].endswith(n)) for n in ("Giang", "Hà"))
    assert giang[2:5] == [school.classes[12].enrolments.get(student__given_name="Giang")
                          .student.student_code, "14/03/2010", "12A1"]
    # 7.00, 7.00, 7.05 and (7.00 + 14.00 + 21.15) / 6 = 7.025 → 7.03, as numbers
    assert giang[5:9] == [7.0, 7.0, 7.05, 7.03]
    cell = next(sheet.iter_rows(min_row=7 + rows.index(giang), max_row=7 + rows.index(giang)))
    assert cell[8].number_format == "0.00" and isinstance(cell[8].value, float)
    assert Decimal(str(cell[8].value)) == Decimal("7.03")
    # the newcomer: grade 12's figure, the earlier years and the average blank, the reason noted
    assert ha[5] in (None, "") and ha[6] in (None, "") and ha[7] == 8.0 and ha[8] in (None, "")
    assert "không có kết quả năm học lớp 10" in ha[9]
    logged = DataAccess.objects.get(action=DataAccess.Action.GRADUATION_LIST)
    assert logged.class_group == school.classes[12] and logged.pupils == 2


def test_only_managers_and_only_grade_12(client, cast, school):
    school.classes[12].homeroom_teacher = cast.homeroom_a1
    school.classes[12].save()
    client.force_login(cast.homeroom_a1)
    assert client.get(url(school.classes[12])).status_code == 404
    client.force_login(cast.other_school_admin)
    assert client.get(url(school.classes[12])).status_code == 404
    client.force_login(cast.principal)
    assert client.get(url(cast.class_a1)).status_code == 404  # grade 10: nothing to register
    assert not DataAccess.objects.filter(action=DataAccess.Action.GRADUATION_LIST).exists()


def test_the_class_summary_links_to_it_for_grade_12(client, cast, school):
    client.force_login(cast.principal)
    page = client.get(reverse("reports:class_summary", args=[school.classes[12].pk]))
    assert url(school.classes[12]) in page.content.decode()
    page = client.get(reverse("reports:class_summary", args=[cast.class_a1.pk]))
    assert "xet-tot-nghiep" not in page.content.decode()
