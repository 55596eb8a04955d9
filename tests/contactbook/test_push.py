"""Web Push and the installable portal: a real notification goes through the outbox to a push
service on loopback (tests/contactbook/fake_push.py), encrypted so only the phone's keys open
it and signed with our VAPID key; a gone subscription is removed, a busy service retried; the
subscription endpoints check what they store and whose it is; the manifest, the service worker's
route and the offline page; signing out clears what the browser saved."""

import base64
import json
import os
import time
from dataclasses import dataclass
from io import StringIO

import http_ece
import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from PIL import Image
from py_vapid import Vapid

from contactbook import attendance, notifications
from contactbook.models import Delivery, Notification, PushSubscription
from tests.clients import Client
from tests.contactbook.attendance_support import NOW, TODAY, now_fixture  # noqa: F401 (a fixture)
from tests.contactbook.fake_push import FakePushService
from tests.lms.conftest import log_in

pytestmark = pytest.mark.django_db

SUBSCRIBE = "/hop-thu/thong-bao-day/dang-ky/"
UNSUBSCRIBE = "/hop-thu/thong-bao-day/huy/"
SUBJECT = "mailto:quantri@truongso.test"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def public_point(key) -> bytes:
    return key.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )


@dataclass
class Phone:
    """A browser's side of a subscription: the keys only it holds."""

    endpoint: str
    private_key: ec.EllipticCurvePrivateKey
    auth: bytes

    @classmethod
    def new(cls, endpoint: str) -> "Phone":
        return cls(endpoint, ec.generate_private_key(ec.SECP256R1()), os.urandom(16))

    def subscription_json(self) -> dict:
        return {"endpoint": self.endpoint, "expirationTime": None,
                "keys": {"p256dh": b64url(public_point(self.private_key)), "auth": b64url(self.auth)}}

    def open(self, body: bytes) -> dict:
        return json.loads(http_ece.decrypt(body, private_key=self.private_key, auth_secret=self.auth,
                                           version="aes128gcm"))


@pytest.fixture
def vapid(settings):
    """The site's VAPID key pair (what `manage.py vapid_keys` prints), push on."""
    key = ec.generate_private_key(ec.SECP256R1())
    settings.WEBPUSH_VAPID_PRIVATE_KEY = b64url(key.private_numbers().private_value.to_bytes(32, "big"))
    settings.WEBPUSH_VAPID_PUBLIC_KEY = b64url(public_point(key))
    settings.WEBPUSH_SUBJECT = SUBJECT
    settings.WEBPUSH_ALLOW_LOOPBACK_HTTP = True
    return key


@pytest.fixture
def push_service():
    with FakePushService() as service:
        yield service


def subscribe(client, body, **extra):
    return client.post(SUBSCRIBE, data=json.dumps(body) if not isinstance(body, str) else body,
                       content_type="application/json", **extra)


def subscribed(user, phone: Phone) -> PushSubscription:
    client = log_in(Client(), user)
    response = subscribe(client, phone.subscription_json(), HTTP_USER_AGENT="Chrome Android")
    assert response.status_code == 201, response.content
    return PushSubscription.objects.get(endpoint=phone.endpoint)


def mark_absent(cast, captured, session="morning"):
    with captured(execute=True):
        attendance.record_attendance(
            user=cast.homeroom_a1, class_group=cast.class_a1, day=TODAY, session=session,
            entries={cast.pupil_a1.pk: ("unexcused", ""), cast.sibling_a1.pk: ("present", "")},
        )
    return Notification.objects.get(recipient=cast.parent_a1, dedupe_key__contains=f":{session}:")


def verify_vapid(authorization: str, key: ec.EllipticCurvePrivateKey) -> dict:
    """RFC 8292: `vapid t=<JWT>, k=<public key>`; the JWT is ES256-signed by our key."""
    scheme, params = authorization.split(" ", 1)
    assert scheme == "vapid"
    fields = dict(part.strip().split("=", 1) for part in params.split(","))
    assert b64url_decode(fields["k"]) == public_point(key)
    signed, signature = fields["t"].rsplit(".", 1)
    raw = b64url_decode(signature)
    der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
    key.public_key().verify(der, signed.encode(), ec.ECDSA(hashes.SHA256()))  # raises if forged
    header, claims = (json.loads(b64url_decode(part)) for part in signed.split("."))
    assert header["alg"] == "ES256"
    return claims


