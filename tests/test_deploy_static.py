"""Production static files as a deployer gets them: collectstatic (as the Dockerfile runs it),
then the app with DEBUG=0 serves what it wrote, compressed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

SERVE = """
import django
django.setup()
from django.test import Client
response = Client().get("/static/vendor/plotly/plotly.min.js", HTTP_ACCEPT_ENCODING="gzip")
print(response.status_code, response.get("Content-Encoding", "-"), response["Content-Length"])
"""


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "STATIC_ROOT")}
    env.update(
        DJANGO_SETTINGS_MODULE="mechanic.settings",
        MECHANIC_DATA_DIR=str(tmp_path / "data"),
        SECRET_KEY="test-deploy-static-" + "x" * 50,
        ALLOWED_HOSTS="testserver",
        SECURE_SSL_REDIRECT="0",
        **extra,
    )
    return env


def test_production_serves_the_collected_files_compressed(tmp_path):
    # Before the fix: collectstatic's .gz files were never served: WHITENOISE_USE_FINDERS=True
    # made WhiteNoise serve every file from the finders (the repo and the plotly package), which
    # have none, so each model page sent plotly's 4.8 MB uncompressed (about 1.4 MB gzipped);
    # and the Dockerfile's collectstatic (DEBUG=1) wrote no .gz files at all.
    static_root = tmp_path / "static-root"
    collect = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=_env(tmp_path, DEBUG="1", STATIC_ROOT=str(static_root)),  # as the Dockerfile does
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert collect.returncode == 0, collect.stderr
    assert (static_root / "vendor" / "plotly" / "plotly.min.js.gz").is_file()
    served = subprocess.run(
        [sys.executable, "-c", SERVE],
        cwd=ROOT,
        env=_env(tmp_path, DEBUG="0", STATIC_ROOT=str(static_root)),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert served.returncode == 0, served.stderr
    status, encoding, length = served.stdout.split()
    assert (status, encoding) == ("200", "gzip")
    assert int(length) < 2_000_000


def test_without_collectstatic_production_still_serves_from_the_finders(tmp_path):
    served = subprocess.run(
        [sys.executable, "-c", SERVE],
        cwd=ROOT,
        env=_env(tmp_path, DEBUG="0", STATIC_ROOT=str(tmp_path / "never-collected")),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert served.returncode == 0, served.stderr
    assert served.stdout.split()[0] == "200"


def test_the_image_collects_static_files_outside_the_data_volume():
    # docker-compose mounts a named volume on MECHANIC_DATA_DIR (/data): files collected there at
    # build time are copied into the volume once, and an upgraded image would serve the first
    # image's CSS and JS from it.
    dockerfile = (ROOT / "Dockerfile").read_text()
    env = dict(
        line.strip().rstrip("\\").strip().split("=", 1)
        for line in dockerfile.split("ENV ", 1)[1].split("\n\n", 1)[0].splitlines()
        if "=" in line
    )
    assert env["MECHANIC_DATA_DIR"] == "/data"
    assert "STATIC_ROOT" in env and not env["STATIC_ROOT"].startswith("/data")
    assert dockerfile.index("STATIC_ROOT=") < dockerfile.index("collectstatic")
