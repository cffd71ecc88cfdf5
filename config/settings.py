"""Settings, all from the environment (django-environ).

With no environment at all the platform runs embedded: SQLite, local-disk storage, an in-memory
cache and Celery on an embedded (filesystem) broker, served by the worker that `make run` starts.
Production sets DATABASE_URL, REDIS_URL, SECRET_KEY and, for S3, STORAGE_BACKEND=s3 with the
AWS_* variables. Every variable is listed in the README.
"""

import secrets
from datetime import time, timedelta
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("POSTROOM_VAR_DIR", default=str(BASE_DIR / "var")))

env = environ.Env()

DATABASE_URL = env.str("DATABASE_URL", default="")
REDIS_URL = env.str("REDIS_URL", default="")
EMBEDDED = not DATABASE_URL


def _embedded_secret_key() -> str:
    """A per-checkout key for the embedded mode, made once and kept in var/."""
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


DEBUG = env.bool("DJANGO_DEBUG", default=False)
# Required beside DATABASE_URL; a production start (config.preflight) and `check --deploy` also
# refuse a weak one (the tests and benchmarks may use any).
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not EMBEDDED:
        raise ImproperlyConfigured("SECRET_KEY must be set when DATABASE_URL is set.")
    SECRET_KEY = _embedded_secret_key()

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# ---- Deployment: proxies and HTTPS ---------------------------------------------------------------
# How many reverse proxies stand in front of the web processes. 0: the client's address is the
# socket's peer and X-Forwarded-For/-Proto are ignored (a client can write them). N: the client is
# the N-th address from the right of X-Forwarded-For (config.client_address), and the nearest
# proxy's X-Forwarded-Proto says whether the client used HTTPS; every proxy must append to
# X-Forwarded-For and the nearest must overwrite X-Forwarded-Proto.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("TRUSTED_PROXY_COUNT is a number of proxies: 0 or more.")
if TRUSTED_PROXY_COUNT:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Browsers reach the site over HTTPS only: plain HTTP is redirected, HSTS is sent and the session
# and CSRF cookies are Secure. On by default behind a trusted (TLS-terminating) proxy unless
# DEBUG; off in the embedded default and the tests, which serve plain HTTP.
HTTPS = env.bool("HTTPS", default=bool(TRUSTED_PROXY_COUNT) and not DEBUG)
SECURE_SSL_REDIRECT = HTTPS
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]  # probes ask the process directly, over HTTP
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = env.int("HSTS_SECONDS", default=365 * 24 * 3600 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("HSTS_INCLUDE_SUBDOMAINS", default=HTTPS)
SECURE_HSTS_PRELOAD = env.bool("HSTS_PRELOAD", default=HTTPS)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "csp",
    "oauth2_provider",
    "accounts",
    "billing",
    "recipients",
    "files",
    "templates",
    "campaigns",
    "messaging",
    "webhooks",
]

MIDDLEWARE = [
    "config.middleware.MetricsMiddleware",  # first: the whole request, timed
    "config.middleware.RequestIdMiddleware",
    "config.middleware.ApiLoggingMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "config.middleware.ScopedCSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",  # last: turns a lockout into the lockout page
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
AUTH_USER_MODEL = "accounts.User"

# OAuth2 for the services API (django-oauth-toolkit): client credentials only, one default scope
# (the spec names none), tokens for an hour, stored only as checksums.
OAUTH2_PROVIDER_APPLICATION_MODEL = "accounts.OAuthApplication"
OAUTH2_PROVIDER = {
    "ACCESS_TOKEN_EXPIRE_SECONDS": env.int("OAUTH_ACCESS_TOKEN_SECONDS", default=3600),
    "SCOPES": {"campaigns": "Manage message campaigns"},
    "DEFAULT_SCOPES": ["campaigns"],
    "OAUTH2_VALIDATOR_CLASS": "accounts.oauth.ClientCredentialsValidator",
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
    # The rest of RFC 9700 (the OAuth security BCP) too: the flows it closes are ones this
    # client-credentials-only server never offers, and `check --deploy` then warns of none.
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
    "ALLOWED_REDIRECT_URI_SCHEMES": ["https"],
}
APPEND_SLASH = False

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# Database: SQLite in var/ unless DATABASE_URL points elsewhere.
DATABASES = {"default": env.db_url_config(DATABASE_URL or f"sqlite:///{VAR_DIR / 'postroom.sqlite3'}")}
# Persistent connections, checked before a request or task reuses one (a database restart or a
# failover leaves no process holding a dead connection).
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = env.bool("DB_CONN_HEALTH_CHECKS", default=True)
# How long a production start waits for the database before it gives up (config.preflight).
DB_WAIT_SECONDS = env.float("DB_WAIT_SECONDS", default=60)
# The kind of process: config.wsgi marks web processes "web"; workers, beat and commands are "".
PROCESS_ROLE = env.str("POSTROOM_PROCESS_ROLE", default="")
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several processes (web + worker + beat) share the file: wait for locks instead of failing at
    # once, take the write lock when a transaction starts (no deadlock upgrading a read), and keep
    # the journal in WAL mode, so reads (the API following an import) never wait for a writer.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
    }
elif env.bool("DB_PREPARED_STATEMENTS", default=True):
    # PostgreSQL plans a query the API repeats on every call (the session check, a list page)
    # once per connection instead of on every call. Switch off behind a transaction-mode pooler
    # that cannot keep prepared statements (PgBouncer before 1.21).
    DATABASES["default"].setdefault("OPTIONS", {}).update(server_side_binding=True, prepare_threshold=2)
