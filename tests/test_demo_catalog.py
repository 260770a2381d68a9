"""The bundled demo catalog: well-formed, loads idempotently, and agrees with real Hub configs."""

from __future__ import annotations

import json
import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from axes.taxonomy import KINDS
from catalog.cards import card_render_html
from catalog.ids import repo_id_validate
from catalog.models import Artifact, CatalogModel, Revision
from catalog.services import DEMO_DIR, demo_catalog_load, revision_artifacts
from tests.conftest import SHARED_DIR

FILES = sorted(DEMO_DIR.glob("*.json"))
ENTRIES = {p.name: json.loads(p.read_text()) for p in FILES}
BY_ID = {e["repo_id"]: e for e in ENTRIES.values()}
REQUIRED_MODELS = {
    "meta-llama/Meta-Llama-3-8B",
    "meta-llama/Llama-3.1-8B",
    "meta-llama/Llama-3.1-8B-Instruct",
    "meta-llama/Llama-3.1-405B",
    "mistralai/Mixtral-8x7B-v0.1",
    "Qwen/Qwen3-30B-A3B",
    "deepseek-ai/DeepSeek-V3",
    "deepseek-ai/DeepSeek-R1",
    "nvidia/Nemotron-H-8B-Base-8K",
    "nvidia/NVIDIA-Nemotron-3-Nano-30B-A3B",
    "google/gemma-3-27b-it",
    "openai/gpt-oss-20b",
    "state-spaces/mamba-2.8b-hf",
    "HuggingFaceTB/SmolLM3-3B",
}
# Keys that say nothing about the network: tooling versions and runtime defaults.
NOT_BACKBONE = {"transformers_version", "_name_or_path", "use_cache"}


def test_the_catalog_has_every_lesson_model_and_a_quantized_one() -> None:
    assert len(FILES) >= 12
    assert REQUIRED_MODELS <= set(BY_ID)
    assert any("quantization_config" in e["config"] for e in ENTRIES.values())
    assert any(e["config"].get("quantization_config", {}).get("quant_method") == "awq"
               for e in ENTRIES.values())  # fmt: skip


@pytest.mark.parametrize("name", sorted(ENTRIES))
def test_each_entry_is_well_formed(name: str) -> None:
    entry = ENTRIES[name]
    repo_id_validate(entry["repo_id"])
    assert name == entry["repo_id"].replace("/", "--") + ".json"
    assert entry["display_name"] and entry["summary"] and "\n" not in entry["summary"]
    config = entry["config"]
    assert config["model_type"] and config["architectures"]
    assert len(entry["card"]) < 2000  # our own short summary, not a copied card
    assert "huggingface.co/" + entry["repo_id"] in entry["card"]
    html = card_render_html(entry["card"])
    assert "<h1" in html and "<script" not in html
    assert entry["facts"], "every model carries a few sourced card facts"
    for fact in entry["facts"]:
        assert fact["kind"] in KINDS, fact
        assert fact["text"] and fact["source_url"].startswith("https://"), fact
    if "safetensors_total" in entry:
        assert isinstance(entry["safetensors_total"], int) and entry["safetensors_total"] > 0


def shared_pairs() -> list[tuple[str, Path]]:
    hub = SHARED_DIR / "hub"
    return [
        (repo_id, hub / repo_id.replace("/", "--") / "config.json")
        for repo_id in sorted(BY_ID)
        if (hub / repo_id.replace("/", "--") / "config.json").is_file()
    ]


def test_some_models_are_in_shared() -> None:
    if not (SHARED_DIR / "hub").is_dir():
        pytest.skip(f"{SHARED_DIR / 'hub'} is not available")
    assert len(shared_pairs()) >= 4


@pytest.mark.parametrize(("repo_id", "path"), shared_pairs())
def test_config_values_match_the_real_hub_config(repo_id: str, path: Path) -> None:
    ours = BY_ID[repo_id]["config"]
    real = json.loads(path.read_text())
    keys = (set(ours) | set(real)) - NOT_BACKBONE
    mismatches = {k: (ours.get(k), real.get(k)) for k in keys if ours.get(k) != real.get(k)}
    assert mismatches == {}


