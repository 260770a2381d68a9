"""What an exercise phrase claims, as values per facet, and whether a model's facts agree.

A learner writes "MoE with 64 experts, 2 layers" or "greedy decoding with temperature 0". Such a
phrase is backed only when a fact *says the same thing*, and contradicted when a fact of the same
subject says something else: a fact of the same kind existing is not enough. So both sides are
read into the same small vocabulary of facets:

- categorical facets (``decoder_type``, ``attention``, ``positional``, ``decoding``, ...), each
  with its values and the words that name them;
- numeric facets (``layers``, ``attention_layers``, ``cross_attention_layers``,
  ``linear_attention_layers``, ``conv_layers``, ``ssm_layers``, ``experts``, ``kv_heads``, ``params_total``,
  ``context_tokens``, ``temperature``, ...), read from a number next to its noun, in either
  order ("32 layers", "layers: 32", "Kontextlänge 128K", "레이어 32개", "80억 개의 파라미터");
- boolean facets (``post_trained``, ``reasoning_mode``, ``sliding_window``) and open sets
  (post-training ``method``, product ``tool``, a layer ``mixer`` such as LFM2's short
  convolutions) whose values may co-occur.

The course is taught in English, Korean and German, so each facet is named in the three
languages, as the app's own pages word it (``locale/*/LC_MESSAGES/django.po``: "레이어 32개",
"KV head 8개", "32 Schichten", "8 KV-Heads", "Milliarden Parameter", "Basismodell").

A phrase's claims come from its text (negations such as "no fine-tuning" flip a claim). A number
no claim reads ("64 Attention-Köpfe" where the word was unknown) is reported by
``text_reading`` as unread, so that a phrase is never called backed on the strength of its
other parts. A fact's values come from its structured value (``config.json`` facts) or, for
prose facts, from its own value text, which may contradict; its quoted evidence may only
*support* a claim (a quote can mention other models' figures).

Pure: no Django, no network.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from axes.classify.textre import bounded

# ---------------------------------------------------------------------------------------------
# The vocabulary

# Facets whose values exclude each other: a claim of one value is contradicted by a fact holding
# only other values. Open facets (method, tool, feature) can only be found or not found.
EXCLUSIVE_FACETS = frozenset(
    {"decoder_type", "attention", "positional", "decoding", "weights", "recurrent_mixer"}
)
BOOLEAN_FACETS = frozenset({"post_trained", "reasoning_mode", "sliding_window"})
NUMERIC_FACETS = frozenset(
    {
        "layers",
        "attention_layers",
        "cross_attention_layers",
        "linear_attention_layers",
        "conv_layers",
        "ssm_layers",
        "sliding_layers",
        "layers_in",
        "nope_layers",
        "shared_experts",
        "ssm_state",
        "moe_layers",
        "experts",
        "experts_active",
        "heads",
        "kv_heads",
        "head_dim",
        "hidden_size",
        "intermediate_size",
        "vocab_size",
        "rope_theta",
        "params_total",
        "params_active",
        "context_tokens",
        "window_tokens",
        "temperature",
        "top_p",
        "top_k",
    }
)
# Facets whose numbers are decimals: everywhere else "16.384" is German for 16,384.
_DECIMAL_FACETS = frozenset({"temperature", "top_p"})
# Relative tolerance per numeric facet: parameter counts are rounded in speech ("8B" for
# 8.03e9, "3B active" for 3.35e9); layer, expert and head counts are exact ("55 layers" is
# not Zamba2's 54, though within 2%).
_EXACT = (
    "layers",
    "attention_layers",
    "cross_attention_layers",
    "linear_attention_layers",
    "conv_layers",
    "ssm_layers",
    "sliding_layers",
    "layers_in",
    "nope_layers",
    "shared_experts",
    "moe_layers",
    "experts",
    "experts_active",
)
NUMERIC_TOLERANCE: dict[str, float] = {
    "params_total": 0.15,
    "params_active": 0.15,
    **dict.fromkeys((*_EXACT, "heads", "kv_heads"), 0.0),
}
DEFAULT_TOLERANCE = 0.02

# (facet, value, pattern). Patterns are matched on lower-cased text with script-aware word
# boundaries (axes/classify/textre.py: "GQA를", "MoE이고", "RLHF로" still end the English
# term). Korean and German words are included where learners write them next to the English
# terms, as the course's translations do.
_BASE_WORDS = (
    r"\bbase (?:model|checkpoint|version|variant)\b|basis-?(?:modell|version)\b"
    r"|(?:베이스|기본) ?(?:모델|버전)"
)
_CATEGORICAL: list[tuple[str, Any, str]] = [
    (
        "decoder_type",
        "moe",
        # not "shared experts" ("no shared experts" says nothing against a MoE)
        r"\bmoe\b|mixture[- ]of[- ]experts?|(?<!shared )(?<!shared-)\bexperts?\b"
        r"|(?<!gemeinsame )(?<!gemeinsamen )(?<!geteilte )(?<!geteilten )experten"
        r"|(?<!공유 )전문가|expertenmischung",
    ),
    ("decoder_type", "dense", r"\bdense\b|\bdicht\w*|밀집"),
    ("decoder_type", "hybrid", r"\bhybrid(?:e[nrsm]?)?\b|하이브리드"),
    ("decoder_type", "ssm", r"\bssm\b|\bmamba\b|state[- ]space|zustandsraum|상태 ?공간"),
    ("attention", "gqa", r"\bgqa\b|grouped[- ]query|gruppierte\w* (?:query|abfrage)|그룹\w* ?쿼리"),
    ("attention", "mqa", r"\bmqa\b|multi[- ]query|멀티 ?쿼리"),
    ("attention", "mla", r"\bmla\b|latent attention|multi[- ]head latent|잠재 ?어텐션"),
    ("attention", "mha", r"\bmha\b|multi[- ]head attention|full multi[- ]head"),
    ("sliding_window", True, r"sliding[- ]window|\bswa\b|슬라이딩|gleitende\w* fenster"),
    # a layer mixer beside attention that the layers fact lists (LFM2's gated short
    # convolutions): found or not found, never contradicted by its absence
    (
        "mixer",
        "short_conv",
        r"\bshort[- ]?conv\w*|kurze\w* faltung\w*|(?:짧은|숏) ?(?:합성곱|컨볼루션|conv\w*)",
    ),
    # which recurrent mixer the non-attention layers are: "36 Gated DeltaNet layers" names
    # Qwen3-Next's mixer, and is contradicted on Kimi Linear (KDA) or a Mamba-2 hybrid. A plain
    # "linear attention" names none of them.
    ("recurrent_mixer", "gated_deltanet", r"\b(?:gated[- ]?)?deltanet|\bgdn\b"),
    ("recurrent_mixer", "kda", r"\bkda\b|\bkimi[- ]delta[- ]attention"),
    ("recurrent_mixer", "lightning", r"\blightning[- ]?attention"),
    ("recurrent_mixer", "rg_lru", r"\brg[- ]?lru\b"),
    ("recurrent_mixer", "mlstm", r"\bmlstm\b"),
    ("recurrent_mixer", "rwkv", r"\brwkv"),
    ("positional", "rope", r"\brope\b|rotary|rotationsposition|rotierende\w* position|회전 ?위치"),
    ("positional", "alibi", r"\balibi\b"),
    ("positional", "sinusoidal", r"\bsinusoid\w*|\bsinus\w*|사인파|정현파"),
    ("positional", "learned", r"learned (?:absolute )?position"),
    ("positional", "none", r"\bnope\b|no position(?:al)? (?:encoding|embedding)"),
    (
        "positional",
        "relative_bias",
        r"relative position(?:al)? (?:bias|encoding)|relative[- ]?positions\w*|상대 ?위치",
    ),
    ("weights", "bf16", r"\bbf16\b|bfloat16"),
    ("weights", "fp16", r"\bfp16\b|float16(?<!bfloat16)"),
    ("weights", "fp32", r"\bfp32\b|float32"),
    ("weights", "fp8", r"\bfp8\b"),
    # "4-bit" / "8-bit" name a width, not a format: int4, MXFP4 and NVFP4 are all 4-bit
    # (``WIDTHS``); "int4" names the integer format
    ("weights", "int4", r"\bint4\b|\bw4a16\b"),
    ("weights", "int8", r"\bint8\b"),
    ("weights", "4bit", r"4[- ]?bit|4 ?비트"),
    ("weights", "8bit", r"8[- ]?bit|8 ?비트"),
    ("weights", "mxfp4", r"\bmxfp4\b"),
    ("weights", "nvfp4", r"\bnvfp4\b"),
    ("weights", "awq", r"\bawq\b"),
    ("weights", "gptq", r"\bgptq\b"),
    # Post-training: whether the checkpoint was tuned at all, and by which methods. "Base
    # model: X" (German "Basismodell: X") names a lineage, not the stage of this checkpoint.
    (
        "post_trained",
        False,
        rf"(?:{_BASE_WORDS})(?!\s*[:：])|(?:only|just|purely) pre-?trained"
        r"|pre-?trained[- ]only|\bnot (?:post|fine)[- ]?(?:trained|tuned)\b"
        r"|pre-?trained\b[\w .-]{0,30}\bbase\b|(?:nur|rein) vortrainiert|사전 ?(?:학습|훈련)만",
    ),
    (
        "post_trained",
        True,
        r"\binstruct\b|instruction[- ]tun\w*|fine[- ]?tun\w*|post[- ]?train\w*|\bchat model\b"
        r"|reasoning (?:model|variant)|instruktions\w*|feinabgestimmt\w*|feinabstimmung"
        r"|nachtrainiert\w*|nachtraining|chat-modell|reasoning-modell|미세 ?조정|파인 ?튜닝"
        r"|인스트럭트|(?:지시|명령어?) ?(?:튜닝|조정)|사후 ?(?:학습|훈련)|포스트 ?트레이닝"
        r"|(?:채팅|대화형|추론) ?모델",
    ),
    (
        "method",
        "sft",
        r"\bsft\b|supervised fine[- ]?tun\w*|instruction[- ]tun\w*|überwachte\w* (?:feinabstimmung"
        r"|fine-?tuning)|instruktionstuning|지도 ?(?:학습 ?)?미세 ?조정|(?:지시|명령어?) ?튜닝",
    ),
    (
        "method",
        "rlhf",
        r"\brlhf\b|human feedback|menschliche\w* (?:feedback|rückmeldung)|(?:인간|사람)의? ?피드백",
    ),
    ("method", "rlaif", r"\brlaif\b|ai feedback|constitutional"),
    ("method", "dpo", r"\bdpo\b|direct preference"),
    ("method", "ppo", r"\bppo\b|proximal policy"),
    ("method", "grpo", r"\bgrpo\b"),
    (
        "method",
        "rlvr",
        r"\brlvr\b|verifiable reward|verifizierbare\w* belohnung|검증 ?가능한 ?보상",
    ),
    ("method", "orpo", r"\borpo\b"),
    ("method", "kto", r"\bkto\b"),
    ("method", "simpo", r"\bsimpo\b"),
    (
        "method",
        "rl",
        r"\brl\b|reinforcement[- ]learning|(?:bestärkend|verstärkend)\w* lern\w*|강화 ?학습",
    ),
    ("method", "distillation", r"distill\w*|destill\w*|증류"),
    ("method", "rejection_sampling", r"rejection sampling"),
    # Inference: how tokens are picked, and run-time reasoning controls.
    (
        "decoding",
        "greedy",
        r"\bgreedy\b|do_sample\s*[=:]?\s*false|gierige\w* dekodierung|(?:그리디|탐욕적) ?디코딩"
        r"|(?:temperatur\w*|온도)(?:는|를|은|가)?\s*(?:of|=|:|at|is|to|von|auf)?\s*0(?![.,]?\d)",
    ),
    ("decoding", "sampling", r"do_sample\s*[=:]?\s*true|\bsampling\b|\bsampled\b|샘플링"),
    ("decoding", "beam", r"beam[- ]search|beam-suche|strahlsuche|빔 ?(?:서치|탐색)"),
    (
        "reasoning_mode",
        True,
        r"\bthinking\b|\bthink\b|reasoning[- ](?:mode|modus|effort|budget|tokens)|\beffort\b"
        r"|thinking[_ -]?(?:budget|modus)|denkmodus|denkbudget|(?:추론|생각|사고|씽킹) 모드",
    ),
    # Product: the tools around the model.
    ("tool", "search", r"web search|google search|\bsearch\b|browsing|\bbrowse\b|검색|websuche"),
    (
        "tool",
        "code_execution",
        r"code (?:interpreter|execution)|python tool|코드 ?(?:실행|인터프리터)|code-interpreter",
    ),
    # "tools" is any tool use at all; a product.tool_use fact states it (see fact_values).
    ("tool", "tools", r"\btools?\b|tool[- ]call\w*|도구|werkzeug\w*|tool-nutzung"),
    (
        "tool",
        "function_calling",
        r"function[- ]call\w*|json function|funktionsaufruf\w*|함수 ?호출",
    ),
    ("tool", "computer_use", r"computer use|computer-use|컴퓨터 ?사용|computersteuerung"),
    ("tool", "file_search", r"file search|dateisuche|파일 ?검색"),
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
# Words that make the named value a denial: "no fine-tuning", "not MoE", "without RLHF";
# Korean denies after the word: "미세 조정 없이", "MoE가 아닌", "미세 조정하지 않은".
_NEGATION_BEFORE = re.compile(
    r"(?:\b(?:no|not|non|without|never|isn't|wasn't|kein\w*|nicht|ohne)\b)[\w\s-]{0,12}$"
)
_NEGATION_AFTER = re.compile(r"^\s*(?:(?:하|되)지\s*|[을를은는이가]\s*)?(?:없|않|아니|아닌|안 )")

# ---- numbers ------------------------------------------------------------------------------
# A number as written: "8,030,261,248", "8.030.261.248" (German grouping), "0.6", "0,6"; a
# single German group ("16.384") is told from a decimal by its facet (see _number).
_DIGITS = r"(\d{1,3}(?:,\d{3})+(?![\d])|\d{1,3}(?:\.\d{3}){2,}(?![\d])|\d+(?:[.,]\d+)?)"
# The scale after it: "128K", "8 billion", "8 Milliarden", "8 Mrd.", "80억", "1조", "천억".
_SCALE = (
    r"((?:[kmbt]|thousand|million|billion|trillion|tausend|millionen|milliarden|billionen)"
    r"(?![a-zäöüß])|(?:mio|mrd|bio)(?![a-zäöüß])\.?|[십백천]?[만억조])"
)
# A number that starts a word: the "4" of "MXFP4 experts", "A3B" or "Mamba-2" is no count.
_START = r"(?<![a-zäöüß\d_.,])(?<![a-z]-)"
# Each numeric form has two groups, the digits and the scale (empty when it takes none).
_SIZE = rf"{_START}{_DIGITS}\s*{_SCALE}?"
_COUNT = rf"{_START}(\d{{1,3}}(?:[.,]\d{{3}})+|\d+)()(?![.,]?\d)(?![a-zäöüß])"
_RATIO = rf"{_START}(\d+(?:[.,]\d+)?|[.,]\d+)()(?![a-zäöüß])"
_FORMS = {"size": _SIZE, "count": _COUNT, "ratio": _RATIO}

# Between a number and its noun: "32개의 레이어", "128K-Kontext", "128K tokens of context".
_GAP_BEFORE = r"\s*(?:개의?\s*|-\s*)?"
_TOKENS_BEFORE = r"(?:[- ]?(?:tokens?|토큰)(?:\s+of|의)?[- ]?\s*)?"
# Between a noun and its number: "layers: 32", "레이어 수는 32개", "Schichtanzahl 32",
# "context window of about 128K", "컨텍스트를 최대 128K", "Temperatur von 0,6".
_COUNT_WORD = r"(?:\s*(?:수|개수)|\s+(?:count|number)|-?(?:anzahl|zahl))"
_GAP_AFTER = (
    rf"{_COUNT_WORD}?(?:은|는|이|가|을|를|도)?"
    r"(?:\s*(?:[:=：~≈]|(?<![\w])(?:of|von|is|ist|are|sind|beträgt|betragen|equals|at|to|has|have|hat|haben|umfasst|umfassen|spans?"
    r"|auf|about|around|approximately|approx\.|roughly|etwa|ca\.|rund|circa|up to|bis zu"
    r"|(?:extended|extends|stretched|increased|raised|erweitert|gestreckt) (?:to|auf)"
    r"|약|최대|총)(?![\w])))*\s*"
)
_AFTER_UNIT = r"(?:\s*(?:개|tokens?|토큰))?"

# English words start a word ("n_shared_experts = 1" names no count of experts); German ones
# may end a compound ("Decoderschichten", "Modellparameter").
_LAYER = r"(?:\b(?:layers?|blocks?)|schicht(?:en)?|blöcke|레이어|층|블록)"
_LAYERS = r"(?:\b(?:layers|blocks)|schichten|blöcke|레이어|층|블록)"  # read without a colon
_HEAD = r"(?:\bheads?|köpfen?|kopf|헤드)"
_HEADS = r"(?:\bheads|köpfen?|헤드)"
_EXPERT = r"(?:experten|\bexperts?|전문가|엑스퍼트)"
_EXPERTS = r"(?:experten|\bexperts|전문가|엑스퍼트)"
_PARAM = r"(?:parameters?|\bparams?\b|파라미터|매개 ?변수)"
# "6 GQA attention layers", "4 self-attention layers": not "10 global attention layers", which
# counts only some of them
_ATTENTION = r"\b(?:(?:gqa|mha|mqa|mla)[- ])?(?:self[- ])?(?:attention|gqa|mha|mqa|mla)"
# "21 linear attention layers", "36 Gated DeltaNet layers", "21 KDA layers", "24 RWKV layers":
# not attention layers, which count softmax attention
_LINEAR = (
    r"(?:\blinear[- ]?attention|\blineare\w*[- ]attention|\b(?:gated[- ]?)?deltanet|\bgdn\b"
    r"|\bkda\b|\bkimi delta attention|\blightning[- ]?attention|\bmlstm\b|\brwkv\b"
    r"|\brg[- ]?lru\b|(?:선형|리니어) ?어텐션)"
)
# "8 cross-attention layers", "8 Cross-Attention-Layer", "크로스 어텐션 레이어 8개": Mllama's
# layers that attend to the image, not counted among its (self-)attention layers
_CROSS = r"(?:\bcross[- ]?(?:attention|attn)|kreuz[- ]?attention|(?:크로스|교차) ?어텐션)"
# "35 sliding-window layers", "33 sliding MLA layers", "슬라이딩 윈도우 레이어 35개": a count of
# the windowed attention layers, not a window of 35 tokens
_SLIDING = (
    r"(?:\bsliding(?:[- ]?window)?(?:[- ]?(?:attention|gqa|mqa|mha|mla))?|\bswa"
    r"|슬라이딩 ?(?:윈도우 ?)?(?:어텐션 ?)?)"
)
# "10 short-conv layers", "10 convolution layers", "합성곱 레이어 10개"
_CONV = r"(?:(?:\bshort[- ]?)?\bconv(?:olution(?:al|s)?|s)?\b|\bfaltungs?|합성곱 ?|컨볼루션 ?)"
# "21 layers with linear attention", "21 Layer mit linearer Attention": a count of the layers that
# carry the mixer named after "with" / "mit", not of all layers
_WITH = rf"{_LAYER}\s+(?:with|using|mit)\s+(?:an?\s+|einer?\s+)?"
_SSM = r"(?:mamba(?:[- ]?[12]\b)?|ssm)"
_ACTIVE = r"(?:active|activated|aktive[nrs]?|aktivierte[nrs]?|활성화?(?:된)?)"
# (facet, form, noun, noun read with a bare number after it). An English or German singular
# before a number is an index ("layer 5", "Schicht 3"), so a count after the noun wants the
# plural ("layers 32"), a colon ("layer: 32") or the Korean counter ("레이어 32개").
# Order matters: more specific first ("KV heads" before "heads").
_NOUNS: list[tuple[str, str, str, str]] = [
    (
        "experts_active",
        "count",
        rf"{_ACTIVE}\s*(?:routed\s+)?{_EXPERT}|{_EXPERT}\s*(?:per token|pro token|je token|토큰당)"
        r"|\bnum_experts_per_tok\b|\bexperts_per_token\b|\bmoe_topk\b",
        "",
    ),
    (
        # "1 shared expert", "2 Shared Experts", "공유 전문가 2개": the always-on experts
        "shared_experts",
        "count",
        rf"(?:\bshared|gemeinsame[nr]?|geteilte[nr]?|공유(?:된)?)[- ]?{_EXPERT}",
        rf"(?:\bshared|gemeinsame[nr]?|geteilte[nr]?|공유(?:된)?)[- ]?{_EXPERTS}",
    ),
    (
        "experts",
        "count",
        rf"(?:(?:routed|total|moe|geroutete[nr]?|라우팅된?)[- ]?)?{_EXPERT}"
        r"|\bnum_(?:local_|routed_)?experts\b|\bn_routed_experts\b",
        rf"(?:(?:routed|total|moe|geroutete[nr]?|라우팅된?)[- ]?)?{_EXPERTS}",
    ),
    (
        "kv_heads",
        "count",
        rf"(?:\bkv|key[- ]value|schlüssel-wert)[- ]?{_HEAD}|\bnum_key_value_heads\b|\bn_kv_heads\b"
        r"|\b(?:kv|query)[- ]groups?\b|kv-gruppen|\bkv ?그룹",
        rf"(?:\bkv|key[- ]value|schlüssel-wert)[- ]?{_HEADS}|\b(?:kv|query)[- ]groups\b"
        r"|kv-gruppen|\bkv ?그룹",
    ),
    (
        "head_dim",
        "count",
        r"\bhead[ _-]?(?:dim(?:ension)?|size)\b|kopfdimension|(?:head|헤드) ?차원",
        "",
    ),
    (
        "heads",
        "count",
        rf"(?:\b(?:attention|query|aufmerksamkeits)[- ]?|어텐션 ?|쿼리 ?)?{_HEAD}"
        r"|\bnum_attention_heads\b|\bn_heads\b",
        rf"(?:\b(?:attention|query|aufmerksamkeits)[- ]?|어텐션 ?|쿼리 ?)?{_HEADS}",
    ),
    (
        "linear_attention_layers",
        "count",
        rf"{_LINEAR}[- ]?{_LAYER}|{_WITH}{_LINEAR}",
        rf"{_LINEAR}[- ]?{_LAYERS}",
    ),
    ("conv_layers", "count", rf"{_CONV}[- ]?{_LAYER}|{_WITH}{_CONV}", rf"{_CONV}[- ]?{_LAYERS}"),
    (
        "cross_attention_layers",
        "count",
        rf"{_CROSS}[- ]?{_LAYER}|{_WITH}{_CROSS}",
        rf"{_CROSS}[- ]?{_LAYERS}",
    ),
    (
        # "14 NoPE layers", "14 NoPE full-attention layers": the layers without RoPE
        "nope_layers",
        "count",
        rf"\bnope[- ]?(?:(?:full|global)[- ]?)?(?:attention[- ]?)?{_LAYER}",
        rf"\bnope[- ]?(?:(?:full|global)[- ]?)?(?:attention[- ]?)?{_LAYERS}",
    ),
    (
        "sliding_layers",
        "count",
        rf"{_SLIDING}[- ]?{_LAYER}|{_WITH}(?:a\s+)?(?:sliding[- ]window|gleitende\w* fenster)",
        rf"{_SLIDING}[- ]?{_LAYERS}",
    ),
    (
        "attention_layers",
        "count",
        rf"{_ATTENTION}[- ]?{_LAYER}|어텐션 ?{_LAYER}|{_WITH}(?:softmax[- ])?{_ATTENTION}",
        rf"{_ATTENTION}[- ]?{_LAYERS}|어텐션 ?{_LAYERS}",
    ),
    (
        "ssm_layers",
        "count",
        rf"\b{_SSM}\b(?:[- ]?{_LAYER})?|{_WITH}\b{_SSM}\b",
        rf"\b(?:mamba(?:[- ]?[12]\b)?|ssm)[- ]?{_LAYERS}",
    ),
    (
        "moe_layers",
        "count",
        rf"\bmoe\b(?:[- ]?{_LAYER})?",
        rf"\bmoe[- ]?{_LAYERS}",
    ),
    (
        "layers",
        "count",
        rf"(?:\b(?:hidden|transformer|decoder)[- ]?|트랜스포머 ?)?{_LAYER}"
        r"|\bnum_hidden_layers\b|\bnum_layers\b|\bn_layers?\b|\bdepth\b",
        rf"(?:\b(?:hidden|transformer|decoder)[- ]?|트랜스포머 ?)?{_LAYERS}|\bdepth\b",
    ),
    (
        "ssm_state",
        "count",
        r"\bstate[ _-]?(?:size|dim(?:ension)?)\b|\bd_state\b|state-größe|zustandsgröße"
        r"|(?:state|상태) ?크기",
        "",
    ),
    (
        "intermediate_size",
        "count",
        r"\bintermediate[ _-]?size\b|\bffn[- ]?(?:width|size|dim(?:ension)?|breite|hidden)\b"
        r"|\bmlp[- ](?:width|hidden(?: size)?|dim(?:ension)?)\b|zwischengröße"
        r"|ffn ?(?:너비|폭|크기|차원)|중간 ?(?:크기|차원)",
        "",
    ),
    (
        "hidden_size",
        "count",
        r"\bhidden[ _-]?(?:size|dim(?:ension)?)\b|\bd_model\b|\bmodel (?:dim(?:ension)?|width)\b"
        r"|modellbreite|(?<![\w-])(?<!ffn )(?<!mlp )(?<!expert )(?:width|breite)\b"
        r"|versteckte dimension|verborgene (?:größe|dimension)|히든 ?(?:크기|사이즈|차원)"
        r"|은닉 ?(?:차원|크기)|(?:모델 ?)?너비|(?<![\w])폭|\bembedding (?:size|dim(?:ension)?)\b"
        r"|einbettungsdimension|임베딩 ?(?:차원|크기)",
        "",
    ),
    (
        "vocab_size",
        "size",
        r"\bvocab(?:ulary)?(?:[ _]size)?\b|vokabular(?:größe)?|wortschatz"
        r"|어휘(?: ?(?:크기|사전|집))?|단어 ?사전",
        "",
    ),
    (
        "rope_theta",
        "size",
        r"\brope[ _-]?(?:theta|base)\b|\btheta\b|θ|basisfrequenz|\bbase frequency\b",
        "",
    ),
    (
        "params_active",
        "size",
        rf"{_ACTIVE}[- ]?{_PARAM}|\bactive[_ ]params?\b",
        "",
    ),
    (
        "params_total",
        "size",
        rf"(?:(?:total|gesamt|총)\s*)?{_PARAM}|parameteranzahl|gesamtparameter|\bnum_parameters\b",
        "",
    ),
    # a sliding window's size is no context length: "a 4096-token sliding window"
    (
        "window_tokens",
        "size",
        r"\bsliding(?:[- _]?window)?(?:[- ]?(?:size|attention))?\b|gleitende\w* fenster"
        r"|슬라이딩 ?(?:윈도우|창)(?: ?크기)?",
        r"\bsliding[- _]?window(?:[- ]?size)?\b|gleitende\w* fenster|슬라이딩 ?(?:윈도우|창)(?: ?크기)?",
    ),
    (
        "context_tokens",
        "size",
        r"(?:\bmax(?:imum)?[ _]?)?(?:\bcontext|kontext|컨텍스트|문맥|맥락)"
        r"(?:[- ]?(?:length|window|size|länge|fenster|größe|grösse))?(?: ?(?:길이|윈도우|창|크기))?"
        r"|(?:\bmax(?:imum)?\s+)?sequence length|sequenzlänge|\bmax_position_embeddings\b"
        r"|\bmax(?:imum)? position(?:s| embeddings)?\b|시퀀스 ?길이",
        "",
    ),
    ("temperature", "ratio", r"\btemperatur(?:e)?\b|\btemp\b|온도", ""),
    ("top_p", "ratio", r"\btop[-_ ]?p\b", ""),
    ("top_k", "count", r"\btop[-_ ]?k\b", ""),
]
# Facets that may sit between the number and a "tokens" word: "128K tokens of context".
_TOKEN_FACETS = frozenset({"context_tokens", "window_tokens", "vocab_size"})
# Readings that no noun table gives: routing ("top-2", "2 per token", "토큰당 2개"), "A3B",
# "3B active", "a 128-token window"; tried before the nouns.
_SPECIAL: list[tuple[str, str]] = [
    (
        "experts_active",
        rf"\btop[- ]?(\d+)()\s*(?:routing|gating|experts?|experten|전문가)"
        rf"|{_COUNT}\s*(?:experts?\s+)?(?:are\s+|is\s+|werden\s+)?(?:routed\s+|active\s+"
        r"|activated\s+|aktiv\s+)?(?:per|pro|je)\s+token"
        rf"|{_COUNT}\s*experts?\s+(?:are\s+|is\s+)?(?:active|activated)\b"
        rf"|토큰당\s*(?:expert|전문가)?\s*{_COUNT}\s*개",
    ),
    (
        "params_active",
        rf"{_SIZE}\s*(?:parameters?\s+|params?\s+|parameter\s+|개의?\s*)?"
        r"(?:active|activated|aktiv\w*|활성)|\ba(\d+(?:\.\d+)?)(b)\b",
    ),
    (
        "window_tokens",
        rf"{_SIZE}[- ]?(?:tokens?\s+|token[- ]|토큰\s*)?(?:window|fenster|윈도우|창)\b(?!\s+(?:of|:))",
    ),
    # "a DSA indexer in 13 layers", "MoE in 45 Layern": some of the layers, not the model's
    # depth; backed by any count the layers fact lists (all of them, or one kind's)
    ("layers_in", rf"(?<![\w])(?:in|on|auf)\s+(?:den\s+)?{_COUNT}\s*{_LAYER}"),
]
# A bare size ("8B", "80억", "8 Milliarden") is a parameter count, read after the nouns had
# theirs ("active parameters: 3B" is no total).
_BARE_SIZE: list[tuple[str, str]] = [
    (
        "params_total",
        rf"(?<![x\d.,]){_DIGITS}\s*((?:b|t|billion|trillion|milliarden|billionen)(?![a-zäöüß])"
        r"|(?:mrd|bio)(?![a-zäöüß])\.?|[십백천]?[억조])(?!\s*(?:개의?\s*)?(?:tokens?|토큰))",
    ),
]


def _numeric_patterns() -> list[tuple[str, re.Pattern[str]]]:
    """The numeric readings in the order they are tried: the specials; a noun followed by a
    number with the Korean counter ("레이어 32개", unambiguous); a number before its noun; a
    noun before its number; a bare size. A span one reading takes is not read again, so in "32 layers,
    heads 8" each number goes to its own noun, never to the noun of its neighbour."""
    counter, before, after = [], [], []
    for facet, form, noun, bare in _NOUNS:
        num = _FORMS[form]
        tokens = _TOKENS_BEFORE if facet in _TOKEN_FACETS else ""
        counter.append((facet, rf"(?:{noun}){_GAP_AFTER}{num}\s*개"))
        before.append((facet, rf"{num}{_GAP_BEFORE}{tokens}(?:{noun})"))
        after.append(
            (
                facet,
                rf"(?:(?:{bare or noun}){_GAP_AFTER}|(?:{noun}){_COUNT_WORD}{_GAP_AFTER}"
                rf"|(?:{noun})\s*[:=：]\s*){num}{_AFTER_UNIT}",
            )
        )
    ordered = _SPECIAL + counter + before + after + _BARE_SIZE
    return [(facet, bounded(p)) for facet, p in ordered]


