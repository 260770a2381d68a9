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
