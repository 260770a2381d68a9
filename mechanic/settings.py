"""Mechanic settings: one file, every value from the environment, failing loudly on bad values.

Environment variables (all optional in development):

- ``DEBUG``               ``1``/``0`` (default ``0``). ``make run`` sets ``1``.
- ``SECRET_KEY``          required when ``DEBUG=0``; ``SECRET_KEY_FILE`` reads it from a file.
- ``ALLOWED_HOSTS``       comma-separated (default ``localhost,127.0.0.1,[::1]``).
- ``CSRF_TRUSTED_ORIGINS`` comma-separated origins (``https://mechanic.example.org``) whose
                          form posts are accepted besides the site's own (default none).
- ``DATABASE_URL``        default: a SQLite file under ``MECHANIC_DATA_DIR``.
- ``DB_CONN_MAX_AGE``     seconds a database connection is kept for the next request
                          (default 0: one per request; PostgreSQL in production may keep them).
- ``MECHANIC_DATA_DIR``   where the embedded database and broker live (default ``./data``).
- ``STATIC_ROOT``         where ``collectstatic`` writes (default
                          ``MECHANIC_DATA_DIR/staticfiles``); with ``DEBUG=0`` the app serves
                          from it once it exists (run collectstatic on each deploy), else from
                          the source folders.
- ``REDIS_URL``           Redis for Celery and for the API's POST counts (shared by the web
                          processes); ``CELERY_BROKER_URL`` overrides the broker alone. Without
                          either, Celery uses an embedded SQLite broker (no server).
- ``HF_ENDPOINT``         the Hub to talk to (default ``https://huggingface.co``).
- ``HF_TOKEN``            optional token for gated repos.
- ``HF_TIMEOUT_S``        per-request timeout when talking to the Hub (default 10).
- ``HF_MAX_RETRIES``      retries of a failed Hub request (default 3).
- ``API_POSTS_PER_MINUTE`` POSTs to the JSON API (classify, exercises) per client address and
                          minute (default 60; 0: no limit).
- ``TRUSTED_PROXIES``     how many reverse proxies in front of the app append to
                          X-Forwarded-For (default 0: the client address is the socket's
                          REMOTE_ADDR, and a client-sent X-Forwarded-For is ignored).
- ``SECURE_SSL_REDIRECT`` default on when ``DEBUG=0``; turn off behind a proxy that does it.
- ``SESSION_COOKIE_SECURE``, ``CSRF_COOKIE_SECURE``: cookies sent over HTTPS only (default on
                          when ``DEBUG=0``; off to try a production build on plain http).
- ``SECURE_HSTS_SECONDS`` (default one year when ``DEBUG=0``; 0: no HSTS header),
                          ``SECURE_HSTS_INCLUDE_SUBDOMAINS``, ``SECURE_HSTS_PRELOAD`` (default on).
- ``PROFILER_MAX_ATTEMPTS``, ``PROFILER_TIME_LIMIT_S``: measurement run limits.
- ``CELERY_VISIBILITY_TIMEOUT_S``: how long Redis keeps an unacknowledged message before
                          delivering it again (default ``PROFILER_TIME_LIMIT_S`` + 600; must be
                          larger than it).
- ``PROFILER_HEARTBEAT_S``, ``PROFILER_STALE_AFTER_S``: worker heartbeat and when the reaper
                          treats a silent run as dead; ``PROFILER_ITERS``, ``PROFILER_WARMUP``:
                          timed / warm-up iterations; ``PROFILER_ENQUEUE_TIMEOUT_S``: how long
                          a page waits for the broker before saying it is unreachable;
                          ``PROFILER_QUEUED_STALE_AFTER_S``: when the reaper treats a run that
                          no worker picked up as lost (its message is sent once more, then the
                          run fails with the reason); ``PROFILER_QUEUED_HINT_AFTER_S``: when
                          the page says that no worker has taken a queued run yet (default 30);
                          ``PROFILER_DEFAULT_DEVICE``: cuda or cpu, the form's proposal
                          (default: cuda where nvidia-smi is found, else cpu);
                          ``PROFILER_STOP_CHECK_MS``: how often a worker that downloads a
                          checkpoint looks whether its run was stopped (default 1000; at least
                          50), so a Stop ends the download within that and one 10 MiB chunk.
- ``PROFILER_HUB_DISABLE_XET``: download checkpoints from the Hub over plain HTTP, not through
                          hf_xet (default on). huggingface_hub offers no way to stop a Xet
                          download from outside once it runs, so a Stop would only end it after
                          the current file (several GB). On, it sets ``HF_HUB_DISABLE_XET=1``
                          (unless the environment already sets ``HF_HUB_DISABLE_XET``, which
                          wins) in the environment of every process of the app as its settings load
                          (huggingface_hub reads it once, at import); off (``0``) leaves the
                          environment alone: Xet transfers, which can be faster, and a Stop
                          that waits for the current file.
- ``INGEST_INLINE_AFTER_S``: a queued ingest no worker took after this many seconds runs
                          in a thread of the web process, the page that polls it waiting for
                          it a few seconds at most (default 8; 0: never);
                          ``INGEST_STALE_AFTER_S``: a running ingest with no progress for this
                          long lost its worker and is failed with the reason (default 600);
                          ``INGEST_WEB_STALE_AFTER_S``: the same for a job a thread of the web
                          process runs, which touches its row every ``INGEST_WEB_HEARTBEAT_S``
                          (default 5) while it lives: one whose web process died is failed
                          after this long (default 60; at least three heartbeats whatever it
                          says).
- ``LOG_LEVEL``           the root logger's level (default ``WARNING``).
- ``MECHANIC_TEST_DB``    the SQLite file the tests use (default ``DATA_DIR/test.sqlite3``).
"""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    file_path = os.environ.get(f"{name}_FILE")
    if file_path:
        try:
            return Path(file_path).read_text().strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE={file_path!r} cannot be read: {exc}") from exc
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean; use 1/0, true/false, yes/no.")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name}={raw!r} is not an integer.") from exc
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name}={value} must be at least {minimum}.")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set SECRET_KEY (or SECRET_KEY_FILE) in production, "
            "or DEBUG=1 for local development."
        )
    SECRET_KEY = "django-insecure-development-only-key-do-not-use-in-production-0123456789"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

