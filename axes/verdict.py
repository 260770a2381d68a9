"""Per-axis verdicts for two models: on which of the four axes do they differ?

The lesson this makes executable: DeepSeek-V3 and DeepSeek-R1 share a backbone and differ only
in post-training; Llama-3.1-8B and its Instruct sibling differ only in post-training; two base
models with different wiring (Meta-Llama-3-8B vs Nemotron-H-8B) differ in backbone.

Input: two stored analyses (``Revision.analysis``): ``facts`` (``axes.facts.Fact.to_dict()``),
optionally the normalized architecture (``spec``, or ``backbone.spec``), tensor names/shapes
(``tensors`` or ``checkpoint.tensors``, or a safetensors ``weight_map``) and file hashes
(``checkpoint.file_sha256``). Output per axis::

    {"verdict": "same" | "differs" | "unknown" | "undisclosed",
     "differences": [{"kind", "a": {"value", "evidence"}, "b": {...}, ...}],
     "reason": "plain English", "missing": ["a"|"b", ...]}

``unknown`` means one side (named in ``missing``) has no evidence on that axis, or (``missing``
empty, ``unshared`` true) both have some but no kind is stated by both, so nothing can be
compared; ``undisclosed`` means the vendor states it does not publish it (the backbone of a
closed model): a first-class state, not an empty row.

Rules, decided:
- Guesses never decide: a card line the classifier placed under 50% confidence (``is_guess``;
  the pages mark it "guess NN%") is listed as a difference row with ``not_counted: "guess"``
  and the axis gets a ``guess_note``, but only sourced facts and confident statements make an
  axis "same" or "differs"; an axis with guesses alone on a side is unknown for that side, and
  a kind one side states while the other only guesses it is listed beside the guess, not
  counted.
- Backbone: equal normalized architectures are ``same``. With tensor names/shapes on both sides
  the reason says "same tensors, different weights" (or byte-identical when file hashes match).
- Other axes: facts are grouped by kind (``facts_agree``: each side's config.json facts where
  it has them; a ``post_training.stage`` by the stage it states, base / instruct / reasoning,
  not by its wording); a kind whose values disagree, or that only one side states, is a
  difference. Except continued pretraining (``ONE_SIDED_NOT_A_DIFFERENCE``): one card
  mentioning a context extension is listed but does not make two base models differ in
  post-training; stated by both and disagreeing, it counts.
- ``same`` needs evidence on both sides: at least one kind stated by both. When every kind is
  stated by one side only (and none of them counts as a difference), the axis is ``unknown``,
  not ``same``: one side's silence is not agreement.
- When post-training differs, differences in the chat format, the recommended sampling and a
  trained-in thinking behaviour are *attributed to post-training* (the new checkpoint was trained to expect them): they are
  listed under inference but do not make inference differ. Same weights with a different
  run-time switch (thinking on/off) still differ in inference, because post-training is equal.
- The sentence says "differ only in X" only when every other axis is known to be the same; with
  an axis unknown or undisclosed it names what differs, what is the same, and what is not known.

Pure: no Django, no network. Sentences are English source strings; pass ``gettext`` to
translate them (the web layer passes Django's ``gettext`` and ``ngettext``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

AXES: tuple[str, ...] = ("backbone", "post_training", "inference", "product")
VERDICTS: tuple[str, ...] = ("same", "differs", "unknown", "undisclosed")

UNDISCLOSED = "undisclosed"

# Inference kinds that a new post-training recipe changes by itself: the chat template the
# checkpoint was fine-tuned on, the sampling values its authors tuned for it, and a thinking
# behaviour trained into it (DeepSeek-R1 always opens with <think>; V3 never does).
ATTRIBUTABLE_TO_POST_TRAINING: frozenset[str] = frozenset(
    {"inference.chat_format", "inference.sampling", "inference.reasoning_mode"}
)

# Keys of a normalized spec that name or date a repo rather than wire the network.
_SPEC_IGNORED_KEYS: frozenset[str] = frozenset(
    {
        "name",
        "repo_id",
        "source",
        "notes",
        "warnings",
        "evidence",
        "_name_or_path",
        "transformers_version",
        "bos_token_id",
        "eos_token_id",
        "pad_token_id",
    }
)

Gettext = Callable[[str], str]


Ngettext = Callable[[str, str, int], str]


def _identity(message: str) -> str:
    return message


def _plural_identity(singular: str, plural: str, n: int) -> str:
    return singular if n == 1 else plural


# ---------------------------------------------------------------------------------------------
# Reading the analyses


def _facts(analysis: Mapping[str, Any]) -> list[dict[str, Any]]:
    facts = analysis.get("facts") or []
    return [f for f in facts if isinstance(f, Mapping) and f.get("kind")]


def _all_facts_on(analysis: Mapping[str, Any], axis: str) -> list[dict[str, Any]]:
    out = []
    for fact in _facts(analysis):
        fact_axis = fact.get("axis") or str(fact["kind"]).split(".", 1)[0]
        if fact_axis == axis:
            out.append(dict(fact))
    return out


# A card line the classifier placed under this confidence is a guess (axes.classify.artifacts
# LOW_CONFIDENCE; the pages mark it "guess NN%"): listed beside the verdict, never deciding it.
GUESS_BELOW = 0.5


def is_guess(fact: Mapping[str, Any]) -> bool:
    """A fact the classifier placed with under 50% confidence: no evidence for a verdict."""
    if (fact.get("extra") or {}).get("low_confidence"):
        return True
    confidence = fact.get("confidence")
    return isinstance(confidence, int | float) and confidence < GUESS_BELOW


def _facts_on(analysis: Mapping[str, Any], axis: str) -> list[dict[str, Any]]:
    """The facts on an axis that may decide its verdict: sourced facts and confident
    statements, not guesses."""
    return [f for f in _all_facts_on(analysis, axis) if not is_guess(f)]


def _guesses_on(analysis: Mapping[str, Any], axis: str) -> list[dict[str, Any]]:
    return [f for f in _all_facts_on(analysis, axis) if is_guess(f)]


def _guess_rows(
    a: Mapping[str, Any], b: Mapping[str, Any], axis: str, listed: Iterable[str]
) -> list[dict[str, Any]]:
    """The guesses on an axis as difference rows marked ``not_counted: "guess"``: shown so a
    reader sees what the card may say, for kinds the counted rows do not already show, that
    the two sides do not both state (agreeing, or they would be listed), and where the two
    sides' guesses do not agree with each other (the same guess on both is no difference)."""
    kinds_a = _by_kind(_guesses_on(a, axis))
    kinds_b = _by_kind(_guesses_on(b, axis))
    stated = set(_by_kind(_facts_on(a, axis))) & set(_by_kind(_facts_on(b, axis)))
    rows = []
    for kind in sorted((set(kinds_a) | set(kinds_b)) - set(listed) - stated):
        fa, fb = kinds_a.get(kind, []), kinds_b.get(kind, [])
        if fa and fb and facts_agree(kind, fa, fb):
            continue
        rows.append(
            {
                "kind": kind,
                "a": _side(fa) if fa else {"value": None, "evidence": None},
                "b": _side(fb) if fb else {"value": None, "evidence": None},
                "stated_by": "both" if fa and fb else ("a" if fa else "b"),
                "not_counted": "guess",
                "confidence": _guess_confidence(fa + fb),
            }
        )
    return rows


