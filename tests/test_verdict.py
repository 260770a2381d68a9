"""Per-axis verdicts: the lesson's three showcase pairs from the bundled demo catalog, plus units.

The lesson (course, KO/DE): DeepSeek-V3 and DeepSeek-R1 share a backbone and differ only in
post-training; Llama-3.1-8B and Llama-3.1-8B-Instruct differ only in post-training;
Meta-Llama-3-8B and Nemotron-H-8B-Base-8K differ in backbone.
"""

from __future__ import annotations

import pytest

from axes.verdict import AXES, axes_verdict, verdict_sentence


def fact(kind: str, value, source: str = "README.md", **extra) -> dict:
    out = {
        "axis": kind.split(".", 1)[0],
        "kind": kind,
        "value": value,
        "confidence": 1.0,
        "extractor": "test",
        "evidence": {"source": source, "locator": "L1", "text": f"{kind} = {value}"},
    }
    if extra:
        out["extra"] = extra
    return out


LLAMA_SPEC = {"family": "llama", "layers": 32, "hidden_size": 4096, "kv_heads": 8}


# ---------------------------------------------------------------------------------------------
# Units


def test_same_spec_different_post_training_is_post_training_only():
    a = {
        "spec": LLAMA_SPEC,
        "facts": [
            fact("post_training.stage", "base"),
            fact("inference.sampling", {"temperature": 0.6}),
        ],
    }
    b = {
        "spec": dict(LLAMA_SPEC),
        "facts": [
            fact("post_training.stage", "instruct"),
            fact("post_training.preference", "DPO"),
            fact("inference.sampling", {"temperature": 0.6}),
            fact("inference.chat_format", "llama3 chat template", source="tokenizer_config.json"),
        ],
    }
    v = axes_verdict(a, b)
    assert v["backbone"]["verdict"] == "same"
    assert v["post_training"]["verdict"] == "differs"
    kinds = {d["kind"] for d in v["post_training"]["differences"]}
    assert kinds == {"post_training.stage", "post_training.preference"}
    stage = next(d for d in v["post_training"]["differences"] if d["kind"] == "post_training.stage")
    assert stage["a"]["value"] == "base" and stage["b"]["value"] == "instruct"
    assert stage["a"]["evidence"]["source"] == "README.md"
    # The chat template comes with the instruct checkpoint: listed, attributed, not counted.
    assert v["inference"]["verdict"] == "same"
    (chat,) = v["inference"]["differences"]
    assert chat["kind"] == "inference.chat_format" and chat["attributed_to"] == "post_training"
    assert v["product"]["verdict"] == "unknown" and v["product"]["missing"] == ["a", "b"]
    sentence = verdict_sentence(v, ["Llama-3.1-8B", "Llama-3.1-8B-Instruct"])
    # product is unknown, so no "only": what differs, what is the same, what is not known
    assert sentence == (
        "These two differ in post-training and are the same in backbone and inference; "
        "product is unknown for both."
    )


def test_same_checkpoint_thinking_on_off_differs_only_in_inference():
    shared = [fact("post_training.stage", "reasoning"), fact("post_training.rl", "GRPO")]
    on = {
        "spec": LLAMA_SPEC,
        "facts": shared
        + [
            fact("inference.reasoning_mode", "enable_thinking=True"),
            fact("product.tool_use", "function calling"),
        ],
    }
    off = {
        "spec": LLAMA_SPEC,
        "facts": shared
        + [
            fact("inference.reasoning_mode", "enable_thinking=False"),
            fact("product.tool_use", "function calling"),
        ],
    }
    v = axes_verdict(on, off)
    assert [v[x]["verdict"] for x in AXES] == ["same", "same", "differs", "same"]
    assert verdict_sentence(v, ["on", "off"]) == "These two differ only in inference."


def test_sampling_difference_counts_when_post_training_is_equal():
    a = {
        "spec": LLAMA_SPEC,
        "facts": [
            fact("post_training.stage", "instruct"),
            fact("inference.sampling", {"temperature": 0.6}),
        ],
    }
    b = {
        "spec": LLAMA_SPEC,
        "facts": [
            fact("post_training.stage", "instruct"),
            fact("inference.sampling", {"temperature": 1.0}),
        ],
    }
    v = axes_verdict(a, b)
    assert v["inference"]["verdict"] == "differs"
    assert "attributed_to" not in v["inference"]["differences"][0]


