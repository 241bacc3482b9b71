"""FibroSite settings: everything comes from the environment.

With nothing set, the site runs locally on SQLite, a local-memory cache and
console email, with DEBUG off (so a secret key is required). `make run` sets
DJANGO_DEBUG=true, which allows the development key below.
"""

from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import environ
from django.utils.csp import CSP

from fibrosite.config import (
    ConfigError,
    boolean,
    cache_from_url,
    database_from_url,
    mailer_from_url,
    media_storage_from_url,
    site_url,
)

BASE_DIR = Path(__file__).resolve().parent.parent
DEV_SECRET_KEY = "django-insecure-fibrosite-local-development-only"  # noqa: S105

env = environ.Env()


def _configure():
    """Read the environment; return the derived values or stop with one line."""
    debug = boolean(env.str("DJANGO_DEBUG", default="false"), "DJANGO_DEBUG")
    secret = env.str("DJANGO_SECRET_KEY", default="")
    if not secret or secret == DEV_SECRET_KEY:
        if not debug:
            raise ConfigError(
                "DJANGO_SECRET_KEY",
                "must be set to a long random value when DJANGO_DEBUG is off "
                "(generate one with: python -c 'import secrets; print(secrets.token_urlsafe(50))')",
            )
        secret = DEV_SECRET_KEY
    return {
        "debug": debug,
        "secret": secret,
        "database": database_from_url(
            env.str("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
        ),
        # Served without Redis, several processes must still share rate limits and
        # sessions: the database cache (migrate creates its table). runserver: memory.
        "cache": cache_from_url(
            env.str(
                "CACHE_URL",
                default="locmemcache://fibrosite" if debug else "dbcache://fibrosite_cache",
            )
        ),
        "mailer": mailer_from_url(env.str("EMAIL_URL", default="consolemail://")),
        "site_url": site_url(env.str("SITE_URL", default="http://127.0.0.1:8000")),
        # Local disk, or an S3-compatible bucket shared by every instance and the worker.
        "media": media_storage_from_url(env.str("MEDIA_STORAGE_URL", default="")),
    }


_config = _configure()


def _number(kind, variable, default):
    """A whole (or decimal) number from the environment; anything else stops start-up."""
    value = env.str(variable, default=str(default))
    try:
        number = kind(value)
    except ValueError:
        raise ConfigError(variable, f"must be a number, got {value!r}") from None
    if number < 0:
        raise ConfigError(variable, f"must not be negative, got {value!r}")
    return number


DEBUG = _config["debug"]
SECRET_KEY = _config["secret"]
SITE_URL = _config["site_url"]
SITE_HOST = urlsplit(SITE_URL).hostname
HTTPS = SITE_URL.startswith("https://")

ALLOWED_HOSTS = env.list(
    "DJANGO_ALLOWED_HOSTS", default=[SITE_HOST, "localhost", "127.0.0.1", "[::1]"]
)
CSRF_TRUSTED_ORIGINS = [SITE_URL]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.postgres",
    "markdownx",
    "axes",
    "django_tasks_db",
    "reversion",
    "reversion_compare",
    "core",
    "articles",
    "store",
    "community",
]

MIDDLEWARE = [
    "core.middleware.RequestSizeLimitMiddleware",
    # A cached page is answered here, stored with every header the middleware below added
    # (security headers, ETag): a hit runs none of it again (core/pagecache.py).
    "core.pagecache.AnonymousPageCacheMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "core.middleware.PermissionsPolicyMiddleware",
    "core.middleware.RefuseTraceMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.http.ConditionalGetMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "core.middleware.StaffBodyLimitMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "fibrosite.urls"
WSGI_APPLICATION = "fibrosite.wsgi.application"

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
                "django.template.context_processors.csp",
            ],
        },
    },
]

DATABASES = {"default": _config["database"]}
DATABASES["default"]["CONN_MAX_AGE"] = _number(int, "DATABASE_CONN_MAX_AGE", 60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers and one writer work at once; IMMEDIATE takes the write
    # lock up front so concurrent writers queue (up to `timeout`) instead of
    # failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {
    "default": _config["cache"],
    # Whole pages live in each process's memory: a hit costs no network round trip.
    # Every hit is checked against the content version (core/pagecache.py).
    "pages": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "pages",
        "OPTIONS": {"MAX_ENTRIES": 1000},
    },
}
# Whole pages for anonymous visitors (core/pagecache.py); 0 turns it off.
PAGECACHE_SECONDS = _number(int, "PAGECACHE_SECONDS", 600)
PAGECACHE_CDN_SECONDS = _number(int, "PAGECACHE_CDN_SECONDS", 60)
# How long each process reuses the content version it read: the most a save in another
# process or host can take to show.
PAGECACHE_VERSION_REUSE_SECONDS = 1.0
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

