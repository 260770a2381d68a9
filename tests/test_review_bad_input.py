"""Review: bad input and dead workers end in a clear message, and lose nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from catalog.models import IngestJob

pytestmark = pytest.mark.django_db


# --- an ingest whose worker died ---------------------------------------------------------------


def _running_job(*, silent_s: float) -> IngestJob:
    """The row a worker leaves when it is killed mid-ingest: claimed ("running"), at some stage,
    and nothing updates it any more (its last progress ``silent_s`` ago)."""
    job = IngestJob.objects.create(
        repo_id="test-org/tiny", status=IngestJob.Status.RUNNING, stage="files: config.json"
    )
    past = timezone.now() - timedelta(seconds=silent_s)
    IngestJob.objects.filter(pk=job.pk).update(started_at=past, updated_at=past)
    return job


@pytest.mark.parametrize("htmx", [False, True])
def test_an_ingest_whose_worker_died_fails_with_the_reason_not_running_forever(settings, htmx):
    # Before the fix: the row stayed "running" and the page polled "Reading ... from the Hub"
    # for ever (the profiler's runs have a reaper; ingest jobs had nothing).
    settings.INGEST_STALE_AFTER_S = 600
    job = _running_job(silent_s=601)
    headers = {"HX-Request": "true"} if htmx else {}
    client = Client(raise_request_exception=True)
    response = client.get(reverse("catalog:ingest_progress", args=[job.pk]), headers=headers)
    assert response.status_code == 200
    page = response.content.decode()
    job.refresh_from_db()
    assert job.status == IngestJob.Status.FAILED and job.error_code == "worker_lost"
    assert job.finished_at is not None
    assert "stopped" in job.error and "10 minutes" in job.error and "Try again." in job.error
    assert "hx-get" not in page  # the page stops polling
    assert "stopped" in page
    # what was typed is given back in the field, to try again at once
    assert 'value="test-org/tiny"' in page


def test_an_ingest_that_is_slow_but_alive_keeps_running(settings):
    settings.INGEST_STALE_AFTER_S = 600
    job = _running_job(silent_s=30)
    page = Client().get(reverse("catalog:ingest_progress", args=[job.pk])).content.decode()
    job.refresh_from_db()
    assert job.status == IngestJob.Status.RUNNING and "hx-get" in page


# --- quantization_config values ------------------------------------------------------------------

TINY = {
    "model_type": "llama",
    "hidden_size": 64,
    "num_hidden_layers": 2,
    "num_attention_heads": 4,
    "num_key_value_heads": 2,
    "intermediate_size": 128,
    "vocab_size": 100,
    "max_position_embeddings": 128,
}
BAD_QUANTIZATION = [
    ({"quant_method": "awq", "bits": "four"}, "quantization_config.bits"),
    ({"quant_method": "gptq", "bits": [4]}, "quantization_config.bits"),
    ({"quant_method": "awq", "bits": -4}, "quantization_config.bits"),
    ({"quant_method": "awq", "bits": 4.5}, "quantization_config.bits"),
    ({"quant_method": "awq", "bits": 1_000_000}, "quantization_config.bits"),
    ({"quant_method": "awq", "bits": 4, "group_size": "g"}, "quantization_config.group_size"),
    ({"quant_method": "awq", "bits": 4, "group_size": -128}, "quantization_config.group_size"),
    ({"quant_method": "fp8", "weight_block_size": [128]}, "quantization_config.weight_block_size"),
    ({"quant_method": "fp8", "weight_block_size": [0, 0]}, "quantization_config.weight_block_size"),
    ({"quant_method": "fp8", "weight_block_size": ["a", "b"]}, "weight_block_size"),
    ({"quant_method": "fp8", "weight_block_size": [-1, 128]}, "weight_block_size"),
    ({"quant_method": "fp8", "weight_block_size": "128"}, "weight_block_size"),
]


@pytest.mark.parametrize(("quantization", "key"), BAD_QUANTIZATION)
def test_a_malformed_quantization_config_is_a_config_error_naming_the_key(quantization, key):
    # Before the fix: int("four") (ValueError), a one-item block (IndexError), a zero block
    # (ZeroDivisionError) escaped the engine (the upload form's 500, a Hub model's analysis
    # lost whole), and negative bits gave negative weight bytes.
    from axes.analysis import Artifacts, analyze_artifacts
    from axes.backbone import analyze_config
    from axes.backbone.errors import ConfigError

    config = {**TINY, "quantization_config": quantization}
    with pytest.raises(ConfigError) as info:
        analyze_config(config)
    assert key in str(info.value) and "config.json" in str(info.value)
    analysis = analyze_artifacts(Artifacts(repo_id="a/b", config=config))
    assert key in analysis["backbone_error"]


@pytest.mark.parametrize(("quantization", "key"), BAD_QUANTIZATION[:1] + BAD_QUANTIZATION[8:9])
def test_an_upload_with_a_malformed_quantization_config_is_a_400_naming_the_key(quantization, key):
    import json

    from django.core.files.uploadedfile import SimpleUploadedFile

    config = json.dumps({**TINY, "quantization_config": quantization}).encode()
    response = Client(raise_request_exception=True).post(
        "/upload/",
        {"repo_id": "local/quant", "config": SimpleUploadedFile("config.json", config)},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert key in page and "invalid literal" not in page
    assert 'value="local/quant"' in page  # the name typed stays in the form


def test_gptq_without_groups_is_per_channel_not_a_scale_per_weight():
    # group_size -1 is GPTQ's "no grouping" (one scale per output channel). Before the fix it
    # was read as a group of 1: a scale and a zero per weight, int4 weights larger than bf16.
    from axes.backbone import analyze_config

    plain = analyze_config({**TINY, "torch_dtype": "float16"})
    per_channel = analyze_config(
        {**TINY, "quantization_config": {"quant_method": "gptq", "bits": 4, "group_size": -1}}
    )
    grouped = analyze_config(
        {**TINY, "quantization_config": {"quant_method": "gptq", "bits": 4, "group_size": 32}}
    )
    stored = per_channel["memory"]["weights_bytes"]["stored"]
    assert stored < grouped["memory"]["weights_bytes"]["stored"]
    assert stored < plain["memory"]["weights_bytes"]["stored"]
    assert "per output channel" in per_channel["memory"]["weights_bytes"]["stored_basis"]