DATA_DIR = Path(env_str("MECHANIC_DATA_DIR", str(BASE_DIR / "data"))).resolve()

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",  # htmx itself ({% htmx_script %}) and request.htmx
    "ninja",  # serves its own Swagger UI files (offline), not from a CDN
    "catalog",
    "profiler",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "mechanic.middleware.LanguageFromQuery",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "mechanic.middleware.ApiJsonErrors",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "mechanic.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "mechanic.wsgi.application"
ASGI_APPLICATION = "mechanic.asgi.application"


def _database_config() -> dict:
    import dj_database_url

    url = env_str("DATABASE_URL")
    if not url:
        url = f"sqlite:///{DATA_DIR / 'mechanic.sqlite3'}"
    try:
        config = dj_database_url.parse(url, conn_max_age=env_int("DB_CONN_MAX_AGE", 0))
    except Exception as exc:  # dj_database_url raises several types on garbage
        raise ImproperlyConfigured(f"DATABASE_URL={url!r} cannot be parsed: {exc}") from exc
    if config["ENGINE"] == "django.db.backends.sqlite3":
        folder = Path(config["NAME"]).parent
        if not env_str("DATABASE_URL"):
            # The data folder holds the embedded database and broker: made on first use.
            folder.mkdir(parents=True, exist_ok=True)
        elif config["NAME"] != ":memory:" and not folder.is_dir():
            # a folder someone named: a typo must not create folders and a database
            raise ImproperlyConfigured(
                f"DATABASE_URL names a SQLite file in {folder}, which does not exist: create "
                "the folder first, or fix the URL."
            )
        # WAL lets the web process read while the embedded worker writes.
        config.setdefault("OPTIONS", {})
        config["OPTIONS"].setdefault("timeout", 20)
        # A transaction that reads before it writes (get_or_create, then an insert) began
        # DEFERRED: once another connection committed meanwhile (the worker's run progress,
        # an autosave), SQLite refused its first write at once with "database is locked",
        # without waiting for the timeout. IMMEDIATE takes the write lock at BEGIN, so
        # writers queue behind the timeout instead (Django's SQLite notes recommend it).
        config["OPTIONS"].setdefault("transaction_mode", "IMMEDIATE")
        config["OPTIONS"].setdefault(
            "init_command", "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
        )
        config.setdefault("TEST", {})
        # A file, not :memory:, so Celery worker processes started by the tests share it.
        config["TEST"].setdefault(
            "NAME", env_str("MECHANIC_TEST_DB", str(DATA_DIR / "test.sqlite3"))
        )
    return config