def test_spec_difference_names_the_keys_and_ignores_token_ids():
    a = {"spec": {**LLAMA_SPEC, "eos_token_id": 1}, "facts": []}
    b = {
        "spec": {**LLAMA_SPEC, "layers": 52, "decoder_type": "hybrid", "eos_token_id": 2},
        "facts": [],
    }
    v = axes_verdict(a, b)
    assert v["backbone"]["verdict"] == "differs"
    assert {d["kind"] for d in v["backbone"]["differences"]} == {"spec.layers", "spec.decoder_type"}
    layers = next(d for d in v["backbone"]["differences"] if d["kind"] == "spec.layers")
    assert (layers["a"]["value"], layers["b"]["value"]) == (32, 52)


def test_same_tensors_different_weights_and_byte_identical():
    tensors = {"model.embed_tokens.weight": {"shape": [128256, 4096], "dtype": "BF16"}}
    a = {"spec": LLAMA_SPEC, "tensors": tensors, "facts": []}
    b = {"spec": LLAMA_SPEC, "tensors": dict(tensors), "facts": []}
    v = axes_verdict(a, b)["backbone"]
    assert v["verdict"] == "same" and v["weights"] == "same_tensors"
    assert "same tensors, different weights" in v["reason"]
    a["checkpoint"] = {"file_sha256": {"model.safetensors": "ab" * 32}}
    b["checkpoint"] = {"file_sha256": {"model.safetensors": "ab" * 32}}
    v = axes_verdict(a, b)["backbone"]
    assert v["weights"] == "byte_identical" and "byte-identical" in v["reason"]


def test_same_config_but_different_tensor_names_differs():
    a = {
        "spec": LLAMA_SPEC,
        "safetensors_index": {"weight_map": {"a.weight": "1.safetensors"}},
        "facts": [],
    }
    b = {
        "spec": LLAMA_SPEC,
        "safetensors_index": {"weight_map": {"b.weight": "1.safetensors"}},
        "facts": [],
    }
    v = axes_verdict(a, b)["backbone"]
    assert v["verdict"] == "differs"
    assert v["differences"][0]["a"]["value"] == ["a.weight"]


def test_unknown_names_the_side_without_evidence():
    a = {"spec": LLAMA_SPEC, "facts": [fact("post_training.stage", "base")]}
    b = {
        "spec": {**LLAMA_SPEC, "layers": 40},
        "facts": [
            fact("post_training.stage", "instruct"),
            fact("inference.sampling", {"temperature": 0.7}),
        ],
    }
    v = axes_verdict(a, b)
    assert v["inference"]["verdict"] == "unknown" and v["inference"]["missing"] == ["a"]
    sentence = verdict_sentence(v, ["Alpha", "Beta"])
    assert sentence == (
        "These two differ in backbone and post-training; "
        "inference is unknown for Alpha; product is unknown for both."
    )


def test_closed_backbone_is_undisclosed_not_empty():
    closed = {
        "facts": [
            fact(
                "backbone.family",
                "undisclosed",
                source="https://vendor.example/docs",
                state="undisclosed",
            ),
            fact("inference.reasoning_mode", "effort"),
        ]
    }
    open_ = {
        "spec": LLAMA_SPEC,
        "facts": [
            fact("backbone.family", "llama", source="config.json"),
            fact("inference.reasoning_mode", "none"),
        ],
    }
    v = axes_verdict(closed, open_)
    assert v["backbone"]["verdict"] == "undisclosed"
    assert v["backbone"]["missing"] == ["a"]
    assert "backbone is undisclosed for Claude" in verdict_sentence(v, ["Claude", "Llama"])


def test_empty_analyses_are_unknown_everywhere_and_sentence_still_reads():
    v = axes_verdict({}, {})
    assert all(v[x]["verdict"] == "unknown" for x in AXES)
    assert verdict_sentence(v, ["A", "B"]).startswith(
        "No axis has evidence on both sides to compare"
    )


def test_sentence_is_translated_through_gettext():
    v = axes_verdict(
        {"spec": LLAMA_SPEC, "facts": [fact("post_training.stage", "base")]},
        {"spec": LLAMA_SPEC, "facts": [fact("post_training.stage", "instruct")]},
    )
    seen: list[str] = []

    def gettext(message: str) -> str:
        seen.append(message)
        return message.upper() if "%" not in message else message

    def ngettext(singular: str, plural: str, n: int) -> str:
        seen.append(singular if n == 1 else plural)
        return singular if n == 1 else plural

    verdict_sentence(v, ["A", "B"], gettext=gettext, ngettext=ngettext)
    assert "These two differ in %(differs)s and are the same in %(same)s" in seen
    assert "%(axes)s are unknown for both" in seen  # inference and product


