"""Settings, all read from the environment (see README, "Configuration", and docs/operations.md)."""

import datetime
import importlib.util
import sys
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DEBUG", default=False)
# A test run (pytest, `manage.py test`) talks plain http through the test client and never runs
# collectstatic; it is the only process with DEBUG off that does not get the production defaults
# of SECURE_SSL_REDIRECT and STATIC_MANIFEST (see "Production" at the end and docs/operations.md).
TESTING = "pytest" in sys.modules or sys.argv[1:2] == ["test"]
# Production (DEBUG off) refuses to start without a SECRET_KEY of its own: sessions, password
# resets and CSRF tokens signed with a key everyone can read are forgeable. Only a debug or
# test process falls back to the development key (its "django-insecure-" prefix makes
# `manage.py check --deploy` refuse it as well).
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not (DEBUG or TESTING):
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. With DEBUG off (production) the registry needs a long "
            "random key of its own, e.g. from python3 -c 'import secrets; "
            "print(secrets.token_urlsafe(50))', in the environment or in .env; for "
            "development set DEBUG=true (make run does). See docs/operations.md."
        )
    SECRET_KEY = "django-insecure-development-key-set-SECRET_KEY-in-production"
# Old keys still accepted for signatures while a new SECRET_KEY rolls out (comma-separated).
SECRET_KEY_FALLBACKS = env.list("SECRET_KEY_FALLBACKS", default=[])
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
# Origins (with scheme) allowed to send unsafe requests, e.g. https://registry.example.org
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    # Django's admin, on the registry's site (registry/admin_site.py).
    "registry.apps.RegistryAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_countries",
    "taggit",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "axes",
    "csp",
    "registry",
    "partners",
    "jobs",
    "agreements",
    "django_tasks",
    "django_tasks_db",
    # Synthetic data and the benchmark (`seed_bulk`, `bench`): management commands only, in a
    # source checkout; the installed package leaves them out.
    *(["bench"] if importlib.util.find_spec("bench") else []),
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # A control character in the path, a header, the query string or a form is a 400 naming
    # where, before any view or query sees it (registry/characters.py).
    "registry.characters.ControlCharacterMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The reader's language: the cookie the switcher sets, else Accept-Language (the API's
    # messages too); then `?lang=` overrides both and is remembered (registry/language.py).
    "django.middleware.locale.LocaleMiddleware",
    "registry.language.QueryLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # A database that does not answer is a 503 with Retry-After (registry/unavailable.py).
    "registry.unavailable.DatabaseUnavailableMiddleware",
    # Last, as django-axes asks: turns a locked-out sign-in into its 429 answer.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "registry.urls"

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
                "registry.language.language_switcher",
            ],
        },
    },
]

WSGI_APPLICATION = "registry.wsgi.application"

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"].setdefault("TEST", {})
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Writers wait for each other instead of failing with "database is locked".
    _sqlite_options = DATABASES["default"].setdefault("OPTIONS", {})
    _sqlite_options.setdefault("timeout", 20)
    if not TESTING:
        # The web process and the job worker share the file (`make run`). Write-ahead logging
        # lets readers go on while a job writes; a transaction takes the write lock as it
        # begins, so it waits its turn instead of failing when it first writes after another
        # process's commit.
        _sqlite_options.setdefault("init_command", "PRAGMA journal_mode=WAL;")
        _sqlite_options.setdefault("transaction_mode", "IMMEDIATE")
