"""A session is tied to the account's password AND phone (accounts.models.User's session auth
hash): a sign-in code goes to the phone, so when the school changes the phone, whoever holds the
old phone's sessions is signed out; a password change still signs out the other sessions and
keeps the one that made it; rotating SECRET_KEY (with the old one in SECRET_KEY_FALLBACKS) keeps
everyone signed in."""

import time

import pytest
from django.contrib.auth import HASH_SESSION_KEY
from django.urls import reverse

from tests import factories as f
from tests.clients import Client
from tests.conftest import as_user

pytestmark = pytest.mark.django_db

INBOX = "/hop-thu/"


def _signed_in(client) -> bool:
    return client.get(INBOX).status_code == 200


def test_the_school_changing_a_parents_phone_signs_that_parent_out(cast, client):
    parent_phone = Client()
    parent_phone.force_login(cast.parent_a1)
    assert _signed_in(parent_phone)
    as_user(client, cast.principal)
    response = client.post(reverse("admin:accounts_user_change", args=[cast.parent_a1.pk]), {
        "full_name": cast.parent_a1.full_name, "phone": "0933 111 222", "email": "", "is_active": "on",
    })
    assert response.status_code == 302
    cast.parent_a1.refresh_from_db()
    assert cast.parent_a1.phone == "0933111222"
    assert not _signed_in(parent_phone)
    assert _signed_in(client)  # the principal who changed it stays in


def test_changing_something_else_keeps_the_parent_signed_in(cast, client):
    parent_phone = Client()
    parent_phone.force_login(cast.parent_a1)
    as_user(client, cast.principal)
    client.post(reverse("admin:accounts_user_change", args=[cast.parent_a1.pk]), {
        "full_name": "Trần Văn Bố Mới", "phone": cast.parent_a1.phone, "email": "", "is_active": "on",
    })
    cast.parent_a1.refresh_from_db()
    assert cast.parent_a1.full_name == "Trần Văn Bố Mới"
    assert _signed_in(parent_phone)


def test_the_hash_depends_on_the_phone_and_the_password():
    user = f.UserFactory.build(phone="0912345678")
    user.set_password("mot-mat-khau-dai")
    first = user.get_session_auth_hash()
    user.phone = "0912345679"
    assert user.get_session_auth_hash() != first
    user.phone = "0912345678"
    assert user.get_session_auth_hash() == first
    user.set_password("mat-khau-khac-hẳn")
    assert user.get_session_auth_hash() != first


def test_a_password_change_signs_out_other_sessions_and_keeps_this_one(client):
    user = f.UserFactory()
    other_device = Client()
    other_device.force_login(user)
    client.force_login(user)
    session = client.session
    session["signin_code_at"] = time.time()  # just signed in with a code
    session.save()
    response = client.post("/tai-khoan/mat-khau/dat/", {
        "new_password1": "ca-phe-sua-da-7", "new_password2": "ca-phe-sua-da-7",
    })
    assert response.status_code == 302
    assert _signed_in(client)
    assert not _signed_in(other_device)


def test_rotating_the_secret_key_keeps_sessions(client, settings):
    user = f.UserFactory()
    client.force_login(user)
    old_hash = client.session[HASH_SESSION_KEY]
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-new-secret-key-" + "x" * 50
    assert _signed_in(client)
    assert client.session[HASH_SESSION_KEY] != old_hash  # Django moved it to the new key
    settings.SECRET_KEY_FALLBACKS = []
    assert _signed_in(client)

