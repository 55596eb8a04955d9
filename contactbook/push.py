"""Web Push: free notifications to the parents' phones, through the push service of their
browser (VAPID, RFC 8292; payloads encrypted to the browser, aes128gcm, RFC 8291), so the push
service carries them without reading them.

A person reaches this channel by subscribing a browser (`save_subscription`, from the toggle on
the notification settings page); having a subscription is their consent, and the channel sends
only to people who have one. One Delivery per notification covers all of a person's phones: its
address is "user:<id>" and `PushChannel.send` pushes to each of that person's subscriptions.

No quiet hours: unlike an SMS, a push is free and the phone silences it (Do Not Disturb), and the
outbox gives a channel only the moment, not the kind, so "SMS hours for ordinary news only"
would need the outbox to change; absence alerts must not wait until morning.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import json
import logging
import re
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import requests
from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from py_vapid import Vapid
from pywebpush import WebPushException, webpush

from contactbook.consents import consents_of, record_consent
from contactbook.models import PushSubscription
from school.exceptions import DomainError, NotFound

if TYPE_CHECKING:
    from contactbook.channels import Message

log = logging.getLogger(__name__)

# How long a push service keeps a message for a phone that is off or offline (seconds).
TIME_TO_LIVE = 24 * 60 * 60
PUSH_TIMEOUT_SECONDS = 10
_BASE64URL = re.compile(r"[A-Za-z0-9_-]+={0,2}")


class InvalidSubscription(DomainError):
    code = "invalid_subscription"
    message = _("This subscription cannot be used.")


def push_enabled() -> bool:
    """Push is on when the site has a VAPID key pair (settings.WEBPUSH_*)."""
    return bool(settings.WEBPUSH_VAPID_PUBLIC_KEY and settings.WEBPUSH_VAPID_PRIVATE_KEY)


# ----------------------------------------------------------------- subscribing


@transaction.atomic
def save_subscription(*, user, endpoint, keys, user_agent: str = "") -> PushSubscription:
    """Subscribe one browser of `user` (the JSON of the browser's PushSubscription: `endpoint`
    and `keys` {p256dh, auth}). Raises InvalidSubscription naming the bad field; writes nothing
    then. The endpoint names the browser, so subscribing one that another account had moves it
    to `user` (the phone changed hands and signed in again)."""
    endpoint = checked_endpoint(endpoint)
    if not isinstance(keys, dict):
        raise InvalidSubscription(_("The subscription has no keys."), field="keys")
    p256dh = _checked_key(keys.get("p256dh"), "keys.p256dh", length=65)
    try:
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), _b64decode(p256dh))
    except ValueError:
        raise InvalidSubscription(_("This is not a P-256 public key."), field="keys.p256dh") from None
    auth = _checked_key(keys.get("auth"), "keys.auth", length=16)
    defaults = {"user": user, "p256dh": p256dh, "auth": auth, "user_agent": str(user_agent or "")[:300]}
    try:
        with transaction.atomic():
            subscription, _created = PushSubscription.objects.update_or_create(
                endpoint=endpoint, defaults=defaults
            )
    except IntegrityError:  # the same browser posted twice at once: the other one inserted it
        subscription, _created = PushSubscription.objects.update_or_create(
            endpoint=endpoint, defaults=defaults
        )
    _agree_to_push(user)
    return subscription


def _agree_to_push(user) -> None:
    """Turning push on in the browser is the person's agreement to push (Nghị định 13):
    recorded, unless their latest record already says so."""
    state = consents_of(user).get("push")
    if not (state and state.agreed):
        record_consent(user=user, channel="push", agreed=True, source="portal")


def remove_subscription(*, user, endpoint) -> None:
    """Unsubscribe one of `user`'s browsers. NotFound for an endpoint that is missing or
    another person's alike."""
    if not isinstance(endpoint, str) or not endpoint:
        raise InvalidSubscription(_("Give the subscription's endpoint."), field="endpoint")
    deleted, _rows = PushSubscription.objects.filter(user=user, endpoint=endpoint).delete()
    if not deleted:
        raise NotFound(field="endpoint")
    if not PushSubscription.objects.filter(user=user).exists():  # their last phone: withdrawn
        record_consent(user=user, channel="push", agreed=False, source="portal")


def checked_endpoint(raw) -> str:
    """A push service's https address, never one of our own network's: the server POSTs to
    it. Plain http only on loopback and only when WEBPUSH_ALLOW_LOOPBACK_HTTP (tests, DEBUG)."""
    bad = InvalidSubscription(_("This is not a push service's address."), field="endpoint")
    if not isinstance(raw, str) or not raw or len(raw) > 2000:
        raise bad
    try:
        parts = urlsplit(raw)
        parts.port  # noqa: B018 - raises ValueError on a port that is not a number
    except ValueError:
        raise bad from None
    host = parts.hostname or ""
    if not host or parts.username or parts.password or parts.fragment:
        raise bad
    if parts.scheme == "https" and not _internal_host(host):
        return raw
    if parts.scheme == "http" and settings.WEBPUSH_ALLOW_LOOPBACK_HTTP and _loopback(host):
        return raw
    raise bad


