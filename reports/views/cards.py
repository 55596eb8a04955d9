"""A pupil's report card on the web: the family's list of cards and the download of one (only
for a term whose grade book is closed), and the public verification page `/verify/<code>/`
that anyone holding a printed card reaches through its code or QR code.

The verification page shows what the card's paper already shows about the school and the
period, the pupil's name masked (school.names.mask_name), the date the card was issued and
its SHA-256 fingerprint — nothing else about the pupil: no date of birth, no class, no grades,
no student code. A visitor may upload a PDF to compare its fingerprint; the file is hashed as
it streams in and never stored (not even in a temporary file).
"""

import datetime
import hashlib
import io
from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods

from reports import access, runs
from reports.models import ReportCard
from reports.views.runs import WHOLE_YEAR, ascii_filename, period_label
from school import audit, names
from school.exceptions import DomainError
from school.models import ClassGroup, DataAccess, Enrolment, SchoolYear, Student, Term

# ---------------------------------------------------------------------------------------
# A pupil's cards: the list and the download
# ---------------------------------------------------------------------------------------


@dataclass
class Period:
    """One card a pupil may have: a term of a year they were enrolled in, or the whole year."""

    school_year: SchoolYear
    class_group: ClassGroup  # the class the pupil was in that year (the last one, if moved)
    term: Term | None  # None: the whole year
    closed_at: datetime.datetime | None  # when the grade book closed (term II's for the year)
    url: str

    @property
    def closed(self) -> bool:
        return self.closed_at is not None

    @property
    def label(self) -> str:
        return period_label(self.term)


def _periods(student: Student) -> list[Period]:
    """The pupil's possible cards, newest year first, each year's term I, term II and whole
    year, in the class the pupil is (or ended the year) in. A whole-year card exists once
    term II is closed. A year the pupil left the school in has no card. Two queries."""
    class_by_year: dict[int, Enrolment] = {
        # Every year's class, not only the current one (Enrolment.objects.current): a card is
        # of the year it reports. One active enrolment per pupil and year (a constraint).
        e.school_year_id: e
        for e in Enrolment.objects.active().filter(student=student)
        .select_related("class_group", "school_year")
    }
    terms = {
        (t.school_year_id, t.number): t
        for t in Term.objects.filter(school_year_id__in=list(class_by_year))
    }
    periods = []
    years = sorted(class_by_year.values(), key=lambda e: e.school_year.start_date, reverse=True)
    for enrolment in years:
        year = enrolment.school_year
        for number in (1, 2):
            term = terms.get((year.pk, number))
            if term is not None:
                url = reverse("reports:student_card", args=[student.pk, term.pk])
                periods.append(Period(year, enrolment.class_group, term, term.closed_at, url))
        term2 = terms.get((year.pk, 2))
        url = reverse("reports:student_year_card", args=[student.pk]) + f"?nam-hoc={year.pk}"
        periods.append(
            Period(year, enrolment.class_group, None, term2.closed_at if term2 else None, url)
        )
    return periods


@login_required
@require_GET
@never_cache
def student_cards(request: HttpRequest, student_id: int) -> HttpResponse:
    """The pupil's report cards: a download link for each closed term (and the whole year once
    term II is closed); open terms are listed as not available yet. For the pupil's guardians
    and the managers of the pupil's school; 404 for everyone else."""
    student = access.get_card_student_for_user(request.user, student_id)
    periods = _periods(student)
    years: dict = {}
    for period in periods:
        years.setdefault(period.school_year, []).append(period)
    return render(
        request, "reports/cards/list.html", {"student": student, "years": list(years.items())}
    )


def _not_available(
    request: HttpRequest, student: Student, period: Period | None, message: str, status: int
) -> HttpResponse:
    return render(
        request,
        "reports/cards/not_available.html",
        {
            "student": student,
            "period": period,
            "message": message,
            "back": reverse("reports:student_cards", args=[student.pk]),
        },
        status=status,
    )


