"""A failure's detail in the page's language, with its specifics.

The stored message stays as it was written (English from the worker and the framework-free
core: the API, the CLI and the logs read it); ``error_detail`` keeps its template key and
parameters, and the page says it in its own language with the same numbers, names and ids. A
row without a detail (stored before it existed) shows the stored message.

Failures are real: measurement runs through a real Celery worker (host memory refused, remote
code refused, a pickle-only checkpoint on the loopback Hub), ingestions against the loopback
Hub (404, gated, 429).
"""

from __future__ import annotations

import html
import json
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from catalog.error_detail import CATALOG_DETAILS, detail_render
from catalog.models import IngestJob
from catalog.services import ingest_job_create, model_ingest
from catalog.tasks import ingest_model
from profiler import services
from profiler.core.errors import MESSAGES
from profiler.error_detail import CORE_DETAILS, PROFILER_DETAILS
from profiler.models import MeasurementRun
from tests.test_ingest import tiny_files
from tests.test_profiler_bench import LLAMA_70B, TINY_LLAMA
from tests.test_profiler_celery import QUICK, finished, revision_with_config, wait_for
from tests.test_profiler_hub import hub_worker

LANGS = ("en", "ko", "de")


def pages(url: str) -> dict[str, str]:
    """The page in each language, its entities decoded (the messages quote names with ')."""
    out = {}
    for lang in LANGS:
        with translation.override(lang):
            body = Client(headers={"accept-language": lang}).get(url).content.decode()
        out[lang] = html.unescape(body)
    return out


def detail_line(page: str) -> str:
    """The run's detail paragraph (the second ``class="error"`` line, after the headline)."""
    lines = re.findall(r'<p class="error"( lang="en")?>(.*?)</p>', page, re.S)
    assert len(lines) == 2, lines
    return lines[1][0] + lines[1][1]


def test_the_core_and_the_page_say_the_same_in_english():
    """profiler.core has no Django, so its templates are written twice: the core's (which
    writes the stored message) and the page's gettext msgids. They must agree word for word."""
    assert set(CORE_DETAILS) == set(MESSAGES)
    with translation.override("en"):
        for key, template in MESSAGES.items():
            assert CORE_DETAILS[key] == template, key


def test_a_detail_that_cannot_be_rendered_gives_none():
    found = {"key": "hub.repo_not_found", "params": {"id": "a/b"}}
    with translation.override("de"):
        assert "a/b" in detail_render(found, CATALOG_DETAILS)
        assert detail_render({"key": "hub.repo_not_found", "params": {}}, CATALOG_DETAILS) is None
        assert detail_render({"key": "no.such.key", "params": {}}, CATALOG_DETAILS) is None
        assert detail_render("not a detail", CATALOG_DETAILS) is None
        assert detail_render(None, PROFILER_DETAILS) is None
        nested_missing = {"key": "run.crashed", "params": {"reason": {"key": "run.exit_status"}}}
        assert detail_render(nested_missing, PROFILER_DETAILS) is None


# --- measurement runs, through a real worker ---------------------------------------------------

REMOTE_CODE = {
    **TINY_LLAMA,
    "model_type": "acme_secret",
    "auto_map": {"AutoModelForCausalLM": "modeling_acme.AcmeForCausalLM"},
}


