"""Pathlens settings: one file, driven by the environment.

Every variable is listed, with its default and meaning, in README.md ("Configuration").
The defaults are the embedded set-up (SQLite files and a filesystem Celery broker under
DATA_DIR); production overrides them from an environment file (docs/deploy.md).
"""

from __future__ import annotations

import secrets
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from config.env import env_bool, env_int, env_list, env_str, env_url
from config.routers import ANALYTICS_ALIAS

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(env_str("DATA_DIR", str(BASE_DIR / "data"))).resolve()

DEBUG = env_bool("DEBUG", False)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off "
            "(generate one with: python -c 'import secrets; print(secrets.token_urlsafe(50))')."
        )
    # Development only: a random key kept in DATA_DIR, so sessions survive a restart.
    _key_file = DATA_DIR / "dev-secret-key"
    if not _key_file.exists():
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        _key_file.write_text(secrets.token_urlsafe(50))
        _key_file.chmod(0o600)
    SECRET_KEY = _key_file.read_text().strip()

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "dashboard.apps.PathlensAdminConfig",  # django.contrib.admin with a clean-session sign-in
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "social_django",
    "core",
    "widgets",
    "collector",
    "dashboard",
    "projects",
    "replay",
    "lti",
]

MIDDLEWARE = [
    "core.middleware.RequestIdMiddleware",
    "collector.http.ApiJsonErrorsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "dashboard.middleware.SignInErrorMiddleware",
    "dashboard.middleware.SignInRateLimitMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "dashboard.context_processors.signed_in_as",
            ],
        },
    },
]

# --- Databases -------------------------------------------------------------------------------
# Two aliases: `default` for the school side, `analytics` for the platform side (the collector).
# config.routers keeps every collector model in `analytics` and nothing else there, so an operator
# can move the platform to its own server by changing one URL.
DATABASE_SCHEMES = {"sqlite", "postgres", "postgresql", "pgsql"}
SQLITE_OPTIONS = {
    # WAL lets the web process read while the worker writes; IMMEDIATE takes the write lock at
    # BEGIN so two writers queue on `timeout` instead of failing with "database is locked".
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
}


def database_from_url(name: str, default_file: str) -> dj_database_url.DBConfig:
    url = env_url(name, f"sqlite:///{DATA_DIR / default_file}", schemes=DATABASE_SCHEMES)
    config = dj_database_url.parse(url, conn_max_age=env_int("DB_CONN_MAX_AGE", 60, minimum=0))
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["OPTIONS"] = {**SQLITE_OPTIONS, **config.get("OPTIONS", {})}
        config["CONN_MAX_AGE"] = 0
    else:
        config["CONN_HEALTH_CHECKS"] = True
    return config


DATABASES = {
    "default": database_from_url("DATABASE_URL", "pathlens.sqlite3"),
    ANALYTICS_ALIAS: database_from_url("ANALYTICS_DATABASE_URL", "analytics.sqlite3"),
}
DATABASE_ROUTERS = ["config.routers.AnalyticsRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The cache holds the sign-in and ingestion rate limits. `locmem://` is per process (fine for
# `make run`; `check --deploy` warns); `file:///path` is shared by the processes of one machine;
# `redis://` by every process on every machine.
CACHE_URL = env_url("CACHE_URL", "locmem://", schemes={"locmem", "file", "redis", "rediss"})
if CACHE_URL.startswith("locmem"):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
elif CACHE_URL.startswith("file"):
    cache_path = urlsplit(CACHE_URL).path
    if not cache_path.startswith("/"):
        raise ImproperlyConfigured(
            f"CACHE_URL={CACHE_URL!r} needs an absolute folder: file:///var/cache/pathlens"
        )
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": cache_path,
        }
    }
else:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
    }

# --- Accounts and sign-in --------------------------------------------------------------------
AUTH_USER_MODEL = "dashboard.User"
LOGIN_URL = "dashboard:signin"
LOGIN_REDIRECT_URL = "dashboard:home"
LOGOUT_REDIRECT_URL = "dashboard:signin"

AUTHENTICATION_BACKENDS = [
    env_str("GOOGLE_OAUTH_BACKEND", "social_core.backends.google.GoogleOAuth2"),
    "django.contrib.auth.backends.ModelBackend",
]

