"""Korean and German statements (the course's languages, English technical terms kept): rules find
English terms glued to Korean particles, native lexicons cover the clear cases, and mixed
sentences split into phrases on the right axes with exact spans.

All statements are our own, written for this test; none comes from gold or train.jsonl.
"""

from __future__ import annotations

import pytest

from axes.classify.features import analyze
from axes.classify.phrases import split_phrases
from axes.classify.predict import classify_statement
from axes.classify.textre import bounded

KOREAN = [
    # English terms with a particle glued on: the boundary case that used to miss
    ("RLHF와 Constitutional AI로 학습했습니다.", "post_training.preference"),
    ("어텐션은 GQA를 사용해 KV 캐시를 줄입니다.", "backbone.attention"),
    ("GRPO로 수학 추론 능력을 강화했습니다.", "post_training.rl"),
    ("QLoRA로 단일 GPU에서 학습한 결과물입니다.", "post_training.adapter"),
    ("vLLM으로 바로 띄울 수 있습니다.", "inference.serving"),
    # native Korean words
    ("총 파라미터 수는 약 300억 개입니다.", "backbone.params_total"),
    ("이 모델은 48개의 레이어로 구성되어 있습니다.", "backbone.layers"),
    ("문맥 창은 최대 131,072 토큰까지 지원합니다.", "backbone.context_length"),
    ("큰 모델의 답변을 증류해서 만든 소형 모델입니다.", "post_training.distillation"),
    ("세 모델을 하나로 병합한 결과입니다.", "post_training.merge"),
    ("답변 전에 생각 모드를 켤 수 있습니다.", "inference.reasoning_mode"),
    ("권장 온도는 0.6입니다.", "inference.sampling"),
    ("외부 API를 도구 호출로 사용할 수 있습니다.", "product.tool_use"),
    ("웹 브라우저를 다루는 에이전트로 쓸 수 있습니다.", "product.agent"),
    ("시스템 프롬프트에 역할을 적어 두면 그대로 따릅니다.", "product.system_prompt"),
    ("위험한 출력은 가드레일이 걸러냅니다.", "product.guardrails"),
    ("상업적 이용이 가능한 MIT 라이선스입니다.", "context.license"),
    ("여러 벤치마크에서 이전 버전보다 높은 점수를 받았습니다.", "context.evaluation"),
]

GERMAN = [
    ("Das Modell wurde mit RLHF und DPO ausgerichtet.", "post_training.preference"),
    ("Die Feinabstimmung erfolgte mit LoRA-Adaptern.", "post_training.adapter"),
    ("Es umfasst insgesamt 14 Milliarden Parameter.", "backbone.params_total"),
    ("Der Decoder hat 40 Schichten.", "backbone.layers"),
    ("Jedes Token wird zu 2 von 16 Experten geleitet.", "backbone.moe"),
    ("Das Kontextfenster beträgt 128K Tokens.", "backbone.context_length"),
    ("Die kleine Variante entstand durch Destillation.", "post_training.distillation"),
    ("Die Gewichte wurden aus drei Modellen zusammengeführt.", "post_training.merge"),
    ("Mit bestärkendem Lernen wurde das logische Denken verbessert.", "post_training.rl"),
    ("Wir empfehlen eine Temperatur von 0,6.", "inference.sampling"),
    ("Der Denkmodus lässt sich pro Anfrage abschalten.", "inference.reasoning_mode"),
    ("Es beherrscht Werkzeugnutzung und Funktionsaufrufe.", "product.tool_use"),
    ("Als Agent kann es mehrstufige Aufgaben selbst planen.", "product.agent"),
    ("Per Retrieval werden passende Dokumente eingebunden.", "product.rag"),
    ("Der Systemprompt legt die Rolle des Assistenten fest.", "product.system_prompt"),
    ("Zusätzliche Schutzmechanismen filtern gefährliche Ausgaben.", "product.guardrails"),
    ("Die Nutzung unterliegt der Llama-Lizenz.", "context.license"),
    ("Die Vortrainingsdaten reichen bis Ende 2024.", "context.pretraining"),
    # a learner's post-training row, written as German speakers write the word (Korean
    # "instruct 파인튜닝" was read; "Instruct-Feintuning" was "unsure")
    ("Instruct-Feintuning", "post_training.sft"),
    ("Das Modell wurde feingetunt.", "post_training.sft"),
    ("Finetuning für Chat", "post_training.sft"),
]


@pytest.mark.parametrize(("text", "kind"), KOREAN + GERMAN)
def test_statement_kind(text: str, kind: str) -> None:
    pred = classify_statement(text)
    assert pred.kind == kind, pred
    assert pred.axis == kind.split(".")[0]
    assert pred.extractor == "card_rules"  # the clear cases are rules, not model guesses


def test_korean_and_english_agree() -> None:
    korean = classify_statement("RLHF와 Constitutional AI로 학습했습니다.")
    english = classify_statement("Trained with RLHF and Constitutional AI.")
    assert (korean.kind, korean.confidence) == (english.kind, english.confidence)


@pytest.mark.parametrize(
    ("text", "found"),
    [("RLHF와", True), ("GQA를", True), ("MoE이고", True), ("RLHFing", False), ("xRLHF", False)],
)
def test_boundary_ends_at_hangul_not_at_latin(text: str, found: bool) -> None:
    rx = bounded(r"\b(RLHF|GQA|MoE)\b")
    assert bool(rx.search(text)) is found