def test_sentence_names_each_model_once_for_the_axes_it_lacks():
    """ "inference is unknown for DeepSeek-V3; product is unknown for DeepSeek-V3" read as a
    stutter: one note per model and state, naming its axes."""
    v = {
        "backbone": {"verdict": "same"},
        "post_training": {"verdict": "differs"},
        "inference": {"verdict": "unknown", "missing": ["a"]},
        "product": {"verdict": "unknown", "missing": ["a"]},
    }
    assert verdict_sentence(v, ["DeepSeek-V3", "DeepSeek-R1"]) == (
        "These two differ in post-training and are the same in backbone; "
        "inference and product are unknown for DeepSeek-V3."
    )
    v["backbone"] = {"verdict": "undisclosed", "missing": ["b"]}
    v["post_training"] = {"verdict": "undisclosed", "missing": ["b"]}
    v["product"] = {"verdict": "unknown", "missing": ["b"]}
    assert verdict_sentence(v, ["Llama", "Claude"]) == (
        "No axis has evidence on both sides to compare; backbone and post-training are "
        "undisclosed for Claude; inference is unknown for Llama; product is unknown for Claude."
    )


# ---------------------------------------------------------------------------------------------
# The three showcase pairs, from the bundled demo catalog (loaded as `manage.py load_demo` does)

PAIRS = {
    "v3_r1": ("deepseek-ai/DeepSeek-V3", "deepseek-ai/DeepSeek-R1"),
    "base_instruct": ("meta-llama/Llama-3.1-8B", "meta-llama/Llama-3.1-8B-Instruct"),
    "llama_nemotron": ("meta-llama/Meta-Llama-3-8B", "nvidia/Nemotron-H-8B-Base-8K"),
}


@pytest.fixture
def demo_catalog(db):
    from django.core.management import call_command

    call_command("load_demo", verbosity=0)


def pair_verdict(pair: str) -> tuple[dict, str]:
    from catalog.models import CatalogModel

    a, b = (CatalogModel.objects.get(repo_id=r).latest_revision.analysis for r in PAIRS[pair])
    verdicts = axes_verdict(a, b)
    return verdicts, verdict_sentence(verdicts, [r.split("/")[1] for r in PAIRS[pair]])


def test_deepseek_v3_vs_r1_differ_only_in_post_training(demo_catalog):
    v, sentence = pair_verdict("v3_r1")
    assert v["backbone"]["verdict"] == "same", v["backbone"]
    assert v["post_training"]["verdict"] == "differs"
    assert v["inference"]["verdict"] != "differs", v["inference"]
    assert v["product"]["verdict"] != "differs", v["product"]
    # the demo states nothing on V3's inference and product: no "only", but the lesson holds
    assert sentence.startswith("These two differ in post-training and are the same in backbone")
    kinds = {d["kind"] for d in v["post_training"]["differences"]}
    assert kinds & {"post_training.stage", "post_training.rl"}
    for d in v["post_training"]["differences"]:
        for side in ("a", "b"):
            if d[side]["value"] is not None:
                assert d[side]["evidence"], d  # every difference carries its evidence


def test_llama_base_vs_instruct_differ_only_in_post_training(demo_catalog):
    v, sentence = pair_verdict("base_instruct")
    assert v["backbone"]["verdict"] == "same", v["backbone"]
    assert v["post_training"]["verdict"] == "differs"
    stage = next(d for d in v["post_training"]["differences"] if d["kind"] == "post_training.stage")
    assert stage["a"]["value"] != stage["b"]["value"]
    assert v["inference"]["verdict"] != "differs", v["inference"]
    assert v["product"]["verdict"] != "differs", v["product"]
    assert sentence.startswith("These two differ in post-training and are the same in backbone")


