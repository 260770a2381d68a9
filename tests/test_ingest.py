"""Ingestion through the real huggingface_hub client against the loopback Hub (no HTTP mocks)."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.artifact_text import ArtifactInvalid
from catalog.hub import HubServerError
from catalog.ids import InvalidModelId
from catalog.models import Artifact, CatalogModel, IngestJob, Revision
from catalog.services import (
    analysis_refresh,
    ingest_job_create,
    ingest_job_run,
    model_ingest,
    model_ingest_dir,
    model_upload,
    revision_artifacts,
)
from tests.hubserver import safetensors_bytes

pytestmark = pytest.mark.django_db

TINY_CONFIG = {
    "architectures": ["LlamaForCausalLM"],
    "model_type": "llama",
    "hidden_size": 64,
    "intermediate_size": 128,
    "num_hidden_layers": 2,
    "num_attention_heads": 4,
    "num_key_value_heads": 2,
    "vocab_size": 256,
    "max_position_embeddings": 2048,
    "rms_norm_eps": 1e-5,
    "rope_theta": 500000.0,
    "hidden_act": "silu",
    "tie_word_embeddings": False,
    "torch_dtype": "float32",
}
TINY_CARD = """---
license: apache-2.0
base_model: test-org/tiny-base
tags: [text-generation]
---
# Tiny test model

A two-layer Llama-shaped model for tests.

