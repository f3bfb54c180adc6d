"""gunicorn's settings for the Pathlens web process: `gunicorn -c config/gunicorn.conf.py`.

Read from the same environment as config/settings.py (README.md, "Configuration"); the values
are checked by the same readers, so a typo stops gunicorn at start-up with the variable's name.
Logs go to stderr (errors) and stdout (access), both JSON lines when LOG_FORMAT is json, so the
journal or a log shipper gets one format from every process. See docs/deploy.md.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

_ROOT = Path(__file__).resolve().parent.parent
if str(_ROOT) not in sys.path:
    sys.path.insert(0, str(_ROOT))

from config.env import env_bool, env_int, env_str  # noqa: E402

wsgi_app = "config.wsgi:application"
proc_name = "pathlens"
# No gunicornc control socket: it is not used, and it would be shared by every gunicorn of
# the same user in $HOME.
control_socket_disable = True

# A TCP address for a reverse proxy on this machine or in front of it, or unix:/path.sock.
bind = [env_str("GUNICORN_BIND", "127.0.0.1:8000")]
# Sync workers: every request is short (pages, event batches, status polls); the slow work is
# in Celery. Two per core plus one is gunicorn's own advice.
workers = env_int("WEB_CONCURRENCY", 2 * (os.cpu_count() or 1) + 1, minimum=1)
timeout = env_int("GUNICORN_TIMEOUT", 60, minimum=1)
graceful_timeout = 30
# Recycle workers now and then, so memory that pandas or plotly leave behind is given back.
max_requests = 1000
max_requests_jitter = 100
# The proxy addresses whose X-Forwarded-Proto gunicorn believes (Django's own trust in that
# header is BEHIND_TLS_PROXY).
forwarded_allow_ips = env_str("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# --- Logs -------------------------------------------------------------------------------------
_debug = env_bool("DEBUG", False)
_format = env_str("LOG_FORMAT", "plain" if _debug else "json")
_level = env_str("LOG_LEVEL", "INFO").upper()
_access_log = env_bool("ACCESS_LOG", True)

accesslog = "-" if _access_log else None
# The plain line; in JSON the same fields are keys of their own (config.logging.AccessLogFilter).
# No query string: it can carry ids.
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms [%({x-request-id}o)s]'
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "config.logging.JsonFormatter"},
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "filters": {"access": {"()": "config.logging.AccessLogFilter"}},
    "handlers": {
        "error": {
            "class": "logging.StreamHandler",
            "formatter": _format,
            "stream": "ext://sys.stderr",
        },
        "access": {
            "class": "logging.StreamHandler",
            "formatter": _format,
            "filters": ["access"],
            "stream": "ext://sys.stdout",
        },
    },
    "root": {"level": _level, "handlers": ["error"]},
    "loggers": {
        "gunicorn.error": {"level": _level, "handlers": ["error"], "propagate": False},
        "gunicorn.access": {
            # Off: nothing reaches the handler (gunicorn still calls the logger).
            "level": "INFO" if _access_log else "CRITICAL",
            "handlers": ["access"],
            "propagate": False,
        },
    },
}