_MULTIPLIERS: dict[str, float] = {
    "k": 1e3,
    "thousand": 1e3,
    "tausend": 1e3,
    "m": 1e6,
    "million": 1e6,
    "millionen": 1e6,
    "mio": 1e6,
    "b": 1e9,
    "billion": 1e9,
    "milliarden": 1e9,
    "mrd": 1e9,
    "t": 1e12,
    "trillion": 1e12,
    "billionen": 1e12,  # German "Billion" is a trillion
    "bio": 1e12,
    "만": 1e4,
    "억": 1e8,
    "조": 1e12,
}
_KO_PREFIX = {"십": 10.0, "백": 100.0, "천": 1000.0}
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
_CATEGORICAL_RE = [(facet, value, bounded(p)) for facet, value, p in _CATEGORICAL]
_NUMERIC_RE = _numeric_patterns()

# Every number in a text, for what no claim read: not one glued to a word ("GPT-4", "Qwen2.5",
# "MXFP4", "8x7B", "4th", "16GB"), with its scale ("128K", "80억"). The number is one atomic
# group: a glued "16GB" is not backtracked into its first digit ("a single 16GB GPU" was "not
# found: 'single 1'").
_ANY_NUMBER = re.compile(
    r"(?<![A-Za-zÄÖÜäöüß\d_.,:])(?<![A-Za-z]-)((?>\d+(?:[.,]\d+)*(?::\d+)?))\s*"
    r"((?:[kmbtKMBT]|[Tt]housand|[Mm]illion|[Bb]illion|[Tt]rillion|Milliarden|Mrd|Millionen"
    r"|Mio|Billionen)(?![A-Za-zÄÖÜäöüß])|[십백천]?[만억조])?(?![A-Za-zÄÖÜäöüß])"
)
_MONTHS = (
    r"jan(?:uary|uar)?|feb(?:ruary|ruar)?|m(?:ar(?:ch)?|ärz)|apr(?:il)?|ma[iy]|jun[ei]?|jul[iy]?"
    r"|aug(?:ust)?|sep(?:t(?:ember)?)?|o[ck]t(?:ober)?|nov(?:ember)?|de[cz](?:ember)?"
)
_DATE_BEFORE = re.compile(rf"(?i:\b(?:{_MONTHS})\.?\s+(?:\d{{1,2}}\.?,?\s+)?)$")
_DATE_AFTER = re.compile(rf"^(?:\s*(?:년|월|일))|^(?i:\.?\s+(?:{_MONTHS})\b)")
# "Llama 3.1", "Qwen 2.5", "Claude Opus 4": a version after a model's name, not a claim.
_NAME_BEFORE = re.compile(
    r"(?i:\b(?:llama|qwen|gemma|mistral|mixtral|phi|claude|opus|sonnet|haiku|gpt|gemini|flash"
    r"|deepseek|mamba|falcon|yi|olmo|smollm|nemotron|granite|grok|kimi|glm|jamba|command"
    r"|version|v)\s+)$"
)
_VERSION = re.compile(r"\d{1,2}(?:\.\d{1,2})?")
# "in 2024", "seit 2023", "(2024)": a year; a bare 2048 may be a width
_YEAR = re.compile(r"(?:19[89]|20[0-4])\d")
_YEAR_BEFORE = re.compile(r"(?i:\b(?:in|im|since|seit|until|bis|from|von|ab|of)\s+|\()$")


