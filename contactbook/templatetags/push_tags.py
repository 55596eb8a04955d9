"""{% webpush_public_key %}: the VAPID public key the toggle subscribes with, or "" while push is
off (templates/contactbook/_push_toggle.html then renders nothing)."""

from django import template
from django.conf import settings

from contactbook.push import push_enabled

register = template.Library()


@register.simple_tag
def webpush_public_key() -> str:
    return settings.WEBPUSH_VAPID_PUBLIC_KEY if push_enabled() else ""
