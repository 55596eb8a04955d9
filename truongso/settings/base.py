"""Settings for every environment. Every value comes from the environment (see .env.example);
the defaults are those of the embedded first run: SQLite, Celery eager, console e-mail."""

import datetime
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
env.read_env(BASE_DIR / ".env", overwrite=False)

# Off unless asked for (`make run` and the test settings ask): a production that forgets it
# must not run with a known key and tracebacks on every error page.
DEBUG = env.bool("DEBUG", default=False)
_DEVELOPMENT_KEY = "embedded-first-run-only-not-secret"
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
if not DEBUG:
    if not SECRET_KEY:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. Production (DEBUG=0) needs a long random secret key."
        )
    if SECRET_KEY == _DEVELOPMENT_KEY:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is the development key, which anyone can read: with DEBUG=0 set "
            "a long random one."
        )
    if len(SECRET_KEY) < 50:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is too short: with DEBUG=0 use at least 50 characters, e.g. "
            "python -c 'import secrets; print(secrets.token_urlsafe(50))'"
        )
SECRET_KEY = SECRET_KEY or _DEVELOPMENT_KEY
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ninja",  # serves the API docs' assets locally: /api/docs works with no outside network
    "core",  # manage.py backup / restore
    "accounts",
    "school",
    "devices",
    "contactbook",
    "reports",
    "signin",  # one-time codes, second factor, sessions
    "django_otp",  # the second factor's devices (signin/twofactor.py)
    "django_otp.plugins.otp_totp",  # an authenticator app (TOTP)
    "privacy",  # a guardian's copy of their child's data, anonymising
    "demo",  # seed_demo: the demo schools (on top of every app; none imports it)
    "simple_history",
    "axes",  # login throttling (AXES_* below)
    "csp",  # Content-Security-Policy (CONTENT_SECURITY_POLICY below)
    # Lessons and materials (lms) on Wagtail; its admin is at /cms/.
    "lms",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "core.replica.ReplicaMiddleware",  # when the visitor last saw the primary; off without a replica
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "signin.middleware.SecondFactorMiddleware",  # staff: the second factor, then anything else
    "truongso.middleware.PrivateCacheMiddleware",  # Cache-Control: private, no-store
    "truongso.middleware.ClearSiteDataOnSignOutMiddleware",  # a sign-out clears the saved pages
    "lms.middleware.WagtailPageGuardMiddleware",  # /cms/ views naming a page: the user's tree only
    "django.contrib.messages.middleware.MessageMiddleware",
    "signin.activity.SessionActivityMiddleware",  # last seen, staff idle sign-out; no query
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "truongso.middleware.ContentSecurityPolicyMiddleware",
    "axes.middleware.AxesMiddleware",  # answers a locked-out login with the page below
]

