"""Shared pytest fixtures. One section per feature; each engineer appends to their own section."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

SHARED_DIR = Path(
    os.environ.get("MECHANIC_SHARED_DIR", Path(__file__).resolve().parents[1].parent / "shared")
)


def shared_path(relative: str) -> Path:
    """``../shared/<relative>`` (the real configs, cards, indexes and gold statements tests
    read). Missing: a skip that says where it was looked for, except in CI (``CI=true``),
    where it is a failure, so a CI machine without it can never pass by skipping."""
    path = SHARED_DIR / relative
    if not path.exists():
        message = (
            f"no shared data at {path}: clone the repository next to shared/ "
            "or set MECHANIC_SHARED_DIR"
        )
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path


def shared_hub() -> Path:
    return shared_path("hub")


def pytest_sessionstart(session):
    """In CI the shared data must be there: refuse to start rather than let the modules that
    skip without it (the engine's reference tests among them) pass by skipping."""
    hub = SHARED_DIR / "hub"
    if os.environ.get("CI") == "true" and not hub.is_dir():
        raise pytest.UsageError(
            f"CI=true but there is no shared Hub data at {hub}: check out shared/ next to the "
            "repository or set MECHANIC_SHARED_DIR"
        )


def pytest_report_header(config):
    hub = SHARED_DIR / "hub"
    return f"shared Hub data: {hub} ({'found' if hub.is_dir() else 'MISSING: tests that read it skip, and fail in CI'})"


@pytest.fixture(autouse=True)
def _language_reset_between_tests():
    """A request leaves its language active in the thread: every test starts in English."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.deactivate()


LOCALE_VARIABLES = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")


@pytest.fixture(autouse=True)
def _terminal_language_unset(monkeypatch):
    """The commands (analyze, profile, ingest, python -m profiler.bench) speak the language
    the environment asks for (axes.l10n.environment_language), in process and in the
    subprocesses a test starts with os.environ: every test starts with no locale variable
    set, so English, whatever the developer's LANG says (a German LANG failed the English
    assertions). A test sets the variables it is about (monkeypatch.setenv, or
    ``cli_env(LANGUAGE="ko")`` for a subprocess); Python still reads stdio as UTF-8 (PEP 538)."""
    for name in LOCALE_VARIABLES:
        monkeypatch.delenv(name, raising=False)


def cli_env(**extra: str) -> dict[str, str]:
    """os.environ for a command-line subprocess, with no locale variable but those given
    (``cli_env(LANG="de_DE.UTF-8")``): its language is the test's choice, never the
    developer's."""
    env = {k: v for k, v in os.environ.items() if k not in LOCALE_VARIABLES}
    return {**env, **extra}


@pytest.fixture(autouse=True)
def _cache_reset_between_tests():
    """Every test starts with an empty default cache. Pages cache by revision id
    (``normalized:<id>:<version>``, charts, fragments) and a rolled-back test's ids are given
    again to the next test's rows (SQLite reuses them): the compare page of
    test_review_upload's huge-number test showed test_verdict's demo Llama config, and failed
    when run after it."""
    from django.core.cache import cache

    cache.clear()


# =============================================================================================
# Hub: a loopback Hugging Face Hub for the real huggingface_hub client (owner: ingest)
#
# Set before anything imports huggingface_hub: its constants are read at import time. The
# default endpoint is a dead loopback port, so no test can ever reach the real Hub; the `hub`
# fixture points settings.HF_ENDPOINT at the loopback server. HF_HOME is a throwaway folder
# so no token or cache from this machine is used (catalog.hub never uses the file cache).
os.environ["HF_ENDPOINT"] = "http://127.0.0.1:9"
os.environ["HF_HOME"] = tempfile.mkdtemp(prefix="mechanic-test-hf-home-")
os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"
os.environ.pop("HF_TOKEN", None)
os.environ.pop("HF_HUB_OFFLINE", None)


@pytest.fixture(scope="session")
def hub_server():
    from tests.hubserver import LoopbackHub

    server = LoopbackHub(shared_dir=shared_hub()).start()
    yield server
    server.stop()


