"""The signed-in sessions a person can see and end (signin/sessions.py keeps them)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SignedInSession(models.Model):
    """One signed-in browser or device. Django's session table is keyed by session key only
    and holds the user inside an encoded blob, so "the sessions of this person" needs a row of
    our own, made at sign-in and deleted at sign-out.

    `auth_hash` is the user's session auth hash at sign-in (it covers the password and the
    phone, accounts.User._get_session_auth_hash): a row whose hash is no longer the user's is a
    session Django already refuses, recognised without loading the session."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="signed_in_sessions",
        verbose_name=_("user"),
    )
    session_key = models.CharField(_("session key"), max_length=40, unique=True)
    created_at = models.DateTimeField(_("signed in at"))
    last_seen_at = models.DateTimeField(_("last seen"))
    user_agent = models.CharField(_("browser"), max_length=200, blank=True)
    ip_address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    auth_hash = models.CharField(max_length=128)

    class Meta:
        verbose_name = _("signed-in session")
        verbose_name_plural = _("signed-in sessions")
        indexes = [models.Index(fields=["user", "last_seen_at"], name="signin_session_user")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.created_at:%Y-%m-%d %H:%M}"
