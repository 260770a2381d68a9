"""Fact kinds per axis: the contract of ../shared/axes/TAXONOMY.md, as data.

Descriptions are plain English source strings; the web layer translates them (they are marked
for translation there, not here, so this module stays free of Django).
"""

from __future__ import annotations

AXIS_TITLES: dict[str, str] = {
    "backbone": "Backbone",
    "post_training": "Post-training",
    "inference": "Inference",
    "product": "Product",
    "context": "Context",
}

AXIS_QUESTIONS: dict[str, str] = {
    "backbone": "How the network is wired: everything readable from config.json and the weight shapes.",
    "post_training": "What was done after pretraining to turn a next-token machine into this checkpoint.",
    "inference": "How the model is called at run time: same weights, different behaviour.",
    "product": "What the model is wrapped in: the application layer around it.",
    "context": "Facts on no axis: provenance, licence, pretraining data, evaluation, hardware.",
}

KINDS: dict[str, str] = {
    # backbone
    "backbone.family": "Model type / architecture class",
    "backbone.decoder_type": "Dense, MoE, hybrid (attention + SSM/linear), SSM or hybrid MoE",
    "backbone.params_total": "Total parameter count",
    "backbone.params_active": "Parameters used per token (MoE)",
    "backbone.layers": "Number of blocks and the per-layer mix",
    "backbone.hidden_size": "Model width, FFN width, head dim",
    "backbone.attention": "MHA, GQA, MQA, MLA, sliding window, linear attention, QK-norm",
    "backbone.positional": "RoPE (theta), ALiBi, NoPE, learned; scaling baked into config",
    "backbone.context_length": "Native maximum positions",
    "backbone.ffn": "Activation and shape of the feed-forward block",
    "backbone.moe": "Experts (routed, shared), top-k, expert width, dense-first layers",
    "backbone.ssm": "Mamba / Mamba-2 / DeltaNet state size, heads, groups, conv kernel",
    "backbone.norm": "RMSNorm / LayerNorm, pre/post/sandwich norm, eps",
    "backbone.embeddings": "Vocabulary size, tied input/output embeddings",
    "backbone.mtp": "Multi-token-prediction modules shipped in the weights",
    "backbone.modality": "Encoders wired into the weights (vision tower, audio)",
    "backbone.weights_format": "Stored dtype and quantization of the weights",
    # post-training
    "post_training.stage": "Base / pretrained-only, instruct, chat, reasoning variant",
    "post_training.sft": "Supervised fine-tuning, instruction tuning",
    "post_training.preference": "RLHF (PPO), DPO, ORPO, KTO, SimPO, RLAIF, reward models",
    "post_training.rl": "GRPO, RLVR, reasoning-focused RL, verifiable rewards",
    "post_training.distillation": "Distilled from a teacher",
    "post_training.merge": "Merged models and method (SLERP, TIES, DARE)",
    "post_training.adapter": "LoRA / QLoRA / adapters trained on top",
    "post_training.lineage": "Base model and its relation (finetune, adapter, merge, quantized)",
    "post_training.safety": "Safety alignment, refusal training, red-teaming before release",
    "post_training.continued": "Continued pretraining, mid-training, long-context extension",
    # inference
    "inference.reasoning_mode": "Thinking on/off switches, reasoning effort, thinking budgets",
    "inference.sampling": "Recommended temperature, top-p, top-k, penalties, max new tokens",
    "inference.decoding": "Speculative decoding, beam search, constrained decoding",
    "inference.chat_format": "Prompt / chat template format, special tokens",
    "inference.context_runtime": "Enabling long context at run time, recommended max context",
    "inference.serving": "Engines and how to serve; runtime quantization; KV-cache dtype",
    # product
    "product.tool_use": "Function calling, tool schemas, code interpreter, browsing",
    "product.agent": "Agent loops, multi-step orchestration, computer use",
    "product.rag": "Retrieval augmentation, grounding with citations",
    "product.system_prompt": "Required or recommended system prompts, personas",
    "product.guardrails": "Safety classifiers and filters at run time",
    "product.memory": "Conversation memory, long-term memory features",
    "product.intended_use": "Intended and out-of-scope uses, target applications",
    # context
    "context.provenance": "Developer, release date, version, model name",
    "context.license": "Licence, gating, acceptable-use policy",
    "context.pretraining": "Pretraining data, token count, knowledge cutoff, languages",
    "context.evaluation": "Benchmark scores and evaluation results",
    "context.hardware": "Compute used for training, carbon",
}


def axis_of(kind: str) -> str:
    """The axis a kind belongs to ("backbone.moe" -> "backbone")."""
    axis = kind.split(".", 1)[0]
    if axis not in AXIS_TITLES:
        raise ValueError(f"unknown kind {kind!r}")
    return axis


def kinds_on(axis: str) -> list[str]:
    return [k for k in KINDS if k.startswith(axis + ".")]