@pytest.fixture
def hub(hub_server, settings):
    """The loopback Hub, empty of faults and test repos, with fast retries and timeouts."""
    hub_server.reset()
    settings.HF_ENDPOINT = hub_server.url
    settings.HF_TOKEN = None
    settings.HF_TIMEOUT_S = 2
    settings.HF_MAX_RETRIES = 2
    settings.HF_BACKOFF_BASE_S = 0.01
    settings.HF_RATELIMIT_MAX_WAIT_S = 3
    yield hub_server
    hub_server.reset()


# =============================================================================================


# =============================================================================================
# Celery workers: real `celery worker` processes against a real Redis (owner: profiler)
#
# The workers share the test database through a file (settings: DATABASES TEST NAME, default
# DATA_DIR/test.sqlite3) or PostgreSQL; tests that use them take `transactional_db` so the
# rows they write are committed and visible to the worker.
CELERY_TEST_BROKER_URL = os.environ.get("MECHANIC_TEST_REDIS_URL", "redis://127.0.0.1:6379/7")


def _database_url_for_workers() -> str:
    from django.db import connection

    sd = connection.settings_dict
    if sd["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{sd['NAME']}"
    from urllib.parse import quote

    auth = quote(sd.get("USER") or "")
    if sd.get("PASSWORD"):
        auth += ":" + quote(sd["PASSWORD"])
    host = sd.get("HOST") or "127.0.0.1"
    port = sd.get("PORT") or 5432
    return f"postgres://{auth}@{host}:{port}/{sd['NAME']}"


class CeleryWorker:
    """One `celery -A mechanic worker` subprocess in its own process group."""

    def __init__(self, *, queues: str, name: str, env: dict[str, str], log_path: Path) -> None:
        import subprocess
        import sys

        self.name = name
        self.log_path = log_path
        self._log = open(log_path, "wb")  # noqa: SIM115 - closed in stop()
        cmd = [
            sys.executable, "-m", "celery", "-A", "mechanic", "worker",
            "-Q", queues, "--concurrency", "1", "--prefetch-multiplier", "1",
            "-n", f"{name}@%h", "-l", "info",
            "--without-gossip", "--without-mingle", "--without-heartbeat",
        ]  # fmt: skip
        self.proc = subprocess.Popen(
            cmd,
            cwd=Path(__file__).resolve().parents[1],
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_ready(self, timeout_s: float = 60) -> CeleryWorker:
        import time

        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if " ready." in self.log():
                return self
            if self.proc.poll() is not None:
                raise RuntimeError(f"worker {self.name} exited:\n{self.log()[-3000:]}")
            time.sleep(0.2)
        raise RuntimeError(
            f"worker {self.name} not ready after {timeout_s} s:\n{self.log()[-3000:]}"
        )

    def kill(self) -> None:
        """SIGKILL the worker's main process only (as a crashed machine would)."""
        import signal

        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        import signal
        import subprocess

        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(5)
            except ProcessLookupError:
                pass
        else:  # the main process is gone (killed); end what is left of its group
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self._log.close()


@pytest.fixture(scope="session")
def celery_redis():
    """A clean Redis database for the Celery tests (real server; CI starts it)."""
    import redis

    client = redis.Redis.from_url(CELERY_TEST_BROKER_URL)
    client.ping()
    client.flushdb()
    yield client
    client.flushdb()


@pytest.fixture(scope="session")
def worker_env(django_db_setup, django_db_blocker, celery_redis, tmp_path_factory):
    """Environment of worker processes: same database, Redis broker, fast heartbeats."""
    from django.conf import settings as dj_settings

    with django_db_blocker.unblock():
        database_url = _database_url_for_workers()
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "CELERY_BROKER_URL", "REDIS_URL")
    }
    env.update(
        DEBUG="1",
        DATABASE_URL=database_url,
        CELERY_BROKER_URL=CELERY_TEST_BROKER_URL,
        MECHANIC_DATA_DIR=str(dj_settings.DATA_DIR),
        PROFILER_HEARTBEAT_S="1",
        PROFILER_ITERS="2",
        PROFILER_WARMUP="1",
        LOG_LEVEL="INFO",
        PYTHONUNBUFFERED="1",
    )
    return env