def _guess_confidence(facts: Sequence[Mapping[str, Any]]) -> float | None:
    """The lowest confidence among guesses, None where none says one (a fact marked
    low_confidence without a figure: not "guess 0%")."""
    found = [float(f["confidence"]) for f in facts if isinstance(f.get("confidence"), int | float)]
    return min(found) if found else None


def is_undisclosed(fact: Mapping[str, Any]) -> bool:
    """A fact that records that the vendor does not publish something."""
    value = fact.get("value")
    extra = fact.get("extra") or {}
    if extra.get("state") == UNDISCLOSED:
        return True
    if isinstance(value, str) and value.strip().lower() == UNDISCLOSED:
        return True
    return isinstance(value, Mapping) and value.get("state") == UNDISCLOSED


def _spec(analysis: Mapping[str, Any]) -> dict[str, Any] | None:
    spec = analysis.get("spec")
    if isinstance(spec, Mapping) and spec:
        return dict(spec)
    backbone = analysis.get("backbone")
    if isinstance(backbone, Mapping):
        inner = backbone.get("spec")
        if isinstance(inner, Mapping) and inner:
            return dict(inner)
    return None


def _shape_of(value: Any) -> Any:
    if isinstance(value, Mapping):
        return [list(value.get("shape") or []), value.get("dtype")]
    if isinstance(value, list | tuple):
        return [list(value), None]
    return [None, None]


def _tensors(analysis: Mapping[str, Any]) -> tuple[dict[str, Any] | None, bool]:
    """Tensor name -> [shape, dtype], and whether shapes are known (False: names only)."""
    checkpoint = (
        analysis.get("checkpoint") if isinstance(analysis.get("checkpoint"), Mapping) else {}
    )
    for raw in (analysis.get("tensors"), (checkpoint or {}).get("tensors")):
        if isinstance(raw, Mapping) and raw:
            return {str(k): _shape_of(v) for k, v in raw.items()}, True
        if isinstance(raw, list) and raw and isinstance(raw[0], Mapping):
            return {str(t.get("name")): _shape_of(t) for t in raw}, True
    index = analysis.get("safetensors_index") or (checkpoint or {}).get("safetensors_index")
    if isinstance(index, Mapping) and isinstance(index.get("weight_map"), Mapping):
        return {str(k): None for k in index["weight_map"]}, False
    return None, False


def _file_hashes(analysis: Mapping[str, Any]) -> dict[str, str] | None:
    checkpoint = (
        analysis.get("checkpoint") if isinstance(analysis.get("checkpoint"), Mapping) else {}
    )
    for raw in (analysis.get("file_sha256"), (checkpoint or {}).get("file_sha256")):
        if isinstance(raw, Mapping) and raw:
            return {str(k): str(v) for k, v in raw.items()}
    return None


def _canon(value: Any) -> str:
    """A comparable form of a fact value: case and spacing do not make two values differ, nor
    does a whole number written as a float (8192 and 8192.0)."""
    if isinstance(value, str):
        return " ".join(value.lower().split())
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return json.dumps(value, sort_keys=True, default=str)


