"""Translations for strings that live in Django-free code (axes/*), and the helpers that
show them.

``axes.taxonomy``, ``axes.verdict`` and ``axes.exercise`` hold English source strings and import no
Django. ``makemessages`` only extracts literal strings, so every one of them is repeated here,
marked with ``gettext_noop``; ``tests/test_i18n.py`` checks that this list matches the taxonomy,
so a new kind cannot ship untranslated. The web layer translates them with ``gettext`` at
render time (the language of the request, not of the process).

The course keeps the four axis names (backbone, post-training, inference, product) and terms
such as GQA, MoE, RLHF and KV cache in English in every language; the translations do too.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext

# Axis titles and questions (axes.taxonomy.AXIS_TITLES / AXIS_QUESTIONS).
AXIS_TITLE_MSGIDS = [
    gettext_noop("Backbone"),
    gettext_noop("Post-training"),
    gettext_noop("Inference"),
    gettext_noop("Product"),
    gettext_noop("Context"),
]
AXIS_QUESTION_MSGIDS = [
    gettext_noop(
        "How the network is wired: everything readable from config.json and the weight shapes."
    ),
    gettext_noop(
        "What was done after pretraining to turn a next-token machine into this checkpoint."
    ),
    gettext_noop("How the model is called at run time: same weights, different behaviour."),
    gettext_noop("What the model is wrapped in: the application layer around it."),
    gettext_noop("Facts on no axis: provenance, licence, pretraining data, evaluation, hardware."),
]

# Fact-kind descriptions (axes.taxonomy.KINDS).
KIND_MSGIDS = [
    gettext_noop("Model type / architecture class"),
    gettext_noop("Dense, MoE, hybrid (attention + SSM/linear), SSM or hybrid MoE"),
    gettext_noop("Total parameter count"),
    gettext_noop("Parameters used per token (MoE)"),
    gettext_noop("Number of blocks and the per-layer mix"),
    gettext_noop("Model width, FFN width, head dim"),
    gettext_noop("MHA, GQA, MQA, MLA, sliding window, linear attention, QK-norm"),
    gettext_noop("RoPE (theta), ALiBi, NoPE, learned; scaling baked into config"),
    gettext_noop("Native maximum positions"),
    gettext_noop("Activation and shape of the feed-forward block"),
    gettext_noop("Experts (routed, shared), top-k, expert width, dense-first layers"),
    gettext_noop("Mamba / Mamba-2 / DeltaNet state size, heads, groups, conv kernel"),
    gettext_noop("RMSNorm / LayerNorm, pre/post/sandwich norm, eps"),
    gettext_noop("Vocabulary size, tied input/output embeddings"),
    gettext_noop("Multi-token-prediction modules shipped in the weights"),
    gettext_noop("Encoders wired into the weights (vision tower, audio)"),
    gettext_noop("Stored dtype and quantization of the weights"),
    gettext_noop("Base / pretrained-only, instruct, chat, reasoning variant"),
    gettext_noop("Supervised fine-tuning, instruction tuning"),
    gettext_noop("RLHF (PPO), DPO, ORPO, KTO, SimPO, RLAIF, reward models"),
    gettext_noop("GRPO, RLVR, reasoning-focused RL, verifiable rewards"),
    gettext_noop("Distilled from a teacher"),
    gettext_noop("Merged models and method (SLERP, TIES, DARE)"),
    gettext_noop("LoRA / QLoRA / adapters trained on top"),
    gettext_noop("Base model and its relation (finetune, adapter, merge, quantized)"),
    gettext_noop("Safety alignment, refusal training, red-teaming before release"),
    gettext_noop("Continued pretraining, mid-training, long-context extension"),
    gettext_noop("Thinking on/off switches, reasoning effort, thinking budgets"),
    gettext_noop("Recommended temperature, top-p, top-k, penalties, max new tokens"),
    gettext_noop("Speculative decoding, beam search, constrained decoding"),
    gettext_noop("Prompt / chat template format, special tokens"),
    gettext_noop("Enabling long context at run time, recommended max context"),
    gettext_noop("Engines and how to serve; runtime quantization; KV-cache dtype"),
    gettext_noop("Function calling, tool schemas, code interpreter, browsing"),
    gettext_noop("Agent loops, multi-step orchestration, computer use"),
    gettext_noop("Retrieval augmentation, grounding with citations"),
    gettext_noop("Required or recommended system prompts, personas"),
    gettext_noop("Safety classifiers and filters at run time"),
    gettext_noop("Conversation memory, long-term memory features"),
    gettext_noop("Intended and out-of-scope uses, target applications"),
    gettext_noop("Developer, release date, version, model name"),
    gettext_noop("Licence, gating, acceptable-use policy"),
    gettext_noop("Pretraining data, token count, knowledge cutoff, languages"),
    gettext_noop("Benchmark scores and evaluation results"),
    gettext_noop("Compute used for training, carbon"),
]

# Short labels of the fact kinds, for the reader: the fact lists, the compare tables, the
# verdict's differences, the exercise. The descriptions above are their hover text and the
# kind ids stay in the evidence, the exports and the API. tests/test_labels.py checks that every
# kind of axes.taxonomy.KINDS has one.
KIND_LABELS: dict[str, str] = {
    "backbone.family": gettext_noop("Architecture"),
    "backbone.decoder_type": gettext_noop("Decoder type"),
    "backbone.params_total": gettext_noop("Total parameters"),
    "backbone.params_active": gettext_noop("Active parameters"),
    "backbone.layers": gettext_noop("Layers"),
    "backbone.hidden_size": gettext_noop("Hidden size"),
    "backbone.attention": gettext_noop("Attention"),
    "backbone.positional": gettext_noop("Positional encoding"),
    "backbone.context_length": gettext_noop("Context length"),
    "backbone.ffn": gettext_noop("Feed-forward (FFN)"),
    "backbone.moe": gettext_noop("MoE"),
    "backbone.ssm": gettext_noop("SSM"),
    "backbone.norm": gettext_noop("Normalization"),
    "backbone.embeddings": gettext_noop("Embeddings"),
    "backbone.mtp": gettext_noop("MTP modules"),
    "backbone.modality": gettext_noop("Modalities"),
    "backbone.weights_format": gettext_noop("Weight format"),
    "post_training.stage": gettext_noop("Checkpoint variant"),
    "post_training.sft": gettext_noop("Supervised fine-tuning"),
    "post_training.preference": gettext_noop("Preference tuning (RLHF, DPO)"),
    "post_training.rl": gettext_noop("Reinforcement learning (RL)"),
    "post_training.distillation": gettext_noop("Distillation"),
    "post_training.merge": gettext_noop("Model merge"),
    "post_training.adapter": gettext_noop("Adapters (LoRA)"),
    "post_training.lineage": gettext_noop("Base model"),
    "post_training.safety": gettext_noop("Safety alignment"),
    "post_training.continued": gettext_noop("Continued pretraining"),
    "inference.reasoning_mode": gettext_noop("Reasoning mode"),
    "inference.sampling": gettext_noop("Sampling settings"),
    "inference.decoding": gettext_noop("Decoding"),
    "inference.chat_format": gettext_noop("Chat format"),
    "inference.context_runtime": gettext_noop("Context at run time"),
    "inference.serving": gettext_noop("Serving"),
    "product.tool_use": gettext_noop("Tool use"),
    "product.agent": gettext_noop("Agents"),
    "product.rag": gettext_noop("Retrieval (RAG)"),
    "product.system_prompt": gettext_noop("System prompt"),
    "product.guardrails": gettext_noop("Guardrails"),
    "product.memory": gettext_noop("Conversation memory"),
    "product.intended_use": gettext_noop("Intended use"),
    "context.provenance": gettext_noop("Provenance"),
    "context.license": gettext_noop("Licence"),
    "context.pretraining": gettext_noop("Pretraining data"),
    "context.evaluation": gettext_noop("Evaluation"),
    "context.hardware": gettext_noop("Training compute"),
}

# The parameter breakdown's components (axes.backbone.params.COMPONENTS), for the model page's
# table and chart and the compare page's; the ids stay in the hover text and the API.
COMPONENT_LABELS: dict[str, str] = {
    "embeddings": gettext_noop("Embeddings"),
    "attention": gettext_noop("Attention"),
    "dense_mlp": gettext_noop("Dense MLP"),
    "routed_experts": gettext_noop("Routed experts"),
    "router": gettext_noop("Router"),
    "shared_experts": gettext_noop("Shared experts"),
    # Mamba's SSM and the recurrent linear-attention mixers alike (RWKV's time-mix, xLSTM's
    # mLSTM, RecurrentGemma's RG-LRU): "SSM (Mamba)" misnamed them
    "ssm": gettext_noop("SSM / linear attention"),
    "norms": gettext_noop("Norms"),
    "lm_head": gettext_noop("LM head"),
    "mtp": gettext_noop("MTP modules"),
    "vision": gettext_noop("Vision tower"),
    "audio": gettext_noop("Audio encoder"),
    "other": gettext_noop("Other"),
}

# Verdict states and reasons (axes.verdict).
VERDICT_LABELS: dict[str, str] = {
    "same": gettext_noop("same"),
    "differs": gettext_noop("differs"),
    "unknown": gettext_noop("unknown"),
    "undisclosed": gettext_noop("undisclosed"),
}
VERDICT_REASON_MSGIDS = [
    gettext_noop("The vendor does not publish the backbone."),
    gettext_noop("No backbone evidence."),
    gettext_noop("The architectures differ."),
    gettext_noop("Same architecture; only the stored weight format differs."),
    gettext_noop("Same architecture; the weight files are byte-identical."),
    gettext_noop(
        "Same architecture and the same tensors (names and shapes): same tensors, different weights."
    ),
    gettext_noop("Same architecture and the same tensor names: same tensors, different weights."),
    gettext_noop("Same configuration, but the weight files hold different tensors."),
    gettext_noop("Same normalized architecture."),
    gettext_noop("The backbone facts agree."),
    gettext_noop("No evidence on this axis."),
    gettext_noop("The vendor does not publish this."),
    gettext_noop("The stated facts differ."),
    gettext_noop(
        "Same way of running them; the chat format, recommended sampling or thinking behaviour differ only "
        "because the checkpoints were post-trained differently."
    ),
    gettext_noop("The stated facts agree."),
    gettext_noop(
        "The stated facts agree; continued pretraining that only one card mentions is no "
        "difference."
    ),
    gettext_noop("No backbone fact is stated for both models."),
    gettext_noop("Nothing on this axis is stated for both models, so it cannot be compared."),
    gettext_noop(
        # xgettext:no-python-format
        "Guesses (card lines placed on this axis with under 50% confidence) are listed but do not "
        "decide the verdict."
    ),
]

# Exercise support states (axes.exercise.SUPPORT_STATES) and the Markdown labels.
SUPPORT_LABELS: dict[str, str] = {
    "sourced": gettext_noop("backed by a source"),
    "vendor_claim": gettext_noop("the vendor's word only"),
    "undisclosed": gettext_noop("undisclosed by the vendor"),
    "conflicts": gettext_noop("contradicted by a source"),
    "not_found": gettext_noop("not found"),
}


def verdict_label(state: str) -> str:
    return _(VERDICT_LABELS.get(state, state))


def support_label(state: str) -> str:
    return _(SUPPORT_LABELS.get(state, state))


def kind_label(kind: str) -> str:
    """A fact kind's short label in the reader's language ("Total parameters");
    normalized-spec keys are config names, shown as written; an unknown id as written."""
    if kind in KIND_LABELS:
        return _(KIND_LABELS[kind])
    if kind.startswith("spec."):
        return kind.removeprefix("spec.")
    if kind == "checkpoint.tensors":
        return _("Tensors in the weight files")
    return kind


def kind_hint(kind: str) -> str:
    """A kind label's hover text: what the kind covers (the taxonomy's description, translated),
    then the id for engineers; a kind outside the taxonomy (``spec.*``) shows its id."""
    from axes.taxonomy import KINDS

    return f"{_(KINDS[kind])} · {kind}" if kind in KINDS else kind


def component_label(name: str) -> str:
    """A parameter-breakdown component in the reader's language ("routed_experts" -> "Routed
    experts"); a nested or older name ("attention.q_proj") as written."""
    return _(COMPONENT_LABELS[name]) if name in COMPONENT_LABELS else name


