"""Production runs several web processes (gunicorn --workers 3 in docker-compose.yml): what
the app keeps in its cache, the API's per-client POST count above all, must be shared by them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from tests.conftest import CELERY_TEST_BROKER_URL

ROOT = Path(__file__).resolve().parents[1]

POSTS = """
import json, sys
import django
django.setup()
from django.test import Client
client = Client(REMOTE_ADDR=sys.argv[1])
codes = [
    client.post("/api/classify", json.dumps({"text": "Trained with DPO."}),
                content_type="application/json").status_code
    for _ in range(int(sys.argv[2]))
]
print(json.dumps(codes))
"""


def _posts(
    tmp_path: Path, address: str, count: int, redis_url: str = CELERY_TEST_BROKER_URL
) -> list[int]:
    env = {k: v for k, v in os.environ.items() if k not in ("CELERY_BROKER_URL", "DATABASE_URL")}
    env.update(
        DJANGO_SETTINGS_MODULE="mechanic.settings",
        DEBUG="0",
        SECRET_KEY="test-deploy-cache-" + "x" * 50,
        ALLOWED_HOSTS="testserver",
        SECURE_SSL_REDIRECT="0",
        MECHANIC_DATA_DIR=str(tmp_path),
        REDIS_URL=redis_url,  # as docker-compose.yml sets it
        API_POSTS_PER_MINUTE="10",
    )
    done = subprocess.run(
        [sys.executable, "-c", POSTS, address, str(count)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.celery  # needs the tests' Redis
def test_the_api_post_limit_holds_across_web_processes(celery_redis, tmp_path):
    # Before the fix: the cache was each process's memory, so each gunicorn worker counted its
    # own POSTs and a client got API_POSTS_PER_MINUTE times the number of workers (120 a
    # minute from 2 workers, seen on a production build).
    address = f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.7"  # a count of its own
    first = _posts(tmp_path, address, 6)
    second = _posts(tmp_path, address, 6)  # another process, the same client
    assert first == [200] * 6
    assert second == [200] * 4 + [429] * 2


def test_with_its_redis_unreachable_the_api_still_answers_posts(tmp_path):
    # the limit is a guard, not a gate: no 500 for every POST while Redis is down
    assert _posts(tmp_path, "10.0.0.9", 2, redis_url="redis://127.0.0.1:1/0") == [200, 200]