MAILERS = {"default": _config["mailer"]}
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default=f"FibroSite <hello@{SITE_HOST}>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
NOTIFY_EMAILS = env.list("NOTIFY_EMAILS", default=[])

# Admin sign-in: after AXES_FAILURE_LIMIT wrong passwords for one username from one
# address (an IPv6 /64), that pair waits ADMIN_LOCKOUT_MINUTES. Keyed on the pair, so an
# attacker elsewhere cannot lock an editor out from everywhere. Across addresses, a
# username gets growing delays instead (core/signin.py).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = _number(int, "ADMIN_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=_number(int, "ADMIN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "lockout.html"
AXES_CLIENT_IP_CALLABLE = "core.ratelimit.client_network"
AXES_HANDLER = "core.signin.SigninHandler"
AXES_LOCKOUT_CALLABLE = "core.signin.lockout_response"
ADMIN_USERNAME_FAILURE_LIMIT = _number(int, "ADMIN_USERNAME_FAILURE_LIMIT", 10)
ADMIN_ADDRESS_FAILURE_LIMIT = _number(int, "ADMIN_ADDRESS_FAILURE_LIMIT", 20)
ADMIN_LOGIN_FIRST_DELAY = _number(int, "ADMIN_LOGIN_FIRST_DELAY", 15)
ADMIN_LOGIN_MAX_DELAY = _number(int, "ADMIN_LOGIN_MAX_DELAY", 300)

