"""Optional PAdES signature of report cards with the school's certificate (pyHanko).

Vietnam's digital school record is signed with CA certificates (DOMAIN.md), so a card that
carries a signature can be checked by any PDF reader, beside the verification page. Signing
is on when REPORT_SIGNING_CERT and REPORT_SIGNING_KEY name PEM files; the key is decrypted
with REPORT_SIGNING_PASSPHRASE when one is set. The signature is PAdES B-B (no timestamp
authority: a render never calls out to the network).
"""

import asyncio
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from io import BytesIO

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers

SIGNATURE_FIELD = "ChuKyNhaTruong"
REASON = "Phiếu báo kết quả học tập do nhà trường phát hành"
# Room for the CMS signature, hex-encoded in the PDF: 8 KiB of DER holds the signer's
# certificate, an RSA-4096 signature and the signed attributes with margin. (Only the signer's
# certificate is embedded: no chain files are configured.)
SIGNATURE_BYTES_RESERVED = 16384


def signing_enabled() -> bool:
    """Whether cards are signed. Half a configuration (a certificate without its key, or the
    reverse) is an error rather than silently unsigned cards."""
    cert, key = settings.REPORT_SIGNING_CERT, settings.REPORT_SIGNING_KEY
    if bool(cert) != bool(key):
        raise ImproperlyConfigured(
            "Set both REPORT_SIGNING_CERT and REPORT_SIGNING_KEY, or neither."
        )
    return bool(cert)


# Loaded once per worker process (workers are recycled every few tasks, so a certificate
# replaced at the same path is picked up soon after).
@lru_cache(maxsize=4)
def _signer(cert: str, key: str, passphrase: str) -> signers.SimpleSigner:
    secret = passphrase.encode() if passphrase else None
    signer = signers.SimpleSigner.load(key, cert, key_passphrase=secret)
    if signer is None:
        # pyHanko logs the reason (wrong passphrase, unreadable file) and returns None.
        raise ImproperlyConfigured(
            f"Cannot load the report signing key {key} with certificate {cert}."
        )
    return signer


def sign_pdf(data: bytes) -> bytes:
    """`data` with a PAdES signature (SHA-256) covering the whole document appended.

    Precondition: signing_enabled(). The result is an incremental update of `data`: the
    original bytes are its prefix.
    """
    signer = _signer(
        settings.REPORT_SIGNING_CERT,
        settings.REPORT_SIGNING_KEY,
        settings.REPORT_SIGNING_PASSPHRASE or "",
    )
    meta = signers.PdfSignatureMetadata(
        field_name=SIGNATURE_FIELD,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=REASON,
    )
    writer = IncrementalPdfFileWriter(BytesIO(data))
    # A fixed reservation: left unset, pyHanko first makes a dummy signature to size it, which
    # doubled the cost (measured ~100 -> ~50 ms per card; what remains is mostly pyHanko
    # reloading the private key for every signature).
    signed = run_sync(
        signers.async_sign_pdf(writer, meta, signer=signer, bytes_reserved=SIGNATURE_BYTES_RESERVED)
    )
    return signed.getvalue()


def run_sync(coroutine):
    """Run one of pyHanko's coroutines to its end from plain code. Its own sync wrappers call
    asyncio.run(), which fails in a thread already running an event loop (an ASGI server, a
    browser driver in the tests); there, the coroutine runs in a thread of its own."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()
