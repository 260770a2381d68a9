"""English a Korean or German reader still met on the pages (found by reading every screen in
ko and de): the layer summary's prose (Gemma 3n/4 K/V sharing, Falcon-H1's parallel Mamba-2,
an MLP beside the experts), the chart toolbar's tooltips, Python's JSON error detail in a
refused upload, the bundled catalog's "published source" under the exercise's facts, and the
"gated" licence fact. Counts and technical terms (sliding, full, MLP, MoE, K/V) stay as the
course writes them."""

from __future__ import annotations

import html as html_lib
import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from catalog.services import DEMO_DIR, demo_model_load
from tests.conftest import shared_hub


@pytest.fixture(autouse=True)
def _fresh_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def _text(response, status: int = 200) -> str:
    assert response.status_code == status, response.status_code
    return html_lib.unescape(response.content.decode())


def _gemma3n_config() -> dict:
    """Gemma3nTextConfig() as transformers saves it: 35 layers, the last 15 reuse K/V."""
    from transformers import AutoConfig

    return AutoConfig.for_model("gemma3n_text").to_dict()


# ---------------------------------------------------------------------------------------------
# The layer summary


KV_SHARED = {
    "de": "28 sliding + 7 full, die letzten 15 nutzen die K/V früherer Layer · 35 MLP",
    "ko": "28 sliding + 7 full, 마지막 15개는 앞선 레이어의 K/V를 재사용 · 35 MLP",
}


@pytest.mark.django_db
@pytest.mark.parametrize("lang", ["de", "ko"])
def test_kv_sharing_in_the_layer_summary_is_translated_on_the_model_page(client, web_model, lang):
    from axes.backbone.report import analyze_config

    config = _gemma3n_config()
    report = analyze_config(config)
    summary = report["backbone"]["layers"]["summary"]
    assert summary == "28 sliding + 7 full, the last 15 reusing earlier layers' K/V · 35 MLP"
    web_model("google/gemma-3n-text", analysis=report, config=config)
    html = _text(client.get("/models/google/gemma-3n-text/", {"lang": lang}))
    strip = html.split('class="strip-summary"', 1)[1].split("</p>", 1)[0]
    assert KV_SHARED[lang] in strip
    assert "reusing" not in html
    english = _text(client.get("/models/google/gemma-3n-text/", {"lang": "en"}))
    assert summary in english


@pytest.mark.django_db
def test_kv_sharing_is_translated_on_the_compare_page(client, web_model):
    """The headline's Layers row, the stacked strips and the config diff's layer_pattern."""
    from axes.backbone.report import analyze_config

    config = _gemma3n_config()
    web_model("google/gemma-3n-text", analysis=analyze_config(config), config=config)
    llama = json.loads((shared_hub() / "meta-llama--Llama-3.2-1B" / "config.json").read_text())
    web_model("meta-llama/Llama-3.2-1B", analysis=analyze_config(llama), config=llama)
    url = "/compare/?models=google/gemma-3n-text,meta-llama/Llama-3.2-1B"
    for lang in ("de", "ko"):
        html = _text(client.get(f"{url}&lang={lang}"))
        assert html.count(KV_SHARED[lang]) >= 2, lang  # headline row and strip
        assert "reusing" not in html, lang


def _summaries() -> list[str]:
    """Every prose phrase the engine's layer summary can write, from the engine itself."""
    from axes.backbone.layers import PARALLEL_HYBRID, LayerSpec, layer_section

    sliding, full = LayerSpec("sliding_attention", "mlp"), LayerSpec("attention", "mlp")
    return [
        layer_section(
            {sliding: 3, full: 1}, attention_variant="GQA", linear_label="x", kv_shared=1
        )[1],
        layer_section(
            {sliding: 3, full: 1}, attention_variant="GQA", linear_label="x", kv_shared=2
        )[1],
        layer_section(
            {LayerSpec(PARALLEL_HYBRID, "mlp"): 24}, attention_variant="GQA", linear_label="x"
        )[1],
        layer_section(
            {LayerSpec("attention", "moe"): 30},
            attention_variant="GQA",
            linear_label="x",
            moe_beside_mlp=True,
        )[1],
    ]


