"""axes.claims: what a phrase claims, read in English, German and Korean, in either word order,
and which of its numbers nothing read (so that the phrase is never called backed for them)."""

from __future__ import annotations

import pytest
from conftest import web_fact

from axes.claims import text_claims, text_reading
from axes.exercise import phrase_support


def _numbers(text: str) -> dict[str, tuple[float, ...]]:
    return {c.facet: c.value for c in text_claims(text) if isinstance(c.value, tuple)}


@pytest.mark.parametrize(
    "text,facet,value",
    [
        # the number after its noun, as learners and the app's own pages write it
        ("context length 32K", "context_tokens", 32000.0),
        ("context window of 131,072 tokens", "context_tokens", 131072.0),
        ("max_position_embeddings = 131072", "context_tokens", 131072.0),
        ("layers: 32", "layers", 32.0),
        ("number of layers is 32", "layers", 32.0),
        ("heads 64", "heads", 64.0),
        ("Parameter: 8B", "params_total", 8e9),
        ("active parameters 3.3B", "params_active", 3.3e9),
        ("temperature of 0.6", "temperature", 0.6),
        ("RoPE theta 500000", "rope_theta", 500000.0),
        ("Kontextlänge 32K", "context_tokens", 32000.0),
        ("Kontextfenster von 128K Tokens", "context_tokens", 128000.0),
        ("Kontextlänge 131.072 Tokens", "context_tokens", 131072.0),  # German grouping
        ("Anzahl der Schichten: 32", "layers", 32.0),
        ("Schichtanzahl 32", "layers", 32.0),
        ("Attention-Köpfe: 64", "heads", 64.0),
        ("Breite 16.384", "hidden_size", 16384.0),
        ("Temperatur von 0,6", "temperature", 0.6),
        ("레이어 32개", "layers", 32.0),
        ("레이어 수는 32개", "layers", 32.0),
        ("컨텍스트 32K", "context_tokens", 32000.0),
        ("컨텍스트 길이는 128K 토큰", "context_tokens", 128000.0),
        ("파라미터 80억 개", "params_total", 8e9),
        ("온도 0.9", "temperature", 0.9),
        ("온도를 0.6으로", "temperature", 0.6),
        ("헤드 64개", "heads", 64.0),
        ("KV 헤드 8개", "kv_heads", 8.0),
        ("KV head 8개의 GQA", "kv_heads", 8.0),
        ("전문가 8개", "experts", 8.0),
        ("expert 32개(토큰당 4개)", "experts_active", 4.0),
        # the number before its noun
        ("32K context window", "context_tokens", 32000.0),
        ("8 KV heads", "kv_heads", 8.0),
        ("32 Schichten", "layers", 32.0),
        ("32 Layer", "layers", 32.0),
        ("64 Köpfe", "heads", 64.0),
        ("64 Attention-Köpfe", "heads", 64.0),
        ("16 KV-Köpfen", "kv_heads", 16.0),
        ("8 Milliarden Parameter", "params_total", 8e9),
        ("8 Mrd. Parameter", "params_total", 8e9),
        ("2 Billionen Parameter", "params_total", 2e12),  # a German Billion is 10^12
        ("128K-Token-Kontextfenster", "context_tokens", 128000.0),
        ("8 Experten", "experts", 8.0),
        ("32개의 레이어", "layers", 32.0),
        ("80억 개의 파라미터", "params_total", 8e9),
        ("1조 파라미터", "params_total", 1e12),
        ("1천억 파라미터", "params_total", 1e11),
        ("128K 토큰 컨텍스트", "context_tokens", 128000.0),
        ("128토큰 sliding attention", "window_tokens", 128.0),
        ("6 GQA attention layers", "attention_layers", 6.0),
        ("23 Mamba-2 layers", "ssm_layers", 23.0),
        # linear attention and short convolutions are no (softmax) attention layers
        ("21 linear attention layers", "linear_attention_layers", 21.0),
        ("36 Gated DeltaNet layers", "linear_attention_layers", 36.0),
        ("21 KDA layers", "linear_attention_layers", 21.0),
        ("21 Linear-Attention-Layer", "linear_attention_layers", 21.0),
        ("선형 어텐션 레이어 21개", "linear_attention_layers", 21.0),
        ("10 short-conv layers", "conv_layers", 10.0),
        ("10 convolution layers", "conv_layers", 10.0),
        ("합성곱 레이어 10개", "conv_layers", 10.0),
    ],
)
def test_numbers_are_read_before_and_after_their_noun(text, facet, value):
    got = _numbers(text)
    assert facet in got, (text, got)
    assert got[facet][0] == pytest.approx(value)