DATABASES = {"default": _database_config()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Sessions live in the database so an exercise survives a server restart.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = 60 * 60 * 24 * 365

# ---------------------------------------------------------------------------------------------
# Internationalization: English, Korean, German. Technical terms stay in English everywhere.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("ko", "한국어"), ("de", "Deutsch")]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "mechanic_language"
LANGUAGE_COOKIE_AGE = 60 * 60 * 24 * 365
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"


def _plotly_static_dir() -> Path:
    # plotly.js is served from the installed plotly package (static/vendor/plotly/plotly.min.js)
    # rather than a 4 MB copy in the repo; plotly is a hard dependency of the web pages.
    import importlib.util

    spec = importlib.util.find_spec("plotly")
    if spec is None or not spec.submodule_search_locations:
        raise ImproperlyConfigured("plotly is not installed; `pip install -e .` installs it.")
    return Path(list(spec.submodule_search_locations)[0]) / "package_data"


STATICFILES_DIRS = [BASE_DIR / "static", ("vendor/plotly", _plotly_static_dir())]
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(DATA_DIR / "staticfiles"))).resolve()
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # collectstatic writes a .gz beside each file whatever DEBUG is (the Dockerfile runs it
    # with DEBUG=1); WhiteNoise serves it to clients that accept gzip.
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Production serves what collectstatic wrote (plotly.min.js: 1.4 MB gzipped, not 4.8 MB): the
# finders' copies, which have no .gz, would replace it. The finders serve in development, and
# wherever collectstatic has not run (the tests, a first start without it).
WHITENOISE_USE_FINDERS = DEBUG or not STATIC_ROOT.is_dir()
WHITENOISE_AUTOREFRESH = DEBUG

# ---------------------------------------------------------------------------------------------
# Security. `manage.py check --deploy` is clean with DEBUG=0 and a real SECRET_KEY.
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", True)
    CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# ---------------------------------------------------------------------------------------------
# Hugging Face Hub. catalog/hub.py is the only importer of huggingface_hub and passes these
# explicitly, so the client never depends on import-time environment.
HF_ENDPOINT = env_str("HF_ENDPOINT", "https://huggingface.co").rstrip("/")
if not HF_ENDPOINT.startswith(("http://", "https://")):
    raise ImproperlyConfigured(f"HF_ENDPOINT={HF_ENDPOINT!r} must start with http:// or https://.")
HF_TOKEN = env_str("HF_TOKEN") or None
HF_TIMEOUT_S = env_int("HF_TIMEOUT_S", 10, minimum=1)
HF_MAX_RETRIES = env_int("HF_MAX_RETRIES", 3, minimum=0)