@pytest.fixture
def celery_worker_factory(worker_env, tmp_path):
    """Start workers for one test: ``start(queues="gpu", name="gpu1", **extra_env)``."""
    started: list[CeleryWorker] = []

    def start(*, queues: str = "gpu", name: str = "gpu", **extra_env: str) -> CeleryWorker:
        env = {**worker_env, **extra_env}
        worker = CeleryWorker(
            queues=queues, name=name, env=env, log_path=tmp_path / f"worker-{name}.log"
        )
        started.append(worker)
        return worker.wait_ready()

    yield start
    for worker in started:
        worker.stop()


@pytest.fixture
def english():
    """Messages in English whatever an earlier test left active (the test client's requests
    leave LocaleMiddleware's language on the thread): run messages are stored as written."""
    from django.utils import translation

    with translation.override("en"):
        yield


def celery_app_broker_use(url: str) -> str:
    """Send this process's ``.delay()`` calls to ``url``; returns the broker it replaced.

    Celery's app reads its broker once; and kombu keeps a closed pool in its registry, where
    the next enqueue to that broker found it ("Acquire on closed pool"): every pool is
    closed and forgotten."""
    import kombu.pools

    from mechanic.celery import app

    previous = app.conf.broker_url
    kombu.pools.reset()
    app._pool = None
    app.amqp._producer_pool = None
    app.conf.broker_url = url
    return previous


@pytest.fixture
def celery_broker(settings, celery_redis):
    """Point this process's enqueues at the test Redis (the workers read the same)."""
    settings.CELERY_BROKER_URL = CELERY_TEST_BROKER_URL
    settings.PROFILER_STALE_AFTER_S = 3
    celery_redis.flushdb()
    # the app too: a test before this one may have pointed it at its own embedded broker
    previous = celery_app_broker_use(CELERY_TEST_BROKER_URL)
    yield celery_redis
    celery_app_broker_use(previous)


# =============================================================================================
# Web pages, browser and live server (owner: web)
#
# `web_model` stores a CatalogModel + Revision whose `analysis` follows the stored-report
# contract (params/memory/compute/backbone/facts), built here from a real config.json of
# ../shared/hub so the pages can be tested without the engine. `demo_catalog` loads the
# bundled catalog through `manage.py load_demo` when it exists.

WEB_LLAMA_FACTS_CARD = """---
license: llama3
base_model: meta-llama/Meta-Llama-3-8B
---
# Meta Llama 3 8B Instruct

The model uses supervised fine-tuning (SFT) and RLHF to align with human preferences.
Use a temperature of 0.6 and top_p of 0.9.
It supports tool calling through the chat template.
<script>alert("card-xss")</script>
"""


