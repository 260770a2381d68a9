"""classify_statement on statements we wrote (not gold): the rules' hard cases and the model
fallback, with the extractor and confidence every prediction records."""

from __future__ import annotations

import pytest

from axes.classify.predict import classify_statement
from axes.classify.rules import classify_rules

CASES = [
    ("We align the model with DPO on 200K preference pairs.", "post_training.preference"),
    ("The reasoning variant was trained with GRPO on math problems.", "post_training.rl"),
    ("This adapter was trained with QLoRA on one GPU.", "post_training.adapter"),
    ("The final checkpoint is a SLERP merge of two parents.", "post_training.merge"),
    ("base_model: mistralai/Mistral-7B-v0.1", "post_training.lineage"),
    ("license: apache-2.0", "context.license"),
    ("We suggest temperature=0.7 and top_p=0.8.", "inference.sampling"),
    ("vllm serve my-org/my-model --tensor-parallel-size 4", "inference.serving"),
    ("Load it with load_in_4bit=True to fit a 12 GB card.", "inference.serving"),
    ("The weights are stored as AWQ int4.", "backbone.weights_format"),
    ("Add /no_think to a user turn to answer without reasoning.", "inference.reasoning_mode"),
    ("It supports function calling with JSON schemas.", "product.tool_use"),
    ("Pretrained on 9 trillion tokens of web and code data.", "context.pretraining"),
    ("| MMLU | 70.1 | 65.3 | 61.0 |", "context.evaluation"),
    ("- Number of Layers: 40", "backbone.layers"),
    ("It has 64 routed experts with top-6 routing.", "backbone.moe"),
    ("To go past 32K tokens, enable YaRN in the serving config.", "inference.context_runtime"),
    (
        "The default max_position_embeddings in config.json is set to 32,768.",
        "backbone.context_length",
    ),
    (
        "For benchmarks requiring sampling we use temperature 0.6 to estimate pass@1.",
        "context.evaluation",
    ),
    (
        "Speculative decoding with the MTP head as the draft doubles throughput.",
        "inference.decoding",
    ),
    ("Use Llama Guard to filter unsafe responses.", "product.guardrails"),
    ("**Context length**: the model supports a 4,096-token window.", "backbone.context_length"),
]


@pytest.mark.parametrize(("text", "kind"), CASES)
def test_clear_cases(text: str, kind: str) -> None:
    pred = classify_statement(text)
    assert pred.kind == kind, pred
    assert pred.axis == kind.split(".")[0]
    assert pred.extractor == "card_rules"
    assert 0.5 <= pred.confidence <= 1.0


def test_table_row_uses_its_header() -> None:
    row = "| Ours | 8 | 2 | 64 |"
    assert classify_rules(row) is not None  # a numeric row alone reads as scores
    spec = classify_statement("| Number of experts | — | **32** | 40 |")
    assert spec.kind == "backbone.moe"


def test_model_fallback_keeps_low_confidence() -> None:
    pred = classify_statement("Our assistant keeps a notebook of user preferences across chats.")
    assert pred.extractor in ("card_model", "card_rules")
    assert 0.0 <= pred.confidence <= 1.0
    if pred.extractor == "card_model":
        assert pred.kind is None or pred.kind.startswith(pred.axis + ".")


def test_none_and_blank() -> None:
    assert classify_statement("   ").axis == "none"
    pred = classify_statement("If you use this model, please cite our paper.")
    assert pred.axis == "none" and pred.kind is None


def test_model_is_plain_json_and_small() -> None:
    # Load time is a benchmark matter, not a test assertion (timed tests are flaky on CI).
    import json

    from axes.classify.model import MODEL_PATH, TextModel

    model = TextModel.from_json(json.loads(MODEL_PATH.read_text(encoding="utf-8")))
    assert "none" in model.classes and "inference.sampling" in model.classes
    probs = model.predict_proba("recommended temperature and top_p")
    assert abs(sum(probs.values()) - 1.0) < 1e-9
    assert MODEL_PATH.stat().st_size < 2_000_000


def test_runs_of_spaces_and_digits_cannot_backtrack() -> None:
    """Card lines are untrusted. Outside character classes every rule's white-space and digit
    runs are possessive (and a digit run is entered at its start only): "^\\s*[-*|]?\\s*\\**\\s*"
    backtracked cubically (5 s on 1,000 spaces, hours on 10,000), the size rules
    quadratically on long digit runs."""
    import re

    from axes.classify.rules import RULES
    from axes.classify.textre import linear_runs

    assert linear_runs(r"^\s*[-*|]?\s*\**\s*(GPUs?)") == r"^\s*+[-*|]?\s*+\**\s*+(GPUs?)"
    assert linear_runs(r"\d+(?:[.,]\d+)?\s+B") == r"(?<!\d)\d++(?:[.,](?<!\d)\d++)?\s++B"
    assert linear_runs(r"[\s*+]x\s*?y\d+?") == r"[\s*+]x\s*?y\d+?"  # classes, lazy: as written
    for rule in RULES:
        source = rule.pattern.pattern
        bare = re.sub(r"\[(?:\\.|[^\]\\])*\]", "", source)  # character classes aside
        assert not re.search(r"\\s[*+](?![+?])|\\d\+(?![+?])", bare), (rule.name, source)


@pytest.mark.timeout(120)  # a hang guard, not a speed test: the old rules took hours on spaces
@pytest.mark.parametrize(
    "text",
    [" " * 10_000, "1" * 10_000, "| " * 5_000, "a-" * 5_000, "x" * 10_000, "가" * 10_000],
    ids=["spaces", "digits", "pipes", "dashes", "letters", "hangul"],
)
def test_pathological_lines_are_classified(text: str) -> None:
    from axes.classify.phrases import split_phrases

    assert classify_statement(text).axis in {"none", "context"}
    phrases = split_phrases(text)
    assert all(text[p.start : p.end] == p.text for p in phrases)


@pytest.mark.parametrize(
    ("text", "distillation"),
    [
        ("We fine-tuned on 800k samples generated by Qwen2.5-72B.", True),
        ("The student learns from traces generated by GPT-4o.", True),
        ("Knowledge distillation from a larger teacher model.", True),
        ("The outputs generated by Acme are for research only.", False),
        ("Results use data generated by the Imaging Research Network.", False),
    ],
)
def test_distillation_needs_a_teacher_model(text: str, distillation: bool) -> None:
    """ "generated by" is distillation when training data comes from a named model (a name
    with a version or hyphen), not for a model's own outputs or an institution's data."""
    assert (classify_statement(text).kind == "post_training.distillation") is distillation


@pytest.mark.parametrize(
    "text",
    [
        "12 gated attention layers",
        "Uses Gated DeltaNet and gated attention.",
        "The gated MLP uses SiLU.",
    ],
)
def test_a_gated_block_is_architecture_not_access_gating(text):
    """ "12 gated attention layers" (Qwen3-Next) was marked in the exercise as belonging to
    Context, read as a licence: "gated" also says a Hub repo's access is gated."""
    from axes.classify import split_phrases

    (phrase,) = split_phrases(text)
    assert phrase.to_dict()["axis"] == "backbone", phrase.to_dict()


@pytest.mark.parametrize(
    "text", ["This is a gated model: accept the conditions to access it.", "Access is gated."]
)
def test_access_gating_is_still_the_licence(text):
    from axes.classify import split_phrases

    (phrase,) = split_phrases(text)
    assert phrase.to_dict()["kind"] == "context.license", phrase.to_dict()
