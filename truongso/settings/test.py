"""Test settings: only what tests need differs from base. The database is PostgreSQL
(DATABASE_URL, set by `make test`); SQLite is refused so no test passes on the wrong engine."""

import os

# Tests run with production's settings (DEBUG off, as pytest-django sets it anyway) and a key
# of their own, set before base reads the environment; a developer's DEBUG or key still wins.
os.environ.setdefault("DJANGO_SECRET_KEY", "tests-only-" + "not-secret-" * 5)

from django.core.exceptions import ImproperlyConfigured  # noqa: E402

from .base import *  # noqa: E402, F403
from .base import BASE_DIR, DATABASES, MIDDLEWARE, STORAGES, env  # noqa: E402

if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured(
        "Tests run on PostgreSQL: set DATABASE_URL (make test starts a throwaway cluster)."
    )

# One test database per run, so two runs on the same server (a developer's and a helper's,
# or several checkouts) never drop each other's database.
DATABASES["default"]["TEST"] = {"NAME": f"test_truongso_{os.getpid()}"}

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=env.str("REDIS_URL", default=""))
CELERY_TASK_ALWAYS_EAGER = True
MIDDLEWARE = [m for m in MIDDLEWARE if not m.startswith("whitenoise.")]
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
MEDIA_ROOT = BASE_DIR / "var" / "test-media"
LMS_MATERIALS_ROOT = BASE_DIR / "var" / "materials" / "test-media"
MESSAGE_ATTACHMENTS_ROOT = BASE_DIR / "var" / "attachments" / "test-media"
REPORTS_ROOT = BASE_DIR / "var" / "reports" / "test-media"
# The test client and the browser journeys' live server speak plain HTTP (tests of the HTTPS
# redirect turn it on themselves).
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
