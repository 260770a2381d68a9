"""docker-compose.yml against the Compose Specification JSON schema (vendored, see
tests/data/README.md), plus what this project needs from it."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import yaml

ROOT = Path(__file__).resolve().parents[1]


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())  # merge keys resolved


def test_compose_file_is_valid_against_the_compose_spec_schema():
    schema = json.loads((ROOT / "tests" / "data" / "compose_spec.json").read_text())
    validator_cls = jsonschema.Draft201909Validator  # the draft its $schema names
    validator_cls.check_schema(schema)
    errors = sorted(validator_cls(schema).iter_errors(compose()), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors)


def test_schema_really_rejects_a_broken_file():
    schema = json.loads((ROOT / "tests" / "data" / "compose_spec.json").read_text())
    broken = compose()
    broken["services"]["gpu-worker"]["deploy"]["resources"]["reservations"]["devices"][0][
        "capabilities"
    ] = "gpu"  # must be a list
    broken["services"]["web"]["not_a_compose_key"] = 1
    validator = jsonschema.Draft201909Validator(schema)
    messages = [e.message for e in validator.iter_errors(broken)]
    assert len(messages) >= 2


def test_services_and_gpu_reservation():
    services = compose()["services"]
    assert {"web", "postgres", "redis", "worker", "beat", "gpu-worker"} <= set(services)
    assert "gunicorn" in services["web"]["command"]
    devices = services["gpu-worker"]["deploy"]["resources"]["reservations"]["devices"]
    assert devices[0]["driver"] == "nvidia" and devices[0]["capabilities"] == ["gpu"]
    gpu_cmd = services["gpu-worker"]["command"]
    assert gpu_cmd[gpu_cmd.index("-Q") + 1] == "gpu"
    assert gpu_cmd[gpu_cmd.index("--concurrency") + 1] == "1"
    assert gpu_cmd[gpu_cmd.index("--prefetch-multiplier") + 1] == "1"
    assert "${WORKER_QUEUES:-default}" in services["worker"]["command"]
    assert "beat" in services["beat"]["command"]
    assert "cu" in services["gpu-worker"]["build"]["args"]["TORCH_INDEX_URL"]
    for name in ("web", "worker", "beat", "gpu-worker"):
        env = services[name]["environment"]
        assert env["DATABASE_URL"].startswith("postgres://")
        assert env["REDIS_URL"].startswith("redis://")


def _interpolate(value: str, env: dict[str, str]) -> str:
    """Compose's ``${VAR:-default}`` and ``${VAR}`` (what this file uses), from ``env``."""
    import re

    def sub(m: re.Match[str]) -> str:
        return env.get(m.group(1)) or (m.group(3) or "")

    return re.sub(r"\$\{(\w+)(:-([^}]*))?\}", sub, value)


def test_without_a_gpu_the_default_worker_can_take_the_measurement_queue():
    """A compose setup without the GPU worker must still be able to run CPU measurements
    (``run_measurement`` is routed to ``gpu``): WORKER_QUEUES adds that queue to the worker."""
    from django.conf import settings

    route = settings.CELERY_TASK_ROUTES["profiler.tasks.run_measurement"]["queue"]
    cmd = compose()["services"]["worker"]["command"]
    queues = cmd[cmd.index("-Q") + 1]
    assert _interpolate(queues, {}).split(",") == ["default"]
    both = _interpolate(queues, {"WORKER_QUEUES": "default,gpu"}).split(",")
    assert both == ["default", route]
    head = (ROOT / "docker-compose.yml").read_text().split("x-app-env")[0]
    assert (
        "WORKER_QUEUES=default,gpu PROFILER_DEFAULT_DEVICE=cpu docker compose up web worker beat"
        in head
    )


def test_dockerfile_takes_the_torch_index_as_a_build_arg():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "ARG TORCH_INDEX_URL" in dockerfile
    assert '--index-url "${TORCH_INDEX_URL}"' in dockerfile


def test_worker_command_lines_are_documented():
    from profiler import tasks

    doc = tasks.__doc__ or ""
    assert (
        "celery -A mechanic worker -Q gpu --concurrency 1 --prefetch-multiplier 1 -n gpu@%h" in doc
    )
    assert "-Q default" in doc


def test_web_loads_the_demo_catalog_and_gunicorn_gets_the_stop_signal():
    # Before the fix: the web service only migrated, so a compose deployment's home page sent
    # its showcase and its three lessons to "None of these models is in the catalog", and the
    # exercise knew no closed model; and gunicorn ran under sh, which does not pass docker's
    # SIGTERM on (killed after the stop timeout instead of a graceful stop).
    command = compose()["services"]["web"]["command"]
    steps = [step.strip() for step in command.split("&&")]
    assert steps[0].endswith("manage.py migrate --noinput")
    assert "python manage.py load_demo" in steps[1:-1]
    assert steps[-1].startswith("exec gunicorn ")
