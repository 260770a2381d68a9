"""Review: bad input and dead workers end in a clear message, and lose nothing."""

from __future__ import annotations

import html
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


@pytest.mark.parametrize(
    ("language", "said"),
    [
        ("en", "The web server reading test-org/tiny from the Hub stopped without finishing"),
        ("de", "Der Webserver, der test-org/tiny vom Hub las, hat aufgehört"),
        ("ko", "Hub에서 test-org/tiny을(를) 읽던 웹 서버가 끝내지 못하고 멈췄습니다"),
    ],
)
def test_an_ingest_the_web_process_ran_and_lost_says_the_web_server_stopped(
    settings, language, said
):
    # Before the fix: a job the page had said "the web server is reading the model itself"
    # about ended, once the web process was restarted under it, in "The worker reading ...
    # stopped", naming a worker that never had it.
    settings.INGEST_STALE_AFTER_S = 600
    job = _running_job(silent_s=601)
    IngestJob.objects.filter(pk=job.pk).update(in_web_process=True)
    url = reverse("catalog:ingest_progress", args=[job.pk])
    page = Client().get(url, {"lang": language}).content.decode()
    job.refresh_from_db()
    assert job.status == IngestJob.Status.FAILED and job.error_code == "worker_lost"
    assert said in html.unescape(page)
    assert "Worker" not in job.error and "worker" not in job.error and "워커" not in job.error


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


# --- safetensors headers -------------------------------------------------------------------------


def _safetensors_file(header: dict, data: bytes = b"") -> bytes:
    """A safetensors file with exactly this header (8-byte little-endian length + JSON)."""
    import json

    blob = json.dumps(header).encode()
    return len(blob).to_bytes(8, "little") + blob + data


F32x2 = {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}
BAD_HEADERS = [
    ({"a.weight": {**F32x2, "shape": "ab"}}, "has the shape 'ab'"),
    ({"a.weight": {**F32x2, "shape": [-1, 4]}}, "has the shape [-1, 4]"),
    ({"a.weight": {**F32x2, "shape": [None]}}, "has the shape [None]"),
    ({"a.weight": {**F32x2, "dtype": ["F32"]}}, "has the dtype ['F32']"),
    ({"a.weight": {**F32x2, "data_offsets": [8, 0]}}, "not [begin, end]"),
    ({"a.weight": {**F32x2, "data_offsets": [0, 4]}}, "its data_offsets span 4 bytes"),
    # dtypes the header check had no width for (its own table lacked the FNUZ float8s and C64)
    ({"a.weight": {**F32x2, "dtype": "F8_E4M3FNUZ"}}, "(2 bytes) but its data_offsets span 8"),
    ({"a.weight": {**F32x2, "dtype": "C64", "shape": [4]}}, "(32 bytes) but its data_offsets"),
    ({"a.weight": "F32"}, "is str, not an entry"),
    ({"a.weight": F32x2, "b.weight": {**F32x2, "data_offsets": [4, 12]}}, "overlap"),
    ({"a.weight": {**F32x2, "shape": [4], "data_offsets": [0, 16]}}, "holds 8 bytes"),
]


@pytest.mark.parametrize(("header", "message"), BAD_HEADERS)
def test_a_malformed_local_safetensors_header_is_a_note_and_the_config_is_still_analyzed(
    tmp_path, header, message
):
    # Before the fix: a shape of strings crashed the analysis (the model stored with no
    # figures at all), negative sizes gave negative stored counts, and overlapping tensors or
    # data past the end of the file were read as if they were a checkpoint.
    import json

    from catalog.services import model_ingest_dir
    from tests.test_ingest import TINY_CONFIG

    folder = tmp_path / "local--broken"
    folder.mkdir()
    (folder / "config.json").write_text(json.dumps(TINY_CONFIG))
    (folder / "model.safetensors").write_bytes(_safetensors_file(header, b"\0" * 8))
    revision = model_ingest_dir(path=folder, repo_id="local/broken").revision
    note = next(n for n in revision.notes if "model.safetensors refused" in n)
    assert message in note, note
    assert not revision.artifacts.filter(kind="safetensors_header").exists()
    assert revision.analysis["params"]["total"] > 0  # the config's figures are all there
    assert "error" not in revision.analysis


def test_a_real_safetensors_file_passes_the_checks(tmp_path):
    from catalog.artifact_text import safetensors_header_from_file
    from tests.hubserver import safetensors_bytes

    path = tmp_path / "model.safetensors"
    path.write_bytes(safetensors_bytes({"a": ("F32", (2, 3)), "b": ("F16", (5,)), "c": ("I8", ())}))
    header = safetensors_header_from_file(path)
    assert set(header) == {"__metadata__", "a", "b", "c"}


