"""Every Hub failure, produced by the loopback Hub and seen through the real client."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from catalog import artifact_text
from catalog.artifact_text import file_text_build
from catalog.hub import (
    GatedRepo,
    HubServerError,
    HubTimeout,
    HubUnreachable,
    RateLimited,
    RepoNotFound,
    RevisionNotFound,
)
from catalog.ids import InvalidModelId
from catalog.models import Artifact, CatalogModel, Revision
from catalog.services import model_ingest
from tests.hubserver import free_port_url, safetensors_bytes
from tests.test_ingest import tiny_files

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[1]


def nothing_stored() -> bool:
    return not (
        CatalogModel.objects.exists() or Revision.objects.exists() or Artifact.objects.exists()
    )


def api_requests(hub) -> list[str]:
    return hub.paths("/api/models/")


def test_repo_not_found(hub) -> None:
    with pytest.raises(RepoNotFound) as info:
        model_ingest(repo_id="nobody/nothing-here")
    assert "No model 'nobody/nothing-here' on the Hub" in info.value.message
    assert "HF_TOKEN" in info.value.message and nothing_stored()


def test_revision_not_found(hub) -> None:
    hub.add_repo("test-org/tiny", tiny_files())
    with pytest.raises(RevisionNotFound) as info:
        model_ingest(repo_id="test-org/tiny", revision="no-such-branch")
    assert "no revision 'no-such-branch'" in info.value.message and nothing_stored()


def test_gated_repo_needs_a_token(hub, settings) -> None:
    hub.add_repo("gated-org/gated", tiny_files(), gated=True)
    with pytest.raises(GatedRepo) as info:
        model_ingest(repo_id="gated-org/gated")
    assert "HF_TOKEN" in info.value.message
    assert f"{hub.url}/gated-org/gated" in info.value.message  # where to accept the licence
    assert nothing_stored()

    settings.HF_TOKEN = "hf_wrong"
    with pytest.raises(GatedRepo):
        model_ingest(repo_id="gated-org/gated")

    settings.HF_TOKEN = "hf_test_allowed"
    result = model_ingest(repo_id="gated-org/gated")
    assert result.created
    file_requests = [r for r in hub.requests if "/resolve/" in r.path]
    assert file_requests[-1].headers.get("authorization") == "Bearer hf_test_allowed"


def test_token_is_never_sent_when_not_configured(hub) -> None:
    hub.add_repo("test-org/tiny", tiny_files())
    model_ingest(repo_id="test-org/tiny")
    assert all("authorization" not in {k.lower() for k in r.headers} for r in hub.requests)


@pytest.mark.parametrize("status", ["401", "403"])
def test_401_403_become_an_access_message(hub, status) -> None:
    hub.add_repo("test-org/tiny", tiny_files())
    hub.fault(status, path_contains="/resolve/", times=None)
    with pytest.raises(GatedRepo) as info:
        model_ingest(repo_id="test-org/tiny")
    assert "HF_TOKEN" in info.value.message and nothing_stored()


def test_429_waits_as_told_then_retries(hub) -> None:
    hub.add_repo("test-org/tiny", tiny_files())
    hub.fault("429", path_contains="/api/models/", times=1, wait_s=1)
    started = time.monotonic()
    # lineage off: only this repo's model_info is asked (its card names a base model)
    result = model_ingest(repo_id="test-org/tiny", follow_lineage=False)
    assert result.created
    assert time.monotonic() - started >= 1.0  # waited the RateLimit header's t=1
    assert len(api_requests(hub)) == 2


def test_429_with_retry_after_header(hub) -> None:
    hub.add_repo("test-org/tiny", tiny_files())
    hub.fault("429-retry-after", path_contains="/config.json", times=1, wait_s=1)
    started = time.monotonic()
    assert model_ingest(repo_id="test-org/tiny").created
    assert time.monotonic() - started >= 1.0


def test_429_that_persists_says_so(hub, settings) -> None:
    settings.HF_MAX_RETRIES = 1
    hub.add_repo("test-org/tiny", tiny_files())
    hub.fault("429", path_contains="/api/models/", times=None, wait_s=1)
    with pytest.raises(RateLimited) as info:
        model_ingest(repo_id="test-org/tiny")
    assert "rate-limited" in info.value.message and "retried 1 times" in info.value.message
    assert "Try again in about 1 s" in info.value.message
    assert len(api_requests(hub)) == 2 and nothing_stored()


def test_429_asking_for_too_long_a_wait_fails_at_once(hub) -> None:
    hub.add_repo("test-org/tiny", tiny_files())
    hub.fault("429", path_contains="/api/models/", times=None, wait_s=600)
    started = time.monotonic()
    with pytest.raises(RateLimited) as info:
        model_ingest(repo_id="test-org/tiny")
    assert time.monotonic() - started < 2
    assert "about 10 min;" in info.value.message and len(api_requests(hub)) == 1


def test_a_server_error_is_retried_with_backoff(hub) -> None:
    hub.add_repo("test-org/tiny", tiny_files())
    hub.fault("503", path_contains="/api/models/", times=2)
    assert model_ingest(repo_id="test-org/tiny", follow_lineage=False).created
    assert len(api_requests(hub)) == 3


def test_a_server_error_that_persists_fails_clearly(hub) -> None:
    hub.add_repo("test-org/tiny", tiny_files())
    hub.fault("500", path_contains="/api/models/", times=None)
    with pytest.raises(HubServerError) as info:
        model_ingest(repo_id="test-org/tiny")
    assert "answered 500" in info.value.message and "after 3 tries" in info.value.message
    assert len(api_requests(hub)) == 3 and nothing_stored()


def test_a_dropped_connection_is_retried(hub) -> None:
    hub.add_repo("test-org/tiny", tiny_files())
    hub.fault("drop", path_contains="/config.json", times=1)
    assert model_ingest(repo_id="test-org/tiny").created


def test_a_stalled_response_times_out_after_retries(hub, settings) -> None:
    settings.HF_TIMEOUT_S = 1
    settings.HF_MAX_RETRIES = 1
    hub.add_repo("test-org/tiny", tiny_files())
    hub.fault("stall", path_contains="/api/models/", times=None, stall_s=20)
    started = time.monotonic()
    with pytest.raises(HubTimeout) as info:
        model_ingest(repo_id="test-org/tiny")
    elapsed = time.monotonic() - started
    assert 2.0 <= elapsed < 10
    assert "did not answer within 1 s" in info.value.message and "2 tries" in info.value.message
    assert nothing_stored()


def test_an_unreachable_hub_points_to_the_bundled_catalog_and_upload(settings) -> None:
    settings.HF_ENDPOINT = free_port_url()
    settings.HF_BACKOFF_BASE_S = 0.01
    with pytest.raises(HubUnreachable) as info:
        model_ingest(repo_id="meta-llama/Llama-3.1-8B")
    message = info.value.message
    assert "cannot be reached" in message and "catalog" in message and "upload" in message
    # the web hint names no shell command; the command line adds its own ways out
    assert "load_demo" not in message and "manage.py" not in message
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError) as cli:
        call_command("ingest", "meta-llama/Llama-3.1-8B")
    assert "cannot be reached" in str(cli.value)
    assert "python manage.py load_demo" in str(cli.value) and "ingest --dir PATH" in str(cli.value)


BAD_IDS = [
    "../../etc/passwd",
    "org/../../x",
    "org/name\n",
    "org/na\nme",
    "méta/llama",
    "org/" + "x" * 200,
    "datasets/squad",
    "spaces/org/app",
    "https://evil.example.com/org/name",
    "https://huggingface.co/datasets/org/data",
    "http://127.0.0.1:1/org/name",
]


@pytest.mark.parametrize("bad", BAD_IDS)
def test_bad_ids_never_reach_the_hub(hub, bad) -> None:
    with pytest.raises(InvalidModelId):
        model_ingest(repo_id=bad)
    assert hub.requests == []


def test_bad_revision_never_reaches_the_hub(hub) -> None:
    with pytest.raises(InvalidModelId):
        model_ingest(repo_id="org/name", revision="../../main")
    assert hub.requests == []


def test_an_oversized_safetensors_header_is_refused_with_a_note(hub) -> None:
    # 8-byte little-endian length of 30 MB, then garbage: the client refuses before reading on
    bogus = (30_000_000).to_bytes(8, "little") + b"{" * 1000
    hub.add_repo("test-org/bogus", tiny_files(**{"model.safetensors": bogus}))
    rev = model_ingest(repo_id="test-org/bogus").revision
    assert not rev.artifacts.filter(kind=Artifact.Kind.SAFETENSORS_HEADER).exists()
    assert any("model.safetensors" in n and "too big" in n for n in rev.notes)


def test_absurd_tensor_counts_are_refused(hub, monkeypatch) -> None:
    monkeypatch.setattr(artifact_text, "SAFETENSORS_MAX_TENSORS", 3)
    many = safetensors_bytes({f"t{i}": ("F32", (2,)) for i in range(5)})
    hub.add_repo("test-org/many", tiny_files(**{"model.safetensors": many}))
    rev = model_ingest(repo_id="test-org/many").revision
    assert not rev.artifacts.filter(kind=Artifact.Kind.SAFETENSORS_HEADER).exists()
    assert any("5 tensors, over the limit of 3" in n for n in rev.notes)


def test_json_over_its_limit_is_not_read() -> None:
    f = file_text_build(name="config.json", raw=b"{" + b" " * 100 + b"}", limit_bytes=50)
    assert f.truncated and f.data is None and f.text == ""
    assert "over the 50-byte limit" in f.note


def test_the_command_exits_non_zero_in_a_real_process(tmp_path) -> None:
    env = {
        "PATH": "/usr/bin:/bin",
        "DEBUG": "1",
        "MECHANIC_DATA_DIR": str(tmp_path),
        "HF_ENDPOINT": "http://127.0.0.1:9",
        "HF_HOME": str(tmp_path / "hf"),
    }
    proc = subprocess.run(
        [sys.executable, "manage.py", "ingest", "datasets/squad"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 1 and proc.stdout == ""
    assert "is not a model repository" in proc.stderr and "org/name" in proc.stderr


def test_hub_errors_are_written_in_the_language_of_the_page_that_asked(settings) -> None:
    """The ingest task runs in a worker: it writes the job's error in the language passed with
    it (the user's), so a Korean or German page does not show an English error."""
    from catalog.models import IngestJob
    from catalog.services import ingest_job_create
    from catalog.tasks import ingest_model

    settings.HF_ENDPOINT = free_port_url()
    settings.HF_BACKOFF_BASE_S = 0.01
    for language, expected in (
        ("ko", "연결할 수 없습니다"),
        ("de", "nicht erreichbar"),
        (None, "cannot be reached"),
    ):
        job = ingest_job_create(repo_id="meta-llama/Llama-3.1-8B")
        assert ingest_model(job.pk, language) == "failed"  # the task body, run here
        job = IngestJob.objects.get(pk=job.pk)
        assert job.error_code == "unreachable"
        assert expected in job.error and "load_demo" not in job.error, (language, job.error)
    assert nothing_stored()