def test_boundary_keeps_german_words_and_superscripts_whole() -> None:
    # "ö" is a letter: no boundary inside "Größe"; "²" is a word character as before
    assert bounded(r"\bße\b").search("Größe") is None
    assert bounded(r"\bReLU²\b").search("uses ReLU² here")


def test_tokenizer_separates_english_terms_from_particles() -> None:
    feats = set(analyze("RLHF와 GQA를 사용하는 MoE이고 größere Modelle"))
    assert {"w:rlhf", "w:와", "w:gqa", "w:moe", "w:이고", "w:größere"} <= feats
    assert "c:학습" in set(analyze("학습했습니다"))  # Hangul 2-grams share the stem


MIXED = [
    (
        "Qwen3-30B-A3B는 128개 전문가를 가진 MoE이고, 4단계 RL로 후처리되었으며, "
        "/think로 thinking을 켜고, Qwen-Agent로 도구를 호출합니다.",
        ["backbone", "post_training", "inference", "product"],
        [
            "Qwen3-30B-A3B는 128개 전문가를 가진 MoE이고",
            "4단계 RL로 후처리되었으며",
            "/think로 thinking을 켜고",
            "Qwen-Agent로 도구를 호출합니다.",
        ],
        ["backbone.moe", "post_training.rl", "inference.reasoning_mode", "product.tool_use"],
    ),
    (  # no commas: the connective endings "-며" and "-고" cut the clauses
        "Llama 3.1 8B는 GQA를 사용하며 RLHF로 정렬되었고 Llama 3.1 커뮤니티 라이선스로 공개되었습니다.",
        ["backbone", "post_training", "context"],
        [
            "Llama 3.1 8B는 GQA를 사용하며",
            "RLHF로 정렬되었고",
            "Llama 3.1 커뮤니티 라이선스로 공개되었습니다.",
        ],
        ["backbone.attention", "post_training.preference", "context.license"],
    ),
    (
        "DeepSeek-R1에서 증류한 모델로, 온도 0.6을 권장하며 시스템 프롬프트 없이 쓰는 것이 좋습니다.",
        ["post_training", "inference", "product"],
        [
            "DeepSeek-R1에서 증류한 모델로",
            "온도 0.6을 권장하며",
            "시스템 프롬프트 없이 쓰는 것이 좋습니다.",
        ],
        ["post_training.distillation", "inference.sampling", "product.system_prompt"],
    ),
    (
        "Qwen3-30B-A3B ist ein MoE mit 128 Experten, wurde mit vierstufigem bestärkendem Lernen "
        "nachtrainiert, schaltet das Denken mit /think ein und ruft Werkzeuge über Qwen-Agent auf.",
        ["backbone", "post_training", "inference", "product"],
        [
            "Qwen3-30B-A3B ist ein MoE mit 128 Experten",
            "wurde mit vierstufigem bestärkendem Lernen nachtrainiert",
            "schaltet das Denken mit /think ein",
            "ruft Werkzeuge über Qwen-Agent auf.",
        ],
        ["backbone.moe", "post_training.rl", "inference.reasoning_mode", "product.tool_use"],
    ),
    (
        "Mixtral leitet jedes Token an 2 von 8 Experten, die Instruct-Version wurde mit DPO "
        "abgestimmt und steht unter der Apache-2.0-Lizenz.",
        ["backbone", "post_training", "context"],
        [
            "Mixtral leitet jedes Token an 2 von 8 Experten",
            "die Instruct-Version wurde mit DPO abgestimmt",
            "steht unter der Apache-2.0-Lizenz.",
        ],
        ["backbone.moe", "post_training.preference", "context.license"],
    ),
    (
        "Das Modell nutzt Grouped-Query-Attention sowie eine Temperatur von 0,7 mit top_p 0,9.",
        ["backbone", "inference"],
        ["Das Modell nutzt Grouped-Query-Attention", "eine Temperatur von 0,7 mit top_p 0,9."],
        ["backbone.attention", "inference.sampling"],
    ),
]


@pytest.mark.parametrize(("text", "axes", "texts", "kinds"), MIXED)
def test_mixed_sentences_split(
    text: str, axes: list[str], texts: list[str], kinds: list[str]
) -> None:
    phrases = split_phrases(text)
    assert [p.axis for p in phrases] == axes
    assert [p.text for p in phrases] == texts
    assert [p.kind for p in phrases] == kinds
    for p in phrases:
        assert text[p.start : p.end] == p.text
    assert all(a.end <= b.start for a, b in zip(phrases, phrases[1:], strict=False))


def test_single_axis_korean_sentence_stays_whole() -> None:
    text = "온도는 0.7, top_p는 0.8로 설정하고 반복 페널티는 1.05를 권장합니다."
    phrases = split_phrases(text)
    assert [(p.text, p.kind) for p in phrases] == [(text, "inference.sampling")]


def test_single_axis_german_sentence_stays_whole() -> None:
    text = "Das Modell wurde mit SFT und anschließend mit DPO nachtrainiert."
    phrases = split_phrases(text)
    assert len(phrases) == 1
    assert phrases[0].axis == "post_training"
    assert phrases[0].text == text