@pytest.mark.celery
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("english")
def test_a_failed_run_reads_in_the_page_language_with_its_specifics(
    hub, celery_broker, celery_worker_factory
):
    big = revision_with_config(LLAMA_70B, repo_id="test/llama-70b-shapes")
    remote = revision_with_config(REMOTE_CODE, repo_id="test/acme-secret")
    hub.add_repo(
        "test-org/pickle-only",
        {"config.json": json.dumps(TINY_LLAMA), "pytorch_model.bin": b"\x80\x04not-a-pickle"},
    )
    pickle = model_ingest(repo_id="test-org/pickle-only").revision
    worker = hub_worker(celery_worker_factory, hub)
    runs = {
        "oom": services.run_request(revision=big, mode="synthetic", **QUICK),
        "remote": services.run_request(revision=remote, mode="synthetic", **QUICK),
        "pickle": services.run_request(revision=pickle, mode="checkpoint", **QUICK),
    }
    done = {
        name: wait_for(lambda pk=run.pk: finished(pk), 120, f"the {name} run", worker)
        for name, run in runs.items()
    }
    assert {name: run.error_code for name, run in done.items()} == {
        "oom": "out_of_memory",
        "remote": "remote_code_refused",
        "pickle": "pickle_refused",
    }

    # host memory: the need and the free memory, as the worker wrote them, in every language
    oom = done["oom"]
    need, available = re.search(
        r"needs about (\d+\.\d GiB) in float32 .* this machine has (\d+\.\d GiB) available",
        oom.error,
    ).groups()
    assert oom.error_detail["key"] == "oom_host_available_float32"
    page = pages(reverse("profiler:run_status", args=[oom.pk]))
    assert detail_line(page["en"]) == oom.error  # English: the stored message, unchanged
    ko, de = detail_line(page["ko"]), detail_line(page["de"])
    assert ko.startswith(
        "호스트 메모리 부족: 모델이 CPU에서 float32(으)로 약 " + need + "이(가) 필요합니다"
    )
    assert f"이 머신에서 쓸 수 있는 메모리는 {available}입니다" in ko and "sliced 모드" in ko
    # German writes the sizes with its decimal comma (262,8 GiB), as its pages write numbers
    need_de, available_de = need.replace(".", ","), available.replace(".", ",")
    assert de.startswith(f"Hostspeicher erschöpft: Das Modell braucht etwa {need_de} in float32")
    assert f"diese Maschine hat {available_de} verfügbar" in de
    assert 'lang="en"' not in ko + de  # said in the page's language now
    assert "장치의 메모리가 부족합니다." in page["ko"]  # the headline stays

    # remote code: the model_type named as the worker named it
    page = pages(reverse("profiler:run_status", args=[done["remote"].pk]))
    assert detail_line(page["en"]) == done["remote"].error
    assert "model_type 'acme_secret'" in done["remote"].error
    assert detail_line(page["ko"]).startswith("model_type 'acme_secret'은(는) remote code(")
    assert detail_line(page["de"]).startswith("model_type 'acme_secret' gibt es nur als Remote")

    # the Hub's refusal (checkpoint mode): the repo, the revision and the pickle file
    refused = done["pickle"]
    assert refused.error_detail["key"] == "hub.pickle_only"
    where = f"test-org/pickle-only@{pickle.sha[:12]}"
    page = pages(reverse("profiler:run_status", args=[refused.pk]))
    assert detail_line(page["en"]) == refused.error and where in refused.error
    assert detail_line(page["ko"]).startswith(f"pickle 전용 체크포인트 거부됨: {where}의 가중치")
    assert detail_line(page["de"]).startswith(f"Reiner pickle-Checkpoint abgelehnt: {where} hat")
    assert all("(pytorch_model.bin)" in detail_line(p) for p in page.values())


@pytest.mark.django_db
def test_a_run_stored_without_a_detail_shows_its_message_as_stored():
    """A row from before ``error_detail`` (or a message without a template, such as an
    unexpected exception's) keeps its English message, marked as English."""
    run = MeasurementRun.objects.create(revision=revision_with_config(TINY_LLAMA))
    attempt = services.run_claim(run_id=run.pk, worker_host="w")
    message = "CUDA out of memory: the model needs about 9.9 GiB in float16, this GPU has 8.0 GiB."
    services.run_fail(run_id=run.pk, attempt=attempt, message=message, code="out_of_memory")
    page = pages(reverse("profiler:run_status", args=[run.pk]))
    for lang in LANGS:
        assert detail_line(page[lang]) == ' lang="en"' + message
    # params that do not fill the template (a malformed row): the stored message too
    MeasurementRun.objects.filter(pk=run.pk).update(
        error_detail={"key": "oom_cuda", "params": {"dtype": "float16"}}
    )
    page = pages(reverse("profiler:run_status", args=[run.pk]))
    assert detail_line(page["ko"]) == ' lang="en"' + message


@pytest.mark.django_db
def test_the_reaper_s_messages_follow_the_page_not_the_worker(settings):
    """The reaper (beat) writes in its own language, English: the page says it in its own."""
    from datetime import timedelta

    from django.utils import timezone

    run = services.run_request(revision=revision_with_config(TINY_LLAMA), device="cpu")
    MeasurementRun.objects.filter(pk=run.pk).update(
        queued_at=timezone.now() - timedelta(hours=1), queue_resends=1
    )
    with translation.override("en"):
        assert services.runs_reap(queued_stale_after_s=180)["not_picked_up"] == 1
    run.refresh_from_db()
    assert run.error.startswith("No worker picked this run up within 3 minutes")
    page = pages(reverse("profiler:run_status", args=[run.pk]))
    assert page["en"].count(run.error) == 1
    assert "Kein Worker hat diesen Lauf innerhalb von 3 Minuten übernommen" in page["de"]
    assert "No worker picked" not in page["de"] + page["ko"]


