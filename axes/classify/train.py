"""Train the statement model and write ``axes/classify/data/model.json``.

    python -m axes.classify.train                  # our own statements only (the committed file)
    python -m axes.classify.train --gold GOLD.jsonl --out /tmp/model.json   # add labelled gold

scikit-learn is needed here only; prediction (``model.py``) is pure Python. Training is
deterministic (liblinear-free lbfgs, fixed data order), so the file is reproducible.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from axes.classify.features import analyze
from axes.classify.model import MODEL_PATH, TextModel

TRAIN_PATH = Path(__file__).resolve().parent / "data" / "train.jsonl"
C_REGULARIZATION = 8.0
WEIGHT_FLOOR = 0.05  # weights below this barely move a score; dropping them keeps the file small


def read_jsonl(path: str | Path) -> list[dict[str, Any]]:
    """Labelled statements, one JSON object per line; ``ValueError`` names the file and line
    of whatever is wrong (missing or unreadable file, bad JSON, a line without text/kind)."""
    rows = []
    try:
        with open(path, encoding="utf-8") as fh:
            for n, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                try:
                    row = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise ValueError(f"{path}:{n}: not JSON ({exc.msg})") from exc
                if (
                    not isinstance(row, dict)
                    or not isinstance(row.get("text"), str)
                    or (not isinstance(row.get("kind"), str))
                ):
                    raise ValueError(f"{path}:{n}: each line needs 'text' and 'kind' strings")
                rows.append(row)
    except OSError as exc:
        raise ValueError(f"{path}: cannot be read ({exc.strerror or exc})") from exc
    except UnicodeDecodeError as exc:
        raise ValueError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    return rows


def train_model(rows: list[dict[str, Any]], *, meta: dict[str, Any] | None = None) -> TextModel:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    texts = [r["text"] for r in rows]
    labels = [r["kind"] for r in rows]
    vectorizer = TfidfVectorizer(analyzer=analyze, sublinear_tf=True, min_df=2)
    matrix = vectorizer.fit_transform(texts)
    clf = LogisticRegression(C=C_REGULARIZATION, max_iter=3000)
    clf.fit(matrix, labels)
    classes = [str(c) for c in clf.classes_]
    features = vectorizer.get_feature_names_out()
    idf: dict[str, float] = {}
    weights: dict[str, list[tuple[int, float]]] = {}
    coef = clf.coef_
    for j, feat in enumerate(features):
        col = [
            (ci, float(coef[ci, j]))
            for ci in range(len(classes))
            if abs(coef[ci, j]) >= WEIGHT_FLOOR
        ]
        if col:
            idf[str(feat)] = float(vectorizer.idf_[j])
            weights[str(feat)] = col
    return TextModel(
        classes=classes,
        intercept=[float(b) for b in clf.intercept_],
        idf=idf,
        weights=weights,
        meta={"rows": len(rows), "C": C_REGULARIZATION, **(meta or {})},
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train", default=str(TRAIN_PATH), help="our own labelled statements")
    parser.add_argument("--gold", action="append", default=[], help="extra labelled JSONL")
    parser.add_argument("--out", default=str(MODEL_PATH))
    args = parser.parse_args(argv)
    rows = read_jsonl(args.train)
    for gold in args.gold:
        rows += read_jsonl(gold)
    sources = [Path(args.train).name] + [Path(g).name for g in args.gold]
    model = train_model(rows, meta={"sources": sources})
    Path(args.out).write_text(
        json.dumps(model.to_json(), separators=(",", ":"), ensure_ascii=False) + "\n",
        encoding="utf-8",
    )
    size_kib = Path(args.out).stat().st_size // 1024
    print(
        f"wrote {args.out}: {len(rows)} statements, {len(model.classes)} classes, "
        f"{len(model.idf)} features, {size_kib} KiB"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