# PostgreSQL cancels a web process's statement after this (0: never), so one slow query cannot
# hold a gunicorn worker (timeout 30 s) for ever; workers' long imports and exports are not capped.
DB_WEB_STATEMENT_TIMEOUT_MS = env.int("DB_WEB_STATEMENT_TIMEOUT_MS", default=25_000)
_postgresql = DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3"
if _postgresql and PROCESS_ROLE == "web" and DB_WEB_STATEMENT_TIMEOUT_MS:
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = (
        f"-c statement_timeout={DB_WEB_STATEMENT_TIMEOUT_MS}"
    )
# The same backends, counting queries for /metrics (config.metrics); `connection.vendor` is unchanged.
DATABASES["default"]["ENGINE"] = {
    "django.db.backends.postgresql": "django_prometheus.db.backends.postgresql",
    "django.db.backends.sqlite3": "django_prometheus.db.backends.sqlite3",
}.get(DATABASES["default"]["ENGINE"], DATABASES["default"]["ENGINE"])
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# /metrics for a scraper: `Authorization: Bearer <METRICS_TOKEN>` (staff may always look).
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")
# A Celery worker on a machine of its own serves its numbers on this port (0: it does not).
CELERY_METRICS_PORT = env.int("CELERY_METRICS_PORT", default=0)
CELERY_METRICS_HOST = env.str("CELERY_METRICS_HOST", default="127.0.0.1")

# Cache: Redis when configured (shared by every process), in-memory otherwise.
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "config.cache.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "config.cache.LocMemCache"}}
# Keeps deployments (or test runs) that share one Redis apart.
CACHES["default"]["KEY_PREFIX"] = env.str("CACHE_KEY_PREFIX", default="")

# Celery: never in the web process. The broker is Redis when REDIS_URL is set; otherwise an
# embedded one, kombu's filesystem transport (each message a file under var/broker/, handed over
# with atomic renames and file locks), which `make run` serves with a worker and beat of its own
# (Procfile). Like Redis with a worker SIGKILLed, it loses the messages a dead worker held; the
# jobs they were for are found again by their leases (IMPORT_LEASE_SECONDS, ...).
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
else:
    CELERY_BROKER_URL = "filesystem://localhost/"  # the host is a placeholder: no connection
    _broker_dir = VAR_DIR / "broker"
    for _folder in ("queue", "control"):
        (_broker_dir / _folder).mkdir(parents=True, exist_ok=True)
    CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
    # Remote control (celery inspect/control) would poll a second queue for nothing.
    CELERY_WORKER_ENABLE_REMOTE_CONTROL = False
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
# Like a real worker, an eager task that fails does not fail the request that queued it.
CELERY_TASK_EAGER_PROPAGATES = env.bool("CELERY_TASK_EAGER_PROPAGATES", default=False)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
# A task whose worker died unacknowledged is redelivered after the visibility timeout; workers
# look for such tasks every interval x throttle seconds.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600),
    "unacked_restore_interval": env.int("CELERY_UNACKED_RESTORE_INTERVAL", default=10),
    "unacked_restore_throttle": env.int("CELERY_UNACKED_RESTORE_THROTTLE", default=10),
}
if not REDIS_URL:
    CELERY_BROKER_TRANSPORT_OPTIONS.update(
        data_folder_in=str(_broker_dir / "queue"),
        data_folder_out=str(_broker_dir / "queue"),
        control_folder=str(_broker_dir / "control"),
        polling_interval=env.float("CELERY_EMBEDDED_POLL_SECONDS", default=0.5),
    )
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

