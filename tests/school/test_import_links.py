"""Issue #10, hole 1 in the import: an account found by its phone is linked directly only
when it is this school's alone; staff and operators are row errors; any other account gets
a pending GuardianLinkRequest, which grants nothing."""

import pytest
from django.urls import reverse

from school.models import Guardianship, GuardianLinkRequest
from tests.school.test_import import IMPORT_URL, csv_file, errors_of, pupil, run, table_counts

pytestmark = pytest.mark.django_db


def one_guardian(phone: str, relationship: str = "Mẹ", **values) -> dict:
    return pupil(**{"Họ tên phụ huynh": "Tên Trong Tệp", "SĐT phụ huynh": phone,
                    "Quan hệ": relationship, "Họ tên phụ huynh 2": "", "SĐT phụ huynh 2": "",
                    "Quan hệ 2": "", **values})


@pytest.mark.parametrize("holder", ["operator", "other_school_admin", "principal"])
def test_an_operators_or_staff_account_is_a_row_error_and_nothing_is_written(cast, holder):
    before = table_counts()
    outcome = run(cast, csv_file([one_guardian(cast.users[holder].phone)]))

    assert errors_of(outcome) == [(2, "SĐT phụ huynh", "account_not_linkable")]
    assert cast.users[holder].full_name not in str(outcome.errors[0])
    assert table_counts() == before


def test_a_parent_with_a_child_elsewhere_gets_a_pending_request_not_a_link(cast):
    parent = cast.parent_of_two
    with_b = list(Guardianship.objects.filter(guardian__user=parent))
    outcome = run(cast, csv_file([one_guardian(parent.phone)]), user=cast.principal)

    assert outcome.errors == []
    assert outcome.result.links_requested == 1 and outcome.result.links_created == 0
    assert list(Guardianship.objects.filter(guardian__user=parent)) == with_b
    request = GuardianLinkRequest.objects.get()
    assert (request.phone, request.school, request.relationship) == (
        parent.phone, cast.school_a, Guardianship.Relationship.MOTHER
    )
    assert request.student.student_code == "0220000001" and request.decided_at is None
    assert request.requested_by == cast.principal


def test_reimporting_asks_no_second_time_even_after_a_decline(cast):
    upload = lambda: csv_file([one_guardian(cast.parent_of_two.phone)])  # noqa: E731
    run(cast, upload())
    GuardianLinkRequest.objects.get().decide(accepted=False)
    before = table_counts()

    result = run(cast, upload()).result

    assert result.links_requested == 0 and table_counts() == before


def test_an_account_of_no_school_is_asked_too(cast):
    result = run(cast, csv_file([one_guardian(cast.stranger.phone)])).result
    assert result.links_requested == 1
    assert not Guardianship.objects.filter(guardian__user=cast.stranger).exists()


def test_siblings_at_the_same_school_link_directly(cast):
    result = run(cast, csv_file([one_guardian(cast.parent_a1.phone)])).result
    assert (result.links_created, result.links_requested) == (1, 0)
    assert cast.parent_a1.guardian.students.count() == 2


def test_the_result_page_reports_the_pending_links(cast, client):
    client.force_login(cast.principal)
    upload = csv_file([one_guardian(cast.parent_of_two.phone)])
    response = client.post(reverse(IMPORT_URL), {"school": cast.school_a.pk, "file": upload},
                           follow=True)
    shown = " ".join(str(m) for m in response.context["messages"])
    assert "chờ người giữ số điện thoại xác nhận: 1" in shown
    assert cast.parent_of_two.full_name not in response.content.decode()


def test_check_only_counts_the_requests_it_would_make(cast):
    before = table_counts()
    result = run(cast, csv_file([one_guardian(cast.parent_of_two.phone)]), dry_run=True).result
    assert result.links_requested == 1 and table_counts() == before
