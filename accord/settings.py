"""One settings file, driven by the environment (see README "Configuration")."""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from accord.lib.secret import load_secret_key

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("ACCORD_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("DEBUG")
# Demo mode: console email, one-click sign-in buttons. Never turn this on for real data.
DEMO = env_bool("ACCORD_DEMO")
# A one-machine install needs no configuration: the key is made once, in the user's config folder and
# not beside the database, so a backup of the data does not carry it (see accord/lib/secret.py).
SECRET_KEY = load_secret_key(os.environ, VAR_DIR)
# Earlier keys, still accepted for reading (sessions, links, sealed pulse data) while a new key takes over.
SECRET_KEY_FALLBACKS = [k for k in os.environ.get("ACCORD_SECRET_KEY_FALLBACKS", "").split(",") if k.strip()]

ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "accord.accounts",
    "accord.orgs",
    "accord.pulse",
    "accord.goals",
    "accord.checkins",
    "accord.meetings",
    "accord.kudos",
    "accord.rhythm",
    "accord.handoffs",
    "accord.connect",
    "accord.plans",
    "accord.operations",
    "accord.delivery",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # After WhiteNoise, so static files keep their long caching and answer methods themselves.
    "csp.middleware.CSPMiddleware",
    "accord.lib.middleware.NoStoreMiddleware",
    "accord.lib.middleware.RefuseTraceOptionsMiddleware",
    # Before anything that reads the session or the user: a health check must answer with the database down.
    "accord.operations.middleware.HealthChecksFirstMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "accord.accounts.middleware.IdleTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "accord.orgs.middleware.OrgMiddleware",
]

ROOT_URLCONF = "accord.urls"
WSGI_APPLICATION = "accord.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accord.orgs.context.accord",
            ],
        },
    }
]

DATABASE_URL = os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'accord.sqlite3'}")
# Health checks: a kept connection the database dropped (a restart, a failover, pg_terminate_backend) is
# noticed and replaced before the next request or scheduler tick uses it, instead of failing it.
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers run beside the one writer; IMMEDIATE takes the write lock up front so
    # concurrent transactions wait (busy timeout) instead of failing half-way with "database is locked".
    # The connection is kept per thread like PostgreSQL's (CONN_MAX_AGE above): a new one, its pragmas and
    # its first read of the schema took ~1.4 ms per request, against microseconds for a small query on a
    # kept one. mmap lets readers share the OS page cache instead of copying pages per connection.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": float(os.environ.get("ACCORD_SQLITE_TIMEOUT", "20")),
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
            "PRAGMA mmap_size=268435456; PRAGMA cache_size=-16000; PRAGMA temp_store=MEMORY;"
        ),
    }
    # A file, not memory: concurrency tests need real locking (WAL and the busy timeout) as in production.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")}
