"""The sessions a person can see and end (/tai-khoan/phien/): the list, ending one or all but
this one, a new password ending the others, staff signed out after inactivity, and the
middleware's "last seen" costing no query on an ordinary request."""

import time

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from django.db import connection
from django.test.utils import CaptureQueriesContext

from signin import sessions, twofactor
from signin.models import SignedInSession
from tests import factories as f
from tests.clients import Client

pytestmark = pytest.mark.django_db

LOGIN = "/tai-khoan/dang-nhap/"
SESSIONS = "/tai-khoan/phien/"
SET_PASSWORD = "/tai-khoan/mat-khau/dat/"
ANDROID = "Mozilla/5.0 (Linux; Android 13; SM-A546E) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Mobile Safari/537.36"
IPHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1"
PAGE = "/hop-thu/"  # the inbox: any signed-in page


@pytest.fixture
def parent(db):
    return f.GuardianFactory(user__phone="0912345678").user


@pytest.fixture
def teacher(db):
    return f.StaffMembershipFactory(user__phone="0987654321").user


def signed_in(user, agent=ANDROID) -> Client:
    """A browser signed in through the real login form."""
    client = Client(HTTP_USER_AGENT=agent)
    response = client.post(LOGIN, {"username": user.phone, "password": f.TEST_PASSWORD})
    assert response.status_code == 302 and "_auth_user_id" in client.session
    if twofactor.pending(client.session):  # staff: the authenticator app's code, as typed
        device = TOTPDevice.objects.filter(user=user).first() or f.second_factor(user)
        assert client.post("/tai-khoan/xac-thuc/", {"code": f.code_for(device)}).status_code == 302
    return client


def is_signed_out(client) -> bool:
    response = client.get(PAGE)
    return response.status_code == 302 and response["Location"].startswith(LOGIN)


def test_two_browsers_of_one_parent_both_appear(parent):
    phone, laptop = signed_in(parent, ANDROID), signed_in(parent, IPHONE)
    page = phone.get(SESSIONS).content.decode()
    assert "Chrome trên Android" in page and "Safari trên iPhone" in page
    assert page.count("Thiết bị này") == 1
    assert SignedInSession.objects.filter(user=parent).count() == 2
    assert not is_signed_out(laptop)


def test_ending_the_other_session_signs_that_browser_out(parent):
    phone, laptop = signed_in(parent), signed_in(parent, IPHONE)
    other = SignedInSession.objects.get(session_key=laptop.session.session_key)
    response = phone.post(SESSIONS, {"end": other.pk})
    assert response.status_code == 302
    assert is_signed_out(laptop)
    assert not is_signed_out(phone)
    assert not SignedInSession.objects.filter(pk=other.pk).exists()


def test_signing_out_everywhere_else_keeps_this_browser(parent):
    phone, laptop, tablet = signed_in(parent), signed_in(parent, IPHONE), signed_in(parent)
    phone.post(SESSIONS, {"others": "1"})
    assert is_signed_out(laptop) and is_signed_out(tablet)
    assert not is_signed_out(phone)
    assert list(SignedInSession.objects.values_list("session_key", flat=True)) == [phone.session.session_key]


def test_another_persons_session_is_a_404(parent, teacher):
    phone, theirs = signed_in(parent), signed_in(teacher)
    row = SignedInSession.objects.get(user=teacher)
    assert phone.post(SESSIONS, {"end": row.pk}).status_code == 404
    assert not is_signed_out(theirs)


def test_signing_out_deletes_the_row(parent):
    phone = signed_in(parent)
    phone.post("/tai-khoan/dang-xuat/")
    assert not SignedInSession.objects.exists()


def test_a_new_password_ends_the_other_sessions(parent):
    phone, laptop = signed_in(parent), signed_in(parent, IPHONE)
    session = phone.session
    session["signin_code_at"] = time.time()  # just signed in with a code
    session.save()
    new = "ca-phe-sua-da-7"
    response = phone.post(SET_PASSWORD, {"new_password1": new, "new_password2": new})
    assert response.status_code == 302
    assert not is_signed_out(phone)
    assert SignedInSession.objects.get().session_key == phone.session.session_key
    assert SignedInSession.objects.get().auth_hash == parent.__class__.objects.get().get_session_auth_hash()
    # Ended in the store, not only refused: the old key is gone.
    assert not sessions.importlib.import_module("django.contrib.sessions.backends.db").SessionStore().exists(
        laptop.cookies["sessionid"].value
    )
    assert is_signed_out(laptop)


def test_a_session_made_stale_elsewhere_is_not_listed(parent):
    phone, laptop = signed_in(parent), signed_in(parent, IPHONE)
    stale_key = laptop.session.session_key
    SignedInSession.objects.filter(session_key=stale_key).update(auth_hash="old")
    page = phone.get(SESSIONS).content.decode()
    assert "Safari" not in page
    assert not SignedInSession.objects.filter(session_key=stale_key).exists()


