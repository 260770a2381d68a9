"""Review: a Hub repo with malformed files is ingested with notes, never a crash."""

from __future__ import annotations

import json

import pytest
from test_ingest import tiny_files

from catalog.services import model_ingest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("weight_map", [["a.safetensors"], "model.safetensors", 5])
def test_index_whose_weight_map_is_not_an_object_is_ignored(hub, weight_map):
    # Before the fix: ``weight_map.values()`` raised AttributeError out of the ingest (a 500 on
    # the paste form without JavaScript, a failed job with htmx).
    files = tiny_files(**{"model.safetensors.index.json": json.dumps({"weight_map": weight_map})})
    hub.add_repo("test-org/odd-index", files)
    result = model_ingest(repo_id="test-org/odd-index", follow_lineage=False)
    assert result.revision.artifacts.filter(name="config.json").exists()


def test_hub_readme_with_nul_byte_is_stored_without_it(hub):
    # PostgreSQL text columns refuse NUL: before the fix the whole ingest failed there.
    hub.add_repo("test-org/nul-card", tiny_files(**{"README.md": "# Card\x00 text\n"}))
    result = model_ingest(repo_id="test-org/nul-card", follow_lineage=False)
    card = result.revision.artifacts.get(name="README.md")
    assert card.text == "# Card\ufffd text\n"
