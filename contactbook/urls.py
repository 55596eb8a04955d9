"""The contact book's pages. Each area's view module (contactbook/views/…) exports its own
`urlpatterns`, assembled here."""

from django.urls import include, path

app_name = "contactbook"

AREAS = [
    "gradebook",  # grade book, homeroom sheet, history
    "qualities",  # the primary class teacher's sheet: qualities and competencies
    "grades_parent",  # a parent's grades page
    "attendance",
    "leave",
    "comments",
    "announcements",
    "portal",  # the parent portal's home
    "messages",
    "summaries",  # weekly summaries and their acknowledgement
    "notifications",  # inbox and channel settings
    "push",  # the installable portal (manifest, service worker, offline page) and Web Push
]

urlpatterns = [path("", include(f"contactbook.views.{area}")) for area in AREAS]