@login_required
@require_GET
@never_cache
def student_card(request: HttpRequest, student_id: int, term_id: int | None = None) -> HttpResponse:
    """One card as a PDF shown in the browser, rendered now if it is missing or out of date
    (reports.runs.ensure_card). Only for a closed term: an open one answers 404 with a page
    that says why — its scores may still change, so no card exists for it. The whole-year
    card takes `?nam-hoc=<school year id>` (the newest year by default)."""
    student = access.get_card_student_for_user(request.user, student_id)
    periods = _periods(student)
    if term_id is not None:
        period = next((p for p in periods if p.term is not None and p.term.pk == term_id), None)
    else:
        year_id = request.GET.get("nam-hoc")
        period = next(
            (
                p for p in periods
                if p.term is None and (year_id is None or str(p.school_year.pk) == year_id)
            ),
            None,
        )
    if period is None:
        raise Http404("No such term for this pupil")
    if not period.closed:
        message = (
            _("The whole-year card is issued once the grade book of term II is closed.")
            if period.term is None
            else _(
                "The card is issued once the school closes this term's grade book; until then "
                "scores may still change."
            )
        )
        return _not_available(request, student, period, message, status=404)
    try:
        card = runs.ensure_card(student, period.class_group, period.school_year, period.term)
    except DomainError as exc:
        return _not_available(request, student, period, str(exc.message), status=409)
    audit.record(
        request, DataAccess.Action.REPORT_CARD, school_id=student.school_id,
        class_group=period.class_group, student=student, detail=f"card {card.code}",
    )
    slug = f"hk{period.term.number}" if period.term else WHOLE_YEAR
    filename = ascii_filename(f"phieu-bao-{slug}-{period.school_year.name}-{student.full_name}.pdf")
    response = HttpResponse(bytes(card.pdf), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(False, filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# ---------------------------------------------------------------------------------------
# The public verification page
# ---------------------------------------------------------------------------------------

VERIFY_UPLOAD_LIMIT = 5 * 1024 * 1024  # a card is a page or two: 5 MB is ample
_MULTIPART_OVERHEAD = 64 * 1024


class HashedUpload(UploadedFile):
    """What is left of an uploaded file once hashed: its name, size, SHA-256 and whether it
    starts like a PDF. No content."""

    def __init__(self, *, name: str, size: int, sha256: str, looks_like_pdf: bool):
        super().__init__(file=io.BytesIO(), name=name, content_type="application/pdf", size=size)
        self.sha256 = sha256
        self.looks_like_pdf = looks_like_pdf


class HashingUploadHandler(FileUploadHandler):
    """Hashes each uploaded file as its chunks arrive and keeps none of them, so an upload to
    the public page is never written to memory in full, nor to disk. Stops reading a file past
    `limit` bytes and says so in `too_large`."""

    def __init__(self, request=None, *, limit: int):
        super().__init__(request)
        self.limit = limit
        self.too_large = False

    def new_file(self, *args, **kwargs) -> None:
        super().new_file(*args, **kwargs)
        self.digest, self.size, self.head = hashlib.sha256(), 0, b""

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        self.size += len(raw_data)
        if self.size > self.limit:
            self.too_large = True
            raise StopUpload(connection_reset=False)  # read and drop the rest of the body
        if len(self.head) < 5:
            self.head += raw_data[: 5 - len(self.head)]
        self.digest.update(raw_data)
        return None  # nothing for later handlers: the bytes go nowhere

    def file_complete(self, file_size: int) -> HashedUpload:
        return HashedUpload(
            name=self.file_name, size=self.size, sha256=self.digest.hexdigest(),
            looks_like_pdf=self.head == b"%PDF-",
        )


def _unknown_code(request: HttpRequest, typed: str) -> HttpResponse:
    response = render(
        request, "reports/cards/verify_unknown.html", {"typed": typed[:40]}, status=404
    )
    return _public_headers(response)


def _public_headers(response: HttpResponse) -> HttpResponse:
    # A masked name still should not be collected by search engines; and the page changes
    # when the card is superseded, so it is never served from a cache without asking.
    response["X-Robots-Tag"] = "noindex, nofollow"
    # Never the code to another site; "no-referrer" would also make browsers send
    # "Origin: null" with the comparison form, which the CSRF check then refuses.
    response["Referrer-Policy"] = "same-origin"
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
def verify_lookup(request: HttpRequest) -> HttpResponse:
    """/verify/?ma=<code>: the code typed into the form, to its page."""
    typed = request.GET.get("ma", "")
    code = access.normalise_code(typed)
    if code:
        return redirect("reports:verify", code)
    if typed:
        return _unknown_code(request, typed)
    return _public_headers(render(request, "reports/cards/verify_unknown.html", {"typed": ""}))


@csrf_exempt  # so the upload handler is set before the body is read; CSRF is checked below
@require_http_methods(["GET", "HEAD", "POST"])
def verify(request: HttpRequest, code: str) -> HttpResponse:
    """PUBLIC. A card's verification page (one query); POST a PDF (`file`, ≤ 5 MB) to compare
    its SHA-256 with the card's fingerprint. Codes are matched ignoring case, spaces and
    dashes; an unknown code answers 404 with a page saying the card is not genuine."""
    if request.method != "POST":
        return _verify_page(request, code, None)
    handler = HashingUploadHandler(request, limit=VERIFY_UPLOAD_LIMIT)
    if int(request.META.get("CONTENT_LENGTH") or 0) > VERIFY_UPLOAD_LIMIT + _MULTIPART_OVERHEAD:
        # Refused before reading a byte of the body (nothing read, nothing changed: no CSRF
        # check needed for the answer).
        handler.too_large = True
        return _verify_page(request, code, handler)
    request.upload_handlers = [handler]
    return _verify_upload(request, code, handler)


def _verify_page(
    request: HttpRequest, code: str, handler: "HashingUploadHandler | None"
) -> HttpResponse:
    canonical = access.normalise_code(code)
    if handler is None and canonical and canonical != code:
        return redirect("reports:verify", canonical)
    try:
        card = access.get_card_by_code(code)
    except ReportCard.DoesNotExist:
        return _unknown_code(request, code)
    context, status = {"card": card}, 200
    if handler is not None:
        context["compare"], status = _compare(request, card, handler)
    context.update(
        masked_name=names.mask_name(card.student.full_name),
        school_name=card.school_year.school.name,
        school_year=card.school_year.name,
        period=period_label(card.term),
        issued_on=timezone.localtime(card.created_at).date(),
        superseded_on=timezone.localtime(card.superseded_at).date() if card.superseded_at else None,
        limit_mb=VERIFY_UPLOAD_LIMIT // (1024 * 1024),
    )
    return _public_headers(render(request, "reports/cards/verify.html", context, status=status))


_verify_upload = csrf_protect(_verify_page)


def _compare(
    request: HttpRequest, card: ReportCard, handler: HashingUploadHandler
) -> tuple[dict, int]:
    """The comparison's outcome for the template, and the status to answer with."""
    # Reading FILES streams the body through the handler (unless it was refused unread).
    upload = None if handler.too_large else request.FILES.get("file")
    if handler.too_large:
        return {"error": _("The file is larger than %(mb)d MB; a report card is much smaller.")
                % {"mb": VERIFY_UPLOAD_LIMIT // (1024 * 1024)}}, 413
    if not isinstance(upload, HashedUpload) or upload.size == 0:
        return {"error": _("Choose the card's PDF file to compare.")}, 400
    if not upload.looks_like_pdf:
        return {"error": _("This file is not a PDF.")}, 400
    return {"match": upload.sha256 == card.fingerprint, "sha256": upload.sha256}, 200


urlpatterns = [
    path("phu-huynh/hoc-sinh/<int:student_id>/phieu-bao/", student_cards, name="student_cards"),
    path(
        "phu-huynh/hoc-sinh/<int:student_id>/phieu-bao/ca-nam/",
        student_card,
        name="student_year_card",
    ),
    path(
        "phu-huynh/hoc-sinh/<int:student_id>/phieu-bao/<int:term_id>/",
        student_card,
        name="student_card",
    ),
    path("verify/", verify_lookup, name="verify_lookup"),
    path("verify/<str:code>/", verify, name="verify"),
]
