"""Django settings, read from the environment (see README "Configuration")."""

from __future__ import annotations

import os
import secrets
import sys
import tempfile
from pathlib import Path

import dj_database_url
from csp.constants import NONCE
from django.core.exceptions import ImproperlyConfigured

PACKAGE_DIR = Path(__file__).resolve().parent.parent


def _env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_secret(name: str, default: str = "") -> str:
    """Return the variable NAME, or the content of the file NAME_FILE names (systemd credentials,
    Docker/Kubernetes secrets), so secrets need not sit in an environment file."""
    value = os.environ.get(name)
    if value:
        return value
    path = os.environ.get(f"{name}_FILE")
    if path:
        try:
            return Path(path).read_text().strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE={path} cannot be read: {exc}") from exc
    return default


# Everything the product writes (SQLite files, secret key, uploads) lives under one directory,
# ./var/ relative to where it is started unless SOCIALOPS_DATA_DIR says otherwise.
TESTING = "pytest" in sys.modules or os.environ.get("SOCIALOPS_TESTING") == "1"
if "SOCIALOPS_DATA_DIR" not in os.environ and TESTING:
    # A test run never touches the developer's ./var/ (their demo database and job queue).
    DATA_DIR = Path(tempfile.mkdtemp(prefix="socialops-test-"))
else:
    DATA_DIR = Path(os.environ.get("SOCIALOPS_DATA_DIR", "var")).resolve()
if PACKAGE_DIR == DATA_DIR or PACKAGE_DIR in DATA_DIR.parents:
    # A data dir inside the installed package would ship (or reuse) a secret key and a database with
    # the code; happens when a command is started from inside src/socialops/ without SOCIALOPS_DATA_DIR.
    raise ImproperlyConfigured(
        f"The data directory {DATA_DIR} is inside the socialops package; set SOCIALOPS_DATA_DIR "
        "or start the command from outside src/socialops/."
    )
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    """Return SOCIALOPS_SECRET_KEY, or a key generated once and kept under the data dir."""
    key = _env_secret("SOCIALOPS_SECRET_KEY")
    if key:
        return key
    path = DATA_DIR / "secret_key"
    if not path.exists():
        # O_EXCL so two processes starting together cannot write different keys.
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_urlsafe(50))
    return path.read_text().strip()


SECRET_KEY = _secret_key()