def test_each_number_goes_to_its_own_noun():
    assert _numbers("32 layers, heads 8") == {"layers": (32.0,), "heads": (8.0,)}
    assert _numbers("레이어 32개 헤드 64개") == {"layers": (32.0,), "heads": (64.0,)}
    assert _numbers("32개 레이어, 헤드 32개") == {"layers": (32.0,), "heads": (32.0,)}
    # a count of KV heads is not a count of heads, a layer's index no count of layers
    assert _numbers("GQA mit 16 KV-Köpfen") == {"kv_heads": (16.0,)}
    assert _numbers("layer 5 uses GQA") == {}
    # "n_shared_experts = 1" and "mamba_num_heads" name no count of experts or heads
    assert _numbers("n_shared_experts = 1; mamba_num_heads = 64") == {}


@pytest.mark.parametrize(
    "text,words",
    [
        ("Basismodell", [("post_trained", False)]),
        ("nur vortrainiert, kein Nachtraining", [("post_trained", False)]),
        ("베이스 모델", [("post_trained", False)]),
        ("미세 조정하지 않은 모델", [("post_trained", False)]),
        ("Instruct-Modell, feinabgestimmt", [("post_trained", True)]),
        ("RLHF로 학습한 채팅 모델", [("post_trained", True), ("method", "rlhf")]),
        ("GQA를 쓰는 모델", [("attention", "gqa")]),  # a particle ends the English term
        ("MoE이고", [("decoder_type", "moe")]),
        ("MoE가 아닌 dense 모델", [("decoder_type", "dense")]),
    ],
)
def test_german_and_korean_words_name_the_same_values(text, words):
    claims = {(c.facet, c.value) for c in text_claims(text) if not c.negated}
    assert set(words) <= claims, claims
    # "base model: X" names the model it was tuned from, not the stage of this one
    assert not any(c.facet == "post_trained" for c in text_claims("Basismodell: Llama 3.1 8B"))


@pytest.mark.parametrize(
    "text,unread",
    [
        ("Dichter Decoder mit GQA und 2 Normierungen pro Block", ["2 Normierungen"]),
        ("GQA와 게이트 2개", ["게이트 2개"]),
        ("GQA with a 3:1 ratio", ["3:1 ratio"]),
        ("Repetition penalty 1.1, 32 layers", ["penalty 1.1"]),
        ("expert width 2048, 32 layers", ["width 2048"]),  # no year, no model width
        # read, or no claim at all: model names and versions, dates, a list's numbering
        ("Llama 3.1 8B with 32 layers", []),
        ("llama 3 with 32 layers", []),
        ("GPT-4 style, Qwen2.5-like, 8x7B", []),
        ("Released July 23, 2024 with 32 layers", []),
        ("released in 2024 (Llama 3.1), 32 layers", []),
        ("2024년 7월 공개, 레이어 32개", []),
        ("1. Dense decoder with 32 layers", []),
        ("MXFP4 weights, 4-bit, top-2 routing", []),
        # a number glued to its unit is not cut to its first digit ("not found: 'single 1'")
        ("runs on a single 16GB GPU", []),
        ("16GB 메모리에서 실행", []),
        ("passt in 16,5GB", []),
    ],
)
def test_numbers_no_claim_read_are_reported(text, unread):
    assert text_reading(text)[1] == unread


LLAMA = [
    web_fact("backbone", "backbone.decoder_type", "dense"),
    web_fact(
        "backbone",
        "backbone.attention",
        {"variant": "GQA", "num_attention_heads": 32, "num_kv_heads": 8, "head_dim": 128},
    ),
    web_fact("backbone", "backbone.layers", {"num_layers": 32}),
    web_fact("backbone", "backbone.context_length", 131072),
]