def web_analysis(
    *,
    layers: list[str],
    total: int,
    active: int | None = None,
    kv_bytes_per_token: int = 131072,
    context_length: int = 8192,
    decoder_type: str = "dense",
    attention: str = "GQA",
    facts: list[dict] | None = None,
    state_bytes: int = 0,
) -> dict:
    """A stored analysis in the contract's shape (numbers need not be exact for page tests)."""
    active = active or total
    bf16 = 2 * total
    return {
        "params": {
            "total": total,
            "active": active,
            "active_excluding_input_embedding": active - 525_336_576,
            "breakdown": {
                "embedding": 525_336_576,
                "attention": int(total * 0.15),
                "mlp": int(total * 0.7),
                "lm_head": 525_336_576,
            },
        },
        "memory": {
            "weights_bytes": {"bf16": bf16, "fp8": total, "int4": total // 2, "stored": bf16},
            "kv_bytes_per_token": kv_bytes_per_token,
            "state_bytes_per_sequence": state_bytes,
            "max_context_by_gpu": {"H100-SXM": 400_000, "RTX-4090": 32_768},
        },
        "compute": {
            "flops_per_token": 2 * active,
            "roofline": {"RTX-4090": 18.7, "A100-80GB": 127.0, "H100-SXM": 208.6, "H200": 299.0},
        },
        "backbone": {
            "decoder_type": decoder_type,
            "attention": {"variant": attention},
            "layers": {
                "counts": {t: layers.count(t) for t in set(layers)},
                "pattern": layers,
                "summary": ", ".join(f"{layers.count(t)} × {t}" for t in dict.fromkeys(layers)),
            },
            "context_length": context_length,
        },
        "facts": facts or [],
        "notes": [],
    }


def web_fact(
    axis: str,
    kind: str,
    value,
    source: str = "config.json",
    locator: str = "x",
    text: str = "x = 1",
    confidence: float = 1.0,
    extra: dict | None = None,
) -> dict:
    fact = {
        "axis": axis,
        "kind": kind,
        "value": value,
        "confidence": confidence,
        "extractor": "config" if source == "config.json" else "card_rules",
        "evidence": {"source": source, "locator": locator, "text": text},
    }
    if extra:
        fact["extra"] = extra
    return fact


def web_llama_facts() -> list[dict]:
    return [
        web_fact(
            "backbone",
            "backbone.family",
            "llama",
            locator="model_type",
            text='model_type = "llama"',
        ),
        web_fact(
            "backbone",
            "backbone.attention",
            "GQA, 8 KV heads",
            locator="num_key_value_heads",
            text="num_key_value_heads = 8",
        ),
        web_fact(
            "backbone",
            "backbone.context_length",
            8192,
            locator="max_position_embeddings",
            text="max_position_embeddings = 8192",
        ),
        web_fact(
            "post_training",
            "post_training.stage",
            "instruct",
            source="README.md",
            locator="L7",
            text="The model uses supervised fine-tuning (SFT) and RLHF",
            confidence=0.9,
        ),
        web_fact(
            "post_training",
            "post_training.lineage",
            {"base_model": "meta-llama/Meta-Llama-3-8B", "relation": "finetune"},
            source="README.md",
            locator="L3",
            text="base_model: meta-llama/Meta-Llama-3-8B",
        ),
        web_fact(
            "inference",
            "inference.sampling",
            {"temperature": 0.6, "top_p": 0.9},
            source="README.md",
            locator="L8",
            text="Use a temperature of 0.6 and top_p of 0.9.",
        ),
        web_fact(
            "product",
            "product.tool_use",
            "tool calling",
            source="README.md",
            locator="L9",
            text="It supports tool calling through the chat template.",
            confidence=0.8,
        ),
        web_fact(
            "context",
            "context.license",
            "llama3",
            source="README.md",
            locator="L2",
            text="license: llama3",
        ),
        web_fact(
            "context",
            "context.evaluation",
            "<img src=x onerror=alert(1)>",
            source="README.md",
            locator="L10",
            text="<script>alert('fact-xss')</script>",
            confidence=0.5,
        ),
    ]


@pytest.fixture
def web_model(db):
    """Factory: web_model(repo_id, analysis=..., config=..., card=..., revisions=1)."""
    from catalog.models import Artifact, CatalogModel, Revision

    def make(
        repo_id: str,
        *,
        analysis: dict,
        config: dict | None = None,
        card: str | None = None,
        revisions: int = 1,
        summary: str = "",
    ) -> CatalogModel:
        model = CatalogModel.objects.create(repo_id=repo_id, summary=summary)
        rev = None
        for i in range(revisions):
            rev = Revision.objects.create(
                model=model,
                sha=f"{i:040d}",
                source=Revision.Source.BUNDLED,
                analysis=analysis,
                analysis_version=1,
            )
            if config is not None:
                Artifact.objects.create(
                    revision=rev, name="config.json", kind="config", text="{}", data=config
                )
            if card is not None:
                Artifact.objects.create(
                    revision=rev,
                    name="README.md",
                    kind="card",
                    text=card,
                    sha256=f"{abs(hash(card)):x}",
                )
        model.latest_revision = rev
        model.save(update_fields=["latest_revision"])
        return model

    return make


def _web_shared_config(name: str) -> dict:
    import json

    # parse_constant: some configs carry Infinity (Nemotron-H time_step_limit), invalid in JSON
    return json.loads(
        (shared_hub() / name / "config.json").read_text(), parse_constant=lambda c: None
    )


def web_report(config: dict, facts: list[dict]) -> dict:
    """The engine's real backbone report for a config, with the given facts."""
    from axes.backbone.report import analyze_config

    report = analyze_config(config)
    report["facts"] = facts
    return report


@pytest.fixture
def web_showcase(web_model):
    """Llama 3 8B (dense, 32 attention layers), its Instruct sibling, and Nemotron-H (hybrid).

    Configs are the real ones from ../shared/hub (Llama 3.1 8B stands in for Llama 3 8B, the
    56B Nemotron-H for the 8B: same wiring), analyzed by the engine."""
    llama_cfg = _web_shared_config("meta-llama--Llama-3.1-8B")
    nemo_cfg = _web_shared_config("nvidia--Nemotron-H-56B-Base-8K")
    base = web_model(
        "meta-llama/Meta-Llama-3-8B",
        analysis=web_report(llama_cfg, web_llama_facts()[:3]),
        config=llama_cfg,
        summary="Dense transformer, GQA",
    )
    instruct = web_model(
        "meta-llama/Meta-Llama-3-8B-Instruct",
        analysis=web_report(llama_cfg, web_llama_facts()),
        config=llama_cfg,
        card=WEB_LLAMA_FACTS_CARD,
    )
    pattern = nemo_cfg["hybrid_override_pattern"]
    nemo = web_model(
        "nvidia/Nemotron-H-8B-Base-8K",
        analysis=web_report(
            nemo_cfg,
            [
                web_fact(
                    "backbone",
                    "backbone.layers",
                    "Mamba-2 hybrid",
                    locator="hybrid_override_pattern",
                    text=pattern,
                )
            ],
        ),
        config=nemo_cfg,
    )
    return {"base": base, "instruct": instruct, "nemo": nemo, "nemo_layers": len(pattern)}


SCREENSHOT_DIR = Path(__file__).resolve().parents[1] / "test-artifacts" / "screenshots"
CHROMIUM_PATH = os.environ.get("MECHANIC_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    """Debian's chromium, headless, driven by Playwright's sync API."""
    if not Path(CHROMIUM_PATH).exists():
        pytest.skip(f"{CHROMIUM_PATH} is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the live server's ORM calls
    # happen in another thread, but fixtures touching the DB run here.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as pw:
        instance = pw.chromium.launch(
            executable_path=CHROMIUM_PATH, headless=True, args=CHROMIUM_ARGS
        )
        yield instance
        instance.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    pg = context.new_page()
    pg.set_default_timeout(15_000)
    yield pg
    context.close()


@pytest.fixture
def screenshot():
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)

    def shoot(pg, name: str, *, full_page: bool = True) -> Path:
        path = SCREENSHOT_DIR / f"{name}.png"
        pg.screenshot(path=str(path), full_page=full_page)
        return path

    return shoot


@pytest.fixture
def browser_catalog(transactional_db, web_model):
    """The bundled demo catalog (manage.py load_demo) plus the showcase models if missing."""
    from django.core.management import call_command

    from catalog.models import CatalogModel

    try:
        call_command("load_demo", verbosity=0)
    except Exception as exc:  # the demo loader is another feature; the pages still get data
        print(f"load_demo failed, using the web fixtures only: {exc}")
    llama_cfg = _web_shared_config("meta-llama--Llama-3.1-8B")
    nemo_cfg = _web_shared_config("nvidia--Nemotron-H-56B-Base-8K")
    wanted = {
        "meta-llama/Meta-Llama-3-8B": (llama_cfg, web_llama_facts()[:3], None),
        "meta-llama/Meta-Llama-3-8B-Instruct": (llama_cfg, web_llama_facts(), WEB_LLAMA_FACTS_CARD),
        "nvidia/Nemotron-H-8B-Base-8K": (nemo_cfg, [], None),
    }
    for repo_id, (cfg, facts, card) in wanted.items():
        if not CatalogModel.objects.filter(repo_id=repo_id, latest_revision__isnull=False).exists():
            CatalogModel.objects.filter(repo_id=repo_id).delete()
            web_model(repo_id, analysis=web_report(cfg, facts), config=cfg, card=card)
    return CatalogModel.objects.count()