def test_llama3_vs_nemotron_h_differ_in_backbone(demo_catalog):
    v, sentence = pair_verdict("llama_nemotron")
    assert v["backbone"]["verdict"] == "differs"
    assert v["backbone"]["differences"]
    assert "backbone" in sentence.split(";")[0]
    # both are pretrained-only base models, said in other words: not a post-training difference
    # (the home page's lesson says "the backbone differs")
    assert v["post_training"]["verdict"] != "differs", v["post_training"]
    assert sentence.startswith("These two differ in backbone and are the same in"), sentence
    kinds = {d["kind"] for d in v["backbone"]["differences"]}
    assert "spec.num_experts" not in kinds  # Nemotron-H-8B is dense: no phantom experts


def test_llama3_vs_nemotron_h_names_the_family_once_and_shows_what_the_course_teaches(
    demo_catalog,
):
    """The showcase's first eight backbone rows (what the compare page shows): the family once,
    not again as model_type and architectures, so the position scheme (RoPE -> none) and the
    FFN activation (SwiGLU's silu -> ReLU²) are among them, not under "and 4 more"."""
    v, _ = pair_verdict("llama_nemotron")
    kinds = [d["kind"] for d in v["backbone"]["differences"]]
    assert "spec.family" in kinds
    assert "spec.model_type" not in kinds and "spec.architectures" not in kinds
    assert {"spec.layer_pattern", "spec.positional", "spec.hidden_act"} <= set(kinds[:8])


def test_model_type_is_kept_when_it_says_more_than_the_family():
    a = {"family": "deepseek", "model_type": "deepseek_v3", "architectures": ["A"]}
    b = {"family": "deepseek", "model_type": "kimi_k2", "architectures": ["B"]}
    kinds = [
        d["kind"]
        for d in axes_verdict({"spec": a, "facts": []}, {"spec": b, "facts": []})["backbone"][
            "differences"
        ]
    ]
    assert kinds == ["spec.model_type"]


@pytest.mark.parametrize(
    "a,b,same",
    [
        ("Pretrained-only base model.", "Base model, pretrained only; 8K context.", True),
        ("Instruction-tuned chat model.", "The instruct version, aligned for dialogue.", True),
        ("Pretrained-only base model.", "Instruction-tuned chat model.", False),
        ("Base model; see the instruct version for chat.", "Base model.", False),  # unclear
        ("Pretrained Llama 3.1 base.", "Base model, pretrained only; 8K context.", True),
        ("General chat model.", "Reasoning model.", False),  # post-training made one reason
    ],
)
def test_post_training_stage_compares_the_stage_not_the_wording(a, b, same):
    def analysis(text: str) -> dict:
        return {
            "facts": [
                {
                    "axis": "post_training",
                    "kind": "post_training.stage",
                    "value": text,
                    "evidence": {"source": "README.md", "locator": "L1", "text": text},
                }
            ]
        }

    v = axes_verdict(analysis(a), analysis(b))["post_training"]
    assert (v["verdict"] == "same") is same, v


@pytest.mark.django_db
def test_compare_page_opens_with_the_sentence_and_four_rows(client, demo_catalog):
    html = client.get("/compare/", {"models": ",".join(PAIRS["v3_r1"])}).content.decode()
    assert "These two differ in post-training and are the same in backbone" in html
    assert html.count('class="verdict-row') == 4
    assert 'data-axis="backbone" data-verdict="same"' in html
    assert 'data-axis="post_training" data-verdict="differs"' in html


@pytest.mark.django_db
def test_api_compare_returns_the_verdict(client, demo_catalog):
    response = client.get("/api/compare", {"models": ",".join(PAIRS["v3_r1"])})
    assert response.status_code == 200
    verdict = response.json()["axes_verdict"]
    assert verdict["axes"]["backbone"]["verdict"] == "same"
    assert verdict["axes"]["post_training"]["verdict"] == "differs"
    assert verdict["sentence"].startswith("These two differ in post-training")


@pytest.mark.django_db
def test_home_page_links_the_three_lessons(client, demo_catalog):
    html = client.get("/").content.decode()
    for a, b in PAIRS.values():
        assert f"models={a},{b}" in html


# ---------------------------------------------------------------------------------------------
# Readable backbone differences (layer summaries, no details of a part one side lacks)


def _shared_spec(folder: str) -> dict:
    import json
    import os
    from pathlib import Path

    from axes.backbone import normalize

    shared = Path(
        os.environ.get("MECHANIC_SHARED_DIR", Path(__file__).resolve().parents[1].parent / "shared")
    )
    path = shared / "hub" / folder / "config.json"
    if not path.is_file():
        pytest.skip(f"no shared hub data at {path}")
    config = json.loads(path.read_text(), parse_constant=lambda c: None)
    return normalize(config).to_dict()