ROOT_URLCONF = "truongso.urls"
WSGI_APPLICATION = "truongso.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "truongso.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=0)
# Behind PgBouncer in transaction mode a server-side cursor (`.iterator()`) may see its next
# fetch sent to another server session: set DB_DISABLE_SERVER_SIDE_CURSORS=1 there (Django's
# advice); rows are then fetched client-side in the iterator's chunks.
DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = env.bool("DB_DISABLE_SERVER_SIDE_CURSORS", default=False)
# A kept connection (DB_CONN_MAX_AGE > 0, as in production) is checked before its first use in
# each request, so one that PostgreSQL dropped (a restart, a failover) is replaced there rather
# than failing that request. Costs one round trip (`SELECT 1`) per request on a reused
# connection; nothing when connections are closed after each request.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# A streaming replica of the primary, optional: reports and statistics read from it where it
# holds what the reader has seen (core/replica.py); unset, everything reads the primary.
if env.str("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = env.db("DATABASE_REPLICA_URL")
    DATABASES["replica"]["CONN_MAX_AGE"] = DATABASES["default"]["CONN_MAX_AGE"]
    DATABASES["replica"]["CONN_HEALTH_CHECKS"] = True  # as the primary's, above
    # A replica that is gone costs a request at most this long, once per REPLICA_RETRY_SECONDS.
    DATABASES["replica"].setdefault("OPTIONS", {})["connect_timeout"] = 2
    # Tests read the test database as the replica streams it; none is created there.
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["core.replica.ReplicaRouter"]
REPLICA_MAX_LAG_SECONDS = env.float("REPLICA_MAX_LAG_SECONDS", default=5.0)
REPLICA_CHECK_SECONDS = env.float("REPLICA_CHECK_SECONDS", default=1.0)
REPLICA_RETRY_SECONDS = env.float("REPLICA_RETRY_SECONDS", default=5.0)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Shared cache (device rate limits, sessions, the parent portal's rendered parts live here):
# Redis in production so every host sees the same entries; a per-process memory cache on the
# first run.
CACHES = {
    "default": env.cache("CACHE_URL", default="locmemcache://"),
    # This process's memory, for entries that can never be stale (keyed by their content, like
    # the parent portal's rendered home): no round trip to Redis.
    "local": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "truongso-local",
        "OPTIONS": {"MAX_ENTRIES": 1000},
    },
}
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    # The same, failing soft and keeping its client between calls (truongso/cache.py): while
    # Redis does not answer within these seconds, reads miss and writes are dropped, and the
    # cache is skipped for CACHE_RETRY_SECONDS after a failure (so a dead Redis costs a request
    # nothing); the first answer after an outage empties the cache's database.
    CACHES["default"]["BACKEND"] = "truongso.cache.RedisCache"
    CACHES["default"].setdefault("OPTIONS", {}).update({
        "socket_connect_timeout": env.float("CACHE_CONNECT_TIMEOUT_SECONDS", default=0.5),
        "socket_timeout": env.float("CACHE_READ_TIMEOUT_SECONDS", default=1.0),
        "retry_seconds": env.float("CACHE_RETRY_SECONDS", default=5.0),
    })
_SHARED_CACHE = not CACHES["default"]["BACKEND"].endswith((".LocMemCache", ".DummyCache"))
# Sessions: read from the shared cache, written through to the database (so a login survives a
# Redis restart); this spares every logged-in request a query. Without a shared cache (first
# run) from the database only: a per-process cache would let one worker keep accepting a
# session that a logout on another worker has ended.
SESSION_ENGINE = env.str(
    "SESSION_ENGINE",
    default=f"django.contrib.sessions.backends.{'cached_db' if _SHARED_CACHE else 'db'}",
)
# Seconds a rendered parent-portal home stays in the cache. Its key is a digest of what it
# shows, so this bounds memory and how long a changed translation takes to appear, not staleness.
PORTAL_CACHE_SECONDS = env.int("PORTAL_CACHE_SECONDS", default=60 * 60)

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses a locked-out login before any password check
    "accounts.backends.UserBackend",  # ModelBackend, a faster get_user
]
# Login throttling (django-axes): after LOGIN_FAILURE_LIMIT wrong passwords for one account from
# one address, that pair waits LOGIN_LOCKOUT_MINUTES. Per pair, not per address: parents on
# mobile networks share addresses. Phone spellings count as one account (accounts.throttling).
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
# Across accounts, one address waits after LOGIN_ADDRESS_FAILURE_LIMIT wrong passwords in the
# cool-off time, so it cannot try one password on many accounts. Far above the per-account
# limit: a mobile carrier puts many phones behind one address (carrier-grade NAT), and even if
# one login in ten were mistyped, 50 failures in 15 minutes means 500 logins from one address
# in that time; a guesser there is capped at 200 tries an hour instead of unlimited.
LOGIN_ADDRESS_FAILURE_LIMIT = env.int("LOGIN_ADDRESS_FAILURE_LIMIT", default=50)
AXES_HANDLER = "accounts.throttling.LoginAttemptHandler"
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env.int("LOGIN_LOCKOUT_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_CALLABLE = "accounts.throttling.username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.throttling.locked_out"  # the login page, saying how long to wait
AXES_VERBOSE = False

# The second factor (signin/twofactor.py): required of the operator, school managers and
# anyone entering /quan-tri/ or /cms/; offered to every teacher. The authenticator app shows
# the account under this name.
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="Trường Số")
SECOND_FACTOR_BACKUP_CODES = 10
# Sign-in with a one-time code by SMS (signin/codes.py). A code has 6 digits, works
# SIGN_IN_CODE_MINUTES and allows SIGN_IN_CODE_TRIES wrong tries. One phone gets at most
# SIGN_IN_CODES_PER_PHONE_15MIN codes in 15 minutes and SIGN_IN_CODES_PER_PHONE_DAY in 24 hours
# (a parent mistyping twice still gets in; a guesser gets 50 tries a day at one number); one
# address asks at most SIGN_IN_CODES_PER_ADDRESS_HOUR codes an hour, for any numbers (bounds SMS
# sent on others' behalf and guesses spread over many numbers; carrier NAT shares addresses, so
# not lower). After a code is burnt by wrong tries its phone waits SIGN_IN_CODE_LOCKOUT_MINUTES.
# "Remember this device" keeps the session SIGN_IN_REMEMBER_DAYS.
SIGN_IN_CODE_MINUTES = env.int("SIGN_IN_CODE_MINUTES", default=5)
SIGN_IN_CODE_TRIES = env.int("SIGN_IN_CODE_TRIES", default=5)
SIGN_IN_CODES_PER_PHONE_15MIN = env.int("SIGN_IN_CODES_PER_PHONE_15MIN", default=3)
SIGN_IN_CODES_PER_PHONE_DAY = env.int("SIGN_IN_CODES_PER_PHONE_DAY", default=10)
SIGN_IN_CODES_PER_ADDRESS_HOUR = env.int("SIGN_IN_CODES_PER_ADDRESS_HOUR", default=20)
SIGN_IN_CODE_LOCKOUT_MINUTES = env.int("SIGN_IN_CODE_LOCKOUT_MINUTES", default=15)
SIGN_IN_REMEMBER_DAYS = env.int("SIGN_IN_REMEMBER_DAYS", default=30)
# Staff (school staff, the operator) not seen for this many minutes are signed out
# (signin.activity; activity is recorded every five minutes, so up to five minutes sooner).
# 0: no limit. Parents have none: their phones stay signed in as long as the session.
STAFF_SESSION_IDLE_MINUTES = env.int("STAFF_SESSION_IDLE_MINUTES", default=60)
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Trường Số <no-reply@truongso.local>")

