"""artifact_facts: generation config, chat templates (with/without tools and thinking), card
metadata lineage and datasets, card prose with line evidence, and card-vs-config contradictions."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from axes.analysis import Artifacts
from axes.classify import artifact_facts
from axes.classify.lineage import Hop, lineage_verdicts
from axes.classify.runtime import chat_template_facts

SHARED = Path(
    os.environ.get("MECHANIC_SHARED_DIR", Path(__file__).resolve().parents[1].parent / "shared")
)

QWEN3_LIKE = """{%- if tools %}
    {{- '<|im_start|>system\\n' }}
    {%- for tool in tools %}{{- tool | tojson }}{%- endfor %}
{%- endif %}
{%- for message in messages %}{{- '<|im_start|>' + message.role + '\\n' + message.content }}{%- endfor %}
{%- if add_generation_prompt %}{{- '<|im_start|>assistant\\n' }}
    {%- if enable_thinking is defined and enable_thinking is false %}{{- '<think>\\n\\n</think>\\n\\n' }}{%- endif %}
{%- endif %}"""

GEMMA_PLAIN = """{{ bos_token }}{% for message in messages %}{{ '<start_of_turn>' + message['role'] + '\\n' + message['content'] | trim + '<end_of_turn>\\n' }}{% endfor %}{% if add_generation_prompt %}{{'<start_of_turn>model\\n'}}{% endif %}"""

LLAMA3 = """{{- bos_token }}{%- for message in messages %}{{- '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n'+ message['content'] | trim + '<|eot_id|>' }}{%- endfor %}"""


def _by_kind(facts):
    out = {}
    for f in facts:
        out.setdefault(f.kind, []).append(f)
    return out


def test_generation_config_sampling() -> None:
    arts = Artifacts(
        generation_config={
            "temperature": 0.6,
            "top_p": 0.95,
            "top_k": 20,
            "do_sample": True,
            "bos_token_id": 1,
        }
    )
    facts = artifact_facts(arts, None)
    assert {f.evidence.locator for f in facts} == {"temperature", "top_p", "top_k", "do_sample"}
    assert all(f.kind == "inference.sampling" and f.extractor == "generation_config" for f in facts)
    temp = next(f for f in facts if f.evidence.locator == "temperature")
    assert temp.value == {"temperature": 0.6}
    assert temp.evidence.source == "generation_config.json"


def test_chatml_template_with_tools_and_thinking() -> None:
    kinds = _by_kind(chat_template_facts(QWEN3_LIKE))
    assert kinds["inference.chat_format"][0].value == "chatml"
    assert "enable_thinking" in kinds["inference.reasoning_mode"][0].value["switches"]
    assert kinds["product.tool_use"][0].extractor == "chat_template"
    assert kinds["product.tool_use"][0].evidence.locator == "L1"


def test_plain_templates_have_no_tools_or_thinking() -> None:
    for template, name in ((GEMMA_PLAIN, "gemma"), (LLAMA3, "llama3")):
        kinds = _by_kind(chat_template_facts(template))
        assert kinds["inference.chat_format"][0].value == name
        assert "product.tool_use" not in kinds
        assert "inference.reasoning_mode" not in kinds


def test_template_from_tokenizer_config() -> None:
    arts = Artifacts(
        tokenizer_config={"chat_template": "[INST] {{ messages[0]['content'] }} [/INST]"}
    )
    facts = artifact_facts(arts)
    assert [(f.kind, f.value, f.evidence.source) for f in facts] == [
        ("inference.chat_format", "mistral", "tokenizer_config.json")
    ]


CARD = """---
license: apache-2.0
base_model:
- org/Base-8B
tags:
- lora
- peft
datasets:
- org/my-sft-data
language:
- en
---
# My-8B-LoRA

My-8B-LoRA was trained with QLoRA on our support tickets.
It supports a context window of 128K tokens.
This is a 70B parameter model.
It is a dense transformer.

