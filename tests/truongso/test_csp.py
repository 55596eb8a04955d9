"""Content-Security-Policy: our pages carry a policy with no inline script or style, Wagtail's
admin (/cms/) only what its own templates need, Django's admin and the API docs the site's
policy, and a view's own policy (attachments' sandbox) is kept. Our templates hold no inline
script, event handler or style, so the policy breaks none of them (the browser journey in
tests/e2e/test_csp_journey.py checks the pages run)."""

import re
from pathlib import Path

import pytest
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from tests import factories as f
from tests.lms.conftest import log_in
from truongso.middleware import ContentSecurityPolicyMiddleware

pytestmark = pytest.mark.django_db

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
# Rendered into PDFs by WeasyPrint, never shown by a browser: no policy applies to them.
PRINTED = {
    "reports/base_print.html", "reports/card.html", "reports/_card_body.html",
    "reports/_card_body_css.html", "reports/_card_primary.html", "reports/school_record.html",
}
INLINE = [
    re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")", re.I),
    re.compile(r"<style\b", re.I),
    re.compile(r"\sstyle=", re.I),
    re.compile(r"\son[a-z]+=", re.I),
    re.compile(r"javascript:", re.I),
]


def policy(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    parts = (part.strip().split(" ", 1) for part in header.split(";") if part.strip())
    return {name: (values[0] if values else "") for name, *values in parts}


def test_our_templates_hold_no_inline_script_handler_or_style():
    found = []
    for path in TEMPLATES.rglob("*.html"):
        name = path.relative_to(TEMPLATES).as_posix()
        if name in PRINTED:
            continue
        text = path.read_text()
        found += [f"{name}: {m.group(0)}" for pattern in INLINE for m in pattern.finditer(text)]
    assert found == []


def assert_site_policy(response):
    directives = policy(response)
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["base-uri"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["form-action"] == "'self'"
    assert directives["img-src"] == "'self' data:"


def test_a_parent_page_has_the_site_policy(cast, client):
    assert_site_policy(log_in(client, cast.parent_a1).get(reverse("contactbook:portal_home")))


def test_a_teacher_page_has_the_site_policy(cast, client):
    assert_site_policy(log_in(client, cast.teacher_a1).get(reverse("home")))


def test_the_login_page_has_the_site_policy(client):
    assert_site_policy(client.get(reverse("accounts:login")))


@pytest.fixture
def operator():
    return f.UserFactory(is_staff=True, is_superuser=True)


def test_wagtails_admin_may_run_its_inline_scripts_and_frame_its_preview(client, operator):
    client.force_login(operator)
    directives = policy(client.get("/cms/"))
    assert directives["script-src"] == "'self' 'unsafe-inline'"  # no 'unsafe-eval'
    assert directives["style-src"] == "'self' 'unsafe-inline'"
    assert directives["frame-ancestors"] == "'self'"
    assert directives["object-src"] == "'none'" and directives["form-action"] == "'self'"


def test_djangos_admin_and_the_api_docs_have_the_site_policy(client, operator):
    client.force_login(operator)
    assert_site_policy(client.get("/quan-tri/"))
    assert_site_policy(client.get("/api/docs"))


def test_a_views_own_policy_is_kept():
    sandbox = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"

    def attachment(request):
        response = HttpResponse(b"...")
        response["Content-Security-Policy"] = sandbox
        return response

    request = RequestFactory().get("/hop-thu/tep/1/")
    response = ContentSecurityPolicyMiddleware(attachment)(request)
    assert response["Content-Security-Policy"] == sandbox
