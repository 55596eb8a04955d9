"""The contact book's pages. Each area's view module (contactbook/views/…) exports its own
`urlpatterns`, assembled here."""

from django.urls import include, path

app_name = "contactbook"

urlpatterns: list = []
