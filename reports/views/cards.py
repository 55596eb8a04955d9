"""Placeholder: see reports/urls.py."""

urlpatterns: list = []
