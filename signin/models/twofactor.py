"""The second factor for staff (signin/twofactor.py has the rules): the authenticator app is
django-otp's TOTPDevice; backup codes and resets are ours."""

import hashlib

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device, ThrottlingMixin, TimestampMixin


class BackupCodeDevice(TimestampMixin, ThrottlingMixin, Device):
    """A person's set of one-time backup codes, for the day the phone with the authenticator
    app is not at hand. django-otp's own static device keeps its codes in clear; here only a
    SHA-256 of each code is kept (a code is 10 random base-32 characters, 50 bits)."""

    class Meta(Device.Meta):
        verbose_name = _("backup codes")
        verbose_name_plural = _("backup codes")

    def get_throttle_factor(self) -> int:
        return 1

    def verify_token(self, token) -> bool:
        allowed, _details = self.verify_is_allowed()
        if not allowed:
            return False
        used = self.codes.filter(digest=BackupCode.digest_of(token)).first()
        if used is None:
            self.throttle_increment()
            return False
        used.delete()
        self.throttle_reset(commit=False)
        self.set_last_used_timestamp(commit=False)
        self.save()
        return True


class BackupCode(models.Model):
    device = models.ForeignKey(BackupCodeDevice, on_delete=models.CASCADE, related_name="codes")
    digest = models.CharField(max_length=64, db_index=True)

    @staticmethod
    def digest_of(token: str) -> str:
        """What is kept of a code: spaces, dashes and case do not matter when it is typed."""
        code = "".join(str(token).split()).replace("-", "").lower()
        return hashlib.sha256(code.encode()).hexdigest()

    class Meta:
        verbose_name = _("backup code")
        verbose_name_plural = _("backup codes")

    def __str__(self) -> str:
        return f"{self.device_id}:{self.digest[:8]}"


class SecondFactorReset(models.Model):
    """A lost second factor reset by the person's school manager or the operator: who, whose,
    when. The record outlives both accounts (names are kept as text)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("account"),
    )
    user_name = models.CharField(_("name"), max_length=200)
    reset_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("reset by"),
    )
    reset_by_name = models.CharField(_("reset by"), max_length=200)
    reset_at = models.DateTimeField(_("reset at"), auto_now_add=True)
    sessions_ended = models.PositiveIntegerField(_("sessions ended"), default=0)

    class Meta:
        verbose_name = _("second factor reset")
        verbose_name_plural = _("second factor resets")
        ordering = ["-reset_at"]

    def __str__(self) -> str:
        return f"{self.user_name} ({self.reset_at:%Y-%m-%d %H:%M})"
