"""GET /api/reports/statistics for the provincial department (reports/api.py): aggregates
only (no pupil's name or code anywhere in the body), for the school's managers and the
operator through the site's session; errors in the API's one shape, naming the field; a
fixed number of queries per class."""

import json

import pytest

from school.models import Term
from tests.conftest import assert_cast
from tests.reports.test_statistics import grade_pupil, new_pupil, rate, results  # noqa: F401

pytestmark = pytest.mark.django_db

URL = "/api/reports/statistics"


def get_as(client, user, **params):
    client.logout()
    if user.is_authenticated:
        client.force_login(user)
    return client.get(URL, params)


def error_of(response) -> dict:
    body = response.json()
    assert set(body) == {"error"}
    assert {"code", "message"} <= set(body["error"])
    return body["error"]


def fields_of(response) -> list[str]:
    return [f["field"] for f in error_of(response).get("fields") or []]


# ---------------------------------------------------------------------------------------
# Who may
# ---------------------------------------------------------------------------------------


def test_only_the_schools_managers_and_the_operator_get_its_statistics(client, cast):
    def answered(school):
        return lambda user: get_as(client, user, school=school.code, term="year").status_code == 200

    assert_cast(cast, answered(cast.school_a), {"operator", "principal"})
    assert_cast(cast, answered(cast.school_b), {"operator", "other_school_admin"})


def test_without_a_session_the_answer_is_401_in_the_api_shape(client, cast):
    response = get_as(client, cast.anonymous, school=cast.school_a.code)
    assert response.status_code == 401
    assert error_of(response)["code"] == "unauthorized"


def test_a_school_the_user_does_not_manage_is_404_like_one_that_does_not_exist(client, cast):
    for name in ("teacher_a1", "homeroom_a1", "group_head", "other_school_admin", "parent_a1",
                 "parent_of_two", "stranger"):
        mine = get_as(client, cast.users[name], school=cast.school_a.code)
        missing = get_as(client, cast.users[name], school="khong-co-truong-nay")
        assert mine.status_code == missing.status_code == 404, name
        assert error_of(mine) == error_of(missing)
        assert fields_of(mine) == ["school"]


# ---------------------------------------------------------------------------------------
# The body
# ---------------------------------------------------------------------------------------


def test_the_body_holds_counts_and_percentages_per_grade_and_class_and_no_pupil(client, results):
    cast = results.cast
    response = get_as(client, cast.principal, school=cast.school_a.code, year="2026-2027",
                      term="year")
    assert response.status_code == 200
    body = response.json()
    assert body["school"] == {"code": "thpt-ha-long", "name": "Trường THPT Hạ Long"}
    assert (body["school_year"], body["term"]) == ("2026–2027", "year")
    assert [c["code"] for c in body["categories"]["learning"]] == [
        "tot", "kha", "dat", "chua_dat", "incomplete"
    ]
    assert [c["label"] for c in body["categories"]["promotion"]][0] == "Được lên lớp"
    [grade] = body["grades"]
    a1, a2 = grade["classes"]
    assert (a1["name"], a1["pupils"], a2["name"], a2["pupils"]) == ("10A1", 4, "10A2", 1)
    learning = {c["code"]: (c["count"], c["percent"]) for c in a1["learning"]}
    assert learning == {"tot": (1, 25.0), "kha": (1, 25.0), "dat": (1, 25.0), "chua_dat": (0, 0.0),
                        "incomplete": (1, 25.0)}
    assert {c["code"]: c["count"] for c in a1["award"]}["xuat_sac"] == 1
    assert {c["code"]: c["count"] for c in a2["promotion"]}["ren_luyen_he"] == 1  # both Chưa đạt: training first
    assert body["total"]["pupils"] == grade["pupils"] == 5
    for row in (a1, a2, grade, body["total"]):
        for measure in ("learning", "conduct", "award", "promotion"):
            assert sum(c["count"] for c in row[measure]) == row["pupils"]
            assert abs(sum(c["percent"] for c in row[measure]) - 100) <= 0.2
    for measure in ("learning", "conduct", "award", "promotion"):
        for i, total in enumerate(body["total"][measure]):
            assert total["count"] == a1[measure][i]["count"] + a2[measure][i]["count"]
    # Aggregates only: nobody's name or code, in any form.
    text = response.content.decode()
    raw = json.dumps(body, ensure_ascii=True)
    for pupil in (results.an, results.chau, results.duong, results.duc, results.binh):
        for secret in (pupil.full_name, pupil.given_name + " ", pupil.student_code):
            assert secret not in text and secret not in raw, secret
    assert "Nguyễn" not in text and "Trần Thị" not in text and "Đặng" not in text


def test_a_term_has_no_award_or_promotion(client, results):
    cast = results.cast
    body = get_as(client, cast.operator, school=cast.school_a.code, term="1").json()
    assert body["term"] == "1"
    assert body["total"]["award"] is None and body["total"]["promotion"] is None
    assert set(body["categories"]) == {"learning", "conduct"}


def test_without_a_term_the_answer_is_for_the_term_today_falls_in(client, results):
    cast = results.cast
    body = get_as(client, cast.principal, school=cast.school_a.code).json()
    term = Term.objects.of_year(cast.class_a1.school_year).current()
    assert body["term"] == (str(term.number) if term else "year")


# ---------------------------------------------------------------------------------------
# Bad parameters
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("params, status, field", [
    ({}, 422, "school"),
    ({"school": ""}, 422, "school"),
    ({"school": "thpt ha long"}, 422, "school"),
    ({"school": "x" * 33}, 422, "school"),
    ({"school": "thpt-ha-long", "term": "3"}, 422, "term"),
    ({"school": "thpt-ha-long", "term": "ca-nam"}, 422, "term"),
    ({"school": "thpt-ha-long", "year": "1999-2000"}, 404, "year"),
    ({"school": "thpt-ha-long", "year": "2026\x00"}, 422, "year"),
    ({"school": "thpt-ha-long", "term": "2"}, 404, "term"),  # the cast's year has no term II
])
def test_a_bad_parameter_is_a_4xx_naming_the_field(client, cast, params, status, field):
    response = get_as(client, cast.principal, **params)
    assert response.status_code == status, response.content
    assert fields_of(response) == [field]


# ---------------------------------------------------------------------------------------
# Queries
# ---------------------------------------------------------------------------------------


def test_the_endpoint_runs_a_fixed_number_of_queries_per_class(client, results,
                                                                django_assert_num_queries):
    cast = results.cast
    client.force_login(cast.principal)
    params = {"school": cast.school_a.code, "term": "year"}
    # session, user, the school, its years, its classes (the whole year reads no term); fifteen
    # per class (the year cards read the awards and the summer's rows).
    with django_assert_num_queries(5 + 2 * 15):
        assert client.get(URL, params).status_code == 200
    for n in range(5):
        pupil = new_pupil(cast, cast.class_a2, "Phan", "Văn", f"Khải{n}")
        for term in (results.term1, results.term2):
            grade_pupil(cast, pupil, cast.class_a2, term, "8")
            rate(cast, pupil, term, "Tốt")
    with django_assert_num_queries(5 + 2 * 15):
        body = client.get(URL, params).json()
    assert body["total"]["pupils"] == 10
