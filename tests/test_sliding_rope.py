"""The sliding layers' own RoPE base is stated where a model has one.

Gemma 3's sliding layers rotate with ``rope_local_base_freq`` (10,000) and its full layers with
``rope_theta`` (1,000,000) and the scaling; transformers 5 writes both under
``rope_parameters`` by layer type. The positional fact named only the full layers' base.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from axes.backbone.facts import backbone_facts
from axes.backbone.report import analyze_config

HUB = Path(__file__).resolve().parents[2] / "shared" / "hub"


def _positional(config: dict) -> tuple[dict, str]:
    report = analyze_config(config)
    (fact,) = [f for f in backbone_facts(config, report) if f.kind == "backbone.positional"]
    return fact.value, fact.evidence.locator


def test_medgemmas_sliding_layers_state_their_own_rope_base():
    config = json.loads((HUB / "google--medgemma-27b-it" / "config.json").read_text())
    value, locator = _positional(config)
    assert value["rope_theta"] == 1_000_000.0
    assert value["sliding_rope_theta"] == 10_000.0
    assert "text_config.rope_local_base_freq" in locator.split(","), locator


def test_transformers_5s_rope_parameters_by_layer_type_are_read():
    config = {
        "model_type": "gemma3_text",
        "hidden_size": 64,
        "intermediate_size": 128,
        "num_hidden_layers": 6,
        "num_attention_heads": 4,
        "num_key_value_heads": 2,
        "head_dim": 16,
        "vocab_size": 1000,
        "sliding_window": 512,
        "layer_types": ["sliding_attention"] * 5 + ["full_attention"],
        "rope_parameters": {
            "sliding_attention": {"rope_type": "default", "rope_theta": 10_000.0},
            "full_attention": {"rope_type": "linear", "factor": 8.0, "rope_theta": 1e6},
        },
    }
    value, locator = _positional(config)
    assert (value["rope_theta"], value["sliding_rope_theta"]) == (1e6, 10_000.0)
    assert "rope_parameters" in locator.split(","), locator
    # no sliding layers: nothing to state
    config["layer_types"] = ["full_attention"] * 6
    value, _ = _positional(config)
    assert "sliding_rope_theta" not in value, value


def test_a_model_with_one_base_for_every_layer_states_one():
    config = json.loads((HUB / "openai--gpt-oss-20b" / "config.json").read_text())
    value, _ = _positional(config)  # sliding layers, one rope_theta
    assert value["rope_theta"] == 150_000.0 and "sliding_rope_theta" not in value, value


@pytest.mark.django_db
def test_the_model_page_shows_the_sliding_layers_rope_base(client, web_model):
    config = json.loads((HUB / "google--medgemma-27b-it" / "config.json").read_text())
    report = analyze_config(config)
    report["facts"] = [f.to_dict() for f in backbone_facts(config, report)]
    web_model("google/medgemma-27b-it", analysis=report, config=config)
    html = client.get("/models/google/medgemma-27b-it/").content.decode()
    fact = html.split('data-kind="backbone.positional"', 1)[1].split("</li>", 1)[0]
    assert "sliding_rope_theta: 10,000" in fact, fact
    assert "rope_local_base_freq" in fact, fact


def test_the_exercise_backs_either_base_of_gemma_3():
    """ "RoPE theta 10,000" about Gemma 3 is true of its sliding layers; it was contradicted by
    the full layers' 1,000,000 alone."""
    from axes.analysis import Artifacts, analyze_artifacts
    from axes.exercise import phrase_support

    config = json.loads((HUB / "google--medgemma-27b-it" / "config.json").read_text())
    out = analyze_artifacts(Artifacts(repo_id="google/medgemma-27b-it", config=config))
    facts = [f for f in out["facts"] if f["axis"] == "backbone"]
    assert phrase_support("RoPE theta 10,000", facts)["support"] == "sourced"
    assert phrase_support("RoPE theta 1,000,000", facts)["support"] == "sourced"
    assert phrase_support("RoPE theta 500,000", facts)["support"] == "conflicts"


def test_gemma_3_without_a_local_base_states_transformers_default():
    """A Gemma 3 config.json without rope_local_base_freq (nor rope_parameters by layer type)
    stated no base for its sliding layers; transformers gives them Gemma3TextConfig's default.
    The fact states it as that default, and a note says so."""
    transformers = pytest.importorskip("transformers")
    config = json.loads((HUB / "google--medgemma-27b-it" / "config.json").read_text())
    text = config["text_config"]
    del text["rope_local_base_freq"]
    built = transformers.Gemma3TextConfig(**{k: v for k, v in text.items() if k != "model_type"})
    default = built.rope_parameters["sliding_attention"]["rope_theta"]
    value, _ = _positional(config)
    assert value["sliding_rope_theta"] == default, value
    report = analyze_config(config)
    (fact,) = [f for f in backbone_facts(config, report) if f.kind == "backbone.positional"]
    assert f"rope_local_base_freq = {default} (config class default)" in fact.evidence.text
    note = (
        "no text_config.rope_local_base_freq in config.json: transformers' gemma3 default, "
        f"{default:,.0f}, is used"
    )
    assert note in report["notes"], report["notes"]
    # given, it is quoted from config.json and no default is said
    text["rope_local_base_freq"] = 20_000.0
    report = analyze_config(config)
    (fact,) = [f for f in backbone_facts(config, report) if f.kind == "backbone.positional"]
    assert "config class default" not in fact.evidence.text
    assert not any("rope_local_base_freq" in n for n in report["notes"])


def test_gemma_3_without_rope_theta_states_transformers_default():
    """A Gemma 3 config.json without rope_theta (nor rope_parameters) left its full layers'
    base unstated: the positional fact named the scaling and the sliding layers' base only,
    and without rope_scaling there was no positional fact at all, though transformers gives
    the full layers Gemma3TextConfig's default. The fact states it as that default, quoted
    as such in its evidence, and a note says so."""
    transformers = pytest.importorskip("transformers")
    config = json.loads((HUB / "google--medgemma-27b-it" / "config.json").read_text())
    text = config["text_config"]
    del text["rope_theta"]
    built = transformers.Gemma3TextConfig(**{k: v for k, v in text.items() if k != "model_type"})
    default = built.rope_parameters["full_attention"]["rope_theta"]
    for scaled in (True, False):
        if not scaled:
            del text["rope_scaling"]
        report = analyze_config(config)
        (fact,) = [f for f in backbone_facts(config, report) if f.kind == "backbone.positional"]
        assert fact.value["rope_theta"] == default, fact.value
        assert fact.value["sliding_rope_theta"] == text["rope_local_base_freq"], fact.value
        assert f"rope_theta = {default} (config class default)" in fact.evidence.text
        note = f"no text_config.rope_theta in config.json: transformers' gemma3 default, {default:,.0f}, is used"
        assert note in report["notes"], report["notes"]
    # given, it is quoted from config.json and no default is said
    text["rope_theta"] = 500_000.0
    report = analyze_config(config)
    (fact,) = [f for f in backbone_facts(config, report) if f.kind == "backbone.positional"]
    assert fact.value["rope_theta"] == 500_000.0
    assert "config class default" not in fact.evidence.text
    assert not any("rope_theta in config.json" in n for n in report["notes"])