# Demo login: one button that signs in as a demo teacher. On by default only when DEBUG is on.
DEMO_LOGIN = env_bool("DEMO_LOGIN", DEBUG)
# Learners pick their own name from a list, with no password (a demo-grade mechanism): anyone who
# can open the page can be any learner, so it is on by default only when DEBUG is on (`make run`);
# `check --deploy` warns when a production site turns it on (pathlens.W002).
LEARNER_PICK_SIGNIN = env_bool("LEARNER_PICK_SIGNIN", DEBUG)
# Comma-separated emails and "@domain" entries copied into the whitelist by `seed_whitelist`.
TEACHER_WHITELIST = env_list("TEACHER_WHITELIST")
# Shown on the "not on the list" page so a refused teacher knows whom to ask.
ACCESS_CONTACT = env_str("ACCESS_CONTACT", "your school's Pathlens administrator")

SOCIAL_AUTH_GOOGLE_OAUTH2_KEY = env_str("GOOGLE_OAUTH_CLIENT_ID")
SOCIAL_AUTH_GOOGLE_OAUTH2_SECRET = env_str("GOOGLE_OAUTH_CLIENT_SECRET")
GOOGLE_LOGIN_ENABLED = bool(SOCIAL_AUTH_GOOGLE_OAUTH2_KEY and SOCIAL_AUTH_GOOGLE_OAUTH2_SECRET)
GOOGLE_AUTHORIZATION_URL = env_str(
    "GOOGLE_AUTHORIZATION_URL", "https://accounts.google.com/o/oauth2/auth"
)
SOCIAL_AUTH_URL_NAMESPACE = "social"
SOCIAL_AUTH_LOGIN_REDIRECT_URL = "/teacher/"
SOCIAL_AUTH_LOGIN_ERROR_URL = "/signin/"
# Without this, social-auth re-raises every refusal when DEBUG is on: a refusal must be a page.
SOCIAL_AUTH_RAISE_EXCEPTIONS = False
SOCIAL_AUTH_USER_FIELDS = ["username", "email", "first_name", "last_name"]
SOCIAL_AUTH_REDIRECT_IS_HTTPS = env_bool("SOCIAL_AUTH_REDIRECT_IS_HTTPS", not DEBUG)
SOCIAL_AUTH_PIPELINE = (
    "social_core.pipeline.social_auth.social_details",
    "social_core.pipeline.social_auth.social_uid",
    # Replaces social-core's auth_allowed: refuses before any user or association is created.
    "dashboard.pipeline.require_whitelisted_email",
    "social_core.pipeline.social_auth.social_user",
    # A teacher first made by an LMS launch (lti/people.py) is the same account when they sign
    # in with Google: safe, the step above let through only a verified, whitelisted email.
    "social_core.pipeline.social_auth.associate_by_email",
    "social_core.pipeline.user.get_username",
    "social_core.pipeline.user.create_user",
    "social_core.pipeline.social_auth.associate_user",
    "social_core.pipeline.social_auth.load_extra_data",
    "social_core.pipeline.user.user_details",
)

SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 12 * 3600, minimum=60)
# A teacher is signed out after this long without a request, and this long after signing in.
TEACHER_IDLE_TIMEOUT = env_int("TEACHER_IDLE_TIMEOUT", 2 * 3600, minimum=60)
TEACHER_ABSOLUTE_TIMEOUT = env_int("TEACHER_ABSOLUTE_TIMEOUT", 12 * 3600, minimum=60)
# Sign-in attempts (demo, learner pick, Google, /admin/login/) per client address per five minutes.
SIGNIN_RATE_LIMIT = env_int("SIGNIN_RATE_LIMIT", 30, minimum=1)
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Security headers ------------------------------------------------------------------------
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
BEHIND_TLS_PROXY = env_bool("BEHIND_TLS_PROXY", False)
if BEHIND_TLS_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Load balancers probe /healthz over plain HTTP on the internal address.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# DENY everywhere; the widget playback page opts in to SAMEORIGIN for the replay iframe.
X_FRAME_OPTIONS = "DENY"


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    # Plotly.js writes style attributes at run time; scripts stay strictly nonce-only.
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:", "blob:"],
    "font-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "frame-src": [CSP.SELF],
    # No page may be framed, by anyone; replay's playback frame alone lets this site frame it
    # (replay.views.playback_frame overrides this one directive).
    "frame-ancestors": [CSP.NONE],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    # Browsers apply form-action to the redirect after the Google sign-in POST, too.
    "form-action": [CSP.SELF, _origin(GOOGLE_AUTHORIZATION_URL)],
}

# --- Static files ----------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
# With DEBUG on (make run), files are served from the app folders and STATIC_ROOT is not needed.
WHITENOISE_USE_FINDERS = DEBUG
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_MIMETYPES = {".mjs": "text/javascript"}

