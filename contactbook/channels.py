"""Notification channels. Callers never name a channel: they write Notification rows
(services.notify) and each Delivery is sent by the channel registered under its name here, so
another channel is one more class in CHANNELS and nothing else changes.

The SMS gateway is the system's edge: `HttpSmsGateway` talks to a real provider configured by
the environment; `FileSmsGateway` writes one JSON line per message for development and tests.
`ZaloChannel` talks to Zalo's ZNS API (ZALO_ZNS_URL); it stands in for SMS (`instead_of`).

A channel's `send` ends one of four ways: it returns the provider's id (sent); raises
DeliveryFailed (temporary: retried with backoff); RecipientUnreachable (this address cannot
receive on this channel: the outbox sends it by the channel's `instead_of` one); or
DeliveryRejected (our request is wrong, a template or token: parked for an administrator,
since trying again cannot help).
"""

import datetime
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import requests
from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone
from django.utils.module_loading import import_string

from accounts.phones import normalize_phone


class DeliveryFailed(Exception):
    """Temporary: try again later."""


class RecipientUnreachable(Exception):
    """This address cannot receive on this channel (a phone with no Zalo account, or one that
    refused the school's messages): send it another way instead of retrying."""


class DeliveryRejected(Exception):
    """The provider refused our request itself (unknown template, bad token): a bug or a
    configuration to fix, never retried."""


@dataclass(frozen=True)
class Message:
    address: str  # phone number, e-mail address, user id…
    title: str
    body: str
    url: str
    kind: str = ""  # the notification's kind (a Zalo template per kind)
    tracking_id: str = ""  # our delivery's id, for providers that deduplicate by it


class Channel(Protocol):
    name: str

    def address_for(self, user) -> str | None:
        """Where this user is reached on this channel, or None if they cannot be."""

    def send(self, message: Message) -> str:
        """Send; return the provider's id. Raise DeliveryFailed to be retried later."""

    def allowed_at(self, moment: datetime.datetime) -> datetime.datetime:
        """The earliest moment at or after `moment` when sending is allowed."""

    # Optional (the outbox reads them with getattr, so a channel may leave them out):
    # instead_of: str — the channel this one replaces when it can be used, whose preference
    #   it follows and to which it falls back (Zalo: "sms").
    # def handles(self, kind: str) -> bool — whether it can carry this kind of news.


class _Anytime:
    def allowed_at(self, moment):
        return moment


class EmailChannel(_Anytime):
    name = "email"

    def address_for(self, user):
        return user.email or None

    def send(self, message):
        try:
            send_mail(message.title, f"{message.body}\n\n{message.url}".strip(), None, [message.address])
        except OSError as exc:  # SMTP down or refusing
            raise DeliveryFailed(str(exc)) from exc
        return ""


class SmsGateway(Protocol):
    """`request_id` is the delivery's, the same on every attempt: a gateway that keeps it
    sends a retried SMS once (a worker killed after the gateway took the SMS but before we
    recorded it retries with the same id)."""

    def send_sms(self, phone: str, text: str, *, request_id: str = "") -> str: ...


class FileSmsGateway:
    """Development and tests: append each SMS as a JSON line to SMS_FILE_PATH."""

    def send_sms(self, phone, text, *, request_id=""):
        path = Path(settings.SMS_FILE_PATH)
        path.parent.mkdir(parents=True, exist_ok=True)
        line = {"phone": phone, "text": text, "request_id": request_id}
        with path.open("a", encoding="utf-8") as out:
            out.write(json.dumps(line, ensure_ascii=False) + "\n")
        return f"file-{timezone.now().timestamp()}"


class HttpSmsGateway:
    """A brand-name SMS provider's HTTP API: POST {to, text, sender, request_id} with a bearer
    key, the request id also as the Idempotency-Key header (choose a provider that honours
    one of them, so a retry after a lost answer is not a second SMS)."""

    def send_sms(self, phone, text, *, request_id=""):
        try:
            response = requests.post(
                settings.SMS_HTTP_URL,
                json={"to": phone, "text": text, "sender": settings.SMS_SENDER,
                      "request_id": request_id},
                headers={"Authorization": f"Bearer {settings.SMS_HTTP_TOKEN}",
                         "Idempotency-Key": request_id},
                timeout=10,
            )
        except requests.RequestException as exc:
            raise DeliveryFailed(str(exc)) from exc
        if response.status_code >= 500 or response.status_code == 429:
            raise DeliveryFailed(f"gateway answered {response.status_code}")
        if response.status_code >= 400:  # our request is wrong; a bug, not a retry
            raise DeliveryRejected(f"gateway answered {response.status_code}")
        return str(response.json().get("id", ""))


class SmsChannel:
    """SMS within SMS_SEND_HOURS local time only, 7:00–22:00 by default (school notices, never
    advertising)."""

    name = "sms"

    def address_for(self, user):
        return user.phone or None

    def send(self, message):
        gateway = import_string(settings.SMS_GATEWAY)()
        return gateway.send_sms(
            message.address, f"{message.title}: {message.body}"[:459],
            request_id=message.tracking_id,
        )

    def allowed_at(self, moment):
        return _within_phone_hours(moment)


def _within_phone_hours(moment: datetime.datetime) -> datetime.datetime:
    """`moment`, or the start of the next SMS_SEND_HOURS window if it falls outside."""
    first_hour, last_hour = settings.SMS_SEND_HOURS  # 7, 22 unless configured
    first = datetime.time(first_hour)
    local = timezone.localtime(moment)
    if first <= local.time() and (last_hour == 24 or local.time() < datetime.time(last_hour)):
        return moment
    day = local.date() if local.time() < first else local.date() + datetime.timedelta(days=1)
    return timezone.make_aware(datetime.datetime.combine(day, first))



