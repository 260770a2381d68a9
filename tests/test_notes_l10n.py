"""Notes written in English by framework-free code are shown in the page's language
(catalog.notes_l10n): every note the code can write matches a template, values carried over."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest
from django.utils import translation

from catalog.notes_l10n import NOTE_TEMPLATES, note_l10n, note_match
from tests.conftest import shared_hub

ROOT = Path(__file__).resolve().parents[1]
# where notes are written: the engine, the ingestion and the worker
NOTE_SOURCES = [
    *sorted((ROOT / "axes" / "backbone").rglob("*.py")),
    ROOT / "axes" / "analysis.py",
    ROOT / "catalog" / "artifact_text.py",
    ROOT / "catalog" / "cards.py",
    ROOT / "catalog" / "services.py",
    *sorted((ROOT / "profiler" / "core").glob("*.py")),
]
# a value an f-string interpolates, as the code can produce it (default: a number)
SAMPLE_VALUES = {"where": " at line 7"}


def _sample(node: ast.expr) -> str | None:
    """The note an f-string writes, with each interpolated value replaced by a sample."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if not isinstance(node, ast.JoinedStr):
        return None  # a variable: the note was built elsewhere (and is checked there)
    out = []
    for part in node.values:
        if isinstance(part, ast.Constant):
            out.append(str(part.value))
        else:
            value = part.value  # type: ignore[attr-defined]
            name = value.id if isinstance(value, ast.Name) else ""
            out.append(SAMPLE_VALUES.get(name, "7"))
    return "".join(out)


def _written_notes() -> list[tuple[str, str]]:
    """(file:line, note) for every literal note: ``*notes.append(...)``, ``note = ...`` and
    ``note=...`` in the files that write notes."""
    found = []
    for path in NOTE_SOURCES:
        for node in ast.walk(ast.parse(path.read_text())):
            candidates: list[ast.expr] = []
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "append"
                and node.args
            ):
                target = node.func.value
                name = target.attr if isinstance(target, ast.Attribute) else ""
                name = name or (target.id if isinstance(target, ast.Name) else "")
                if name.endswith("notes"):
                    candidates.append(node.args[0])
            elif isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "note" for t in node.targets
            ):
                candidates.append(node.value)
            elif isinstance(node, ast.keyword) and node.arg == "note":
                candidates.append(node.value)
            for c in candidates:
                text = _sample(c)
                if text:
                    found.append((f"{path.relative_to(ROOT)}:{c.lineno}", text))
    return found


def _engine_refusals() -> list[tuple[str, str]]:
    """(file:line, message) of every ConfigError the engine raises with a literal message."""
    found = []
    for path in sorted((ROOT / "axes" / "backbone").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "ConfigError"
                and node.args
            ):
                text = _sample(node.args[0])
                if text:
                    found.append((f"{path.relative_to(ROOT)}:{node.lineno}", text))
    return found


def test_every_engine_refusal_has_a_template():
    refusals = _engine_refusals()
    assert len(refusals) >= 18
    missing = [(where, text) for where, text in refusals if note_match(text) is None]
    assert not missing, f"engine refusals without a template in catalog/notes_l10n.py: {missing}"


def test_a_refused_upload_says_why_in_the_page_language():
    from catalog.artifact_text import ArtifactInvalid
    from catalog.services import model_upload

    config = json.dumps({"model_type": "llama", "vocab_size": 10})
    with translation.override("de"), pytest.raises(ArtifactInvalid) as refused:
        model_upload(repo_id="local/half", config_text=config)
    assert "config.json hat kein hidden_size / n_embd / d_model / dim" in str(refused.value)
    with translation.override("de"), pytest.raises(ArtifactInvalid) as broken:
        model_upload(repo_id="local/broken", config_text='{"a": 1,')
    from catalog.notes_l10n import note_l10n

    with translation.override("ko"):
        said = note_l10n(str(broken.value))
    assert said != str(broken.value) and "JSON" in said


def test_every_literal_note_has_a_template():
    notes = _written_notes()
    assert len(notes) >= 30  # the scan finds the notes (it is not vacuous)
    missing = [(where, text) for where, text in notes if note_match(text) is None]
    assert not missing, f"notes without a template in catalog/notes_l10n.py: {missing}"