@dataclass(frozen=True, slots=True)
class Claim:
    facet: str
    value: Any  # str for categorical, bool for boolean facets, tuple[float, ...] for numbers
    negated: bool = False
    text: str = ""  # the words it was read from, for the learner

    def to_dict(self) -> dict[str, Any]:
        value = list(self.value) if isinstance(self.value, tuple) else self.value
        return {"facet": self.facet, "value": value, "negated": self.negated, "text": self.text}


def _number(digits: str, suffix: str, facet: str = "") -> tuple[float, ...]:
    # "8,030,261,248" groups thousands; a lone comma is a decimal comma ("0,6" in German). A
    # lone point before three digits groups thousands in German ("16.384", "128.000 Tokens")
    # where the facet counts whole things and no scale follows.
    suffix = (suffix or "").lower().rstrip(".")
    grouped = re.fullmatch(r"\d{1,3}(?:,\d{3})+", digits) is not None
    dotted = re.fullmatch(r"\d{1,3}(?:\.\d{3})+", digits) is not None and (
        digits.count(".") > 1 or (facet not in _DECIMAL_FACETS and not suffix)
    )
    if grouped or dotted:
        raw = digits.replace(",", "").replace(".", "")
    else:
        raw = digits.replace(",", ".")
    try:
        value = float(raw)
    except ValueError:
        return ()
    if suffix in ("k", "m"):  # 128K is said for both 128,000 and 131,072
        binary = 1024.0 if suffix == "k" else 1024.0**2
        return (value * _MULTIPLIERS[suffix], value * binary)
    if suffix and suffix[0] in _KO_PREFIX and len(suffix) == 2:  # 천억 = 1,000 x 억
        return (value * _KO_PREFIX[suffix[0]] * _MULTIPLIERS[suffix[1]],)
    return (value * _MULTIPLIERS.get(suffix, 1.0),)