Use temperature 0.6 and top_p 0.9.
"""
# A 512 KiB lm_head makes the file far bigger than the 100 KB the client's first range reads.
TINY_TENSORS = {
    "model.embed_tokens.weight": ("F32", (256, 64)),
    "model.layers.0.self_attn.q_proj.weight": ("F32", (64, 64)),
    "model.norm.weight": ("F32", (64,)),
    "lm_head.weight": ("F32", (2048, 64)),
}


def tiny_files(**extra: bytes | str) -> dict[str, bytes | str]:
    files: dict[str, bytes | str] = {
        "config.json": json.dumps(TINY_CONFIG, indent=2),
        "generation_config.json": json.dumps({"temperature": 0.6, "top_p": 0.9}),
        "tokenizer_config.json": json.dumps({"bos_token": "<s>", "model_max_length": 2048}),
        "chat_template.jinja": "{% for m in messages %}{{ m['content'] }}{% endfor %}",
        "README.md": TINY_CARD,
        "model.safetensors": safetensors_bytes(TINY_TENSORS),
        ".gitattributes": "*.safetensors filter=lfs",
    }
    files.update(extra)
    return files


def counts() -> tuple[int, int, int]:
    return CatalogModel.objects.count(), Revision.objects.count(), Artifact.objects.count()


def test_ingest_stores_every_artifact_pinned_to_the_sha(hub) -> None:
    repo = hub.add_repo("test-org/tiny", tiny_files())
    stages: list[tuple[str, int]] = []
    result = model_ingest(repo_id="test-org/tiny", progress=lambda s, p: stages.append((s, p)))

    assert result.created
    rev = result.revision
    assert rev.sha == repo.refs["main"]
    assert rev.source == Revision.Source.HUB
    assert result.model.latest_revision_id == rev.id
    names = set(rev.artifacts.values_list("name", flat=True))
    assert names == {
        "config.json",
        "generation_config.json",
        "tokenizer_config.json",
        "chat_template.jinja",
        "README.md",
        "model.safetensors",
    }
    config = rev.artifacts.get(name="config.json")
    assert config.kind == Artifact.Kind.CONFIG and config.data == TINY_CONFIG
    header = rev.artifacts.get(name="model.safetensors")
    assert header.kind == Artifact.Kind.SAFETENSORS_HEADER
    assert header.data["lm_head.weight"]["shape"] == [2048, 64]
    assert header.data["__metadata__"] == {"format": "pt"}
    # model_info(expand=...) subset as the Hub answered it
    assert rev.model_info["sha"] == rev.sha
    assert rev.model_info["safetensors"]["total"] == 256 * 64 + 64 * 64 + 64 + 2048 * 64
    assert rev.model_info["card_data"]["license"] == "apache-2.0"
    assert "model.safetensors" in rev.model_info["siblings"]
    # every file request was pinned to the resolved sha, never to "main"
    resolve_paths = hub.paths("/resolve/")
    assert resolve_paths and all(f"/resolve/{rev.sha}/" in p for p in resolve_paths)
    info_requests = [r for r in hub.requests if r.path.startswith("/api/models/")]
    assert "expand=sha" in info_requests[0].path and "expand=safetensors" in info_requests[0].path
    assert stages[0][0] == "model_info" and stages[-1] == ("done", 100)
    # the stored rows rebuild the Artifacts dataclass
    arts = revision_artifacts(rev)
    assert arts.config == TINY_CONFIG
    assert arts.card == TINY_CARD
    assert arts.generation_config == {"temperature": 0.6, "top_p": 0.9}
    assert arts.chat_template.startswith("{% for m")
    assert set(arts.safetensors_headers) == {"model.safetensors"}


def test_safetensors_header_is_read_by_range_requests_never_the_weights(hub) -> None:
    files = tiny_files()
    weights_bytes = len(files["model.safetensors"])
    assert weights_bytes > 500_000
    hub.add_repo("test-org/tiny", files)
    model_ingest(repo_id="test-org/tiny")
    served = [
        r for r in hub.requests if r.path.endswith("/model.safetensors") and r.method == "GET"
    ]
    assert served and all(r.headers.get("range", "").startswith("bytes=0-") for r in served)
    assert sum(r.body_bytes for r in served) <= 100_001 < weights_bytes


def test_sharded_repo_reads_every_shard_header(hub) -> None:
    shard1 = safetensors_bytes({"a.weight": ("F16", (8, 8))})
    shard2 = safetensors_bytes({"b.weight": ("F16", (4, 8)), "c.bias": ("F32", (4,))})
    index = {
        "metadata": {"total_size": 8 * 8 * 2 + 4 * 8 * 2 + 16},
        "weight_map": {
            "a.weight": "model-00001-of-00002.safetensors",
            "b.weight": "model-00002-of-00002.safetensors",
            "c.bias": "model-00002-of-00002.safetensors",
        },
    }
    files = tiny_files(
        **{
            "model.safetensors.index.json": json.dumps(index),
            "model-00001-of-00002.safetensors": shard1,
            "model-00002-of-00002.safetensors": shard2,
        }
    )
    del files["model.safetensors"]
    hub.add_repo("test-org/sharded", files)
    rev = model_ingest(repo_id="test-org/sharded").revision
    headers = {a.name: a.data for a in rev.artifacts.filter(kind=Artifact.Kind.SAFETENSORS_HEADER)}
    assert set(headers) == {"model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"}
    assert headers["model-00002-of-00002.safetensors"]["c.bias"]["dtype"] == "F32"
    assert rev.artifacts.get(name="model.safetensors.index.json").data == index


def test_reingest_of_an_unchanged_model_writes_nothing(hub) -> None:
    hub.add_repo("test-org/tiny", tiny_files())
    first = model_ingest(repo_id="test-org/tiny")
    model_updated_at = CatalogModel.objects.get().updated_at
    before = counts()
    with CaptureQueriesContext(connection) as queries:
        again = model_ingest(repo_id="test-org/tiny")
    writes = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]
    assert writes == []
    assert not again.created and again.revision.id == first.revision.id
    assert counts() == before
    assert CatalogModel.objects.get().updated_at == model_updated_at
    # only model_info was asked: no file was fetched again
    assert len(hub.paths("/resolve/")) == len(set(hub.paths("/resolve/")))


def test_a_new_sha_adds_a_revision_and_keeps_the_old(hub) -> None:
    hub.add_repo("test-org/tiny", tiny_files())
    old = model_ingest(repo_id="test-org/tiny").revision
    new_config = dict(TINY_CONFIG, num_hidden_layers=4)
    new_sha = hub.commit("test-org/tiny", {"config.json": json.dumps(new_config)})
    result = model_ingest(repo_id="test-org/tiny")
    assert result.created and result.revision.sha == new_sha != old.sha
    model = CatalogModel.objects.get(repo_id="test-org/tiny")
    assert model.latest_revision_id == result.revision.id
    assert set(model.revisions.values_list("sha", flat=True)) == {old.sha, new_sha}
    assert old.artifacts.get(name="config.json").data["num_hidden_layers"] == 2
    assert result.revision.artifacts.get(name="config.json").data["num_hidden_layers"] == 4
    # an explicit older revision is found in the catalog without fetching files again
    resolves_before = len(hub.paths("/resolve/"))
    pinned = model_ingest(repo_id="test-org/tiny", revision=old.sha)
    assert not pinned.created and pinned.revision.id == old.id
    assert len(hub.paths("/resolve/")) == resolves_before


def test_a_fetch_failing_midway_writes_nothing(hub) -> None:
    hub.add_repo("test-org/tiny", tiny_files())
    # config.json and the card arrive, then the safetensors header keeps failing
    hub.fault("500", path_contains="/model.safetensors", times=None)
    with pytest.raises(HubServerError):
        model_ingest(repo_id="test-org/tiny")
    assert any("/config.json" in p for p in hub.paths("/resolve/"))
    assert counts() == (0, 0, 0)


def test_a_card_over_1_mib_is_truncated_with_a_note(hub) -> None:
    card = TINY_CARD + ("word " * 300_000)
    hub.add_repo("test-org/big-card", tiny_files(**{"README.md": card}))
    rev = model_ingest(repo_id="test-org/big-card").revision
    art = rev.artifacts.get(name="README.md")
    assert art.truncated and art.size_bytes == len(card.encode())
    assert len(art.text.encode()) <= 1024 * 1024
    assert "1,048,576" in art.note
    assert any("README.md" in n for n in rev.notes)
    card_requests = [r for r in hub.requests if r.path.endswith("/README.md")]
    assert sum(r.body_bytes for r in card_requests) <= 1024 * 1024 + 1


def test_json_that_does_not_parse_is_reported_with_file_and_position(hub) -> None:
    broken = '{\n  "model_type": "llama",\n  "hidden_size": 64,,\n}'
    hub.add_repo("test-org/broken", tiny_files(**{"generation_config.json": broken}))
    rev = model_ingest(repo_id="test-org/broken").revision
    art = rev.artifacts.get(name="generation_config.json")
    assert art.data is None and art.text == broken
    assert art.note.startswith("generation_config.json is not valid JSON")
    assert "line 3, column 21" in art.note
    assert art.note in rev.notes


def test_ingest_a_shared_hub_repo(hub) -> None:
    result = model_ingest(repo_id="mistralai/Mixtral-8x7B-v0.1")
    config = result.revision.artifacts.get(name="config.json").data
    assert config["model_type"] == "mixtral" and config["num_local_experts"] == 8
    assert result.revision.artifacts.filter(name="README.md").exists()
    # the index names shards the loopback Hub does not hold: no headers, no crash
    assert not result.revision.artifacts.filter(kind=Artifact.Kind.SAFETENSORS_HEADER).exists()


def test_a_real_config_with_infinity_is_analyzed_with_a_note(hub) -> None:
    # Nemotron-H's config.json (written by Python's json) has "time_step_limit": [0.0,
    # Infinity]; JSON columns refuse Infinity, so it is stored as null and the note says so.
    # Before: "config.json is not usable JSON: Infinity is not a JSON number", no analysis.
    result = model_ingest(repo_id="nvidia/Nemotron-H-56B-Base-8K")
    config = result.revision.artifacts.get(name="config.json")
    assert config.data["time_step_limit"] == [0.0, None]
    assert "holds Infinity" in config.note and config.note in result.revision.notes
    analysis = result.revision.analysis
    assert analysis["params"]["total"] == 56_324_350_464
    assert analysis["backbone"]["layers"]["summary"] == "54 Mamba-2 + 10 GQA + 54 MLP"


def test_a_modelopt_fp8_repo_is_counted_in_fp8(hub) -> None:
    result = model_ingest(repo_id="nvidia/Llama-3.1-70B-Instruct-FP8")
    quant = result.revision.artifacts.get(name="hf_quant_config.json")
    assert quant.kind == Artifact.Kind.QUANT_CONFIG
    assert quant.data["quantization"]["quant_algo"] == "FP8"
    weights = result.revision.analysis["memory"]["weights_bytes"]
    assert weights["stored"] == 72_656_371_712 and weights["bf16"] == 141_107_412_992
    # the stored revision is re-analyzed from its artifacts alone (no network): the same
    from catalog.services import revision_artifacts

    assert revision_artifacts(result.revision).quant_config == quant.data


def test_an_url_is_normalized_before_the_request(hub) -> None:
    hub.add_repo("test-org/tiny", tiny_files())
    result = model_ingest(repo_id=f"{hub.url}/test-org/tiny/tree/main")
    assert result.model.repo_id == "test-org/tiny"


def test_analysis_is_stored_with_its_version(hub) -> None:
    from axes import analysis as axes_analysis

    hub.add_repo("test-org/tiny", tiny_files())
    rev = model_ingest(repo_id="test-org/tiny").revision
    if hasattr(axes_analysis, "analyze_artifacts"):
        assert rev.analysis_version == axes_analysis.ANALYSIS_VERSION
        assert rev.analysis and "error" not in rev.analysis
    else:  # the analyzer is not merged yet: the ingest still lands, with a note
        assert rev.analysis_version == 0
        assert any("analysis" in n for n in rev.notes)
    refreshed = analysis_refresh(revision=rev)
    assert refreshed.analysis_version == rev.analysis_version


# --- folders and uploads ---------------------------------------------------------------------


def write_folder(root: Path, files: dict[str, bytes | str]) -> None:
    root.mkdir(parents=True)
    for name, data in files.items():
        (root / name).write_bytes(data.encode() if isinstance(data, str) else data)


def test_ingest_dir_uses_the_last_two_path_parts_and_a_content_hash(tmp_path) -> None:
    folder = tmp_path / "local-org" / "tiny-local"
    write_folder(folder, tiny_files())
    result = model_ingest_dir(path=folder)
    assert result.created and result.model.repo_id == "local-org/tiny-local"
    assert result.revision.source == Revision.Source.UPLOAD and len(result.revision.sha) == 64
    assert result.revision.artifacts.get(name="model.safetensors").data["model.norm.weight"][
        "shape"
    ] == [64]
    again = model_ingest_dir(path=folder)
    assert not again.created and again.revision.id == result.revision.id
    (folder / "config.json").write_text(json.dumps(dict(TINY_CONFIG, num_hidden_layers=3)))
    changed = model_ingest_dir(path=folder)
    assert changed.created and changed.revision.sha != result.revision.sha
    named = model_ingest_dir(path=folder, repo_id="other/name")
    assert named.model.repo_id == "other/name"


def test_ingest_dir_refuses_a_bad_config_with_its_position(tmp_path) -> None:
    folder = tmp_path / "o" / "bad"
    write_folder(folder, {"config.json": '{"a": 1,\n "b": }'})
    with pytest.raises(ArtifactInvalid, match=r"config.json is not valid JSON: .* line 2, column"):
        model_ingest_dir(path=folder)
    assert counts() == (0, 0, 0)


def test_ingest_dir_refuses_to_shadow_a_hub_or_bundled_model_unless_replace(tmp_path) -> None:
    """Every caller (ingest --dir, profile PATH) stores folders through model_ingest_dir, so the
    refusal lives there: a folder named org--name is stored under org/name."""
    from catalog.services import ModelShadowed

    for source, repo_id in (
        (Revision.Source.BUNDLED, "meta-llama/Llama-3.1-8B"),
        (Revision.Source.HUB, "acme/from-hub"),
    ):
        model = CatalogModel.objects.create(repo_id=repo_id)
        model.latest_revision = Revision.objects.create(model=model, sha="a" * 40, source=source)
        model.save()
        folder = tmp_path / "x" / repo_id.replace("/", "--")
        write_folder(folder, tiny_files())
        with pytest.raises(ModelShadowed, match="already in the catalog from") as refused:
            model_ingest_dir(path=folder)
        assert (refused.value.repo_id, refused.value.source) == (repo_id, source)
        with pytest.raises(ModelShadowed):  # any casing of the ID, given or not
            model_ingest_dir(path=folder, repo_id=repo_id.upper())
        assert Revision.objects.filter(model=model).count() == 1  # nothing written
        stored = model_ingest_dir(path=folder, replace=True)
        assert stored.created and stored.model == model
        assert Revision.objects.filter(model=model).count() == 2
    # a folder over an earlier folder of the same name needs no replace
    folder = tmp_path / "local" / "mine"
    write_folder(folder, tiny_files())
    model_ingest_dir(path=folder)
    (folder / "config.json").write_text(json.dumps(dict(TINY_CONFIG, num_hidden_layers=3)))
    assert model_ingest_dir(path=folder).created


def test_upload_stores_pasted_files_and_is_idempotent() -> None:
    config_text = json.dumps(TINY_CONFIG)
    result = model_upload(
        repo_id="private-org/secret", config_text=config_text, card_text=TINY_CARD
    )
    assert result.created and result.revision.source == Revision.Source.UPLOAD
    assert set(result.revision.artifacts.values_list("name", flat=True)) == {
        "config.json",
        "README.md",
    }
    assert not model_upload(
        repo_id="private-org/secret", config_text=config_text, card_text=TINY_CARD
    ).created
    with pytest.raises(ArtifactInvalid, match="config.json is not valid JSON"):
        model_upload(repo_id="private-org/secret", config_text="{nope")
    with pytest.raises(ArtifactInvalid, match="not an object"):
        model_upload(repo_id="private-org/secret", config_text="[1, 2]")
    with pytest.raises(InvalidModelId):
        model_upload(repo_id="../etc", config_text=config_text)


# --- the ingest command ----------------------------------------------------------------------


def run_command(*argv: str) -> tuple[int, str, str]:
    """Run ``manage.py ingest ...`` in-process; return (exit code, stdout, stderr).

    ``run_from_argv`` would close the test database connection, so this does what it does
    around ``execute``: a ``CommandError`` becomes its message on stderr and its return code.
    """
    out, err = StringIO(), StringIO()
    try:
        call_command("ingest", *argv, stdout=out, stderr=err)
    except CommandError as exc:
        err.write(f"CommandError: {exc}\n")
        return exc.returncode, out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def test_ingest_command_success_prints_one_line_and_stages(hub) -> None:
    hub.add_repo("test-org/tiny", tiny_files())
    rc, out, err = run_command("test-org/tiny")
    assert rc == 0
    assert out.strip().startswith("ingested test-org/tiny@") and out.count("\n") == 1
    # the ingest page's words for its stages, not their ids ("model_info", "headers: ...")
    assert "[  5%] Reading the model information\n" in err
    assert "Reading the safetensors header of model.safetensors" in err
    assert "model_info" not in err and "headers:" not in err
    rc, out, _ = run_command("test-org/tiny")
    assert rc == 0 and out.startswith("unchanged test-org/tiny@")


@pytest.mark.parametrize(
    ("environ", "said"),
    [
        ({"LANGUAGE": "ko"}, "[  5%] 모델 정보를 읽는 중"),
        ({"LANG": "de_DE.UTF-8"}, "Modellinformationen werden gelesen"),
        ({"LC_ALL": "C", "LANG": "ko_KR.UTF-8"}, "Reading the model information"),
    ],
)
def test_ingest_command_says_its_stages_in_the_terminal_s_language(
    hub, monkeypatch, environ, said
) -> None:
    """The locale variables choose the language, as gettext reads them (LC_ALL=C is English
    even under a Korean LANG)."""
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    hub.add_repo("test-org/tiny", tiny_files())
    rc, out, err = run_command("test-org/tiny")
    assert rc == 0 and out.startswith("ingested test-org/tiny@")  # the result line: for scripts
    first = err.splitlines()[0]
    assert said in first, err


def test_ingest_command_failures_exit_non_zero_with_the_message(hub) -> None:
    rc, out, err = run_command("datasets/squad")
    assert rc == 1 and out == ""
    assert "org/name" in err
    assert hub.requests == []
    rc, _, err = run_command("test-org/missing")
    assert rc == 1
    assert "No model 'test-org/missing' on the Hub" in err
    with pytest.raises(CommandError, match="either MODEL_ID or --dir"):
        call_command("ingest")


def test_ingest_command_dir_that_is_not_a_folder_says_what_to_pass(tmp_path, monkeypatch) -> None:
    """`ingest --dir /nope` said only "/nope is not a folder."; it says what to pass instead,
    and a config.json given for its folder names the folder; in the terminal's language."""
    rc, out, err = run_command("--dir", str(tmp_path / "nope"))
    assert rc == 1 and out == ""
    assert f"{tmp_path / 'nope'} is not a folder: nothing is there. Pass the folder" in err
    assert "`python manage.py ingest ORG/NAME`" in err
    config = tmp_path / "acme" / "config.json"
    config.parent.mkdir()
    config.write_text("{}")
    rc, _, err = run_command("--dir", str(config))
    assert rc == 1
    assert "is not a folder: it is a file. Pass the folder that holds the model's" in err
    assert f"(this file's folder is {config.parent.resolve()})" in err
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "de_DE.UTF-8")
    rc, _, err = run_command("--dir", str(tmp_path / "nope"))
    assert rc == 1 and "ist kein Ordner: dort ist nichts. Gib den Ordner an" in err