@pytest.mark.parametrize(
    "repo_id",
    [
        r
        for r in sorted(BY_ID)
        if (SHARED_DIR / "hub" / r.replace("/", "--") / "generation_config.json").is_file()
    ],
)
def test_shared_generation_configs_match(repo_id: str) -> None:
    path = SHARED_DIR / "hub" / repo_id.replace("/", "--") / "generation_config.json"
    ours = dict(BY_ID[repo_id].get("generation_config") or {})
    real = json.loads(path.read_text())
    for cfg in (ours, real):
        cfg.pop("transformers_version", None)
    assert ours == real


def backbone(config: dict) -> dict:
    return {k: v for k, v in config.items() if k not in NOT_BACKBONE | {"eos_token_id"}}


def test_the_lesson_pairs() -> None:
    # DeepSeek-V3 and R1: the same network; only post-training differs.
    v3, r1 = BY_ID["deepseek-ai/DeepSeek-V3"], BY_ID["deepseek-ai/DeepSeek-R1"]
    assert backbone(v3["config"]) == backbone(r1["config"])
    assert {f["kind"] for f in r1["facts"]} & {"post_training.rl", "post_training.sft"}
    # Llama 3.1 8B and its Instruct: identical backbone (they differ in stop tokens only).
    base, inst = BY_ID["meta-llama/Llama-3.1-8B"], BY_ID["meta-llama/Llama-3.1-8B-Instruct"]
    assert backbone(base["config"]) == backbone(inst["config"])
    # Meta-Llama-3-8B and Nemotron-H-8B: different backbones of similar size.
    llama3, nemo = BY_ID["meta-llama/Meta-Llama-3-8B"], BY_ID["nvidia/Nemotron-H-8B-Base-8K"]
    assert llama3["config"]["model_type"] != nemo["config"]["model_type"] == "nemotron_h"
    pattern = nemo["config"]["hybrid_override_pattern"]
    assert len(pattern) == nemo["config"]["num_hidden_layers"] and pattern.count("*") == 4
    nano = BY_ID["nvidia/NVIDIA-Nemotron-3-Nano-30B-A3B"]["config"]
    p = nano["hybrid_override_pattern"]
    assert (p.count("M"), p.count("E"), p.count("*"), len(p)) == (23, 23, 6, 52)
    mamba = BY_ID["state-spaces/mamba-2.8b-hf"]["config"]
    assert mamba["model_type"] == "mamba" and "num_attention_heads" not in mamba


@pytest.mark.django_db
def test_load_demo_twice_creates_no_duplicates_and_writes_nothing() -> None:
    first = demo_catalog_load()
    assert len(first) == len(FILES) and all(r.created for r in first)
    counts = (CatalogModel.objects.count(), Revision.objects.count(), Artifact.objects.count())
    assert counts[0] == len(FILES) == counts[1]
    with CaptureQueriesContext(connection) as queries:
        second = demo_catalog_load()
    assert not any(r.created for r in second)
    writes = [q for q in queries.captured_queries
              if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]  # fmt: skip
    assert writes == []
    assert (CatalogModel.objects.count(), Revision.objects.count(), Artifact.objects.count()) == (
        counts
    )


@pytest.mark.django_db
def test_a_bundled_revision_is_complete() -> None:
    demo_catalog_load()
    model = CatalogModel.objects.get(repo_id="deepseek-ai/DeepSeek-R1")
    rev = model.latest_revision
    assert rev.source == Revision.Source.BUNDLED and len(rev.sha) == 64
    assert model.display_name == "DeepSeek-R1" and model.summary
    names = set(rev.artifacts.values_list("name", flat=True))
    assert names == {"config.json", "generation_config.json", "README.md"}
    arts = revision_artifacts(rev)
    assert arts.config == BY_ID["deepseek-ai/DeepSeek-R1"]["config"]
    assert arts.extra_facts == BY_ID["deepseek-ai/DeepSeek-R1"]["facts"]
    assert arts.card.startswith("# DeepSeek-R1")
    smol = CatalogModel.objects.get(repo_id="HuggingFaceTB/SmolLM3-3B").latest_revision
    assert smol.model_info["safetensors"]["total"] == 3075098624


