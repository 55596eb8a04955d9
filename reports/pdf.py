"""Report cards and other official documents as PDF (WeasyPrint).

Three things matter here beyond the layout:

- **Nothing is fetched that the content names.** Every render goes through `SafeURLFetcher`:
  `data:` URIs and our own static files (found by the staticfiles finders) are served, every
  other URL — `file://`, any host over http(s), other schemes — is refused. Templates
  autoescape, so a name or a comment is text, never markup; the fetcher is the second wall.
- **Speed and memory.** A worker renders ~40 cards per call, 1,200 per school. Each card is
  its own WeasyPrint document: measured on 40 sixteen-subject cards, that was ~250 ms of CPU
  per card against ~300-330 ms when the 40 (or 10) cards were laid out as one document and
  split (Document.copy per card, or one write_pdf split with pypdf: 52 vs 46 ms per card of
  splitting alone), and the process peaked at ~250 MiB against ~490 MiB for one 40-card
  document. HarfBuzz's subsetter must be there (libharfbuzz-subset0): without it WeasyPrint
  falls back to fontTools, ~5x slower, silently — `subsetter_available()` tells, and the
  first render logs a warning once.
- **Page numbers per card.** card_html() can hold several cards (a preview, the benchmark's
  bare render): each is its own CSS page group (`page: card`) whose first page resets the page
  counter, and "Trang x/y" takes y from the card's `data-pages`.
"""

import hashlib
import logging
import mimetypes
import posixpath
from dataclasses import dataclass
from functools import cache
from io import BytesIO
from itertools import zip_longest
from typing import Any
from urllib import request as urllib_request
from urllib.parse import unquote, urlsplit

import weasyprint
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from pypdf import PdfReader, PdfWriter
from weasyprint.urls import URLFetcher, URLFetcherResponse

from core.qr import qr_svg
from reports import signing
from reports.cards.model import Card
from reports.cards.printing import PRINCIPAL_SIGNS_AS

logger = logging.getLogger(__name__)
# WeasyPrint logs every step of every render at INFO ("Step 2 - Fetching and parsing CSS"):
# with the root logger at INFO that is several lines per card in the workers' logs.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

# Relative URLs in print templates ("/static/reports/x.png") resolve against this base. The
# host is under the reserved .invalid TLD (RFC 6761): it never resolves, and the fetcher maps
# it to the staticfiles finders without any network access.
PRINT_BASE_URL = "https://print.truongso.invalid/"
STATIC_PREFIX = "/static/"

_LANDSCAPE = "@page { size: A4 landscape !important; }"


# --- The URL fetcher ------------------------------------------------------------------------


class FetchRefused(ValueError):
    """A render asked for a URL that print templates must never load."""


def safe_url_fetcher(url: str, timeout: int = 10, ssl_context: Any = None) -> URLFetcherResponse:
    """Serve `url` to WeasyPrint if it is a `data:` URI or one of our static files.

    A static file is named by a `/static/<path>` path, bare or under PRINT_BASE_URL, and is
    read from the staticfiles finders' directories (never STATIC_ROOT's hashed copies, never
    a path with `..`). Anything else raises FetchRefused: `file://`, http(s) to any host
    (loopback and the cloud metadata address included), and every other scheme. `timeout`
    and `ssl_context` exist for WeasyPrint's fetcher signature; nothing here uses the network.
    """
    try:
        scheme = urlsplit(url).scheme.lower()
    except ValueError:  # e.g. "http://[::1": not a URL we serve
        scheme = "invalid"
    if scheme == "data":
        # urllib's DataHandler only decodes the URI: no I/O.
        response = urllib_request.DataHandler().data_open(urllib_request.Request(url))
        content_type = response.headers["Content-Type"]
        return URLFetcherResponse(url, response.read(), {"Content-Type": content_type})
    path = _static_path(url, scheme)
    if path is None:
        logger.warning("Print render refused to fetch %.200s", url)
        raise FetchRefused(
            f"Refused to fetch {url[:200]!r}: print templates load only data: and /static/ URLs"
        )
    with open(path, "rb") as file:
        body = file.read()
    content_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
    return URLFetcherResponse(url, body, {"Content-Type": content_type})


