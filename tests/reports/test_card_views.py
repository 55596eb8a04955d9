"""A pupil's report card on the web, through its URLs: the family's list and download (closed
terms only; another family's child and everyone else refused), and the public verification
page (what it shows, what it must never show, superseded cards, typed codes, the PDF
comparison), with pinned query counts; and the name masking itself.

No assertion reads a translated label: the tests go by status codes, data attributes, data
and the PDF's own (Vietnamese, untranslated) text.
"""

import datetime
import hashlib
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from reports import access
from reports.models import ReportCard
from school import names
from tests import factories as f
from tests.conftest import as_user, assert_cast

pytestmark = pytest.mark.django_db

FAMILY_AND_MANAGERS_OF_A1 = {"parent_a1", "principal", "operator"}
EVERYONE = {
    "operator", "principal", "teacher_a1", "teacher_a2", "homeroom_a1", "group_head",
    "other_school_admin", "parent_a1", "parent_a2", "parent_of_two", "stranger", "anonymous",
    "officer", "other_officer",
}


@pytest.fixture
def term1(cast):
    return f.TermFactory(
        school_year=cast.class_a1.school_year, number=1,
        start_date=datetime.date(2026, 9, 5), end_date=datetime.date(2027, 1, 15),
        closed_at=timezone.now(), closed_by=cast.principal,
    )


@pytest.fixture
def term2(cast, term1):
    """Still open."""
    return f.TermFactory(
        school_year=cast.class_a1.school_year, number=2,
        start_date=datetime.date(2027, 1, 18), end_date=datetime.date(2027, 5, 25),
    )


def card_url(student, term=None):
    if term is None:
        return reverse("reports:student_year_card", args=[student.pk])
    return reverse("reports:student_card", args=[student.pk, term.pk])


FAKE_PDF = b"%PDF-1.7\n% a card\n%%EOF\n"


def make_card(student, term, *, code="ABCDEFGH23", pdf=FAKE_PDF, **fields):
    """A stored card with small fake PDF bytes, where rendering does not matter."""
    return ReportCard.objects.create(
        student=student, school_year=term.school_year, term=term,
        class_group=student.enrolments.get().class_group, content_hash="0" * 64, code=code,
        pdf=pdf, fingerprint=hashlib.sha256(pdf).hexdigest(), **fields,
    )


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


# ---------------------------------------------------------------------------------------
# The family's list and download
# ---------------------------------------------------------------------------------------


def test_who_may_list_a_pupils_cards(cast, client, term2):
    url = reverse("reports:student_cards", args=[cast.pupil_a1.pk])

    def opens(user):
        return as_user(client, user).get(url).status_code == 200

    assert_cast(cast, opens, FAMILY_AND_MANAGERS_OF_A1)


def test_the_list_links_closed_terms_only(cast, client, term1, term2):
    page = as_user(client, cast.parent_a1).get(
        reverse("reports:student_cards", args=[cast.pupil_a1.pk])
    ).content.decode()
    assert f'data-period="{term1.pk}" data-available="yes"' in page
    assert f'href="{card_url(cast.pupil_a1, term1)}"' in page
    assert f'data-period="{term2.pk}" data-available="no"' in page
    assert f'href="{card_url(cast.pupil_a1, term2)}"' not in page
    assert 'data-period="ca-nam" data-available="no"' in page  # term II is open


def test_who_may_download_a_closed_terms_card(cast, client, term1):
    statuses = {}

    def downloads(user):
        response = as_user(client, user).get(card_url(cast.pupil_a1, term1))
        statuses[getattr(user, "full_name", "anonymous")] = response.status_code
        return response.status_code == 200 and response["Content-Type"] == "application/pdf"

    assert_cast(cast, downloads, FAMILY_AND_MANAGERS_OF_A1)
    assert statuses["anonymous"] == 302
    # Another family's child, the class's teachers, another school's manager: 404.
    for name in ("parent_a2", "parent_of_two", "homeroom_a1", "teacher_a1", "other_school_admin"):
        assert statuses[getattr(cast, name).full_name] == 404, name
    # Rendered once, then served again while its content is unchanged.
    assert ReportCard.objects.filter(student=cast.pupil_a1).count() == 1


