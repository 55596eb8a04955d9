"""The Celery app. Settings come from Django's (CELERY_* names); tasks live in each app's tasks.py."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "truongso.settings.base")

app = Celery("truongso")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