def _analysis_notes(config: dict, **kwargs) -> list[str]:
    from axes.backbone.report import analyze_config

    return analyze_config(config, **kwargs)["notes"]


def _shared_config(name: str) -> dict:
    return json.loads(
        (shared_hub() / name / "config.json").read_text(), parse_constant=lambda c: None
    )


def test_engine_notes_from_real_configs_are_matched():
    deepseek = _shared_config("deepseek-ai--DeepSeek-R1")
    llama = _shared_config("meta-llama--Llama-3.2-1B")
    notes = [
        *_analysis_notes(deepseek),  # MLA latent KV, MTP modules
        *_analysis_notes({**deepseek, "moe_layer_freq": 2}),
        *_analysis_notes(llama, context_len=llama["max_position_embeddings"] * 2),
        *_analysis_notes({**llama, "hidden_size": "2048"}),
        *_analysis_notes({k: v for k, v in llama.items() if k != "intermediate_size"}),
        *_analysis_notes({**llama, "model_type": "somethingnew"}),
        *_analysis_notes({**llama, "model_type": "somethingnew", "hidden_act": "gelu"}),
    ]
    assert len(notes) >= 7
    assert all(note_match(n) is not None for n in notes), notes


def test_constants_note_is_matched():
    from axes.jsonfile import constants_note

    for constants in (["NaN"], ["NaN", "Infinity", "NaN"]):
        note = constants_note("config.json", constants)
        assert note_match(note) is not None, note


def test_translated_with_values_in_the_page_format():
    from axes.backbone.report import analyze_config

    llama = _shared_config("meta-llama--Llama-3.2-1B")
    (note,) = [
        n for n in analyze_config(llama, context_len=262144)["notes"] if n.startswith("context")
    ]
    assert note.startswith("context 262,144 is past the model's 131,072 positions")
    with translation.override("de"):
        de = note_l10n(note)
    with translation.override("ko"):
        ko = note_l10n(note)
    with translation.override("en"):
        en = note_l10n(note)
    assert de.startswith("Kontext 262.144 liegt jenseits der 131.072 Positionen")
    assert "262,144" in ko and "131,072" in ko and "컨텍스트" in ko
    assert en == note


def test_values_are_carried_over_and_small_numbers_stay_as_written():
    note = (
        "num_hidden_layers = 52 but the block pattern has 54 blocks; transformers uses the pattern"
    )
    with translation.override("de"):
        assert note_l10n(note) == (
            "num_hidden_layers = 52, aber das Blockmuster hat 54 Blöcke; transformers folgt dem Muster"
        )


@pytest.mark.parametrize("language", ["de", "ko"])
def test_unknown_notes_are_shown_as_written(language):
    note = "something the templates do not know: 12,345 things"
    with translation.override(language):
        assert note_l10n(note) == note


def test_every_template_is_translated():
    import polib

    for language in ("de", "ko"):
        po = polib.pofile(str(ROOT / "locale" / language / "LC_MESSAGES" / "django.po"))
        translated = {e.msgid for e in po.translated_entries() if "fuzzy" not in e.flags}
        assert set(NOTE_TEMPLATES) <= translated, language


@pytest.mark.django_db
def test_model_page_shows_engine_notes_in_german(client, web_model):
    deepseek = _shared_config("deepseek-ai--DeepSeek-R1")
    from axes.backbone.report import analyze_config

    report = analyze_config(deepseek)
    report["facts"] = []
    web_model("deepseek-ai/DeepSeek-R1", analysis=report, config=deepseek)
    html = client.get("/models/deepseek-ai/DeepSeek-R1/", {"lang": "de"}).content.decode()
    assert "KV bei MLA zählt den gecachten Latentvektor" in html
    assert "MTP-Modul(e) liegen im Checkpoint" in html
    assert "KV for MLA counts the cached latent" not in html