elif env_bool("ACCORD_PGBOUNCER"):
    # Behind PgBouncer in transaction mode a server-side cursor (QuerySet.iterator) cannot outlive its
    # transaction's server connection; Django's documented switch reads such rows client-side instead.
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["accord.accounts.backends.EmailBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_RESET_TIMEOUT = 60 * 60 * 2
INVITATION_DAYS = int(os.environ.get("ACCORD_INVITATION_DAYS", "7"))
# Sign-in throttle (accord/accounts/throttle.py): this many failures per account and client, then
# waits that double from a minute up to the maximum; one address across many accounts gets more.
LOGIN_FAILURE_LIMIT = int(os.environ.get("ACCORD_LOGIN_FAILURE_LIMIT", "5"))
LOGIN_ADDRESS_LIMIT = int(os.environ.get("ACCORD_LOGIN_ADDRESS_LIMIT", "100"))
LOGIN_MAX_WAIT_MINUTES = int(os.environ.get("ACCORD_LOGIN_MAX_WAIT", "60"))
# Password-reset mails per hour, per address asked for and per client address.
PASSWORD_RESET_LIMIT_PER_ADDRESS = int(os.environ.get("ACCORD_RESET_LIMIT_PER_ADDRESS", "3"))
PASSWORD_RESET_LIMIT_PER_CLIENT = int(os.environ.get("ACCORD_RESET_LIMIT_PER_CLIENT", "20"))
# Proxies whose X-Forwarded-For we believe (accord/lib/client.py): comma-separated IPs or networks.
# Empty means the direct peer is the client; behind a reverse proxy, list the proxy here.
ACCORD_TRUSTED_PROXIES = [p.strip() for p in os.environ.get("ACCORD_TRUSTED_PROXIES", "").split(",")]
ACCORD_TRUSTED_PROXIES = [p for p in ACCORD_TRUSTED_PROXIES if p]
for _proxy in ACCORD_TRUSTED_PROXIES:
    import ipaddress

    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError as _exc:
        raise ValueError(f"ACCORD_TRUSTED_PROXIES: {_proxy!r} is not an IP address or network") from _exc

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns on every start without it
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# Cookies and headers: secure by default; plain-HTTP local runs (demo, tests) opt out.
SECURE_COOKIES = env_bool("ACCORD_SECURE_COOKIES", default=not (DEBUG or DEMO))
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 60 * 60 * 24 * 14
# The absolute limit above ends a session however busy it is; this one ends a session left alone (an
# unlocked laptop, a shared machine). Two hours covers a long meeting away from the tab.
SESSION_IDLE_MINUTES = int(os.environ.get("ACCORD_SESSION_IDLE_MINUTES", "120"))
# Making an API token (a credential that outlives the session) asks for the password again when the
# session's last password entry is older than this.
REAUTH_MINUTES = int(os.environ.get("ACCORD_REAUTH_MINUTES", "10"))
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Django's own CSRF page styles itself inline, which the policy below refuses.
CSRF_FAILURE_VIEW = "accord.lib.errors.csrf_failure"
# Enforced, not report-only: no inline script, handler or style anywhere (static/accord/*.js instead).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
if env_bool("ACCORD_BEHIND_TLS_PROXY"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365

# Without EMAIL_URL, mail is written to the log rather than dropped, so an invitation link is never lost.
EMAIL_URL = os.environ.get("EMAIL_URL", "console://")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Accord <accord@localhost>")
if EMAIL_URL.startswith("console:"):
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
elif EMAIL_URL.startswith(("smtp:", "smtps:", "submission:")):
    from urllib.parse import parse_qs, unquote, urlsplit

    _mail = urlsplit(EMAIL_URL)
    _q = parse_qs(_mail.query)
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = _mail.hostname or "localhost"
    EMAIL_PORT = _mail.port or (
        465 if _mail.scheme == "smtps" else 587 if _mail.scheme == "submission" else 25
    )
    EMAIL_HOST_USER = unquote(_mail.username or "")
    EMAIL_HOST_PASSWORD = unquote(_mail.password or "")
    EMAIL_USE_SSL = _mail.scheme == "smtps"
    EMAIL_USE_TLS = _mail.scheme == "submission" or _q.get("tls", ["0"])[0] == "1"
    EMAIL_TIMEOUT = 20
else:
    raise RuntimeError(
        f"EMAIL_URL must start with smtp://, smtps://, submission:// or console://, not {EMAIL_URL!r}"
    )

TASKS = {
    "default": {
        "BACKEND": os.environ.get("ACCORD_TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

# A RUNNING task whose worker has not shown a sign of life for this long is put back in the queue
# (accord/delivery/worker.py); finished task results and sent-message keys are kept this many days.
TASK_LEASE_SECONDS = float(os.environ.get("ACCORD_TASK_LEASE", "60"))
TASK_RESULT_DAYS = int(os.environ.get("ACCORD_TASK_RESULT_DAYS", "14"))
# Seconds between a failed email's attempts, if not accord.lib.mail.RETRY_GAPS (1 min to 2 h): one value
# per gap, four in all; for drills such as bench/chaos.py, where an outage lasts seconds.
_retry = os.environ.get("ACCORD_MAIL_RETRY_SECONDS", "")
MAIL_RETRY_SECONDS = [float(x) for x in _retry.split(",") if x.strip()]
if MAIL_RETRY_SECONDS and len(MAIL_RETRY_SECONDS) != 4:
    raise ImproperlyConfigured("ACCORD_MAIL_RETRY_SECONDS takes four numbers, one per gap between attempts")

NINJA_PAGINATION_PER_PAGE = 100

# /healthz/ready answers 503 when the scheduler's last tick, or the oldest task waiting for a worker, is
# older than this many seconds (the scheduler ticks every 15 s and pauses at most 60 s after an error).
ACCORD_READY_TICK_AGE = int(os.environ.get("ACCORD_READY_TICK_AGE", "120"))
ACCORD_READY_QUEUE_AGE = int(os.environ.get("ACCORD_READY_QUEUE_AGE", "600"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
