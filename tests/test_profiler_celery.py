"""Measurement runs through REAL Celery workers (subprocesses) and a REAL Redis broker.

Workers share the test database (a file SQLite database, or PostgreSQL), so every test here
uses ``transactional_db``: rows are committed before a worker reads them.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from kombu import Connection

from catalog.models import Artifact, CatalogModel, Revision
from profiler import services
from profiler.models import MeasurementRun
from tests.conftest import CELERY_TEST_BROKER_URL
from tests.test_profiler_bench import TINY_LLAMA, TINY_QWEN3_MOE, analytic_params, tiny_checkpoint

pytestmark = [
    pytest.mark.celery,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("english"),
]

Status = MeasurementRun.Status
# Slow enough to observe and interrupt (thousands of decode steps), tiny in memory.
SLOW = {"prompt_len": 16, "new_tokens": 800, "dtype": "float32", "device": "cpu"}
QUICK = {"prompt_len": 8, "new_tokens": 4, "dtype": "float32", "device": "cpu"}


def revision_with_config(config: dict, repo_id: str = "test/tiny") -> Revision:
    model = CatalogModel.objects.create(repo_id=repo_id)
    revision = Revision.objects.create(model=model, sha="0" * 40, source=Revision.Source.UPLOAD)
    Artifact.objects.create(
        revision=revision,
        name="config.json",
        kind=Artifact.Kind.CONFIG,
        text=json.dumps(config),
        data=config,
    )
    return revision


def wait_for(predicate, timeout_s: float, what: str, worker=None):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    log = worker.log()[-4000:] if worker is not None else ""
    raise AssertionError(f"timed out waiting for {what}\n{log}")


def run_state(run_id: int) -> MeasurementRun:
    return MeasurementRun.objects.get(pk=run_id)


def finished(run_id: int) -> MeasurementRun | None:
    run = run_state(run_id)
    return run if not run.is_active else None


def test_run_is_routed_to_the_gpu_queue_and_reports_progress(celery_broker, celery_worker_factory):
    revision = revision_with_config(TINY_LLAMA)
    default = celery_worker_factory(queues="default", name="default")
    run = services.run_request(revision=revision, mode="synthetic", **QUICK)
    assert run.status == Status.QUEUED
    # Only a default-queue worker is up: the message waits in Redis on the list "gpu".
    wait_for(lambda: celery_broker.llen("gpu") == 1, 10, "the message on queue gpu")
    time.sleep(1.0)
    assert run_state(run.pk).status == Status.QUEUED
    assert celery_broker.llen("default") == 0
    assert (
        "profiler.tasks.run_measurement"
        not in default.log().split("[tasks]")[-1].split("ready")[-1]
    )

    gpu = celery_worker_factory(queues="gpu", name="gpu")
    stages: set[str] = set()
    pcts: list[int] = []

    def watch():
        current = run_state(run.pk)
        stages.add(current.stage)
        pcts.append(current.progress_pct)
        return None if current.is_active else current

    done = wait_for(watch, 120, "the run to finish", gpu)
    assert done.status == Status.SUCCEEDED, done.error
    assert done.attempts == 1
    assert done.worker_host.startswith("gpu@")
    assert done.result["params_loaded"] == analytic_params(TINY_LLAMA)
    assert done.residuals["params"] == 0
    assert done.started_at and done.heartbeat_at and done.finished_at
    assert stages & {"prepare", "inspect", "build", "warmup", "measure", "done"}, stages
    assert celery_broker.llen("gpu") == 0


def test_progress_moves_within_a_timed_run(celery_broker, celery_worker_factory):
    # Before the fix: progress moved only between timed runs, so a long CPU run (one run,
    # thousands of decode steps) sat at the same percentage for minutes and looked hung. Now
    # the decode loop reports as it goes, at most about once a second, through the same pipe.
    revision = revision_with_config(TINY_LLAMA)
    run = services.run_request(revision=revision, mode="synthetic", **{**SLOW, "new_tokens": 4000})
    worker = celery_worker_factory(
        queues="gpu", name="gpu", PROFILER_ITERS="1", PROFILER_WARMUP="0"
    )
    measuring: list[int] = []

    def watch():
        current = run_state(run.pk)
        if current.stage == "measure":
            measuring.append(current.progress_pct)
        return None if current.is_active else current

    done = wait_for(watch, 180, "the run to finish", worker)
    assert done.status == Status.SUCCEEDED, done.error
    # one timed run, no warm-up: every value past its start (40 %) came from inside the run
    assert len(set(measuring)) >= 2, measuring
    assert measuring == sorted(measuring) and max(measuring) <= 95, measuring


def test_a_moe_runs_active_parameters_are_measured_next_to_the_estimate(
    celery_broker, celery_worker_factory
):
    """The run page's "active parameters" row had no measured value. The worker now counts
    them from the loaded model (the routed experts a token's top-k leaves out are not read)."""
    revision = revision_with_config(TINY_QWEN3_MOE, repo_id="test/tiny-moe")
    gpu = celery_worker_factory(queues="gpu", name="gpu")
    run = services.run_request(revision=revision, mode="synthetic", **QUICK)
    done = wait_for(lambda: finished(run.pk), 120, "the run to finish", gpu)
    assert done.status == Status.SUCCEEDED, done.error
    rows = {r["label"]: r for r in services.run_comparison_rows(done)}
    active = rows["active parameters"]
    assert active["measured"] == active["estimated"] == done.estimate["params_active"]
    assert active["measured"] < rows["parameters"]["measured"]
    assert active["residual"] == 0


@pytest.mark.postgres
def test_auto_mode_on_a_stored_revision_is_measured_synthetic(celery_broker, celery_worker_factory):
    """The form's and the command's default mode: a stored revision has no weights, so auto is
    synthetic. The mode reaches the spawned child as a plain string (a Django enum would need
    Django in the child, which has none: it crashed before measuring anything)."""
    revision = revision_with_config(TINY_LLAMA)
    gpu = celery_worker_factory(queues="gpu", name="gpu")
    run = services.run_request(revision=revision, mode="auto", **QUICK)
    done = wait_for(lambda: finished(run.pk), 120, "the run to finish", gpu)
    assert done.status == Status.SUCCEEDED, done.error
    assert done.result["mode"] == "synthetic"
    assert done.result["params_loaded"] == analytic_params(TINY_LLAMA)


def test_duplicate_delivery_runs_once(celery_broker, celery_worker_factory):
    from profiler.tasks import run_measurement

    revision = revision_with_config(TINY_LLAMA)
    run = services.run_request(revision=revision, mode="synthetic", **QUICK)
    # The broker delivers the same message again (e.g. after a visibility timeout).
    with Connection(CELERY_TEST_BROKER_URL) as conn:
        run_measurement.apply_async(args=[run.pk], connection=conn)
    assert celery_broker.llen("gpu") == 2
    worker = celery_worker_factory(queues="gpu", name="gpu")
    done = wait_for(lambda: finished(run.pk), 120, "the run", worker)
    wait_for(lambda: celery_broker.llen("gpu") == 0, 30, "both deliveries consumed", worker)
    wait_for(lambda: worker.log().count("succeeded in") >= 2, 30, "both tasks acked", worker)
    assert done.status == Status.SUCCEEDED
    assert done.attempts == 1  # the second delivery found it claimed and returned
    assert "'skipped'" in worker.log()
    assert MeasurementRun.objects.filter(revision=revision).count() == 1


def test_asking_twice_returns_the_same_active_run(celery_broker):
    revision = revision_with_config(TINY_LLAMA)
    first = services.run_request(revision=revision, mode="synthetic", **QUICK)
    second = services.run_request(revision=revision, mode="synthetic", **QUICK)
    assert first.pk == second.pk
    assert celery_broker.llen("gpu") == 1  # enqueued once


def test_worker_killed_mid_run_is_requeued_once_then_finishes(
    celery_broker, celery_worker_factory, settings
):
    settings.PROFILER_MAX_ATTEMPTS = 2
    revision = revision_with_config(TINY_LLAMA)
    run = services.run_request(revision=revision, mode="synthetic", **SLOW)
    worker = celery_worker_factory(queues="gpu", name="doomed")
    wait_for(
        lambda: run_state(run.pk).stage in ("warmup", "measure"),
        120,
        "the run to be measuring",
        worker,
    )
    worker.kill()  # SIGKILL: no chance to record anything
    assert run_state(run.pk).status == Status.RUNNING
    time.sleep(settings.PROFILER_STALE_AFTER_S + 1.5)  # the heartbeat goes stale
    assert services.runs_reap()["requeued"] == 1
    requeued = run_state(run.pk)
    assert requeued.status == Status.QUEUED and requeued.attempts == 1
    assert "queued again" in requeued.error
    # The next attempt: a shorter run of the same row would be a different request, so this
    # one runs the same slow request to completion on a fresh worker.
    fresh = celery_worker_factory(queues="gpu", name="fresh")
    done = wait_for(lambda: finished(run.pk), 240, "the second attempt", fresh)
    assert done.status == Status.SUCCEEDED, done.error
    assert done.attempts == 2
    assert done.result["new_tokens"] == SLOW["new_tokens"]


def test_worker_killed_on_last_attempt_fails_with_reason(
    celery_broker, celery_worker_factory, settings
):
    settings.PROFILER_MAX_ATTEMPTS = 1
    revision = revision_with_config(TINY_LLAMA)
    run = services.run_request(revision=revision, mode="synthetic", **SLOW)
    worker = celery_worker_factory(queues="gpu", name="doomed")
    wait_for(lambda: run_state(run.pk).stage in ("warmup", "measure"), 120, "measuring", worker)
    worker.kill()
    time.sleep(settings.PROFILER_STALE_AFTER_S + 1.5)
    assert services.runs_reap()["failed"] == 1
    failed = run_state(run.pk)
    assert failed.status == Status.FAILED
    assert failed.error_code == "worker_lost"
    assert "stopped responding" in failed.error
    assert failed.result is None
    assert not any(services.runs_reap().values())  # never reaped twice


def _descendants(pid: int) -> list[int]:
    """Every process below ``pid`` (from /proc; no psutil)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _measurement_children(worker) -> list[int]:
    """The spawned measurement processes of a worker (billiard's spawn entry point)."""
    pids = []
    for pid in _descendants(worker.proc.pid):
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
        except OSError:
            continue
        if b"spawn_main" in cmdline:
            pids.append(pid)
    return pids


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_cancelled_queued_run_is_skipped_by_the_worker(celery_broker, celery_worker_factory):
    revision = revision_with_config(TINY_LLAMA)
    run = services.run_request(revision=revision, mode="synthetic", **QUICK)
    assert celery_broker.llen("gpu") == 1  # the message waits: no worker yet
    cancelled = services.run_cancel(run_id=run.pk)
    assert cancelled.status == Status.CANCELLED
    worker = celery_worker_factory(queues="gpu", name="gpu")
    wait_for(lambda: "'skipped'" in worker.log(), 60, "the worker to skip the run", worker)
    assert celery_broker.llen("gpu") == 0
    after = run_state(run.pk)
    assert after.status == Status.CANCELLED
    assert after.attempts == 0 and after.result is None and after.worker_host == ""


def test_cancel_of_a_running_run_kills_the_child_and_stores_nothing(
    celery_broker, celery_worker_factory
):
    revision = revision_with_config(TINY_LLAMA)
    run = services.run_request(revision=revision, mode="synthetic", **SLOW)
    worker = celery_worker_factory(queues="gpu", name="gpu")
    wait_for(lambda: run_state(run.pk).stage in ("warmup", "measure"), 120, "measuring", worker)
    children = wait_for(lambda: _measurement_children(worker), 10, "the child process", worker)
    asked = services.run_cancel(run_id=run.pk)
    assert asked.status == Status.RUNNING and asked.cancel_requested
    done = wait_for(lambda: finished(run.pk), 30, "the run to stop", worker)
    assert done.status == Status.CANCELLED, done.error
    assert done.error_code == "cancelled"
    assert done.result is None and done.residuals is None
    wait_for(lambda: not any(_alive(pid) for pid in children), 10, "the child to be gone", worker)
    wait_for(lambda: "'cancelled'" in worker.log(), 10, "the task to return", worker)
    assert worker.proc.poll() is None  # the worker itself lives on
    assert services.runs_reap() == {
        "requeued": 0, "failed": 0, "cancelled": 0, "resent": 0, "not_picked_up": 0
    }  # fmt: skip


def test_run_over_its_time_limit_is_stopped(celery_broker, celery_worker_factory):
    revision = revision_with_config(TINY_LLAMA)
    run = services.run_request(revision=revision, mode="synthetic", **{**SLOW, "new_tokens": 8000})
    worker = celery_worker_factory(queues="gpu", name="limited", PROFILER_TIME_LIMIT_S="10")
    done = wait_for(lambda: finished(run.pk), 60, "the time limit", worker)
    assert done.status == Status.FAILED
    assert done.error_code == "time_limit", done.error
    assert "time limit of 10 s" in done.error
    assert done.result is None


def test_broker_down_at_enqueue_fails_fast_with_a_reason(settings, transactional_db):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    revision = revision_with_config(TINY_LLAMA)
    t0 = time.monotonic()
    run = services.run_request(revision=revision, mode="synthetic", **QUICK)
    assert time.monotonic() - t0 < 15
    assert run.status == Status.FAILED
    assert run.error_code == "broker_unreachable"
    assert "job queue is unreachable (broker at redis://127.0.0.1:1/0)" in run.error
    # A failed run is not active: asking again makes a new attempt.
    again = services.run_request(revision=revision, mode="synthetic", **QUICK)
    assert again.pk != run.pk


def test_profile_json_says_a_failed_run_on_stdout(settings, transactional_db, capsys):
    """profile --json printed nothing on stdout when the run failed (only CommandError on
    stderr), while python -m profiler.bench --json prints {"error": {code, message}}: a
    script reading stdout got an empty string to parse."""
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    revision = revision_with_config(TINY_LLAMA)
    with pytest.raises(CommandError, match="job queue is unreachable"):
        call_command(
            "profile", revision.model.repo_id, "--device", "cpu", "--wait", "--json",
            "--timeout", "5",
        )  # fmt: skip
    said = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert said["status"] == "failed"
    assert said["error"]["code"] == "broker_unreachable"
    assert "job queue is unreachable" in said["error"]["message"]


@pytest.mark.parametrize("config", [TINY_LLAMA, TINY_QWEN3_MOE], ids=["llama", "qwen3_moe"])
def test_profile_command_measures_a_checkpoint_end_to_end(
    config, celery_broker, celery_worker_factory, tmp_path, capsys
):
    folder = tiny_checkpoint(tmp_path / "tiny" / config["model_type"], config)
    worker = celery_worker_factory(queues="gpu", name="gpu")
    call_command(
        "profile", str(folder), "--device", "cpu", "--dtype", "float32", "--prompt-len", "8",
        "--new-tokens", "4", "--wait", "--json", "--timeout", "240",
    )  # fmt: skip
    out, err = capsys.readouterr()
    result = json.loads(out.strip().splitlines()[-1])
    assert result["mode"] == "checkpoint", worker.log()[-2000:]
    assert result["params_loaded"] == analytic_params(config)
    assert result["residuals"]["params"] == 0
    assert "done" in err
    run = MeasurementRun.objects.get()
    assert run.source_dir == str(Path(folder).resolve())
    assert run.revision.source == Revision.Source.UPLOAD
    if config is TINY_LLAMA:  # without --json: a summary a person reads
        call_command(
            "profile", str(folder), "--device", "cpu", "--dtype", "float32", "--prompt-len",
            "8", "--new-tokens", "4", "--wait", "--timeout", "240",
        )  # fmt: skip
        out, _err = capsys.readouterr()
        # how long it ran, as the run page says it
        # (any length: "7 s", "1 min 3 s", "1 h 2 min" on a slow machine; never timed)
        said = (
            r"run \d+ succeeded in (\d+ h ?)?(\d+ min ?)?(\d+ s)?\n"
            r"mode=checkpoint device=cpu dtype=float32"
        )
        assert re.search(said, out), out
        assert f"params_loaded={analytic_params(config):,} (estimate" in out
