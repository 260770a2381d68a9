"""Classify one statement: rules first for the clear cases, the learned model for the rest.

Precedence (measured on gold-dev with leave-one-card-out cross-validation, see axes/eval.py):
1. A rule with confidence >= RULE_WINS fires: the rule wins (extractor "card_rules").
2. A weaker rule fires: it wins unless the model is at least MODEL_OVERRULES sure of a
   different kind.
3. No rule: the model decides (extractor "card_model"); its probability is the confidence,
   low values are kept and shown as such.
The axis of a model prediction is the axis with the largest summed kind probability, and the
kind is the best kind on that axis: statements often sit between two kinds of the same axis.
"""

from __future__ import annotations

from dataclasses import dataclass

from axes.classify.model import TextModel, load_model
from axes.classify.rules import classify_rules

RULE_WINS = 0.8
MODEL_OVERRULES = 0.6
NONE_BELOW = 0.12  # a model whose best kind is this unsure has found no fact
NONE = "none"


@dataclass(frozen=True, slots=True)
class Prediction:
    axis: str  # backbone / post_training / inference / product / context / none
    kind: str | None  # "axis.kind", None when axis is "none"
    confidence: float
    extractor: str  # "card_rules" or "card_model"

    def to_dict(self) -> dict[str, object]:
        return {
            "axis": self.axis,
            "kind": self.kind,
            "confidence": round(self.confidence, 4),
            "extractor": self.extractor,
        }


def _axis(kind: str) -> str:
    return NONE if kind == NONE else kind.split(".", 1)[0]


def _prediction(kind: str, confidence: float, extractor: str) -> Prediction:
    axis = _axis(kind)
    return Prediction(axis, None if axis == NONE else kind, float(confidence), extractor)


def model_prediction(text: str, model: TextModel) -> Prediction:
    probs = model.predict_proba(text)
    by_axis: dict[str, float] = {}
    for kind, p in probs.items():
        by_axis[_axis(kind)] = by_axis.get(_axis(kind), 0.0) + p
    axis = max(by_axis, key=lambda a: by_axis[a])
    kind = max((k for k in probs if _axis(k) == axis), key=lambda k: probs[k])
    if probs[kind] < NONE_BELOW:
        return _prediction(NONE, probs.get(NONE, 0.0), "card_model")
    return _prediction(kind, probs[kind], "card_model")


MAX_STATEMENT_CHARS = 8000  # the longest line of the shared cards has 4,923


def classify_statement(
    text: str, *, table_header: str = "", model: TextModel | None = None
) -> Prediction:
    """Axis and kind of one card statement (table rows: pass the header row too). A statement
    longer than ``MAX_STATEMENT_CHARS`` is classified by its start: no real card line comes
    near it, and the rules cost time in proportion to the length (a card is untrusted)."""
    if not text.strip():
        return Prediction(NONE, None, 1.0, "card_rules")
    text = text[:MAX_STATEMENT_CHARS]
    rule = classify_rules(text, table_header=table_header)
    if rule and rule.confidence >= RULE_WINS:
        return _prediction(rule.kind, rule.confidence, "card_rules")
    model = model or load_model()
    learned = model_prediction(f"{table_header}\n{text}" if table_header else text, model)
    if rule is None:
        return learned
    learned_kind = learned.kind or NONE
    if learned_kind != rule.kind and learned.confidence >= MODEL_OVERRULES:
        return learned
    return _prediction(rule.kind, rule.confidence, "card_rules")
