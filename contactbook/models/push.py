"""Web Push subscriptions (contactbook/push.py sends through them)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class PushSubscription(models.Model):
    """One browser on one phone that agreed to receive this person's notifications: the push
    service's address for it and the keys its messages are encrypted to. Having one is the
    person's consent to the push channel; the browser (or a 404/410 from the push service)
    ends it. The endpoint names the browser, so it belongs to whoever subscribed it last."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="push_subscriptions"
    )
    endpoint = models.CharField(_("endpoint"), max_length=2000, unique=True)
    p256dh = models.CharField(max_length=100)  # the browser's P-256 public key, base64url
    auth = models.CharField(max_length=50)  # its 16-byte authentication secret, base64url
    user_agent = models.CharField(_("browser"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_success_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.user_agent or self.endpoint[:60]

    def as_webpush(self) -> dict:
        """The subscription as pywebpush takes it (the browser's PushSubscription.toJSON())."""
        return {"endpoint": self.endpoint, "keys": {"p256dh": self.p256dh, "auth": self.auth}}