@pytest.mark.parametrize(
    "phrase,support,missing",
    [
        ("GQA, 32 layers", "sourced", []),
        # a number nothing read never lets the phrase pass on the strength of the rest
        ("GQA mit 32 Schichten und 2 Normierungen pro Block", "not_found", ["2 Normierungen"]),
        ("GQA, 32 layers, repetition penalty 1.1", "not_found", ["penalty 1.1"]),
        ("GQA와 레이어 32개, 게이트 2개", "not_found", ["게이트 2개"]),
        # and one contradicted part makes the phrase contradicted, read or unread the rest
        ("GQA mit 64 Köpfen und 2 Normierungen", "conflicts", []),
    ],
)
def test_an_unread_number_is_never_backed(phrase, support, missing):
    got = phrase_support(phrase, LLAMA)
    assert got["support"] == support, got
    assert got.get("missing", []) == missing


def test_counts_of_layers_experts_and_heads_are_exact():
    """A relative tolerance (2%) is for sizes said rounded; "95 layers" is not a 94-layer
    model's count, nor "129 experts" its 128."""
    facts = [
        web_fact("backbone", "backbone.layers", {"num_layers": 94}),
        web_fact("backbone", "backbone.moe", {"num_experts": 128, "experts_per_token": 8}),
        web_fact("backbone", "backbone.attention", {"variant": "GQA", "num_attention_heads": 64}),
    ]
    for wrong in ("95 layers", "129 experts", "65 heads"):
        assert phrase_support(wrong, facts)["support"] == "conflicts", wrong
    for right in ("94 layers", "128 experts", "64 heads"):
        assert phrase_support(right, facts)["support"] == "sourced", right


def test_a_parallel_hybrid_layer_counts_as_attention_and_as_mamba():
    """Falcon-H1's 44 layers each hold attention and a Mamba-2 mixer ("attention+mamba2"):
    "44 attention layers" and "44 Mamba-2 layers" are both backed, "4 attention layers" not."""
    layers = {
        "num_layers": 44,
        "counts": {"blocks": 44, "mixer": {"attention+mamba2": 44}, "ffn": {"mlp": 44}},
    }
    facts = [
        web_fact("backbone", "backbone.decoder_type", "hybrid"),
        web_fact("backbone", "backbone.attention", {"variant": "GQA", "num_kv_heads": 2}),
        web_fact("backbone", "backbone.layers", layers),
    ]
    assert phrase_support("44 GQA attention layers", facts)["support"] == "sourced"
    assert phrase_support("44 Mamba-2 layers", facts)["support"] == "sourced"
    assert phrase_support("4 GQA attention layers", facts)["support"] == "conflicts"


def test_a_zamba_hybrid_layer_counts_as_attention_and_as_mamba():
    """Zamba2's 54 layers: 9 run the shared attention block before their own Mamba-2 mixer
    ("shared_attention+mamba2"), 45 are Mamba-2 only: "9 attention layers", "54 Mamba-2
    layers" and "45 Mamba-2 layers" (the summary's count) are backed, "54 attention layers"
    and "9 Mamba-2 layers" are not."""
    layers = {
        "num_layers": 54,
        "counts": {"blocks": 54, "mixer": {"mamba2": 45, "shared_attention+mamba2": 9}, "ffn": {}},
    }
    facts = [
        web_fact("backbone", "backbone.decoder_type", "hybrid"),
        web_fact("backbone", "backbone.attention", {"variant": "MHA", "num_kv_heads": 32}),
        web_fact("backbone", "backbone.layers", layers),
    ]
    assert phrase_support("9 attention layers", facts)["support"] == "sourced"
    assert phrase_support("54 Mamba-2 layers", facts)["support"] == "sourced"
    assert phrase_support("45 Mamba-2 layers", facts)["support"] == "sourced"
    assert phrase_support("54 attention layers", facts)["support"] == "conflicts"
    assert phrase_support("9 Mamba-2 layers", facts)["support"] == "conflicts"


def _default_backbone_facts(model_type: str) -> tuple[object, list[dict]]:
    """transformers' default config of a model type, analyzed as the app does: (config, the
    backbone facts)."""
    from transformers.models.auto.configuration_auto import CONFIG_MAPPING

    from axes.analysis import Artifacts, analyze_artifacts

    config = CONFIG_MAPPING[model_type]()
    out = analyze_artifacts(Artifacts(repo_id=f"x/{model_type}", config=config.to_dict()))
    return config, [f for f in out["facts"] if f["axis"] == "backbone"]