def verdict_rows(verdict: dict[str, Any] | None, names: list[str]) -> list[dict[str, Any]]:
    """The four verdict rows for the compare page, translated: one per axis, in order."""
    from axes.taxonomy import AXIS_TITLES
    from axes.verdict import AXES

    if not verdict:
        return []
    axes = verdict.get("axes") or {}
    name_a, name_b = (list(names) + ["A", "B"])[:2]
    rows = []
    for axis in AXES:
        v = axes.get(axis) or {}
        missing = [name_a if side == "a" else name_b for side in v.get("missing") or []]
        differences = []
        for d in (v.get("differences") or [])[:8]:
            differences.append(
                {
                    "kind": d.get("kind"),
                    "title": kind_label(str(d.get("kind"))),
                    "hint": kind_hint(str(d.get("kind"))),
                    "a": d.get("a") or {},
                    "b": d.get("b") or {},
                    "attributed": d.get("attributed_to") == "post_training",
                    "not_counted": d.get("not_counted") == "one_side_only",
                    # a card line placed under 50% confidence: shown, never deciding
                    "guess": d.get("not_counted") == "guess",
                    "confidence": d.get("confidence"),
                }
            )
        rows.append(
            {
                "axis": axis,
                "title": _(AXIS_TITLES[axis]),
                "state": v.get("verdict", "unknown"),
                "label": verdict_label(v.get("verdict", "unknown")),
                "reason": " ".join(_(v[key]) for key in ("reason", "guess_note") if v.get(key)),
                "missing": missing,
                "differences": differences,
                "more": max(0, len(v.get("differences") or []) - 8),
                "weights": v.get("weights"),
            }
        )
    return rows