# --------------------------------------------------------------- through the outbox to a phone


def test_an_absence_reaches_the_parents_phone_encrypted_and_signed(
    cast, now, vapid, push_service, django_capture_on_commit_callbacks
):
    phone = Phone.new(push_service.endpoint("parent-a1"))
    subscription = subscribed(cast.parent_a1, phone)

    alert = mark_absent(cast, django_capture_on_commit_callbacks)

    delivery = Delivery.objects.get(notification=alert, channel="push")
    assert (delivery.status, delivery.address, delivery.provider_id) == (
        "sent", f"user:{cast.parent_a1.pk}", "1/1")
    (received,) = push_service.received_at(phone.endpoint)
    assert received.headers["content-encoding"] == "aes128gcm"
    assert int(received.headers["ttl"]) > 0  # kept for a phone that is off for a while
    assert alert.title.encode() not in received.body  # the push service cannot read it
    assert phone.open(received.body) == {
        "title": alert.title,
        "body": alert.body,
        "url": settings.SITE_URL + reverse("contactbook:pupil_attendance", args=[cast.pupil_a1.pk]),
    }
    claims = verify_vapid(received.headers["authorization"], vapid)
    assert claims["aud"] == push_service.origin and claims["sub"] == SUBJECT
    assert claims["exp"] > time.time()
    subscription.refresh_from_db()
    assert subscription.last_success_at == NOW


def test_every_phone_of_the_parent_gets_it_and_a_gone_one_is_removed(
    cast, now, vapid, push_service, django_capture_on_commit_callbacks
):
    kept, gone = Phone.new(push_service.endpoint("kept")), Phone.new(push_service.endpoint("gone"))
    subscribed(cast.parent_a1, kept)
    subscribed(cast.parent_a1, gone)
    push_service.answer(gone.endpoint, 410)

    alert = mark_absent(cast, django_capture_on_commit_callbacks)

    assert Delivery.objects.get(notification=alert, channel="push").provider_id == "1/2"
    assert kept.open(push_service.received_at(kept.endpoint)[0].body)["title"] == alert.title
    assert list(PushSubscription.objects.values_list("endpoint", flat=True)) == [kept.endpoint]


def test_a_410_removes_the_subscription_and_no_push_is_made_after(
    cast, now, vapid, push_service, django_capture_on_commit_callbacks
):
    phone = Phone.new(push_service.endpoint("old-phone"))
    subscribed(cast.parent_a1, phone)
    push_service.answer(phone.endpoint, 410)

    mark_absent(cast, django_capture_on_commit_callbacks)

    assert not PushSubscription.objects.exists()
    mark_absent(cast, django_capture_on_commit_callbacks, session="afternoon")
    assert len(push_service.received_at(phone.endpoint)) == 1  # the second absence: no push
    assert Delivery.objects.filter(channel="push").count() == 1


def test_a_busy_push_service_is_retried_and_the_phone_gets_it_once(
    cast, now, vapid, push_service, monkeypatch, django_capture_on_commit_callbacks
):
    phone = Phone.new(push_service.endpoint("busy"))
    subscribed(cast.parent_a1, phone)
    push_service.answer(phone.endpoint, 429)

    alert = mark_absent(cast, django_capture_on_commit_callbacks)
    delivery = Delivery.objects.get(notification=alert, channel="push")
    assert (delivery.status, delivery.attempts) == ("pending", 1)
    assert "429" in delivery.last_error
    assert delivery.next_attempt_at > NOW

    later = NOW + (delivery.next_attempt_at - NOW) * 2
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert notifications.due_delivery_ids() == [delivery.pk]
    assert notifications.deliver(delivery.pk) == "sent"
    assert notifications.deliver(delivery.pk) == "skipped"  # a second worker: nothing more

    assert [r.status for r in push_service.received_at(phone.endpoint)] == [429, 201]
    assert phone.open(push_service.received_at(phone.endpoint)[-1].body)["title"] == alert.title


