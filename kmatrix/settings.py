"""Knowledge Matrix settings: one module, driven by environment variables.

Every variable is read through a helper that fails loudly on a bad value, so a typo in
production stops the process at start-up instead of quietly running with a default.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent
VAR_DIR = Path(os.environ.get("KMATRIX_VAR_DIR", PROJECT_DIR / "var"))

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def envbool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


def envint(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from None


def envstr(name: str, default: str) -> str:
    return os.environ.get(name, default)


def envlist(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [part.strip() for part in raw.split(",") if part.strip()]


# KMATRIX_MODE is "development" (the default: the demo, the tests, a laptop) or "production".
MODE = envstr("KMATRIX_MODE", "development")
if MODE not in {"development", "production"}:
    raise ImproperlyConfigured(f"KMATRIX_MODE must be development or production, not {MODE!r}")
PRODUCTION = MODE == "production"
DEBUG = envbool("DEBUG", not PRODUCTION)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DEBUG must be off when KMATRIX_MODE is production")
_DEV_SECRET = "kmatrix-development-only-secret-key-not-for-production-use-0123456789"  # noqa: S105
SECRET_KEY = envstr("SECRET_KEY", "" if PRODUCTION else _DEV_SECRET)
if PRODUCTION and (len(SECRET_KEY) < 50 or SECRET_KEY == _DEV_SECRET):
    raise ImproperlyConfigured(
        "SECRET_KEY must be set to 50 or more random characters in production"
    )

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = envstr("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "kmatrix.core",
    "kmatrix.networks",
    "kmatrix.indicators",
    "kmatrix.improvement",
    "kmatrix.library",
    "kmatrix.programmes",
    "kmatrix.meetings",
    "kmatrix.supervision",
    "kmatrix.boardpapers",
    "kmatrix.demo",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "simple_history",
    "django_tasks",
    "django_tasks_db",
    "csp",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "kmatrix.core.middleware.RejectNullCharacters",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "kmatrix.urls"
WSGI_APPLICATION = "kmatrix.wsgi.application"

TEMPLATES: list[dict[str, Any]] = [
    {
        # Jinja2 first: our pages, and our NHS.UK versions of any allauth page we override.
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "environment": "kmatrix.jinja2.environment",
            "context_processors": [
                "django.contrib.messages.context_processors.messages",
                "kmatrix.core.context.nhs_chrome",
            ],
        },
    },
    {
        # Django templates for the admin and for allauth's own pages, which we restyle
        # through allauth's element templates in core/templates/allauth/.
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "kmatrix.core.context.nhs_chrome",
            ]
        },
    },
]

DATABASE_URL = envstr("DATABASE_URL", f"sqlite:///{VAR_DIR / 'kmatrix.sqlite3'}")
try:
    _db = dj_database_url.parse(DATABASE_URL, conn_max_age=envint("DB_CONN_MAX_AGE", 0))
except ValueError as error:
    raise ImproperlyConfigured(f"DATABASE_URL is not a database address: {error}") from None
if _db["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers carry on while one writer writes; IMMEDIATE avoids lock upgrades
    # failing half-way through a transaction.
    _db["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
        "PRAGMA foreign_keys=ON; PRAGMA busy_timeout=5000;",
        "transaction_mode": "IMMEDIATE",
    }
elif _db["ENGINE"] == "django.db.backends.postgresql":
    # No JIT compilation: the planner's cost for a search's access rules (one hashed subquery
    # per kind of record) passes its threshold, and compiling took 3.5 of the 4 s of a search
    # at national scale (bench/library.py) to save nothing measurable.
    _db["OPTIONS"] = {"options": "-c jit=off", **_db.get("OPTIONS", {})}
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
if not PRODUCTION:
    # WhiteNoise warns on every start when this is missing; development serves from finders.
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS: list[Path] = []
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if not PRODUCTION
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
MEDIA_ROOT = Path(envstr("MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "/media/"
WHITENOISE_USE_FINDERS = not PRODUCTION
# nhsuk-frontend's stylesheet and page template expect its icons and favicons under /assets/.
WHITENOISE_ROOT = BASE_DIR / "core" / "public"

# Accounts (django-allauth): email sign-in, no open sign-up (people join by invitation).
SITE_ID = 1
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "networks:mine"
ACCOUNT_ADAPTER = "kmatrix.core.accounts.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "optional"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_RATE_LIMITS = {
    # allauth's defaults, written out so they are visible and reviewed.
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "signup": "20/m/ip",
    # External supervisors registering themselves (kmatrix/supervision/views.py).
    "supervisor_register": "10/h/ip,3/h/key",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Knowledge Matrix"
SOCIALACCOUNT_ONLY = False
SOCIALACCOUNT_ADAPTER = "kmatrix.core.accounts.SocialAccountAdapter"
OIDC_CLIENT_ID = envstr("OIDC_CLIENT_ID", "")
SOCIALACCOUNT_PROVIDERS: dict[str, Any] = {}
if OIDC_CLIENT_ID:
    _oidc_server = envstr("OIDC_SERVER_URL", "")
    if not _oidc_server:
        raise ImproperlyConfigured("OIDC_SERVER_URL must be set when OIDC_CLIENT_ID is set")
    SOCIALACCOUNT_PROVIDERS["openid_connect"] = {
        "APPS": [
            {
                "provider_id": envstr("OIDC_PROVIDER_ID", "nhs-identity"),
                "name": envstr("OIDC_PROVIDER_NAME", "NHS identity"),
                "client_id": OIDC_CLIENT_ID,
                "secret": envstr("OIDC_CLIENT_SECRET", ""),
                "settings": {"server_url": _oidc_server},
            }
        ]
    }

# Email goes to the console unless an SMTP server is configured.
EMAIL_BACKEND = envstr("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = envstr("EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EMAIL_PORT", 25)
EMAIL_HOST_USER = envstr("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = envstr("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = envstr("DEFAULT_FROM_EMAIL", "Knowledge Matrix <noreply@kmatrix.invalid>")

# Background work: the django-tasks API, on the database by default.
TASKS = {
    "default": {
        "BACKEND": envstr("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

# Security headers. Production (DEBUG off) gets secure cookies and HSTS.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
_secure = envbool("SECURE_COOKIES", PRODUCTION)
SESSION_COOKIE_SECURE = _secure
CSRF_COOKIE_SECURE = _secure
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", PRODUCTION)
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 31536000 if PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = PRODUCTION
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", False)
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if envbool("BEHIND_TLS_PROXY", False) else None
)
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": envstr("LOG_LEVEL", "WARNING")},
}

# Upload and import limits (bytes).
KMATRIX_MAX_UPLOAD_BYTES = envint("KMATRIX_MAX_UPLOAD_BYTES", 50 * 1024 * 1024)
KMATRIX_VIEWER_LOADER = "kmatrix.networks.access.load_viewer"
# Progress updates: e-mail the plan's team this many days before one is due (and when overdue).
KMATRIX_REMINDER_DAYS_BEFORE = envint("KMATRIX_REMINDER_DAYS_BEFORE", 5)
# Library files: the largest upload, and the limits checked inside Office files (which are zip
# archives) before they are opened, against files that expand to gigabytes.
LIBRARY_MAX_FILE_BYTES = envint("LIBRARY_MAX_FILE_BYTES", 50 * 1024 * 1024)
LIBRARY_MAX_UNCOMPRESSED_BYTES = envint("LIBRARY_MAX_UNCOMPRESSED_BYTES", 300 * 1024 * 1024)
LIBRARY_MAX_COMPRESSION_RATIO = envint("LIBRARY_MAX_COMPRESSION_RATIO", 100)
# Joining the browsers' HSTS preload list ties every subdomain of the site to HTTPS for good, so
# it is the operator's choice (SECURE_HSTS_PRELOAD=true); until they make it, Django's reminder
# (security.W021) would only be noise in `kmatrix check --deploy`.
SILENCED_SYSTEM_CHECKS: list[str] = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
