"""What a guardian types in a correction request is text wherever it is read: on their own
page, in the school administration, and in the export's printed document (what WeasyPrint
reads), with every payload of the battery (tests/security/payloads.py)."""

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from privacy.export import build_export
from privacy.models import CorrectionRequest
from tests.security.payloads import PAYLOADS
from tests.security.test_typed_text import assert_all_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def typed(cast):
    """Stored directly: one request per payload (the form allows ten open at once)."""
    return [
        CorrectionRequest.objects.create(student=cast.pupil_a1, requested_by=cast.parent_a1,
                                         data=f"Mục {n}", text=payload.text)
        for n, payload in enumerate(PAYLOADS)
    ]


def test_correction_texts_are_text_for_the_guardian_and_the_school(cast, client, typed):
    client.force_login(cast.parent_a1)
    assert_all_text(client.get(reverse("privacy:child_data", args=[cast.pupil_a1.pk])).content.decode())
    client.force_login(cast.principal)
    for request in typed[:5]:  # the change page shows one text each
        page = client.get(reverse("admin:privacy_correctionrequest_change", args=[request.pk]))
        assert_all_text(page.content.decode(), visible=False)


def test_correction_texts_are_text_in_the_printed_export(cast, typed):
    export = build_export(cast.pupil_a1, cast.parent_a1)
    html = render_to_string("privacy/export_print.html", {"student": export.student, "d": export.data})
    assert_all_text(html)