@pytest.mark.parametrize("model_type", ["zamba", "zamba2", "falcon_h1", "nemotron_h", "jamba"])
def test_layer_counts_of_hybrid_defaults_are_judged_by_their_blocks(model_type):
    """Counted from transformers' own ``layers_block_type``: every hybrid layer (Zamba's shared
    block before its own Mamba mixer, Falcon-H1's attention beside Mamba-2) is an attention
    and a Mamba layer, so "N Mamba layers" is backed for the Mamba-only count plus the hybrid
    one, and for the Mamba-only count as the summary words it; "N attention layers" likewise;
    any other number is contradicted."""
    config, facts = _default_backbone_facts(model_type)
    kinds = list(config.layers_block_type)
    hybrid = kinds.count("hybrid")
    mamba = kinds.count("mamba") + kinds.count("linear_attention")  # Zamba's, Nemotron-H's
    attention = kinds.count("attention") + kinds.count("full_attention")
    assert hybrid + mamba + attention > 0, kinds
    for noun, plain in (("Mamba", mamba), ("attention", attention)):
        true = {plain + hybrid} | ({plain} if plain and hybrid else set())
        true.discard(0)
        for n in sorted(true):
            got = phrase_support(f"{n} {noun} layers", facts)
            assert got["support"] == "sourced", (noun, n, got)
        for n in {plain + hybrid + 1, hybrid if plain else 0} - true - {0}:
            got = phrase_support(f"{n} {noun} layers", facts)
            assert got["support"] == "conflicts", (noun, n, got)


@pytest.mark.parametrize(
    "model_type,kwargs",
    [
        ("kimi_linear", {}),
        ("qwen3_next", {}),
        # LFM2-1.2B's pattern: 10 gated short convolutions, 6 attention layers
        ("lfm2", {"num_hidden_layers": 16, "full_attn_idxs": [2, 5, 8, 10, 12, 14]}),
    ],
)
def test_linear_attention_and_short_conv_layers_are_claims_a_fact_states(model_type, kwargs):
    """The layers fact lists them ("21 Kimi Delta Attention + 6 MLA", "10 short conv + 6 GQA"):
    "21 linear attention layers" and "mixes short convolutions" were 'not found'. Counted from
    transformers' own ``layer_types``."""
    from collections import Counter

    from transformers.models.auto.configuration_auto import CONFIG_MAPPING

    from axes.analysis import Artifacts, analyze_artifacts

    config = CONFIG_MAPPING[model_type](**kwargs)
    out = analyze_artifacts(Artifacts(repo_id=f"x/{model_type}", config=config.to_dict()))
    facts = [f for f in out["facts"] if f["axis"] == "backbone"]
    kinds = Counter(config.layer_types)
    linear, conv = kinds["linear_attention"], kinds["conv"]
    attention = kinds["full_attention"]

    def support(phrase: str) -> str:
        return phrase_support(phrase, facts)["support"]

    assert support(f"{attention} attention layers") == "sourced"
    assert support(f"{linear} linear attention layers") == "sourced"
    assert support(f"{linear + 1} linear attention layers") == "conflicts"
    assert support(f"{conv} conv layers") == "sourced"
    if conv:
        assert support("mixes short convolutions") == "sourced"
        assert support("no short convolutions") == "conflicts"
        assert support(f"{conv + 2} short conv layers") == "conflicts"
    else:
        assert support("mixes short convolutions") == "not_found"
        assert support(f"{linear + attention} attention layers") == "conflicts"