def test_layer_pattern_difference_is_the_layer_summary_and_dense_details_are_left_out():
    llama = _shared_spec("meta-llama--Llama-3.1-8B")
    nemo = _shared_spec("nvidia--Nemotron-H-56B-Base-8K")
    diffs = axes_verdict({"spec": llama, "facts": []}, {"spec": nemo, "facts": []})["backbone"]
    by_kind = {d["kind"]: d for d in diffs["differences"]}
    # most telling first: the compare page shows the first eight
    assert diffs["differences"][0]["kind"] == "spec.layer_pattern"
    pattern = by_kind["spec.layer_pattern"]
    assert pattern["a"]["value"] == "32 GQA · 32 MLP"
    assert pattern["b"]["value"] == "54 Mamba-2 + 10 GQA + 54 MLP"
    assert "mixer" not in pattern["a"]["evidence"]["text"]
    # the part's presence is shown; defaults of a part one side lacks are not. Nemotron-H-56B
    # is dense (MLP blocks only), so experts are not a difference at all
    assert "spec.num_layers" in by_kind and "spec.num_experts" not in by_kind
    for hidden in (
        "spec.expert_gated",
        "spec.shared_expert_gated",
        "spec.router_scoring",
        "spec.norm_topk_prob",
        "spec.num_experts_per_token",
        "spec.ssm_state_size",
        "spec.mtp_block_types",
    ):
        assert hidden not in by_kind, hidden
    assert by_kind["spec.rope_scaling"]["a"]["value"] == "llama3 ×8"


def test_same_layer_counts_in_another_order_are_still_told_apart():
    full = {"mixer": "attention", "ffn": "mlp"}
    local = {"mixer": "sliding_attention", "ffn": "mlp"}
    a = {"attention_variant": "GQA", "layer_pattern": [full] * 4}
    b = dict(a, layer_pattern=[full, local, full, local])
    c = dict(a, layer_pattern=[full, full, local, local])
    (d,) = axes_verdict({"spec": b, "facts": []}, {"spec": c, "facts": []})["backbone"][
        "differences"
    ]
    assert d["a"]["value"] == "2 full + 2 sliding · 4 MLP"
    assert d["b"]["value"] == "2 full + 2 sliding · 4 MLP (in another order)"
    (d,) = axes_verdict({"spec": a, "facts": []}, {"spec": b, "facts": []})["backbone"][
        "differences"
    ]
    assert (d["a"]["value"], d["b"]["value"]) == ("4 GQA · 4 MLP", "2 full + 2 sliding · 4 MLP")


# ---------------------------------------------------------------------------------------------
# "same" needs both sides; "only" needs every other axis known (review: GPT-5 vs Llama-3.1-8B)


def _closed_and_base() -> tuple[dict, dict]:
    closed = {
        "facts": [
            fact("backbone.family", "undisclosed", source="vendor docs", state="undisclosed"),
            fact("post_training.rl", "trained with reinforcement learning to reason"),
            fact("inference.reasoning_mode", "reasoning.effort parameter"),
            fact("product.tool_use", "web search"),
        ]
    }
    base = {
        "spec": LLAMA_SPEC,
        "facts": [
            fact("post_training.stage", "Pretrained base model."),
            fact("inference.sampling", {"temperature": 0.6}, source="generation_config.json"),
        ],
    }
    return closed, base


def test_an_axis_each_side_states_differently_is_unknown_not_same():
    """GPT-5 states a reasoning-effort switch, the base model its sampling defaults: no kind is
    stated by both, so inference is not "same" (one side's silence is not agreement), and the
    one-sided rows are not credited to post-training."""
    closed, base = _closed_and_base()
    v = axes_verdict(closed, base)
    assert v["post_training"]["verdict"] == "differs"
    inference = v["inference"]
    assert inference["verdict"] == "unknown" and inference["unshared"] is True
    assert inference["missing"] == []
    assert {d["kind"] for d in inference["differences"]} == {
        "inference.reasoning_mode",
        "inference.sampling",
    }
    assert not any("attributed_to" in d for d in inference["differences"])
    sentence = verdict_sentence(v, ["openai/gpt-5", "meta-llama/Llama-3.1-8B"])
    assert sentence == (
        "These two differ in post-training; backbone is undisclosed for openai/gpt-5; "
        "inference cannot be compared: no fact is stated for both; "
        "product is unknown for meta-llama/Llama-3.1-8B."
    )


