"""What a learner review of the Korean and German pages found, on the bundled models: fact
values printed as JSON and English prose, a parameter share with a decimal point on the German
page, "Layer" next to "Schichten", and Korean terms the course keeps in English."""

from __future__ import annotations

import html as html_lib
import json
import re

import pytest
from django.template import Context, Template
from django.utils import translation

from catalog.services import DEMO_DIR, demo_model_load

NEMOTRON_H = "nvidia/Nemotron-H-8B-Base-8K"
NEMOTRON_NANO = "nvidia/NVIDIA-Nemotron-3-Nano-30B-A3B"


@pytest.fixture(autouse=True)
def _fresh_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def bundled(repo_id: str) -> None:
    demo_model_load(path=DEMO_DIR / f"{repo_id.replace('/', '--')}.json")


def page(client, repo_id: str, lang: str) -> str:
    response = client.get(f"/models/{repo_id}/", HTTP_ACCEPT_LANGUAGE=lang)
    assert response.status_code == 200
    return html_lib.unescape(response.content.decode())


def fact_values(html: str, kind: str) -> list[str]:
    """The shown values of the facts of one kind (the kind's id is on its label)."""
    pattern = rf'data-kind="{re.escape(kind)}">.*?<div class="fact-value">(.*?)</div>'
    return [v.strip() for v in re.findall(pattern, html, flags=re.S)]


def render_fact(fact: dict, lang: str) -> str:
    with translation.override(lang):
        return Template("{% load mechanic %}{{ f|fact_value_h }}").render(Context({"f": fact}))


LAYERS = {
    "kind": "backbone.layers",
    "value": {
        "num_layers": 52,
        "summary": "24 Mamba-2 + 4 GQA + 24 MLP",
        "counts": {"blocks": 52, "mixer": {"mamba2": 24, "attention": 4}, "ffn": {"mlp": 24}},
    },
}
PARAMS_TOTAL = {
    "kind": "backbone.params_total",
    "value": {"total": 8_100_852_736, "basis": "analytic, mirrors transformers"},
}
PARAMS_ACTIVE = {
    "kind": "backbone.params_active",
    "value": {
        "active": 3_580_073_408,
        "active_excluding_input_embedding": 3_227_751_872,
        "convention": "embeddings and lm_head included",
    },
}
NO_POSITIONS = {
    "kind": "backbone.positional",
    "value": {"type": "none", "why": "no position encoding: recurrent (SSM) mixers carry order"},
}
FAMILY = {
    "kind": "backbone.family",
    "value": {"model_type": "nemotron_h", "architectures": ["NemotronHForCausalLM"]},
}
ROPE = {
    "kind": "backbone.positional",
    "value": {"type": "rope", "rope_scaling": {"factor": 8.0, "rope_type": "llama3"}},
}


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        (
            "en",
            [
                "52 blocks: 24 Mamba-2 + 4 GQA + 24 MLP",
                "8,100,852,736, counted analytically as transformers builds the model",
                "3,580,073,408 (embeddings and lm_head included) · 3,227,751,872 without the "
                "input embedding",
                "none: no position encoding; the recurrent (SSM) mixers carry the order",
            ],
        ),
        (
            "de",
            [
                "52 Blöcke: 24 Mamba-2 + 4 GQA + 24 MLP",
                "8.100.852.736, analytisch gezählt, wie transformers das Modell baut",
                "3.580.073.408 (Embeddings und lm_head eingerechnet) · 3.227.751.872 ohne "
                "Eingabe-Embedding",
                "keine: keine Positionskodierung; die rekurrenten (SSM-)Mixer tragen die "
                "Reihenfolge",
            ],
        ),
        (
            "ko",
            [
                "블록 52개: 24 Mamba-2 + 4 GQA + 24 MLP",
                "8,100,852,736, transformers가 모델을 만드는 방식대로 해석적으로 센 값",
                "3,580,073,408 (임베딩과 lm_head 포함) · 입력 임베딩 제외 3,227,751,872",
                "없음: 위치 인코딩이 없습니다. recurrent(SSM) mixer가 순서를 담습니다",
            ],
        ),
    ],
)
def test_the_engines_structured_fact_values_read_as_translated_sentences(lang, expected):
    facts = [LAYERS, PARAMS_TOTAL, PARAMS_ACTIVE, NO_POSITIONS]
    assert [html_lib.unescape(render_fact(f, lang)) for f in facts] == expected


def test_other_structured_values_read_as_key_value_never_json():
    assert (
        render_fact(FAMILY, "en") == "model_type: nemotron_h · architectures: NemotronHForCausalLM"
    )
    assert render_fact(ROPE, "de") == "type: rope · rope_scaling: (factor: 8.0, rope_type: llama3)"
    # a value the sentences do not know (another basis, a pattern that disagrees with the
    # config) still reads, in the same words
    other = {"kind": "backbone.params_total", "value": {"total": 7, "basis": "from the card"}}
    assert render_fact(other, "en") == "total: 7 · basis: from the card"
    odd = {**LAYERS, "value": {**LAYERS["value"], "num_layers": 50}}
    assert render_fact(odd, "en").endswith(" · num_layers: 50")