# Celery: with no broker configured, tasks run eagerly in the web process (first run only).
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Longer than the longest task, so a slow task is not handed to a second worker meanwhile.
# A broker that does not answer costs a request at most one publish (core/failsoft.py): one
# retry (a connection left from before a Redis restart is replaced), socket timeouts instead of
# waiting forever on a silent Redis (measured: a paused Redis held `.delay()` for minutes), then
# the publishing is skipped for CELERY_BROKER_RETRY_SECONDS; the outbox and the report runs'
# sweeps send what was skipped. The read timeout stays above kombu's one-second BRPOP wait, on
# which the workers' connections block.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", 7200),
    "socket_connect_timeout": env.float("CELERY_BROKER_CONNECT_TIMEOUT_SECONDS", default=1.0),
    "socket_timeout": env.float("CELERY_BROKER_READ_TIMEOUT_SECONDS", default=3.0),
}
CELERY_BROKER_CONNECTION_TIMEOUT = CELERY_BROKER_TRANSPORT_OPTIONS["socket_connect_timeout"]
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2,
}
CELERY_BROKER_RETRY_SECONDS = env.float("CELERY_BROKER_RETRY_SECONDS", default=10.0)
if CELERY_BROKER_TRANSPORT_OPTIONS["socket_timeout"] <= 1:
    raise ImproperlyConfigured("CELERY_BROKER_READ_TIMEOUT_SECONDS must be above 1 (kombu's BRPOP wait)")


def _redis_database(url: str) -> tuple:
    """(host, port, db) a redis:// or rediss:// URL names."""
    from urllib.parse import parse_qs, urlsplit

    parts = urlsplit(url)
    db = parts.path.strip("/") or parse_qs(parts.query).get("db", ["0"])[0]
    return (parts.hostname or "localhost", parts.port or 6379, int(db or 0))