def test_one_shared_agreeing_kind_keeps_the_attributed_difference_same():
    """With a kind both state and agree on, a chat format only the tuned side states still
    follows from post-training: inference stays "same" (the Llama base vs Instruct lesson)."""
    _closed, base = _closed_and_base()
    tuned = {
        "spec": LLAMA_SPEC,
        "facts": [
            fact("post_training.stage", "Instruction-tuned chat model."),
            fact("inference.sampling", {"temperature": 0.6}, source="generation_config.json"),
            fact("inference.chat_format", "llama3 chat template"),
        ],
    }
    v = axes_verdict(base, tuned)
    assert v["inference"]["verdict"] == "same"
    (chat,) = v["inference"]["differences"]
    assert chat["attributed_to"] == "post_training"


def test_backbone_facts_without_a_shared_kind_are_unknown():
    a = {"facts": [fact("backbone.params_total", 8_000_000_000)]}
    b = {"facts": [fact("backbone.attention", "GQA")]}
    v = axes_verdict(a, b)["backbone"]
    assert v["verdict"] == "unknown" and v.get("unshared") is True


def test_only_needs_every_other_axis_known():
    every_axis = [
        fact("post_training.stage", "instruct"),
        fact("inference.sampling", {"temperature": 0.6}),
        fact("product.tool_use", "function calling"),
    ]
    a = {"spec": LLAMA_SPEC, "facts": every_axis}
    b = {"spec": {**LLAMA_SPEC, "layers": 40}, "facts": every_axis}
    v = axes_verdict(a, b)
    assert verdict_sentence(v, ["A", "B"]) == "These two differ only in backbone."
    b["facts"] = every_axis[:2]  # product no longer known for B
    v = axes_verdict(a, b)
    assert verdict_sentence(v, ["A", "B"]) == (
        "These two differ in backbone and are the same in post-training and inference; "
        "product is unknown for B."
    )
    a["facts"] = b["facts"] = []  # only the backbone is known: nothing is "the same"
    v = axes_verdict(a, {"spec": LLAMA_SPEC, "facts": []})
    assert verdict_sentence(v, ["A", "B"]).startswith("These two are the same in backbone;")


def test_closed_vs_open_on_the_compare_page_makes_no_only_claim(client, demo_catalog):
    """The review's pair from the bundled demo: GPT-5 vs Llama-3.1-8B."""
    html = client.get(
        "/compare/", {"models": "openai/gpt-5,meta-llama/Llama-3.1-8B"}
    ).content.decode()
    sentence = html.split('class="verdict-sentence">')[1].split("</p>")[0]
    assert "only" not in sentence and "backbone is undisclosed for openai/gpt-5" in sentence
    assert 'data-axis="inference" data-verdict="unknown"' in html
    assert 'data-axis="backbone" data-verdict="undisclosed"' in html
    inference = html.split('data-axis="inference"')[1].split("</tr>")[0]
    assert "Same way of running them" not in inference
    assert "reasoning.effort parameter" in inference  # what is known is still listed


# ---------------------------------------------------------------------------------------------
# The stage a sentence states, and continued pretraining stated by one card (review: Llama 3.1
# 8B vs Nemotron-H-8B-Base "differ in post-training")


@pytest.mark.parametrize(
    "text,stage",
    [
        ("Pretrained Llama 3.1 base.", "base"),
        ("NVIDIA's hybrid base model.", "base"),
        ("Base model, pretrained only; 8K context.", "base"),
        ("designed as a completion model for a given piece of text", "base"),
        ("Not instruction-tuned.", "base"),
        ("No post-training was applied.", "base"),
        ("Basismodell, nur vortrainiert.", "base"),
        ("사전 학습된 베이스 모델입니다.", "base"),
        ("The instruction-tuned Llama 3.1 8B.", "instruct"),
        ("DeepSeek's general chat model.", "instruct"),
        ("Fine-tuned from the Llama 3.1 8B base model.", "instruct"),  # the base is its parent
        ("Instruct-Version, instruktionsoptimiert.", "instruct"),
        ("인스트럭트 모델입니다.", "instruct"),
        ("DeepSeek's reasoning model.", "reasoning"),
        ("추론 모델입니다.", "reasoning"),
        ("a collection of pretrained and instruction tuned generative models", None),
        ("Base model; see the instruct version for chat.", None),
        ("Released in July 2024.", None),
    ],
)
def test_post_training_stage_reads_the_stage_a_sentence_states(text, stage):
    from axes.verdict import post_training_stage

    assert post_training_stage(text) == stage