def idle(client, seconds: float) -> None:
    session = client.session
    session[sessions.SEEN_KEY] = time.time() - seconds
    session.save()


def test_a_teacher_idle_past_the_limit_is_signed_out_with_a_message(teacher, settings):
    settings.STAFF_SESSION_IDLE_MINUTES = 60
    browser = signed_in(teacher)
    idle(browser, 59 * 60)
    assert browser.get(PAGE).status_code == 200
    idle(browser, 61 * 60)
    response = browser.get(PAGE)
    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN}?next=%2Fhop-thu%2F"
    assert response["Clear-Site-Data"] == '"cache", "storage"'  # as every sign-out does
    login_page = browser.get(response["Location"]).content.decode()
    assert "Bạn đã được đăng xuất vì không hoạt động trong 60 phút" in login_page
    assert is_signed_out(browser)
    assert not SignedInSession.objects.exists()


def test_a_parent_is_never_idled_out(parent, settings):
    settings.STAFF_SESSION_IDLE_MINUTES = 60
    browser = signed_in(parent)
    idle(browser, 10 * 24 * 3600)
    assert browser.get(PAGE).status_code == 200


def test_last_seen_costs_no_query_within_five_minutes(parent, django_assert_num_queries):
    browser = signed_in(parent)
    browser.get(PAGE)
    # What the page costs without the middleware's write:
    with CaptureQueriesContext(connection) as plain:
        browser.get(PAGE)
    idle(browser, sessions.SEEN_EVERY - 30)
    with django_assert_num_queries(len(plain.captured_queries)):
        browser.get(PAGE)
    idle(browser, sessions.SEEN_EVERY + 30)
    before = SignedInSession.objects.get().last_seen_at
    # The session's save (an UPDATE in a savepoint: 3 inside a test's transaction) + our row.
    with django_assert_num_queries(len(plain.captured_queries) + 4):
        browser.get(PAGE)
    assert SignedInSession.objects.get().last_seen_at > before


def test_the_page_runs_the_same_queries_for_one_and_four_sessions(parent, django_assert_num_queries):
    phone = signed_in(parent)
    phone.get(SESSIONS)
    with django_assert_num_queries(QUERIES):
        phone.get(SESSIONS)
    for _ in range(3):
        signed_in(parent, IPHONE)
    with django_assert_num_queries(QUERIES):
        assert phone.get(SESSIONS).content.decode().count("Safari trên iPhone") == 3


QUERIES = 4  # the session, the user, the rows, the navigation's school memberships


def test_old_rows_are_purged(parent):
    signed_in(parent)
    SignedInSession.objects.update(last_seen_at=sessions.timezone.now() - sessions.kept_for() * 2)
    signed_in(parent)
    assert sessions.purge_old_sessions() == 1
    assert SignedInSession.objects.count() == 1


@pytest.mark.parametrize("agent, label", [
    (ANDROID, "Chrome on Android"),
    (IPHONE, "Safari on iPhone"),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36 Edg/120.0", "Edge on Windows"),
    ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:121.0) Gecko/20100101 Firefox/121.0", "Firefox on macOS"),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) coc_coc_browser/117.0 Chrome/111.0 Safari/537.36", "Cốc Cốc on Windows"),
    ("", "Unknown device"),
])
def test_device_labels(agent, label, settings):
    from django.utils import translation

    with translation.override("en"):
        assert sessions.device_label(agent) == label


def test_the_operator_setting_someones_password_ends_all_their_sessions(parent):
    phone, laptop = signed_in(parent), signed_in(parent, IPHONE)
    operator = f.UserFactory(is_superuser=True, is_staff=True, email="op@truongso.vn")
    admin = Client()
    admin.force_login(operator)
    new = "ca-phe-sua-da-7"
    response = admin.post(f"/cms/users/edit/{parent.pk}/", {
        "username": parent.phone, "email": "cha@truongso.vn", "first_name": "A", "last_name": "B",
        "phone": parent.phone,
        "password1": new, "password2": new, "is_active": "on",
    })
    parent.refresh_from_db()
    assert parent.check_password(new), (response.context["form"].errors, list(response.context["form"].fields))
    assert not SignedInSession.objects.filter(user=parent).exists()
    assert is_signed_out(phone) and is_signed_out(laptop)


def test_a_principals_new_password_in_the_django_admin_ends_the_other_sessions():
    principal = f.StaffMembershipFactory(role="principal", user__phone="0911111111").user
    office, home = signed_in(principal), signed_in(principal, IPHONE)
    new = "ca-phe-sua-da-7"
    response = office.post("/quan-tri/password_change/", {
        "old_password": f.TEST_PASSWORD, "new_password1": new, "new_password2": new,
    })
    assert response.status_code == 302
    assert not is_signed_out(office)
    assert list(SignedInSession.objects.values_list("session_key", flat=True)) == [office.session.session_key]
    assert is_signed_out(home)