def _negated(text: str, start: int, end: int) -> bool:
    before = re.split(r"[,;.:()]", text[max(0, start - 30) : start])[-1]
    return bool(_NEGATION_BEFORE.search(before) or _NEGATION_AFTER.match(text[end : end + 8]))


def _overlaps(span: tuple[int, int], taken: list[tuple[int, int]]) -> bool:
    return any(s < span[1] and span[0] < e for s, e in taken)


def _unread_numbers(text: str, read: list[tuple[int, int]]) -> list[str]:
    """The numbers of ``text`` outside every read span, each with the word next to it ("64
    Attention-Köpfe"). Not counted: numbers glued to a word, a version after a model's name
    ("Llama 3.1"), dates and years, and a list's own numbering ("1. ...")."""
    unread: list[str] = []
    for match in _ANY_NUMBER.finditer(text):
        start, end = match.span()
        digits, scale = match.group(1), match.group(2)
        if _overlaps((start, end), read) or not digits:
            continue
        before, after = text[max(0, start - 40) : start], text[end : end + 40]
        if _DATE_BEFORE.search(before) or _DATE_AFTER.match(after):
            continue
        if not scale and _YEAR.fullmatch(digits) and _YEAR_BEFORE.search(before):
            continue
        if not scale and _NAME_BEFORE.search(before) and _VERSION.fullmatch(digits):
            continue
        if not text[:start].strip() and re.match(r"[.)]\s", after):  # "1. Dense decoder"
            continue
        # the word it counts: the next one ("64 Attention-Köpfe"), or the one before it when
        # none follows or only a counter does ("Kontextlänge 32K", "게이트 2개")
        nxt = re.match(r"\s*([^\s,;:.()]+)", after)
        counter = re.match(r"개", after)
        if nxt and not counter and not re.match(r"\d", nxt.group(1)):
            snippet = text[start : end + nxt.end()]
        else:
            prev = re.search(r"([^\s,;:()]+)\s*$", before)
            tail = end + (counter.end() if counter else 0)
            snippet = text[start - len(prev.group(0)) if prev else start : tail]
        unread.append(snippet.strip())
    return unread