def test_a_push_service_that_keeps_failing_parks_the_delivery(
    cast, now, vapid, push_service, monkeypatch, django_capture_on_commit_callbacks
):
    phone = Phone.new(push_service.endpoint("down"))
    subscribed(cast.parent_a1, phone)
    push_service.answer(phone.endpoint, *[503] * notifications.MAX_ATTEMPTS)
    alert = mark_absent(cast, django_capture_on_commit_callbacks)
    delivery = Delivery.objects.get(notification=alert, channel="push")
    for _ in range(notifications.MAX_ATTEMPTS - 1):
        due = Delivery.objects.get(pk=delivery.pk).next_attempt_at
        monkeypatch.setattr(timezone, "now", lambda due=due: due)
        notifications.deliver(delivery.pk)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("parked", notifications.MAX_ATTEMPTS)
    assert PushSubscription.objects.filter(endpoint=phone.endpoint).exists()  # busy, not gone


def test_nobody_is_pushed_without_a_subscription_or_with_push_off(
    cast, now, vapid, push_service, settings, django_capture_on_commit_callbacks
):
    mark_absent(cast, django_capture_on_commit_callbacks)
    assert not Delivery.objects.filter(channel="push").exists()  # no subscription: no consent

    subscribed(cast.parent_a1, Phone.new(push_service.endpoint("p")))
    settings.WEBPUSH_VAPID_PRIVATE_KEY = ""
    mark_absent(cast, django_capture_on_commit_callbacks, session="afternoon")
    assert not Delivery.objects.filter(channel="push").exists()
    assert push_service.received == []


def test_pushes_waiting_when_push_is_turned_off_wait_rather_than_fail(
    cast, now, vapid, push_service, settings, django_capture_on_commit_callbacks
):
    subscribed(cast.parent_a1, Phone.new(push_service.endpoint("p")))
    with django_capture_on_commit_callbacks(execute=False):  # written, not yet sent
        attendance.record_attendance(
            user=cast.homeroom_a1, class_group=cast.class_a1, day=TODAY, session="morning",
            entries={cast.pupil_a1.pk: ("unexcused", ""), cast.sibling_a1.pk: ("present", "")},
        )
    delivery = Delivery.objects.get(channel="push")
    settings.WEBPUSH_VAPID_PRIVATE_KEY = ""
    assert notifications.deliver(delivery.pk) == "retry"
    delivery.refresh_from_db()
    assert "push is off" in delivery.last_error and push_service.received == []


# --------------------------------------------------------------- subscribing and unsubscribing


def test_a_parent_subscribes_a_phone_and_what_is_stored_is_what_the_browser_sent(cast, vapid):
    phone = Phone.new("https://fcm.googleapis.com/fcm/send/abc123")
    subscription = subscribed(cast.parent_a1, phone)
    assert subscription.user == cast.parent_a1
    assert subscription.p256dh == phone.subscription_json()["keys"]["p256dh"]
    assert b64url_decode(subscription.auth) == phone.auth
    assert subscription.user_agent == "Chrome Android"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"endpoint": None}, "endpoint"),
        ({"endpoint": "ftp://push.example.com/x"}, "endpoint"),
        ({"endpoint": "http://push.example.com/x"}, "endpoint"),  # plain http off loopback
        ({"endpoint": "https://10.1.2.3/push"}, "endpoint"),  # our own network
        ({"endpoint": "https://127.0.0.1/push"}, "endpoint"),
        ({"endpoint": "https://[::1]/push"}, "endpoint"),
        ({"endpoint": "https://localhost/push"}, "endpoint"),
        ({"endpoint": "https://user:pw@push.example.com/x"}, "endpoint"),
        ({"endpoint": "https://push.example.com:99999/x"}, "endpoint"),
        ({"endpoint": "https://push.example.com/" + "x" * 2000}, "endpoint"),
        ({"keys": None}, "keys"),
        ({"keys": {"auth": "AAAAAAAAAAAAAAAAAAAAAA"}}, "keys.p256dh"),
        ({"keys.p256dh": b64url(b"\x04" + b"\x01" * 64)}, "keys.p256dh"),  # not on the curve
        ({"keys.p256dh": b64url(b"\x04" + b"\x01" * 10)}, "keys.p256dh"),
        ({"keys.p256dh": "not base64 !"}, "keys.p256dh"),
        ({"keys.auth": b64url(b"short")}, "keys.auth"),
        ({"keys.auth": 12345}, "keys.auth"),
    ],
)
def test_a_bad_subscription_is_refused_naming_the_field_and_nothing_is_stored(cast, vapid, change, field):
    body = Phone.new("https://push.example.com/send/1").subscription_json()
    for name, value in change.items():
        if name.startswith("keys."):
            body["keys"][name.removeprefix("keys.")] = value
        else:
            body[name] = value
    response = subscribe(log_in(Client(), cast.parent_a1), body)
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["error"]["fields"]] == [field]
    assert not PushSubscription.objects.exists()