def test_ingest_command_dir(tmp_path) -> None:
    folder = tmp_path / "acme" / "tiny"
    write_folder(folder, tiny_files())
    rc, out, _ = run_command("--dir", str(folder))
    assert rc == 0 and out.startswith("ingested acme/tiny@")
    rc, out, _ = run_command("--dir", str(folder), "--id", "acme/renamed")
    assert rc == 0 and out.startswith("ingested acme/renamed@")


def test_ingest_command_dir_names_a_hub_cache_snapshot_by_its_model(tmp_path) -> None:
    folder = tmp_path / "hub" / "models--acme--tiny-cached" / "snapshots" / ("4e20" * 10)
    write_folder(folder, tiny_files())
    rc, out, _ = run_command("--dir", str(folder))
    assert rc == 0 and out.startswith("ingested acme/tiny-cached@"), out


def test_ingest_command_dir_takes_a_hub_url_as_id(tmp_path) -> None:
    folder = tmp_path / "x" / "y"
    write_folder(folder, tiny_files())
    rc, out, err = run_command("--dir", str(folder), "--id", "https://huggingface.co/acme/med")
    assert rc == 0 and out.startswith("ingested acme/med@"), err


def test_ingest_command_dir_does_not_silently_replace_a_hub_or_bundled_model(tmp_path) -> None:
    model = CatalogModel.objects.create(repo_id="meta-llama/Llama-3.1-8B")
    hub_rev = Revision.objects.create(model=model, sha="a" * 40, source=Revision.Source.HUB)
    model.latest_revision = hub_rev
    model.save()
    folder = tmp_path / "other" / "gemma-folder"
    write_folder(folder, tiny_files())
    rc, out, err = run_command("--dir", str(folder), "--id", "meta-llama/llama-3.1-8b")
    assert rc == 1 and out == ""
    assert "already in the catalog from the Hub" in err and "--replace" in err
    assert "local/llama-3.1-8b" in err
    assert Revision.objects.filter(model=model).count() == 1  # nothing written
    rc, out, _ = run_command("--dir", str(folder), "--id", "meta-llama/Llama-3.1-8B", "--replace")
    assert rc == 0 and out.startswith("ingested meta-llama/Llama-3.1-8B@")
    assert Revision.objects.filter(model=model).count() == 2
    # a folder over the user's own earlier folder needs no --replace
    (folder / "config.json").write_text(json.dumps(dict(TINY_CONFIG, num_hidden_layers=3)))
    rc, out, _ = run_command("--dir", str(folder), "--id", "other/gemma-folder")
    assert rc == 0
    (folder / "config.json").write_text(json.dumps(dict(TINY_CONFIG, num_hidden_layers=4)))
    rc, out, _ = run_command("--dir", str(folder))
    assert rc == 0 and out.startswith("ingested other/gemma-folder@")


# --- jobs (the web's asynchronous ingest) ----------------------------------------------------


def test_ingest_job_runs_and_records_success(hub) -> None:
    hub.add_repo("test-org/tiny", tiny_files())
    job = ingest_job_create(repo_id="https://huggingface.co/test-org/tiny")
    assert job.status == IngestJob.Status.QUEUED and job.repo_id == "test-org/tiny"
    from catalog.tasks import ingest_model

    assert ingest_model.run(job.id) == IngestJob.Status.SUCCEEDED
    job.refresh_from_db()
    assert job.progress_pct == 100 and job.revision is not None and job.finished_at
    assert ingest_job_run(job_id=job.id) is None  # a redelivered message does nothing


def test_ingest_job_records_a_user_readable_failure(hub) -> None:
    job = ingest_job_create(repo_id="test-org/does-not-exist")
    done = ingest_job_run(job_id=job.id)
    assert done.status == IngestJob.Status.FAILED
    assert done.error_code == "repo_not_found" and "No model" in done.error
    with pytest.raises(InvalidModelId):
        ingest_job_create(repo_id="spaces/x/y")
    assert IngestJob.objects.count() == 1
