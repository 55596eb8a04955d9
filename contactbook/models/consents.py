"""What each person agreed to, per channel (Nghị định 13/2023/NĐ-CP; Luật Bảo vệ dữ liệu cá
nhân 2025): the services are in contactbook/consents.py."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Consent(models.Model):
    """One agreement or withdrawal, as the person gave it: append-only, so the history shows
    what they had agreed to on any day and how we learnt it. The latest row for a person and
    channel is what holds; a channel with no row was never agreed to."""

    class Channel(models.TextChoices):
        SMS = "sms", _("SMS")
        ZALO = "zalo", _("Zalo")
        PUSH = "push", _("Push notifications")

    class Source(models.TextChoices):
        PORTAL = "portal", _("On the portal")
        PAPER_FORM = "paper_form", _("Paper form at school")
        IMPORT = "import", _("Imported")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="consents")
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    agreed = models.BooleanField(_("agreed"))
    # How we learnt it. Free text beside the known sources, so a new way in (another app, a
    # kiosk) needs no migration; the known ones have labels.
    source = models.CharField(_("source"), max_length=40, choices=Source.choices)
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now, editable=False)
    # Who wrote it down: the person themselves on the portal, or the staff member who entered a
    # paper form; empty for an import.
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        indexes = [models.Index(fields=["user", "channel", "-id"], name="consent_latest")]

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise ValueError("Consents are append-only: record a new one instead.")
        super().save(*args, **kwargs)

    def __str__(self) -> str:
        return f"{self.user_id} {self.channel} {'yes' if self.agreed else 'no'}"
