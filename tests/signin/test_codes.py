"""Signing in with a one-time code sent by SMS: the pages at /tai-khoan/ma/…, the codes' rules
(hashed, 5 minutes, 5 tries), the limits, the same answer for every number, and the code's trip
through the outbox (encrypted, wiped, never logged). The SMS gateway is the file gateway: its
file is the parent's phone."""

import datetime
import json
import logging
import re
import threading

import pytest
from django.db import connection, connections
from django.utils import timezone

from contactbook import inbox, notifications
from contactbook.models import Delivery, Notification
from signin import codes
from signin.models import SignInCode
from tests import factories as f

pytestmark = pytest.mark.django_db

ASK = "/tai-khoan/ma/"
ENTER = "/tai-khoan/ma/nhap/"
SET_PASSWORD = "/tai-khoan/mat-khau/dat/"
PHONE = "0912345678"
UNKNOWN = "0987654321"
CSRF = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]+"')


@pytest.fixture
def sms_file(settings, tmp_path):
    settings.SMS_FILE_PATH = tmp_path / "sms.jsonl"
    settings.SMS_GATEWAY = "contactbook.channels.FileSmsGateway"
    return settings.SMS_FILE_PATH


@pytest.fixture
def parent(db):
    """A parent the school imported: a phone, no usable password."""
    user = f.UserFactory(full_name="Trần Thị Mới", phone=PHONE)
    user.set_unusable_password()
    user.save()
    return user