If you use it, please cite us.
"""


def test_card_metadata_lineage_and_datasets() -> None:
    kinds = _by_kind(artifact_facts(Artifacts(card=CARD)))
    lineage = kinds["post_training.lineage"][0]
    assert lineage.value == {"base_models": ["org/Base-8B"], "relation": "adapter"}
    assert lineage.evidence.locator == "L3-L4"
    assert lineage.extractor == "metadata"
    sft = [f for f in kinds["post_training.sft"] if f.extractor == "metadata"][0]
    assert sft.value == ["org/my-sft-data"] and "base_model present" in sft.extra["rule"]
    assert kinds["context.license"][0].value == "apache-2.0"
    assert any(f.value == ["en"] for f in kinds["context.pretraining"])


def test_card_prose_facts_quote_their_lines() -> None:
    facts = artifact_facts(Artifacts(card=CARD))
    lines = CARD.splitlines()
    prose = [
        f for f in facts if f.extractor in ("card_rules", "card_model") and not f.extra.get("flag")
    ]
    assert prose
    for f in prose:
        n = int(f.evidence.locator[1:].split("-")[0])
        assert f.evidence.text.split("\n")[0] in lines[n - 1]
    adapter = next(f for f in prose if f.kind == "post_training.adapter")
    assert adapter.evidence.locator == "L15"  # 12 front-matter lines, heading, blank
    assert not any("cite" in f.evidence.text for f in prose)


def test_contradictions_context_moe_params() -> None:
    config = {"model_type": "mixtral", "max_position_embeddings": 8192, "num_local_experts": 8}
    report = {"params": {"params_total": 8_030_261_248}}
    flagged = [
        f
        for f in artifact_facts(Artifacts(config=config, card=CARD), report)
        if f.extra.get("flag") == "contradiction"
    ]
    got = {f.kind: f for f in flagged}
    assert got["backbone.context_length"].value == {"card": 131072, "config": 8192}
    assert got["backbone.decoder_type"].value == {"card": "dense", "config": "moe"}
    assert got["backbone.params_total"].value["config"] == 8_030_261_248
    assert all(f.axis == "backbone" and f.evidence.source == "README.md" for f in flagged)


def test_no_contradiction_when_card_agrees() -> None:
    card = "# M\n\nIt supports a context length of 32,768 tokens.\nIt is an 8B parameter dense model.\n"
    config = {"max_position_embeddings": 32768}
    facts = artifact_facts(Artifacts(config=config, card=card), {"params_total": 8_030_261_248})
    assert not [f for f in facts if f.extra.get("flag")]


@pytest.mark.skipif(not (SHARED / "axes" / "cards").is_dir(), reason="shared cards not present")
def test_real_card_granite_flags_its_copied_8b_claim() -> None:
    card = (SHARED / "axes" / "cards" / "ibm-granite--granite-3.1-1b-a400m-instruct.md").read_text(
        encoding="utf-8"
    )
    config_path = SHARED / "hub" / "ibm-granite--granite-3.1-1b-a400m-instruct" / "config.json"
    config = (
        json.loads(config_path.read_text(encoding="utf-8"))
        if config_path.is_file()
        else {"num_local_experts": 32}
    )
    facts = artifact_facts(Artifacts(config=config, card=card), {"params_total": 1_334_628_352})
    flags = {f.kind for f in facts if f.extra.get("flag") == "contradiction"}
    assert "backbone.params_total" in flags  # "is a 8B parameter ... model" vs 1.33B computed
    assert "backbone.decoder_type" in flags  # "dense transformer" vs 32 experts


def test_lineage_hops() -> None:
    base = {
        "model_type": "llama",
        "hidden_size": 4096,
        "num_hidden_layers": 32,
        "torch_dtype": "bfloat16",
    }
    finetune = dict(base, torch_dtype="float16", _name_or_path="x")
    pruned = dict(base, num_hidden_layers=24)
    verdicts = lineage_verdicts(
        [
            Hop("org/ft", "finetune", finetune),
            Hop("org/base", "finetune", base),
            Hop("org/root", "unknown", None),
        ]
    )
    assert verdicts[0].architecture_changed is False and verdicts[0].label == "pure post-training"
    assert verdicts[1].architecture_changed is None
    (v,) = lineage_verdicts(
        [Hop("org/pruned", "finetune", pruned), Hop("org/base", "finetune", base)]
    )
    assert v.architecture_changed is True and v.differences == ("num_hidden_layers",)


def test_one_sentence_with_three_contradictions_against_the_real_report() -> None:
    """The engine's real report (params.total, backbone.context_length, decoder_type) is what
    the card is checked against; a sentence stating three things is checked on all three."""
    from axes.analysis import analyze_artifacts
    from tests.conftest import shared_hub

    config = json.loads((shared_hub() / "meta-llama--Llama-3.1-8B" / "config.json").read_text())
    config["max_position_embeddings"] = 8192
    card = "# Test\n\nThis is a 70B mixture-of-experts model with a 128K context window.\n"
    analysis = analyze_artifacts(Artifacts(repo_id="x/y", config=config, card=card))
    flagged = {
        f["kind"]: f
        for f in analysis["facts"]
        if (f.get("extra") or {}).get("flag") == "contradiction"
    }
    assert set(flagged) == {
        "backbone.context_length",
        "backbone.decoder_type",
        "backbone.params_total",
    }
    assert flagged["backbone.params_total"]["value"]["config"] == 8_030_261_248
    assert flagged["backbone.context_length"]["value"] == {"card": 131072, "config": 8192}
    assert flagged["backbone.decoder_type"]["evidence"]["locator"] == "L3"


# ---------------------------------------------------------------------------------------------
# Like with like (review: DeepSeek-R1's card against its config)


def _flags(card: str, config: dict, report: dict, repo_id: str | None = None) -> dict:
    facts = artifact_facts(Artifacts(repo_id=repo_id, config=config, card=card), report)
    flagged = [f for f in facts if f.extra.get("flag") == "contradiction"]
    by_kind = {f.kind: f for f in flagged}
    assert len(by_kind) == len(flagged), flagged  # one flag per kind in these cards
    return by_kind


def test_an_active_count_is_checked_against_the_active_count() -> None:
    config = {"model_type": "deepseek_v3", "n_routed_experts": 256}
    card = "# M\n\nIt has 671B total parameters, of which 37B are activated for each token.\n"
    report = {"params": {"total": 671_026_404_352, "active": 37_552_282_624}}
    assert _flags(card, config, report) == {}
    # the active count is what disagrees: flagged as such, with the card's number an integer
    report = {"params": {"total": 671_026_404_352, "active": 20_000_000_000}}
    got = _flags(card, config, report)
    assert set(got) == {"backbone.params_active"}
    assert got["backbone.params_active"].value == {"card": 37_000_000_000, "config": 20_000_000_000}
    assert isinstance(got["backbone.params_active"].value["card"], int)


def test_a_table_column_says_what_its_numbers_count() -> None:
    config = {"model_type": "deepseek_v3", "n_routed_experts": 256}
    card = (
        "# M\n\n| Benchmark | V3 | R1 |\n| --- | --- | --- |\n"
        "| # Activated Params | 37B | 37B |\n| # Total Params | 671B | 671B |\n"
    )
    report = {"params": {"total": 671_026_404_352, "active": 37_552_282_624}}
    assert _flags(card, config, report) == {}


def test_a_generation_length_is_no_context_window() -> None:
    config = {"max_position_embeddings": 163840}
    card = (
        "# M\n\n## Usage\n\nFor all our models, the maximum generation length is set to "
        "32,768 tokens.\n\nThe model has a context window of 160K tokens and a maximum "
        "generation length of 32K tokens.\n"
    )
    assert _flags(card, config, {}) == {}
    # the context figure in the same sentence is still checked
    got = _flags(card, {"max_position_embeddings": 8192}, {})
    assert [f.value for f in got.values()] == [{"card": 163840, "config": 8192}]


def test_tokens_and_model_names_are_no_parameter_or_context_figures() -> None:
    """The "400M" of "A400M" is part of a name, not 400M tokens of context; "2T tokens"
    counts data, not parameters (granite's real card had the first flagged)."""
    config = {"max_position_embeddings": 131072, "num_local_experts": 32}
    card = (
        "# M\n\nGranite-3.1-1B-A400M-Instruct is a 1.3B parameter long-context instruct model."
        "\n\nArchitecture: MoE decoder, 40 layers, 2T tokens of context extension.\n"
    )
    assert _flags(card, config, {"params": {"total": 1_334_628_352}}) == {}


def test_a_size_in_another_models_name_is_no_parameter_figure() -> None:
    """Llama 3.1 405B's card: "Same design as Llama 3.1 8B, scaled up" was flagged as a card
    stating 8B parameters against the config's 405.85B."""
    config = {"model_type": "llama"}
    report = {"params": {"total": 405_853_388_800}}
    for line in (
        "Same design as Llama 3.1 8B, scaled up: more layers, wider.",
        "Built like Gemma 2 27B and Qwen-2.5 7B, with more layers.",
    ):
        assert _flags(f"# M\n\n## Model\n\n{line}\n", config, report) == {}
    # a size that is not part of a name is still checked, in the same sentence too
    got = _flags("# M\n\n## Model\n\nLike Llama 3.1 8B, it has 70B parameters.\n", config, report)
    assert [f.value for f in got.values()] == [{"card": 70_000_000_000, "config": 405_853_388_800}]


@pytest.mark.skipif(
    not (SHARED / "hub" / "deepseek-ai--DeepSeek-R1").is_dir(), reason="shared hub not present"
)
def test_real_deepseek_r1_card_against_its_config() -> None:
    """The review's case: analyzing the real R1 folder flagged the activated count as a
    total, the generation length as a context window, and filed R1-Zero's row as R1's."""
    from axes.analysis import analyze_artifacts, artifacts_from_dir

    analysis = analyze_artifacts(artifacts_from_dir(SHARED / "hub" / "deepseek-ai--DeepSeek-R1"))
    assert analysis["repo_id"] == "deepseek-ai/DeepSeek-R1"
    flagged = [f for f in analysis["facts"] if (f.get("extra") or {}).get("flag")]
    assert not [f for f in flagged if f["kind"].startswith("backbone.params_")]
    assert not [f for f in flagged if "generation length" in f["evidence"]["text"]]
    card = [f for f in analysis["facts"] if f["evidence"]["source"] == "README.md"]
    assert not [f for f in card if f["evidence"]["text"].startswith("| DeepSeek-R1-Zero ")]
    assert not [f for f in card if "| DeepSeek-R1-Distill-" in f["evidence"]["text"][:40]]
    own = [f for f in card if f["evidence"]["text"].startswith("| DeepSeek-R1   |")]
    assert own and own[0]["kind"].startswith("backbone.")  # R1's own row is still R1's


def test_contradiction_figures_read_as_the_page_writes_them() -> None:
    from django.template import Context, Template

    fact = {
        "axis": "backbone",
        "kind": "backbone.params_total",
        "value": {
            "card": 37_000_000_000.0,
            "config": 671_026_404_352,
        },  # as older analyses stored it
        "extra": {"flag": "contradiction"},
    }
    context = {
        "kind": "backbone.context_length",
        "value": {"card": 131072, "config": 163840},
        "extra": {"flag": "contradiction"},
    }
    plain = {"kind": "backbone.hidden_size", "value": {"hidden_size": 7168}}
    template = Template(
        "{% load mechanic %}{{ a|fact_value_h }}|{{ b|fact_value_h }}|{{ c|fact_value_h }}"
    )
    assert template.render(Context({"a": fact, "b": context, "c": plain})) == (
        "card: 37.00 B · config: 671.03 B|card: 128K · config: 160K|hidden_size: 7,168"
    )
