"""Notification channels. Callers never name a channel: they write Notification rows
(services.notify) and each Delivery is sent by the channel registered under its name here, so
a Zalo adapter is one more class in CHANNELS and nothing else changes.

The SMS gateway is the system's edge: `HttpSmsGateway` talks to a real provider configured by
the environment; `FileSmsGateway` writes one JSON line per message for development and tests.
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


class DeliveryFailed(Exception):
    """Temporary: try again later."""


@dataclass(frozen=True)
class Message:
    address: str  # phone number, e-mail address, user id…
    title: str
    body: str
    url: str


class Channel(Protocol):
    name: str

    def address_for(self, user) -> str | None:
        """Where this user is reached on this channel, or None if they cannot be."""

    def send(self, message: Message) -> str:
        """Send; return the provider's id. Raise DeliveryFailed to be retried later."""

    def allowed_at(self, moment: datetime.datetime) -> datetime.datetime:
        """The earliest moment at or after `moment` when sending is allowed."""


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
    def send_sms(self, phone: str, text: str) -> str: ...


class FileSmsGateway:
    """Development and tests: append each SMS as a JSON line to SMS_FILE_PATH."""

    def send_sms(self, phone, text):
        path = Path(settings.SMS_FILE_PATH)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as out:
            out.write(json.dumps({"phone": phone, "text": text}, ensure_ascii=False) + "\n")
        return f"file-{timezone.now().timestamp()}"


class HttpSmsGateway:
    """A brand-name SMS provider's HTTP API: POST {to, text, sender} with a bearer key."""

    def send_sms(self, phone, text):
        try:
            response = requests.post(
                settings.SMS_HTTP_URL,
                json={"to": phone, "text": text, "sender": settings.SMS_SENDER},
                headers={"Authorization": f"Bearer {settings.SMS_HTTP_TOKEN}"},
                timeout=10,
            )
        except requests.RequestException as exc:
            raise DeliveryFailed(str(exc)) from exc
        if response.status_code >= 500 or response.status_code == 429:
            raise DeliveryFailed(f"gateway answered {response.status_code}")
        response.raise_for_status()  # 4xx: our request is wrong; a bug, not a retry
        return str(response.json().get("id", ""))


class SmsChannel:
    """SMS within SMS_SEND_HOURS local time only, 7:00–22:00 by default (school notices, never
    advertising)."""

    name = "sms"

    def address_for(self, user):
        return user.phone or None

    def send(self, message):
        gateway = import_string(settings.SMS_GATEWAY)()
        return gateway.send_sms(message.address, f"{message.title}: {message.body}"[:459])

    def allowed_at(self, moment):
        first_hour, last_hour = settings.SMS_SEND_HOURS  # 7, 22 unless configured
        first = datetime.time(first_hour)
        local = timezone.localtime(moment)
        if first <= local.time() and (last_hour == 24 or local.time() < datetime.time(last_hour)):
            return moment
        day = local.date() if local.time() < first else local.date() + datetime.timedelta(days=1)
        return timezone.make_aware(datetime.datetime.combine(day, first))


CHANNELS: dict[str, Channel] = {channel.name: channel for channel in (EmailChannel(), SmsChannel())}
CHANNELS["push"] = import_string("contactbook.push.PushChannel")()  # Web Push: contactbook/push.py
