"""Test settings: config.settings with the environment a test run needs.

The same env variables as production select the services (DATABASE_URL, ANALYTICS_DATABASE_URL,
CELERY_BROKER_URL), so CI runs this suite against SQLite + the filesystem broker and again
against PostgreSQL + Redis.
"""

import os
from pathlib import Path

_data = Path(__file__).resolve().parent.parent / "data" / "test"
os.environ.setdefault("DATA_DIR", str(_data))
os.environ.setdefault("SECRET_KEY", "tests-only-not-a-secret-0123456789-abcdefghijklmnopqrstuvwxyz")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("DEMO_LOGIN", "true")
# Off by default with DEBUG off; the sign-in tests and the browser tests pick learners.
os.environ.setdefault("LEARNER_PICK_SIGNIN", "true")
# Each test signs in afresh from 127.0.0.1; the limit has tests of its own.
os.environ.setdefault("SIGNIN_RATE_LIMIT", "1000000")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("SECURE_COOKIES", "false")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
os.environ.setdefault("GOOGLE_OAUTH_CLIENT_ID", "pathlens-test-client")
os.environ.setdefault("GOOGLE_OAUTH_CLIENT_SECRET", "pathlens-test-secret")
# Google's backend pointed at the local OIDC server that the tests start (never in production).
os.environ.setdefault("GOOGLE_OAUTH_BACKEND", "tests.support.google_local.LocalGoogleOAuth2")

from config.settings import *  # noqa: E402, F403
from config.settings import CELERY_BROKER_URL, DATA_DIR, DATABASES  # noqa: E402

DATA_DIR.mkdir(parents=True, exist_ok=True)

# File-backed SQLite test databases, so a worker process started by a test sees the same data.
for alias, db in DATABASES.items():
    if db["ENGINE"] == "django.db.backends.sqlite3":
        db["TEST"] = {"NAME": str(DATA_DIR / f"test_{alias}.sqlite3")}

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# A result backend lets a test wait for what a real worker returned.
if CELERY_BROKER_URL.startswith("redis"):
    CELERY_RESULT_BACKEND = CELERY_BROKER_URL
else:
    CELERY_RESULT_BACKEND = f"file://{DATA_DIR / 'celery-results'}"
    (DATA_DIR / "celery-results").mkdir(parents=True, exist_ok=True)

# The worker-kill test (tests/collector/test_worker_killed.py) gives its workers a short Redis
# visibility timeout so that it takes seconds, not production's 90 s, and has them look for
# messages past it every second rather than production's REDIS_RESTORE_EVERY (10 s), which
# would otherwise be most of the wait (production's values have a test of their own there).
if os.environ.get("PATHLENS_TEST_VISIBILITY_TIMEOUT") and CELERY_BROKER_URL.startswith("redis"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        **CELERY_BROKER_TRANSPORT_OPTIONS,  # noqa: F405
        "visibility_timeout": int(os.environ["PATHLENS_TEST_VISIBILITY_TIMEOUT"]),
        "unacked_restore_interval": 1,
    }

# Where the local OIDC server listens; the `oauth_server` fixture sets it.
TEST_OAUTH_SERVER_URL = ""
STATIC_ROOT = None  # served from STATICFILES_DIRS by whitenoise finders in tests
WHITENOISE_USE_FINDERS = True

# E-mails go to django.core.mail.outbox (the test runner swaps every mailer for locmem).
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