def _internal_host(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False  # a name; push services are named
    return not address.is_global


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _checked_key(raw, field: str, *, length: int) -> str:
    """An unpadded base64url string decoding to `length` bytes."""
    if not isinstance(raw, str) or not _BASE64URL.fullmatch(raw) or len(raw) > 200:
        raise InvalidSubscription(_("This key is not base64url text."), field=field)
    try:
        decoded = _b64decode(raw)
    except (binascii.Error, ValueError):
        raise InvalidSubscription(_("This key is not base64url text."), field=field) from None
    if len(decoded) != length:
        raise InvalidSubscription(_("This key has the wrong length."), field=field)
    return raw.rstrip("=")


def _b64decode(text: str) -> bytes:
    text = text.rstrip("=")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


# ----------------------------------------------------------------- the channel


class PushChannel:
    """The outbox's channel for Web Push (registered in contactbook.channels.CHANNELS)."""

    name = "push"

    def address_for(self, user) -> str | None:
        if not push_enabled() or not PushSubscription.objects.filter(user_id=user.pk).exists():
            return None
        return f"user:{user.pk}"

    def allowed_at(self, moment):
        return moment  # no quiet hours: see the module's docstring

    def send(self, message: Message) -> str:
        """Push to each of the person's subscriptions. Delivered if any phone took it (returns
        "<taken>/<subscriptions>"); a subscription the push service no longer knows (404, 410)
        is deleted; if none took it and one may later (429, 5xx, no connection), or one refused
        it (another 4xx: our keys or request, for an administrator), raises DeliveryFailed so
        the outbox retries and in the end parks it. Nothing is retried after one phone took it,
        so no phone gets it twice."""
        if not push_enabled():  # the keys were removed with pushes still waiting
            raise channels.DeliveryFailed("push is off: WEBPUSH_VAPID_* keys are not set")
        user_id = int(message.address.removeprefix("user:"))
        subscriptions = list(PushSubscription.objects.filter(user_id=user_id))
        payload = json.dumps({"title": message.title, "body": message.body, "url": message.url},
                             ensure_ascii=False)
        vapid = Vapid.from_string(settings.WEBPUSH_VAPID_PRIVATE_KEY)
        with _NoRedirectSession() as session:
            outcomes = {s.pk: _push(s, payload, vapid, session) for s in subscriptions}
        taken = [pk for pk, outcome in outcomes.items() if outcome == "taken"]
        gone = [pk for pk, outcome in outcomes.items() if outcome == "gone"]
        PushSubscription.objects.filter(pk__in=gone).delete()
        if taken:
            PushSubscription.objects.filter(pk__in=taken).update(last_success_at=timezone.now())
            return f"{len(taken)}/{len(subscriptions)}"
        failures = sorted({outcome for outcome in outcomes.values() if outcome not in {"gone"}})
        if failures:
            raise channels.DeliveryFailed("push: " + ", ".join(failures))
        return f"0/{len(subscriptions)}"  # every phone unsubscribed meanwhile: nobody to tell


def _push(subscription: PushSubscription, payload: str, vapid: Vapid, session) -> str:
    """One POST to one push service: "taken", "gone", or a short reason it was not."""
    try:
        webpush(
            subscription.as_webpush(),
            data=payload,
            vapid_private_key=vapid,
            vapid_claims={"sub": settings.WEBPUSH_SUBJECT},  # fresh: webpush adds aud and exp
            ttl=TIME_TO_LIVE,
            timeout=PUSH_TIMEOUT_SECONDS,
            requests_session=session,
        )
    except WebPushException as exc:
        status = exc.response.status_code if exc.response is not None else None
        if status in {404, 410}:
            return "gone"
        # The endpoint is a secret of the subscriber: log the row, never the address.
        log.warning("push to subscription %s refused: %s", subscription.pk, status)
        return f"status {status}"
    except requests.RequestException as exc:
        log.warning("push to subscription %s failed: %s", subscription.pk, type(exc).__name__)
        return type(exc).__name__
    return "taken"


class _NoRedirectSession(requests.Session):
    """A push service answers, it never redirects: following one would let a subscriber's
    endpoint send our server's POST anywhere."""

    def post(self, url, data=None, json=None, **kwargs):
        kwargs["allow_redirects"] = False
        return super().post(url, data=data, json=json, **kwargs)


# contactbook.channels registers PushChannel, so it is imported here, after the class exists:
# whichever of the two modules is imported first, the other then finds what it needs.
from contactbook import channels  # noqa: E402