# The cache empties its Redis database after an outage (truongso/cache.py): the broker's queued
# tasks must not be in that database.
if CACHES["default"]["BACKEND"] == "truongso.cache.RedisCache" and CELERY_BROKER_URL.startswith("redis"):
    _locations = CACHES["default"]["LOCATION"]
    _locations = _locations if isinstance(_locations, list) else _locations.replace(";", ",").split(",")
    if _redis_database(CELERY_BROKER_URL) in {_redis_database(url) for url in _locations}:
        raise ImproperlyConfigured(
            "CACHE_URL and CELERY_BROKER_URL name the same Redis database: give the cache its own "
            "(e.g. redis://host:6379/1 and redis://host:6379/0); the cache empties it after an outage."
        )
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_BEAT_SCHEDULE = {
    "deliver-due-notifications": {"task": "contactbook.tasks.deliver_due", "schedule": 60.0},
    # Friday 18:00 (CELERY_TIMEZONE, i.e. Vietnam time): each pupil's week to the guardians.
    "send-weekly-summaries": {
        "task": "contactbook.tasks.send_weekly_summaries",
        "schedule": crontab(minute=0, hour=18, day_of_week="fri"),
    },
    # Lessons whose publication was scheduled go live within five minutes of their time.
    "publish-scheduled-lessons": {"task": "lms.publish_scheduled_lessons", "schedule": 300.0},
    # Report runs whose worker died are picked up again (also when a worker starts).
    "resume-report-runs": {"task": "reports.tasks.resume_runs", "schedule": 300.0},
    # Sign-in code requests hold a phone and an address: kept only while a limit counts them.
    "purge-old-sign-in-codes": {"task": "signin.tasks.purge_old_codes", "schedule": 3600.0},
    # Rows of signed-in sessions that have expired (signin/sessions.py): daily is enough.
    "purge-old-sessions": {"task": "signin.tasks.purge_old_sessions", "schedule": 86400.0},
}

# Notifications. SITE_URL makes links in e-mails and SMS absolute. SMS goes through a gateway
# class: the file gateway (one JSON line per SMS) for development, the HTTP one in production.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")
SMS_GATEWAY = env.str("SMS_GATEWAY", default="contactbook.channels.FileSmsGateway")
SMS_FILE_PATH = env.path("SMS_FILE_PATH", default=BASE_DIR / "var" / "sms.jsonl")
SMS_HTTP_URL = env.str("SMS_HTTP_URL", default="")
SMS_HTTP_TOKEN = env.str("SMS_HTTP_TOKEN", default="")
SMS_SENDER = env.str("SMS_SENDER", default="TRUONGSO")
# The hours SMS may go out (local time, first inclusive, last exclusive; 24 = midnight).
SMS_SEND_HOURS = tuple(env.list("SMS_SEND_HOURS", cast=int, default=[7, 22]))
if len(SMS_SEND_HOURS) != 2 or not 0 <= SMS_SEND_HOURS[0] < SMS_SEND_HOURS[1] <= 24:
    raise ImproperlyConfigured("SMS_SEND_HOURS is two hours, e.g. 7,22")
NOTIFICATION_RETRY_SECONDS = env.int("NOTIFICATION_RETRY_SECONDS", default=60)
# A delivery claimed this long ago and neither sent nor failed belongs to a worker that died:
# it is sent again (with the same request id). Longer than a gateway's slowest answer.
NOTIFICATION_STALE_CLAIM_SECONDS = env.int("NOTIFICATION_STALE_CLAIM_SECONDS", default=600)
# Zalo Notification Service (ZNS, contactbook.channels.ZaloChannel): with an access token set,
# news that would go by SMS goes by Zalo to guardians who agreed to Zalo, SMS being the fallback.
# ZALO_TEMPLATES maps a notification kind to its approved ZNS template: "absence:123,scores:124".
ZALO_ZNS_URL = env.str("ZALO_ZNS_URL", default="https://business.openapi.zalo.me/message/template")
ZALO_ACCESS_TOKEN = env.str("ZALO_ACCESS_TOKEN", default="")