def test_why_config_groups_are_not_placed_is_said_in_the_page_language():
    """The note on a compressed-tensors config whose targets the engine cannot place quoted
    its reason in English inside the German and Korean sentence ("... nicht auf die
    Linear-Layer ... verteilt werden (a target or ignore entry that is a class name other than
    Linear)"). Every reason the engine can give is translated."""
    from axes.backbone.quant_targets import WHY_NOT_PLACED
    from axes.backbone.report import analyze_config
    from catalog.notes_l10n import QUANT_NOT_PLACED

    assert set(QUANT_NOT_PLACED) == set(WHY_NOT_PLACED)
    config = _shared_config("meta-llama--Llama-3.2-1B")
    scheme = {"num_bits": 4, "type": "int", "symmetric": True, "strategy": "group"}
    config["quantization_config"] = {
        "quant_method": "compressed-tensors",
        "format": "pack-quantized",
        "config_groups": {
            "group_0": {"targets": ["LlamaDecoderLayer"], "weights": {**scheme, "group_size": 128}}
        },
        "ignore": ["lm_head"],
    }
    (note,) = [n for n in analyze_config(config)["notes"] if "config_groups" in n]
    assert "class name other than Linear" in note
    with translation.override("de"):
        de = note_l10n(note)
    with translation.override("ko"):
        ko = note_l10n(note)
    for text in (de, ko):
        assert "class name other than Linear" not in text, text
        assert "Linear" in text  # the class's name stays as transformers writes it
    assert "Klassenname" in de


def test_an_unknown_safetensors_dtype_is_said_in_the_page_language():
    from axes.backbone.report import analyze_config

    config = _shared_config("meta-llama--Llama-3.2-1B")
    header = {"model.embed_tokens.weight": {"dtype": "Q99", "shape": [4, 4]}}
    notes = analyze_config(config, safetensors_headers={"model.safetensors": header})["notes"]
    (note,) = [n for n in notes if "Q99" in n]
    assert note_match(note) is not None, note
    with translation.override("de"):
        de = note_l10n(note)
    with translation.override("ko"):
        ko = note_l10n(note)
    for text in (de, ko):
        assert text != note and "'Q99'" in text and "model.embed_tokens.weight" in text, text


def test_a_figure_said_twice_in_a_note_is_matched_and_translated():
    """The sliced run's timing-noise note names the small build twice; a template with a
    placeholder twice did not compile (a regex group defined twice)."""
    from catalog.notes_l10n import note_l10n

    note = (
        "timing noise: the 4-layer build's decode was not slower than the 2-layer build's, so "
        "no time per layer could be fitted: decode tokens/s is the 2-layer build's, well above "
        "the whole model's. Measure again on an idle machine."
    )
    assert note_match(note) is not None
    assert note_match(note.replace("is the 2-layer", "is the 3-layer")) is None
    with translation.override("de"):
        said = note_l10n(note)
    assert said != note and "4" in said and "2" in said


@pytest.mark.parametrize(
    ("language", "said"),
    [
        (
            "de",
            "num_attention_heads (12) ist kein Vielfaches von text_config.num_key_value_heads "
            "(8): config.json hat kein text_config.num_key_value_heads, und 8 ist der "
            "Standardwert seiner Config-Klasse. Ergänze den Schlüssel in config.json.",
        ),
        (
            "ko",
            "num_attention_heads(12)가 text_config.num_key_value_heads(8)의 배수가 아닙니다: "
            "config.json에 text_config.num_key_value_heads이(가) 없어 config 클래스의 기본값 "
            "8이(가) 쓰입니다. config.json에 이 키를 추가하세요.",
        ),
    ],
)
def test_a_refusal_under_a_wrapper_is_said_in_the_page_language(language, said):
    """A wrapper's text model is read under text_config: the refusal names the key by that
    path, and the template still matches it (it used to be shown in English)."""
    from axes.backbone.errors import ConfigError
    from axes.backbone.report import analyze_config

    config = {
        "model_type": "mistral3",
        "text_config": {
            "hidden_size": 12 * 128,
            "head_dim": 128,
            "num_attention_heads": 12,
            "num_hidden_layers": 2,
            "vocab_size": 1000,
            "intermediate_size": 512,
        },
    }
    with pytest.raises(ConfigError) as refused:
        analyze_config(config)
    with translation.override(language):
        assert note_l10n(str(refused.value)) == said
