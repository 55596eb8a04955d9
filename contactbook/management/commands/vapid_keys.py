"""Print a fresh VAPID key pair for Web Push, as lines for .env (contactbook/push.py)."""

from cryptography.hazmat.primitives import serialization
from django.core.management.base import BaseCommand
from py_vapid import Vapid
from py_vapid.utils import b64urlencode


class Command(BaseCommand):
    help = "Print a new VAPID key pair (WEBPUSH_VAPID_PUBLIC_KEY, WEBPUSH_VAPID_PRIVATE_KEY) for .env."

    def handle(self, *args, **options):
        vapid = Vapid()
        vapid.generate_keys()
        # Raw forms, base64url: the 32-byte private number and the 65-byte uncompressed point
        # the browser's pushManager.subscribe takes as applicationServerKey.
        private = vapid.private_key.private_numbers().private_value.to_bytes(32, "big")
        public = vapid.public_key.public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        self.stdout.write(f"WEBPUSH_VAPID_PUBLIC_KEY={b64urlencode(public)}")
        self.stdout.write(f"WEBPUSH_VAPID_PRIVATE_KEY={b64urlencode(private)}")
        self.stderr.write(
            "Keep the private key secret. Set WEBPUSH_SUBJECT too (mailto: or https:). Changing "
            "the pair later means every phone must turn notifications on again."
        )