def _post(*facts: dict) -> dict:
    return {"facts": list(facts)}


def test_continued_pretraining_one_card_mentions_is_listed_not_counted():
    base_a = fact("post_training.stage", "Pretrained Llama 3.1 base.")
    base_b = fact("post_training.stage", "Base model, pretrained only.")
    extension = fact(
        "post_training.continued", "Context extended to 128K by continued pretraining."
    )
    v = axes_verdict(_post(base_a, extension), _post(base_b))["post_training"]
    assert v["verdict"] == "same", v
    (d,) = v["differences"]
    assert d["kind"] == "post_training.continued" and d["not_counted"] == "one_side_only"
    assert "only one card mentions" in v["reason"]
    sentence = verdict_sentence(
        {"post_training": v, "backbone": {"verdict": "differs"}}, ["a", "b"]
    )
    assert sentence.startswith("These two differ in backbone and are the same in post-training")

    # stated by both and disagreeing, it is a difference like any other
    other = fact("post_training.continued", "Mid-training on 1T tokens of code.")
    both = axes_verdict(_post(base_a, extension), _post(base_b, other))["post_training"]
    assert both["verdict"] == "differs"
    assert [d["kind"] for d in both["differences"]] == ["post_training.continued"]

    # next to a real difference it is listed last and still not counted
    tuned = fact("post_training.stage", "The instruction-tuned Llama 3.1 8B.")
    v = axes_verdict(_post(base_a, extension), _post(tuned))["post_training"]
    assert v["verdict"] == "differs"
    assert [d["kind"] for d in v["differences"]] == [
        "post_training.stage",
        "post_training.continued",
    ]


# ---------------------------------------------------------------------------------------------
# Guesses: card lines the classifier placed under 50% confidence never decide a verdict


def guess(kind: str, value, confidence: float) -> dict:
    out = fact(kind, value, low_confidence=True)
    out["confidence"] = confidence
    return out


def test_two_guesses_that_disagree_do_not_make_post_training_differ():
    """The walkthrough's case: "Pretrained Llama 3.1 base." (15%) against "The
    instruction-tuned Llama 3.1 8B." (18%) made post-training differ on guesses alone."""
    a = {"spec": LLAMA_SPEC, "facts": [guess("post_training.stage", "Pretrained base.", 0.15)]}
    b = {"spec": LLAMA_SPEC, "facts": [guess("post_training.stage", "Instruction-tuned.", 0.18)]}
    v = axes_verdict(a, b)["post_training"]
    assert v["verdict"] == "unknown", v
    assert v["missing"] == ["a", "b"]
    (row,) = v["differences"]  # mentioned, marked, not counted
    assert row["kind"] == "post_training.stage" and row["not_counted"] == "guess"
    assert row["confidence"] == 0.15
    assert "Guesses" in v["guess_note"]


def test_a_one_sided_guess_is_no_difference_next_to_agreeing_facts():
    a = {
        "facts": [
            fact("post_training.stage", "instruct"),
            guess("post_training.preference", "DPO", 0.3),
        ]
    }
    b = {"facts": [fact("post_training.stage", "instruct")]}
    v = axes_verdict(a, b)["post_training"]
    assert v["verdict"] == "same", v
    assert [d["not_counted"] for d in v["differences"]] == ["guess"]


def test_a_guess_alone_is_no_evidence_for_same_either():
    a = {"facts": [guess("product.tool_use", "tool calls", 0.4)]}
    b = {"facts": [guess("product.tool_use", "tool calls", 0.45)]}
    v = axes_verdict(a, b)["product"]
    assert v["verdict"] == "unknown" and v["missing"] == ["a", "b"]
    assert v["differences"] == []  # the same guess on both sides is listed as no difference


