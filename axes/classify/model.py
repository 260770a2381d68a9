"""The learned statement model: TF-IDF + multinomial logistic regression, predicted in pure Python.

Stored as JSON (never pickle): for each feature its idf and the non-negligible class weights.
Prediction is a sparse dot product and a softmax, so the web process needs neither numpy nor
scikit-learn to classify. Loading the file (once per process) is about its JSON parse time.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from axes.classify.features import analyze

MODEL_PATH = Path(__file__).resolve().parent / "data" / "model.json"
FORMAT_VERSION = 1


class ModelMissingError(RuntimeError):
    """The trained model file is absent: run ``make classifier``."""


@dataclass
class TextModel:
    classes: list[str]  # kinds, plus "none"
    intercept: list[float]
    idf: dict[str, float]
    weights: dict[str, list[Any]]  # feature -> [(class index, weight)] pairs
    meta: dict[str, Any]

    def vector(self, text: str) -> dict[str, float]:
        counts = Counter(f for f in analyze(text) if f in self.idf)
        vec = {f: (1.0 + math.log(n)) * self.idf[f] for f, n in counts.items()}
        norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
        return {f: v / norm for f, v in vec.items()}

    def predict_proba(self, text: str) -> dict[str, float]:
        scores = list(self.intercept)
        for feat, value in self.vector(text).items():
            for ci, w in self.weights.get(feat, ()):
                scores[ci] += value * w
        top = max(scores)
        exps = [math.exp(s - top) for s in scores]
        total = sum(exps)
        return {c: e / total for c, e in zip(self.classes, exps, strict=True)}

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT_VERSION,
            "meta": self.meta,
            "classes": self.classes,
            "intercept": [round(b, 5) for b in self.intercept],
            "features": {
                f: [round(self.idf[f], 4), [[ci, round(w, 4)] for ci, w in self.weights.get(f, [])]]
                for f in sorted(self.idf)
            },
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TextModel:
        if data.get("format") != FORMAT_VERSION:
            raise ModelMissingError(
                f"model.json has format {data.get('format')!r}, expected {FORMAT_VERSION}: "
                "run `make classifier` to retrain it"
            )
        # JSON already gives ints and floats: the pairs are used as loaded ([class, weight]
        # lists), which keeps loading the 1 MB file to its parse time
        features = data["features"]
        idf = {f: v[0] for f, v in features.items()}
        weights = {f: v[1] for f, v in features.items()}
        return cls(
            list(data["classes"]), list(data["intercept"]), idf, weights, data.get("meta", {})
        )


@lru_cache(maxsize=4)
def load_model(path: str | None = None) -> TextModel:
    model_path = Path(path) if path else MODEL_PATH
    if not model_path.is_file():
        if path:  # a file the caller named: the bundled model's remedy does not apply
            raise ModelMissingError(f"{model_path} is not a file: pass a trained model.json")
        raise ModelMissingError(
            f"{model_path} is missing: run `make classifier` (python -m axes.classify.train)"
        )
    return TextModel.from_json(json.loads(model_path.read_text(encoding="utf-8")))