def test_a_hub_safetensors_header_the_client_cannot_read_is_a_note_not_a_failed_ingest(hub):
    # Before the fix: huggingface_hub's parser indexes each entry (``tensor["dtype"]``): an
    # entry that is a string raised TypeError out of the ingest ("Unexpected error").
    from catalog.services import model_ingest
    from tests.test_ingest import tiny_files

    broken = _safetensors_file({"a.weight": "F32"})
    hub.add_repo("test-org/odd-header", tiny_files(**{"model.safetensors": broken}))
    revision = model_ingest(repo_id="test-org/odd-header", follow_lineage=False).revision
    assert any("model.safetensors refused" in n for n in revision.notes), revision.notes
    assert revision.analysis["params"]["total"] > 0


def test_a_hub_safetensors_header_with_a_shape_of_strings_is_refused(hub):
    from catalog.services import model_ingest
    from tests.test_ingest import tiny_files

    broken = _safetensors_file({"a.weight": {**F32x2, "shape": "ab"}}, b"\0" * 8)
    hub.add_repo("test-org/str-shape", tiny_files(**{"model.safetensors": broken}))
    revision = model_ingest(repo_id="test-org/str-shape", follow_lineage=False).revision
    assert any("'a.weight' has the shape" in n for n in revision.notes), revision.notes
    assert "error" not in revision.analysis and revision.analysis["params"]["total"] > 0


# --- model cards -------------------------------------------------------------------------------


def _max_depth(html: str) -> int:
    """How deep the elements of ``html`` nest, as html.parser reads it."""
    from html.parser import HTMLParser

    void = {"br", "hr", "img", "input", "meta", "link", "wbr", "source", "col", "area"}

    class Depth(HTMLParser):
        depth = deepest = 0

        def handle_starttag(self, tag, attrs):
            if tag not in void:
                self.depth += 1
                self.deepest = max(self.deepest, self.depth)

        def handle_endtag(self, tag):
            if tag not in void:
                self.depth -= 1

    parser = Depth()
    parser.feed(html)
    return parser.deepest


@pytest.mark.parametrize("tag", ["div", "blockquote", "details", "ul"])
def test_a_card_nesting_its_html_thousands_deep_shows_the_excess_as_text(tag):
    # The sanitizer's HTML parser takes time quadratic in the nesting of block elements: a 1 MiB
    # card of "<div>" (200,000 deep) held a worker for many minutes on every uncached view of
    # its page. Past CARD_HTML_MAX_DEPTH the card's own tags are shown as text.
    from catalog.cards import CARD_HTML_MAX_DEPTH, card_render_html

    html = card_render_html("# Card\n\n" + f"<{tag}>" * 5000 + "\n\nlast words\n")
    assert _max_depth(html) <= CARD_HTML_MAX_DEPTH + 10  # + the page's own few levels
    assert f"&lt;{tag}&gt;" in html  # nothing is lost: the rest is there, as text
    assert "last words" in html


def test_a_card_with_ordinary_nested_html_keeps_its_layout():
    from catalog.cards import card_render_html

    card = '<div align="center">\n<p><b><a href="https://x.example">x</a></b></p>\n</div>\n'
    html = card_render_html(card * 300)  # 300 siblings: depth stays small, every tag kept
    assert html.count('<div align="center"') == 300 and "&lt;div" not in html


# --- the API's paging --------------------------------------------------------------------------


def test_an_api_offset_past_any_database_integer_is_an_empty_page_not_a_500(web_showcase):
    # Before the fix: OFFSET 99999999999999999999 reached the database (SQLite: "datatype
    # mismatch", PostgreSQL: bigint out of range), a 500.
    client = Client(raise_request_exception=True)
    response = client.get("/api/models", {"offset": "99999999999999999999"})
    assert response.status_code == 200
    page = response.json()
    assert page["items"] == [] and page["next"] is None and page["count"] >= 2


# --- production settings -----------------------------------------------------------------------


def test_production_settings_pass_check_deploy(tmp_path):
    """The README's promise: DEBUG=0 with a real SECRET_KEY passes ``check --deploy`` with no
    warning (nothing tested it)."""
    import secrets
    import subprocess
    import sys
    from pathlib import Path

    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "mechanic.example",
        "MECHANIC_DATA_DIR": str(tmp_path),
    }
    proc = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=Path(__file__).resolve().parents[1],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert "no issues" in proc.stdout
