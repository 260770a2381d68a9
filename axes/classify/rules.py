"""Hand-written rules for the clear cases: a lexicon of phrases that name one fact kind.

Each rule is (kind, pattern, confidence). All rules are tried; the highest confidence wins and,
at equal confidence, the earlier rule. Order and confidence encode the taxonomy's hard cases
(TAXONOMY.md, "Hard cases, decided"): serving commands outrank the reasoning words they carry,
"load in 4-bit" is serving not weights format, YaRN to add at run time is not the native
context length, temperature inside an evaluation protocol is evaluation.

The rules see the statement text only (plus, for table rows, the header row). A rule that fires
with confidence < 0.75 is a hint that the learned model may overrule (see ``predict.py``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from axes.classify.lexicons import GERMAN_RULES, KOREAN_RULES
from axes.classify.textre import bounded

_F = re.IGNORECASE

_NUM = r"\d+(?:[.,]\d+)?"
_SIZE = rf"{_NUM}\s*(?:[BMT]\b|billion|million|trillion)"


@dataclass(frozen=True, slots=True)
class Rule:
    kind: str  # "axis.kind" or "none"
    pattern: re.Pattern[str]
    confidence: float
    name: str


def _r(kind: str, pattern: str, confidence: float, name: str = "", flags: int = _F) -> Rule:
    # ``\b`` is compiled script-aware: "RLHF와" and "GQA를" still end the English term
    return Rule(kind, bounded(pattern, flags), confidence, name or kind)


RULES: list[Rule] = [
    # ---- context: licence, provenance, evaluation, pretraining, hardware -------------------
    _r("context.license", r"^\s*licen[sc]e(_name|_link)?\s*:", 0.98, "license_yaml"),
    _r(
        "context.license",
        # "gated" is access gating ("gated model"), not a gated block: "gated attention",
        # "Gated DeltaNet", "gated MLP" are architecture
        r"\blicen[sc]e[ds]?\b|terms of use|acceptable use policy|copyleft|commercial use"
        r"|\bgated\b(?![- ]?(?:attention|delta|deltanet|linear|mlp|ffn|feed[- ]?forward|units?"
        r"|activation|moe|experts?|mixer|norm|rmsnorm|conv|ssm|swiglu|geglu|glu|output|query"
        r"|heads?|residual|recurren|레이어|어텐션|layers?))",
        0.8,
    ),
    _r(
        "context.provenance",
        r"\b(developed by|developers?\b\s*[:*]|model developer|release date|released? on|model created|model date|model dates|version)\b",
        0.7,
    ),
    _r(
        "context.evaluation",
        r"\b(MMLU|GSM-?8K|HumanEval|MBPP|MATH-?500|AIME|GPQA|SWE-?bench|LiveCodeBench|BFCL|Arena-?Hard|IFEval|HellaSwag|ARC-[CE]|WinoGrande|TruthfulQA|BBH|MT-?Bench|AlpacaEval|pass@\d|CyberSecEval|AgentDojo)\b",
        0.85,
        "benchmark_names",
    ),
    _r(
        "context.evaluation",
        r"\b(benchmarks?|evaluation results?|outperform(s|ed|ing)?|achieves? (a )?(score|performance)|scores? of|state[- ]of[- ]the[- ]art (results|performance)|competitive (with|to)|comparable to|leaderboard|decontaminat)",
        0.72,
    ),
    _r("context.evaluation", r"\b(evaluat(ed|ion|ions)|assessed)\b", 0.55),
    _r(
        "context.pretraining",
        rf"(pre-?train(ed|ing)?|trained)\b[^.]*\b{_SIZE}\s*(?:[\w-]+\s+){{0,4}}tokens|{_SIZE}\s*(?:[\w-]+\s+){{0,4}}tokens[^.]*(pre-?train|corpus|data)",
        0.9,
        "pretraining_tokens",
    ),
    _r(
        "context.pretraining",
        r"knowledge cut-?off|cut-?off date|data freshness|pre-?training (data|corpus|dataset|mixture)|training tokens|(pre-?trained|trained) on (the )?\w+ (dataset|corpus)|web (data|crawl)|common ?crawl|\bdolma\b|supported languages",
        0.82,
    ),
    _r(
        "context.pretraining",
        r"\b(CSAM|data (filtering|preprocessing|preparation)|personal information filtering|deduplicat)",
        0.75,
    ),
    _r(
        "context.hardware",
        r"\b(GPU[- ]hours?|carbon|CO2|emissions|tCO2eq|TDP|super ?computing|compute cluster|training (cluster|infrastructure|hardware)|trained (using|on) [^.]*(TPU|GPU|H100|H800|A100)s?|TPUv?\d|mixed precision training|FP8 training)\b",
        0.85,
    ),
    _r(
        "context.hardware",
        r"^\s*[-*|]?\s*\**\s*(GPUs?|Hardware|Training time)\**\s*[:|]",
        0.85,
        "hardware_field",
    ),
    # ---- backbone -----------------------------------------------------------------------
    _r(
        "backbone.params_active",
        rf"{_SIZE}\s*(activated|active)\b|\bactive param|activated param|(?<![-\w])A\d+(\.\d+)?B\b|activated (for|per) (each )?token",
        0.9,
    ),
    _r(
        "backbone.params_total",
        rf"{_SIZE}\s*(total\s*|model\s*)?(param|parameter)|(number of|#|total)\s*param(eter|aters?)s?|parameters?\s*[:|]\s*{_NUM}|{_SIZE} in total|{_SIZE} total|\bsizes?\b[^.]*{_NUM}\s*B\b|{_SIZE} (parameter|param)",
        0.85,
    ),
    _r(
        "backbone.context_length",
        r"(context (length|window|size)|sequence length|max(imum)? (sequence|context|position)|max_position_embeddings|trained on [^.]*(sequences|context)|long context window)[^.]*?\d+\s*[kK]?|\b\d+[kK]\s*(token\s*)?context|(?<![\d,])\d[\d,]*+ tokens? context"
        r"|\bcontext\s*[:=]?\s*\d+\s*[kKmM]\b",
        0.78,
    ),
    _r(
        "backbone.context_length",
        r"(?<![\d,.])\d[\d,.]*+\s*[kK]?\s*(tokens )?natively|config\.?json[^.]*(set|configured) (for|to)|default `?max_position_embeddings",
        0.86,
    ),
    _r(
        "backbone.attention",
        r"\b(GQA|MQA|MLA|grouped[- ]query|multi[- ]query|multi-head latent|latent attention|sliding[- ]window|local[- /]global|attention heads?|KV heads?|key-value heads|QK[- ]?norm|attention sinks?|QKV bias|linear attention|head size|\d+ (query )?heads|heads?\s*[:=]?\s*\d+)\b",
        0.85,
    ),
    _r(
        "backbone.positional",
        r"\b(RoPE|rotary|ALiBi|NoPE|rope_theta|position(al)? (embedding|encoding)s?)\b",
        0.8,
    ),
    _r(
        "backbone.moe",
        r"\b(number of (activated |routed |shared )?experts|\d+ (routed |shared |activated )?experts|experts? (per token|routing|width)|top-?k (routing|experts)|moe top-?k|router|load[- ]balanc|shared experts?|routed experts?|DeepSeekMoE)\b",
        0.85,
    ),
    _r("backbone.moe", r"\bmoe top-?k\b|experts? top-?k", 0.92, "moe_topk"),
    _r(
        "backbone.decoder_type",
        r"\b(mixture[- ]of[- ]experts|sparse moe|\bMoE\b|dense (decoder|transformer|model)|hybrid (mamba|model architecture|architecture|ssm)|mamba-transformer|architecture type)",
        0.75,
    ),
    _r(
        "backbone.layers",
        r"\b(number of (hidden )?layers|\d+ layers|layers?\s*[:|]\s*\d+|layers\s+\d+\b|(mamba-?2?|attention|mlp) layers)",
        0.8,
    ),
    _r(
        "backbone.hidden_size",
        r"\b(hidden (size|dim(ension)?)|embedding (size|dim)|d_model|head dim|intermediate size|mlp hidden)",
        0.85,
    ),
    _r(
        "backbone.ffn",
        r"\b(SwiGLU|GeGLU|GeLU|ReLU²|squared relu|activation function|MLP activation|hidden_act)\b",
        0.85,
    ),
    _r(
        "backbone.norm",
        r"\b(RMSNorm|LayerNorm|layer norm|pre-?norm|post-?norm|sandwich norm)\b",
        0.85,
    ),
    _r(
        "backbone.embeddings",
        r"\b(vocab(ulary)?( size)?|tied (input|output|word)? ?embeddings?|shared input/output embeddings|tie_word_embeddings|tokenizer with)\b",
        0.78,
    ),
    _r("backbone.mtp", r"\b(multi-token prediction|MTP (module|layer|objective|weights))", 0.85),
    _r(
        "backbone.modality",
        r"\b(vision (encoder|tower)|image encoder|SigLIP|ViT|audio encoder|speech encoder|multimodal (version|model|input)|images?,? (normalized|encoded|resolution)|input modalities)\b",
        0.78,
    ),
    _r(
        "backbone.weights_format",
        r"\b((FP8|BF16|FP16|INT4|INT8|MXFP4|NVFP4) (versions?|weights|checkpoints?|quantization|quantized)|fine-grained `?fp8|block size of \d+|MXFP4|AWQ|GPTQ|GGUF|bitsandbytes-?quantized|int4|int8 weights|dtype\s*[:=]|torch_dtype|bfloat16|\bBF16 weights|safetensors|(checkpoint|weights) (format|files?)|sharded|split into [^.]*files)\b",
        0.8,
    ),
    _r(
        "backbone.family",
        r"\b(decoder-only|auto-?regressive language model|transformer architecture|network architecture|model_type|architecture\s*:)",
        0.7,
    ),
    # ---- post-training --------------------------------------------------------------------
    _r("post_training.lineage", r"^\s*-?\s*base_model(_relation)?\s*:", 0.97, "base_model_yaml"),
    _r(
        "post_training.lineage",
        r"\b(fine-?tuned (version )?(from|of)|finetuned from|fine-tuned version of|trained (based )?(on|from) [^.]*-?base\b|trained from|based on [^.]*(base|instruct)\b|built (on top of|upon)|quantized (version )?(of|from)|base models?\s*[:*])",
        0.8,
    ),
    _r(
        "post_training.merge",
        r"\b(merge(d|s)?|mergekit|SLERP|TIES|DARE|model soup|merge_method|layer_range)\b",
        0.88,
    ),
    _r(
        "post_training.adapter",
        r"\b(LoRA|QLoRA|lora_(alpha|r|rank|dropout)|PEFT|adapters?)\b",
        0.88,
    ),
    _r(
        "post_training.rl",
        r"\b(GRPO|RLVR|verifiable rewards?|reinforcement learning|large-scale RL|RL (stage|training|phase)s?|\bRL\b)",
        0.8,
    ),
    _r(
        "post_training.preference",
        r"\b(RLHF|RLAIF|human feedback|DPO|ORPO|KTO|SimPO|APO|PPO|reward model|preference (optimi[sz]ation|data|tuning|alignment|mix)|human preferences?)\b",
        0.86,
    ),
    _r(
        "post_training.distillation",
        # a teacher: training data generated by a named model (a name with a version or a
        # hyphen: "DeepSeek-R1", "GPT-4o"), not any "outputs generated by" or an institution
        r"\b(distill(ed|ation|ing)?|teacher model|(data|samples|examples|traces|responses|"
        r"completions|answers) generated (by|with|from) (the )?[A-Z][\w.]*[-\d][\w.-]*)",
        0.84,
    ),
    _r(
        "post_training.safety",
        r"\b(red[- ]?team(ing|ed)?|safety (fine-?tuning|training|alignment|mitigations?|post-training|data)|refusals?|uplift testing|adversarial (prompts|evaluations|testing)|safety risks|aligned [^.]*safety)\b",
        0.84,
    ),
    _r(
        "post_training.continued",
        r"\b(continued pre-?training|continual pre-?training|mid-?training|further pre-?train|long[- ]context extension|domain[- ]adaptive)",
        0.88,
    ),
    _r(
        "post_training.sft",
        r"\b(supervised fine-?tuning|SFT|instruction (fine-?)?tun(ing|ed) (on|with|data)|fine-?tuning data|fine-?tuned on|finetuned (on|using)|cold-start data|synthetic (data|examples)|training (data|dataset)|full[- ]parameter fine-?tune|instruct(ion)? datasets?)\b",
        0.8,
    ),
    _r(
        "post_training.stage",
        r"\b(instruction[- ]tuned (version|model|variant)s?|(pre-?trained|base) (model|version|variant)s?|completion model|reasoning models?|chat model|training stage|instruct (model|version)|pretrained and instruction tuned)\b",
        0.72,
    ),
    # ---- inference ------------------------------------------------------------------------
    _r(
        "inference.serving",
        r"^\s*[$>+]?\s*(vllm serve|python3? -m (vllm|sglang)|ollama (run|pull)|llama-(cli|server)|mistral-chat|docker run|lmstudio)\b",
        0.97,
        "serve_command",
    ),
    _r(
        "inference.serving",
        r"\b(vLLM|SGLang|TGI|text-generation-inference|llama\.cpp|Ollama|LM Studio|TensorRT(-LLM)?|mistral-inference|NeMo|MLX|ExLlama|tensor[- ]parallel(ism)?|pipeline parallel|load_in_(4|8)bit|BitsAndBytesConfig|load in (4|8)-?bit|flash[- _]?attention|device_map|cpu-offload|KV[- ]cache|runtime engine|inference engine|deploy(ment|ed|ing)?|single (\w+ )?(GPU|RTX|H100|A100)|\d+ ?GB (of )?(RAM|VRAM|memory)|on-device|consumer hardware|local(ly)? (deployment|inference)|trust_remote_code|from_pretrained|install [^.]*transformers|Inference API|serv(e|ing) the model|(FP8|BF16|FP16|INT8) inference|(full|half) precision)\b|pipeline\(|transformers ?[<>=]|float16` precision",
        0.82,
    ),
    _r(
        "inference.reasoning_mode",
        r"(enable_thinking|/(no_?)?think\b|<think>|</think>|<thinking>|thinking mode|non-thinking|thinking (budget|content|capabilit)|reasoning (effort|level|mode)\b|\bReasoning: (low|medium|high)|chain-of-thought (block|section)|reasoning (chain|process)|DeepThink|extended thinking|think carefully)",
        0.86,
    ),
    _r(
        "inference.sampling",
        r"\b(temperature|top[_ -]?p|topp|top[_ -]?k|topk|min[_ -]?p|minp|repetition[_ ]penalty|presence[_ ]penalty|frequency[_ ]penalty|max_new_tokens|max_tokens|do_sample|greedy|output length|sampling parameters)\b",
        0.88,
    ),
    _r(
        "context.evaluation",
        r"(benchmarks? (requiring|that require)|to estimate pass@|evaluation (setting|protocol)|for (all )?(evaluations?|benchmarks))[^.]*(temperature|top-?p|sampl)",
        0.95,
        "eval_protocol",
    ),
    _r(
        "inference.decoding",
        r"\b(speculative (decoding|sampling)|draft (model|tokens)|speculative-|beam search|constrained (decoding|generation)|grammar|json (mode|object)|structured outputs?|test-time (scaling|compute))",
        0.9,
    ),
    _r(
        "inference.chat_format",
        r"(chat[ _-]template|prompt (format|template)|apply_chat_template|add_generation_prompt|ChatML|<\|im_start\|>|<\|im_sep\|>|<start_of_turn>|<end_of_turn>|\[INST\]|<\|user\|>|<\|assistant\|>|<\|begin_of_text\|>|<\|start_header_id\|>|harmony (response )?format|special tokens?|control tokens?|alpaca format|v\d tokenizer|tokenizer v\d|chat format|BOS token|eos token)",
        0.86,
    ),
    _r(
        "inference.context_runtime",
        r"(YaRN|rope_scaling|RoPE scaling|rope scaling)[^.]*\b(add|enable|use|utiliz|modif|chang|handl|longer|extrapolat|appl|requir|support|exceed)|\b(add|enable|modify|change)[^.]*(YaRN|rope_scaling)|longer (inputs|contexts?) [^.]*(split|chunk|segment)|full \d[\d,]*k? (tokens|context)|utilize their full|--max-model-len",
        0.87,
    ),
    # ---- product --------------------------------------------------------------------------
    _r(
        "product.tool_use",
        r"(function[- ]calling|tool[- ]?(calling|call|calls|use|usage|parser|schemas?|description)|\btools?\b|code interpreter|web (browsing|search(es|ing)?)|browsing tools?|<tools>|tool_calls|function signatures)",
        0.82,
    ),
    _r(
        "product.agent",
        r"\b(agent(ic|s)?|agent-based|OpenHands|computer use|multi-step (tasks|workflows|orchestration)|scaffold|autonomous(ly)?)\b",
        0.8,
    ),
    # A router in an app that picks which *model* answers (ChatGPT's real-time router between a
    # fast and a reasoning model) is the product, not the network's MoE router (backbone.moe,
    # 0.85, which it outranks): named with a product, or routing between models; never where
    # the statement speaks of experts, tokens or top-k ("the model router selects the top-2
    # experts" is the MoE's router)
    _r(
        "product.agent",
        r"^(?![\s\S]*\b(?:experts?|MoE|tokens?|top-?\d+|top-?k)\b)[\s\S]*?"
        r"(?:\b(ChatGPT|Gemini app|Copilot|Claude\.ai)\b[^.]{0,40}\brout(er|ing|es)\b"
        r"|\b(real[- ]time|model|auto(matic)?) router\b"
        r"|\brout(er|es|ing)\b[^.]{0,30}\b(between|among) (several |different |the |two )?"
        r"(models|a fast|fast and))",
        0.87,
        "product_router",
    ),
    _r(
        "product.rag",
        r"\b(RAG|retrieval[- ]augmented|retrieval|grounded (generation|answers)|citations?|document QA)\b",
        0.82,
    ),
    _r(
        "product.system_prompt",
        r"(system[ _-]prompts?|system message|\"role\":\s*\"system\"|persona|^\s*\"?you are an? )",
        0.84,
    ),
    _r(
        "product.guardrails",
        r"\b(Llama Guard|Prompt Guard|Code Shield|ShieldGemma|moderation|content (safety|filter(s|ing)?)|safeguards?|guardrails?|prompt injections?|jailbreak(s|ing)?|in-the-loop filtering|safety (classifiers?|services|tools)|malicious)\b",
        0.84,
    ),
    _r(
        "product.memory",
        r"\b((long-term|conversation(al)?|persistent|cross-session) memory|remembers? (previous|past) conversations)\b",
        0.85,
    ),
    _r(
        "product.intended_use",
        r"\b(intended (for|use|to)|out[- ]of[- ]scope|use cases?|designed (for|to)|well[- ]suited|suitable for|not intended|only for research|for research (and|&) (development|educational)|research (and|&) (development|educational) use|research only|can be used to build|applications such as|target applications|limitations)\b",
        0.74,
    ),
    _r("post_training.lineage", r"^\s*-\s*[\w.-]+/[\w.-]+\s*$", 0.8, "repo_id_list_item"),
    # ---- none ------------------------------------------------------------------------------
    _r(
        "none",
        r"\b(cite|citation|bibtex|contact us|questions?,? please|raise an issue|feel free to|report (security )?vulnerabilit|learn (about|more)|blog post|acknowledg|we thank|join our|discord|newsletter|get started|install the (necessary|required)|inference providers|supported by the following)\b",
        0.7,
    ),
]
# Korean and German wordings of the same facts, at the confidences of their English rules; they
# come after the English rules so an English term wins a tie (it is the course's own word).
RULES += [_r(kind, pattern, conf, name) for kind, pattern, conf, name in KOREAN_RULES]
RULES += [_r(kind, pattern, conf, name) for kind, pattern, conf, name in GERMAN_RULES]

# A table row with several numeric cells is a score row unless its header/first cell says
# otherwise (a spec table also has numbers: "| # Active parameters | 2.5B | 8.1B |").
_NUMERIC_CELL = re.compile(r"^\s*[*_<u>]*[-+]?\d+(\.\d+)?\s*%?[*_</u>]*\s*\**\s*$")


@dataclass(frozen=True, slots=True)
class RuleHit:
    kind: str
    confidence: float
    rule: str


def _table_cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def rule_hits(text: str) -> list[RuleHit]:
    """Every rule that fires on ``text``, best first."""
    hits: list[tuple[float, int, RuleHit]] = []
    for order, rule in enumerate(RULES):
        if rule.pattern.search(text):
            hits.append((-rule.confidence, order, RuleHit(rule.kind, rule.confidence, rule.name)))
    hits.sort(key=lambda h: (h[0], h[1]))
    return [h[2] for h in hits]


# "**Context length**: ..." / "- License: ..." — a field label names the kind of its value
_FIELD_LABEL = re.compile(
    r"^\s*(?:[-*+]\s+|\d+\.\s+)?(?:\*\*([^*]{2,48}?)\s*:?\s*\*\*|([A-Z][\w ()#/&'-]{2,40}?))\s*:"
)


def classify_rules(text: str, *, table_header: str = "") -> RuleHit | None:
    """The best rule hit for a statement, or None when no rule fires."""
    label = _FIELD_LABEL.match(text)
    if label:
        label_hits = rule_hits(label.group(1) or label.group(2))
        if label_hits and label_hits[0].kind != "none" and label_hits[0].confidence >= 0.75:
            best = label_hits[0]
            return RuleHit(best.kind, max(best.confidence, 0.88), best.rule + "@label")
    lines = [ln for ln in text.splitlines() if ln.strip()]
    row = lines[-1] if lines else ""
    if row.strip().startswith("|") and row.count("|") >= 3:
        cells = _table_cells(row)
        numeric = sum(bool(_NUMERIC_CELL.match(c)) for c in cells[1:])
        first = cells[0] if cells else ""
        first_hit = classify_rules(first) if first and not first.startswith("|") else None
        spec_kind = first_hit and (
            first_hit.kind.startswith("backbone") or first_hit.kind == "context.pretraining"
        )
        if first_hit and spec_kind and first_hit.confidence >= 0.75:
            return RuleHit(first_hit.kind, 0.85, "spec_table_row")
        if numeric >= 2:
            return RuleHit("context.evaluation", 0.85, "score_table_row")
    hits = rule_hits(text)
    if hits:
        return hits[0]
    if table_header:
        # the header alone names the kind less surely than the row's own words
        hits = rule_hits(table_header)
        if hits:
            return RuleHit(hits[0].kind, min(hits[0].confidence, 0.6), hits[0].rule + "+header")
    return None
