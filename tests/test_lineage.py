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