# ---------------------------------------------------------------------------------------------
# Celery. Redis when REDIS_URL / CELERY_BROKER_URL is set; otherwise an embedded broker on a
# SQLite file through kombu's SQLAlchemy transport, so `make run` needs no server.
REDIS_URL = env_str("REDIS_URL")
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL") or REDIS_URL
if not CELERY_BROKER_URL:
    # One broker file per database: two databases that share MECHANIC_DATA_DIR (the default
    # SQLite file, and a DATABASE_URL elsewhere) must not take each other's jobs.
    _database_url = env_str("DATABASE_URL")
    _broker_suffix = (
        "-" + hashlib.sha256(_database_url.encode()).hexdigest()[:12] if _database_url else ""
    )
    CELERY_BROKER_URL = f"sqla+sqlite:///{DATA_DIR / f'celery-broker{_broker_suffix}.sqlite3'}"
    # its folder may not exist yet when DATABASE_URL points elsewhere (the database's own
    # mkdir above then made another folder): without it every job failed as "unreachable"
    DATA_DIR.mkdir(parents=True, exist_ok=True)
for _scheme in ("redis://", "rediss://", "sqla+", "amqp://", "memory://", "filesystem://"):
    if CELERY_BROKER_URL.startswith(_scheme):
        break
else:
    _broker_var = "CELERY_BROKER_URL" if env_str("CELERY_BROKER_URL") else "REDIS_URL"
    raise ImproperlyConfigured(
        f"{_broker_var}={CELERY_BROKER_URL!r} has an unknown scheme: use redis://HOST:PORT/DB "
        "(or rediss://); unset it for the embedded broker."
    )

# The API's per-client POST counts live in Redis when there is one, shared by every web
# process: in each process's memory, gunicorn's workers each counted a client's POSTs apart
# (API_POSTS_PER_MINUTE times the workers). Without Redis (make run: one process) process memory
# does. The default cache (rendered cards, chart figures) stays in each process's memory: a
# restart, a new release, empties it.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "api_posts": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "mechanic",
        }
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "api-posts"}
    ),
}

PROFILER_MAX_ATTEMPTS = env_int("PROFILER_MAX_ATTEMPTS", 2, minimum=1)
# Hard limit for one measurement run; must stay below the broker's visibility timeout so a
# run that is killed is never redelivered while still running.
PROFILER_TIME_LIMIT_S = env_int("PROFILER_TIME_LIMIT_S", 3600, minimum=10)
CELERY_VISIBILITY_TIMEOUT_S = env_int(
    "CELERY_VISIBILITY_TIMEOUT_S", PROFILER_TIME_LIMIT_S + 600, minimum=60
)
if CELERY_VISIBILITY_TIMEOUT_S <= PROFILER_TIME_LIMIT_S:
    raise ImproperlyConfigured(
        "CELERY_VISIBILITY_TIMEOUT_S must be larger than PROFILER_TIME_LIMIT_S."
    )

# A run whose heartbeat is older than this is presumed dead (worker killed, machine lost); the
# reaper (beat, every minute) requeues it while attempts < PROFILER_MAX_ATTEMPTS, else fails it.
PROFILER_HEARTBEAT_S = env_int("PROFILER_HEARTBEAT_S", 10, minimum=1)
PROFILER_STALE_AFTER_S = env_int("PROFILER_STALE_AFTER_S", 180, minimum=2)
PROFILER_ITERS = env_int("PROFILER_ITERS", 3, minimum=1)  # timed iterations per run
PROFILER_WARMUP = env_int("PROFILER_WARMUP", 1, minimum=0)
# A download's stop check (the worker's heartbeat thread, one indexed query per look)
PROFILER_STOP_CHECK_MS = env_int("PROFILER_STOP_CHECK_MS", 1000, minimum=50)
# Before anything imports huggingface_hub (it reads HF_HUB_DISABLE_XET into its constants
# at import): settings load first in every process (web, worker, manage.py).
# huggingface_hub's own HF_HUB_DISABLE_XET, when set, wins (it is the user's explicit choice).
PROFILER_HUB_DISABLE_XET = env_bool("PROFILER_HUB_DISABLE_XET", True)
if PROFILER_HUB_DISABLE_XET and not os.environ.get("HF_HUB_DISABLE_XET"):
    os.environ["HF_HUB_DISABLE_XET"] = "1"