# ---- Celery queues, routes and time limits (applied by config.celery) ----------------------------
# Each task belongs to a family; a family has a queue and time limits (seconds: soft, then hard).
# Heavy work has queues of its own, so PDF printing never starves an import; a worker started
# without --queues serves them all (make run, make worker), production may run one per queue
# (docs/OPERATIONS.md). Hard limits stay below CELERY_VISIBILITY_TIMEOUT (an unacknowledged task
# running longer would be delivered a second time); the long jobs resume after their last batch.
TASK_QUEUES = ("default", "imports", "pdf", "messages", "exports", "webhooks")
TASK_FAMILIES = {
    "maintenance": ("default", 10 * 60, 11 * 60),  # beat's sweeps and purges
    "email": ("default", 60, 90),
    "imports": ("imports", 50 * 60, 55 * 60),
    "preview": ("pdf", 5 * 60, 6 * 60),
    "print": ("pdf", 50 * 60, 55 * 60),
    "messages": ("messages", 10 * 60, 11 * 60),  # firing due campaigns, delivery rounds
    "generation": ("messages", 50 * 60, 55 * 60),
    "exports": ("exports", 50 * 60, 55 * 60),
    "webhooks": ("webhooks", 10 * 60, 11 * 60),  # POSTs to companies' receivers, each up to 10 s
}
TASK_ROUTES = {
    "accounts.tasks.purge_expired_refresh_tokens": "maintenance",
    "accounts.tasks.close_expired_api_logging_windows": "maintenance",
    "accounts.tasks.purge_old_api_log_entries": "maintenance",
    "accounts.tasks.purge_expired_idempotency_keys": "maintenance",
    "billing.tasks.invoice_email_send_task": "email",
    "recipients.tasks.run_import": "imports",
    "recipients.tasks.resume_stale_imports": "maintenance",
    "campaigns.tasks.render_campaign_preview": "preview",
    "campaigns.tasks.dispatch_due_campaigns": "maintenance",
    "campaigns.tasks.dispatch_campaign": "print",
    "campaigns.tasks.write_print_files": "print",
    "messaging.tasks.campaigns_fire_due": "messages",
    "messaging.tasks.messages_deliver": "messages",
    "messaging.tasks.delivery_summaries_send": "maintenance",
    "messaging.tasks.occurrence_generate": "generation",
    "messaging.tasks.occurrences_resume_stale": "maintenance",
    "messaging.tasks.campaign_messages_purge": "maintenance",
    "messaging.tasks.messages_purge_expired": "maintenance",
    "messaging.tasks.message_export_run": "exports",
    "messaging.tasks.message_exports_resume_stale": "maintenance",
    "messaging.tasks.message_exports_purge": "maintenance",
    "webhooks.tasks.deliver_endpoint": "webhooks",
    "webhooks.tasks.deliver_due_webhooks": "webhooks",
    "webhooks.tasks.endpoint_disabled_email_send": "email",
}
# Put before every queue's name: processes sharing one Redis (deployments, a test's worker and
# beat) keep apart. A worker's --queues takes the full names.
CELERY_QUEUE_PREFIX = env.str("CELERY_QUEUE_PREFIX", default="")
CELERY_TASK_QUEUES = {f"{CELERY_QUEUE_PREFIX}{queue}": {} for queue in TASK_QUEUES}
CELERY_TASK_DEFAULT_QUEUE = f"{CELERY_QUEUE_PREFIX}default"  # celery's own tasks (chords, ...)
CELERY_TASK_ROUTES = ("config.celery.route_task",)
CELERY_TASK_ANNOTATIONS = ("config.celery.TimeLimits",)

# Storage: local disk under var/media, or S3 (any S3-compatible store) with STORAGE_BACKEND=s3.
STORAGE_BACKEND = env.str("STORAGE_BACKEND", default="local")
MEDIA_ROOT = env.str("MEDIA_ROOT", default=str(VAR_DIR / "media"))
MEDIA_URL = "/media/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_URL = "/static/"
if STORAGE_BACKEND == "s3":
    _s3_missing = [
        name
        for name in ("AWS_STORAGE_BUCKET_NAME", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")
        if not env.str(name, default="")
    ]
    if _s3_missing:
        raise ImproperlyConfigured(f"STORAGE_BACKEND=s3 needs {', '.join(_s3_missing)} to be set.")
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env.str("AWS_STORAGE_BUCKET_NAME"),
            "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default=None),
            "region_name": env.str("AWS_S3_REGION_NAME", default=None),
            "access_key": env.str("AWS_ACCESS_KEY_ID"),
            "secret_key": env.str("AWS_SECRET_ACCESS_KEY"),
            "default_acl": None,
            "file_overwrite": False,
            "querystring_expire": env.int("AWS_QUERYSTRING_EXPIRE", default=3600),
            "addressing_style": env.str("AWS_S3_ADDRESSING_STYLE", default=None),
        },
    }
elif STORAGE_BACKEND == "local":
    _default_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
else:
    raise ImproperlyConfigured("STORAGE_BACKEND must be 'local' or 's3'.")
# Stored files are never public (MEDIA_URL is not served): staff open them through the admin
# (config.admin_files), which streams them from local disk or, on S3, redirects to a presigned URL
# that lives this long.
ADMIN_FILE_URL_SECONDS = env.int("ADMIN_FILE_URL_SECONDS", default=60)
STORAGES = {
    "default": _default_storage,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# ---- Admin login lockout (django-axes) and Content-Security-Policy -------------------------------
# Failed admin logins are counted per account and per client address (config.client_address);
# at the limit that account, and that address, are refused (even with the right password) until
# ADMIN_LOGIN_LOCKOUT_MINUTES pass without another attempt, or staff unlock them (user list action
# "Unlock admin login", or Axes > Access attempts). The API's key login is not a Django login and
# is not watched (it has its own rate limit).
AXES_ENABLED = env.bool("ADMIN_LOGIN_LOCKOUT", default=True)
AXES_ONLY_ADMIN_SITE = True
AXES_FAILURE_LIMIT = env.int("ADMIN_LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.float("ADMIN_LOGIN_LOCKOUT_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_USERNAME_FORM_FIELD = "username"  # the admin login form's field (it holds the email)
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "config.client_address.client_ip"
AXES_LOCKOUT_CALLABLE = "accounts.admin.lockout_response"
AXES_VERBOSE = False  # no start-up line in every process; failures and lockouts are still logged

# Content-Security-Policy on the pages a browser runs (config.middleware.ScopedCSPMiddleware):
# the admin and the Swagger UI, whose scripts, styles and images are all served from here (the
# sidecar). Inline styles are allowed (style attributes of the admin, the Swagger page's <style>);
# inline scripts are not. Images may also come from the storage (template thumbnails on S3).
CSP_PATH_PREFIXES = ["/admin/", "/api/docs/"]
if STORAGE_BACKEND == "s3":
    _endpoint = urlsplit(_default_storage["OPTIONS"]["endpoint_url"] or "https://*.amazonaws.com")
    _storage_origins = [f"{_endpoint.scheme}://{_endpoint.netloc}"]
else:
    _storage_origins = []
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", *env.list("CSP_IMG_SOURCES", default=_storage_origins)],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

# Staff log in to the admin only; axes first refuses an account or address that is locked out.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

PASSWORD_HASHERS = env.list(
    "PASSWORD_HASHERS",
    default=["django.contrib.auth.hashers.PBKDF2PasswordHasher"],
)

# ---- API -------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    # Deny by default: every view names its surface's authenticators and permissions.
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["config.api.permissions.DenyAll"],
    "UNAUTHENTICATED_USER": None,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}

# Rate limits per endpoint class ("requests/period"): login per client IP, read/write per company.
API_RATE_LIMITS = {
    "login": env.str("RATE_LIMIT_LOGIN", default="30/minute"),
    "read": env.str("RATE_LIMIT_READ", default="6000/minute"),
    "write": env.str("RATE_LIMIT_WRITE", default="1200/minute"),
}


API_ACCESS_TOKEN_LIFETIME = timedelta(minutes=env.int("JWT_ACCESS_MINUTES", default=15))
API_REFRESH_TOKEN_LIFETIME = timedelta(days=env.int("JWT_REFRESH_DAYS", default=7))
SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": API_ACCESS_TOKEN_LIFETIME,
    "REFRESH_TOKEN_LIFETIME": API_REFRESH_TOKEN_LIFETIME,
    "ALGORITHM": "HS256",
    "SIGNING_KEY": env.str("JWT_SIGNING_KEY", default=SECRET_KEY),
    "AUTH_HEADER_TYPES": ("Bearer",),
    "USER_ID_CLAIM": "user_id",
    "LEEWAY": 0,
}

