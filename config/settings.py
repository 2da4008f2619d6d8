"""The only settings file. Everything that differs between machines comes from the environment.

With nothing set, Zoufang runs embedded: SQLite in WAL mode and the huey job queue under ./var/.
`DATABASE_URL=postgres://...` switches to PostgreSQL, `REDIS_URL=redis://...` moves the job queue and the
cache to Redis. See docs/deploy.md.
"""

import secrets
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import environ
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()

VAR_DIR = Path(env.str("ZOUFANG_VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env.bool("DEBUG", default=False)


def _secret_key() -> str:
    """SECRET_KEY from the environment; an embedded install keeps a generated one in var/ instead.

    Several app servers must share one key, so a multi-host deployment sets SECRET_KEY (docs/deploy.md).
    """
    key = env.str("SECRET_KEY", default="")
    if key:
        return key
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.touch(mode=0o600)
        path.write_text(secrets.token_urlsafe(50))
    return path.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "axes",
    "csp",
    "huey.contrib.djhuey",
    "ninja",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "core",
    "geo",
    "org",
    "text",
    "appeals",
    "campaigns",
    "portal",
    "field",
    "insights",
    "oversight",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before anything reads a request body (the CSRF check, axes): see its docstring.
    "core.middleware.ApiRequestMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "core.ratelimit.RateLimitMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "core.middleware.AuditContextMiddleware",
    "org.middleware.AccountGateMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "core.middleware.DomainErrorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Axes last, as its documentation requires: it turns a lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "django.template.context_processors.i18n",
                "config.home.navigation",
            ],
        },
    },
]

# --- database -------------------------------------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'zoufang.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers run beside the one writer; IMMEDIATE takes the write lock at BEGIN so that two
        # writers queue on the busy timeout instead of failing with "database is locked" mid-transaction.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
    }
elif env.bool("DB_POOL", default=True):
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": 1,
        "max_size": env.int("DB_POOL_MAX", default=20),
        "timeout": 30,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- cache and jobs ------------------------------------------------------------------------------------
# Behind a reverse proxy that sets X-Forwarded-For, its last address is the client's (core.audit.client_ip: the
# audit trail, the API's and the portal's rate limits). The citizen portal's proof-of-work challenge's difficulty
# in leading zero bits (16: about 65,000 SHA-256 in the page, well under a second on a phone).
TRUST_FORWARDED_FOR = env.bool("TRUST_FORWARDED_FOR", default=False)
PORTAL_CHALLENGE_BITS = env.int("PORTAL_CHALLENGE_BITS", default=16)
# The posters' QR codes point here (the public address of the site, e.g. https://zoufang.example.gov.cn); empty:
# the address the poster was requested on. The hotline printed on them.
PORTAL_BASE_URL = env.str("PORTAL_BASE_URL", default="")
PORTAL_HOTLINE = env.str("PORTAL_HOTLINE", default="12345")

REDIS_URL = env.str("REDIS_URL", default="")
_TEST_WORKER = env.str("PYTEST_XDIST_WORKER", default="")
if REDIS_URL and _TEST_WORKER.startswith("gw"):
    # Tests in parallel workers (pytest-xdist: gw0, gw1…) each get a Redis database of their own, as each gets a
    # test database: a test clears the cache (FLUSHDB) and must not wipe another worker's counters mid-test.
    _redis = urlsplit(REDIS_URL)
    _db = int(_redis.path.strip("/") or 0) + int(_TEST_WORKER[2:])
    REDIS_URL = urlunsplit(_redis._replace(path=f"/{_db}"))
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
    HUEY = {
        "huey_class": "huey.RedisHuey",
        "name": env.str("HUEY_NAME", default="zoufang"),
        "url": REDIS_URL,
        "immediate": False,
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": env.str("HUEY_NAME", default="zoufang"),
        "filename": str(VAR_DIR / "huey.sqlite3"),
        "immediate": False,
    }