def test_the_card_opens_inline_with_the_pupils_name_and_published_scores(cast, client, term1):
    f.score(cast.pupil_a1, cast.math, term1, value="8.5", kind="regular", index=1)
    f.score(cast.pupil_a1, cast.math, term1, value="3", kind="regular", index=2, published=False)
    response = as_user(client, cast.parent_a1).get(card_url(cast.pupil_a1, term1))
    assert response.status_code == 200
    disposition = response["Content-Disposition"]
    assert disposition.startswith("inline; filename=\"phieu-bao-hk1-") and disposition.isascii()
    assert {"private", "no-store"} <= set(response["Cache-Control"].replace(" ", "").split(","))
    text = pdf_text(response.content)
    assert "Trần Thị An" in text and "8,5" in text
    card = ReportCard.objects.get(student=cast.pupil_a1)
    assert card.code in text.replace(" ", "")
    assert bytes(card.pdf) == response.content


def test_an_open_term_is_404_with_an_explanation_and_no_card(cast, client, term1, term2):
    response = as_user(client, cast.parent_a1).get(card_url(cast.pupil_a1, term2))
    assert response.status_code == 404
    assert 'data-reason="open"' in response.content.decode()
    assert response["Content-Type"].startswith("text/html")
    response = client.get(card_url(cast.pupil_a1))  # the whole year: term II is open
    assert response.status_code == 404 and 'data-reason="open"' in response.content.decode()
    assert not ReportCard.objects.exists()


def test_the_whole_year_card_once_term_two_is_closed(cast, client, term1, term2):
    term2.closed_at = timezone.now()
    term2.save()
    response = as_user(client, cast.parent_a1).get(card_url(cast.pupil_a1), {"nam-hoc": term1.school_year_id})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    card = ReportCard.objects.get()
    assert card.term is None and card.school_year == term1.school_year
    assert "CẢ NĂM" in pdf_text(response.content)


def test_a_term_of_another_school_is_404(cast, client, term1):
    other_term = f.TermFactory(school_year=cast.class_b.school_year, closed_at=timezone.now())
    response = as_user(client, cast.parent_a1).get(card_url(cast.pupil_a1, other_term))
    assert response.status_code == 404
    assert not ReportCard.objects.exists()


def test_a_primary_pupils_card_opens_once_the_term_is_closed(cast, client):
    term_b = f.TermFactory(school_year=cast.class_b.school_year, closed_at=timezone.now())
    response = as_user(client, cast.parent_of_two).get(card_url(cast.sibling_b, term_b))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert cast.sibling_b.full_name in text and "Phẩm chất" in text  # the Circular 27 card
    assert ReportCard.objects.get().student == cast.sibling_b


# ---------------------------------------------------------------------------------------
# The public verification page
# ---------------------------------------------------------------------------------------


def verify_url(code):
    return reverse("reports:verify", args=[code])


def test_everyone_may_open_a_verification_page(cast, client, term1):
    make_card(cast.pupil_a1, term1)

    def opens(user):
        return as_user(client, user).get(verify_url("ABCDEFGH23")).status_code == 200

    assert_cast(cast, opens, EVERYONE)


def test_the_verification_page_shows_the_masked_name_and_fingerprint_and_nothing_personal(
    cast, client, term1
):
    pupil = cast.pupil_a1
    pupil.family_name, pupil.middle_name, pupil.given_name = "Nguyễn", "Thị Ánh", "Dương"
    pupil.save()
    f.score(pupil, cast.math, term1, value="7.25", kind="regular", index=1)
    response = as_user(client, cast.parent_a1).get(card_url(pupil, term1))  # a real card
    card = ReportCard.objects.get()
    client.logout()
    response = client.get(verify_url(card.code))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-state="current"' in page
    assert '<dd data-field="name">N. T. Á. D***</dd>' in page
    assert card.fingerprint in page
    assert card.fingerprint == hashlib.sha256(bytes(card.pdf)).hexdigest()
    assert "Trường THPT Hạ Long" in page and term1.school_year.name in page
    assert 'data-signed="no"' in page
    # Nothing else about the pupil: not the name, date of birth, student code, class, scores.
    for private in ("Dương", "Ánh", pupil.student_code, "14/03/2010", "2010-03-14", "10A1", "7,3", "7.25"):
        assert private not in page, private
    assert response["X-Robots-Tag"] == "noindex, nofollow"


