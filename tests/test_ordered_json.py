"""Stored documents keep their keys in the order they were written, on PostgreSQL too.

``jsonb`` (Django's JSONField on PostgreSQL) reorders an object's keys (shorter first, then
bytewise); the pages show a dict as it comes, so a fact read "sliding: yes · variant: MLA" on
PostgreSQL and "variant: MLA · sliding: yes" on SQLite. These run on both databases (the suite's
PostgreSQL pass); on SQLite they hold without ``catalog.fields``.
"""

from __future__ import annotations

import json

import pytest

# keys jsonb would sort differently: by length, then bytewise
WRITTEN = {"variant": "MLA", "sliding": True, "kv_lora_rank": 512, "qk_rope_head_dim": 64, "q": 1}
NESTED = {"zeta": {"beta": 2, "alpha": 1}, "a": [{"yy": 1, "x": 2}]}


def _keys(value):
    if isinstance(value, dict):
        return [(k, _keys(v)) for k, v in value.items()]
    if isinstance(value, list):
        return [_keys(v) for v in value]
    return None


@pytest.mark.django_db
def test_every_stored_document_keeps_its_key_order():
    from catalog.models import Artifact, CatalogModel, Exercise, Revision
    from profiler.models import MeasurementRun

    doc = {"first": WRITTEN, **NESTED}
    model = CatalogModel.objects.create(repo_id="acme/ordered")
    rev = Revision.objects.create(
        model=model, sha="a" * 40, source="upload", analysis=doc, model_info=doc, notes=[doc]
    )
    art = Artifact.objects.create(revision=rev, name="config.json", kind="config", data=doc)
    ex = Exercise.objects.create(session_key="s" * 32, result=doc)
    run = MeasurementRun.objects.create(revision=rev, result=doc, estimate=doc, residuals=doc)

    for obj, fields in (
        (rev, ("analysis", "model_info")),
        (art, ("data",)),
        (ex, ("result",)),
        (run, ("result", "estimate", "residuals")),
    ):
        obj.refresh_from_db()
        for field in fields:
            assert _keys(getattr(obj, field)) == _keys(doc), (type(obj).__name__, field)
    assert _keys(rev.notes) == _keys([doc])


@pytest.mark.django_db
def test_the_catalog_search_still_reads_into_the_stored_analysis(client, web_model):
    """The catalog's search looks into the analysis by key (decoder type, attention variant);
    on PostgreSQL that column is ``json`` now, which has the same key operators."""
    web_model(
        "acme/hybrid-one",
        analysis={"backbone": {"decoder_type": "hybrid_moe", "attention": {"variant": "GQA"}}},
    )
    web_model(
        "acme/dense-one",
        analysis={"backbone": {"decoder_type": "dense", "attention": {"variant": "MLA"}}},
    )
    html = client.get("/", {"q": "hybrid"}).content.decode()
    assert "acme/hybrid-one" in html and "acme/dense-one" not in html
    html = client.get("/", {"q": "mla"}).content.decode()
    assert "acme/dense-one" in html and "acme/hybrid-one" not in html


@pytest.mark.django_db(transaction=True)
def test_a_database_from_before_gets_its_configs_order_back_when_migrating():
    """A PostgreSQL database from before 0004 holds configs in jsonb's order; 0006 parses each
    untruncated JSON file's text again, so the page and the compare CSV read as the file."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    before = [("catalog", "0003_exercise_edit_order")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    model = old.get_model("catalog", "CatalogModel").objects.create(repo_id="acme/old")
    rev = old.get_model("catalog", "Revision").objects.create(
        model=model, sha="b" * 40, source="upload"
    )
    text = json.dumps({"model_type": "llama", "rope_scaling": {"rope_type": "llama3", "factor": 8}})
    Artifact = old.get_model("catalog", "Artifact")
    art = Artifact.objects.create(
        revision=rev, name="config.json", kind="config", text=text, data=json.loads(text)
    )
    cut = Artifact.objects.create(
        revision=rev, name="tokenizer_config.json", kind="tokenizer_config",
        text=text[:20], data={"variant": 1, "sliding": 2}, truncated=True,
    )  # fmt: skip

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    from catalog.models import Artifact as Current

    assert _keys(Current.objects.get(pk=art.pk).data) == _keys(json.loads(text))
    # a truncated file's text is no whole file: its data is left as it was
    assert Current.objects.get(pk=cut.pk).data == {"variant": 1, "sliding": 2}