HUEY["consumer"] = {"workers": env.int("HUEY_WORKERS", default=2), "worker_type": "thread"}

# --- authentication and security ------------------------------------------------------------------------
AUTH_USER_MODEL = "org.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "org:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "org:login"

# A locked account stays locked for the cool-off whatever address it is tried from: office staff share a
# NAT address, so locking by address would lock out a whole bureau.
# The nightly retraining of the text models waits until this many closed appeals are new since the last one.
TEXT_RETRAIN_MIN_NEW_LABELS = env.int("TEXT_RETRAIN_MIN_NEW_LABELS", default=200)

AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "org.lockout.lockout_response"
AXES_VERBOSE = False
SILENCED_SYSTEM_CHECKS = ["axes.W006"]  # locking by username is deliberate, see above
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Covering indexes (`include=`) are PostgreSQL's; on SQLite (the demo) they are plain indexes, as meant.
    SILENCED_SYSTEM_CHECKS.append("models.W040")

# Sessions end with the browser, and after SESSION_IDLE_MINUTES without a request.
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_MINUTES", default=240) * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

HTTPS = env.bool("HTTPS", default=False)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# The hot-issue map's tiles (e.g. 天地图: https://t{s}.tianditu.gov.cn/vec_w/wmts?...&tk=KEY); empty: no tiles,
# the map draws the townships on a plain ground. The tiles' host must also be in CSP_IMG_SRC.
MAP_TILE_URL = env.str("MAP_TILE_URL", default="")
MAP_TILE_ATTRIBUTION = env.str("MAP_TILE_ATTRIBUTION", default="")
MAP_TILE_SUBDOMAINS = env.str("MAP_TILE_SUBDOMAINS", default="01234567")

# Every script is a vendored static file; no inline script, no CDN.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:", "blob:", *env.list("CSP_IMG_SRC", default=[])],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

API_TOKEN_DAYS = env.int("API_TOKEN_DAYS", default=30)
# Request bodies: Django's 2.5 MB everywhere, except where a full valid request is larger. A batch of 500 visits
# with 2,000-character notes and suggestions is about 6 MB of UTF-8 (12 MB as \u escapes); a photo is ≤ 15 MB.
API_BODY_LIMITS = [
    (r"/api/v1/visits/batch", 16 * 1024 * 1024),
    (r"/api/v1/visits/[^/]+/photos", 16 * 1024 * 1024),
]

# Requests per minute (core/ratelimit.py): per API token, per client address on the API (generous: a bureau's
# staff share one NAT address), and sign-in attempts per address on LOGIN_PATHS (axes locks each account).
RATE_LIMIT_ENABLED = env.bool("RATE_LIMIT_ENABLED", default=True)
API_RATE_PER_TOKEN = env.int("API_RATE_PER_TOKEN", default=600)
API_RATE_PER_IP = env.int("API_RATE_PER_IP", default=3000)
LOGIN_RATE_PER_IP = env.int("LOGIN_RATE_PER_IP", default=30)
LOGIN_PATHS = ["/api/v1/auth/token", "/accounts/login/"]
# 等保 level 3 asks two factors of privileged users: when on, administrators (superusers, staff, the admin
# role) must enrol a TOTP authenticator before any other page, and sign in with its code (org.middleware).
ADMIN_2FA_REQUIRED = env.bool("ADMIN_2FA_REQUIRED", default=False)
OTP_TOTP_ISSUER = "走访 Zoufang"
# DESIGN §5: an item still open this many working days after its resolve deadline rises a level.
APPEAL_ESCALATION_GRACE_DAYS = env.int("APPEAL_ESCALATION_GRACE_DAYS", default=5)

# --- language and time -----------------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Shanghai"
USE_TZ = True

# --- static files ----------------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "core.staticfiles.StaticFilesStorage"
    },
}
MEDIA_ROOT = VAR_DIR / "media"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # WeasyPrint (the posters' PDF) logs every page it lays out at INFO.
    "loggers": {
        "axes": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