@pytest.mark.parametrize(
    "model_type,kwargs",
    [
        ("qwen3_next", {}),
        ("lfm2", {"num_hidden_layers": 16, "full_attn_idxs": [2, 5, 8, 10, 12, 14]}),
    ],
)
def test_layers_with_a_mixer_count_the_layers_that_carry_it(model_type, kwargs):
    """ "12 layers with attention", "36 Layer mit linearer Attention", "10 layers with short
    convolutions": the count of the layers holding that mixer, as "12 attention layers" is; these
    were read as the total layer count and so contradicted a true claim."""
    from collections import Counter

    from transformers.models.auto.configuration_auto import CONFIG_MAPPING

    from axes.analysis import Artifacts, analyze_artifacts

    config = CONFIG_MAPPING[model_type](**kwargs)
    out = analyze_artifacts(Artifacts(repo_id=f"x/{model_type}", config=config.to_dict()))
    facts = [f for f in out["facts"] if f["axis"] == "backbone"]
    kinds = Counter(config.layer_types)
    linear, conv, attention = kinds["linear_attention"], kinds["conv"], kinds["full_attention"]

    def support(phrase: str) -> str:
        return phrase_support(phrase, facts)["support"]

    for phrase in (f"{attention} layers with attention", f"{attention} Layer mit Attention"):
        assert support(phrase) == "sourced", phrase
    assert support(f"{attention + 1} layers with attention") == "conflicts"
    if linear:
        for phrase in (
            f"{linear} layers with linear attention",
            f"{linear} Layer mit linearer Attention",
            f"{linear} Layer mit Gated DeltaNet",
        ):
            assert support(phrase) == "sourced", phrase
        assert support(f"{linear - 1} Layer mit linearer Attention") == "conflicts"
    if conv:
        for phrase in (f"{conv} layers with short convolutions", f"{conv} Layer mit Faltung"):
            assert support(phrase) == "sourced", phrase
        assert support(f"{conv + 1} layers with short convolutions") == "conflicts"
    # the whole stack is still the plain count
    assert support(f"{len(config.layer_types)} layers") == "sourced"


def test_layers_with_mamba_in_a_hybrid_count_the_mamba_layers():
    """Jamba's default (Mamba with attention every 8th layer): "N layers with Mamba" /
    "N Layer mit Mamba" is the Mamba count, "M layers with attention" the attention count."""
    config, facts = _default_backbone_facts("jamba")
    kinds = list(config.layers_block_type)
    mamba, attention = kinds.count("mamba"), kinds.count("attention")
    assert mamba and attention, kinds
    for phrase in (f"{mamba} layers with Mamba", f"{mamba} Layer mit Mamba"):
        assert phrase_support(phrase, facts)["support"] == "sourced", phrase
    assert phrase_support(f"{attention} layers with attention", facts)["support"] == "sourced"
    assert phrase_support(f"{mamba + 1} Layer mit Mamba", facts)["support"] == "conflicts"


@pytest.mark.parametrize(
    "model_type,kwargs,named,others",
    [
        ("qwen3_next", {}, ("Gated DeltaNet", "DeltaNet"), ("KDA", "Kimi Delta Attention")),
        ("kimi_linear", {}, ("KDA", "Kimi Delta Attention"), ("Gated DeltaNet", "mLSTM")),
        (
            "nemotron_h",
            {},
            ("Mamba-2",),
            ("Gated DeltaNet", "KDA", "Lightning Attention"),
        ),
        ("rwkv", {"num_hidden_layers": 4}, ("RWKV",), ("Gated DeltaNet", "mLSTM", "KDA")),
        ("xlstm", {}, ("mLSTM",), ("RWKV",)),
        ("recurrent_gemma", {}, ("RG-LRU",), ("RWKV", "mLSTM")),
    ],
)
def test_a_recurrent_mixer_named_in_a_claim_is_checked(model_type, kwargs, named, others):
    """ "36 KDA layers" was backed for Qwen3-Next, whose 36 linear-attention layers are Gated
    DeltaNet: the count agreed and the mixer's name was not read. The name is now a claim of
    its own, checked against the SSM fact's type; a plain "linear attention" names none."""
    from transformers.models.auto.configuration_auto import CONFIG_MAPPING

    from axes.analysis import Artifacts, analyze_artifacts
    from axes.backbone import analyze_config

    config = CONFIG_MAPPING[model_type](**kwargs)
    out = analyze_artifacts(Artifacts(repo_id=f"x/{model_type}", config=config.to_dict()))
    facts = [f for f in out["facts"] if f["axis"] == "backbone"]

    def support(phrase: str) -> str:
        return phrase_support(phrase, facts)["support"]

    linear = analyze_config(config.to_dict())["backbone"]["layers"]["counts"]["mixer"].get(
        "linear_attention", 0
    )
    for name in named:
        assert support(f"uses {name}") == "sourced", name
        if linear:
            assert support(f"{linear} {name} layers") == "sourced", name
            assert support(f"{linear} Layer mit {name}") == "sourced", name
    for name in others:
        assert support(f"uses {name}") == "conflicts", name
        if linear:
            assert support(f"{linear} {name} layers") == "conflicts", name
    if linear:
        assert support(f"{linear} linear attention layers") == "sourced"


