"""Wagtail's page and document URLs, behind our login: an anonymous visitor is sent to log
in (for any address, existing or not, so an address reveals nothing); a signed-in person
then passes lms's checks (wagtail_hooks.py: before_serve_page, before_serve_document), which
answer 404 for "missing" and "not yours" alike."""

from django.contrib.auth.decorators import login_required
from django.urls import re_path
from wagtail import views as page_views
from wagtail.documents.views import serve as document_views

# The same patterns and names as wagtail.urls and wagtail.documents.urls, so that page.url and
# document.url keep working; the password-protected variants are not used by lms.
pages = [re_path(r"^((?:[\w\-]+/)*)$", login_required(page_views.serve), name="wagtail_serve")]
documents = [
    re_path(r"^(\d+)/(.*)$", login_required(document_views.serve), name="wagtaildocs_serve"),
]