def exercise_labels() -> dict[str, str]:
    """Translated labels for ``axes.exercise.lesson_markdown``."""
    return {
        "scores": _("Scores"),
        "phrases": _("Phrases"),
        "on_axis": _("On the right axis"),
        "sourced": _("Backed by a source"),
        "vendor_claim": _("Vendor's word only"),
        "undisclosed": _("Undisclosed"),
        "not_found": _("Not found or contradicted"),
        "vaguest": _("Vaguest axis"),
    }


def exercise_phrase_labels() -> dict[str, str]:
    """What the page says next to each phrase, translated, for ``axes.exercise.exercise_markdown``
    (the same msgids as templates/catalog/_exercise_result.html and _phrase_support.html)."""
    return {
        "unsure": _("unsure"),
        "belongs": _("belongs to %(axis)s"),
        # the learner's words quoted, with the language's marks (German „so“)
        "quoted": _("“%(text)s”"),
        **{state: support_label(state) for state in SUPPORT_LABELS},
    }


def exercise_vaguest_sentence(result: dict[str, Any] | None, model_name: str) -> str:
    """The vaguest-axis sentence in the language of this request (the stored one may not be)."""
    from axes.exercise import vaguest_sentence

    if not result or not result.get("vaguest"):
        return ""
    return vaguest_sentence(result["vaguest"], model_name, gettext=_, ngettext=ngettext)


