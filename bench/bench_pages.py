"""Page benchmark: 1,000 models in a database, gunicorn on loopback, a few concurrent clients.

    .venv/bin/python bench/bench_pages.py [--models 1000] [--workers 4] [--clients 4]
                                          [--requests 400]

Builds a throwaway SQLite database in a temp folder (tables from the models, no migration files
needed), loads the bundled demo catalog (``manage.py load_demo``), copies the demo analyses
under generated repo IDs up to ``--models``, starts gunicorn on 127.0.0.1, and times model
and compare pages from ``--clients`` threads.

Each gunicorn worker is warmed before it takes a connection (a ``post_worker_init`` hook renders
a model and a compare page in the worker: imports, compiled templates, URL resolver, GPU
table). Page caches are not pre-filled: the random URLs over ``--models`` models are mostly
first visits, so the numbers are close to the cold path.

Prints, per page, p50/p99 of the SERVER time (gunicorn's access log ``%(D)s``: from the
request parsed to the response written, in the worker) and of the client time (round trip on
loopback, which adds queueing when the clients outnumber the free workers).

Target: p99 < 100 ms for the model page.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable

SETTINGS = textwrap.dedent(
    """
    from mechanic.settings import *  # noqa: F403

    # Tables straight from the models: the bench does not depend on migration files.
    MIGRATION_MODULES = {"catalog": None, "profiler": None}
    LOGGING = {"version": 1, "disable_existing_loggers": False}
    """
)

# gunicorn config: warm each worker in-process before it accepts a connection.
GUNICORN_CONF = textwrap.dedent(
    """
    import io
    from wsgiref.util import setup_testing_defaults

    WARM_URLS = [
        ("/models/meta-llama/Llama-3.1-8B-Instruct/", ""),
        ("/compare/", "models=meta-llama/Llama-3.1-8B,nvidia/Nemotron-H-8B-Base-8K"),
    ]


    def post_worker_init(worker):
        for path, query in WARM_URLS * 2:
            environ = {
                "REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": query,
                "HTTP_HOST": "127.0.0.1", "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "80",
                "wsgi.input": io.BytesIO(),
            }
            setup_testing_defaults(environ)
            body = worker.wsgi(environ, lambda status, headers, exc_info=None: None)
            b"".join(body)
            getattr(body, "close", lambda: None)()
    """
)

LOAD = textwrap.dedent(
    """
    import copy, django, sys
    django.setup()
    from django.core.management import call_command
    from django.db import transaction
    from catalog.models import Artifact, CatalogModel, Revision

    target = int(sys.argv[1])
    call_command("load_demo", verbosity=0)
    demos = [m for m in CatalogModel.objects.select_related("latest_revision")
             if m.latest_revision and m.latest_revision.analysis]
    if not demos:
        sys.exit("load_demo loaded no analyzed model; nothing to benchmark")
    configs = dict(Artifact.objects.filter(kind="config").values_list("revision_id", "data"))
    cards = dict(Artifact.objects.filter(kind="card").values_list("revision_id", "text"))
    need = target - CatalogModel.objects.count()
    with transaction.atomic():
        models = CatalogModel.objects.bulk_create(
            [CatalogModel(repo_id=f"bench-org{i % 37}/model-{i:05d}", summary="bench copy")
             for i in range(max(0, need))]
        )
        revisions = Revision.objects.bulk_create(
            [Revision(model=m, sha=f"{i:064x}", source="bundled", analysis_version=1,
                      analysis=copy.deepcopy(demos[i % len(demos)].latest_revision.analysis))
             for i, m in enumerate(models)]
        )
        arts = []
        for i, r in enumerate(revisions):
            src = demos[i % len(demos)].latest_revision_id
            if configs.get(src) is not None:
                arts.append(Artifact(revision=r, name="config.json", kind="config", text="{}",
                                     data=configs[src]))
            if cards.get(src):
                arts.append(Artifact(revision=r, name="README.md", kind="card", text=cards[src],
                                     sha256=f"bench{src}"))
        Artifact.objects.bulk_create(arts, batch_size=500)
        for m, r in zip(models, revisions):
            m.latest_revision = r
        CatalogModel.objects.bulk_update(models, ["latest_revision"], batch_size=500)
    print(CatalogModel.objects.count())
    """
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_up(port: int, timeout_s: float = 30.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/api/models?q=zzz-none")
            conn.getresponse().read()
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"gunicorn did not answer on port {port} within {timeout_s:.0f} s")


def _percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))
    return ordered[index]


def _server_ms(log: Path, offset: int, path_prefix: str) -> list[float]:
    """Server times (ms) of the access-log lines for ``path_prefix`` written after ``offset``
    bytes (a worker writes its line after the response, so an earlier request's line can land
    after the offset: the path tells them apart)."""
    with log.open("rb") as f:
        f.seek(offset)
        lines = f.read().decode().splitlines()
    # format: "<path> <status> <microseconds>"
    return [
        int(parts[2]) / 1000
        for parts in (line.split() for line in lines)
        if len(parts) == 3 and parts[0].startswith(path_prefix)
    ]


def _summary(label: str, values: list[float]) -> str:
    return (
        f"{label} p50={statistics.median(values):6.1f} ms p99={_percentile(values, 99):6.1f} ms "
        f"max={max(values):6.1f} ms"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--requests", type=int, default=400, help="per page type, all clients")
    parser.add_argument("--keep", action="store_true", help="keep the temp folder")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="mechanic-bench-"))
    (tmp / "bench_settings.py").write_text(SETTINGS)
    (tmp / "gunicorn_bench.py").write_text(GUNICORN_CONF)
    access_log = tmp / "access.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench_settings",
        "PYTHONPATH": f"{tmp}{os.pathsep}{ROOT}",
        "MECHANIC_DATA_DIR": str(tmp),
        "DEBUG": "0",
        "SECRET_KEY": "bench-only-" + "x" * 50,
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "SECURE_HSTS_SECONDS": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
    }
    env.pop("DATABASE_URL", None)
    server = None
    try:
        subprocess.run(
            [PYTHON, "-m", "django", "migrate", "--run-syncdb", "-v", "0"],
            env=env,
            cwd=ROOT,
            check=True,
        )
        started = time.monotonic()
        out = subprocess.run(
            [PYTHON, "-c", LOAD, str(args.models)],
            env=env,
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        )
        total_models = int(out.stdout.strip().splitlines()[-1])
        print(f"database: {total_models} models in {time.monotonic() - started:.1f} s ({tmp})")

        port = _free_port()
        server = subprocess.Popen(
            [
                PYTHON,
                "-m",
                "gunicorn",
                "mechanic.wsgi",
                "-w",
                str(args.workers),
                "-b",
                f"127.0.0.1:{port}",
                "--log-level",
                "warning",
                "-c",
                str(tmp / "gunicorn_bench.py"),
                "--access-logfile",
                str(access_log),
                "--access-logformat",
                "%(U)s %(s)s %(D)s",
            ],
            env=env,
            cwd=ROOT,
        )
        _wait_up(port)

        sys.path[:0] = [str(tmp), str(ROOT)]
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request("GET", "/api/models")
        import json

        ids = [m["repo_id"] for m in json.loads(conn.getresponse().read())]
        rng = random.Random(0)
        pages = {
            "model": [f"/models/{rng.choice(ids)}/" for _ in range(args.requests)],
            "compare": [
                "/compare/?models=" + ",".join(rng.sample(ids, 2)) for _ in range(args.requests)
            ],
        }
        for name, urls in pages.items():
            timings: list[float] = []
            errors: list[str] = []
            lock = threading.Lock()
            chunks = [urls[i :: args.clients] for i in range(args.clients)]

            def client(chunk: list[str], timings=timings, errors=errors, lock=lock) -> None:
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                for url in chunk:
                    t0 = time.perf_counter()
                    c.request("GET", url)
                    response = c.getresponse()
                    response.read()
                    elapsed_ms = (time.perf_counter() - t0) * 1000
                    with lock:
                        if response.status != 200:
                            errors.append(f"{response.status} {url}")
                        timings.append(elapsed_ms)

            log_offset = access_log.stat().st_size
            threads = [threading.Thread(target=client, args=(c,)) for c in chunks]
            wall = time.perf_counter()
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            wall_s = time.perf_counter() - wall
            time.sleep(0.2)  # the worker writes its access-log line after the response
            prefix = {"model": "/models/", "compare": "/compare/"}[name]
            server_ms = _server_ms(access_log, log_offset, prefix)
            print(
                f"{name:8s} n={len(timings):4d} {_summary('server', server_ms)} | "
                f"{_summary('client', timings)}  {len(timings) / wall_s:6.1f} req/s  "
                f"errors={len(errors)}"
            )
            for e in errors[:5]:
                print("   ", e)
        return 0
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