def _side(facts: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    values = [f.get("value") for f in facts]
    evidence = [f.get("evidence") for f in facts if f.get("evidence")]
    return {
        "value": values[0] if len(values) == 1 else values,
        "evidence": evidence[0] if len(evidence) == 1 else evidence,
    }


def _by_kind(facts: Iterable[Mapping[str, Any]]) -> dict[str, list[Mapping[str, Any]]]:
    out: dict[str, list[Mapping[str, Any]]] = {}
    for fact in facts:
        out.setdefault(str(fact["kind"]), []).append(fact)
    return out


# ---------------------------------------------------------------------------------------------
# Axis by axis


# ``post_training.stage`` is categorical: a checkpoint is a pretrained-only base model, an
# instruction-tuned / chat model (SFT, RLHF, DPO...), or a reasoning model. Cards word it in
# English, Korean and German (axes.classify.lexicons' stage rules); the stage, not the wording,
# is what two models share or not.
STAGES: tuple[str, ...] = ("base", "instruct", "reasoning")

# The exact one-word values extractors write (axes.claims reads the same words).
_STAGE_WORDS: dict[str, str] = {
    "base": "base",
    "base model": "base",
    "pretrained": "base",
    "pre-trained": "base",
    "pretrained-only": "base",
    "instruct": "instruct",
    "instruction-tuned": "instruct",
    "chat": "instruct",
    "reasoning": "reasoning",
}
# "pretrained only" said as a negation of tuning: a base signal that must not also read as a
# tuned one ("no post-training", "not instruction-tuned", "without fine-tuning").
_STAGE_NEGATED = re.compile(
    r"\bnot (?:been )?(?:instruction[- ]?)?(?:fine-?)?tuned\b"
    r"|\b(?:no|without(?: any)?) (?:post-?training|fine-?tuning|instruction[- ]tuning|alignment)\b"
    r"|\bnicht (?:instruktions)?(?:feinabgestimmt|nachtrainiert)\b|ohne (?:Feinabstimmung|Nachtraining)"
    r"|(?:미세 ?조정|사후 ?학습)(?:을|를)? ?(?:하지 않은|없는|없이)",
    re.IGNORECASE,
)
# A base named as the parent ("fine-tuned from the Llama 3.1 8B base", "on top of
# DeepSeek-V3-Base") says what the checkpoint came from, not what it is.
_STAGE_PARENT = re.compile(
    r"\b(?:from|on top of|upon|based on)\b(?:[^.;,]|\.(?=\d))*?\b(?:base|pre-?trained)\b(?: model| version)?",
    re.IGNORECASE,
)
_STAGE_BASE = re.compile(
    r"\bbase\b|\bpre-?trained\b|\bfoundation model\b|\bcompletion model\b"
    r"|Basis-?(?:modell|version)|vortrainiert|베이스 ?(?:모델|버전)|기본 ?(?:모델|버전)"
    r"|사전 ?학습된 ?(?:모델|버전)|사전 ?학습만",
    re.IGNORECASE,
)
_STAGE_INSTRUCT = re.compile(
    r"\binstruct|\bchat\b|\bfine-?tun(?:ed|ing)\b|\baligned\b|\bassistant\b|\bdialog(?:ue)?\b"
    r"|\bconversational\b|\bsupervised\b|\bSFT\b|\bRLHF\b|\bDPO\b|\bpost-?train(?:ed|ing)\b"
    r"|instruktionsoptimiert|Chat-Modell|feinabgestimmt|nachtrainiert|Nachtraining"
    r"|인스트럭트|지시 ?(?:튜닝|조정)|명령어 ?튜닝|채팅|대화형|미세 ?조정|사후 ?(?:학습|훈련)",
    re.IGNORECASE,
)
_STAGE_REASONING = re.compile(
    r"\breasoning (?:models?|variants?|versions?)\b|\bthinking models?\b"
    r"|Reasoning-Modell|Denkmodell|추론 ?모델",
    re.IGNORECASE,
)


def post_training_stage(value: Any) -> str | None:
    """The stage a ``post_training.stage`` value states: "base", "instruct" or "reasoning"
    (``STAGES``); None when the text names none, or both a base and a tuned stage ("a collection
    of pretrained and instruction tuned models", "Base model; see the instruct version").

    A reasoning model is instruction-tuned too; it is told apart because post-training made it
    one (DeepSeek-R1 vs the V3 chat model).
    """
    if not isinstance(value, str):
        return None
    word = value.strip().lower().rstrip(".")
    if word in _STAGE_WORDS:
        return _STAGE_WORDS[word]
    text = _STAGE_PARENT.sub(" ", value)
    negated = bool(_STAGE_NEGATED.search(text))
    text = _STAGE_NEGATED.sub(" ", text)
    base = negated or bool(_STAGE_BASE.search(text))
    reasoning = bool(_STAGE_REASONING.search(text))
    tuned = reasoning or bool(_STAGE_INSTRUCT.search(text))
    if base == tuned:
        return None  # neither, or both: not clearly one stage
    if base:
        return "base"
    return "reasoning" if reasoning else "instruct"


def _stages(facts: Sequence[Mapping[str, Any]]) -> set[str]:
    """The stages a side's stage facts state clearly (an unclear sentence next to a clear one,
    such as a release's "pretrained and instruction tuned models", adds nothing)."""
    return {s for s in (post_training_stage(f.get("value")) for f in facts) if s is not None}


# Config-read facts outrank a card's restatement of the same figure (the card may round it).
_AUTHORITATIVE_SOURCES: frozenset[str] = frozenset({"config.json", "config"})


def _authoritative(facts: Sequence[Mapping[str, Any]]) -> Sequence[Mapping[str, Any]]:
    from_config = [
        f for f in facts if (f.get("evidence") or {}).get("source") in _AUTHORITATIVE_SOURCES
    ]
    return from_config or facts


def facts_agree(
    kind: str, facts_a: Sequence[Mapping[str, Any]], facts_b: Sequence[Mapping[str, Any]]
) -> bool:
    """Whether two models' facts of one kind say the same thing: what the verdict counts as no
    difference, and what the compare page's side-by-side table marks as not ≠.

    Each side is read by its most authoritative evidence (its config.json where that states the
    kind, else every fact of the kind); values agree when they are equal as sets, ignoring case
    and spacing. ``post_training.stage`` compares the stage the sentences state
    (``post_training_stage``), not their wording. Either side without a fact: False (the
    caller decides what one side's silence means).
    """
    if not facts_a or not facts_b:
        return False
    fa, fb = _authoritative(facts_a), _authoritative(facts_b)
    if {_canon(f.get("value")) for f in fa} == {_canon(f.get("value")) for f in fb}:
        return True
    if kind == "post_training.stage":
        stages_a, stages_b = _stages(fa), _stages(fb)
        return bool(stages_a) and stages_a == stages_b
    return False


# Kinds that only one side mentioning is no difference: continued pretraining (a long-context
# extension, mid-training) continues *pre*training, and base-model cards mention it or not at
# will. Stated by both and disagreeing, it is a difference like any other.
ONE_SIDED_NOT_A_DIFFERENCE: frozenset[str] = frozenset({"post_training.continued"})


def _fact_differences(
    facts_a: Sequence[Mapping[str, Any]], facts_b: Sequence[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    kinds_a, kinds_b = _by_kind(facts_a), _by_kind(facts_b)
    differences = []
    for kind in sorted(set(kinds_a) | set(kinds_b)):
        fa, fb = kinds_a.get(kind, []), kinds_b.get(kind, [])
        if fa and fb:
            if facts_agree(kind, fa, fb):
                continue
            differences.append({"kind": kind, "a": _side(fa), "b": _side(fb), "stated_by": "both"})
        else:
            differences.append(
                {
                    "kind": kind,
                    "a": _side(fa) if fa else {"value": None, "evidence": None},
                    "b": _side(fb) if fb else {"value": None, "evidence": None},
                    "stated_by": "a" if fa else "b",
                }
            )
    return differences


def _shares_a_kind(
    facts_a: Sequence[Mapping[str, Any]], facts_b: Sequence[Mapping[str, Any]]
) -> bool:
    """Whether some kind is stated by both sides: the least a "same" verdict needs."""
    return bool(set(_by_kind(facts_a)) & set(_by_kind(facts_b)))


def _missing(facts_a: Sequence[Any], facts_b: Sequence[Any]) -> list[str]:
    return [side for side, facts in (("a", facts_a), ("b", facts_b)) if not facts]


def _undisclosed_sides(facts_a: Sequence[Any], facts_b: Sequence[Any]) -> list[str]:
    return [
        side
        for side, facts in (("a", facts_a), ("b", facts_b))
        if facts and all(is_undisclosed(f) for f in facts)
    ]


# Keys shown first: what a reader checks first when two architectures differ (the compare page
# shows the first eight differences).
_SPEC_FIRST_KEYS: tuple[str, ...] = (
    "layer_pattern",
    "num_layers",
    "family",
    "model_type",
    "attention_variant",
    # what the course teaches to read next: the position scheme (RoPE / NoPE), the FFN's
    # activation and gating (SwiGLU vs ReLU²)
    "positional",
    "hidden_act",
    "ffn_gated",
    "hidden_size",
    "intermediate_size",
    "num_attention_heads",
    "num_kv_heads",
    "head_dim",
    "num_experts",
    "experts_per_token",
    "vocab_size",
    "max_position_embeddings",
    "vision",
    "audio",
)

# An alias the UI may expect (``num_experts_per_token`` mirrors ``experts_per_token``).
_SPEC_ALIAS_KEYS: frozenset[str] = frozenset({"num_experts_per_token"})

# Keys of a normalized spec that are no concept to compare: the ones naming the repo, the
# engine's own bookkeeping (``estimated``, ``notes``) and aliases. The compare page's config
# table leaves them out too.
SPEC_NOT_COMPARED: frozenset[str] = _SPEC_IGNORED_KEYS | _SPEC_ALIAS_KEYS | {"estimated"}

# Details of a part only some architectures have. When a spec lacks the part, its details are
# defaults that mean nothing to a reader ("expert_gated: yes" on a dense model, "ssm_conv_bias:
# yes" on one without SSM layers); the part's presence is shown by num_experts, layer_pattern,
# attention_variant, positional or mtp_layers.
_MOE_DETAIL_KEYS: frozenset[str] = frozenset(
    {
        "experts_per_token",
        "expert_gated",
        "shared_expert_gated",
        "shared_expert_gate",
        "expert_bias",
        "router_bias",
        "router_scoring",
        "norm_topk_prob",
        "moe_intermediate_size",
        "moe_latent_size",
        "num_shared_experts",
        "shared_expert_intermediate_size",
        "first_k_dense",
        "moe_output_norm",
    }
)
_MLA_DETAIL_KEYS: frozenset[str] = frozenset(
    {"q_lora_rank", "kv_lora_rank", "qk_nope_head_dim", "qk_rope_head_dim", "v_head_dim"}
)
_ATTENTION_DETAIL_KEYS: frozenset[str] = frozenset(
    {
        "num_attention_heads",
        "num_kv_heads",
        "head_dim",
        "qkv_bias",
        "o_bias",
        "qk_norm",
        "attention_output_gate",
        "attention_head_gate",
        "o_proj_in",
        "attention_sinks",
        "attention_gate",
        "fused_qkv",
        "sliding_window",
    }
)
# positional details: the positional scheme ("rope", "learned", "none", "rope+nope") they need
_POSITIONAL_DETAIL_KEYS: dict[str, str] = {
    "rope_theta": "rope",
    "rope_scaling": "rope",
    "partial_rotary_factor": "rope",
    "nope_layers": "nope",
    "learned_positions": "learned",
}


def _has_part(spec: Mapping[str, Any], key: str) -> bool | None:
    """Whether a spec has a part (experts, SSM, ...); None when the spec does not say."""
    if key not in spec:
        return None
    value = spec.get(key)
    return bool(value) and value not in ("none", 0)


def spec_key_applies(key: str, spec: Mapping[str, Any]) -> bool | None:
    """Whether a normalized-spec key describes a part this spec has: False for the details of
    a part it lacks (expert flags without experts, SSM sizes without SSM layers, RoPE theta
    without RoPE, MTP block types without MTP layers), True for any other key, None when the
    spec does not say whether it has the part. ``key`` may be flattened (``rope_scaling.factor``).
    """
    key = key.split(".", 1)[0]
    if key in _POSITIONAL_DETAIL_KEYS:
        positional = spec.get("positional")
        if not isinstance(positional, str):
            return None
        return _POSITIONAL_DETAIL_KEYS[key] in positional.lower().split("+")
    if key in _MOE_DETAIL_KEYS:
        part = "num_experts"
    elif key.startswith("ssm_"):
        part = "ssm_version"
    elif key.startswith("linear_"):
        part = "linear_attention_kind"
    elif key in _MLA_DETAIL_KEYS:
        part = "kv_lora_rank"
    elif key == "mtp_block_types":
        part = "mtp_layers"
    elif key in _ATTENTION_DETAIL_KEYS:
        part = "attention_variant"
    else:
        return True
    return _has_part(spec, part)


# Differences the verdict keeps although one side lacks the part: they say how the parts
# differ ("rope_scaling: llama3 ×8" against a model without RoPE, 8 experts per token against a
# dense model, 32 attention heads against a pure SSM).
_SHOWN_AGAINST_A_MISSING_PART: frozenset[str] = (
    frozenset(_POSITIONAL_DETAIL_KEYS) | _ATTENTION_DETAIL_KEYS | {"experts_per_token"}
)


def _detail_hidden(key: str, spec_a: Mapping[str, Any], spec_b: Mapping[str, Any]) -> bool:
    if key in _SPEC_ALIAS_KEYS:
        return True
    if key in _SHOWN_AGAINST_A_MISSING_PART:
        return False
    # shown only when both sides have the part (or a side does not say)
    return spec_key_applies(key, spec_a) is False or spec_key_applies(key, spec_b) is False


def layer_pattern_summary(spec: Mapping[str, Any]) -> str | None:
    """ "32 GQA · 32 MLP" from a spec's ``layer_pattern`` (the backbone report's wording)."""
    from axes.backbone.layers import LayerSpec, block_counts, layer_section, linear_attention_label

    pattern = spec.get("layer_pattern")
    if not isinstance(pattern, list) or not pattern:
        return None
    layers = [LayerSpec(p.get("mixer"), p.get("ffn")) for p in pattern if isinstance(p, Mapping)]
    linear = linear_attention_label(spec.get("linear_attention_kind"))
    variant = str(spec.get("attention_variant") or "attention")
    # as the report words it (axes.backbone.report): Gemma 4's trailing layers that reuse K/V,
    # the MoE beside a dense MLP of Gemma 4 / LongCat-Flash / a shortcut MoE, DeepSeek-V4's
    # compressed attention
    kv_shared = spec.get("kv_shared_layers")
    compressed = spec.get("compressed_attention")
    cross = spec.get("cross_attention_layers")
    return layer_section(
        block_counts(layers),
        attention_variant=variant,
        linear_label=linear,
        kv_shared=kv_shared if type(kv_shared) is int else 0,
        moe_beside_mlp=bool(spec.get("moe_beside_mlp") or spec.get("shortcut_moe")),
        compressed=compressed if isinstance(compressed, list) else None,
        cross=len(cross) if isinstance(cross, list) else 0,
    )[1]


def _readable(key: str, value: Any, spec: Mapping[str, Any]) -> Any:
    """A spec value as a reader wants it: summaries for the structured keys, scalars as-is."""
    if value is None:
        return None
    if key == "layer_pattern":
        return layer_pattern_summary(spec) or value
    if key == "vision" and isinstance(value, Mapping):
        layers, width = value.get("num_layers"), value.get("hidden_size")
        kind = value.get("kind") or "vision"
        return f"{kind} vision tower, {layers} layers, width {width}"
    if key == "audio" and isinstance(value, Mapping):
        layers, width = value.get("num_layers"), value.get("hidden_size")
        kind = value.get("kind") or "audio"
        return f"{kind} audio encoder, {layers} layers, width {width}"
    if key == "rope_scaling" and isinstance(value, Mapping):
        kind = value.get("rope_type") or value.get("type") or "scaling"
        factor = value.get("factor")
        return f"{kind} ×{factor:g}" if isinstance(factor, int | float) else str(kind)
    if key == "sliding_mla" and isinstance(value, Mapping):  # dots3.note's sliding MLA sizes
        return " · ".join(f"{k}: {v}" for k, v in value.items())
    if key == "quantization" and isinstance(value, Mapping):
        method = value.get("method") or value.get("quant_method") or "quantized"
        bits = value.get("bits")
        return f"{method} {bits}-bit" if bits else str(method)
    return value


def spec_differences(spec_a: Mapping[str, Any], spec_b: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Keys of two normalized specs (``ArchSpec.to_dict()``) that differ, most telling first.

    Structured values are shown as a reader wants them (the layer summary, not the per-layer
    dicts); details of a part one side lacks (MoE router flags of a dense model) are left out.
    """
    keys = (set(spec_a) | set(spec_b)) - SPEC_NOT_COMPARED
    first = [k for k in _SPEC_FIRST_KEYS if k in keys]
    ordered = first + sorted(keys - set(first))
    differences = []
    for key in ordered:
        va, vb = spec_a.get(key), spec_b.get(key)
        if _canon(va) == _canon(vb) or _detail_hidden(key, spec_a, spec_b):
            continue
        ra, rb = _readable(key, va, spec_a), _readable(key, vb, spec_b)
        if key == "layer_pattern" and ra == rb and isinstance(rb, str):
            rb = f"{rb} (in another order)"
        differences.append(
            {
                "kind": f"spec.{key}",
                "a": {
                    "value": ra,
                    "evidence": {
                        "source": "normalized spec",
                        "locator": key,
                        "text": f"{key} = {ra}",
                    },
                },
                "b": {
                    "value": rb,
                    "evidence": {
                        "source": "normalized spec",
                        "locator": key,
                        "text": f"{key} = {rb}",
                    },
                },
                "stated_by": "both",
            }
        )
    return _without_restated_names(differences)


def _without_restated_names(differences: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The family named once: ``model_type`` with the same two values as ``family`` (llama ->
    nemotron_h twice) and ``architectures`` (LlamaForCausalLM -> NemotronHForCausalLM) once the
    family or type differs say nothing more, and took three of the eight rows the compare page
    shows, pushing out the activation or the position scheme."""
    by_key = {d["kind"].removeprefix("spec."): d for d in differences}

    def values(key: str) -> tuple[str, str]:
        d = by_key[key]
        return _canon(d["a"]["value"]), _canon(d["b"]["value"])

    drop = set()
    if "family" in by_key and "model_type" in by_key and values("family") == values("model_type"):
        drop.add("spec.model_type")
    if "architectures" in by_key and ("family" in by_key or "model_type" in by_key):
        drop.add("spec.architectures")
    return [d for d in differences if d["kind"] not in drop]


_spec_differences = spec_differences  # the name this module used before it was public


# Spec keys that say how the weights are stored, not how the network is wired
# (backbone.weights_format in the taxonomy).
_WEIGHT_FORMAT_KINDS: frozenset[str] = frozenset({"spec.stored_dtype", "spec.quantization"})


def _backbone_verdict(a: Mapping[str, Any], b: Mapping[str, Any]) -> dict[str, Any]:
    facts_a, facts_b = _facts_on(a, "backbone"), _facts_on(b, "backbone")
    undisclosed = _undisclosed_sides(facts_a, facts_b)
    if undisclosed:
        return {
            "verdict": "undisclosed",
            "differences": [],
            "reason": "The vendor does not publish the backbone.",
            "missing": undisclosed,
        }
    spec_a, spec_b = _spec(a), _spec(b)
    if spec_a is not None and spec_b is not None:
        differences = _spec_differences(spec_a, spec_b)
        basis = "spec"
    else:
        if not facts_a or not facts_b:
            return {
                "verdict": "unknown",
                "differences": [],
                "reason": "No backbone evidence.",
                "missing": _missing(facts_a, facts_b),
            }
        if not _shares_a_kind(facts_a, facts_b):
            # nothing stated by both: neither a difference nor agreement can be read off
            return {
                "verdict": "unknown",
                "differences": [],
                "reason": "No backbone fact is stated for both models.",
                "missing": [],
                "unshared": True,
            }
        differences = [
            d
            for d in _fact_differences(facts_a, facts_b)
            # params counted by different extractors may disagree in rounding; compare wiring.
            if d["stated_by"] == "both"
        ]
        basis = "facts"

    result: dict[str, Any] = {
        "verdict": "differs" if differences else "same",
        "differences": differences,
        "missing": [],
    }
    if differences:
        if basis == "spec" and all(d["kind"] in _WEIGHT_FORMAT_KINDS for d in differences):
            # a quantized or re-cast copy (Llama-3.1-70B vs its FP8 checkpoint): the backbone
            # axis holds the stored format too (backbone.weights_format), so it differs, but the
            # wiring is the same and "the architectures differ" would teach the wrong lesson
            result["reason"] = "Same architecture; only the stored weight format differs."
            result["weights"] = "format_only"
        else:
            result["reason"] = "The architectures differ."
        return result

    tensors_a, shapes_a = _tensors(a)
    tensors_b, shapes_b = _tensors(b)
    hashes_a, hashes_b = _file_hashes(a), _file_hashes(b)
    if hashes_a and hashes_b and hashes_a == hashes_b:
        result["reason"] = "Same architecture; the weight files are byte-identical."
        result["weights"] = "byte_identical"
    elif tensors_a is not None and tensors_b is not None and tensors_a == tensors_b:
        shapes = shapes_a and shapes_b
        result["reason"] = (
            "Same architecture and the same tensors (names and shapes): same tensors, different weights."
            if shapes
            else "Same architecture and the same tensor names: same tensors, different weights."
        )
        result["weights"] = "same_tensors"
        result["tensor_count"] = len(tensors_a)
    elif tensors_a is not None and tensors_b is not None:
        only_a = sorted(set(tensors_a) - set(tensors_b))[:5]
        only_b = sorted(set(tensors_b) - set(tensors_a))[:5]
        result["verdict"] = "differs"
        result["differences"] = [
            {
                "kind": "checkpoint.tensors",
                "a": {
                    "value": only_a,
                    "evidence": {
                        "source": "safetensors",
                        "locator": "tensor names",
                        "text": ", ".join(only_a),
                    },
                },
                "b": {
                    "value": only_b,
                    "evidence": {
                        "source": "safetensors",
                        "locator": "tensor names",
                        "text": ", ".join(only_b),
                    },
                },
                "stated_by": "both",
            }
        ]
        result["reason"] = "Same configuration, but the weight files hold different tensors."
    else:
        result["reason"] = (
            "Same normalized architecture." if basis == "spec" else "The backbone facts agree."
        )
    return result


GUESS_NOTE = (
    "Guesses (card lines placed on this axis with under 50% confidence) are listed but do not "
    "decide the verdict."
)


def _axis_verdict(
    axis: str, a: Mapping[str, Any], b: Mapping[str, Any], *, post_training: str
) -> dict[str, Any]:
    result = _axis_verdict_from_facts(axis, a, b, post_training=post_training)
    listed = {d["kind"] for d in result["differences"]}
    result["differences"] = result["differences"] + _guess_rows(a, b, axis, listed)
    if any(d.get("not_counted") == "guess" for d in result["differences"]):
        result["guess_note"] = GUESS_NOTE
    return result


def _axis_verdict_from_facts(
    axis: str, a: Mapping[str, Any], b: Mapping[str, Any], *, post_training: str
) -> dict[str, Any]:
    facts_a, facts_b = _facts_on(a, axis), _facts_on(b, axis)
    if not facts_a or not facts_b:
        return {
            "verdict": "unknown",
            "differences": [],
            "reason": "No evidence on this axis.",
            "missing": _missing(facts_a, facts_b),
        }
    undisclosed = _undisclosed_sides(facts_a, facts_b)
    if undisclosed:
        return {
            "verdict": "undisclosed",
            "differences": [],
            "reason": "The vendor does not publish this.",
            "missing": undisclosed,
        }
    differences = _fact_differences(facts_a, facts_b)
    guesses = {"a": _by_kind(_guesses_on(a, axis)), "b": _by_kind(_guesses_on(b, axis))}
    counted = []
    for difference in differences:
        attributable = axis == "inference" and difference["kind"] in ATTRIBUTABLE_TO_POST_TRAINING
        silent = {"a": "b", "b": "a"}.get(difference["stated_by"])
        guessed = guesses[silent].get(difference["kind"]) if silent else None
        if guessed:
            # the other side says something of this kind, but only as a guess: not known to
            # differ (Llama 3.1 8B's 15% "Pretrained Llama 3.1 base." against Nemotron-H's
            # stated base stage); shown with the guess beside the stated value
            difference[silent] = _side(guessed)
            difference["not_counted"] = "guess"
            difference["confidence"] = _guess_confidence(guessed)
        elif attributable and post_training == "differs":
            difference["attributed_to"] = "post_training"
        elif difference["stated_by"] != "both" and difference["kind"] in ONE_SIDED_NOT_A_DIFFERENCE:
            difference["not_counted"] = "one_side_only"
        else:
            counted.append(difference)
    if not counted and not _shares_a_kind(facts_a, facts_b):
        # Each side states only what the other does not (GPT-5's reasoning effort, a base
        # model's sampling defaults): no fact to agree on, so not "same"; what each states is
        # still listed, without crediting post-training for a gap only one side documents.
        for difference in differences:
            difference.pop("attributed_to", None)
            if difference.get("not_counted") != "guess":
                difference.pop("not_counted", None)
        return {
            "verdict": "unknown",
            "differences": differences,
            "reason": "Nothing on this axis is stated for both models, so it cannot be compared.",
            "missing": [],
            "unshared": True,
        }
    # what counts first: the compare page shows the first eight
    differences.sort(key=lambda d: bool(d.get("not_counted")))
    if counted:
        reason = "The stated facts differ."
    elif any(d.get("not_counted") == "one_side_only" for d in differences):
        reason = (
            "The stated facts agree; continued pretraining that only one card mentions is no "
            "difference."
        )
    elif any(d.get("attributed_to") for d in differences):
        reason = (
            "Same way of running them; the chat format, recommended sampling or thinking behaviour differ only "
            "because the checkpoints were post-trained differently."
        )
    else:
        reason = "The stated facts agree."
    return {
        "verdict": "differs" if counted else "same",
        "differences": differences,
        "reason": reason,
        "missing": [],
    }


def axes_verdict(a: Mapping[str, Any], b: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Verdict per axis for two stored analyses (see the module docstring for the shape)."""
    out: dict[str, dict[str, Any]] = {"backbone": _backbone_verdict(a, b)}
    out["post_training"] = _axis_verdict("post_training", a, b, post_training="same")
    post_training = out["post_training"]["verdict"]
    for axis in ("inference", "product"):
        out[axis] = _axis_verdict(axis, a, b, post_training=post_training)
    return out


# ---------------------------------------------------------------------------------------------
# The plain sentence


def _axis_labels(gettext: Gettext) -> dict[str, str]:
    """The axis names inside the sentence. The course keeps them in English in every language;
    each language writes them as its own text does: English and Korean in lower case
    ("differ only in post-training"), German with the capital of its nouns ("nur bei
    Post-Training"), as its axis headings under the sentence read."""
    return {
        "backbone": gettext("backbone"),
        "post_training": gettext("post-training"),
        "inference": gettext("inference"),
        "product": gettext("product"),
    }


def _join(items: Sequence[str], gettext: Gettext) -> str:
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    return gettext("%(items)s and %(last)s") % {"items": ", ".join(items[:-1]), "last": items[-1]}


def verdict_sentence(
    verdicts: Mapping[str, Mapping[str, Any]],
    names: Sequence[str],
    *,
    gettext: Gettext = _identity,
    ngettext: Ngettext = _plural_identity,
) -> str:
    """One plain sentence: "These two differ only in post-training." and what is not known.

    Clauses are whole translatable templates (no sentence glued from words), so Korean and
    German can order them freely; axis names stay in English as the course writes them.
    """
    name_a, name_b = (list(names) + ["A", "B"])[:2]
    labels = _axis_labels(gettext)
    differs = [labels[x] for x in AXES if verdicts.get(x, {}).get("verdict") == "differs"]
    same = [labels[x] for x in AXES if verdicts.get(x, {}).get("verdict") == "same"]
    # "only" and "not on any axis" claim something about every axis: they need every other axis
    # known. With one unknown or undisclosed, say what differs and what is the same instead.
    all_known = len(differs) + len(same) == len(AXES)
    if all_known and not differs:
        main = gettext("These two do not differ on any of the four axes")
    elif all_known and len(differs) == 1:
        main = gettext("These two differ only in %(axis)s") % {"axis": differs[0]}
    elif differs and same and not all_known:
        main = gettext("These two differ in %(differs)s and are the same in %(same)s") % {
            "differs": _join(differs, gettext),
            "same": _join(same, gettext),
        }
    elif differs:
        main = gettext("These two differ in %(axes)s") % {"axes": _join(differs, gettext)}
    elif same:
        main = gettext("These two are the same in %(axes)s") % {"axes": _join(same, gettext)}
    else:
        main = gettext("No axis has evidence on both sides to compare")

    # One note per state and model, naming every axis it holds for: "inference and product
    # are unknown for DeepSeek-V3", not the same clause once per axis. Each note is one
    # ngettext template (singular/plural verb), so Korean and German word it whole.
    groups: dict[tuple[str, str], list[str]] = {}
    for axis in AXES:
        verdict = verdicts.get(axis, {})
        state = verdict.get("verdict")
        if state not in ("unknown", "undisclosed"):
            continue
        sides = set(verdict.get("missing") or [])
        if state == "unknown" and verdict.get("unshared"):
            key = ("unshared", "")
        else:
            both = sides >= {"a", "b"} or not sides
            key = (str(state), "both" if both else ("a" if sides == {"a"} else "b"))
        groups.setdefault(key, []).append(labels[axis])
    notes: list[str] = []
    for (state, who), axes in groups.items():
        n = len(axes)
        values = {"axes": _join(axes, gettext), "who": name_a if who == "a" else name_b}
        if state == "unshared":
            template = ngettext(
                "%(axes)s cannot be compared: no fact is stated for both",
                "%(axes)s cannot be compared: no fact is stated for both",
                n,
            )
        elif state == "unknown" and who == "both":
            template = ngettext("%(axes)s is unknown for both", "%(axes)s are unknown for both", n)
        elif state == "unknown":
            template = ngettext(
                "%(axes)s is unknown for %(who)s", "%(axes)s are unknown for %(who)s", n
            )
        elif who == "both":
            template = ngettext(
                "%(axes)s is undisclosed for both", "%(axes)s are undisclosed for both", n
            )
        else:
            template = ngettext(
                "%(axes)s is undisclosed for %(who)s", "%(axes)s are undisclosed for %(who)s", n
            )
        notes.append(template % values)
    if not notes:
        return gettext("%(main)s.") % {"main": main}
    return gettext("%(main)s; %(notes)s.") % {"main": main, "notes": gettext("; ").join(notes)}