def exercise_model_message(result: dict[str, Any] | None, model_name: str) -> str:
    from axes.exercise import unknown_model_message

    if not result or result.get("model_known", True):
        return ""
    return unknown_model_message(
        model_name, candidates=result.get("model_candidates") or [], gettext=_
    )


def exercise_lesson_context(result: dict[str, Any] | None, model_name: str) -> dict[str, Any]:
    """What templates/catalog/_exercise_lesson.html shows, in the language of this request."""
    from axes.taxonomy import AXIS_TITLES
    from axes.verdict import AXES

    scores = (result or {}).get("scores") or {}
    return {
        "vaguest_reason": exercise_vaguest_sentence(result, model_name),
        "model_message": exercise_model_message(result, model_name),
        "score_rows": [
            {
                "axis": axis,
                "title": _(AXIS_TITLES[axis]),
                "phrases": scores[axis].get("phrases", 0),
                "on_axis": scores[axis].get("on_axis", 0),
                "sourced": scores[axis].get("sourced", 0),
                "vendor_claim": scores[axis].get("vendor_claim", 0),
                "undisclosed": scores[axis].get("undisclosed", 0),
                "unbacked": scores[axis].get("not_found", 0) + scores[axis].get("conflicts", 0),
                "axis_undisclosed": scores[axis].get("axis_undisclosed", False),
                "vaguest": axis == (result or {}).get("vaguest_axis"),
            }
            for axis in AXES
            if axis in scores
        ],
        "labels": exercise_labels(),
    }