def test_a_guess_beside_facts_both_sides_state_alike_is_not_listed():
    """Both cards state an instruct stage and agree; one also guesses it in other words: no
    row showing the other side as "not stated" (it was listed as a guess difference)."""
    a = {
        "facts": [
            fact("post_training.stage", "instruct"),
            guess("post_training.stage", "The chat model.", 0.2),
        ]
    }
    b = {"facts": [fact("post_training.stage", "instruct")]}
    v = axes_verdict(a, b)["post_training"]
    assert v["verdict"] == "same" and v["differences"] == [], v


def test_a_guess_without_a_confidence_is_not_called_0_percent():
    a = {"facts": [fact("product.tool_use", "tools"), fact("product.rag", "RAG")]}
    b = {"facts": [fact("product.tool_use", "tools"), fact("product.rag", "RAG")]}
    b["facts"].append(fact("product.guardrails", "Llama Guard", low_confidence=True))
    del b["facts"][-1]["confidence"]
    (row,) = axes_verdict(a, b)["product"]["differences"]
    assert row["not_counted"] == "guess" and row["confidence"] is None
    from catalog.views_compare import _difference_why

    assert _difference_why(row) == "guess: does not decide the verdict"


def test_a_kind_one_side_states_and_the_other_only_guesses_is_no_difference():
    """Llama 3.1 8B's stage is a 15% guess ("Pretrained Llama 3.1 base."), Nemotron-H states
    "Base model, pretrained only": not a post-training difference (it was, before guesses were
    set apart, or with the guess taken as silence), and not "same" either."""
    a = {
        "facts": [
            guess("post_training.stage", "Pretrained Llama 3.1 base.", 0.15),
            fact("post_training.continued", "context extended to 128K"),
        ]
    }
    b = {"facts": [fact("post_training.stage", "Base model, pretrained only.")]}
    v = axes_verdict(a, b)["post_training"]
    assert v["verdict"] == "unknown" and v.get("unshared"), v
    stage = next(d for d in v["differences"] if d["kind"] == "post_training.stage")
    assert stage["not_counted"] == "guess" and stage["confidence"] == 0.15
    assert stage["a"]["value"] == "Pretrained Llama 3.1 base."  # the guess, shown beside


def test_llama_base_vs_instruct_post_training_rests_on_sourced_facts_not_guesses(
    client, demo_catalog
):
    v, sentence = pair_verdict("base_instruct")
    pt = v["post_training"]
    assert pt["verdict"] == "differs"
    stage = next(d for d in pt["differences"] if d["kind"] == "post_training.stage")
    assert stage["not_counted"] == "guess", stage  # 15% and 18%: listed, not counted
    counted = [d for d in pt["differences"] if not d.get("not_counted")]
    # what decides: the Instruct card's sourced SFT / RLHF and DPO statements
    assert {d["kind"] for d in counted} == {"post_training.sft", "post_training.preference"}
    assert sentence.startswith("These two differ in post-training and are the same in backbone")
    html = client.get("/compare/", {"models": ",".join(PAIRS["base_instruct"])}).content.decode()
    row = html.split('data-axis="post_training"', 1)[1].split("</tr>", 1)[0]
    assert 'data-testid="guess"' in row and "does not decide the verdict" in row
    csv = client.get(
        "/compare/", {"models": ",".join(PAIRS["base_instruct"]), "format": "csv"}
    ).content.decode()
    assert "guess 15%: does not decide the verdict" in csv
    # both cards' guesses: listed, and not exported as a known difference (differs empty)
    (line,) = [
        x for x in csv.splitlines() if x.startswith("verdict,post_training,post_training.stage,")
    ]
    assert line.split(",")[3] == "", line  # the "differs" column


@pytest.mark.django_db
@pytest.mark.parametrize(
    "language, note",
    [
        ("en", "inference and product are unknown for deepseek-ai/DeepSeek-V3."),
        ("de", "Inference und Product sind für deepseek-ai/DeepSeek-V3 unbekannt."),
        ("ko", "deepseek-ai/DeepSeek-V3의 inference 및 product 정보는 알 수 없습니다."),
    ],
)
def test_compare_page_names_deepseek_v3_once_for_its_unknown_axes(
    client, demo_catalog, language, note
):
    response = client.get(
        "/compare/", {"models": ",".join(PAIRS["v3_r1"])}, HTTP_ACCEPT_LANGUAGE=language
    )
    sentence = response.content.decode().split('class="verdict-sentence">', 1)[1].split("</p>")[0]
    assert sentence.endswith(note), sentence
    assert sentence.count("DeepSeek-V3") == 1