@pytest.mark.parametrize(
    "demo", ["meta-llama--Llama-3.1-8B", "state-spaces--mamba-2.8b-hf", "deepseek-ai--DeepSeek-R1"]
)
def test_the_cli_writes_fact_values_in_the_pages_english_words(demo):
    """``manage.py analyze`` prints facts with ``axes.readable`` (no Django); the English
    page with ``fact_value_h``: one layout, so the two read alike."""
    import json

    from axes.backbone import analyze_config, backbone_facts
    from axes.readable import fact_value_text

    config = json.loads((DEMO_DIR / f"{demo}.json").read_text(encoding="utf-8"))["config"]
    facts = [f.to_dict() for f in backbone_facts(config, analyze_config(config))]
    assert len(facts) >= 9
    for f in [LAYERS, PARAMS_TOTAL, PARAMS_ACTIVE, NO_POSITIONS, FAMILY, ROPE, *facts]:
        web = html_lib.unescape(render_fact(f, "en"))
        assert fact_value_text(f["kind"], f["value"]) == web, f


@pytest.mark.django_db
@pytest.mark.parametrize("lang", ["en", "ko", "de"])
def test_no_fact_on_a_bundled_page_shows_json_or_the_engines_english(client, lang):
    bundled(NEMOTRON_NANO)
    html = page(client, NEMOTRON_NANO, lang)
    values = re.findall(r'<div class="fact-value">(.*?)</div>', html, flags=re.S)
    assert len(values) > 10
    for value in values:
        assert '{"' not in value and '["' not in value, value
    if lang != "en":
        assert "analytic, mirrors transformers" not in html
        assert "recurrent (SSM) mixers carry order" not in html
    # the evidence keeps the config's own words
    assert "hybrid_override_pattern" in html and "num_hidden_layers = 52" in html


@pytest.mark.django_db
def test_german_model_page_says_layer_and_dense_mlp_and_writes_percent_with_a_comma(client):
    bundled(NEMOTRON_H)
    html = page(client, NEMOTRON_H, "de")
    assert "Layer-Mix" in html and "Dense MLP" in html and "Dichtes MLP" not in html
    assert fact_values(html, "backbone.layers")[0] == "52 Blöcke: 24 Mamba-2 + 4 GQA + 24 MLP"
    # one word for a network's layer: "Layer"; the product axis's "application layer" is no
    # network layer
    assert set(re.findall(r"\w*[Ss]chicht\w*", html)) <= {"Anwendungsschicht"}
    table = html.split(">Komponente</th>")[1].split("</table>")[0]
    shares = re.findall(r'<td class="num">([^<]*)</td></tr>', table)
    assert shares and all(re.fullmatch(r"\d+,\d", s) for s in shares), shares


@pytest.mark.django_db
def test_korean_nemotron_nano_page_uses_one_word_per_term(client):
    bundled(NEMOTRON_NANO)
    html = page(client, NEMOTRON_NANO, "ko")
    assert "~3.6B 활성" in html  # the headline's 3.58 B, not "~3.5B"
    # the two memory cards side by side: the same term for the recurrent state
    assert html.count("recurrent state") >= 2 and "순환 상태" not in html
    assert re.findall(r"컨텍스트 윈도\w*", html) and set(re.findall(r"컨텍스트 윈도\w*", html)) == {
        "컨텍스트 윈도우"
    }
    assert "모델 카드" in html and "창을" not in html


@pytest.mark.django_db
def test_korean_lesson_blurb_keeps_backbone_in_english(client):
    html = html_lib.unescape(client.get("/", HTTP_ACCEPT_LANGUAGE="ko").content.decode())
    assert "같은 backbone, 같은 텐서 shape" in html and "백본" not in html


@pytest.mark.django_db
@pytest.mark.parametrize("lang", ["de", "ko"])
def test_compare_and_exercise_show_fact_values_as_words_too(client, lang):
    """The model page wrote the engine's values as words; the compare page's side-by-side
    table and the exercise's found facts still printed them as 'counts: {"blocks": ...}'."""
    from django.urls import reverse

    bundled("meta-llama/Llama-3.1-8B")
    bundled(NEMOTRON_H)
    compare = client.get(
        f"/compare/?models=meta-llama/Llama-3.1-8B,{NEMOTRON_H}", HTTP_ACCEPT_LANGUAGE=lang
    ).content.decode()
    cells = re.findall(r'<div class="cell-fact">(.*?)<details', html_lib.unescape(compare))
    assert cells and not [c for c in cells if '{"' in c or "counts:" in c]
    client.get(reverse("catalog:exercise"), HTTP_ACCEPT_LANGUAGE=lang)
    result = client.post(
        reverse("catalog:exercise_check"),
        {"model_name": "meta-llama/Llama-3.1-8B", "backbone": "32 layers, GQA"},
        HTTP_ACCEPT_LANGUAGE=lang,
        follow=True,
    ).content.decode()
    found = re.findall(r'<span class="fact-value">(.*?)</span>', html_lib.unescape(result))
    assert found and not [v for v in found if '{"' in v or "counts:" in v]


@pytest.mark.django_db
def test_compare_config_rows_show_the_layer_mix_not_the_per_layer_list(client):
    bundled("meta-llama/Llama-3.1-8B")
    bundled(NEMOTRON_H)
    html = html_lib.unescape(
        client.get(f"/compare/?models=meta-llama/Llama-3.1-8B,{NEMOTRON_H}").content.decode()
    )
    row = re.search(r"<code>layer_pattern</code>.*?</tr>", html, flags=re.S)
    assert row and "32 GQA · 32 MLP" in row.group(0)
    assert "Mamba-2" in row.group(0) and '"mixer"' not in row.group(0)
    exported = client.get(f"/compare/?models=meta-llama/Llama-3.1-8B,{NEMOTRON_H}&format=json")
    # the export keeps the per-layer list, as JSON (not text holding JSON)
    rows = [r for r in json.loads(exported.content) if r["item"] == "layer_pattern"]
    assert rows and rows[0]["meta-llama/Llama-3.1-8B"][0]["mixer"] == "attention"
