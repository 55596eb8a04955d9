"""Optional PAdES signature of report cards: with the school's certificate configured, every
card is signed and any reader can check it is intact; without it, cards are plain PDFs.
The certificate is a throwaway self-signed one made here."""

import datetime
import hashlib
from io import BytesIO

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from django.core.exceptions import ImproperlyConfigured
from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import async_validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from reports import pdf, signing
from tests.reports.test_pdf import make_card, pdf_text

PASSPHRASE = "mật-khẩu-thử"


@pytest.fixture
def school_certificate(tmp_path, settings):
    """A self-signed certificate and its encrypted key in PEM files, configured for signing."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Trường THPT Hạ Long"),
        x509.NameAttribute(NameOID.COMMON_NAME, "Trường THPT Hạ Long (thử nghiệm)"),
    ])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True, content_commitment=True, key_cert_sign=True, crl_sign=False,
                key_encipherment=False, data_encipherment=False, key_agreement=False,
                encipher_only=False, decipher_only=False,
            ),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp_path / "school.crt", tmp_path / "school.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(PASSPHRASE.encode()),
        )
    )
    settings.REPORT_SIGNING_CERT = str(cert_path)
    settings.REPORT_SIGNING_KEY = str(key_path)
    settings.REPORT_SIGNING_PASSPHRASE = PASSPHRASE
    return cert_path


def validate(data: bytes, cert_path):
    [signature] = PdfFileReader(BytesIO(data)).embedded_signatures
    context = ValidationContext(trust_roots=[load_cert_from_pemder(str(cert_path))])
    return signing.run_sync(async_validate_pdf_signature(signature, context))


def test_cards_are_unsigned_when_no_certificate_is_configured(settings):
    settings.REPORT_SIGNING_CERT = settings.REPORT_SIGNING_KEY = settings.REPORT_SIGNING_PASSPHRASE = ""

    [card] = pdf.render_cards([(make_card(), "PLAIN001")])

    assert signing.signing_enabled() is False
    assert card.signed is False
    assert PdfFileReader(BytesIO(card.pdf)).embedded_signatures == []


def test_signed_card_is_intact_trusted_and_covers_the_whole_document(school_certificate):
    [card] = pdf.render_cards([(make_card("Đặng Quốc Trường"), "SIGNED01")])

    assert signing.signing_enabled() is True
    assert card.signed is True
    assert card.fingerprint == hashlib.sha256(card.pdf).hexdigest()  # of the signed bytes
    status = validate(card.pdf, school_certificate)
    assert status.intact and status.valid and status.trusted
    assert status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    assert status.bottom_line
    text = pdf_text(card.pdf)
    assert "Đặng Quốc Trường" in text and "SIGNED01" in text
    assert card.pages == 1


def test_an_altered_signed_card_fails_validation(school_certificate):
    [card] = pdf.render_cards([(make_card("Nguyễn Thị Ánh Dương"), "ALTERED1")])
    # One byte of the signed range changed: the version digit of the "%PDF-1.x" header.
    assert card.pdf.startswith(b"%PDF-1.")
    tampered = card.pdf[:7] + (b"4" if card.pdf[7:8] != b"4" else b"5") + card.pdf[8:]

    assert validate(tampered, school_certificate).intact is False


def test_sign_pdf_signs_any_rendered_pdf(school_certificate):
    summary = pdf.html_to_pdf("<p>Bảng tổng hợp kết quả đánh giá</p>")

    signed = signing.sign_pdf(summary)

    assert signed.startswith(summary)  # an incremental update: the original bytes are kept
    assert validate(signed, school_certificate).bottom_line


def test_signing_works_from_a_thread_that_runs_an_event_loop(school_certificate):
    # E.g. under an ASGI server, or in the tests after the browser driver started its loop
    # (that thread is simulated by a thread of our own, whatever runs in this one).
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    summary = pdf.html_to_pdf("<p>Thống kê</p>")

    async def sign_from_async_code():
        return signing.sign_pdf(summary)

    with ThreadPoolExecutor(max_workers=1) as pool:
        signed = pool.submit(asyncio.run, sign_from_async_code()).result()
    assert validate(signed, school_certificate).bottom_line


def test_half_a_signing_configuration_is_refused(settings, school_certificate):
    settings.REPORT_SIGNING_KEY = ""

    with pytest.raises(ImproperlyConfigured):
        signing.signing_enabled()


def test_a_wrong_passphrase_is_a_clear_configuration_error(settings, school_certificate):
    settings.REPORT_SIGNING_PASSPHRASE = "sai"

    with pytest.raises(ImproperlyConfigured):
        pdf.render_cards([(make_card(), "WRONGPW1")])