# Request bodies over these sizes get 413 before they are read (the proxy should
# enforce the same; see deploy/nginx.conf).
MAX_PUBLIC_BODY_BYTES = _number(int, "MAX_PUBLIC_BODY_BYTES", 64 * 1024)
MAX_STAFF_BODY_BYTES = _number(int, "MAX_STAFF_BODY_BYTES", 10 * 1024 * 1024)
# Uploads that pass that limit stay in memory rather than in a temporary file, so a full
# temporary disk can't fail a request before the admin can explain (articles/admin.py).
FILE_UPLOAD_MAX_MEMORY_SIZE = MAX_STAFF_BODY_BYTES

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = env.str("DJANGO_TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_STORAGE, MEDIA_URL = _config["media"]
# Images on a bucket or a CDN come from another origin, which the CSP must allow.
_media = urlsplit(MEDIA_URL)
MEDIA_ORIGIN = f"{_media.scheme}://{_media.netloc}" if _media.netloc else ""
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "media")))
# Image uploads wait here, as sent, until the worker has cleaned them (core/images.py):
# private, never served. The worker must see the same folder.
UPLOAD_STAGING_ROOT = Path(env.str("UPLOAD_STAGING_ROOT", default=str(BASE_DIR / "staging")))
# Let Django serve uploaded images itself when no proxy does (debug, `make serve`).
SERVE_MEDIA = boolean(env.str("DJANGO_SERVE_MEDIA", default=str(DEBUG)), "DJANGO_SERVE_MEDIA")
STORAGES = {
    "default": MEDIA_STORAGE,
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_MAX_AGE = 60 * 60 * 24 * 365 if not DEBUG else 0

# Security. Cookies, HSTS and the HTTPS redirect follow SITE_URL, so a
# production build still works over plain http on 127.0.0.1.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
if HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    # __Host- cookies are only sent over https, for this exact host, path /.
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"

SECURE_CSP = {
    "default-src": [CSP.NONE],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:", *([MEDIA_ORIGIN] if MEDIA_ORIGIN else [])],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "manifest-src": [CSP.SELF],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        # Two lines per task run ("RUNNING", "SUCCESSFUL") drown the rest; failures are
        # logged as errors, with their traceback, and still show.
        "django.tasks": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        "fibrosite": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}

# django-markdownx: our renderer (sanitised with nh3) for the live preview, and
# our own staff-only, Pillow-checked upload endpoint (see articles/editor.py).
MARKDOWNX_MARKDOWNIFY_FUNCTION = "core.markdown.render_markdown"
MARKDOWNX_URLS_PATH = "/editor/markdownify/"
MARKDOWNX_UPLOAD_URLS_PATH = "/editor/upload/"
MARKDOWNX_UPLOAD_MAX_SIZE = 5 * 1024 * 1024
MARKDOWNX_UPLOAD_CONTENT_TYPES = ("image/jpeg", "image/png", "image/webp")
MARKDOWNX_MEDIA_PATH = "uploads/"

# Medical content is checked again this many months after its last review (admin home,
# "next review due" on the article); review links for outside clinicians last this long.
MEDICAL_REVIEW_MONTHS = env.int("MEDICAL_REVIEW_MONTHS", default=12)
REVIEW_LINK_DAYS = env.int("REVIEW_LINK_DAYS", default=14)


# Community: contact, signups, comments (see community/). Rate limits are
# "COUNT/SECONDS" per client address, counted in the shared cache.
def _rate(name, default):
    value = env.str(name, default=default)
    try:
        count, seconds = (int(part) for part in value.split("/"))
    except ValueError:
        raise ConfigError(name, f"must look like 5/600, got {value!r}") from None
    return count, seconds


COMMUNITY_RATE_LIMITS = {
    "contact": _rate("RATE_LIMIT_CONTACT", "5/600"),
    "signup": _rate("RATE_LIMIT_SIGNUP", "5/600"),
    "comment": _rate("RATE_LIMIT_COMMENT", "5/600"),
    "token": _rate("RATE_LIMIT_TOKEN", "30/600"),  # confirm and unsubscribe POSTs
}
# Behind N proxies that append to X-Forwarded-For, the client is the Nth address from the right.
TRUSTED_PROXY_COUNT = _number(int, "TRUSTED_PROXY_COUNT", 0)
COMMUNITY_FORM_MIN_SECONDS = _number(float, "COMMUNITY_FORM_MIN_SECONDS", 2.5)
# A form page older than this is shown again to be sent once more (each page load's
# stamp is accepted once, within this time).
COMMUNITY_FORM_MAX_SECONDS = _number(int, "COMMUNITY_FORM_MAX_SECONDS", 4 * 3600)
COMMUNITY_CONFIRM_MAX_AGE = 60 * 60 * 24 * 7
COMMUNITY_MAIL_TIMEOUT = _number(int, "COMMUNITY_MAIL_TIMEOUT", 5)  # per SMTP step, in the worker
COMMUNITY_MAIL_MAX_ATTEMPTS = _number(int, "COMMUNITY_MAIL_MAX_ATTEMPTS", 10)
COMMUNITY_MAIL_RETRY_SECONDS = _number(float, "COMMUNITY_MAIL_RETRY_SECONDS", 60)  # first wait
COMMUNITY_MAIL_CLAIM_TIMEOUT = 10 * 60  # a "sending" row older than this was abandoned

# Background work (mail delivery, imports) goes through Django's tasks framework into a
# queue table, run by a separate process: `manage.py db_worker` (django-tasks-db).
# Git-ignored, beside the code: `make run` prints the same demo login every time.
DEMO_EDITOR_PASSWORD_FILE = BASE_DIR / ".demo-editor-password"

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

# Blogger importer (articles/blogger/, `manage.py import_blogger`). Imported posts get
# this author (a username; empty: "FibroSite editors") and, when no label names a
# category, this category. Uploaded export files wait in a private folder, never media.
BLOGGER_IMPORT_AUTHOR = env.str("BLOGGER_IMPORT_AUTHOR", default="")
BLOGGER_IMPORT_CATEGORY = env.str("BLOGGER_IMPORT_CATEGORY", default="From the blog")
BLOGGER_IMPORT_MAX_BYTES = _number(int, "BLOGGER_IMPORT_MAX_BYTES", 512 * 1024 * 1024)
BLOGGER_IMPORT_IMAGE_TIMEOUT = _number(int, "BLOGGER_IMPORT_IMAGE_TIMEOUT", 10)
BLOGGER_IMPORT_ROOT = Path(env.str("BLOGGER_IMPORT_ROOT", default=str(BASE_DIR / "imports")))