@pytest.fixture
def outbox_runs(django_capture_on_commit_callbacks):
    """Each request's after-commit work (the Celery delivery, eager in tests) run as it would
    after a real commit."""

    def run(call, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return call(*args, **kwargs)

    return run


def texts_to(path, phone: str) -> list[str]:
    if not path.exists():
        return []
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    return [line["text"] for line in lines if line["phone"] == phone]


def code_on_phone(path, phone: str = PHONE) -> str:
    """The code in the newest SMS to `phone`, read as the parent reads it."""
    (code,) = re.findall(r"\b\d{6}\b", texts_to(path, phone)[-1])
    return code


def ask(client, outbox_runs, phone=PHONE, address="10.0.0.1", **data):
    return outbox_runs(client.post, ASK, {"phone": phone, **data}, REMOTE_ADDR=address)


def enter(client, code, remember=False, address="10.0.0.1"):
    data = {"code": code, **({"remember": "on"} if remember else {})}
    return client.post(ENTER, data, REMOTE_ADDR=address)


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


# ------------------------------------------------------------------ signing in


def test_a_parent_with_no_password_signs_in_with_the_code_from_the_sms(client, sms_file, parent, outbox_runs):
    assert not parent.has_usable_password()
    response = ask(client, outbox_runs)
    assert response.status_code == 302 and response["Location"] == ENTER
    page = client.get(ENTER)
    assert "0912 345 678" in page.content.decode()
    response = enter(client, code_on_phone(sms_file))
    assert response.status_code == 302 and response["Location"] == SET_PASSWORD  # optional, offered
    assert int(client.session["_auth_user_id"]) == parent.pk
    assert client.get("/hop-thu/").status_code == 200


def test_the_sms_says_what_the_code_is_for_in_vietnamese(client, sms_file, parent, outbox_runs):
    ask(client, outbox_runs)
    (text,) = texts_to(sms_file, PHONE)
    assert "mã đăng nhập" in text and "5 phút" in text and "Không đưa mã này cho bất kỳ ai" in text


def test_a_code_works_once(client, sms_file, parent, outbox_runs):
    ask(client, outbox_runs)
    code = code_on_phone(sms_file)
    row = SignInCode.objects.get()
    assert codes.check_code(code_id=row.pk, typed=code) == parent
    with pytest.raises(codes.CodeExpired):
        codes.check_code(code_id=row.pk, typed=code)


def test_a_new_code_replaces_the_old_one(client, sms_file, parent, outbox_runs):
    ask(client, outbox_runs)
    first = code_on_phone(sms_file)
    ask(client, outbox_runs)
    second = code_on_phone(sms_file)
    old, new = SignInCode.objects.order_by("created_at")
    with pytest.raises(codes.CodeExpired):
        codes.check_code(code_id=old.pk, typed=first)
    assert codes.check_code(code_id=new.pk, typed=second) == parent


def test_staff_may_sign_in_with_a_code_too(client, sms_file, outbox_runs):
    teacher = f.UserFactory(phone="0911222333")
    f.StaffMembershipFactory(user=teacher)
    ask(client, outbox_runs, phone="0911 222 333")
    enter(client, code_on_phone(sms_file, "0911222333"))
    assert int(client.session["_auth_user_id"]) == teacher.pk


def test_a_deactivated_account_gets_no_code(client, sms_file, parent, outbox_runs):
    parent.is_active = False
    parent.save()
    response = ask(client, outbox_runs)
    assert response.status_code == 302
    assert texts_to(sms_file, PHONE) == []


def test_a_bad_number_gets_a_vietnamese_field_message(client, sms_file, outbox_runs):
    response = ask(client, outbox_runs, phone="12ab")
    assert response.status_code == 200
    assert "Enter a Vietnamese phone number" not in response.content.decode()
    assert "Nhập số điện thoại Việt Nam, ví dụ 0912 345 678." in response.content.decode()
    assert not SignInCode.objects.exists()


def test_a_badly_typed_code_gets_a_field_message_and_costs_no_try(client, sms_file, parent, outbox_runs):
    ask(client, outbox_runs)
    response = enter(client, "12 34a")
    assert response.status_code == 200
    assert "Hãy nhập đủ 6 chữ số của mã." in response.content.decode()
    assert SignInCode.objects.get().attempts == 0


def test_entering_a_code_without_asking_for_one_goes_back_to_asking(client):
    assert client.get(ENTER)["Location"] == ASK
    assert client.post(ENTER, {"code": "123456"})["Location"] == ASK


# ------------------------------------------------------------------ the code's rules


def test_the_code_is_kept_only_as_a_hash(client, sms_file, parent, outbox_runs):
    ask(client, outbox_runs)
    code = code_on_phone(sms_file)
    row = SignInCode.objects.values().get()
    assert not any(code in str(value) for value in row.values())
    assert row["code_hash"] == codes.hash_code(row["salt"], code)


def test_five_wrong_codes_kill_the_code_and_the_right_one_no_longer_works(client, sms_file, parent, outbox_runs):
    ask(client, outbox_runs)
    code = code_on_phone(sms_file)
    for tries_left in (4, 3, 2, 1):
        response = enter(client, wrong(code))
        assert response.status_code == 200
        assert f"Mã không đúng. Bạn còn {tries_left} lần thử." in response.content.decode()
    response = enter(client, wrong(code))
    assert response.status_code == 429
    body = response.content.decode()
    assert "nhập sai quá nhiều lần" in body and "yêu cầu mã mới sau 15 phút" in body
    row = SignInCode.objects.get()
    assert row.burnt and row.attempts == 5
    with pytest.raises(codes.CodeExpired):
        codes.check_code(code_id=row.pk, typed=code)
    assert "_auth_user_id" not in client.session
    # The phone waits out the cool-off before a new code.
    assert ask(client, outbox_runs).status_code == 429
    SignInCode.objects.update(closed_at=timezone.now() - datetime.timedelta(minutes=15, seconds=1),
                              created_at=timezone.now() - datetime.timedelta(minutes=16))
    assert ask(client, outbox_runs).status_code == 302


def test_a_code_expires_after_five_minutes(client, sms_file, parent, outbox_runs):
    ask(client, outbox_runs)
    code = code_on_phone(sms_file)
    SignInCode.objects.update(created_at=timezone.now() - datetime.timedelta(minutes=5, seconds=1))
    response = enter(client, code)
    assert response.status_code == 200
    assert "Mã này không còn dùng được. Hãy yêu cầu mã mới." in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_code_four_minutes_old_still_works(client, sms_file, parent, outbox_runs):
    ask(client, outbox_runs)
    SignInCode.objects.update(created_at=timezone.now() - datetime.timedelta(minutes=4, seconds=50))
    enter(client, code_on_phone(sms_file))
    assert int(client.session["_auth_user_id"]) == parent.pk


# ------------------------------------------------------------------ limits


def test_a_phone_gets_three_codes_in_fifteen_minutes_then_waits(client, sms_file, parent, outbox_runs):
    for n in range(3):
        assert ask(client, outbox_runs, address=f"10.0.1.{n}").status_code == 302
    response = ask(client, outbox_runs, address="10.0.1.9")
    assert response.status_code == 429
    assert "quá nhiều yêu cầu gửi mã" in response.content.decode()
    assert "sau 15 phút" in response.content.decode()
    assert len(texts_to(sms_file, PHONE)) == 3


def test_a_phone_gets_ten_codes_a_day(client, sms_file, parent, outbox_runs):
    for n in range(10):
        assert ask(client, outbox_runs, address=f"10.0.2.{n}").status_code == 302
        SignInCode.objects.update(created_at=timezone.now() - datetime.timedelta(hours=2))  # spread out
    SignInCode.objects.filter(pk=SignInCode.objects.order_by("pk").first().pk).update(
        created_at=timezone.now() - datetime.timedelta(hours=23, minutes=30)
    )
    response = ask(client, outbox_runs, address="10.0.2.99")
    assert response.status_code == 429
    assert "sau 30 phút" in response.content.decode()  # when the oldest of the ten leaves the day


def test_an_address_asks_twenty_codes_an_hour_for_any_numbers(client, sms_file, outbox_runs):
    for n in range(20):
        assert ask(client, outbox_runs, phone=f"09770000{n:02d}", address="10.0.3.1").status_code == 302
    response = ask(client, outbox_runs, phone="0977000099", address="10.0.3.1")
    assert response.status_code == 429
    assert "sau 60 phút" in response.content.decode()
    # Another address is not held back.
    assert ask(client, outbox_runs, phone="0977000099", address="10.0.3.2").status_code == 302


def test_the_limits_are_settings(client, sms_file, parent, outbox_runs, settings):
    settings.SIGN_IN_CODES_PER_PHONE_15MIN = 1
    assert ask(client, outbox_runs).status_code == 302
    assert ask(client, outbox_runs, address="10.0.4.1").status_code == 429


# ------------------------------------------------------------------ the same answer for every number


def _answers(client, outbox_runs, phone):
    """What someone asking for `phone` sees: the POST, the code page, a wrong code, and the
    answers once over the phone's limit; the number itself and the CSRF token blanked."""
    spaced = f"{phone[:4]} {phone[4:7]} {phone[7:]}".encode()
    seen = []
    for response in (
        ask(client, outbox_runs, phone=phone),
        client.get(ENTER),
        enter(client, "000000"),
        ask(client, outbox_runs, phone=phone, address="10.0.5.2"),
        ask(client, outbox_runs, phone=phone, address="10.0.5.3"),
        ask(client, outbox_runs, phone=phone, address="10.0.5.4"),
    ):
        body = CSRF.sub(b"", response.content).replace(spaced, b"PHONE")
        seen.append((response.status_code, response.get("Location"), body))
    return seen


def test_known_and_unknown_numbers_get_byte_identical_answers(client, sms_file, parent, outbox_runs, monkeypatch):
    monkeypatch.setattr(codes, "new_code", lambda: "123456")  # so "000000" is wrong for both
    known = _answers(client, outbox_runs, PHONE)
    client.cookies.clear()
    unknown = _answers(client, outbox_runs, UNKNOWN)
    assert known == unknown
    assert [status for status, _, _ in known] == [302, 200, 200, 302, 302, 429]
    assert len(texts_to(sms_file, PHONE)) == 3 and texts_to(sms_file, UNKNOWN) == []


def test_known_and_unknown_numbers_burn_alike(client, sms_file, parent, outbox_runs):
    answers = {}
    for phone in (PHONE, UNKNOWN):
        client.cookies.clear()
        ask(client, outbox_runs, phone=phone)
        for _ in range(5):
            response = enter(client, "999999" if phone == UNKNOWN else wrong(code_on_phone(sms_file)))
        answers[phone] = (response.status_code, CSRF.sub(b"", response.content))
    assert answers[PHONE] == answers[UNKNOWN]
    assert answers[PHONE][0] == 429


# ------------------------------------------------------------------ the session


def test_remember_this_device_keeps_the_session_thirty_days(client, sms_file, parent, outbox_runs):
    ask(client, outbox_runs)
    response = enter(client, code_on_phone(sms_file), remember=True)
    cookie = response.cookies["sessionid"]
    assert cookie["max-age"] == 30 * 24 * 3600
    assert not client.session.get_expire_at_browser_close()
    assert abs(client.session.get_expiry_age() - 30 * 24 * 3600) < 5


def test_without_remember_the_session_ends_with_the_browser(client, sms_file, parent, outbox_runs):
    ask(client, outbox_runs)
    response = enter(client, code_on_phone(sms_file))
    cookie = response.cookies["sessionid"]
    assert cookie["max-age"] == "" and cookie["expires"] == ""
    assert client.session.get_expire_at_browser_close()


def test_a_password_can_be_set_after_the_code(client, sms_file, parent, outbox_runs):
    ask(client, outbox_runs, next="/hop-thu/")
    response = enter(client, code_on_phone(sms_file))
    assert response["Location"] == f"{SET_PASSWORD}?next=%2Fhop-thu%2F"
    page = client.get(response["Location"])
    assert "Để sau: tiếp tục đăng nhập bằng mã" in page.content.decode()
    weak = client.post(SET_PASSWORD, {"new_password1": "12345678", "new_password2": "12345678", "next": "/hop-thu/"})
    assert weak.status_code == 200 and "errorlist" in weak.content.decode()
    response = client.post(SET_PASSWORD, {"new_password1": "ca-phe-sua-da-7", "new_password2": "ca-phe-sua-da-7",
                                          "next": "/hop-thu/"})
    assert response.status_code == 302 and response["Location"] == "/hop-thu/"
    parent.refresh_from_db()
    assert parent.check_password("ca-phe-sua-da-7")
    assert client.get("/hop-thu/").status_code == 200  # still signed in: the session hash followed
    client.logout()
    client.post("/tai-khoan/dang-nhap/", {"username": "0912 345 678", "password": "ca-phe-sua-da-7"})
    assert int(client.session["_auth_user_id"]) == parent.pk


def test_forgot_password_leads_to_setting_a_new_one(client, sms_file, outbox_runs):
    user = f.UserFactory(phone=PHONE)  # has a password, forgotten
    ask(client, outbox_runs, password="1")
    response = enter(client, code_on_phone(sms_file))
    assert response["Location"] == SET_PASSWORD
    assert client.post(SET_PASSWORD, {"new_password1": "ca-phe-sua-da-7", "new_password2": "ca-phe-sua-da-7"}).status_code == 302
    user.refresh_from_db()
    assert user.check_password("ca-phe-sua-da-7")


def test_a_password_user_signing_in_with_a_code_goes_straight_on(client, sms_file, outbox_runs):
    f.UserFactory(phone=PHONE)
    ask(client, outbox_runs, next="/hop-thu/")
    assert enter(client, code_on_phone(sms_file))["Location"] == "/hop-thu/"


def test_setting_a_password_without_the_old_one_needs_a_fresh_code(client):
    user = f.UserFactory()
    client.force_login(user)
    response = client.post(SET_PASSWORD, {"new_password1": "ca-phe-sua-da-7", "new_password2": "ca-phe-sua-da-7"})
    assert response.status_code == 200
    assert "ngay sau khi đăng nhập bằng mã" in response.content.decode()
    user.refresh_from_db()
    assert not user.check_password("ca-phe-sua-da-7")


def test_setting_a_password_needs_signing_in(client):
    assert client.get(SET_PASSWORD)["Location"].startswith("/tai-khoan/dang-nhap/")


def test_the_login_page_links_to_signing_in_with_a_code(client):
    body = client.get("/tai-khoan/dang-nhap/?next=/phu-huynh/").content.decode()
    assert "Đăng nhập bằng mã gửi qua điện thoại" in body
    assert 'href="/tai-khoan/ma/?next=/phu-huynh/"' in body


# ------------------------------------------------------------------ the outbox


def test_the_outbox_never_holds_the_code_in_clear(client, sms_file, parent, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        client.post(ASK, {"phone": PHONE}, REMOTE_ADDR="10.0.6.1")
    note = Notification.objects.get(kind=notifications.SIGN_IN_CODE)
    before = note.body
    assert not re.search(r"\d{6}", before)
    for callback in callbacks:  # the commit: Celery delivers
        callback()
    code = code_on_phone(sms_file)
    assert code not in before
    note.refresh_from_db()
    assert note.body == notifications.SIGN_IN_CODE_WIPED
    assert Delivery.objects.get(notification=note).status == Delivery.Status.SENT
    for row in Notification.objects.values(), Delivery.objects.values():
        assert not any(code in str(value) for value in row.get().values())


def test_a_code_goes_at_once_even_at_half_past_ten_at_night(client, sms_file, parent, outbox_runs, monkeypatch):
    night = timezone.make_aware(datetime.datetime(2026, 11, 25, 22, 30))
    monkeypatch.setattr(timezone, "now", lambda: night)
    ask(client, outbox_runs)
    assert Delivery.objects.get().status == Delivery.Status.SENT
    assert len(texts_to(sms_file, PHONE)) == 1


def test_a_failed_code_is_retried_in_seconds_and_parked_wiped_once_useless(
    client, settings, tmp_path, monkeypatch, parent, outbox_runs
):
    settings.SMS_GATEWAY = "tests.contactbook.gateways.FlakySmsGateway"
    settings.SMS_FILE_PATH = tmp_path / "sms.jsonl"
    monkeypatch.setenv("FLAKY_SMS_COUNTER", str(tmp_path / "count"))
    monkeypatch.setenv("FLAKY_FAILURES", "99")
    night = timezone.make_aware(datetime.datetime(2026, 11, 25, 22, 30))
    monkeypatch.setattr(timezone, "now", lambda: night)
    ask(client, outbox_runs)
    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.PENDING
    assert delivery.next_attempt_at == night + datetime.timedelta(seconds=notifications.SIGN_IN_CODE_RETRY_SECONDS)
    later = night + datetime.timedelta(minutes=5)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert notifications.deliver(delivery.pk) == "parked"
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.PARKED
    assert delivery.notification.body == notifications.SIGN_IN_CODE_WIPED


def test_sign_in_codes_never_show_in_the_inbox_or_unread_count(client, sms_file, parent, outbox_runs):
    ask(client, outbox_runs)
    assert Notification.objects.filter(recipient=parent).count() == 1
    assert inbox.inbox(parent)["notifications"] == [] and inbox.inbox(parent)["unread"] == 0
    assert notifications.unread_count(parent) == 0
    enter(client, code_on_phone(sms_file))
    page = client.get("/hop-thu/").content.decode()
    assert "Trường Số:" not in page and "sign_in_code" not in page


def test_no_log_record_ever_holds_the_code(client, sms_file, parent, outbox_runs, caplog):
    """The whole flow, with every logger at DEBUG (SQL included) and the delivery through
    Celery: the six digits appear in no record."""
    loggers = [logging.getLogger()] + [logging.getLogger(name) for name in list(logging.root.manager.loggerDict)]
    levels = [(logger, logger.level, logger.disabled) for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.DEBUG)
        logger.disabled = False
    connection.force_debug_cursor = True
    try:
        with caplog.at_level(logging.DEBUG):
            ask(client, outbox_runs, next="/hop-thu/")
            code = code_on_phone(sms_file)
            client.get(ENTER)
            enter(client, wrong(code))
            enter(client, code, remember=True)
            client.get(SET_PASSWORD)
    finally:
        connection.force_debug_cursor = False
        for logger, level, disabled in levels:
            logger.setLevel(level)
            logger.disabled = disabled
    records = caplog.records
    assert any(r.name == "django.db.backends" for r in records)  # SQL was logged: the check bites
    assert any(r.name.startswith("celery") for r in records)  # the delivery ran, logging too
    assert Delivery.objects.get().status == Delivery.Status.SENT
    for record in records:
        text = f"{record.getMessage()} {record.args!r} {record.exc_text or ''} {record.__dict__!r}"
        assert code not in text, record.name
    assert int(client.session["_auth_user_id"]) == parent.pk


# ------------------------------------------------------------------ queries


def test_the_code_pages_run_a_fixed_number_of_queries(client, sms_file, parent, outbox_runs, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert client.get(ASK).status_code == 200
    with django_assert_num_queries(21):  # 4 of them the delivery
        ask(client, outbox_runs)
    with django_assert_num_queries(1):
        assert client.get(ENTER).status_code == 200
    with django_assert_num_queries(5):
        assert enter(client, "000000").status_code == 200
    # 4 of them axes' access log and the last login, 1 what the sign-in needs to know of the
    # person (signin.roles: staff? a manager? an app?), 1 the sessions' row
    with django_assert_num_queries(20):
        assert enter(client, code_on_phone(sms_file)).status_code == 302
    with django_assert_num_queries(3):
        assert client.get(SET_PASSWORD).status_code == 200


@pytest.mark.django_db(transaction=True)
def test_parallel_requests_from_several_hosts_cannot_pass_a_limit_together(settings, sms_file):
    """Six requests at once for one phone with three places left: the advisory lock lets
    exactly three through, as separate hosts (separate connections) would see it."""
    f.UserFactory(phone=PHONE)
    outcomes, start = [], threading.Barrier(6)

    def one(n):
        try:
            start.wait()
            codes.issue_code(phone=PHONE, address=f"10.0.7.{n}")
            outcomes.append("sent")
        except codes.TooManyCodes:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=one, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["refused"] * 3 + ["sent"] * 3
    assert SignInCode.objects.filter(phone=PHONE).count() == 3


# ------------------------------------------------------------------ keeping no more than needed


def test_code_requests_older_than_a_day_are_deleted_and_newer_ones_still_count(
    client, sms_file, parent, outbox_runs
):
    """A request holds a phone and an address; once no limit looks back that far it goes, and
    the requests the limits still count stay."""
    for _ in range(3):
        ask(client, outbox_runs)
    rows = list(SignInCode.objects.order_by("pk"))
    SignInCode.objects.filter(pk=rows[0].pk).update(created_at=timezone.now() - datetime.timedelta(hours=25))

    assert codes.purge_old_codes() == 1
    assert list(SignInCode.objects.order_by("pk")) == rows[1:]
    # The two left are still counted: this phone is one request from the 15-minute limit.
    assert ask(client, outbox_runs).status_code == 302  # to the page where the code is typed
    assert ask(client, outbox_runs).status_code == 429
