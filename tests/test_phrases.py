"""split_phrases: mixed sentences on several families, each phrase on one axis, exact spans."""

from __future__ import annotations

import pytest

from axes.classify.phrases import split_phrases

MIXED = [
    (
        "Qwen3-30B-A3B is a 30.5B MoE with 128 experts, refined with four-stage RL, switches "
        "thinking on with /think, and calls tools through Qwen-Agent.",
        ["backbone", "post_training", "inference", "product"],
    ),
    (
        "Claude Opus 4 offers extended thinking, can operate a desktop through computer use and "
        "is available under commercial terms of use.",
        ["inference", "product", "context"],
    ),
    (
        "Llama 3.1 8B uses grouped-query attention, was aligned with RLHF and is released under "
        "the Llama 3.1 Community License.",
        ["backbone", "post_training", "context"],
    ),
    (
        "Mixtral routes each token to 2 of 8 experts, while the instruct version was tuned with DPO.",
        ["backbone", "post_training"],
    ),
    (
        "gpt-oss-20b stores its MoE weights in MXFP4; reasoning effort can be set to high.",
        ["backbone", "inference"],
    ),
]


@pytest.mark.parametrize(("text", "axes"), MIXED)
def test_mixed_sentences(text: str, axes: list[str]) -> None:
    phrases = split_phrases(text)
    assert [p.axis for p in phrases] == axes
    for p in phrases:
        assert text[p.start : p.end] == p.text
        assert p.kind is not None and p.kind.startswith(p.axis + ".")
    assert all(a.end <= b.start for a, b in zip(phrases, phrases[1:], strict=False))


def test_single_axis_sentence_stays_whole() -> None:
    text = "We recommend temperature 0.6 and top_p 0.95 for sampling."
    phrases = split_phrases(text)
    assert len(phrases) == 1
    assert phrases[0].kind == "inference.sampling"
    assert phrases[0].text == text


def test_blank() -> None:
    assert split_phrases("   ") == []


SENTENCES = [
    (
        "SFT and DPO. RoPE theta is 500000 and it has 32 layers.",
        ["SFT and DPO.", "RoPE theta is 500000 and it has 32 layers."],
        ["post_training", "backbone"],
    ),
    (
        "Dense decoder with GQA, 32 layers, 128K context. Trained with DPO.",
        ["Dense decoder with GQA, 32 layers, 128K context.", "Trained with DPO."],
        ["backbone", "post_training"],
    ),
    (  # an abbreviation's full stop is no sentence end; a decimal point neither
        "Trained with RL, e.g. GRPO. Recommended temperature is 0.6.",
        ["Trained with RL, e.g. GRPO.", "Recommended temperature is 0.6."],
        ["post_training", "inference"],
    ),
    (
        "Mit SFT und DPO trainiert. Das Modell hat 32 Schichten, z.B. GQA.",
        ["Mit SFT und DPO trainiert.", "Das Modell hat 32 Schichten, z.B. GQA."],
        ["post_training", "backbone"],
    ),
    (
        "SFT와 DPO로 학습했습니다. 32개 레이어를 가진 GQA 모델입니다.",
        ["SFT와 DPO로 학습했습니다.", "32개 레이어를 가진 GQA 모델입니다."],
        ["post_training", "backbone"],
    ),
    (  # a Korean sentence end ("다.") before a lower-case English term
        "temperature 0.6으로 sampling한다. context window 128K.",
        ["temperature 0.6으로 sampling한다.", "context window 128K."],
        ["inference", "backbone"],
    ),
]


@pytest.mark.parametrize(("text", "texts", "axes"), SENTENCES)
def test_sentence_ends_separate_phrases(text: str, texts: list[str], axes: list[str]) -> None:
    """A wrong-axis sentence after a full stop is its own phrase (the exercise checks each
    phrase's axis: "SFT and DPO. RoPE theta is 500000" must not pass as post-training)."""
    phrases = split_phrases(text)
    assert [p.text for p in phrases] == texts
    assert [p.axis for p in phrases] == axes
    assert all(text[p.start : p.end] == p.text for p in phrases)