@pytest.mark.django_db
def test_a_bundled_revision_never_hides_a_fetched_one(tmp_path) -> None:
    from catalog.services import demo_model_load, model_upload

    config = json.loads((DEMO_DIR / "mistralai--Mixtral-8x7B-v0.1.json").read_text())["config"]
    uploaded = model_upload(
        repo_id="mistralai/Mixtral-8x7B-v0.1",
        config_text=json.dumps({**config, "num_hidden_layers": 2}),  # not the bundled one
    )
    bundled = demo_model_load(path=DEMO_DIR / "mistralai--Mixtral-8x7B-v0.1.json")
    assert bundled.created
    model = CatalogModel.objects.get(repo_id="mistralai/Mixtral-8x7B-v0.1")
    assert model.latest_revision_id == uploaded.revision.id


@pytest.mark.django_db
def test_load_demo_command() -> None:
    out, err = StringIO(), StringIO()
    call_command("load_demo", stdout=out, stderr=err)
    first = out.getvalue().strip()
    assert "\n" not in first  # the total only, at the default verbosity
    loaded = int(first.split(": ", 1)[1].split(" loaded")[0])
    assert loaded >= len(FILES)  # plus the closed-model families loaded by the same command
    assert first == f"demo catalog: {loaded} loaded, 0 unchanged"
    assert err.getvalue() == ""  # progress is no error (stderr shows red on a terminal)
    out = StringIO()
    call_command("load_demo", stdout=out, stderr=StringIO())
    assert out.getvalue().strip() == f"demo catalog: 0 loaded, {loaded} unchanged"
    out = StringIO()  # one line per model with -v 2
    call_command("load_demo", verbosity=2, stdout=out, stderr=StringIO())
    assert out.getvalue().count("unchanged ") >= len(FILES)
    assert "(bundled, 1 artifacts)" not in out.getvalue()


@pytest.mark.django_db
def test_every_bundled_model_is_analysed_and_counts_match_published_totals() -> None:
    from axes.analysis import ANALYSIS_VERSION

    for result in demo_catalog_load():
        rev = result.revision
        assert rev.analysis_version == ANALYSIS_VERSION, rev
        assert "error" not in rev.analysis and not rev.analysis.get("backbone_error"), rev
        published = BY_ID[result.model.repo_id].get("safetensors_total")
        if published:  # our config values reproduce the published parameter count exactly
            assert rev.analysis["params"]["total"] == published, result.model.repo_id


# A summary's parameter figures ("~3.6B active", "of ~31.6B", "671B-parameter", "of 30.5B");
# any other "<n>B" must be a model's name ("Llama 3 8B", "Llama 3.1 8B Instruct").
_FIGURE = re.compile(r"(?<![\w.])~?(\d+(?:\.\d+)?)B\b")
_MODEL_NAME = re.compile(r"Llama 3(?:\.1)? $")


def _summary_figures(summary: str) -> list[tuple[str, str]]:
    """(which count, as written) for each parameter figure of a summary."""
    figures = []
    for m in _FIGURE.finditer(summary):
        before, after = summary[: m.start()], summary[m.end() :]
        if after.startswith(" active"):
            figures.append(("active", m.group(1)))
        elif after.startswith("-parameter") or before.endswith("of "):
            figures.append(("total", m.group(1)))
        else:
            assert _MODEL_NAME.search(before), f"{summary!r}: what is {m.group(0)!r}?"
    return figures


@pytest.mark.parametrize("name", sorted(ENTRIES))
def test_a_summarys_parameter_figures_are_the_engines(name: str) -> None:
    """The headline shows the engine's count ("3.58 B"); the summary above it must not say
    another figure ("~3.5B active"): each figure equals the engine's, rounded to the decimals
    it is written with."""
    from axes.backbone import analyze_config

    entry = ENTRIES[name]
    params = analyze_config(entry["config"])["params"]
    for which, written in _summary_figures(entry["summary"]):
        decimals = len(written.partition(".")[2])
        engine = round(params[which] / 1e9, decimals)
        assert float(written) == engine, (
            f"{entry['summary']!r}: {written}B {which}, engine {engine}B"
        )


def test_summary_figures_are_found() -> None:
    assert _summary_figures("MoE (~3.6B active of ~31.6B), like Llama 3.1 8B") == [
        ("active", "3.6"),
        ("total", "31.6"),
    ]
    assert _summary_figures("671B-parameter MoE (37B active)") == [
        ("total", "671"),
        ("active", "37"),
    ]
