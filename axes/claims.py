"""What an exercise phrase claims, as values per facet, and whether a model's facts agree.

A learner writes "MoE with 64 experts, 2 layers" or "greedy decoding with temperature 0". Such a
phrase is backed only when a fact *says the same thing*, and contradicted when a fact of the same
subject says something else: a fact of the same kind existing is not enough. So both sides are
read into the same small vocabulary of facets:

- categorical facets (``decoder_type``, ``attention``, ``positional``, ``decoding``, ...), each
  with its values and the words that name them;
- numeric facets (``layers``, ``experts``, ``kv_heads``, ``params_total``, ``context_tokens``,
  ``temperature``, ...), read from a number next to its unit word;
- boolean facets (``post_trained``, ``reasoning_mode``, ``sliding_window``) and open sets
  (post-training ``method``, product ``tool``) whose values may co-occur.

A phrase's claims come from its text (negations such as "no fine-tuning" flip a claim). A fact's
values come from its structured value (``config.json`` facts) or, for prose facts, from its own
value text, which may contradict; its quoted evidence may only *support* a claim (a quote can
mention other models' figures).

Pure: no Django, no network.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

# ---------------------------------------------------------------------------------------------
# The vocabulary

# Facets whose values exclude each other: a claim of one value is contradicted by a fact holding
# only other values. Open facets (method, tool, feature) can only be found or not found.
EXCLUSIVE_FACETS = frozenset({"decoder_type", "attention", "positional", "decoding", "weights"})
BOOLEAN_FACETS = frozenset({"post_trained", "reasoning_mode", "sliding_window"})
NUMERIC_FACETS = frozenset(
    {
        "layers",
        "attention_layers",
        "experts",
        "experts_active",
        "heads",
        "kv_heads",
        "params_total",
        "params_active",
        "context_tokens",
        "window_tokens",
        "temperature",
        "top_p",
        "top_k",
    }
)
# Relative tolerance per numeric facet: parameter counts are rounded in speech ("8B" for
# 8.03e9, "3B active" for 3.35e9); layer and expert counts are exact.
NUMERIC_TOLERANCE: dict[str, float] = {"params_total": 0.15, "params_active": 0.15}
DEFAULT_TOLERANCE = 0.02

# (facet, value, pattern). Patterns are matched on lower-cased text; Korean and German words
# are included where learners write them next to the English terms.
_CATEGORICAL: list[tuple[str, Any, str]] = [
    ("decoder_type", "moe", r"\bmoe\b|mixture[- ]of[- ]experts?|\bexperts?\b|experten|전문가"),
    ("decoder_type", "dense", r"\bdense\b|\bdicht\w*|밀집"),
    ("decoder_type", "hybrid", r"\bhybrid\b|하이브리드"),
    ("decoder_type", "ssm", r"\bssm\b|\bmamba\b|state[- ]space"),
    ("attention", "gqa", r"\bgqa\b|grouped[- ]query"),
    ("attention", "mqa", r"\bmqa\b|multi[- ]query"),
    ("attention", "mla", r"\bmla\b|latent attention|multi[- ]head latent"),
    ("attention", "mha", r"\bmha\b|multi[- ]head attention|full multi[- ]head"),
    ("sliding_window", True, r"sliding[- ]window|\bswa\b|슬라이딩"),
    ("positional", "rope", r"\brope\b|rotary"),
    ("positional", "alibi", r"\balibi\b"),
    ("positional", "learned", r"learned (?:absolute )?position"),
    ("positional", "none", r"\bnope\b|no position(?:al)? (?:encoding|embedding)"),
    ("weights", "bf16", r"\bbf16\b|bfloat16"),
    ("weights", "fp16", r"\bfp16\b|float16(?<!bfloat16)"),
    ("weights", "fp32", r"\bfp32\b|float32"),
    ("weights", "fp8", r"\bfp8\b"),
    ("weights", "int4", r"\bint4\b|4[- ]?bit"),
    ("weights", "int8", r"\bint8\b|8[- ]?bit"),
    ("weights", "mxfp4", r"\bmxfp4\b"),
    ("weights", "awq", r"\bawq\b"),
    ("weights", "gptq", r"\bgptq\b"),
    # Post-training: whether the checkpoint was tuned at all, and by which methods.
    (
        "post_trained",
        False,
        r"\bbase (?:model|checkpoint|version|variant)\b|(?:only|just|purely) pre-?trained"
        r"|pre-?trained[- ]only|\bnot (?:post|fine)[- ]?(?:trained|tuned)\b|베이스 모델"
        r"|pre-?trained\b[\w .-]{0,30}\bbase\b",
    ),
    (
        "post_trained",
        True,
        r"\binstruct\b|instruction[- ]tun\w*|fine[- ]?tun\w*|post[- ]?train\w*|\bchat model\b"
        r"|reasoning (?:model|variant)",
    ),
    ("method", "sft", r"\bsft\b|supervised fine[- ]?tun\w*|instruction[- ]tun\w*"),
    ("method", "rlhf", r"\brlhf\b|human feedback"),
    ("method", "rlaif", r"\brlaif\b|ai feedback|constitutional"),
    ("method", "dpo", r"\bdpo\b|direct preference"),
    ("method", "ppo", r"\bppo\b|proximal policy"),
    ("method", "grpo", r"\bgrpo\b"),
    ("method", "rlvr", r"\brlvr\b|verifiable reward"),
    ("method", "orpo", r"\borpo\b"),
    ("method", "kto", r"\bkto\b"),
    ("method", "simpo", r"\bsimpo\b"),
    ("method", "rl", r"\brl\b|reinforcement learning"),
    ("method", "distillation", r"distill\w*|destill\w*|증류"),
    ("method", "rejection_sampling", r"rejection sampling"),
    # Inference: how tokens are picked, and run-time reasoning controls.
    (
        "decoding",
        "greedy",
        r"\bgreedy\b|do_sample\s*[=:]?\s*false|temperature\s*(?:of|=|:|at|is|to)?\s*0(?![.,]?\d)",
    ),
    ("decoding", "sampling", r"do_sample\s*[=:]?\s*true|\bsampling\b|\bsampled\b"),
    ("decoding", "beam", r"beam search"),
    (
        "reasoning_mode",
        True,
        r"\bthinking\b|\bthink\b|reasoning (?:mode|effort|budget|tokens)|\beffort\b"
        r"|thinking[_ ]?budget|추론 모드",
    ),
    # Product: the tools around the model.
    ("tool", "search", r"web search|google search|\bsearch\b|browsing|\bbrowse\b|검색|websuche"),
    ("tool", "code_execution", r"code (?:interpreter|execution)|python tool|코드 실행"),
    # "tools" is any tool use at all; a product.tool_use fact states it (see fact_values).
    ("tool", "tools", r"\btools?\b|tool[- ]call\w*|도구"),
    ("tool", "function_calling", r"function[- ]call\w*|json function"),
    ("tool", "computer_use", r"computer use|computer-use"),
    ("tool", "file_search", r"file search"),
    ("tool", "mcp", r"\bmcp\b"),
    ("tool", "memory", r"\bmemory\b|gedächtnis|메모리"),
    ("tool", "rag", r"\brag\b|retrieval"),
]
# A named method implies a broader one when claimed, never when denied: "no GRPO" is not "no RL".
_IMPLIES: dict[tuple[str, Any], tuple[str, Any]] = {
    ("method", "rlhf"): ("method", "rl"),
    ("method", "rlaif"): ("method", "rl"),
    ("method", "ppo"): ("method", "rl"),
    ("method", "grpo"): ("method", "rl"),
    ("method", "rlvr"): ("method", "rl"),
}
# Words that make the named value a denial: "no fine-tuning", "not MoE", "without RLHF".
_NEGATION_BEFORE = re.compile(
    r"(?:\b(?:no|not|non|without|never|isn't|wasn't|kein\w*|nicht|ohne)\b)[\w\s-]{0,12}$"
)
_NEGATION_AFTER = re.compile(r"^\s*(?:없|않|아니|안 )")

_DIGITS = r"(\d{1,3}(?:,\d{3})+|\d+(?:[.,]\d+)?)"  # 8,030,261,248 or 0.6 or 0,6
# a number that starts a word: the "4" of "MXFP4 experts" or "A3B" is no count of experts
_NUM = r"(?<![a-z\d_.,])" + _DIGITS + r"\s*([kmbt]|billion|million|trillion|thousand)?"
# (facet, pattern with the number in groups 1-2). Order matters: more specific first, and a
# span taken by one numeric pattern is not read again by a later one.
_NUMERIC: list[tuple[str, str]] = [
    (
        "experts_active",
        rf"top[- ]?(\d+)()\s*(?:routing|experts?)|{_NUM}\s*(?:active|activated|routed per token)"
        r"\s+experts?|(\d+)()\s*experts?\s+(?:per token|active|activated)",
    ),
    ("experts", rf"{_NUM}\s*(?:routed\s+|total\s+)?(?:experts?|experten|개의? 전문가)"),
    ("kv_heads", rf"{_NUM}\s*(?:kv|key[- ]value)[- ]heads?"),
    ("heads", rf"{_NUM}\s*(?:attention\s+|query\s+)?heads?\b"),
    # "4 attention layers" in a hybrid counts the attention blocks, not all of them
    (
        "attention_layers",
        rf"{_NUM}\s*(?:self[- ])?(?:attention|gqa|mha|mqa|mla)\s+(?:layers?|blocks?|schichten"
        r"|레이어|층)",
    ),
    (
        "layers",
        rf"{_NUM}\s*(?:hidden\s+|transformer\s+|decoder\s+)?(?:layers?|blocks?"
        r"|schichten|레이어|층)|(?:layers?|blocks?)\s*(?:[:=]|of)\s*(\d+)()",
    ),
    (
        "params_active",
        rf"{_NUM}\s*(?:parameters?\s+|params?\s+)?(?:active|activated)\b|\ba(\d+(?:\.\d+)?)(b)\b",
    ),
    # "a 128-token window" next to sliding attention is the window, not the context
    (
        "window_tokens",
        rf"{_NUM}[- ]?(?:tokens?\s+|token[- ])?(?:sliding[- ])?window\b(?!\s+(?:of|:))"
        rf"|sliding[- ]window\s*(?:of|[:=])\s*{_NUM}",
    ),
    (
        "context_tokens",
        rf"{_NUM}[- ]?(?:tokens?\s+|token[- ])?(?:context|kontext|컨텍스트)"
        rf"|context(?:\s+(?:length|window|size))?\s*(?:of|[:=])\s*{_NUM}",
    ),
    (
        "params_total",
        rf"(?<![x\d.,]){_DIGITS}\s*(b|t|billion|trillion)\b(?!\s*tokens)"
        rf"|(?<![\d.,]){_DIGITS}\s*()(?:parameters|params)\b",
    ),
    (
        "temperature",
        r"(?:temperatur\w*|\btemp)\s*(?:of|=|:|at|is|to|von)?\s*(\d+(?:[.,]\d+)?)()",
    ),
    ("top_p", r"top[-_ ]?p\s*(?:of|=|:|at)?\s*(\d*[.,]?\d+)()"),
    ("top_k", r"top[-_ ]?k\s*(?:of|=|:|at)?\s*(\d+)()"),
]
_MULTIPLIERS: dict[str, float] = {
    "k": 1e3,
    "thousand": 1e3,
    "m": 1e6,
    "million": 1e6,
    "b": 1e9,
    "billion": 1e9,
    "t": 1e12,
    "trillion": 1e12,
}
# A fact of one of these kinds says the checkpoint was tuned after pretraining (continued
# pretraining, lineage and merges do not).
POST_TRAINED_KINDS = frozenset(
    {
        "post_training.sft",
        "post_training.preference",
        "post_training.rl",
        "post_training.distillation",
        "post_training.adapter",
        "post_training.safety",
    }
)
_CATEGORICAL_RE = [(facet, value, re.compile(p)) for facet, value, p in _CATEGORICAL]
_NUMERIC_RE = [(facet, re.compile(p)) for facet, p in _NUMERIC]


@dataclass(frozen=True, slots=True)
class Claim:
    facet: str
    value: Any  # str for categorical, bool for boolean facets, tuple[float, ...] for numbers
    negated: bool = False
    text: str = ""  # the words it was read from, for the learner

    def to_dict(self) -> dict[str, Any]:
        value = list(self.value) if isinstance(self.value, tuple) else self.value
        return {"facet": self.facet, "value": value, "negated": self.negated, "text": self.text}


def _number(digits: str, suffix: str) -> tuple[float, ...]:
    # "8,030,261,248" groups thousands; a lone comma is a decimal comma ("0,6" in German).
    grouped = re.fullmatch(r"\d{1,3}(?:,\d{3})+", digits) is not None
    raw = digits.replace(",", "") if grouped else digits.replace(",", ".")
    try:
        value = float(raw)
    except ValueError:
        return ()
    suffix = (suffix or "").lower()
    if suffix in ("k", "m"):  # 128K is said for both 128,000 and 131,072
        binary = 1024.0 if suffix == "k" else 1024.0**2
        return (value * _MULTIPLIERS[suffix], value * binary)
    return (value * _MULTIPLIERS.get(suffix, 1.0),)


def _negated(text: str, start: int, end: int) -> bool:
    before = re.split(r"[,;.:()]", text[max(0, start - 30) : start])[-1]
    return bool(_NEGATION_BEFORE.search(before) or _NEGATION_AFTER.match(text[end : end + 4]))


def text_claims(text: str) -> list[Claim]:
    """Every claim one phrase (or a fact's prose) makes, in order of appearance."""
    low = text.lower()
    claims: list[Claim] = []
    taken: list[tuple[int, int]] = []
    for facet, pattern in _NUMERIC_RE:
        for match in pattern.finditer(low):
            if any(s < match.end() and match.start() < e for s, e in taken):
                continue
            groups = [g for g in match.groups()]
            pairs = [(groups[i], groups[i + 1]) for i in range(0, len(groups), 2)]
            digits, suffix = next(((d, s) for d, s in pairs if d), ("", ""))
            values = _number(digits, suffix)
            if not values:
                continue
            if (
                facet in ("params_total", "params_active")
                and not suffix
                and "param" not in match.group(0)
            ):
                continue
            taken.append(match.span())
            claims.append(Claim(facet, values, False, text[match.start() : match.end()].strip()))
    seen: set[tuple[str, Any, bool]] = set()
    for facet, value, pattern in _CATEGORICAL_RE:
        for match in pattern.finditer(low):
            negated = _negated(low, match.start(), match.end())
            if facet in BOOLEAN_FACETS and negated:
                value_read, negated = (not value), False
            else:
                value_read = value
            key = (facet, value_read, negated)
            if key in seen:
                continue
            seen.add(key)
            claims.append(Claim(facet, value_read, negated, text[match.start() : match.end()]))
    for claim in list(claims):
        implied = _IMPLIES.get((claim.facet, claim.value))
        if implied and not claim.negated and (*implied, False) not in seen:
            seen.add((*implied, False))
            claims.append(Claim(implied[0], implied[1], False, claim.text))
    # A method named as used ("SFT then DPO") also says the checkpoint was post-trained; a
    # denied one ("no RLHF") says nothing about the others.
    if any(c.facet == "method" and not c.negated for c in claims) and not any(
        c.facet == "post_trained" for c in claims
    ):
        method = next(c for c in claims if c.facet == "method" and not c.negated)
        claims.append(Claim("post_trained", True, False, method.text))
    return claims


# ---------------------------------------------------------------------------------------------
# A fact's values


def _norm_dtype(name: str) -> str | None:
    return {"bfloat16": "bf16", "float16": "fp16", "float32": "fp32", "float8": "fp8"}.get(
        name.lower()
    )


def _structured_values(kind: str, value: Any) -> dict[str, set[Any]]:
    """Facet values read off a structured (config-derived) fact value."""
    out: dict[str, set[Any]] = {}

    def put(facet: str, v: Any) -> None:
        if v is None or v == "":
            return
        if facet in NUMERIC_FACETS:
            try:
                v = float(v)
            except (TypeError, ValueError):
                return
        out.setdefault(facet, set()).add(v)

    if isinstance(value, dict):
        get = value.get
    else:

        def get(key: str, default: Any = None) -> Any:
            return default

    if kind == "backbone.decoder_type" and isinstance(value, str):
        for part in value.lower().split("_"):
            put("decoder_type", part)
        if value.lower().startswith("hybrid"):
            # a hybrid's recurrent layers are Mamba / SSM ones: "hybrid Mamba-2" is its wiring
            put("decoder_type", "ssm")
        if value.lower() == "dense":
            put("experts", 0)  # a dense model has no experts: "64 experts" is contradicted
    elif kind == "backbone.attention":
        variant = str(get("variant") or "").lower()
        if variant in ("gqa", "mqa", "mha", "mla"):
            put("attention", variant)
        put("heads", get("num_attention_heads"))
        put("kv_heads", get("num_kv_heads"))
        put("sliding_window", bool(get("sliding")))
        put("window_tokens", get("sliding_window"))
    elif kind == "backbone.layers":
        put("layers", get("num_layers"))
        mixers = (get("counts") or {}).get("mixer") if isinstance(get("counts"), dict) else None
        if isinstance(mixers, dict):
            put(
                "attention_layers",
                sum(
                    n
                    for m, n in mixers.items()
                    if m in ("attention", "sliding_attention", "mla") and isinstance(n, int)
                ),
            )
    elif kind == "backbone.moe":
        put("decoder_type", "moe")  # experts in the config: a mixture of experts
        put("experts", get("num_experts"))
        put("experts_active", get("experts_per_token"))
    elif kind == "backbone.params_total":
        put("params_total", get("total"))
    elif kind == "backbone.params_active":
        put("params_active", get("active"))
        put("params_active", get("active_excluding_input_embedding"))
    elif kind == "backbone.context_length" and isinstance(value, (int, float)):
        put("context_tokens", value)
    elif kind == "backbone.positional":
        # "rope+nope" (SmolLM3): RoPE layers and NoPE layers, each a true claim
        for part in str(get("type") or "").lower().split("+"):
            put("positional", "none" if part == "nope" else (part or None))
    elif kind == "backbone.weights_format":
        dtype = _norm_dtype(str(get("stored_dtype") or ""))
        put("weights", dtype)
        for claim in text_claims(str(get("quantization") or "")):
            if claim.facet == "weights":
                put("weights", claim.value)
    elif kind == "inference.sampling":
        for key in ("temperature", "top_p", "top_k"):
            put(key, get(key))
        if get("do_sample") is not None:
            put("decoding", "sampling" if get("do_sample") else "greedy")
    elif kind == "post_training.stage" and isinstance(value, str):
        word = value.strip().lower()
        if word in ("base", "pretrained", "pretrained-only", "base model"):
            put("post_trained", False)
        elif word in ("instruct", "chat", "reasoning", "instruction-tuned"):
            put("post_trained", True)
    elif kind == "product.tool_use" and value not in (None, "", "undisclosed"):
        put("tool", "tools")
    elif kind == "inference.context_runtime":
        put("context_tokens", get("max_context_tokens"))
        put("context_tokens", get("max_input_tokens"))
    return out


def _claims_values(text: str) -> dict[str, set[Any]]:
    out: dict[str, set[Any]] = {}
    for claim in text_claims(text):
        if claim.negated:
            continue
        values = claim.value if isinstance(claim.value, tuple) else (claim.value,)
        out.setdefault(claim.facet, set()).update(values)
    return out


def fact_values(fact: dict[str, Any]) -> tuple[dict[str, set[Any]], dict[str, set[Any]]]:
    """(own, quoted): facet values the fact states itself, and those only its quote mentions.
    Own values may contradict a phrase; quoted ones may only support it."""
    kind = str(fact.get("kind") or "")
    value = fact.get("value")
    own = _structured_values(kind, value)
    if isinstance(value, str):
        for facet, values in _claims_values(value).items():
            own.setdefault(facet, set()).update(values)
    # A fact of a feature's own kind states the feature ("thinking on by default").
    if kind == "inference.reasoning_mode":
        own.setdefault("reasoning_mode", set()).add(True)
    if kind in POST_TRAINED_KINDS:
        own.setdefault("post_trained", set()).add(True)
    quoted = _claims_values(str((fact.get("evidence") or {}).get("text") or ""))
    return own, quoted


def _numbers_agree(facet: str, claimed: tuple[float, ...], values: set[Any]) -> bool:
    tolerance = NUMERIC_TOLERANCE.get(facet, DEFAULT_TOLERANCE)
    return any(
        abs(c - float(v)) <= tolerance * max(abs(c), abs(float(v))) + 1e-9
        for c in claimed
        for v in values
    )


def claim_judge(claim: Claim, own: dict[str, set[Any]], quoted: dict[str, set[Any]]) -> str:
    """agrees | contradicts | silent, for one claim against one fact's values."""
    facet = claim.facet
    mine, heard = own.get(facet, set()), quoted.get(facet, set())
    if facet in NUMERIC_FACETS:
        assert isinstance(claim.value, tuple)
        if _numbers_agree(facet, claim.value, mine | heard):
            return "agrees"
        return "contradicts" if mine else "silent"
    present = claim.value in mine or claim.value in heard
    if claim.negated:  # "no RLHF", "not MoE"
        if claim.value in mine:
            return "contradicts"
        if facet in EXCLUSIVE_FACETS and mine:
            return "agrees"  # the fact names another value of an exclusive facet
        return "silent"
    if present:
        return "agrees"
    if facet in BOOLEAN_FACETS and mine:
        return "contradicts"  # the fact holds the opposite
    if facet in EXCLUSIVE_FACETS and mine:
        return "contradicts"
    return "silent"