# Recipient imports: largest file, its largest request body as Base64 JSON, URL fetch time,
# and rows per committed batch.
IMPORT_MAX_FILE_BYTES = env.int("IMPORT_MAX_FILE_BYTES", default=200 * 1024 * 1024)
IMPORT_MAX_BODY_BYTES = env.int("IMPORT_MAX_BODY_BYTES", default=IMPORT_MAX_FILE_BYTES * 4 // 3 + 1024 * 1024)
IMPORT_FETCH_TIMEOUT = env.float("IMPORT_FETCH_TIMEOUT", default=120.0)
IMPORT_BATCH_ROWS = env.int("IMPORT_BATCH_ROWS", default=20000)
IMPORT_MAX_ATTEMPTS = env.int("IMPORT_MAX_ATTEMPTS", default=5)
# A running import renews its lease on the job row with every batch (and when it starts); a job
# whose lease is older than this has lost its worker: the resume-stale-imports beat queues it
# again (it resumes after its last batch) or, past IMPORT_MAX_ATTEMPTS, fails it, and its group
# may be deleted. Well above the longest gap between renewals (a URL fetch, one batch).
IMPORT_LEASE_SECONDS = env.float("IMPORT_LEASE_SECONDS", default=300)
# On PostgreSQL, where the role may set session_replication_role: check an import batch's
# company and group once instead of every row's foreign keys (recipients.importing says how).
IMPORT_CHECK_REFERENCES_ONCE = env.bool("IMPORT_CHECK_REFERENCES_ONCE", default=True)

# Message generation (messaging.generation): recipients per committed batch (one INSERT ...
# SELECT each); the lease a running generation renews with every batch, past which its worker is
# presumed gone (the resume-stale-occurrences beat queues it again, to resume after its last
# batch), well above the longest batch; and how many starts before it is failed instead.
MESSAGING_GENERATION_BATCH = env.int("MESSAGING_GENERATION_BATCH", default=50000)
MESSAGING_GENERATION_LEASE_SECONDS = env.float("MESSAGING_GENERATION_LEASE_SECONDS", default=300)
MESSAGING_GENERATION_MAX_ATTEMPTS = env.int("MESSAGING_GENERATION_MAX_ATTEMPTS", default=5)

# Messages export (messaging.exporting): rows per CSV page; how long a fetched URL (presigned on
# S3, a signed download link on local disk) stays valid; the lease a running export renews with
# every page, past which its worker is presumed gone (the resume-stale-message-exports beat queues
# it again, to resume after its last page), and how many starts before it is failed instead; how
# long an export waits before looking again while its campaign's generation still runs; how long
# a replaced (or failed) export's files stay in storage, at least the URL lifetime, so that a URL
# handed out just before a re-publish still opens.
MESSAGES_EXPORT_PAGE_ROWS = env.int("MESSAGES_EXPORT_PAGE_ROWS", default=1000)
MESSAGES_EXPORT_URL_SECONDS = env.int("MESSAGES_EXPORT_URL_SECONDS", default=3600)
# Segments of an export read at once on PostgreSQL, each on a database connection of its own.
MESSAGES_EXPORT_READERS = env.int("MESSAGES_EXPORT_READERS", default=2)
# About how many rows one COPY of an export reads on PostgreSQL; its pages are committed together
# (a killed worker's export resumes after the last committed segment).
MESSAGES_EXPORT_SEGMENT_ROWS = env.int("MESSAGES_EXPORT_SEGMENT_ROWS", default=50_000)
MESSAGES_EXPORT_LEASE_SECONDS = env.float("MESSAGES_EXPORT_LEASE_SECONDS", default=300)
MESSAGES_EXPORT_MAX_ATTEMPTS = env.int("MESSAGES_EXPORT_MAX_ATTEMPTS", default=5)
MESSAGES_EXPORT_WAIT_SECONDS = env.float("MESSAGES_EXPORT_WAIT_SECONDS", default=15)
MESSAGES_EXPORT_PURGE_DELAY_SECONDS = env.int(
    "MESSAGES_EXPORT_PURGE_DELAY_SECONDS", default=MESSAGES_EXPORT_URL_SECONDS + 3600
)
_export_counts = (
    MESSAGES_EXPORT_PAGE_ROWS,
    MESSAGES_EXPORT_URL_SECONDS,
    MESSAGES_EXPORT_READERS,
    MESSAGES_EXPORT_SEGMENT_ROWS,
)
if min(_export_counts) < 1:
    raise ImproperlyConfigured(
        "MESSAGES_EXPORT_PAGE_ROWS, MESSAGES_EXPORT_URL_SECONDS, MESSAGES_EXPORT_READERS and "
        "MESSAGES_EXPORT_SEGMENT_ROWS are 1 or more."
    )

# File library: the largest file an upload may carry (413 beyond), and the most search results.
FILES_MAX_UPLOAD_BYTES = env.int("FILES_MAX_UPLOAD_BYTES", default=50 * 1024 * 1024)
FILES_SEARCH_MAX_RESULTS = env.int("FILES_SEARCH_MAX_RESULTS", default=500)

# Print campaigns: the largest PDF a campaign may be created from (413 beyond; its Base64 body
# may be a third larger), the URL fetch time, and the most pages a letter may have.
CAMPAIGN_PDF_MAX_BYTES = env.int("CAMPAIGN_PDF_MAX_BYTES", default=100 * 1024 * 1024)
CAMPAIGN_MAX_BODY_BYTES = env.int(
    "CAMPAIGN_MAX_BODY_BYTES", default=CAMPAIGN_PDF_MAX_BYTES * 4 // 3 + 1024 * 1024
)
CAMPAIGN_PDF_FETCH_TIMEOUT = env.float("CAMPAIGN_PDF_FETCH_TIMEOUT", default=60.0)
# How far a campaign/template PDF's streams may inflate (decode), one stream and all together:
# beyond either, the PDF is refused before anything is made from it.
CAMPAIGN_PDF_MAX_STREAM_INFLATED_BYTES = env.int(
    "CAMPAIGN_PDF_MAX_STREAM_INFLATED_BYTES", default=256 * 1024**2
)
CAMPAIGN_PDF_MAX_INFLATED_BYTES = env.int("CAMPAIGN_PDF_MAX_INFLATED_BYTES", default=1024**3)
CAMPAIGN_MAX_LETTER_PAGES = env.int("CAMPAIGN_MAX_LETTER_PAGES", default=12)
# Print-ready output: the most letters in one print PDF (the printer's batch size), and how long
# a running attempt holds its campaign's print run before another may take it over (its worker is
# presumed dead): well above the longest run (a million letters take minutes).
CAMPAIGN_PRINT_CHUNK_LETTERS = env.int("CAMPAIGN_PRINT_CHUNK_LETTERS", default=1000)
CAMPAIGN_PRINT_LEASE_SECONDS = env.int("CAMPAIGN_PRINT_LEASE_SECONDS", default=30 * 60)

# Outbound POSTs to URLs a company configures (config.outbound.post, for webhooks): the whole
# call's time cap, each connection's, and how much of an answer's body is read (the rest never is).
OUTBOUND_POST_TIMEOUT_SECONDS = env.float("OUTBOUND_POST_TIMEOUT_SECONDS", default=10.0)
OUTBOUND_POST_CONNECT_TIMEOUT_SECONDS = env.float("OUTBOUND_POST_CONNECT_TIMEOUT_SECONDS", default=5.0)
OUTBOUND_POST_MAX_RESPONSE_BYTES = env.int("OUTBOUND_POST_MAX_RESPONSE_BYTES", default=16 * 1024)

# ---- Webhooks (webhooks.delivery) ----------------------------------------------------------------
# Endpoint URLs must be https, except in DEBUG and the embedded default. WEBHOOKS_ALLOW_PRIVATE_URLS
# lets deliveries reach loopback and private-use addresses (tests, local development; never in
# production). Each POST's time cap; an endpoint failing for WEBHOOKS_DISABLE_AFTER_DAYS without a
# success is switched off and its company's users emailed. A worker takes an endpoint's due
# deliveries WEBHOOKS_BATCH_SIZE at a time and holds them WEBHOOKS_LEASE_SECONDS (a dead worker's
# are taken again after it); a task sends for at most WEBHOOKS_TASK_SECONDS, then queues itself
# again; the beat sends every endpoint's due deliveries every WEBHOOKS_BEAT_SECONDS (and switches
# off endpoints failing for too long with no attempt since).
WEBHOOKS_REQUIRE_HTTPS = env.bool("WEBHOOKS_REQUIRE_HTTPS", default=not (DEBUG or EMBEDDED))
WEBHOOKS_ALLOW_PRIVATE_URLS = env.bool("WEBHOOKS_ALLOW_PRIVATE_URLS", default=False)
WEBHOOKS_TIMEOUT_SECONDS = env.float("WEBHOOKS_TIMEOUT_SECONDS", default=10.0)
WEBHOOKS_DISABLE_AFTER_DAYS = env.float("WEBHOOKS_DISABLE_AFTER_DAYS", default=5)
WEBHOOKS_BATCH_SIZE = env.int("WEBHOOKS_BATCH_SIZE", default=100)
WEBHOOKS_LEASE_SECONDS = env.int("WEBHOOKS_LEASE_SECONDS", default=300)
WEBHOOKS_TASK_SECONDS = env.float("WEBHOOKS_TASK_SECONDS", default=120)
WEBHOOKS_BEAT_SECONDS = env.float("WEBHOOKS_BEAT_SECONDS", default=30)

# ---- Billing and dispatch ------------------------------------------------------------------------
# VAT on (subtotal - discount), as a fraction. Dispatch days are working days in England and Wales
# (no weekends, bank holidays or staff-blocked dates); today stops being one at the cut-off
# (local time in DISPATCH_TIME_ZONE). availableDates answers at most DISPATCH_MAX_RANGE_DAYS at a
# time, and no date (listed or scheduled) lies more than DISPATCH_MAX_RANGE_DAYS after today (the
# booking horizon); next_available_date looks DISPATCH_SEARCH_DAYS ahead, up to that horizon.
# Estimated delivery: working days after the send date per mail class.
VAT_RATE = Decimal(env.str("VAT_RATE", default="0.20"))
DISPATCH_TIME_ZONE = env.str("DISPATCH_TIME_ZONE", default="Europe/London")
DISPATCH_CUTOFF = time.fromisoformat(env.str("DISPATCH_CUTOFF", default="15:00"))
DISPATCH_MAX_RANGE_DAYS = env.int("DISPATCH_MAX_RANGE_DAYS", default=366)
DISPATCH_SEARCH_DAYS = env.int("DISPATCH_SEARCH_DAYS", default=90)
# The cost breakdown's scheduledDate reads staff-blocked dates from a process-local copy this old
# at most (scheduling always reads them fresh).
DISPATCH_BLOCKED_CACHE_SECONDS = env.float("DISPATCH_BLOCKED_CACHE_SECONDS", default=5.0)
DELIVERY_WORKING_DAYS = {"First": 2, "Second": 3}
if not Decimal("0") <= VAT_RATE < Decimal("1"):
    raise ImproperlyConfigured("VAT_RATE is a fraction: 0.20 for 20%.")

# Email (invoices of provisional bookings, ...): EMAIL_URL as django-environ reads it, e.g.
# smtp+tls://user:password@smtp.example.com:587; the embedded default prints to the console.
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Postroom <billing@postroom.example>")

# ---- Message delivery (messaging.delivery) -------------------------------------------------------
# The backend (a dotted path) that sends each channel: MESSAGING_BACKENDS per channel
# ("sms=path;email=path"), the others MESSAGING_DEFAULT_BACKEND when set, else email through
# EMAIL_URL and every other channel through the HTTP gateway. Embedded with no gateway, every
# channel goes to the console backend (the log) unless named.
MESSAGING_GATEWAY_URL = env.str("MESSAGING_GATEWAY_URL", default="")
MESSAGING_BACKENDS = env.dict("MESSAGING_BACKENDS", cast={"value": str}, default={})
MESSAGING_DEFAULT_BACKEND = env.str(
    "MESSAGING_DEFAULT_BACKEND",
    default="messaging.delivery.console.ConsoleBackend" if EMBEDDED and not MESSAGING_GATEWAY_URL else "",
)
# The gateway (protocol in messaging/delivery/http.py): its bearer token, the whole request's time
# cap and the connection's, connections kept open per worker process, and messages per request
# (1: one message per request, sent over the pooled connections at once).
MESSAGING_GATEWAY_TOKEN = env.str("MESSAGING_GATEWAY_TOKEN", default="")
MESSAGING_GATEWAY_TIMEOUT_SECONDS = env.float("MESSAGING_GATEWAY_TIMEOUT_SECONDS", default=10.0)
MESSAGING_GATEWAY_CONNECT_TIMEOUT_SECONDS = env.float(
    "MESSAGING_GATEWAY_CONNECT_TIMEOUT_SECONDS", default=3.0
)
MESSAGING_GATEWAY_POOL_SIZE = env.int("MESSAGING_GATEWAY_POOL_SIZE", default=10)
MESSAGING_GATEWAY_BATCH_SIZE = env.int("MESSAGING_GATEWAY_BATCH_SIZE", default=1)
# Email campaigns: the subject of a message whose template gives none, and the mail server's
# time cap per connection step (a hung server must not hold a worker for ever).
MESSAGING_EMAIL_SUBJECT = env.str("MESSAGING_EMAIL_SUBJECT", default="")
MESSAGING_EMAIL_TIMEOUT_SECONDS = env.float("MESSAGING_EMAIL_TIMEOUT_SECONDS", default=30.0)
# Tries per message before it fails (the waits between them back off exponentially).
MESSAGING_MAX_ATTEMPTS = env.int("MESSAGING_MAX_ATTEMPTS", default=5)
# How long a resend through campaign API v2 (the client waits) may wait for the gateway.
MESSAGING_RESEND_TIMEOUT_SECONDS = env.float("MESSAGING_RESEND_TIMEOUT_SECONDS", default=5.0)
# Messages per second per channel, across all workers together (0: unlimited). The variable
# ("sms=100;email=0") overrides the channels it names.
MESSAGING_RATE_PER_SECOND = {
    "sms": 50,
    "whatsapp": 50,
    "viber": 50,
    "rbm": 50,
    "telegram": 30,
    "webpush": 100,
    "email": 20,
    **env.dict("MESSAGING_RATE_PER_SECOND", cast={"value": int}, default={}),
}
if MESSAGING_GATEWAY_POOL_SIZE < 1 or MESSAGING_GATEWAY_BATCH_SIZE < 1 or MESSAGING_MAX_ATTEMPTS < 1:
    raise ImproperlyConfigured(
        "MESSAGING_GATEWAY_POOL_SIZE, MESSAGING_GATEWAY_BATCH_SIZE and MESSAGING_MAX_ATTEMPTS are 1 or more."
    )

# ---- API logging (per company, switched on by staff for a time) ----------------------------------
# Paths of the API surfaces whose calls are logged.
API_LOG_PATH_PREFIXES = env.list("API_LOG_PATH_PREFIXES", default=["/api/v1/", "/v1/", "/v2/", "/services/"])
# How long a process trusts its memory of which companies are being logged (a window switched on
# or off applies in every process within this time).
API_LOG_WINDOW_CACHE_SECONDS = env.float("API_LOG_WINDOW_CACHE_SECONDS", default=5.0)
# Longest window staff may open at once.
API_LOG_MAX_WINDOW_DAYS = env.int("API_LOG_MAX_WINDOW_DAYS", default=31)
# Stored size of a request or response body (the original size is kept beside it), how much of
# a body is read to redact it, and the longest header value kept.
API_LOG_MAX_BODY_BYTES = env.int("API_LOG_MAX_BODY_BYTES", default=16 * 1024)
API_LOG_CAPTURE_BYTES = env.int("API_LOG_CAPTURE_BYTES", default=1024 * 1024)
API_LOG_MAX_HEADER_CHARS = env.int("API_LOG_MAX_HEADER_CHARS", default=2000)
# Entries wait in their process's buffer and are written in batches by a background thread: every
# interval, or at once when a batch is full. A crashed process loses at most one interval of calls.
API_LOG_FLUSH_INTERVAL_MS = env.int("API_LOG_FLUSH_INTERVAL_MS", default=500)
API_LOG_FLUSH_BATCH = env.int("API_LOG_FLUSH_BATCH", default=500)
API_LOG_BUFFER_MAX = env.int("API_LOG_BUFFER_MAX", default=20000)
API_LOG_BUFFER_MAX_BYTES = env.int("API_LOG_BUFFER_MAX_BYTES", default=64 * 1024 * 1024)
API_LOG_BACKGROUND_FLUSH = env.bool("API_LOG_BACKGROUND_FLUSH", default=True)
# Entries older than this are purged (hourly, in batches).
API_LOG_RETENTION_DAYS = env.int("API_LOG_RETENTION_DAYS", default=30)
API_LOG_PURGE_BATCH = env.int("API_LOG_PURGE_BATCH", default=5000)

# How long a process trusts its memory of which rights a role grants.
ROLE_RIGHTS_CACHE_SECONDS = env.int("ROLE_RIGHTS_CACHE_SECONDS", default=60)
# How long a process trusts a bearer token it accepted, without asking the database again. A
# revocation ends tokens at once in the process that made it, in the others within this time.
API_AUTH_CACHE_SECONDS = env.float("API_AUTH_CACHE_SECONDS", default=5.0)

# Largest JSON/form body an API view reads unless it says otherwise (413 beyond).
API_MAX_BODY_BYTES = env.int("API_MAX_BODY_BYTES", default=10 * 1024 * 1024)

# Django refuses a body above this before any view sees it; each API view then applies its own
# (smaller) limit from the declared length, before reading anything (PlatformAPIView.initial).
DATA_UPLOAD_MAX_MEMORY_SIZE = max(API_MAX_BODY_BYTES, IMPORT_MAX_BODY_BYTES, CAMPAIGN_MAX_BODY_BYTES)

SPECTACULAR_SETTINGS = {
    "TITLE": "Postroom API",
    "DESCRIPTION": "Print and message campaigns: the platform API (/api/v1/) and the other surfaces.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Nothing from elsewhere: no badge from the online validator (the CSP would refuse it anyway).
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "config.api.v1.links.add_links",
        "config.api.services.schema.add_token_endpoint",
    ],
    # Choice sets that share a field name ("status") get names of their own.
    "ENUM_NAME_OVERRIDES": {
        "MessageCampaignStatusEnum": "messaging.api.services.schema.CAMPAIGN_STATUSES",
        "NewMessageCampaignStatusEnum": "messaging.api.services.schema.NEW_STATUSES",
        "MessageCampaignStatusChangeEnum": "messaging.api.services.schema.STATUS_CHANGES",
        "CampaignTaskStatusEnum": "messaging.api.services.schema.TASK_STATUSES",
        "SendingTypeEnum": "campaigns.models.MESSAGE_CHANNELS",  # also the export API's `channel`
        "MessageExportStatusEnum": "messaging.api.export.schema.JOB_STATUSES",
        "MessageExportPagesStatusEnum": "messaging.api.export.schema.PAGES_STATUSES",
    },
}