@pytest.mark.parametrize("body", ["not json", "[1, 2]", json.dumps("x")])
def test_a_body_that_is_not_a_json_object_is_refused(cast, vapid, body):
    response = subscribe(log_in(Client(), cast.parent_a1), body)
    assert response.status_code == 400
    assert response.json()["error"]["fields"][0]["field"] == "body"


def test_plain_http_on_loopback_only_when_allowed(cast, vapid, settings):
    settings.WEBPUSH_ALLOW_LOOPBACK_HTTP = False
    body = Phone.new("http://127.0.0.1:9/push/x").subscription_json()
    response = subscribe(log_in(Client(), cast.parent_a1), body)
    assert response.status_code == 400 and response.json()["error"]["fields"][0]["field"] == "endpoint"


def test_subscribing_needs_a_session_and_the_csrf_token(cast, vapid):
    body = Phone.new("https://push.example.com/send/1").subscription_json()
    assert subscribe(Client(), body).status_code == 401
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(cast.parent_a1)
    assert subscribe(strict, body).status_code == 403
    assert log_in(Client(), cast.parent_a1).get(SUBSCRIBE).status_code == 405
    assert not PushSubscription.objects.exists()


def test_with_push_off_the_toggle_is_hidden_and_subscribing_is_refused(cast):
    client = log_in(Client(), cast.parent_a1)
    page = client.get(reverse("contactbook:notification_settings"))
    assert page.status_code == 200 and b"data-push-toggle" not in page.content
    body = Phone.new("https://push.example.com/send/1").subscription_json()
    assert subscribe(client, body).status_code == 404
    assert not PushSubscription.objects.exists()


def test_the_settings_page_offers_the_toggle_with_the_public_key(cast, vapid):
    page = log_in(Client(), cast.parent_a1).get(reverse("contactbook:notification_settings"))
    html = page.content.decode()
    assert "data-push-toggle" in html
    assert f'data-public-key="{settings.WEBPUSH_VAPID_PUBLIC_KEY}"' in html
    assert f'data-subscribe-url="{SUBSCRIBE}"' in html and "pwa/push-toggle.js" in html


def test_a_person_unsubscribes_only_their_own_phone(cast, vapid):
    mine = subscribed(cast.parent_a1, Phone.new("https://push.example.com/send/mine"))
    other = log_in(Client(), cast.parent_a2)
    response = other.post(UNSUBSCRIBE, {"endpoint": mine.endpoint}, content_type="application/json")
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"
    assert PushSubscription.objects.filter(pk=mine.pk).exists()

    owner = log_in(Client(), cast.parent_a1)
    response = owner.post(UNSUBSCRIBE, {"endpoint": mine.endpoint}, content_type="application/json")
    assert response.status_code == 200 and response.json() == {"subscribed": False}
    assert not PushSubscription.objects.exists()
    bad = owner.post(UNSUBSCRIBE, {"endpoint": 5}, content_type="application/json")
    assert bad.status_code == 400 and bad.json()["error"]["fields"][0]["field"] == "endpoint"