# A Korean particle written onto an English term ("instruction tuning을", "GQA를", "SFT로"):
# the claim quotes the term, not the particle (``\w`` in the patterns also takes Hangul).
_KO_PARTICLE_AFTER_LATIN = re.compile(
    r"(?<=[A-Za-z0-9%)\]])(?:으로서|으로|에서|에게|까지|부터|처럼|보다|이나|이랑|하고|로서"
    r"|을|를|이|가|은|는|로|와|과|의|에|도|만|나|랑)$"
)


def _claim_text(text: str, start: int, end: int) -> str:
    """What a claim quotes of ``text[start:end]``: stripped, without a trailing particle."""
    return _KO_PARTICLE_AFTER_LATIN.sub("", text[start:end].strip())


def text_reading(text: str) -> tuple[list[Claim], list[str]]:
    """Every claim one phrase (or a fact's prose) makes, in order of appearance, and the
    numbers no claim read (see ``_unread_numbers``)."""
    claims, unread = _reading(text)
    return list(claims), list(unread)


@lru_cache(maxsize=4096)  # a fact's texts are read again for every phrase they are held to
def _reading(text: str) -> tuple[tuple[Claim, ...], tuple[str, ...]]:
    low = text.lower()
    claims: list[Claim] = []
    taken: list[tuple[int, int]] = []
    numeric: list[tuple[int, Claim]] = []
    for facet, pattern in _NUMERIC_RE if any(ch.isdigit() for ch in low) else ():
        for match in pattern.finditer(low):
            if _overlaps(match.span(), taken):
                continue
            groups = list(match.groups())
            pairs = [(groups[i], groups[i + 1]) for i in range(0, len(groups) - 1, 2)]
            digits, suffix = next(((d, s) for d, s in pairs if d), ("", ""))
            values = _number(digits, suffix or "", facet)
            if not values:
                continue
            # "parameters: 8" is no parameter count: a size wants its scale or its millions
            if facet in ("params_total", "params_active") and max(values) < 1e6:
                continue
            taken.append(match.span())
            claim_text = _claim_text(text, match.start(), match.end())
            numeric.append((match.start(), Claim(facet, values, False, claim_text)))
    claims.extend(c for _, c in sorted(numeric, key=lambda item: item[0]))
    read = list(taken)
    seen: set[tuple[str, Any, bool]] = set()
    for facet, value, pattern in _CATEGORICAL_RE:
        for match in pattern.finditer(low):
            read.append(match.span())
            negated = _negated(low, match.start(), match.end())
            if facet in BOOLEAN_FACETS and negated:
                value_read, negated = (not value), False
            else:
                value_read = value
            key = (facet, value_read, negated)
            if key in seen:
                continue
            seen.add(key)
            claims.append(
                Claim(facet, value_read, negated, _claim_text(text, match.start(), match.end()))
            )
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
    return tuple(claims), tuple(_unread_numbers(text, read))