# Read replica: reads go there, writes and reads inside a transaction stay on "default"
# (registry/routers.py). Tests always run against the primary alone.
DATABASE_REPLICA_URL = env.str("DATABASE_REPLICA_URL", default="")
if DATABASE_REPLICA_URL and not TESTING:
    DATABASES["replica"] = env.db_url_config(DATABASE_REPLICA_URL)
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
for _database in DATABASES.values():
    # Seconds a connection is kept for the next request (0: one per request). With gunicorn's
    # sync workers 60 saves a connection set-up per request; health checks guard reuse.
    _database["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
    _database["CONN_HEALTH_CHECKS"] = _database["CONN_MAX_AGE"] != 0
    if _database["ENGINE"].startswith("django.db.backends.postgresql"):
        # An unreachable server fails fast (and /healthz answers 503) instead of hanging.
        _database.setdefault("OPTIONS", {}).setdefault(
            "connect_timeout", env.int("DATABASE_CONNECT_TIMEOUT", default=5)
        )
# On PostgreSQL background jobs report their progress on a connection of their own to the
# same database (jobs/services.py), so that it shows while the job's work is still inside its
# transaction (an import is all or nothing). SQLite has one writer at a time: there a job in a
# transaction shows its progress when it ends. Tests run on "default" alone.
if not TESTING and DATABASES["default"]["ENGINE"].startswith("django.db.backends.postgresql"):
    DATABASES["jobs"] = {**DATABASES["default"]}
DATABASE_ROUTERS = ["registry.routers.PrimaryReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Sign-in with a password (the admin's login page) is locked out after AXES_FAILURE_LIMIT
# failures for that user name from that address, for AXES_COOLOFF_MINUTES; API tokens are
# not passwords and are not counted. The lockout backend comes first (registry/auth.py).
AUTHENTICATION_BACKENDS = [
    "registry.auth.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# The client's address, for the lockout and the API's rate limits. TRUSTED_PROXY_COUNT is how
# many reverse proxies stand in front, each adding the address it was reached from to
# X-Forwarded-For (nginx's $proxy_add_x_forwarded_for): the client is then the address the
# outermost proxy added, and what the client itself put in the header is ignored. 0 (the
# default) trusts no header: the address is the connection's (REMOTE_ADDR). One rule for both,
# REST framework's (NUM_PROXIES, set below), which registry.auth.client_address hands to axes.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "registry.auth.client_address"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# The interface's languages (docs/translations.md). LANGUAGE_CODE is the fallback for a
# reader who names none, and the language of what is written outside a request (reminder
# mails). URLs carry no language prefix: the public register's addresses stay the same.
LANGUAGE_CODE = env.str("LANGUAGE_CODE", default="en")
LANGUAGES = [
    ("en", "English"),
    ("kk", "Қазақша"),
    ("ru", "Русский"),
    ("zh-hans", "简体中文"),
]
# One catalogue for the whole project (locale/<language>/LC_MESSAGES/django.po), regenerated
# by `make messages`.
LOCALE_PATHS = [BASE_DIR / "locale"]
# Dates and numbers are written the way each language writes them (Django's locale formats);
# English keeps the registry's own day-month-year (registry/formats/en/formats.py).
FORMAT_MODULE_PATH = ["registry.formats"]
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")

# Static files are served by whitenoise. STATIC_MANIFEST on (the default when DEBUG is off,
# outside tests) serves the hashed, compressed files that `manage.py collectstatic` wrote to
# STATIC_ROOT, and pages fail without that step. Off (DEBUG, tests, or STATIC_MANIFEST=false)
# uses the plain storage and whitenoise finds files in the apps, so no collectstatic is needed.
STATIC_MANIFEST = env.bool("STATIC_MANIFEST", default=not DEBUG and not TESTING)
WHITENOISE_USE_FINDERS = not STATIC_MANIFEST
WHITENOISE_AUTOREFRESH = not STATIC_MANIFEST

# Uploaded documents: on local disk in MEDIA_ROOT, or in an S3-compatible bucket (AWS S3,
# MinIO, Ceph, ...) when AWS_STORAGE_BUCKET_NAME is set. Credentials come from boto3's usual
# chain (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, a profile, an instance role). Documents
# are private: the bucket is not public and links are pre-signed and expire.
AWS_STORAGE_BUCKET_NAME = env.str("AWS_STORAGE_BUCKET_NAME", default="")
if AWS_STORAGE_BUCKET_NAME:
    _media_options = {
        "bucket_name": AWS_STORAGE_BUCKET_NAME,
        "location": env.str("AWS_LOCATION", default="media"),
        "default_acl": None,
        "file_overwrite": False,
        "querystring_auth": True,
        "querystring_expire": env.int("AWS_QUERYSTRING_EXPIRE", default=300),
        "signature_version": "s3v4",
    }
    for _option, _variable in [
        ("endpoint_url", "AWS_S3_ENDPOINT_URL"),
        ("region_name", "AWS_S3_REGION_NAME"),
        ("addressing_style", "AWS_S3_ADDRESSING_STYLE"),
    ]:
        if env.str(_variable, default=""):
            _media_options[_option] = env.str(_variable)
    _media_storage = {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": _media_options}
else:
    _media_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": _media_storage,
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if STATIC_MANIFEST
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="registry@localhost")
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")  # links in mails and feeds

TAGGIT_CASE_INSENSITIVE = True

REST_FRAMEWORK = {
    # Token first: its WWW-Authenticate header makes a missing or wrong credential a 401.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["registry.api.permissions.RegistryPermission"],
    "DEFAULT_PAGINATION_CLASS": "registry.api.pagination.RegistryPagination",
    "DEFAULT_RENDERER_CLASSES": [
        "registry.api.renderers.ORJSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    # JSON bodies, refusing control characters (registry/api/parsers.py); an upload's
    # action reads multipart itself.
    "DEFAULT_PARSER_CLASSES": ["registry.api.parsers.JSONParser"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "registry.api.schema.RegistrySchema",
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("THROTTLE_ANON", default="120/minute"),
        "user": env.str("THROTTLE_USER", default="2400/minute"),
    },
    "EXCEPTION_HANDLER": "registry.api.exceptions.exception_handler",
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "MoU Registry API",
    "DESCRIPTION": "A university's register of partnership agreements: memoranda of "
    "understanding and their kin, the institutions and people that make them, and what the "
    "parties promised. Authenticate with `Authorization: Token <key>`; a partner's token reads "
    "its own institution's agreements and the public ones.",
    "VERSION": "1.0.0",
    "TAGS": [
        {
            "name": "memoranda",
            "description": "The agreements, their exports, history, "
            "documents and acknowledgements.",
        },
        {"name": "institutions", "description": "The parties: universities and organisations."},
        {"name": "people", "description": "Signatories and contacts."},
        {"name": "cooperation-areas", "description": "The areas agreements name by code."},
        {"name": "commitments", "description": "What the parties promised, with due dates."},
        {"name": "documents", "description": "The files of an agreement."},
        {"name": "stats", "description": "Figures over the agreements you may read."},
        {"name": "audit", "description": "Every change to every record (auditors)."},
        {"name": "calendar.ics", "description": "Expiry and due dates as a calendar feed."},
    ],
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    # The schema describes the API, not itself (it is served in several formats).
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # The memorandum kinds appear in two components (a memorandum, an intake proposal).
    "ENUM_NAME_OVERRIDES": {
        "MemorandumKindEnum": "agreements.models.Memorandum.Kind",
        "AcknowledgementStateEnum": "agreements.acknowledgements.api.STATES",
        "HistoryModelEnum": "agreements.api.serializers.HISTORY_MODELS",
    },
    # What generated clients need beyond drf-spectacular's schema (registry/api/schema.py).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "registry.api.schema.format_variants",
        "registry.api.schema.single_schemas",
        "registry.api.schema.shared_components",
    ],
}

# One record per line on stdout: JSON by default with DEBUG off, text with DEBUG on
# (LOG_FORMAT=json|text overrides). Django's, runserver's and, inside gunicorn's workers,
# gunicorn's own loggers (errors and the access log) go through the same handler, whose
# formats (registry/logs.py) write a calendar feed's key as REDACTED.
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOG_FORMAT = env.str("LOG_FORMAT", default="text" if DEBUG else "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {
            "()": "registry.logs.JsonLinesFormatter",
            "fmt": "%(levelname)s %(name)s %(message)s",
            "rename_fields": {"levelname": "level", "name": "logger"},
            "timestamp": "time",  # ISO 8601, UTC
        },
        "text": {
            "()": "registry.logs.TextFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": LOG_FORMAT,
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # Django's default handlers are dropped; its records reach the root handler.
        "django": {"handlers": [], "level": LOG_LEVEL, "propagate": True},
        # runserver's request lines (`make run`), which Django's defaults write past this handler.
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "gunicorn.error": {"handlers": ["console"], "level": LOG_LEVEL, "propagate": False},
        "gunicorn.access": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}

# Uploaded documents (agreements/uploads.py): at most DOCUMENT_MAX_UPLOAD_MB megabytes, and of
# a type recognised by its content (PDF, PNG, JPEG, DOCX, XLSX, plain UTF-8 text).
DOCUMENT_MAX_UPLOAD_SIZE = env.int("DOCUMENT_MAX_UPLOAD_MB", default=20) * 1024 * 1024

# Imports (agreements/importing/): a file of at most IMPORT_MAX_FILE_MB; an XLSX workbook that
# unpacks to at most IMPORT_MAX_UNPACKED_MB, at most IMPORT_MAX_COMPRESSION_RATIO times its
# packed size (both read from its ZIP directory before it is opened); at most IMPORT_MAX_ROWS
# rows of cells of at most IMPORT_MAX_CELL_CHARS characters. 10,000 rows of the export's
# columns take about 3 MB.
IMPORT_MAX_FILE_SIZE = env.int("IMPORT_MAX_FILE_MB", default=20) * 1024 * 1024
IMPORT_MAX_UNPACKED_SIZE = env.int("IMPORT_MAX_UNPACKED_MB", default=100) * 1024 * 1024
IMPORT_MAX_COMPRESSION_RATIO = env.int("IMPORT_MAX_COMPRESSION_RATIO", default=100)
IMPORT_MAX_ROWS = env.int("IMPORT_MAX_ROWS", default=50_000)
IMPORT_MAX_CELL_CHARS = env.int("IMPORT_MAX_CELL_CHARS", default=10_000)
# Background jobs (jobs/, docs/operations.md "Background jobs"), on Django's tasks framework
# (the django-tasks backport). TASKS_BACKEND=database (the default: the tasks wait in this
# database for `manage.py db_worker`, no other service) or redis (in Redis at REDIS_URL for
# `manage.py rqworker --job-class django_tasks_rq.Job`); tests use the database too, with the
# worker run in the test's process. An import of more than IMPORT_BACKGROUND_ROWS rows, an XLSX
# export of more than EXPORT_BACKGROUND_ROWS rows and a reminder run started from the admin run
# as jobs; a job's record and result are kept JOB_RESULT_DAYS after it finished; a running job
# whose worker has not reported for JOB_STALE_SECONDS is failed (its work wrote nothing).
TASKS_BACKEND = env.str("TASKS_BACKEND", default="database")
REDIS_URL = env.str("REDIS_URL", default="redis://127.0.0.1:6379/0")
if TASKS_BACKEND == "redis":
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    RQ_QUEUES = {"default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 3600}}
elif TASKS_BACKEND == "database":
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
else:
    raise ImproperlyConfigured(f"TASKS_BACKEND is {TASKS_BACKEND!r}: use database or redis.")
IMPORT_BACKGROUND_ROWS = env.int("IMPORT_BACKGROUND_ROWS", default=2_000)
EXPORT_BACKGROUND_ROWS = env.int("EXPORT_BACKGROUND_ROWS", default=20_000)
JOB_RESULT_DAYS = env.int("JOB_RESULT_DAYS", default=7)
JOB_STALE_SECONDS = env.int("JOB_STALE_SECONDS", default=300)
# What a job's result is checked against before it is served: the owner's reading rights.
JOBS_AUDIENCE = "agreements.selectors.reader_audience"
# Intake (agreements/intake/): the longest announcement read, in characters.
INTAKE_MAX_CHARS = env.int("INTAKE_MAX_CHARS", default=50_000)
# Deciders get a daily mail of what has waited this many days at their step; 0: none.
APPROVAL_DIGEST_DAYS = env.int("APPROVAL_DIGEST_DAYS", default=7)

# Our own institution (partners/home.py), by its id, ROR id or short name: it owns the
# memoranda's units, stands first in an EWP agreement and is no partner country of its own.
REGISTRY_HOME_INSTITUTION = env.str("REGISTRY_HOME_INSTITUTION", default="")

# Security headers. Content-Security-Policy (django-csp): everything from the application's
# own origin, no inline script anywhere, no plugins, no framing; the Swagger UI page alone
# adds its inline stylesheet (registry/api/urls.py). X-Frame-Options DENY for older browsers.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = CSRF_COOKIE_SAMESITE = "Lax"

# Production. DEBUG off is production: every setting below then defaults to its safe value,
# and `manage.py check --deploy` passes once SECRET_KEY and ALLOWED_HOSTS are set. Each can be
# overridden from the environment, e.g. to try `make serve` over plain http on 127.0.0.1:
# SECURE_SSL_REDIRECT=false SECURE_COOKIES=false. A test run keeps SECURE_SSL_REDIRECT off.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG and not TESTING)
# Probes of load balancers and orchestrators speak plain http to the process itself.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
# Behind a proxy that terminates TLS: trust its X-Forwarded-Proto header (only if the proxy
# always sets or strips it, and the process cannot be reached except through the proxy).
if env.bool("SECURE_PROXY_SSL_HEADER", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