def _zalo_templates(pairs: list[str]) -> dict[str, str]:
    templates = {}
    for pair in pairs:
        kind, _, template = (part.strip() for part in pair.partition(":"))
        if not kind or not template:
            raise ImproperlyConfigured(
                f"ZALO_TEMPLATES is kind:template_id pairs, e.g. absence:123 (got {pair!r})"
            )
        templates[kind] = template
    return templates


ZALO_TEMPLATES = _zalo_templates(env.list("ZALO_TEMPLATES", default=[]))
ZALO_TIMEOUT_SECONDS = env.int("ZALO_TIMEOUT_SECONDS", default=10)
# Web Push to parents' phones (contactbook/push.py): the VAPID key pair (`manage.py vapid_keys`
# prints a fresh one) and the contact the push services may write to. Off while either key is
# empty: the toggle is hidden and nobody is sent a push.
WEBPUSH_VAPID_PUBLIC_KEY = env.str("WEBPUSH_VAPID_PUBLIC_KEY", default="")
WEBPUSH_VAPID_PRIVATE_KEY = env.str("WEBPUSH_VAPID_PRIVATE_KEY", default="")
WEBPUSH_SUBJECT = env.str("WEBPUSH_SUBJECT", default="")
if WEBPUSH_VAPID_PUBLIC_KEY and WEBPUSH_VAPID_PRIVATE_KEY and not WEBPUSH_SUBJECT.startswith(
    ("mailto:", "https://")
):
    raise ImproperlyConfigured(
        "WEBPUSH_SUBJECT must be a mailto: or https: address the push services can reach, "
        "e.g. mailto:quantri@truongso.quangninh.edu.vn"
    )
# Subscriptions on plain http://127.0.0.1 (a test's fake push service) are refused unless this
# is on; production push services are all https.
WEBPUSH_ALLOW_LOOPBACK_HTTP = env.bool("WEBPUSH_ALLOW_LOOPBACK_HTTP", default=DEBUG)
# Attachments to messages between parents and teachers: bytes per file, files per message.
MESSAGE_ATTACHMENT_MAX_BYTES = env.int("MESSAGE_ATTACHMENT_MAX_BYTES", default=5 * 1024 * 1024)
MESSAGE_MAX_ATTACHMENTS = env.int("MESSAGE_MAX_ATTACHMENTS", default=3)
# Where attachments are stored: outside MEDIA_ROOT, served only after an access check.
MESSAGE_ATTACHMENTS_ROOT = env.path(
    "MESSAGE_ATTACHMENTS_ROOT", default=BASE_DIR / "var" / "attachments" / "media"
)

# Term reports. Class PDFs and ZIPs are written under REPORTS_ROOT (outside MEDIA_ROOT, served
# only after an access check); pupils' cards live in the database. A worker renders about
# REPORT_CHUNK_SIZE cards per task, and a worker process is replaced after
# CELERY_WORKER_MAX_TASKS_PER_CHILD tasks or once it holds CELERY_WORKER_MAX_MEMORY_PER_CHILD KiB,
# since WeasyPrint's memory grows across renders.
REPORTS_ROOT = env.path("REPORTS_ROOT", default=BASE_DIR / "var" / "reports")

# Where stored files live: "local" (the roots above, the first-run default) or "s3", an
# S3-compatible store shared by every host, so that a file a worker wrote is read by any app
# server. Setting S3_BUCKET alone also means s3. Each kind of file gets its own prefix in the
# bucket (STORAGES[kind]); the bucket is private: files leave only through the access-checked
# views, which stream them (no public or signed URL is handed out). Credentials: S3_ACCESS_KEY_ID
# and S3_SECRET_ACCESS_KEY, or boto3's own (AWS_* variables, an instance role).
S3_BUCKET = env.str("S3_BUCKET", default="")
FILE_STORAGE = env.str("FILE_STORAGE", default="s3" if S3_BUCKET else "local")
if FILE_STORAGE not in ("local", "s3"):
    raise ImproperlyConfigured(f"FILE_STORAGE is {FILE_STORAGE!r}: choose local or s3.")