@pytest.mark.parametrize(
    "model_type,sliding",
    [("flint", 35), ("dots3_note", 33), ("gpt_oss", 18), ("gemma3_text", 22), ("llama", 0)],
)
def test_a_count_of_sliding_window_layers_is_a_layer_count_not_a_window(model_type, sliding):
    """ "35 sliding-window layers" was read as a sliding window of 35 tokens, so a learner's
    true count of Flint's 35 sliding layers (or dots3.note's 33 sliding MLA layers) was marked
    as contradicting the config. The count is now checked against the sliding layers the
    layers fact lists; the window's size is still read where tokens are named."""
    from transformers.models.auto.configuration_auto import CONFIG_MAPPING

    from axes.analysis import Artifacts, analyze_artifacts

    config = CONFIG_MAPPING[model_type]().to_dict()
    out = analyze_artifacts(Artifacts(repo_id=f"x/{model_type}", config=config))
    facts = [f for f in out["facts"] if f["axis"] == "backbone"]
    counts = next(f for f in facts if f["kind"] == "backbone.layers")["value"]["counts"]
    assert counts["mixer"].get("sliding_attention", 0) == sliding

    def support(phrase: str) -> str:
        return phrase_support(phrase, facts)["support"]

    claimed = sliding or 32
    wording = (
        f"{claimed} sliding-window layers",
        f"{claimed} sliding layers",
        f"{claimed} SWA layers",
        f"{claimed} Layer mit Sliding Window",
        f"sliding 레이어 {claimed}개",
    )
    for phrase in wording:
        assert support(phrase) == ("sourced" if sliding else "conflicts"), phrase
    if sliding:
        assert support(f"{sliding + 1} sliding-window layers") == "conflicts"
        window = next(f for f in facts if f["kind"] == "backbone.attention")["value"]
        assert support(f"a sliding window of {window['sliding_window']} tokens") == "sourced"


def test_gdn_names_gated_deltanet():
    """ "GDN" is how Qwen3-Next's card and papers abbreviate Gated DeltaNet: "36 GDN layers" was
    not read at all (so not backed), and "uses GDN" was not contradicted for Kimi Linear."""
    from transformers.models.auto.configuration_auto import CONFIG_MAPPING

    from axes.analysis import Artifacts, analyze_artifacts

    def facts(model_type: str) -> list[dict]:
        config = CONFIG_MAPPING[model_type]().to_dict()
        out = analyze_artifacts(Artifacts(repo_id=f"x/{model_type}", config=config))
        return [f for f in out["facts"] if f["axis"] == "backbone"]

    qwen3_next, kimi = facts("qwen3_next"), facts("kimi_linear")
    assert phrase_support("36 GDN layers", qwen3_next)["support"] == "sourced"
    assert phrase_support("uses GDN", qwen3_next)["support"] == "sourced"
    assert phrase_support("35 GDN layers", qwen3_next)["support"] == "conflicts"
    assert phrase_support("uses GDN", kimi)["support"] == "conflicts"


def test_in_n_layers_is_some_of_the_layers_not_the_depth():
    """ "MLA with a DSA indexer in 13 layers" (dots3.note: 13 indexed layers of 46) was shown as
    contradicted by num_hidden_layers = 46. "in N layers" counts some of the layers: any count
    the layers fact lists backs it (the depth, or one kind's), and a number none of them has
    is still contradicted."""
    from transformers.models.auto.configuration_auto import CONFIG_MAPPING

    from axes.analysis import Artifacts, analyze_artifacts

    def facts(model_type: str) -> list[dict]:
        config = CONFIG_MAPPING[model_type]().to_dict()
        out = analyze_artifacts(Artifacts(repo_id=f"x/{model_type}", config=config))
        return [f for f in out["facts"] if f["axis"] == "backbone"]

    dots3, llama = facts("dots3_note"), facts("llama")

    def support(phrase: str, facts: list[dict]) -> str:
        return phrase_support(phrase, facts)["support"]

    assert support("MLA with a DSA indexer in 13 layers", dots3) == "sourced"
    assert support("MoE in 45 layers", dots3) == "sourced"
    assert support("sliding window in 33 Layern", dots3) == "sourced"
    assert support("a DSA indexer in 14 layers", dots3) == "conflicts"
    assert support("13 layers", dots3) == "conflicts"  # the depth is still the depth
    assert support("MHA in 32 layers", llama) == "sourced"
    assert support("MHA in 30 layers", llama) == "conflicts"