def _static_path(url: str, scheme: str) -> str | None:
    """The file a static URL names, or None when the URL is not one of ours."""
    if scheme == "invalid":
        return None
    if scheme:
        parts = urlsplit(url)
        base = urlsplit(PRINT_BASE_URL)
        if (parts.scheme.lower(), parts.netloc.lower()) != (base.scheme, base.netloc):
            return None
        path = parts.path
    else:
        path = url.split("?", 1)[0].split("#", 1)[0]
    if not path.startswith(STATIC_PREFIX):
        return None
    relative = unquote(path[len(STATIC_PREFIX):])
    if "\\" in relative or "\x00" in relative:
        return None
    if any(segment in ("", ".", "..") for segment in relative.split("/")):
        return None  # also refuses "" (the directory itself) and "//" (an absolute path)
    try:
        found = finders.find(posixpath.normpath(relative))
    except SuspiciousFileOperation:
        return None
    if not found or isinstance(found, list):
        return None
    return found


class SafeURLFetcher(URLFetcher):
    """WeasyPrint's fetcher interface (a URLFetcher subclass with `fetch`) over safe_url_fetcher.

    A refused URL is logged and skipped by WeasyPrint (fail_on_errors=False): a template bug
    then shows as a missing image in one batch, not a failed run of 1,200 cards.
    """

    def __init__(self, timeout: int = 10, ssl_context: Any = None, **kwargs: Any) -> None:
        super().__init__(
            timeout=timeout, ssl_context=ssl_context, allow_redirects=False, fail_on_errors=False
        )

    def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
        return safe_url_fetcher(url, self._timeout)


# --- HarfBuzz subsetter ---------------------------------------------------------------------


@cache
def subsetter_available() -> bool:
    """Whether WeasyPrint subsets fonts with HarfBuzz (fast) rather than fontTools (~5x slower)."""
    from weasyprint.text.ffi import harfbuzz, harfbuzz_subset

    return harfbuzz_subset is not None and bool(harfbuzz.hb_version_atleast(4, 1, 0))


@cache
def _warn_once_without_subsetter() -> None:
    if not subsetter_available():
        logger.warning(
            "WeasyPrint cannot use HarfBuzz's subsetter (libharfbuzz-subset0 >= 4.1 missing): "
            "PDFs render about 5x slower. Run scripts/system-deps.sh libharfbuzz-subset0."
        )


# --- HTML -----------------------------------------------------------------------------------


def verification_path(code: str) -> str:
    """The public verification page of a card."""
    return reverse("reports:verify", args=[code])


def verification_url(code: str) -> str:
    return f"{settings.SITE_URL.rstrip('/')}{verification_path(code)}"


def _card_view(card: Card, code: str, pages: int) -> dict:
    """What card.html needs beyond the Card: its results' view (card_body_view), the code, the
    QR. Works for a primary card (Circular 27) too: no regular column, ratings in words."""
    url = verification_url(code)
    return {
        **card_body_view(card),
        "code": code,
        "pages": pages,
        "verify_url": url,
        # Markup built from the QR matrix (numbers only), never from the text: safe to inline.
        "qr": mark_safe(qr_svg(url)),
    }


def card_body_view(card: Card) -> dict:
    """What _card_body.html needs beyond the Card (padded score cells, which columns and
    notes print), for a card and for a year's page of the học bạ (reports.school_record),
    which has no code of its own."""
    # Never hide a score: the table has as many TX columns as the longest line needs.
    columns = max([card.regular_columns, *(len(line.regular) for line in card.subjects)])
    return {
        "card": card,
        "year": card.term_id is None,
        "columns": range(1, columns + 1),
        "lines": [
            {"line": line, "regular": list(line.regular) + [""] * (columns - len(line.regular))}
            for line in card.subjects
        ],
        "any_rated": any(line.rated for line in card.subjects),
        # A year card of a pupil with a summer (Circular 22 Art. 12–14) prints its columns.
        "summer": card.had_summer,
        # Grades 4–5 sit a mid-term test in Tiếng Việt and Toán (Circular 27): its column is
        # printed once any line has one; a primary card has no TX column (`columns` is 0).
        "midterm_tests": card.primary and any(line.midterm_test for line in card.subjects),
        "quality_rows": _quality_rows(card),
        "absent_total": card.absent_with_leave + card.absent_without_leave,
        # A vice-principal signs for the principal (a run's setting, ReportRun.deputy).
        "deputy": card.principal_signs_as != PRINCIPAL_SIGNS_AS,
    }