# --- Celery ----------------------------------------------------------------------------------
# Default: kombu's filesystem transport, a broker that needs no server (one machine only).
# Production: redis://… or amqp://… (RabbitMQ).
CELERY_BROKER_URL = env_url(
    "CELERY_BROKER_URL", "filesystem://", schemes={"filesystem", "redis", "rediss", "amqp"}
)
CELERY_BROKER_TRANSPORT_OPTIONS: dict = {}
if CELERY_BROKER_URL.startswith("filesystem"):
    # The transport reads only the folders below; a host in the URL keeps kombu from warning
    # "No hostname was supplied" on every connection.
    CELERY_BROKER_URL = "filesystem://localhost/"
    _queue_dir = DATA_DIR / "broker"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir),
        "data_folder_out": str(_queue_dir),
        "control_folder": str(DATA_DIR / "broker-control"),
        "store_processed": False,
    }
    # The transport expects its folders to exist; creating them here keeps `make run` one step.
    for _folder in (_queue_dir, DATA_DIR / "broker-control"):
        _folder.mkdir(parents=True, exist_ok=True)
    # Remote control needs a fanout exchange, which the filesystem transport does not offer.
    CELERY_WORKER_ENABLE_REMOTE_CONTROL = False
# When a worker dies, what it was doing must come back soon (docs/deploy.md, "When a worker
# dies"). A task is acknowledged when it has finished, not when it is received (acks_late), so
# a message whose worker died is still the broker's: RabbitMQ requeues it the moment the dead
# worker's connection closes; Redis once it has been out longer than the visibility timeout
# below. A pool child that dies under a living worker (killed, out of memory) gets its task
# requeued at once (reject_on_worker_lost). Every task is safe to run twice: a data request
# skips itself when it is finished or being processed, the periodic tasks are idempotent.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# Redis: kombu's default is an hour (and a look every 100 s). 90 s brings a dead worker's message
# back within 100 s, yet stays six times above the longest task measured (a `scores` request
# over a million events, 15 s, benchmarks/README.md): a task running longer is delivered a
# second time, which waits for the first and then finds the work done. Tasks are never
# scheduled further ahead than this (the only countdown is a 5 s retry).
REDIS_VISIBILITY_TIMEOUT = 90
REDIS_RESTORE_EVERY = 10
if CELERY_BROKER_URL.startswith("redis"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": REDIS_VISIBILITY_TIMEOUT,
        "unacked_restore_interval": REDIS_RESTORE_EVERY,
        "unacked_restore_throttle": 1,  # look every interval, not every tenth one
    }
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND") or None
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Workers log through LOGGING below (JSON in production) instead of Celery's own format.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# Periodic work, sent by exactly one `celery -A config beat` (docs/deploy.md). Each task is
# idempotent, and expires after one interval so that a backlog (no worker for a while) does not
# run it many times over.
BEAT_INTERVAL = env_int("BEAT_INTERVAL", 60, minimum=1)
DATA_REQUEST_RETENTION_DAYS = env_int("DATA_REQUEST_RETENTION_DAYS", 7, minimum=1)
# Days a refused event stays in the collector's quarantine (collector/quarantine.py).
QUARANTINE_RETENTION_DAYS = env_int("QUARANTINE_RETENTION_DAYS", 90, minimum=1)
# Days delivered webhook changes and the delivery log are kept (docs/collector.md, "Webhooks").
WEBHOOK_RETENTION_DAYS = env_int("WEBHOOK_RETENTION_DAYS", 30, minimum=1)
# Seconds between summaries of sessions that received events (their measures, docs/widgets.md).
SUMMARY_INTERVAL = env_int("SUMMARY_INTERVAL", 10, minimum=1)
# Seconds between deliveries of session changes to webhook subscriptions (docs/collector.md).
WEBHOOK_INTERVAL = env_int("WEBHOOK_INTERVAL", 10, minimum=1)
# What beat remembers between starts (when each entry last ran), as JSON in DATA_DIR: Celery's
# default shelf is SQLite on Python 3.13, whose locking failed under load (config/beat.py).
CELERY_BEAT_SCHEDULER = "config.beat:JsonFileScheduler"
CELERY_BEAT_SCHEDULE_FILENAME = str(DATA_DIR / "celerybeat-schedule.json")
# A task expires after one interval, but never sooner than 10 s: the filesystem broker polls
# every second, so a shorter expiry (BEAT_INTERVAL=1 in the deploy test) could expire a task
# on its way to the worker.
CELERY_BEAT_SCHEDULE = {
    name: {"task": task, "schedule": every, "options": {"expires": max(every, 10)}}
    for name, task, every in (
        ("refresh-processing-runs", "projects.refresh_processing_runs", BEAT_INTERVAL),
        ("summarise-sessions", "collector.summarise_sessions", SUMMARY_INTERVAL),
        ("refresh-class-overviews", "projects.refresh_class_feeds", BEAT_INTERVAL),
        ("attention-digests", "dashboard.send_attention_digests", 3600),
        ("sweep-data-requests", "collector.sweep_data_requests", BEAT_INTERVAL),
        ("delete-old-data-requests", "collector.delete_old_data_requests", 3600),
        ("delete-old-quarantined-events", "collector.delete_old_quarantined_events", 3600),
        ("clear-expired-sessions", "dashboard.clear_expired_sessions", 3600),
        ("lti-passback", "lti.passback_sweep", BEAT_INTERVAL),
        ("forward-statements", "collector.forward_statements", BEAT_INTERVAL),
        ("deliver-webhooks", "collector.deliver_webhooks", WEBHOOK_INTERVAL),
        ("prune-webhooks", "collector.prune_webhooks", 3600),
    )
}