if FILE_STORAGE == "s3":
    if not S3_BUCKET:
        raise ImproperlyConfigured("FILE_STORAGE=s3 needs S3_BUCKET, the bucket's name.")
    _S3_PREFIX = env.str("S3_PREFIX", default="").strip("/")
    _S3_OPTIONS = {
        "bucket_name": S3_BUCKET,
        "endpoint_url": env.str("S3_ENDPOINT_URL", default="") or None,
        "region_name": env.str("S3_REGION", default="") or None,
        "access_key": env.str("S3_ACCESS_KEY_ID", default="") or None,
        "secret_key": env.str("S3_SECRET_ACCESS_KEY", default="") or None,
        "default_acl": None,  # the bucket's own policy: private
        "querystring_auth": True,  # a .url, should anything ask for one, is signed and short-lived
        "querystring_expire": 300,
    }

    def _s3(prefix: str, *, overwrite: bool, backend: str = "storages.backends.s3.S3Storage"):
        location = "/".join(p for p in (_S3_PREFIX, prefix) if p)
        return {"BACKEND": backend,
                "OPTIONS": {**_S3_OPTIONS, "location": location, "file_overwrite": overwrite}}

    # Report files (class PDFs, ZIPs): one PUT per object, and S3 shows a whole object or none.
    STORAGES["reports"] = _s3("reports", overwrite=True)
    # Message attachments: random names (contactbook/models/messaging.py), never overwritten.
    STORAGES["attachments"] = _s3("attachments", overwrite=False)
    # Lesson materials and their kept versions (lms/storage.py): random folders, never
    # overwritten; they leave through Wagtail's document view, streamed after lms's check.
    STORAGES["materials"] = _s3("materials", overwrite=False)
    # Lesson images and renditions (Wagtail's images use the default storage): their URLs stay
    # our access-checked MEDIA_URL paths (core/s3.py), streamed from the bucket.
    STORAGES["default"] = _s3("media", overwrite=False, backend="core.s3.S3MediaStorage")

# Backups (`make backup`, core/backup.py): where `manage.py backup` writes by default, and how
# many it keeps there (older ones are removed after a new one is complete; 0 keeps all).
BACKUP_ROOT = env.path("BACKUP_ROOT", default=BASE_DIR / "var" / "backups")
BACKUP_KEEP = env.int("BACKUP_KEEP", default=14)
REPORT_CHUNK_SIZE = env.int("REPORT_CHUNK_SIZE", default=40)
CELERY_WORKER_MAX_TASKS_PER_CHILD = env.int("CELERY_WORKER_MAX_TASKS_PER_CHILD", default=20)
CELERY_WORKER_MAX_MEMORY_PER_CHILD = env.int("CELERY_WORKER_MAX_MEMORY_PER_CHILD", default=350_000)
# Optional PAdES signature of report cards: the school's certificate and key (PEM) and the
# key's passphrase. Unset: cards are not signed (the verification code still works).
REPORT_SIGNING_CERT = env.str("REPORT_SIGNING_CERT", default="")
REPORT_SIGNING_KEY = env.str("REPORT_SIGNING_KEY", default="")
REPORT_SIGNING_PASSPHRASE = env.str("REPORT_SIGNING_PASSPHRASE", default="")
# The department's dashboard (reports/dashboard.py): a count from 1 to DASHBOARD_MIN_COUNT - 1
# is shown to a department's officers as "<N", so no group is small enough to point at a pupil.
DASHBOARD_MIN_COUNT = env.int("DASHBOARD_MIN_COUNT", default=5)
# How often the department's dashboard counts are made again (reports/counts.py), in minutes:
# each round computes the cards of every school's current terms on the reports queue.
DASHBOARD_REFRESH_MINUTES = env.int("DASHBOARD_REFRESH_MINUTES", default=30)
if DASHBOARD_REFRESH_MINUTES < 1:
    raise ImproperlyConfigured("DASHBOARD_REFRESH_MINUTES is a number of minutes, at least 1.")
CELERY_BEAT_SCHEDULE["count-dashboard-classes"] = {
    "task": "reports.tasks.refresh_counts", "schedule": 60.0 * DASHBOARD_REFRESH_MINUTES,
}