NOUN_FIRST = [
    # a count written after its noun, as the app's own Korean and German pages word it
    ("Meta AI 앱의 챗봇. 레이어 32개.", "backbone.layers"),
    ("Meta AI 앱의 챗봇. 헤드 64개.", "backbone.attention"),
    ("Meta AI 앱의 챗봇. 컨텍스트 32K.", "backbone.context_length"),
    ("Meta AI 앱의 챗봇. 파라미터 80억 개.", "backbone.params_total"),
    ("Ein Chatbot in der Meta-AI-App. 64 Köpfe.", "backbone.attention"),
    ("Ein Chatbot in der Meta-AI-App. Schichten 32.", "backbone.layers"),
    ("Ein Chatbot in der Meta-AI-App. 126 Layer.", "backbone.layers"),
    ("A chatbot in the Meta AI app. heads 64.", "backbone.attention"),
    ("A chatbot in the Meta AI app. context 32K.", "backbone.context_length"),
    ("Basismodell", "post_training.stage"),
    ("Es ist ein Basismodell.", "post_training.stage"),
]


@pytest.mark.parametrize(("text", "kind"), NOUN_FIRST)
def test_a_count_after_its_noun_is_on_its_axis(text: str, kind: str) -> None:
    """A product row that counts layers holds a backbone claim in every language (the
    exercise flags it), and "Basismodell" names the post-training stage."""
    phrases = split_phrases(text)
    assert [p.kind for p in phrases] == [kind]


def test_mrd_is_no_sentence_end() -> None:
    """ "8 Mrd. Parameter" is one claim: the abbreviation's full stop ends no sentence, so the
    number stays with its noun (and the exercise can read it)."""
    text = "Die App nutzt Websuche, das Modell hat 8 Mrd. Parameter."
    phrases = split_phrases(text)
    assert [(p.text, p.axis) for p in phrases] == [
        ("Die App nutzt Websuche", "product"),
        ("das Modell hat 8 Mrd. Parameter.", "backbone"),
    ]


WEB_SEARCH = [
    # the same learner's product row in the three languages: web search is tool use, and the
    # wrong-axis claim after it stays its own phrase. Korean ("웹 검색") and German
    # ("Websuche") already said so; English folded its first sentence into the second, so the
    # whole row was marked "belongs to Backbone" and the product claim was lost.
    (
        "Available in the Meta AI app with web search. It is a mixture of experts.",
        ["Available in the Meta AI app with web search.", "It is a mixture of experts."],
    ),
    (
        "Meta AI 앱에서 웹 검색과 함께 제공된다. MoE 모델이다.",
        ["Meta AI 앱에서 웹 검색과 함께 제공된다.", "MoE 모델이다."],
    ),
    (
        "In der Meta-AI-App mit Websuche verfügbar. Es ist ein Mixture-of-Experts-Modell.",
        ["In der Meta-AI-App mit Websuche verfügbar.", "Es ist ein Mixture-of-Experts-Modell."],
    ),
]


@pytest.mark.parametrize(("text", "texts"), WEB_SEARCH)
def test_web_search_is_a_product_phrase_in_every_language(text: str, texts: list[str]) -> None:
    phrases = split_phrases(text)
    assert [p.text for p in phrases] == texts
    assert [(p.axis, p.kind) for p in phrases] == [
        ("product", "product.tool_use"),
        ("backbone", "backbone.decoder_type"),
    ]


@pytest.mark.parametrize(
    ("text", "axis"),
    [
        # a router in an app that picks the model answering is the product ...
        ("ChatGPT router", "product"),
        ("ChatGPT 라우터", "product"),
        ("The ChatGPT router picks a fast or a reasoning model.", "product"),
        ("ChatGPT 라우터가 빠른 모델과 추론 모델 중 하나를 고른다.", "product"),
        ("A real-time router decides which model answers.", "product"),
        ("실시간 라우터가 어떤 모델이 답할지 정한다.", "product"),
        # ... the network's MoE router stays backbone
        ("The router picks 2 of 64 experts per token.", "backbone"),
        ("MoE 라우터가 토큰마다 전문가 8개 중 2개를 고른다.", "backbone"),
        # "model router" or "real-time router" in a statement about experts or tokens is the
        # MoE's (the product rule outranked it)
        ("The model router selects the top-2 experts for each token.", "backbone"),
        ("A real-time router sends each token to 8 of 256 experts.", "backbone"),
        ("모델 라우터가 토큰마다 상위 2개 전문가를 고른다.", "backbone"),
    ],
)
def test_a_product_router_is_not_the_moe_router(text: str, axis: str) -> None:
    assert [p.axis for p in split_phrases(text)] == [axis]
