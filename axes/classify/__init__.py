"""The four-axis classifier for everything that is not config.json.

Public entry points (imported lazily so ``import axes.classify`` stays cheap):
``artifact_facts``, ``classify_statement``, ``segment_card``, ``split_phrases``, and the
records ``Prediction``, ``Statement``, ``Phrase``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from axes.classify.artifacts import artifact_facts
    from axes.classify.phrases import Phrase, split_phrases
    from axes.classify.predict import Prediction, classify_statement
    from axes.classify.segment import Statement, segment_card

__all__ = [
    "Phrase",
    "Prediction",
    "Statement",
    "artifact_facts",
    "classify_statement",
    "segment_card",
    "split_phrases",
]

_HOMES = {
    "artifact_facts": "axes.classify.artifacts",
    "Phrase": "axes.classify.phrases",
    "split_phrases": "axes.classify.phrases",
    "Prediction": "axes.classify.predict",
    "classify_statement": "axes.classify.predict",
    "Statement": "axes.classify.segment",
    "segment_card": "axes.classify.segment",
}


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        import importlib

        return getattr(importlib.import_module(_HOMES[name]), name)
    raise AttributeError(f"module 'axes.classify' has no attribute {name!r}")