# ---- Logging: JSON lines carrying the request id ------------------------------------------------
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "config.logging.RequestIdFilter"}},
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "json", "filters": ["request_id"]},
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.request": {"level": "ERROR"},
        "django.server": {"level": env.str("DJANGO_SERVER_LOG_LEVEL", default="INFO")},
        "pikepdf": {"level": "WARNING"},  # announces its logger bridge at INFO in every process
        "axes": {"level": "WARNING"},  # failures and lockouts; not its two INFO lines per attempt
    },
}

# Message campaigns: the schedule beat's tick, how long a delivery claim holds its messages, how
# long generation may go without a heartbeat, and the gateway's receipt signing secret (empty:
# receipts are refused).
MESSAGING_BEAT_SECONDS = env.float("MESSAGING_BEAT_SECONDS", default=10)
MESSAGING_DELIVERY_BEAT_SECONDS = env.float("MESSAGING_DELIVERY_BEAT_SECONDS", default=30)
MESSAGING_CLAIM_LEASE_SECONDS = env.int("MESSAGING_CLAIM_LEASE_SECONDS", default=120)
MESSAGING_RECEIPT_SECRET = env.str("MESSAGING_RECEIPT_SECRET", default="")
MESSAGING_PURGE_BATCH = env.int("MESSAGING_PURGE_BATCH", default=10_000)
MESSAGING_RETENTION_DAYS = env.int("MESSAGING_RETENTION_DAYS", default=365)