# Platform credentials are encrypted at rest with these Fernet keys (comma-separated, the first
# encrypts, all decrypt); unset, a key is generated once into the data dir (see docs/platforms.md).
CREDENTIALS_KEYS = [k for k in _env_secret("SOCIALOPS_CREDENTIALS_KEY").split(",") if k.strip()]
CREDENTIALS_KEY_FILE = DATA_DIR / "credentials_key"
# /metrics (Prometheus) answers a request with "Authorization: Bearer <this>"; unset, only the
# machine itself (127.0.0.1, ::1) may read it.
METRICS_TOKEN = _env_secret("SOCIALOPS_METRICS_TOKEN")
# The local sandbox platform (`socialops sandbox`) that the demo and the tests publish to.
# freepublish/get polls per WeChat account per day (Beijing time); once spent, a publication's
# status waits for WeChat's PUBLISHJOBFINISH push and polling resumes the next day (docs/platforms.md).
WECHAT_FREEPUBLISH_POLLS_PER_DAY = int(os.environ.get("SOCIALOPS_WECHAT_FREEPUBLISH_POLLS_PER_DAY", "300"))
SANDBOX_URL = os.environ.get("SOCIALOPS_SANDBOX_URL", "http://127.0.0.1:8900")
# The egress policy (socialops.core.egress): outgoing requests never go to private, loopback,
# link-local or reserved addresses, except to these networks (comma-separated CIDRs). Empty by
# default; `make demo` allows loopback ("127.0.0.0/8,::1/128") for the sandbox platform.
EGRESS_ALLOWED_NETWORKS = [
    n.strip() for n in os.environ.get("SOCIALOPS_EGRESS_ALLOW", "").split(",") if n.strip()
]
# Where people reach this installation (e.g. https://ops.example.com): links in packages handed
# to a person or a webhook (media files) are made absolute with it. Empty: site-relative links.
PUBLIC_URL = os.environ.get("SOCIALOPS_PUBLIC_URL", "").rstrip("/")
# Outgoing email (scheduled reports, event registrations): SMTP when SOCIALOPS_EMAIL_HOST is set,
# otherwise every message is written as a file under <data dir>/mail/ (the demo's default).
EMAIL_HOST = os.environ.get("SOCIALOPS_EMAIL_HOST", "")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = int(os.environ.get("SOCIALOPS_EMAIL_PORT", "587"))
    EMAIL_HOST_USER = os.environ.get("SOCIALOPS_EMAIL_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("SOCIALOPS_EMAIL_PASSWORD", "")
    EMAIL_USE_SSL = _env_bool("SOCIALOPS_EMAIL_SSL", False)
    EMAIL_USE_TLS = not EMAIL_USE_SSL and _env_bool("SOCIALOPS_EMAIL_TLS", True)
    EMAIL_TIMEOUT = 30
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = str(DATA_DIR / "mail")
DEFAULT_FROM_EMAIL = os.environ.get("SOCIALOPS_EMAIL_FROM", "socialops@localhost")
DEBUG = _env_bool("DEBUG", False)
ALLOWED_HOSTS = [
    h for h in os.environ.get("SOCIALOPS_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h
]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("SOCIALOPS_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "huey.contrib.djhuey",
    "socialops.web",
    "socialops.workspaces",
    "socialops.accounts",
    "socialops.goals",
    "socialops.content",
    "socialops.analytics",
    "socialops.review",
    "socialops.platforms",
    "socialops.publishing",
    "socialops.fans",
    "socialops.engagement",
    "socialops.community",
    "socialops.insights",
    "socialops.demo",
]

MIDDLEWARE = [
    # First: every other middleware's log lines carry the request id.
    "socialops.core.logs.RequestIdMiddleware",
    # Next, so the time it records covers every other middleware too.
    "socialops.core.observability.RequestLatencyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "socialops.workspaces.middleware.LanguageMiddleware",
    # After the language is chosen, so the refusal is in the user's language.
    "socialops.core.middleware.RefuseNulMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # axes must be last: it turns locked-out logins into its lock-out response.
    "axes.middleware.AxesMiddleware",
]

# Behind a reverse proxy, the client's address replaces the proxy's before anything reads it
# (socialops.core.proxy; SOCIALOPS_BEHIND_PROXY is described with the HTTPS settings below).
BEHIND_PROXY = _env_bool("SOCIALOPS_BEHIND_PROXY", False)
PROXY_ADDRESSES = [
    a.strip() for a in os.environ.get("SOCIALOPS_PROXY_ADDRESSES", "127.0.0.1,::1").split(",") if a.strip()
]
if BEHIND_PROXY:
    MIDDLEWARE.insert(0, "socialops.core.proxy.ProxyClientAddressMiddleware")

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "socialops.config.urls"
WSGI_APPLICATION = "socialops.config.wsgi.application"
ASGI_APPLICATION = "socialops.config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "socialops.workspaces.context_processors.navigation",
                "socialops.review.context_processors.review_nav",
                "socialops.publishing.context_processors.publishing_nav",
            ],
        },
    }
]