def _quality_rows(card: Card) -> list[tuple]:
    """The qualities' groups side by side, a row per item, the last group (the seven specific
    competencies) in two columns: rows of (QualityLine or None) × 4. [] for a secondary card."""
    if not card.qualities:
        return []
    *first, last = (group.lines for group in card.qualities)
    half = -(-len(last) // 2)
    return list(zip_longest(*first, last[:half], last[half:]))


def card_html(items: list[tuple[Card, str]], *, page_counts: list[int] | None = None) -> str:
    """The HTML of several cards, each (Card, verification code) starting on a new page.

    `page_counts` gives each card's length for its "Trang x/y" footer; by default 1 each.
    """
    counts = page_counts or [1] * len(items)
    views = [
        _card_view(card, code, pages) for (card, code), pages in zip(items, counts, strict=True)
    ]
    return render_to_string("reports/card.html", {"cards": views})


# --- PDF ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RenderedCard:
    pdf: bytes
    pages: int
    fingerprint: str  # SHA-256 hex of `pdf`, the final bytes (after signing)
    signed: bool = False


def _html(html: str) -> weasyprint.HTML:
    _warn_once_without_subsetter()
    return weasyprint.HTML(string=html, base_url=PRINT_BASE_URL, url_fetcher=SafeURLFetcher())


def html_to_pdf(html: str, *, landscape: bool = False) -> bytes:
    """Any print document (class summary, statistics) with the safe fetcher and our fonts."""
    stylesheets = [weasyprint.CSS(string=_LANDSCAPE)] if landscape else None
    return _html(html).write_pdf(stylesheets=stylesheets)


def bare_render(html: str) -> bytes:
    """Plain WeasyPrint with no extras: the benchmark's baseline for our pipeline."""
    return weasyprint.HTML(string=html).write_pdf()


def merge_pdfs(pdfs: list[bytes]) -> bytes:
    """One PDF of several (a class's cards, in the given order)."""
    writer = PdfWriter()
    for data in pdfs:
        writer.append(PdfReader(BytesIO(data)))
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def _render_card(card: Card, code: str) -> tuple[bytes, int]:
    """One card's PDF and page count. Laid out again, with the real count in its "Trang x/y"
    footer, only when the card runs past one page (the footer is in the page margin, so the
    second layout paginates the same way)."""
    document = _html(card_html([(card, code)])).render()
    pages = len(document.pages)
    if pages != 1:
        document = _html(card_html([(card, code)], page_counts=[pages])).render()
        if len(document.pages) != pages:
            raise RuntimeError(f"Card {code}: {pages} pages, then {len(document.pages)}")
    return document.write_pdf(), pages


def render_cards(items: list[tuple[Card, str]]) -> list[RenderedCard]:
    """One PDF per (Card, verification code), in the order given, signed when configured.

    Each card is its own WeasyPrint document. Measured against laying out all cards of a call
    as one document and splitting it (Document.copy per card, or one write_pdf split with
    pypdf): one document per card was ~15% faster per card and peaks at ~250 MiB instead of
    ~490 MiB for 40 cards (see the module docstring).
    """
    sign = signing.signing_enabled()
    rendered = []
    for card, code in items:
        data, pages = _render_card(card, code)
        if sign:
            data = signing.sign_pdf(data)
        fingerprint = hashlib.sha256(data).hexdigest()
        rendered.append(RenderedCard(pdf=data, pages=pages, fingerprint=fingerprint, signed=sign))
    return rendered