# --- ingestion, against the loopback Hub -------------------------------------------------------


def failed_job(repo_id: str) -> IngestJob:
    """A job run by the task's body as a worker runs it, for an English-speaking submitter."""
    job = ingest_job_create(repo_id=repo_id)
    assert ingest_model(job.pk, "en") == "failed"
    return IngestJob.objects.get(pk=job.pk)


@pytest.mark.django_db
def test_a_failed_ingestion_reads_in_the_page_language(hub, settings):
    settings.HF_MAX_RETRIES = 0
    hub.add_repo("gated-org/gated", tiny_files(), gated=True)
    hub.add_repo("test-org/busy", tiny_files())
    missing = failed_job("test-org/does-not-exist")
    gated = failed_job("gated-org/gated")
    hub.fault("429", path_contains="/api/models/test-org/busy", times=None, wait_s=600)
    limited = failed_job("test-org/busy")
    assert [j.error_code for j in (missing, gated, limited)] == [
        "repo_not_found",
        "gated_repo",
        "rate_limited",
    ]

    page = pages(reverse("catalog:ingest_progress", args=[missing.pk]))
    assert f"failed: {missing.error}" in page["en"]  # English: as stored
    assert "Hub에 'test-org/does-not-exist' 모델이 없습니다." in page["ko"]
    assert "Kein Modell 'test-org/does-not-exist' auf dem Hub." in page["de"]

    page = pages(reverse("catalog:ingest_progress", args=[gated.pk]))
    url = f"{hub.url}/gated-org/gated"
    assert f"failed: {gated.error}" in page["en"] and url in gated.error
    assert f"gated-org/gated은(는) gated 모델입니다: 파일을 받으려면 {url}에서" in page["ko"]
    assert "gated-org/gated ist gated: Seine Dateien" in page["de"] and url in page["de"]

    page = pages(reverse("catalog:ingest_progress", args=[limited.pk]))
    assert f"failed: {limited.error}" in page["en"]
    assert "while reading the model information of test-org/busy" in limited.error
    assert "test-org/busy의 모델 정보을(를) 읽는 중" in page["ko"]
    assert "약 10분 후에 다시 시도하세요" in page["ko"]  # a duration, not "600초"
    assert "beim Lesen von Modellinformationen von test-org/busy gedrosselt" in page["de"]
    assert "Versuche es in etwa 10 Min. erneut" in page["de"]
    for lang in ("ko", "de"):
        assert "rate-limited us" not in page[lang] and "No model" not in page[lang]


@pytest.mark.django_db
def test_an_ingestion_stored_without_a_detail_shows_its_message_as_stored():
    job = ingest_job_create(repo_id="test-org/older")
    message = "No model 'test-org/older' on the Hub. Check the spelling (IDs are 'org/name')."
    IngestJob.objects.filter(pk=job.pk).update(
        status=IngestJob.Status.FAILED, error=message, error_code="repo_not_found"
    )
    page = pages(reverse("catalog:ingest_progress", args=[job.pk]))
    assert all(message in page[lang] for lang in LANGS)


@pytest.mark.django_db
def test_a_quantized_checkpoint_the_worker_cannot_load_reads_as_such():
    """The worker's QuantizationUnsupported (profiler.core.measure._build): its own headline,
    not "transformers cannot build this architecture", and the package named in every
    language."""
    from profiler.core.errors import QuantizationUnsupported

    error = QuantizationUnsupported.of(
        "quantization_package",
        method="compressed-tensors",
        error="compressed-tensors>=0.15.0 is required for compressed-tensors quantization",
    )
    run = MeasurementRun.objects.create(revision=revision_with_config(TINY_LLAMA))
    attempt = services.run_claim(run_id=run.pk, worker_host="w")
    services.run_fail(
        run_id=run.pk, attempt=attempt, message=str(error), code=error.code, detail=error.detail
    )
    page = pages(reverse("profiler:run_status", args=[run.pk]))
    assert "This worker cannot load the checkpoint's quantization." in page["en"]
    assert "Dieser Worker kann die Quantisierung des Checkpoints nicht laden." in page["de"]
    assert "이 워커는 체크포인트의 양자화 형식을 불러올 수 없습니다." in page["ko"]
    assert detail_line(page["en"]) == str(error)
    assert detail_line(page["de"]).startswith("Der Checkpoint ist quantisiert (compressed-tensors)")
    assert detail_line(page["ko"]).startswith("체크포인트가 양자화되어 있고(compressed-tensors)")
    assert all("compressed-tensors>=0.15.0" in detail_line(p) for p in page.values())