# Personal data (privacy/): days after a pupil's last enrolment ends before a school's manager
# may anonymise them. A year covers the next school year (a pupil who comes back, a transfer's
# papers, requests for copies of the record) and the 90-day complaint window with room to spare.
PERSONAL_DATA_RETENTION_DAYS = env.int("PERSONAL_DATA_RETENTION_DAYS", default=365)

# HTTPS in production (DEBUG=0): plain-HTTP requests are redirected, except /healthz, which a
# load balancer probes over plain HTTP; browsers are told to come back over HTTPS only (HSTS).
# Behind a proxy that terminates TLS, SECURE_PROXY_SSL_HEADER names the header it sets (e.g.
# HTTP_X_FORWARDED_PROTO,https); without it every request looks like HTTP and redirects forever.
# Set it only if the proxy always sets or overwrites that header.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_PROXY_SSL_HEADER = env.tuple("SECURE_PROXY_SSL_HEADER", default=None)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"  # page addresses hold pupils' ids: never sent elsewhere
# Nothing of ours is framed by another page. Wagtail's preview frames the admin's own preview
# view, which overrides this with SAMEORIGIN itself (wagtail.utils.decorators).
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
# No script reads the CSRF cookie: our forms post the token from the page, Wagtail's admin reads
# it from its page config, ninja's docs from a data attribute. So an injected script cannot
# lift it either.
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=60 * 60 * 24 * 30)

# Content-Security-Policy (django-csp). Our own pages run no inline script or style: scripts
# and styles are files under static/, so a script that slips into a page (a lesson, a name) is
# not run. Lesson videos may embed a YouTube or Vimeo player (lms.blocks.VideoBlock).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "frame-src": [SELF, "https://www.youtube.com", "https://www.youtube-nocookie.com",
                      "https://player.vimeo.com"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        # The parent portal's service worker (/sw.js) and manifest: our origin only.
        "worker-src": [SELF],
        "manifest-src": [SELF],
    },
}
# Directives replaced under a path prefix (truongso.middleware). Wagtail 8's admin writes
# inline <script> (the editor's panels, date pickers, the workflow) and inline styles (checked
# in a browser: blocked, the editor breaks), shows image previews from blob: URLs and frames
# its own preview. Django's admin (/quan-tri/) runs from files and keeps the site's policy;
# the one <style> it writes (change lists without actions: a column width) is dropped.
CONTENT_SECURITY_POLICY_PATHS = {
    "/cms/": {
        "script-src": [SELF, UNSAFE_INLINE],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:", "blob:"],
        "frame-ancestors": [SELF],
    },
}
# HSTS preload is a promise for the whole registrable domain (every host under it, for months),
# which a school or department subdomain cannot make: the operator opts in (SECURE_HSTS_PRELOAD=1
# after submitting the domain), so Django's reminder (security.W021) is silenced.
SILENCED_SYSTEM_CHECKS = ["security.W021"]
# SQLite (the embedded first run) cannot build reports' three constraints that treat NULLs as
# equal ("one current card", "one active run", "one file": models.W047). On a first run's laptop
# those rules rest on the services' own checks (start_run looks for an active run first) and on
# SQLite's single writer; PostgreSQL, what a school runs, enforces them. Said once here rather
# than three warnings on every migrate of a first run.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    SILENCED_SYSTEM_CHECKS.append("models.W047")

# Limits on an uploaded pupil list (rows, bytes), so a wrong file cannot tie up a worker.
TRUONGSO_IMPORT_MAX_ROWS = env.int("TRUONGSO_IMPORT_MAX_ROWS", default=5000)
TRUONGSO_IMPORT_MAX_BYTES = env.int("TRUONGSO_IMPORT_MAX_BYTES", default=5 * 1024 * 1024)

# Classroom devices' API: body size, events per upload, requests per device per minute, how
# long after its last heartbeat a device counts as online, and the clock drift we flag.
DEVICE_API_MAX_BODY_BYTES = env.int("DEVICE_API_MAX_BODY_BYTES", default=256 * 1024)
DEVICE_API_MAX_EVENTS = env.int("DEVICE_API_MAX_EVENTS", default=500)
DEVICE_API_RATE_PER_MINUTE = env.int("DEVICE_API_RATE_PER_MINUTE", default=120)
DEVICE_ONLINE_SECONDS = env.int("DEVICE_ONLINE_SECONDS", default=300)
DEVICE_MAX_CLOCK_SKEW_SECONDS = env.int("DEVICE_MAX_CLOCK_SKEW_SECONDS", default=60)

