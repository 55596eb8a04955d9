"""The user of each request: read by one prepared statement with persistent connections, the
same user the ORM reads, and never kept: a deactivated user is out on their next request."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.backends import UserBackend
from tests import factories as f

pytestmark = pytest.mark.django_db

PORTAL = "/phu-huynh/"


def field_values(user):
    return {field.attname: getattr(user, field.attname) for field in user._meta.concrete_fields}


@pytest.mark.parametrize("persistent", [True, False])
def test_the_backend_reads_the_same_user_as_the_orm(request, persistent):
    if persistent:
        request.getfixturevalue("persistent_connections")
    user = f.UserFactory(full_name="Đặng Thị Hồng", email="hong@example.vn", is_staff=True)
    with CaptureQueriesContext(connection) as ctx:
        got = UserBackend().get_user(user.pk)
    assert field_values(got) == field_values(get_user_model().objects.get(pk=user.pk))
    assert got._state.adding is False and got._state.db == "default"  # saves as an update
    executed = [q["sql"].split()[0] for q in ctx.captured_queries]
    assert executed[-1] == ("EXECUTE" if persistent else "SELECT")
    got.full_name = "Đặng Thị Hồng Nhung"
    got.save(update_fields=["full_name"])
    assert get_user_model().objects.get(pk=user.pk).full_name == "Đặng Thị Hồng Nhung"


def test_an_unknown_or_inactive_user_is_nobody(persistent_connections):
    user = f.UserFactory(is_active=False)
    assert UserBackend().get_user(user.pk) is None
    assert UserBackend().get_user(user.pk + 1000) is None


def test_deactivating_a_user_ends_their_session_on_the_next_request(cast, client, persistent_connections):
    client.force_login(cast.parent_a1)
    assert client.get(PORTAL).status_code == 200
    type(cast.parent_a1).objects.filter(pk=cast.parent_a1.pk).update(is_active=False)
    response = client.get(PORTAL)
    assert response.status_code == 302 and "/tai-khoan/dang-nhap/" in response["Location"]


def test_a_new_password_ends_the_other_sessions(cast, client, persistent_connections):
    client.force_login(cast.parent_a1)
    assert client.get(PORTAL).status_code == 200
    cast.parent_a1.set_password("mat-khau-moi-2026")
    cast.parent_a1.save()
    assert client.get(PORTAL).status_code == 302
