"""Fact kinds and parameter-breakdown components read as words in the reader's language
("Total parameters", "Routed experts"), not as code ids; the ids stay in the hover text, the
evidence, the exports and the API for engineers."""

from __future__ import annotations

import html as html_lib
import json
import re

import pytest
from conftest import _web_shared_config, shared_hub, web_fact, web_report
from django.utils import translation

from axes.backbone.params import COMPONENTS
from axes.taxonomy import KINDS
from catalog import i18n

SHOWCASE = "/compare/?models=meta-llama/Meta-Llama-3-8B,nvidia/Nemotron-H-8B-Base-8K"

# What a reader sees, per language: two kinds and two components of the showcase models.
SEEN = {
    "en": {
        "backbone.family": "Architecture",
        "inference.sampling": "Sampling settings",
        "norms": "Norms",
        "ssm": "SSM / linear attention",
    },
    "ko": {
        "backbone.family": "아키텍처",
        "inference.sampling": "샘플링 설정",
        "norms": "Norm 레이어",
        "ssm": "SSM / linear attention",
    },
    "de": {
        "backbone.family": "Architektur",
        "inference.sampling": "Sampling-Einstellungen",
        "norms": "Norm-Layer",
        "ssm": "SSM / lineare Attention",
    },
}


@pytest.fixture(autouse=True)
def _fresh_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def labelled(page: str, attr: str, value: str) -> list[str]:
    """The text of every element marked data-<attr>="<value>" (a kind or a component)."""
    pattern = rf'<\w+[^>]*\bdata-{attr}="{re.escape(value)}"[^>]*>([^<]*)<'
    return [html_lib.unescape(text).strip() for text in re.findall(pattern, page)]


def titles(page: str, attr: str, value: str) -> list[str]:
    pattern = rf'<\w+[^>]*\btitle="([^"]*)"[^>]*\bdata-{attr}="{re.escape(value)}"'
    return [html_lib.unescape(t) for t in re.findall(pattern, page)]


def chart_categories(page: str) -> list[str]:
    spec = page.split('<script type="application/json" id="chart-params">')[1].split("</script>")[0]
    return [y for trace in json.loads(spec)["data"] for y in trace["y"]]


# ---------------------------------------------------------------------------------------------
# Every kind and every component has a label


def test_every_kind_in_the_taxonomy_has_a_label():
    assert set(i18n.KIND_LABELS) == set(KINDS)
    labels = list(i18n.KIND_LABELS.values())
    assert len(set(labels)) == len(labels), "two kinds read the same"
    for kind, label in i18n.KIND_LABELS.items():
        # words, not the id spelled differently
        assert label != kind.split(".", 1)[1].replace("_", " "), kind
        for lang in ("en", "ko", "de"):
            with translation.override(lang):
                assert i18n.kind_label(kind).strip()


def test_every_breakdown_component_the_engine_emits_has_a_label():
    from axes.backbone.report import analyze_config

    assert set(i18n.COMPONENT_LABELS) == set(COMPONENTS)
    labels = list(i18n.COMPONENT_LABELS.values())
    assert len(set(labels)) == len(labels), "two components read the same"
    # what the engine writes for real configs, not only what the tuple says
    emitted: set[str] = set()
    analyzed = 0
    for config_path in sorted(shared_hub().glob("*/config.json")):
        report = analyze_config(_web_shared_config(config_path.parent.name))
        emitted |= set(report["params"]["breakdown"])
        analyzed += 1
    assert analyzed >= 10
    assert {"routed_experts", "shared_experts", "ssm", "vision"} <= emitted
    assert emitted <= set(i18n.COMPONENT_LABELS), emitted - set(i18n.COMPONENT_LABELS)


def test_the_recurrent_component_is_not_called_mamba():
    """The "ssm" component holds Mamba's mixers and the recurrent linear-attention ones alike
    (RWKV's time-mix, xLSTM's mLSTM, RecurrentGemma's RG-LRU): it was labelled "SSM (Mamba)" on
    their pages."""
    from transformers.models.auto.configuration_auto import CONFIG_MAPPING

    from axes.backbone.report import analyze_config

    for model_type in ("rwkv", "xlstm", "recurrent_gemma"):
        report = analyze_config(CONFIG_MAPPING[model_type]().to_dict())
        assert report["params"]["breakdown"]["ssm"] > 0, model_type
    for lang in ("en", "ko", "de"):
        with translation.override(lang):
            label = i18n.component_label("ssm")
        assert label == SEEN[lang]["ssm"] and "Mamba" not in label


def test_spec_keys_and_unknown_ids_read_as_written():
    with translation.override("de"):
        assert i18n.kind_label("spec.num_attention_heads") == "num_attention_heads"
        assert i18n.kind_hint("spec.num_attention_heads") == "spec.num_attention_heads"
        assert i18n.kind_label("backbone.someday") == "backbone.someday"
        assert i18n.component_label("attention.q_proj") == "attention.q_proj"
        assert i18n.kind_hint("backbone.params_total").endswith(" · backbone.params_total")


