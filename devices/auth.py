"""Device authentication: `Authorization: Bearer <token>`. The token's SHA-256 finds the
device in one indexed lookup; a revoked token has no hash left, so it is refused at once."""

import time

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer

from core.failsoft import Unavailable
from school.exceptions import PayloadTooLarge, RateLimited
from school.models import ClassroomDevice

# last_seen_at is written at most this often per device, not on every request.
TOUCH_EVERY_SECONDS = 60


class DeviceToken(HttpBearer):
    openapi_description = "The device's token, shown once when it was registered or rotated."

    def authenticate(self, request: HttpRequest, token: str) -> ClassroomDevice | None:
        _check_body_size(request)
        device = (
            ClassroomDevice.objects.select_related("school", "room")
            .filter(token_hash=ClassroomDevice.hash_token(token), revoked_at__isnull=True)
            .first()
        )
        if device is None:
            return None
        _check_rate(device)
        _touch(device)
        return device


def _check_body_size(request: HttpRequest) -> None:
    """Refuse an oversized body before it is read (authentication runs before parsing)."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > settings.DEVICE_API_MAX_BODY_BYTES:
        raise PayloadTooLarge(field="body")


def _check_rate(device: ClassroomDevice) -> None:
    """A fixed one-minute window per device in the shared cache (Redis in production, so
    every web host counts the same requests). While the shared cache does not answer, each
    process counts its own requests (caches["local"]): the limit fails safe, neither lifted nor
    refusing everyone, but holds per process, so a device may then get up to the limit times
    the number of web processes it reaches."""
    window = int(time.time() // 60)
    key = f"device-rate:{device.pk}:{window}"
    try:
        count = _count(caches["default"], key)
    except Unavailable:
        count = _count(caches["local"], key)
    if count > settings.DEVICE_API_RATE_PER_MINUTE:
        retry_after = 60 - int(time.time()) % 60
        raise RateLimited(headers={"Retry-After": str(max(retry_after, 1))})


def _count(cache, key: str) -> int:
    cache.add(key, 0, timeout=120)
    try:
        return cache.incr(key)
    except ValueError:  # the key expired between add and incr
        return 1


def _touch(device: ClassroomDevice) -> None:
    now = timezone.now()
    if device.last_seen_at and (now - device.last_seen_at).total_seconds() < TOUCH_EVERY_SECONDS:
        return
    ClassroomDevice.objects.filter(pk=device.pk).update(last_seen_at=now)
    device.last_seen_at = now