# LOG_FORMAT=json: one JSON object a line on stdout (truongso/logs.py), what `make serve` and a
# host's log collector want; "text" (on stderr) for a developer's terminal.
LOG_FORMAT = env.str("LOG_FORMAT", default="text")
if LOG_FORMAT not in ("text", "json"):
    raise ImproperlyConfigured(f"LOG_FORMAT must be text or json, not {LOG_FORMAT!r}")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "truongso.logs.JsonFormatter"}},
    "handlers": {"console": {"class": "logging.StreamHandler"} if LOG_FORMAT == "text" else {
        "class": "logging.StreamHandler", "stream": "ext://sys.stdout", "formatter": "json",
    }},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # Wagtail logs every page created or published at INFO: the demo seed would print hundreds.
    # WeasyPrint logs each step of every render at INFO ("Step 2 - Fetching and parsing CSS").
    "loggers": {
        "wagtail": {"level": env.str("WAGTAIL_LOG_LEVEL", default="WARNING")},
        "weasyprint.progress": {"level": "WARNING"},
    },
}
# Structured logs: Celery's workers and beat log through LOGGING, not a handler of their own.
CELERY_WORKER_HIJACK_ROOT_LOGGER = LOG_FORMAT == "text"

# Wagtail (lessons and materials, lms/). The admin is at /cms/ and logs in through our login page.
WAGTAIL_SITE_NAME = "Trường Số"
WAGTAILADMIN_BASE_URL = env.str("WAGTAILADMIN_BASE_URL", default="http://127.0.0.1:8000")
WAGTAILADMIN_LOGIN_URL = "accounts:login"
# One way to recover an account, the site's own: Wagtail's reset (/cms/password_reset/, which
# mails a link to whatever e-mail a school manager may have typed) and its password change
# answer 404 / are not shown.
WAGTAIL_PASSWORD_RESET_ENABLED = False
WAGTAIL_PASSWORD_MANAGEMENT_ENABLED = False
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES
WAGTAIL_ALLOW_UNICODE_SLUGS = False  # "Phương trình bậc hai" -> phuong-trinh-bac-hai
WAGTAIL_ENABLE_UPDATE_CHECK = False  # no outside network at run time
WAGTAIL_ENABLE_WHATS_NEW_BANNER = False
# Learning materials are lms.Material documents, stored outside MEDIA_ROOT (lms/storage.py) and
# served only by Wagtail's view after lms's before_serve_document check: no public media URL.
WAGTAILDOCS_DOCUMENT_MODEL = "lms.Material"
LMS_MATERIALS_ROOT = env.path("LMS_MATERIALS_ROOT", default=BASE_DIR / "var" / "materials" / "media")
WAGTAILDOCS_DOCUMENT_FORM_BASE = "lms.forms.MaterialForm"
WAGTAILDOCS_SERVE_METHOD = "serve_view"
WAGTAILDOCS_MAX_UPLOAD_SIZE = env.int("WAGTAILDOCS_MAX_UPLOAD_SIZE", default=50 * 1024 * 1024)
WAGTAILDOCS_EXTENSIONS = [
    "pdf", "docx", "pptx", "xlsx", "jpg", "jpeg", "png", "gif", "webp",
    "mp3", "m4a", "ogg", "wav", "mp4", "webm",
]
WAGTAILDOCS_INLINE_CONTENT_TYPES = ["application/pdf", "image/jpeg", "image/png", "image/gif",
                                   "image/webp", "audio/mpeg", "audio/mp4", "audio/ogg",
                                   "audio/wav", "video/mp4", "video/webm"]
WAGTAILIMAGES_MAX_UPLOAD_SIZE = env.int("WAGTAILIMAGES_MAX_UPLOAD_SIZE", default=10 * 1024 * 1024)