# ---------------------------------------------------------------------------------------------
# The pages, in each language


@pytest.mark.django_db
@pytest.mark.parametrize("lang", ["en", "ko", "de"])
def test_model_page_shows_kind_and_component_labels(client, web_showcase, lang):
    seen = SEEN[lang]
    page = client.get("/models/meta-llama/Meta-Llama-3-8B/", HTTP_ACCEPT_LANGUAGE=lang)
    html = page.content.decode()
    assert f'<html lang="{lang}">' in html
    # the fact list: the label, the description and id on hover, the id in the evidence
    assert labelled(html, "kind", "backbone.family") == [seen["backbone.family"]]
    assert titles(html, "kind", "backbone.family")[0].endswith(" · backbone.family")
    assert "backbone.family" in html.split('data-kind="backbone.family"')[1].split("</li>")[0]
    assert ">family<" not in html
    # the breakdown table and the chart's categories
    assert labelled(html, "component", "norms") == [seen["norms"]]
    assert titles(html, "component", "norms") == ["norms"]
    assert "<code>norms</code>" not in html
    categories = chart_categories(html)
    assert seen["norms"] in categories and "norms" not in categories
    assert "lm_head" not in categories


@pytest.mark.django_db
@pytest.mark.parametrize("lang", ["en", "ko", "de"])
def test_compare_page_shows_kind_and_component_labels(client, web_showcase, lang):
    seen = SEEN[lang]
    html = client.get(SHOWCASE, HTTP_ACCEPT_LANGUAGE=lang).content.decode()
    assert f'<html lang="{lang}">' in html
    # the four axes side by side
    assert labelled(html, "kind", "backbone.family") == [seen["backbone.family"]]
    assert titles(html, "kind", "backbone.family")[0].endswith(" · backbone.family")
    # the breakdown union table (one row per component either model has) and the chart
    assert labelled(html, "component", "ssm") == [seen["ssm"]]
    assert labelled(html, "component", "norms") == [seen["norms"]]
    assert "<code>norms</code>" not in html and "<code>ssm</code>" not in html
    categories = chart_categories(html)
    assert seen["norms"] in categories and "norms" not in categories
    # the roofline's union table keeps the GPU names as written
    assert "<code>H100-SXM</code>" in html


@pytest.mark.django_db
@pytest.mark.parametrize("lang", ["en", "ko", "de"])
def test_compare_verdict_names_a_difference_by_its_label(client, web_model, lang):
    llama = _web_shared_config("meta-llama--Llama-3.1-8B")

    def sampling(temperature: float) -> dict:
        return web_fact(
            "inference",
            "inference.sampling",
            {"temperature": temperature},
            source="generation_config.json",
            locator="temperature",
            text=f"temperature = {temperature}",
        )

    web_model("org/a", analysis=web_report(llama, [sampling(0.6)]), config=llama)
    web_model("org/b", analysis=web_report(llama, [sampling(1.0)]), config=llama)
    html = client.get("/compare/?models=org/a,org/b", HTTP_ACCEPT_LANGUAGE=lang).content.decode()
    verdict = html.split('data-testid="verdict"')[1].split("</section>")[0]
    # the difference is named in words, its description and id on hover
    seen = SEEN[lang]["inference.sampling"]
    assert labelled(verdict, "kind", "inference.sampling") == [seen]
    assert titles(verdict, "kind", "inference.sampling")[0].endswith(" · inference.sampling")
    # ... and the side-by-side table says the same
    assert labelled(html.split('id="axes-h"')[1], "kind", "inference.sampling") == [seen]
    # the exports keep the id
    rows = json.loads(client.get("/compare/?models=org/a,org/b&format=json").content)
    assert any(r["item"] == "inference.sampling" and r["section"] == "verdict" for r in rows)


@pytest.mark.django_db
@pytest.mark.parametrize("lang", ["en", "ko", "de"])
def test_exercise_result_names_the_facts_it_found_by_their_labels(client, web_showcase, lang):
    from django.urls import reverse

    client.post(
        reverse("catalog:exercise_save"),
        {"model_name": "meta-llama/Meta-Llama-3-8B", "backbone": "Llama architecture"},
    )
    from catalog.models import Exercise

    exercise = Exercise.objects.get()
    check = client.post(
        reverse("catalog:exercise_check"),
        {
            "exercise_id": exercise.pk,
            "model_name": exercise.model_name,
            "backbone": "Llama architecture",
        },
        HTTP_ACCEPT_LANGUAGE=lang,
    )
    html = client.get(check["Location"], HTTP_ACCEPT_LANGUAGE=lang).content.decode()
    assert labelled(html, "kind", "backbone.family") == [SEEN[lang]["backbone.family"]]
    assert '<span class="fact-kind">backbone.family</span>' not in html