def test_a_superseded_card_says_so(cast, client, term1):
    replaced_on = timezone.make_aware(datetime.datetime(2027, 2, 3, 9, 0))
    old = make_card(cast.pupil_a1, term1, code="OLDCODE234", superseded_at=replaced_on)
    make_card(cast.pupil_a1, term1, code="NEWCODE234", pdf=FAKE_PDF + b" ")
    page = client.get(verify_url(old.code)).content.decode()
    assert 'data-state="superseded"' in page
    assert 'data-superseded="2027-02-03"' in page and "03/02/2027" in page
    page = client.get(verify_url("NEWCODE234")).content.decode()
    assert 'data-state="current"' in page and "data-superseded" not in page


def test_the_whole_year_card_is_labelled_as_such(cast, client, term1):
    ReportCard.objects.create(
        student=cast.pupil_a1, school_year=term1.school_year, term=None, class_group=cast.class_a1,
        content_hash="0" * 64, code="YEARCARD23", pdf=FAKE_PDF, fingerprint="f" * 64, signed=True,
    )
    page = client.get(verify_url("YEARCARD23")).content.decode()
    assert 'data-signed="yes"' in page
    assert 'data-field="period">Học kỳ' not in page


@pytest.mark.parametrize("typed", ["abcdefgh23", "ABCD-EFGH-23", "abcd efgh 23", " ABCDEFGH23 ", "abcd–efgh–23"])
def test_typed_codes_are_forgiven(cast, client, term1, typed):
    make_card(cast.pupil_a1, term1)
    response = client.get(verify_url(typed), follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == verify_url("ABCDEFGH23")
    assert 'data-code="ABCDEFGH23"' in response.content.decode()


def test_the_code_form_goes_to_the_codes_page(cast, client, term1):
    make_card(cast.pupil_a1, term1)
    response = client.get(reverse("reports:verify_lookup"), {"ma": "abcd-efgh-23"})
    assert response.status_code == 302 and response["Location"] == verify_url("ABCDEFGH23")
    assert client.get(reverse("reports:verify_lookup")).status_code == 200


@pytest.mark.parametrize("code", ["ZZZZZZZZZZ", "<script>", "A" * 40, "đđđ"])
def test_an_unknown_code_is_404_saying_not_genuine(cast, client, term1, code):
    make_card(cast.pupil_a1, term1)
    response = client.get(f"/verify/{code}/")
    assert response.status_code == 404
    page = response.content.decode()
    assert 'data-state="unknown"' in page
    assert "<script>" not in page.split("<main>")[1]


def test_uploading_the_same_pdf_matches(cast, client, term1):
    card = make_card(cast.pupil_a1, term1)
    upload = SimpleUploadedFile("phieu.pdf", FAKE_PDF, content_type="application/pdf")
    response = client.post(verify_url(card.code), {"file": upload})
    assert response.status_code == 200
    assert 'data-match="yes"' in response.content.decode()


def test_uploading_an_altered_pdf_does_not_match(cast, client, term1):
    card = make_card(cast.pupil_a1, term1)
    altered = FAKE_PDF.replace(b"a card", b"A card")
    response = client.post(verify_url(card.code), {"file": SimpleUploadedFile("phieu.pdf", altered)})
    page = response.content.decode()
    assert response.status_code == 200 and 'data-match="no"' in page
    assert hashlib.sha256(altered).hexdigest() in page


def test_a_large_upload_is_hashed_without_being_kept(cast, client, term1, monkeypatch):
    # Larger than Django's in-memory limit (2.5 MB): Django's own handlers would write it to a
    # temporary file; the page's handler only hashes it.
    big = b"%PDF-1.7\n" + b"x" * (3 * 1024 * 1024)
    card = make_card(cast.pupil_a1, term1, pdf=big)
    made = []
    original = TemporaryUploadedFile.__init__
    monkeypatch.setattr(
        TemporaryUploadedFile, "__init__", lambda self, *a, **k: made.append(a) or original(self, *a, **k)
    )
    response = client.post(verify_url(card.code), {"file": SimpleUploadedFile("phieu.pdf", big)})
    assert 'data-match="yes"' in response.content.decode()
    assert made == []


@pytest.mark.parametrize(
    "upload, status",
    [
        (None, 400),  # no file
        (SimpleUploadedFile("phieu.txt", b"hello, not a pdf"), 400),
        (SimpleUploadedFile("to.pdf", b"%PDF-" + b"0" * (5 * 1024 * 1024)), 413),  # just over 5 MB
        (SimpleUploadedFile("huge.pdf", b"%PDF-" + b"0" * (6 * 1024 * 1024)), 413),  # refused unread
    ],
)
def test_bad_uploads_get_a_clear_answer(cast, client, term1, upload, status):
    card = make_card(cast.pupil_a1, term1)
    response = client.post(verify_url(card.code), {"file": upload} if upload else {})
    assert response.status_code == status
    page = response.content.decode()
    assert 'data-match="error"' in page and 'data-match="yes"' not in page
    assert card.fingerprint in page  # the page itself is still there


def test_the_upload_checks_csrf(cast, client, term1):
    from tests.clients import Client

    card = make_card(cast.pupil_a1, term1)
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(verify_url(card.code), {"file": SimpleUploadedFile("p.pdf", FAKE_PDF)})
    assert response.status_code == 403
    strict.get(verify_url(card.code))
    token = strict.cookies["csrftoken"].value
    response = strict.post(
        verify_url(card.code), {"file": SimpleUploadedFile("p.pdf", FAKE_PDF), "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 200 and 'data-match="yes"' in response.content.decode()


def test_the_verification_page_runs_one_query(cast, client, term1):
    old = make_card(cast.pupil_a1, term1, code="OLDCODE234", superseded_at=timezone.now())
    make_card(cast.pupil_a1, term1, code="NEWCODE234", pdf=FAKE_PDF + b" ")
    for code in (old.code, "NEWCODE234"):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(verify_url(code)).status_code == 200
        assert len(queries) == 1, [q["sql"] for q in queries]
        assert '"pdf"' not in queries[0]["sql"]  # the card's bytes are not loaded


def test_the_parents_list_runs_a_fixed_number_of_queries(cast, client, term1, term2):
    as_user(client, cast.parent_a1)
    url = reverse("reports:student_cards", args=[cast.pupil_a1.pk])
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    first = len(queries)
    old_year = f.SchoolYearFactory(
        school=cast.school_a, name="2025–2026", is_current=False,
        start_date=datetime.date(2025, 9, 5), end_date=datetime.date(2026, 5, 31),
    )
    f.enrol(cast.pupil_a1, f.ClassGroupFactory(school_year=old_year, name="9A1", grade=9))
    f.TermFactory(school_year=old_year, closed_at=timezone.now())
    with CaptureQueriesContext(connection) as queries:
        page = client.get(url).content.decode()
    assert f'data-year="{old_year.pk}"' in page
    # session, user, the pupil, enrolments, terms, the navigation's check
    assert len(queries) == first == 6


# ---------------------------------------------------------------------------------------
# Masking and codes
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "full_name, masked",
    [
        ("Nguyễn Thị Ánh Dương", "N. T. Á. D***"),
        ("Trần An", "T. A***"),
        ("Đỗ Văn Ước", "Đ. V. Ư***"),
        ("  lê   thị  ánh ", "L. T. Á***"),
        ("Nguye\u0302\u0303n A\u0301nh", "N. Á***"),  # typed decomposed (NFD)
        ("Hoa", "H***"),
        ("", ""),
    ],
)
def test_mask_name(full_name, masked):
    assert names.mask_name(full_name) == masked


@pytest.mark.parametrize(
    "typed, code",
    [
        ("abcdefgh23", "ABCDEFGH23"),
        ("ABCD-EFGH-23", "ABCDEFGH23"),
        ("abcd efgh\t23", "ABCDEFGH23"),
        ("abcd—efgh.23", "ABCDEFGH23"),
        ("", ""),
        ("---", ""),
        ("A" * 17, ""),
        ("ÁBC", ""),
        ("AB/CD", ""),
    ],
)
def test_normalise_code(typed, code):
    assert access.normalise_code(typed) == code