def test_a_phone_that_changes_hands_belongs_to_whoever_subscribed_it_last(cast, vapid):
    phone = Phone.new("https://push.example.com/send/shared")
    subscribed(cast.parent_a1, phone)
    again = Phone(phone.endpoint, ec.generate_private_key(ec.SECP256R1()), os.urandom(16))
    subscription = subscribed(cast.parent_a2, again)
    assert PushSubscription.objects.count() == 1
    assert subscription.user == cast.parent_a2
    assert b64url_decode(subscription.auth) == again.auth


def test_vapid_keys_prints_a_pair_that_signs(capsys):
    out = StringIO()
    call_command("vapid_keys", stdout=out, stderr=StringIO())
    lines = dict(line.split("=", 1) for line in out.getvalue().split())
    signer = Vapid.from_string(lines["WEBPUSH_VAPID_PRIVATE_KEY"])
    point = signer.public_key.public_bytes(serialization.Encoding.X962,
                                          serialization.PublicFormat.UncompressedPoint)
    assert b64url(point) == lines["WEBPUSH_VAPID_PUBLIC_KEY"]


# --------------------------------------------------------------- the installable portal


def test_the_manifest_opens_the_portal_full_screen_with_our_icons(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert manifest["name"] == "Trường Số – Sổ liên lạc" and manifest["lang"] == "vi"
    assert manifest["start_url"] == "/phu-huynh/" and manifest["display"] == "standalone"
    assert manifest["theme_color"].startswith("#") and manifest["short_name"]
    sizes = set()
    for icon in manifest["icons"]:
        path = finders.find(icon["src"].removeprefix(settings.STATIC_URL if settings.STATIC_URL.startswith("/") else "/" + settings.STATIC_URL))
        with Image.open(path) as image:
            assert icon["sizes"] == f"{image.width}x{image.height}" and image.format == "PNG"
            sizes.add(image.width)
    assert sizes == {192, 512}


def test_every_page_links_the_manifest_and_the_worker_script(cast, client):
    for response in (client.get(reverse("accounts:login")),
                     log_in(client, cast.parent_a1).get(reverse("contactbook:portal_home"))):
        html = response.content.decode()
        assert '<link rel="manifest" href="/manifest.webmanifest">' in html
        assert 'data-worker="/sw.js"' in html and "pwa/pwa.js" in html


def test_the_service_worker_is_served_from_the_root_uncached_and_allowed(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    assert response["Cache-Control"] == "no-cache"
    with open(finders.find("pwa/sw.js"), "rb") as script:
        assert response.content == script.read()
    page = client.get(reverse("accounts:login"))
    policy = dict(part.strip().split(" ", 1) for part in page["Content-Security-Policy"].split(";"))
    assert policy["worker-src"] == "'self'" and policy["manifest-src"] == "'self'"
    assert policy["script-src"] == "'self'"  # /sw.js and pwa.js are same-origin files


def test_the_offline_page_names_nobody(cast, client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/ngoai-tuyen/")
    assert response.status_code == 200 and b"data-offline-page" in response.content
    signed_in = log_in(Client(), cast.parent_a1).get("/ngoai-tuyen/")
    assert cast.parent_a1.full_name.encode() not in signed_in.content


# --------------------------------------------------------------- signing out


def test_signing_out_tells_the_browser_to_clear_what_it_saved(cast):
    client = log_in(Client(), cast.parent_a1)
    page = client.get(reverse("contactbook:portal_home"))
    assert "Clear-Site-Data" not in page
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert response["Clear-Site-Data"] == '"cache", "storage"'
    assert "Clear-Site-Data" not in Client().post(reverse("accounts:logout"))  # nobody signed in


def test_signing_out_of_the_administration_clears_it_too(cast):
    client = log_in(Client(), cast.principal)
    response = client.post("/quan-tri/logout/")
    assert response["Clear-Site-Data"] == '"cache", "storage"'