def test_shared_experts_and_nope_layers_are_counted():
    """Flint's "1 shared expert" and "14 NoPE layers", Aria's "2 shared experts" went unread
    ("not found"), and "no shared experts" was read as "not a MoE", contradicting Mixtral."""
    from transformers.models.auto.configuration_auto import CONFIG_MAPPING

    from axes.analysis import Artifacts, analyze_artifacts

    def facts(model_type: str) -> list[dict]:
        config = CONFIG_MAPPING[model_type]().to_dict()
        out = analyze_artifacts(Artifacts(repo_id=f"x/{model_type}", config=config))
        return [f for f in out["facts"] if f["axis"] == "backbone"]

    def support(phrase: str, facts: list[dict]) -> str:
        return phrase_support(phrase, facts)["support"]

    flint, aria, qwen3_moe = facts("flint"), facts("aria_text"), facts("qwen3_moe")
    assert support("1 shared expert", flint) == "sourced"
    assert support("2 shared experts", flint) == "conflicts"
    assert support("256 routed experts plus 1 shared expert", flint) == "sourced"
    assert support("14 NoPE layers", flint) == "sourced"
    assert support("14 NoPE full-attention layers", flint) == "sourced"
    assert support("15 NoPE layers", flint) == "conflicts"
    assert support("2 shared experts", aria) == "sourced"
    assert support("1 shared expert", qwen3_moe) == "conflicts"
    assert support("no shared experts", facts("mixtral")) != "conflicts"
    # a card's sentence about experts is no statement that there are no shared ones
    card = [
        {
            "axis": "backbone",
            "kind": "backbone.moe",
            "value": "A mixture of 64 experts.",
            "evidence": {"source": "README.md", "locator": "L3", "text": "64 experts"},
            "confidence": 0.8,
        }
    ]
    assert support("2 shared experts", card) != "conflicts"


def test_a_recurrent_mixer_claimed_for_an_attention_only_model_is_contradicted():
    """ "uses Gated DeltaNet" about Llama was 'not found': its layers fact lists attention layers
    only, which now states that it has no recurrent mixer."""
    from transformers.models.auto.configuration_auto import CONFIG_MAPPING

    from axes.analysis import Artifacts, analyze_artifacts

    for model_type in ("llama", "gpt_oss", "deepseek_v3"):
        config = CONFIG_MAPPING[model_type]()
        out = analyze_artifacts(Artifacts(repo_id=f"x/{model_type}", config=config.to_dict()))
        facts = [f for f in out["facts"] if f["axis"] == "backbone"]
        for phrase in ("uses Gated DeltaNet", "36 KDA layers", "mLSTM blocks"):
            assert phrase_support(phrase, facts)["support"] == "conflicts", (model_type, phrase)
        assert phrase_support("no Gated DeltaNet", facts)["support"] == "sourced", model_type


@pytest.mark.parametrize(
    "phrase,support",
    [
        # a noun, then "has"/"hat"/"umfasst", then its number: as a learner writes it in a
        # post-training row by mistake (the app's exercise, German and English); before, the
        # number went unread and a true claim was "not found"
        ("Das Kontextfenster hat 128K Token.", "sourced"),
        ("Der Kontext umfasst 128K Token.", "sourced"),
        ("The context window has 128K tokens.", "sourced"),
        ("Das Kontextfenster hat 32K Token.", "conflicts"),
    ],
)
def test_a_noun_that_has_its_number_is_read(phrase, support):
    got = phrase_support(phrase, LLAMA)
    assert got["support"] == support, got


@pytest.mark.parametrize(
    "text,quoted",
    [
        ("instruction tuning을 거쳤다", "instruction tuning"),
        ("fine-tuning으로 만들었다", "fine-tuning"),
        ("GQA를 쓴다", "GQA"),
        ("Post-training은 SFT다", "Post-training"),
        ("context window 128K를 지원한다", "context window 128K"),
    ],
)
def test_a_claim_quotes_the_english_term_without_its_korean_particle(text, quoted):
    """The "not found" note quoted “instruction tuning을”: the particle is Korean grammar,
    not part of what was claimed."""
    texts = [c.text for c in text_claims(text)]
    assert quoted in texts, texts
    assert not any(t.endswith(("을", "를", "은", "으로")) for t in texts), texts
