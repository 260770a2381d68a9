"""The bundled demo catalog's summaries (catalog/demo/*.json, closed/*.json) and the closed
models' fact values (Mechanic's words about what a vendor documents, closed/*.json), repeated
for ``makemessages``: the web pages show them in the visitor's language. ``tests/test_i18n.py``
checks that every bundled summary is listed here, ``tests/test_closed_models.py`` every closed
fact value in Mechanic's words, so a new or edited one cannot ship untranslated. A text not listed (an upload, a Hub model) is shown as written; the
vendors' quoted evidence lines are quotes and stay as written."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext, gettext_noop

DEMO_SUMMARY_MSGIDS = frozenset(
    (
        gettext_noop(
            "Small dense decoder with GQA and NoPE on every fourth layer; dual-mode reasoning, 64K context (128K with YaRN)."
        ),
        gettext_noop(
            "MoE with 128 experts, 8 active per token (~3.4B active of 30.5B); thinking and non-thinking modes."
        ),
        gettext_noop(
            "Reasoning model trained with large-scale RL on DeepSeek-V3-Base: the same config.json as DeepSeek-V3."
        ),
        gettext_noop(
            "671B-parameter MoE (~37.6B active) with Multi-head Latent Attention, one MTP module, FP8 weights."
        ),
        gettext_noop(
            "Multimodal (SigLIP vision tower) decoder with 5 local (1024-token window) : 1 global attention layers, 128K context."
        ),
        gettext_noop(
            "Llama 3.1 8B Instruct with weights quantized to 4-bit AWQ (group size 128); same network shape."
        ),
        gettext_noop(
            "The largest dense Llama: 126 layers, width 16,384, GQA with 8 KV heads, 128K context."
        ),
        gettext_noop(
            "Instruction-tuned Llama 3.1 8B: same backbone as the base model, different post-training."
        ),
        gettext_noop(
            "Dense decoder with GQA; same width as Llama 3 8B, context stretched to 128K with llama3 RoPE scaling."
        ),
        gettext_noop(
            "Dense decoder, 32 layers, GQA with 8 KV heads, 8K context; the base model of the Llama 3 release."
        ),
        gettext_noop(
            "Sparse mixture of experts: 8 experts per layer, 2 routed per token, GQA, 32K context."
        ),
        gettext_noop(
            "Hybrid Mamba-2 + MoE + attention: 23 Mamba-2, 23 MoE and 6 GQA attention layers; ~3.6B active of ~31.6B."
        ),
        gettext_noop(
            "Hybrid Mamba-2/Transformer: 52 layers, of which only 4 are self-attention; the rest Mamba-2 and MLP."
        ),
        gettext_noop(
            "MoE with 32 experts (4 per token), alternating 128-token sliding and full attention with sinks, MXFP4 expert weights."
        ),
        gettext_noop(
            "Pure selective state-space model: 64 Mamba blocks, no attention at all, state size 16."
        ),
        gettext_noop(
            "Anthropic's Opus model released July 24, 2026 (legacy since Claude Opus 5.5). Weights and architecture are not published."
        ),
        gettext_noop(
            "Google's Gemini 2.5 Pro reasoning model (gemini-2.5-pro). Weights and parameter count are not published."
        ),
        gettext_noop(
            "OpenAI's GPT-5 (released August 7, 2025): in ChatGPT a routed system of several models, in the API the reasoning model. Weights and architecture are not published."
        ),
    )
)


# The closed models' fact values: Mechanic's summary of a vendor page (the quoted line is the
# fact's evidence). Product and API names (effort levels, thinkingBudget, model ids) stay as the
# vendor spells them.
CLOSED_VALUE_MSGIDS = frozenset(
    (
        # anthropic--claude-opus-5.json
        gettext_noop("thinking on by default (adaptive)"),
        gettext_noop("effort levels: low, medium, high, xhigh, max"),
        gettext_noop("computer use: screenshot, mouse and keyboard control of a desktop"),
        gettext_noop("computer use tool supported for claude-opus-5"),
        gettext_noop("complex agentic coding and enterprise work"),
        gettext_noop("legacy"),
        gettext_noop("step-change improvement over Claude Opus 4.8"),
        # google--gemini-2.5-pro.json
        gettext_noop("thinking on by default; thinkingBudget parameter"),
        gettext_noop("function calling, structured output, Google Search, code execution"),
        gettext_noop("most advanced reasoning Gemini model, for complex problems"),
        # openai--gpt-5.json
        gettext_noop("trained with reinforcement learning to perform reasoning"),
        gettext_noop("trained on real-world coding tasks with early testers"),
        gettext_noop("reasoning.effort parameter"),
        gettext_noop("ChatGPT: real-time router between a fast model and a deeper reasoning model"),
        gettext_noop(
            "built-in tools (web search, file search), function calling, remote MCP servers"
        ),
        gettext_noop("chains dozens of tool calls in sequence and in parallel"),
        gettext_noop("the reasoning model (gpt-5-thinking in the system card)"),
        gettext_noop("SWE-bench Verified 74.9%, Aider polyglot 88%"),
    )
)


def closed_value_l10n(value: Any) -> Any:
    """A closed model's fact value in the active language: a listed text translated, a dict's
    listed texts translated (``{"status": "legacy"}``), anything else as it is."""
    if isinstance(value, str):
        return gettext(value) if value in CLOSED_VALUE_MSGIDS else value
    if isinstance(value, dict):
        return {k: closed_value_l10n(v) if isinstance(v, str) else v for k, v in value.items()}
    return value


def summary_l10n(summary: Any) -> str:
    """A catalog summary in the active language when it is one of the bundled ones."""
    text = str(summary or "")
    return gettext(text) if text in DEMO_SUMMARY_MSGIDS else text
