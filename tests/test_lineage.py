"""Lineage: a Hub ingest follows ``base_model`` (ingesting reachable parents) and the model page
shows each hop with its relation and whether it changed the architecture.

Real ``huggingface_hub`` client against the loopback Hub; the parent
``meta-llama/Llama-3.1-8B`` is served from ../shared/hub (its real config.json).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.models import CatalogModel, Revision
from catalog.services import LINEAGE_FOLLOW_DEPTH, model_ingest, model_upload

pytestmark = pytest.mark.django_db

SHARED = Path(
    os.environ.get("MECHANIC_SHARED_DIR", Path(__file__).resolve().parents[1].parent / "shared")
)
LLAMA_DIR = SHARED / "hub" / "meta-llama--Llama-3.1-8B"
needs_hub = pytest.mark.skipif(not LLAMA_DIR.is_dir(), reason=f"no shared hub data at {LLAMA_DIR}")

PARENT = "meta-llama/Llama-3.1-8B"


def llama_config(**changes: object) -> dict:
    config = json.loads((LLAMA_DIR / "config.json").read_text())
    config.update(changes)
    return config


def card(base: str | list[str], relation: str | None = "finetune", title: str = "Child") -> str:
    bases = base if isinstance(base, list) else [base]
    lines = ["---", "license: llama3.1", "base_model:"] + [f"- {b}" for b in bases]
    if relation:
        lines.append(f"base_model_relation: {relation}")
    return "\n".join(lines + ["---", f"# {title}", "", "A model made from its base.", ""])


def child_files(config: dict, card_text: str) -> dict[str, str]:
    return {"config.json": json.dumps(config, indent=2), "README.md": card_text}


def page(client, repo_id: str) -> str:
    response = client.get(f"/models/{repo_id}/")
    assert response.status_code == 200
    return response.content.decode()


@needs_hub
def test_ingesting_a_finetune_ingests_its_base_and_the_hop_is_pure_post_training(
    hub, client
) -> None:
    # the child's config is the parent's, with the ids a fine-tune typically rewrites
    config = llama_config(_name_or_path="test-org/llama-sft", eos_token_id=128009)
    hub.add_repo("test-org/llama-sft", child_files(config, card(PARENT)))

    result = model_ingest(repo_id="test-org/llama-sft")

    assert result.created and result.lineage == [PARENT]
    parent = CatalogModel.objects.get(repo_id=PARENT)
    assert parent.latest_revision.source == Revision.Source.HUB
    assert parent.latest_revision.artifacts.get(name="config.json").data["num_hidden_layers"] == 32
    # the parent was fetched through the Hub API, pinned to its own sha
    assert any(p.startswith(f"/api/models/{PARENT}") for p in hub.paths("/api/models/"))
    assert all(
        f"/resolve/{parent.latest_revision.sha}/" in p for p in hub.paths(f"/{PARENT}/resolve/")
    )
    assert result.revision.notes == [] or not any("Base model" in n for n in result.revision.notes)

    html = page(client, "test-org/llama-sft")
    assert f'href="/models/{PARENT}/"' in html
    assert '<span class="tag">finetune</span>' in html
    assert 'data-hop="same"' in html
    assert "same architecture: pure post-training" in html
    assert "architecture changed" not in html


@needs_hub
def test_a_missing_parent_leaves_a_note_and_never_fails_the_child(hub, client) -> None:
    hub.add_repo("test-org/orphan", child_files(llama_config(), card("test-org/no-such-base")))

    result = model_ingest(repo_id="test-org/orphan")

    assert result.created and result.lineage == []
    assert CatalogModel.objects.filter(repo_id="test-org/orphan").exists()
    assert not CatalogModel.objects.filter(repo_id="test-org/no-such-base").exists()
    rev = Revision.objects.get(model__repo_id="test-org/orphan")
    (note,) = [n for n in rev.notes if "test-org/no-such-base" in n]
    assert note.startswith("Base model test-org/no-such-base was not ingested:")
    assert note in result.notes

    html = page(client, "test-org/orphan")
    assert "test-org/no-such-base" in html and "not in the catalog" in html
    assert "Base model test-org/no-such-base was not ingested" in html  # the visible note


@needs_hub
def test_a_gated_parent_says_how_to_get_access(hub) -> None:
    hub.add_repo("gated-org/base", child_files(llama_config(), "# gated base\n"), gated=True)
    hub.add_repo("test-org/from-gated", child_files(llama_config(), card("gated-org/base")))

    result = model_ingest(repo_id="test-org/from-gated")

    assert result.created
    (note,) = [n for n in result.revision.notes if "gated-org/base" in n]
    assert "HF_TOKEN" in note
    assert not CatalogModel.objects.filter(repo_id="gated-org/base").exists()


@needs_hub
def test_a_parent_failing_on_the_server_is_a_note_and_the_child_is_stored(hub) -> None:
    hub.add_repo("test-org/child-500", child_files(llama_config(), card("test-org/base-500")))
    hub.add_repo("test-org/base-500", child_files(llama_config(), "# base\n"))
    hub.fault("500", path_contains="/api/models/test-org/base-500", times=None)

    result = model_ingest(repo_id="test-org/child-500")

    assert result.created
    assert any("test-org/base-500" in n and "500" in n for n in result.revision.notes)
    assert not CatalogModel.objects.filter(repo_id="test-org/base-500").exists()


@needs_hub
def test_a_pruned_child_says_the_architecture_changed(hub, client) -> None:
    config = llama_config(num_hidden_layers=24, intermediate_size=9216)
    hub.add_repo("test-org/llama-pruned", child_files(config, card(PARENT, relation=None)))

    result = model_ingest(repo_id="test-org/llama-pruned")
    assert result.lineage == [PARENT]

    html = page(client, "test-org/llama-pruned")
    assert 'data-hop="changed"' in html and "architecture changed" in html
    assert "pure post-training" not in html
    # the keys that changed, base value -> this model's value, as a reader wants them
    assert "<code>num_layers</code> 32 → 24" in html
    assert "<code>intermediate_size</code> 14336 → 9216" in html
    assert "<code>layer_pattern</code> 32 GQA · 32 MLP → 24 GQA · 24 MLP" in html


@needs_hub
def test_the_chain_is_followed_to_a_bounded_depth(hub, client) -> None:
    names = [f"test-org/gen{i}" for i in range(LINEAGE_FOLLOW_DEPTH + 2)]
    for name, base in zip(names, names[1:], strict=False):
        hub.add_repo(name, child_files(llama_config(), card(base)))
    hub.add_repo(names[-1], child_files(llama_config(), "# the root\n"))

    result = model_ingest(repo_id=names[0])

    assert result.lineage == names[1 : LINEAGE_FOLLOW_DEPTH + 1]
    stored = set(CatalogModel.objects.values_list("repo_id", flat=True))
    assert stored == set(names[: LINEAGE_FOLLOW_DEPTH + 1])
    assert not any(p.startswith(f"/api/models/{names[-1]}") for p in hub.paths("/api/models/"))
    # the page walks the chain that is in the catalog, each hop with its verdict
    html = page(client, names[0])
    for name in names[1 : LINEAGE_FOLLOW_DEPTH + 1]:
        assert f'href="/models/{name}/"' in html
    assert html.count('data-hop="same"') == LINEAGE_FOLLOW_DEPTH


@needs_hub
def test_cycles_and_parents_already_in_the_catalog_are_not_fetched_again(hub) -> None:
    hub.add_repo("test-org/loop-a", child_files(llama_config(), card("test-org/loop-b")))
    hub.add_repo("test-org/loop-b", child_files(llama_config(), card("test-org/loop-a")))
    result = model_ingest(repo_id="test-org/loop-a")
    assert result.lineage == ["test-org/loop-b"]
    assert CatalogModel.objects.count() == 2

    hub.add_repo("test-org/sibling", child_files(llama_config(), card("test-org/loop-b")))
    before = len(hub.paths("/api/models/test-org/loop-b"))
    assert model_ingest(repo_id="test-org/sibling").lineage == []
    assert len(hub.paths("/api/models/test-org/loop-b")) == before


@needs_hub
def test_follow_lineage_off_and_uploads_do_not_fetch_parents(hub) -> None:
    hub.add_repo("test-org/no-follow", child_files(llama_config(), card(PARENT)))
    result = model_ingest(repo_id="test-org/no-follow", follow_lineage=False)
    assert result.created and result.lineage == []
    assert not CatalogModel.objects.filter(repo_id=PARENT).exists()

    model_upload(
        repo_id="local/uploaded",
        config_text=json.dumps(llama_config()),
        card_text=card(PARENT),
    )
    assert not CatalogModel.objects.filter(repo_id=PARENT).exists()
    assert not hub.paths(f"/api/models/{PARENT}")


@needs_hub
def test_model_page_costs_one_query_per_hop(hub, client) -> None:
    names = ["test-org/q0", "test-org/q1", "test-org/q2"]
    hub.add_repo(names[0], child_files(llama_config(), card(names[1])))
    hub.add_repo(names[1], child_files(llama_config(), card(names[2])))
    hub.add_repo(names[2], child_files(llama_config(), "# root\n"))
    model_ingest(repo_id=names[0])

    def queries(repo_id: str) -> int:
        client.get(f"/models/{repo_id}/")  # warm the card and chart caches
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"/models/{repo_id}/").status_code == 200
        return len(captured.captured_queries)

    no_hop, one_hop, two_hops = queries(names[2]), queries(names[1]), queries(names[0])
    assert one_hop == no_hop + 1 and two_hops == no_hop + 2


# ---------------------------------------------------------------------------------------------
# A base model named in prose (no base_model metadata)


def test_base_models_named_in_prose_are_read_after_a_lineage_phrase() -> None:
    from axes.classify.lineage import base_models_in_text

    cases = {
        "DeepSeek-R1-Zero & DeepSeek-R1 are trained based on DeepSeek-V3-Base.": [
            ("DeepSeek-V3-Base", False, "")
        ],
        "An instruct fine-tuned version of the Mistral-7B-v0.3.": [
            ("Mistral-7B-v0.3", False, "finetune")
        ],
        "Quantized from meta-llama/Meta-Llama-3.1-8B-Instruct with AutoAWQ.": [
            ("meta-llama/Meta-Llama-3.1-8B-Instruct", True, "quantized")
        ],
        "Fine-tuned from [Qwen2.5 7B](https://huggingface.co/Qwen/Qwen2.5-7B).": [
            ("Qwen/Qwen2.5-7B", True, "finetune")
        ],
        "- **Finetuned from model [optional]:** google/gemma-2-2b": [
            ("google/gemma-2-2b", True, "finetune")
        ],
        "Built on top of Gemma 2 9B.": [("Gemma 2 9B", False, "")],
        "The instruction-tuned Llama 3.1 8B.": [("Llama 3.1 8B", False, "finetune")],
        # no model after the phrase: a family, an architecture, a placeholder, a token count
        "Built on top of Gemma.": [],
        "It is based on the Transformer architecture.": [],
        "Finetuned from model [optional]: [More Information Needed]": [],
        "Continued pretraining on 2T tokens.": [],
    }
    for text, expected in cases.items():
        assert base_models_in_text(text) == expected, text


def _fact(kind: str, value: object, locator: str = "L5") -> dict:
    text = value if isinstance(value, str) else "base_model: x"
    return {
        "kind": kind,
        "value": value,
        "evidence": {"source": "README.md", "locator": locator, "text": text},
    }


def test_metadata_wins_over_prose_and_other_models_lineage_is_not_this_ones() -> None:
    from axes.classify.lineage import lineage_named

    prose = _fact("post_training.lineage", "Trained from Llama 3.1 70B Instruct.", "L22")
    meta = _fact(
        "post_training.lineage",
        {"base_models": ["meta-llama/Llama-3.1-70B-Instruct"], "relation": "finetune"},
        "L3",
    )
    (named,) = lineage_named([prose, meta])
    assert (named.name, named.is_repo_id, named.relation, named.from_metadata) == (
        "meta-llama/Llama-3.1-70B-Instruct",
        True,
        "finetune",
        True,
    )

    distill = _fact(
        "post_training.distillation", "Distill-Llama-8B is derived from Llama3.1-8B-Base.", "L300"
    )
    rl = _fact("post_training.rl", "Large-scale RL on top of DeepSeek-V3-Base.", "L90")
    lineage = _fact("post_training.lineage", "The base models: org/base-7b", "L120")
    # lineage sentences first, a method's sentence next, a distillation's students never
    named = lineage_named([distill, rl, lineage])
    assert [(n.name, n.evidence["locator"]) for n in named] == [
        ("org/base-7b", "L120"),
        ("DeepSeek-V3-Base", "L90"),
    ]
    # a loose phrase counts only in a sentence filed under lineage
    assert lineage_named([_fact("post_training.sft", "SFT data based on Llama 3 outputs.")]) == []
    assert [
        n.name for n in lineage_named([_fact("post_training.lineage", "Based on Llama 3.")])
    ] == ["Llama 3"]


def _lineage_section(html: str) -> str:
    start = html.index('id="lineage-h"')
    return html[start : html.index("</section>", start)]


def test_demo_models_show_the_base_their_text_names(client) -> None:
    """The demo R1, Llama 3.1 8B Instruct and its AWQ checkpoint name their base only in
    sentences: the lineage shows it (resolved to the catalog model where there is one), with
    the sentence as evidence and, where both configs are stored, the architecture verdict."""
    from catalog.services import demo_catalog_load

    demo_catalog_load()

    r1 = _lineage_section(page(client, "deepseek-ai/DeepSeek-R1"))
    assert "The card names no base model." not in r1
    assert "DeepSeek-V3-Base" in r1 and "not in the catalog" in r1
    assert 'href="/models/deepseek-ai/DeepSeek-V3/"' not in r1  # V3-Base is not V3
    assert "on top of DeepSeek-V3-Base.</blockquote>" in r1
    assert 'href="https://huggingface.co/deepseek-ai/DeepSeek-R1"' in r1  # the cited source

    instruct = _lineage_section(page(client, "meta-llama/Llama-3.1-8B-Instruct"))
    assert '<a href="/models/meta-llama/Llama-3.1-8B/">meta-llama/Llama-3.1-8B</a>' in instruct
    assert "named “Llama 3.1 8B”" in instruct
    assert '<a href="#L3" class="evidence-link">Show line L3 in the card</a>' in instruct
    assert instruct.count('data-hop="same"') == 1

    awq = _lineage_section(page(client, "hugging-quants/Meta-Llama-3.1-8B-Instruct-AWQ-INT4"))
    # the renamed repo id (meta-llama/Meta-Llama-3.1-...) is the catalog's Llama-3.1-8B-Instruct
    assert '<span class="tag">quantized</span>' in awq
    assert 'href="/models/meta-llama/Llama-3.1-8B-Instruct/"' in awq
    assert 'href="/models/meta-llama/Llama-3.1-8B/"' in awq  # and on to its base
    # the second hop's sentence is in the Instruct model's card, on that model's page
    assert 'href="/models/meta-llama/Llama-3.1-8B-Instruct/#L3"' in awq
    assert awq.count('data-hop="same"') == 2

    base = _lineage_section(page(client, "meta-llama/Llama-3.1-8B"))
    assert "The card names no base model." in base


R1_DIR = SHARED / "hub" / "deepseek-ai--DeepSeek-R1"


@pytest.mark.skipif(not R1_DIR.is_dir(), reason=f"no shared hub data at {R1_DIR}")
def test_an_uploaded_card_naming_its_base_in_prose_shows_it_and_its_verdict(client) -> None:
    config = (R1_DIR / "config.json").read_text()
    card_text = (R1_DIR / "README.md").read_text()
    line = next(
        n for n, text in enumerate(card_text.splitlines(), 1) if "based on DeepSeek-V3-Base" in text
    )
    model_upload(repo_id="local/r1-upload", config_text=config, card_text=card_text)

    html = page(client, "local/r1-upload")
    section = _lineage_section(html)
    assert "The card names no base model." not in section
    assert "DeepSeek-V3-Base <span" in section and "not in the catalog" in section
    assert f'<a href="#L{line}" class="evidence-link">' in section
    assert f'id="L{line}"' in html  # the card line it links to

    # once the base is in the catalog the name resolves to it; same config: same architecture
    model_upload(repo_id="deepseek-ai/DeepSeek-V3-Base", config_text=config, card_text="# Base\n")
    section = _lineage_section(page(client, "local/r1-upload"))
    assert '<a href="/models/deepseek-ai/DeepSeek-V3-Base/">' in section
    assert 'data-hop="same"' in section and "not in the catalog" not in section


def test_a_base_named_in_prose_costs_one_query_and_a_base_free_card_none(client) -> None:
    config = json.dumps({"model_type": "llama", "hidden_size": 64, "num_hidden_layers": 2,
                         "num_attention_heads": 4, "intermediate_size": 128,
                         "vocab_size": 256})  # fmt: skip
    model_upload(repo_id="local/root", config_text=config, card_text="# Root\n\nA model.\n")
    model_upload(
        repo_id="local/child",
        config_text=config,
        card_text="# Child\n\nFine-tuned from Imaginary-Model-7B.\n",
    )

    def queries(repo_id: str) -> int:
        client.get(f"/models/{repo_id}/")  # warm the card and chart caches
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"/models/{repo_id}/").status_code == 200
        return len(captured.captured_queries)

    assert queries("local/child") == queries("local/root") + 1
    assert "Imaginary-Model-7B" in _lineage_section(page(client, "local/child"))