# Database: SQLite under the data dir unless DATABASE_URL names another (PostgreSQL for teams).
DATABASES = {
    "default": dj_database_url.parse(
        _env_secret("DATABASE_URL", f"sqlite:///{DATA_DIR / 'socialops.sqlite3'}"),
        # Keep connections (checked before reuse): a worker thread publishing post after post
        # would otherwise open a new PostgreSQL connection for every task.
        conn_max_age=int(os.environ.get("SOCIALOPS_CONN_MAX_AGE", "600")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers run beside the one writer; IMMEDIATE takes the write lock at BEGIN so
    # two writers queue on busy_timeout instead of failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Background jobs: SqliteHuey beside the database by default, RedisHuey when REDIS_URL is set.
REDIS_URL = _env_secret("REDIS_URL")
HUEY: dict[str, object]
if REDIS_URL:
    HUEY = {
        "huey_class": "huey.PriorityRedisHuey",
        "name": os.environ.get("SOCIALOPS_HUEY_NAME", "socialops"),
        "url": REDIS_URL,
        "immediate": False,
    }
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "socialops",
        "filename": str(DATA_DIR / "huey.sqlite3"),
        "immediate": False,
    }
# Publishing engine: "legacy" (one task claims, sends and records one post) or "batch" (a drainer
# per worker process claims many per transaction and sends from a thread pool): docs/publishing.md.
PUBLISHING_ENGINE = os.environ.get("SOCIALOPS_PUBLISHING_ENGINE", "legacy")
PUBLISHING_SEND_CONCURRENCY = int(os.environ.get("SOCIALOPS_PUBLISHING_SEND_CONCURRENCY", "64"))
PUBLISHING_CLAIM_BATCH = int(os.environ.get("SOCIALOPS_PUBLISHING_CLAIM_BATCH", "200"))
PUBLISHING_KIND_CONCURRENCY: dict[str, int] = {}
HUEY["consumer"] = {"workers": int(os.environ.get("SOCIALOPS_WORKERS", "2")), "worker_type": "thread"}

# Django's cache holds what every process must share: throttle counters (core.throttle) and
# spent single-use form nonces (polls). Redis when SOCIALOPS_CACHE_URL (or REDIS_URL) is set,
# else this process's memory, which is only right for a single web process (docs/scaling.md).
# Test runs keep local memory unless SOCIALOPS_CACHE_URL says otherwise: counters left in a
# shared Redis would leak from one test (and one run) into the next.
CACHE_URL = os.environ.get("SOCIALOPS_CACHE_URL") or ("" if TESTING else REDIS_URL)
CACHES: dict[str, dict[str, object]]
if CACHE_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": os.environ.get("SOCIALOPS_CACHE_PREFIX", "socialops"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Login lock-out (django-axes): 5 failures per username+IP lock that pair for 30 minutes.
AXES_FAILURE_LIMIT = int(os.environ.get("SOCIALOPS_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.5
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"

# Language: zh-Hans by default, English complete. A person's own choice (cookie) wins, then
# the workspace's language, then zh-Hans (socialops.workspaces.middleware.LanguageMiddleware).
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
# Apps carry their own locale/ dirs; config/ is not an app, so its strings are listed here.
LOCALE_PATHS = [str(PACKAGE_DIR / "core" / "locale"), str(PACKAGE_DIR / "config" / "locale")]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "Asia/Shanghai"

STATIC_URL = "/static/"
STATIC_ROOT = str(DATA_DIR / "static")
MEDIA_URL = "/media/"
MEDIA_ROOT = str(DATA_DIR / "media")
# Uploaded media: under the data dir by default; S3-compatible storage (MinIO, Aliyun OSS,
# Tencent COS, R2, …) when SOCIALOPS_S3_BUCKET is set (needs `pip install 'socialops[s3]'`).
# Either way files are private: members get them only through the asset views, never MEDIA_URL.
STORAGES: dict[str, dict[str, object]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
if os.environ.get("SOCIALOPS_S3_BUCKET"):
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ["SOCIALOPS_S3_BUCKET"],
            "endpoint_url": os.environ.get("SOCIALOPS_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("SOCIALOPS_S3_REGION") or None,
            "access_key": os.environ.get("SOCIALOPS_S3_ACCESS_KEY_ID") or None,
            "secret_key": _env_secret("SOCIALOPS_S3_SECRET_ACCESS_KEY") or None,
            "location": os.environ.get("SOCIALOPS_S3_PREFIX", ""),
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
Path(STATIC_ROOT).mkdir(exist_ok=True)
# Static files: by default whitenoise serves straight from the apps' static dirs, so a checkout
# needs no collectstatic step. A production install sets SOCIALOPS_STATIC_MANIFEST=1 and runs
# `socialops collectstatic` after each install or upgrade: files get content-hashed names
# (cached for ever by browsers and the proxy) and are served compressed from STATIC_ROOT.
STATIC_MANIFEST = _env_bool("SOCIALOPS_STATIC_MANIFEST", False) and not TESTING
if STATIC_MANIFEST:
    STORAGES["staticfiles"] = {"BACKEND": "socialops.web.storage.ManifestStaticStorage"}
WHITENOISE_USE_FINDERS = not STATIC_MANIFEST
WHITENOISE_AUTOREFRESH = DEBUG

# Security headers. The pages carry no inline script, so script-src can be strict;
# data for charts travels in <script type="application/json"> blocks, which CSP does not run.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads it to send X-CSRFToken
# HTTPS (docs/deploy.md): SOCIALOPS_HTTPS=1 when people reach the site over https, usually
# through a reverse proxy that terminates TLS. Then cookies are secure, plain http is redirected
# (except the health check and /metrics, which machines ask over loopback) and browsers are told
# to use https only (HSTS). SOCIALOPS_BEHIND_PROXY=1 trusts the proxy's X-Forwarded-Proto: set
# it only when a proxy that overwrites that header is the only way in.
HTTPS = _env_bool("SOCIALOPS_HTTPS", False)
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = _env_bool("SOCIALOPS_SSL_REDIRECT", HTTPS)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^metrics$"]
SECURE_HSTS_SECONDS = int(os.environ.get("SOCIALOPS_HSTS_SECONDS", "31536000" if HTTPS else "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = _env_bool("SOCIALOPS_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = _env_bool("SOCIALOPS_HSTS_PRELOAD", False)
SESSION_COOKIE_SECURE = _env_bool("SOCIALOPS_SECURE_COOKIES", HTTPS)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# Asking browsers' preload lists to carry the domain is its owner's decision, not this
# application's (SOCIALOPS_HSTS_PRELOAD=1 adds the directive); the deploy check would warn otherwise.
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]

# Email (event registrations' confirmations): SMTP when SOCIALOPS_EMAIL_HOST is set; otherwise
# mails are written to the log (console), so an install without a mail server loses none silently.
EMAIL_HOST = os.environ.get("SOCIALOPS_EMAIL_HOST", "")
EMAIL_BACKEND = os.environ.get(
    "SOCIALOPS_EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_PORT = int(os.environ.get("SOCIALOPS_EMAIL_PORT", "587"))
EMAIL_HOST_USER = os.environ.get("SOCIALOPS_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = _env_secret("SOCIALOPS_EMAIL_PASSWORD")
EMAIL_USE_SSL = _env_bool("SOCIALOPS_EMAIL_SSL", False)
EMAIL_USE_TLS = _env_bool("SOCIALOPS_EMAIL_TLS", not EMAIL_USE_SSL)
EMAIL_TIMEOUT = 20
DEFAULT_FROM_EMAIL = os.environ.get("SOCIALOPS_EMAIL_FROM", "socialops@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        # ECharts writes its tooltip markup with style attributes; <style> elements stay 'self',
        # except the one FullCalendar creates, which carries the page's nonce (<meta name="csp-nonce">).
        "style-src-elem": ["'self'", NONCE],
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# Logs: human text by default; SOCIALOPS_LOG_FORMAT=json writes one JSON object a line
# (socialops.core.logs.JsonFormatter). Every line carries the request id (X-Request-ID) of the
# request it belongs to, or of the request that enqueued the job it comes from (docs/logging.md).
LOG_FORMAT = "json" if os.environ.get("SOCIALOPS_LOG_FORMAT", "text").strip().lower() == "json" else "text"
# One line per request (method, route, status, ms) on the socialops.access logger: on by default
# with JSON logs, off with text logs.
ACCESS_LOG = _env_bool("SOCIALOPS_ACCESS_LOG", LOG_FORMAT == "json")
LOGGING: dict[str, object] = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_context": {"()": "socialops.core.logs.RequestContextFilter"}},
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "socialops.core.logs.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_context"],
            "formatter": LOG_FORMAT,
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("SOCIALOPS_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # Text: the consumer adds its own handler, and not propagating avoids every line printed
        # twice. JSON: our handler, so the consumer's lines are JSON too (it adds none then).
        "huey": {
            "level": "INFO",
            "propagate": False,
            **({"handlers": ["console"]} if LOG_FORMAT == "json" else {}),
        },
        # httpx logs every platform request at INFO; the connectors report what matters.
        "httpx": {"level": "WARNING"},
        "socialops.access": {"level": "INFO" if ACCESS_LOG else "WARNING"},
    },
}


# Retention (docs/retention.md): rows older than this many days are deleted by the daily job
# (socialops retention --dry-run shows what would go); 0 keeps them for ever.
def _env_days(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    if not value.isdigit():
        raise ImproperlyConfigured(f"{name} must be a whole number of days (0 keeps rows for ever).")
    return int(value)


# The audit log: 3 years (电子商务法 Art. 31 keeps transaction records 3 years; 网络安全法 Art. 21
# asks ≥ 6 months of network logs).
RETAIN_AUDIT_DAYS = _env_days("SOCIALOPS_RETAIN_AUDIT_DAYS", 1095)
# Raw platform pushes and publish attempts are network logs: ≥ 6 months (网络安全法 Art. 21);
# 190 days covers the longest six calendar months (184 days) with a margin.
RETAIN_PUSH_EVENTS_DAYS = _env_days("SOCIALOPS_RETAIN_PUSH_EVENTS_DAYS", 190)
RETAIN_PUBLISH_ATTEMPTS_DAYS = _env_days("SOCIALOPS_RETAIN_PUBLISH_ATTEMPTS_DAYS", 190)
# In-app notices (review notifications, publishing, inbox and ticket alerts): our assumption.
RETAIN_READ_NOTICES_DAYS = _env_days("SOCIALOPS_RETAIN_READ_NOTICES_DAYS", 180)
RETAIN_UNREAD_NOTICES_DAYS = _env_days("SOCIALOPS_RETAIN_UNREAD_NOTICES_DAYS", 365)

# Errors to a Sentry-compatible service (Sentry, GlitchTip, …) when a DSN is set; needs
# `pip install 'socialops[sentry]'`. Off by default. No personal data is sent.
SENTRY_DSN = os.environ.get("SOCIALOPS_SENTRY_DSN", "")
SENTRY_ENVIRONMENT = os.environ.get("SOCIALOPS_SENTRY_ENVIRONMENT", "")

# API pagination default page size.
NINJA_PAGINATION_CLASS = "socialops.core.pagination.BoundedLimitOffsetPagination"
NINJA_PAGINATION_PER_PAGE = 50
NINJA_PAGINATION_MAX_LIMIT = 500
