"""Test settings: only what tests need differs from base. The database is PostgreSQL
(DATABASE_URL, set by `make test`); SQLite is refused so no test passes on the wrong engine."""

from .base import *  # noqa: F403
from django.core.exceptions import ImproperlyConfigured

from .base import BASE_DIR, DATABASES, STORAGES, env

if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured(
        "Tests run on PostgreSQL: set DATABASE_URL (make test starts a throwaway cluster)."
    )

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=env.str("REDIS_URL", default=""))
CELERY_TASK_ALWAYS_EAGER = True
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
MEDIA_ROOT = BASE_DIR / "var" / "test-media"
