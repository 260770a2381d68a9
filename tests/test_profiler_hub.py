"""Checkpoint mode through the Hub, end to end: a tiny checkpoint built by the test is served by
the loopback Hub, ingested with ``catalog.services.model_ingest``, and measured by a REAL
Celery worker whose settings point at the loopback Hub (env HF_ENDPOINT), so the worker
downloads the weights with ``catalog.hub.hub_download_safetensors`` and the real client.
Refusals: a pickle-only repo, and an index that names a shard outside the repo."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from catalog.services import model_ingest
from profiler import services
from profiler.models import MeasurementRun
from tests.test_profiler_bench import TINY_LLAMA, analytic_params, tiny_checkpoint
from tests.test_profiler_celery import QUICK, finished, run_state, wait_for

pytestmark = [
    pytest.mark.celery,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("english"),
]

Status = MeasurementRun.Status


def repo_files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def hub_worker(celery_worker_factory, hub):
    """A gpu worker whose settings talk to the loopback Hub (it reads HF_* from its env)."""
    return celery_worker_factory(
        queues="gpu",
        name="gpu",
        HF_ENDPOINT=hub.url,
        HF_TIMEOUT_S="5",
        HF_MAX_RETRIES="0",
    )


def test_checkpoint_mode_downloads_the_safetensors_from_the_hub_and_counts_them(
    hub, celery_broker, celery_worker_factory, tmp_path
):
    folder = tiny_checkpoint(tmp_path / "tiny-llama", TINY_LLAMA)
    files = repo_files(folder)
    assert "model.safetensors" in files
    hub.add_repo("test-org/tiny-llama", files)
    revision = model_ingest(repo_id="test-org/tiny-llama").revision
    worker = hub_worker(celery_worker_factory, hub)
    hub.requests.clear()  # from here on: the worker's requests only

    run = services.run_request(revision=revision, mode="checkpoint", **QUICK)
    done = wait_for(lambda: finished(run.pk), 180, "the checkpoint run", worker)
    assert done.status == Status.SUCCEEDED, done.error
    assert done.result["mode"] == "checkpoint"
    assert done.result["params_loaded"] == analytic_params(TINY_LLAMA)
    assert done.residuals["params"] == 0
    weights_gets = [
        r
        for r in hub.requests
        if r.method == "GET" and r.path.endswith(f"/resolve/{revision.sha}/model.safetensors")
    ]
    assert weights_gets and weights_gets[-1].status == 200  # the weights, pinned to the sha
    assert not [p for p in hub.paths("/resolve/") if p.endswith((".bin", ".pt", ".pth"))]


def test_pickle_only_and_escaping_shard_index_are_refused_before_any_weights_are_fetched(
    hub, celery_broker, celery_worker_factory, tmp_path
):
    config = json.dumps(TINY_LLAMA)
    hub.add_repo(
        "test-org/pickle-only",
        # Never opened by anyone: the bytes only have to exist on the Hub.
        {"config.json": config, "pytorch_model.bin": b"\x80\x04not-really-a-pickle"},
    )
    folder = tiny_checkpoint(tmp_path / "tiny-llama", TINY_LLAMA)
    shard = (folder / "model.safetensors").read_bytes()
    index = {
        "metadata": {"total_size": len(shard)},
        "weight_map": {
            "model.embed_tokens.weight": "model-00001-of-00001.safetensors",
            "lm_head.weight": "../evil.safetensors",
        },
    }
    hub.add_repo(
        "test-org/escaping-index",
        {
            "config.json": config,
            "model.safetensors.index.json": json.dumps(index),
            "model-00001-of-00001.safetensors": shard,
        },
    )
    pickle_rev = model_ingest(repo_id="test-org/pickle-only").revision
    escaping_rev = model_ingest(repo_id="test-org/escaping-index").revision
    worker = hub_worker(celery_worker_factory, hub)
    hub.requests.clear()

    pickle_run = services.run_request(revision=pickle_rev, mode="checkpoint", **QUICK)
    escaping_run = services.run_request(revision=escaping_rev, mode="checkpoint", **QUICK)
    refused = wait_for(lambda: finished(pickle_run.pk), 60, "the pickle-only run", worker)
    assert refused.status == Status.FAILED
    assert refused.error_code == "pickle_refused"
    assert refused.error.startswith("pickle-only checkpoint refused")
    assert "pytorch_model.bin" in refused.error and "synthetic" in refused.error
    assert refused.result is None

    unsafe = wait_for(lambda: finished(escaping_run.pk), 60, "the escaping-index run", worker)
    assert unsafe.status == Status.FAILED
    assert unsafe.error_code == "unsafe_path", unsafe.error
    assert "'../evil.safetensors'" in unsafe.error and "not a safe path" in unsafe.error
    assert unsafe.result is None

    fetched = hub.paths("/resolve/")
    assert not [p for p in fetched if "pytorch_model.bin" in p]  # never downloaded
    assert not [p for p in fetched if "evil" in p]  # never requested
    # The index was read, but no shard of the refused checkpoint was downloaded.
    assert not [p for p in fetched if p.endswith(".safetensors")]
    assert [p for p in fetched if p.endswith("model.safetensors.index.json")]


def test_a_stop_during_a_large_shard_ends_the_download_within_the_file(
    hub, celery_broker, celery_worker_factory, tmp_path
):
    """A Stop during a checkpoint's download took effect only once the current file was in: a
    real shard is several GB, so the page said "Stopping" for minutes. The worker now checks
    between the client's chunks of a file. The Hub sends the first slice of a 48 MiB shard and
    holds the rest until Stop is pressed and the worker has seen it (its log says so); the run
    is then cancelled at the client's next chunk, with most of the shard never sent, and the
    partial file goes with the run's temporary folder. No race: the check once a second had to
    fire within the ~11 s the slow transfer had left."""
    import glob
    import tempfile
    import threading

    from tests.hubserver import safetensors_bytes

    shard = safetensors_bytes({"model.embed_tokens.weight": ("F32", (12, 1024 * 1024))})
    hub.add_repo(
        "test-org/large-shard",
        {"config.json": json.dumps(TINY_LLAMA), "model.safetensors": shard},
    )
    revision = model_ingest(repo_id="test-org/large-shard").revision
    worker = celery_worker_factory(
        queues="gpu",
        name="gpu",
        HF_ENDPOINT=hub.url,
        HF_TIMEOUT_S="5",
        HF_MAX_RETRIES="0",
        PROFILER_STOP_CHECK_MS="50",
    )
    hub.requests.clear()
    held = threading.Event()
    hub.fault("slow", "/model.safetensors", times=None, bytes_per_s=4 * 1024 * 1024, hold=held)

    def shard_get():
        gets = [
            r
            for r in list(hub.requests)
            if r.method == "GET" and r.path.endswith("/model.safetensors")
        ]
        return gets[-1] if gets else None

    run = services.run_request(revision=revision, mode="checkpoint", **QUICK)
    try:
        wait_for(
            lambda: shard_get() and shard_get().body_bytes > 0, 60, "the shard's bytes", worker
        )
        assert run_state(run.pk).stage == "download"  # not "preparing the files" for minutes
        assert services.run_cancel(run_id=run.pk).cancel_requested
        seen = f"run {run.pk}: stopped or taken over"
        wait_for(lambda: seen in worker.log(), 60, "the worker to see the Stop", worker)
    finally:
        held.set()
    done = wait_for(lambda: finished(run.pk), 120, "the stopped run", worker)
    sent_when_cancelled = shard_get().body_bytes
    assert done.status == Status.CANCELLED, done.error
    assert sent_when_cancelled < len(shard), "the whole shard was downloaded before the stop"
    assert not glob.glob(f"{tempfile.gettempdir()}/mechanic-run-{run.pk}-*")