PROFILER_ENQUEUE_TIMEOUT_S = env_int("PROFILER_ENQUEUE_TIMEOUT_S", 3, minimum=1)
# A queued run no worker has claimed for this long, while no worker showed any activity either,
# lost its broker message (or no gpu worker runs): the reaper sends it once more, then fails it.
PROFILER_QUEUED_STALE_AFTER_S = env_int("PROFILER_QUEUED_STALE_AFTER_S", 900, minimum=2)
# A queued run's page says, after this many seconds, that no worker has taken it yet (and how
# many runs are ahead of it), long before the reaper gives up on it.
PROFILER_QUEUED_HINT_AFTER_S = env_int("PROFILER_QUEUED_HINT_AFTER_S", 30, minimum=1)
# The device the measure form and `manage.py profile` propose: by default cuda where this
# machine has an NVIDIA driver, else cpu (`make run` on a laptop); docker compose sets cuda
# for its GPU worker.
PROFILER_DEFAULT_DEVICE = env_str(
    "PROFILER_DEFAULT_DEVICE", "cuda" if shutil.which("nvidia-smi") else "cpu"
)
if PROFILER_DEFAULT_DEVICE not in ("cuda", "cpu"):
    raise ImproperlyConfigured(
        f"PROFILER_DEFAULT_DEVICE={PROFILER_DEFAULT_DEVICE!r} must be cuda or cpu."
    )
API_POSTS_PER_MINUTE = env_int("API_POSTS_PER_MINUTE", 60, minimum=0)
# django-ninja's throttles take the client address from X-Forwarded-For when this is unset,
# so any client could pick its own address; 0 means REMOTE_ADDR, N trusts the N-th from the
# right (the address the outermost of N proxies saw)
NINJA_NUM_PROXIES = env_int("TRUSTED_PROXIES", 0, minimum=0)
# An ingest job no worker has claimed after this many seconds runs in a thread of the web
# process whose page polls it (a deployment without a worker still ingests); 0 turns the
# fallback off (catalog.views reads 0 and None alike).
INGEST_INLINE_AFTER_S = env_int("INGEST_INLINE_AFTER_S", 8, minimum=0) or None
# A running ingest job with no progress for this long lost its worker (killed, restarted, out
# of memory): the page that polls it fails it with the reason. It must outlast the longest
# silent step, one Hub file with its retries (HF_MAX_RETRIES x (HF_TIMEOUT_S, or a 429 wait of
# up to a minute)).
INGEST_STALE_AFTER_S = env_int("INGEST_STALE_AFTER_S", 600, minimum=60)
# A job run by a thread of the web process has a heartbeat (its row is touched every
# INGEST_WEB_HEARTBEAT_S while the thread lives, a slow Hub fetch included), so a web process
# that died under it is told sooner than a worker that went silent.
INGEST_WEB_HEARTBEAT_S = env_int("INGEST_WEB_HEARTBEAT_S", 5, minimum=1)
INGEST_WEB_STALE_AFTER_S = env_int("INGEST_WEB_STALE_AFTER_S", 60, minimum=10)
CELERY_BEAT_SCHEDULE = {
    "profiler-reap-stale-runs": {"task": "profiler.tasks.reap_stale_runs", "schedule": 60.0},
    # kombu's SQLAlchemy transport keeps every delivered message (visible=0): drop them
    "prune-embedded-broker": {"task": "profiler.tasks.prune_embedded_broker", "schedule": 600.0},
}

CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ROUTES = {
    "profiler.tasks.run_measurement": {"queue": "gpu"},
    "profiler.*": {"queue": "default"},
    "catalog.*": {"queue": "default"},
}
# visibility_timeout is a Redis transport option; kombu's SQLAlchemy transport hands every
# option to create_engine(), which refuses it.
CELERY_BROKER_TRANSPORT_OPTIONS = (
    {"visibility_timeout": CELERY_VISIBILITY_TIMEOUT_S}
    if CELERY_BROKER_URL.startswith(("redis://", "rediss://"))
    else {}
)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = "UTC"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}