# ------------------------------------------------------------------ Zalo (ZNS)

# Zalo's answer codes (`error` in its JSON), sorted by what we do about them; see the table in
# docs (README, "Zalo"). A code in neither set is treated as temporary: retried, and after the
# last try the message goes by SMS, so an unknown code neither loops nor loses the news.
ZNS_UNREACHABLE = {
    -108,  # phone number invalid (for Zalo)
    -110,  # the recipient's Zalo version is too old for ZNS
    -114,  # user inactive, refused the message, or an outdated Zalo
    -118,  # no Zalo account for this phone, or it is disabled
    -119,  # this account cannot receive ZNS
    -139,  # the user refused this kind of ZNS
    -140,  # the OA may not send ZNS to this user
    -141,  # the user refused ZNS from this OA
}
ZNS_REJECTED = {
    -101, -102, -103, -104, -105,  # the app: invalid, missing, not activated, secret, no OA
    -106, -107,  # method unsupported, message id invalid
    -109,  # template id invalid
    -111, -112,  # template data empty or invalid
    -116, -117,  # text invalid; the OA or app may not use this template
    -120, -121, -122,  # feature not allowed; body empty; body not JSON
    -124,  # access token invalid (or expired)
    -125,  # OA id invalid
    -130, -131, -132,  # content too long; template not approved or missing; parameter invalid
    -135, -138,  # the OA or app may not send ZNS
    -146,  # template disabled by Zalo for poor quality
}
# Temporary, for the record: -1 and -100 (unknown, "try again later"), -115 (out of quota),
# -133 (not sent at night), -144 (the OA's daily quota), -147 (the template's daily quota).

# ZNS template parameters have length limits (set when the template is registered): the
# templates we ask schools to register declare title ≤ 100, body ≤ 200, url ≤ 200 characters.
ZNS_LIMITS = {"title": 100, "body": 200, "url": 200}


class ZaloChannel:
    """Zalo Notification Service: a template message per kind of news (ZALO_TEMPLATES) to the
    guardian's phone. Used instead of SMS for those who agreed to Zalo, while a token is set;
    a phone with no Zalo gets the SMS. Same hours as SMS: a school notice at 23:00 is as rude
    on Zalo as by SMS."""

    name = "zalo"
    instead_of = "sms"

    def address_for(self, user):
        if not settings.ZALO_ACCESS_TOKEN or not user.phone:
            return None
        return zns_phone(user.phone)

    def handles(self, kind: str) -> bool:
        return kind in settings.ZALO_TEMPLATES

    def allowed_at(self, moment):
        return _within_phone_hours(moment)

    def send(self, message):
        template_id = settings.ZALO_TEMPLATES.get(message.kind)
        if not template_id:
            raise DeliveryRejected(f"no Zalo template for kind {message.kind!r} (ZALO_TEMPLATES)")
        payload = {
            "phone": message.address,
            "template_id": template_id,
            "template_data": zns_template_data(message),
            "tracking_id": message.tracking_id,
        }
        try:
            response = requests.post(
                settings.ZALO_ZNS_URL,
                json=payload,
                headers={"access_token": settings.ZALO_ACCESS_TOKEN},
                timeout=settings.ZALO_TIMEOUT_SECONDS,
            )
        except requests.RequestException as exc:
            # The exception names the URL, never the headers: the token stays out of logs.
            raise DeliveryFailed(f"Zalo unreachable: {type(exc).__name__}") from exc
        return _zns_answer(response)


def zns_phone(phone: str) -> str | None:
    """Our national form (0912345678) as ZNS wants it, international without "+": 84912345678."""
    national = normalize_phone(phone)
    return f"84{national[1:]}" if national else None


def zns_template_data(message: Message) -> dict[str, str]:
    return {
        "title": _shorten(message.title, ZNS_LIMITS["title"]),
        "body": _shorten(message.body, ZNS_LIMITS["body"]),
        # A cut link leads nowhere: too long a one becomes the site's home.
        "url": message.url if len(message.url) <= ZNS_LIMITS["url"] else settings.SITE_URL,
    }


def _shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _zns_answer(response) -> str:
    """The msg_id of a success; otherwise the exception that says what to do next."""
    if response.status_code == 429 or response.status_code >= 500:
        raise DeliveryFailed(f"Zalo answered HTTP {response.status_code}")
    if response.status_code >= 400:
        raise DeliveryRejected(f"Zalo answered HTTP {response.status_code}")
    try:
        answer = response.json()
        code = int(answer["error"])
    except (ValueError, TypeError, KeyError, IndexError):
        raise DeliveryFailed("Zalo's answer is not its JSON") from None
    if code == 0:
        data = answer.get("data")
        return str(data.get("msg_id", "")) if isinstance(data, dict) else ""
    error = f"Zalo error {code}: {str(answer.get('message', ''))[:200]}"
    if code in ZNS_UNREACHABLE:
        raise RecipientUnreachable(error)
    if code in ZNS_REJECTED:
        raise DeliveryRejected(error)
    raise DeliveryFailed(error)


CHANNELS: dict[str, Channel] = {
    channel.name: channel for channel in (EmailChannel(), ZaloChannel(), SmsChannel())
}
CHANNELS["push"] = import_string("contactbook.push.PushChannel")()  # Web Push: contactbook/push.py
