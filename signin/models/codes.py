"""One-time sign-in codes (signin/codes.py issues and checks them)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SignInCode(models.Model):
    """One code request: the phone typed, the address it came from and, when the phone is an
    active account's, that account. A request for an unknown number is stored too (with no
    user and a hash of a code nobody receives), so it counts against the same limits and is
    answered the same way: the row is also the limits' counter, in the database so every host
    sees it and a cache outage loses nothing.

    Only a keyed hash of the code is kept (`code_hash`, signin.codes.hash_code); the clear code
    exists in the request that made it and, encrypted, in the SMS outbox until it is sent."""

    phone = models.CharField(_("phone number"), max_length=16)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    salt = models.CharField(max_length=32)
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(_("requested at"))
    attempts = models.PositiveSmallIntegerField(_("wrong tries"), default=0)
    # Set when the code stops working before it expires: used, replaced by a newer code, or
    # burnt by too many wrong tries (`burnt` tells the last apart, for the cool-off).
    closed_at = models.DateTimeField(null=True, blank=True)
    burnt = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("sign-in code")
        verbose_name_plural = _("sign-in codes")
        indexes = [
            models.Index(fields=["phone", "created_at"], name="signin_code_phone"),
            models.Index(fields=["address", "created_at"], name="signin_code_address"),
        ]

    def __str__(self) -> str:
        return f"{self.phone} {self.created_at:%Y-%m-%d %H:%M}"
