"""The production settings module (truongso.settings.base) for the servers the reliability tests
start, except that static files keep their own names: production's manifest storage renders no
page before `collectstatic` has hashed every file, which takes two minutes on the test machine."""

from truongso.settings.base import *
from truongso.settings.base import STORAGES

STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