# --- Internationalisation --------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

# --- Logging ---------------------------------------------------------------------------------
# `json` (the default with DEBUG off) writes one JSON object per line, with the request id.
LOG_LEVEL = env_str("LOG_LEVEL", "INFO").upper()
LOG_FORMAT = env_str("LOG_FORMAT", "plain" if DEBUG else "json")
if LOG_FORMAT not in {"plain", "json"}:
    raise ImproperlyConfigured(f"LOG_FORMAT={LOG_FORMAT!r}: use plain or json.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "config.logging.RequestIdFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "config.logging.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # Django gives its loggers a console handler of their own when DEBUG is on; they reach
        # ours through the root logger anyway, so without this each line is printed twice.
        "django": {"handlers": [], "level": LOG_LEVEL},
        "django.db.backends": {"level": "INFO"},
    },
}

# --- E-mail (notifications: a finished run, the daily "needs attention" digest) ----------------
# Sent by Celery tasks, never inside a request. With DEBUG on and no EMAIL_HOST, messages are
# written to the console (the embedded set-up); otherwise they go to the SMTP server EMAIL_HOST,
# by default the machine's own mail server on localhost, as Django has always done.
EMAIL_HOST = env_str("EMAIL_HOST")
MAILERS = {
    "default": (
        {"BACKEND": "django.core.mail.backends.console.EmailBackend"}
        if DEBUG and not EMAIL_HOST
        else {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": EMAIL_HOST or "localhost",
                "port": env_int("EMAIL_PORT", 587 if EMAIL_HOST else 25, minimum=1),
                "username": env_str("EMAIL_HOST_USER"),
                "password": env_str("EMAIL_HOST_PASSWORD"),
                "use_tls": env_bool("EMAIL_USE_TLS", bool(EMAIL_HOST)),
                "timeout": 30,
            },
        }
    )
}
del EMAIL_HOST  # read through MAILERS only (Django 6.1 deprecates the EMAIL_* settings)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Pathlens <pathlens@localhost>")
# The address teachers open Pathlens at, for the links in e-mails.
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# Local hour (TIME_ZONE) at which the daily "needs attention" digest goes out.
DIGEST_HOUR = env_int("DIGEST_HOUR", 7, minimum=0)

# --- The collector (platform side) -----------------------------------------------------------
# How long a learner token stays valid, in seconds.
LEARNER_TOKEN_TTL = env_int("LEARNER_TOKEN_TTL", 12 * 3600, minimum=60)
# Batches one learner token may send per minute before getting 429 with Retry-After.
INGEST_RATE_LIMIT = env_int("INGEST_RATE_LIMIT", 240, minimum=1)
# Where the school side finds the collector: empty for in-process, or a URL plus an API key.
COLLECTOR_URL = env_str("COLLECTOR_URL").rstrip("/")
COLLECTOR_API_KEY = env_str("COLLECTOR_API_KEY")
if COLLECTOR_URL and not COLLECTOR_API_KEY:
    raise ImproperlyConfigured("COLLECTOR_URL is set, so COLLECTOR_API_KEY must be set too.")
# The learning measures' thresholds (widgets/measures.py, docs/widgets.md), in seconds: a gap
# between two events counts as active time up to MEASURE_IDLE_CAP; a gap longer than
# MEASURE_SITTING_GAP starts a new sitting. After changing either, run
# `manage.py summarise_sessions --all` so that stored sessions follow.
MEASURE_IDLE_CAP = env_int("MEASURE_IDLE_CAP", 120, minimum=1)
MEASURE_SITTING_GAP = env_int("MEASURE_SITTING_GAP", 1800, minimum=60)
# Browser origins (other schools' dashboards) allowed to send events to this collector.
COLLECTOR_CORS_ORIGINS = env_list("COLLECTOR_CORS_ORIGINS")