def text_claims(text: str) -> list[Claim]:
    """Every claim one phrase (or a fact's prose) makes, in order of appearance."""
    return text_reading(text)[0]


# ---------------------------------------------------------------------------------------------
# A fact's values


def _norm_dtype(name: str) -> str | None:
    return {"bfloat16": "bf16", "float16": "fp16", "float32": "fp32", "float8": "fp8"}.get(
        name.lower()
    )


# the SSM fact's "type" (axes/backbone/facts.py) -> the recurrent_mixer value it states
_RECURRENT_MIXERS = {
    "Gated DeltaNet": "gated_deltanet",
    "Kimi Delta Attention": "kda",
    "Lightning Attention": "lightning",
    "RG-LRU": "rg_lru",
    "mLSTM": "mlstm",
    "RWKV": "rwkv",
    "Mamba": "mamba",
    "Mamba-2": "mamba",
}


# the layer summary's "8 cross-attention" (axes/backbone/layers.py ``_summary``)
_CROSS_IN_SUMMARY = re.compile(r"(\d+) cross-attention\b")


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
        put("head_dim", get("head_dim"))
        put("sliding_window", bool(get("sliding")))
        put("window_tokens", get("sliding_window"))
        cross_layers = get("cross_attention_layers")
        if isinstance(cross_layers, list):
            put("cross_attention_layers", len(cross_layers) or None)
    elif kind == "backbone.layers":
        put("layers", get("num_layers"))
        # Dory: config.json's doubled count (attention and MLP listed apart) is what it says
        put("layers", get("num_layers_listed"))
        counts = get("counts") if isinstance(get("counts"), dict) else {}
        # the blocks listed too, where the config counts fewer layers (LongCat-Flash: 28
        # decoder layers of two sublayers each, 56 blocks): "28 layers" and "56 layers" agree
        put("layers", counts.get("blocks"))
        mixers, ffns = counts.get("mixer"), counts.get("ffn")

        def count(per_layer: Any, names: tuple[str, ...]) -> int | None:
            if not isinstance(per_layer, dict):
                return None
            return sum(v for k, v in per_layer.items() if k in names and isinstance(v, int))

        # Falcon-H1's "attention+mamba2" layers hold both, as do Zamba's hybrid layers (the
        # shared attention block, then the layer's own Mamba mixer): each counts as an
        # attention and as a Mamba layer. Where such layers sit beside plain ones, the plain
        # count is a true claim too, as the summary words it: Zamba2's "45 Mamba-2 + 9 Mamba-2
        # with the shared transformer block" backs "45 Mamba-2 layers" and "54 Mamba-2 layers"
        both = count(
            mixers, ("attention+mamba2", "shared_attention+mamba", "shared_attention+mamba2")
        )
        # Mllama's pattern calls its cross-attention layers "attention"; the summary counts
        # them apart ("32 GQA + 8 cross-attention", axes/backbone/layers.py), and so do claims:
        # "8 cross-attention layers" and "32 attention layers" are true, "40 attention layers"
        # is not (the KV cache per token holds 32)
        summary = get("summary")
        cross_match = _CROSS_IN_SUMMARY.search(summary) if isinstance(summary, str) else None
        cross = int(cross_match.group(1)) if cross_match else 0
        # a config's layer pattern without them says there are none: "8 cross-attention
        # layers" about Llama is contradicted, not "not found"
        has_pattern = isinstance(mixers, dict) and bool(mixers)
        put("cross_attention_layers", cross if has_pattern else (cross or None))
        attention = count(mixers, ("attention", "sliding_attention", "mla"))
        if attention is not None and cross:
            attention = max(attention - cross, 0)
        for facet, plain in (
            ("attention_layers", attention),
            ("ssm_layers", count(mixers, ("mamba", "mamba2", "ssm"))),
        ):
            if plain is None:
                continue
            put(facet, plain + (both or 0))
            if both and plain:
                put(facet, plain)
        put("moe_layers", count(ffns, ("moe",)))
        put("linear_attention_layers", count(mixers, ("linear_attention",)))
        put("conv_layers", count(mixers, ("short_conv",)))
        put("sliding_layers", count(mixers, ("sliding_attention",)))
        for per_kind in (mixers, ffns):
            if isinstance(per_kind, dict):
                for n in per_kind.values():
                    put("layers_in", n)
        put("layers_in", get("num_layers"))
        put("layers_in", counts.get("blocks"))
        if isinstance(mixers, dict) and mixers.get("short_conv"):
            put("mixer", "short_conv")
        # attention layers only: no recurrent mixer, so "uses Gated DeltaNet" is contradicted
        # (the SSM fact names the mixer where there is one)
        if (
            isinstance(mixers, dict)
            and mixers
            and not any(
                word in str(name) for name in mixers for word in ("mamba", "linear", "ssm", "conv")
            )
        ):
            put("recurrent_mixer", "none")
    elif kind == "backbone.hidden_size":
        put("hidden_size", get("hidden_size"))
        put("intermediate_size", get("intermediate_size") or None)
        put("head_dim", get("head_dim") or None)
    elif kind == "backbone.ffn":
        put("intermediate_size", get("intermediate_size") or None)
    elif kind == "backbone.embeddings":
        put("vocab_size", get("vocab_size"))
    elif kind == "backbone.ssm":
        put("ssm_state", get("state_size"))
        put("recurrent_mixer", _RECURRENT_MIXERS.get(str(get("type") or "")))
    elif kind == "backbone.moe":
        put("decoder_type", "moe")  # experts in the config: a mixture of experts
        put("experts", get("num_experts"))
        put("experts_active", get("experts_per_token"))
        if isinstance(value, dict):  # the config's MoE fact: no shared experts listed, none
            put("shared_experts", get("num_shared_experts") or 0)
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
        put("rope_theta", get("rope_theta"))
        put("rope_theta", get("sliding_rope_theta"))  # Gemma 3's local layers: also true
        put("nope_layers", get("nope_layers"))
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


# a weight width and the formats of that width: "4-bit weights" is true of int4, MXFP4 and
# NVFP4 checkpoints; a card's bare "4-bit" does not contradict "int4"
WIDTHS: dict[str, frozenset[str]] = {
    "4bit": frozenset({"int4", "mxfp4", "nvfp4"}),
    "8bit": frozenset({"int8", "fp8"}),
}
_WIDTH_OF = {fmt: width for width, formats in WIDTHS.items() for fmt in formats}


def claim_judge(claim: Claim, own: dict[str, set[Any]], quoted: dict[str, set[Any]]) -> str:
    """agrees | contradicts | silent, for one claim against one fact's values."""
    facet = claim.facet
    mine, heard = own.get(facet, set()), quoted.get(facet, set())
    if facet == "weights" and not claim.negated:
        said = mine | heard
        if claim.value in WIDTHS and said & WIDTHS[claim.value]:
            return "agrees"
        if _WIDTH_OF.get(claim.value) in said:
            return "agrees"
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