# ---- The beat schedule: every periodic task (one beat per deployment sends them) ----------------


def _every(task: str, interval: timedelta) -> dict:
    return {"task": task, "schedule": interval}


CELERY_BEAT_SCHEDULE = {
    "purge-expired-refresh-tokens": _every("accounts.tasks.purge_expired_refresh_tokens", timedelta(hours=6)),
    "close-expired-api-logging-windows": _every(
        "accounts.tasks.close_expired_api_logging_windows", timedelta(minutes=1)
    ),
    "purge-old-api-log-entries": _every("accounts.tasks.purge_old_api_log_entries", timedelta(hours=1)),
    # Due campaigns: hold the unpaid, print and dispatch the scheduled (idempotent, so a short
    # interval is safe; the first run after midnight in DISPATCH_TIME_ZONE picks up the day's).
    # Minutes, fractions allowed (0.02: every 1.2 s, as tests/integration/test_dispatch_beat.py runs it).
    "dispatch-due-campaigns": _every(
        "campaigns.tasks.dispatch_due_campaigns",
        timedelta(minutes=env.float("DISPATCH_BEAT_MINUTES", default=15)),
    ),
    # Imports whose worker vanished (lease expired): resumed, or failed after IMPORT_MAX_ATTEMPTS.
    "resume-stale-imports": _every(
        "recipients.tasks.resume_stale_imports",
        timedelta(seconds=env.float("IMPORT_SWEEP_SECONDS", default=60)),
    ),
    # Message generations whose worker vanished (lease expired): resumed, or failed after
    # MESSAGING_GENERATION_MAX_ATTEMPTS.
    "resume-stale-occurrences": _every(
        "messaging.tasks.occurrences_resume_stale",
        timedelta(seconds=env.float("MESSAGING_GENERATION_SWEEP_SECONDS", default=60)),
    ),
    "fire-due-message-campaigns": _every(
        "messaging.tasks.campaigns_fire_due", timedelta(seconds=MESSAGING_BEAT_SECONDS)
    ),
    "deliver-due-messages": _every(
        "messaging.tasks.messages_deliver", timedelta(seconds=MESSAGING_DELIVERY_BEAT_SECONDS)
    ),
    # Each campaign's delivery outcomes of a minute that is over: one webhook event.
    "send-delivery-summaries": _every("messaging.tasks.delivery_summaries_send", timedelta(minutes=1)),
    "purge-deleted-campaign-messages": _every(
        "messaging.tasks.campaign_messages_purge", timedelta(minutes=5)
    ),
    "purge-expired-messages": _every("messaging.tasks.messages_purge_expired", timedelta(hours=1)),
    # Message exports whose worker vanished (lease expired): resumed after their last page, or
    # failed after MESSAGES_EXPORT_MAX_ATTEMPTS.
    "resume-stale-message-exports": _every(
        "messaging.tasks.message_exports_resume_stale",
        timedelta(seconds=env.float("MESSAGES_EXPORT_SWEEP_SECONDS", default=60)),
    ),
    # Files of replaced and failed exports, once MESSAGES_EXPORT_PURGE_DELAY_SECONDS have passed.
    "purge-replaced-message-exports": _every("messaging.tasks.message_exports_purge", timedelta(minutes=10)),
    # Every endpoint's due webhook deliveries: retries, and those whose first send was lost.
    "deliver-due-webhooks": _every(
        "webhooks.tasks.deliver_due_webhooks", timedelta(seconds=WEBHOOKS_BEAT_SECONDS)
    ),
}

# Idempotency-Key (accounts/idempotency.py): how long a key's answer is kept and replayed, how long
# a running request holds its key before a repeat presumes its process gone and runs it again,
# and how many expired keys the purge deletes a statement.
IDEMPOTENCY_TTL_HOURS = env.int("IDEMPOTENCY_TTL_HOURS", default=24)
IDEMPOTENCY_LEASE_SECONDS = env.int("IDEMPOTENCY_LEASE_SECONDS", default=60)
IDEMPOTENCY_PURGE_BATCH = env.int("IDEMPOTENCY_PURGE_BATCH", default=5000)
CELERY_BEAT_SCHEDULE["purge-expired-idempotency-keys"] = {
    "task": "accounts.tasks.purge_expired_idempotency_keys",
    "schedule": timedelta(minutes=10),
}