def test_every_prose_phrase_of_the_layer_summary_is_translated():
    from catalog.notes_l10n import layer_summary_l10n

    summaries = _summaries()
    assert summaries == [
        "3 sliding + 1 full, the last one reusing an earlier layer's K/V · 4 MLP",
        "3 sliding + 1 full, the last 2 reusing earlier layers' K/V · 4 MLP",
        "24 GQA with Mamba-2 in parallel · 24 MLP",
        "30 GQA · 30 MoE with an MLP in parallel",
    ]
    english = re.compile(r"\b(the last|reusing|earlier|with|in parallel)\b")
    for lang in ("de", "ko"):
        with translation.override(lang):
            shown = [layer_summary_l10n(s) for s in summaries]
        assert not [s for s in shown if english.search(s)], (lang, shown)
        for s in shown:  # counts and block names as written
            assert re.search(r"\b\d+ (sliding|GQA)\b", s), s
    with translation.override("de"):
        assert layer_summary_l10n(summaries[2]) == "24 GQA mit Mamba-2 parallel · 24 MLP"
        assert layer_summary_l10n(summaries[3]) == "30 GQA · 30 MoE mit MLP parallel"
    with translation.override("en"):
        assert [layer_summary_l10n(s) for s in summaries] == summaries
    with translation.override("de"):  # a summary without prose is left alone
        assert layer_summary_l10n("32 GQA · 32 MLP") == "32 GQA · 32 MLP"


# ---------------------------------------------------------------------------------------------
# The chart toolbar


@pytest.mark.django_db
def test_the_chart_toolbar_words_come_in_the_page_language(client, web_model):
    from axes.backbone.report import analyze_config
    from catalog.templatetags.mechanic import PLOTLY_MSGIDS

    config = _gemma3n_config()
    web_model("google/gemma-3n-text", analysis=analyze_config(config), config=config)
    for lang, png in (("de", "Diagramm als PNG herunterladen"), ("ko", "차트를 PNG로 내려받기")):
        html = client.get("/models/google/gemma-3n-text/", {"lang": lang}).content.decode()
        found = re.search(
            r'<script type="application/json" id="plotly-locale">(.*?)</script>', html
        )
        assert found, lang
        words = json.loads(found.group(1))
        assert words["locale"] == lang
        assert set(words["dictionary"]) == set(PLOTLY_MSGIDS)
        assert words["dictionary"]["Download plot as a PNG"] == png
        assert all(k != v for k, v in words["dictionary"].items()), words
        compare = client.get(f"/compare/?models=google/gemma-3n-text&lang={lang}")
        assert 'id="plotly-locale"' in compare.content.decode()
    english = client.get("/models/google/gemma-3n-text/", {"lang": "en"}).content.decode()
    assert 'id="plotly-locale"' not in english


def test_the_toolbar_words_are_plotlys_own_keys():
    """plotly.js looks its words up by their English text: a key it does not write would never
    be used."""
    from pathlib import Path

    import plotly

    from catalog.templatetags.mechanic import PLOTLY_MSGIDS

    bundle = (Path(plotly.__file__).parent / "package_data" / "plotly.min.js").read_text()
    missing = [m for m in PLOTLY_MSGIDS if f'"{m}"' not in bundle]
    assert missing == []


# ---------------------------------------------------------------------------------------------
# A refused upload: the JSON decoder's own words


def _json_errors() -> list[str]:
    messages = []
    for text in ('{"a": 1,', "", '{"a" 1}', "[1 2]", '{"a": 1} x', '"abc', '"a\x01"', '"\\u12"'):
        try:
            json.loads(text)
        except json.JSONDecodeError as exc:
            messages.append(exc.msg)
    return messages


def test_every_json_error_python_writes_is_translated():
    from catalog.notes_l10n import JSON_ERROR_DETAILS, note_l10n

    messages = _json_errors()
    assert len(set(messages)) == 8
    assert set(messages) <= set(JSON_ERROR_DETAILS)
    for msg in messages:
        note = f"config.json is not valid JSON: {msg} at line 1, column 2."
        for lang in ("de", "ko"):
            with translation.override(lang):
                shown = note_l10n(note)
            assert msg not in shown, (lang, shown)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("lang", "said"),
    [
        ("de", "Eigenschaftsname in doppelten Anführungszeichen erwartet in Zeile 1, Spalte 9."),
        ("ko", "1번째 줄 9번째 열에서 큰따옴표로 감싼 속성 이름이 와야 합니다."),
    ],
)
def test_a_config_that_does_not_parse_is_refused_in_the_page_language(client, lang, said):
    response = client.post(
        reverse("catalog:upload") + f"?lang={lang}",
        {
            "repo_id": "me/broken",
            "config": SimpleUploadedFile("config.json", b'{"a": 1,', "application/json"),
        },
    )
    html = _text(response, 400)
    assert said in html
    assert "Expecting property name" not in html


# ---------------------------------------------------------------------------------------------
# The exercise's "the model's files say" and the gated licence fact


@pytest.mark.django_db
def test_the_exercise_result_names_the_bundled_source_in_the_page_language(client):
    demo_model_load(path=DEMO_DIR / "deepseek-ai--DeepSeek-R1.json")
    check = client.post(
        reverse("catalog:exercise_check") + "?lang=de",
        {"model_name": "deepseek-ai/DeepSeek-R1", "post_training": "trained with RL"},
    )
    assert check.status_code == 303
    html = _text(client.get(check["Location"]))
    said = html.split("Die Dateien des Modells sagen", 1)
    assert len(said) == 2, "the result lists the model's facts"
    assert "veröffentlichte Quelle" in said[1]
    assert "published source" not in html


@pytest.mark.django_db
def test_the_exercise_result_is_headed_as_a_result_not_as_the_button(client):
    """German headed the checked exercise "Prüfen" (the button's verb: "check!") and its
    Markdown column the same; the result is now "Prüfung" there, the button still "Prüfen"."""
    demo_model_load(path=DEMO_DIR / "deepseek-ai--DeepSeek-R1.json")
    check = client.post(
        reverse("catalog:exercise_check") + "?lang=de",
        {"model_name": "deepseek-ai/DeepSeek-R1", "post_training": "trained with RL"},
    )
    page = client.get(check["Location"]).content.decode()
    result = page[page.index('id="result"') :]
    assert re.search(r"<h2[^>]*>Prüfung</h2>", result), result[:300]
    assert re.search(r"<button[^>]*>Prüfen</button>", page)
    pk = re.search(r"/exercise/(\d+)/export\.md", page).group(1)
    body = client.get(reverse("catalog:exercise_export", args=[pk])).content.decode()
    assert body.splitlines()[2] == "| Achse | Was ich glaube | Prüfung |", body[:200]


@pytest.mark.django_db
def test_german_quotes_what_was_not_found_with_german_quotation_marks(client):
    """The checked exercise quoted the learner's words in English marks in a German page
    (nicht gefunden: “temperature 1.0”), and so did its Markdown, while the rest of the German
    pages quote „so“. The marks are now the language's."""
    from catalog.demo.closed import closed_models_load

    closed_models_load()
    check = client.post(
        reverse("catalog:exercise_check") + "?lang=de",
        {
            "model_name": "anthropic/claude-opus-5",
            "inference": "Extended Thinking, temperature 1.0",
        },
    )
    page = client.get(check["Location"]).content.decode()
    assert "nicht gefunden: „temperature 1.0“" in page, page[page.index('id="result"') :][:3000]
    assert "“temperature 1.0”" not in page
    pk = re.search(r"/exercise/(\d+)/export\.md", page).group(1)
    body = client.get(reverse("catalog:exercise_export", args=[pk])).content.decode()
    assert "„Extended Thinking, temperature 1.0“ ✓" in body, body
    assert "nicht gefunden: „temperature 1.0“" in body and "”" not in body, body


@pytest.mark.django_db
def test_the_gated_licence_fact_reads_in_the_page_language(client, web_model):
    from axes.backbone.report import analyze_config
    from axes.classify.metadata import metadata_facts

    card = "---\nlicense: other\nextra_gated_prompt: Accept the terms first.\n---\n# A model\n"
    facts = [f.to_dict() for f in metadata_facts(card)]
    assert "gated: access requires accepting conditions" in [f["value"] for f in facts]
    config = _gemma3n_config()
    report = {**analyze_config(config), "facts": facts}
    web_model("acme/gated", analysis=report, config=config, card=card)
    de = _text(client.get("/models/acme/gated/", {"lang": "de"}))
    ko = _text(client.get("/models/acme/gated/", {"lang": "ko"}))
    assert "gated: Zugang erst nach Zustimmung zu Bedingungen" in de
    assert "gated: 접근하려면 조건에 동의해야 합니다" in ko
    assert "access requires accepting conditions" not in de + ko
