"""Score the statement classifier against a labelled gold file.

    python -m axes.eval GOLD.jsonl [--cards DIR] [--cv-by-card [--folds N]] [--model PATH] [--json]

Without ``--cv-by-card`` the shipped model (trained on our own statements only, never on gold)
classifies every gold statement: all gold cards are unseen. With ``--cv-by-card`` the model is
retrained per fold on our statements plus the gold statements of the OTHER cards and scored on
the held-out cards (leave-one-card-out by default; ``--folds N`` groups cards into N folds).
``--cards DIR`` gives each card's Markdown so table rows are read with their header row.

Prints per-axis precision / recall / F1, the macro-F1 over the five labels (four axes plus
context; "none" is scored as a class but not averaged), kind accuracy and an axis confusion
matrix.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from axes.facts import LABELS

AXIS_LABELS: tuple[str, ...] = LABELS + ("none",)


def _table_headers(rows: list[dict[str, Any]], cards_dir: Path | None) -> list[str]:
    """For each gold row that is a table row found in its card, the header row; else ""."""
    from axes.classify.segment import segment_card

    if cards_dir is None:
        return [""] * len(rows)
    cache: dict[str, dict[str, str]] = {}
    out = []
    for row in rows:
        card = row.get("card", "")
        if card not in cache:
            path = cards_dir / f"{card}.md"
            headers: dict[str, str] = {}
            if path.is_file():
                for st in segment_card(path.read_text(encoding="utf-8")):
                    if st.table_header:
                        headers.setdefault(st.text.strip(), st.table_header)
            cache[card] = headers
        out.append(cache[card].get(row["text"].strip(), ""))
    return out


def score(
    gold_axes: list[str], pred_axes: list[str], gold_kinds: list[str], pred_kinds: list[str]
) -> dict[str, Any]:
    per_axis: dict[str, dict[str, float]] = {}
    for label in AXIS_LABELS:
        tp = sum(g == p == label for g, p in zip(gold_axes, pred_axes, strict=True))
        n_pred = sum(p == label for p in pred_axes)
        n_gold = sum(g == label for g in gold_axes)
        precision = tp / n_pred if n_pred else 0.0
        recall = tp / n_gold if n_gold else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_axis[label] = {"precision": precision, "recall": recall, "f1": f1, "support": n_gold}
    macro = sum(per_axis[a]["f1"] for a in LABELS) / len(LABELS)
    kind_acc = sum(g == p for g, p in zip(gold_kinds, pred_kinds, strict=True)) / max(
        len(gold_kinds), 1
    )
    axis_acc = sum(g == p for g, p in zip(gold_axes, pred_axes, strict=True)) / max(
        len(gold_axes), 1
    )
    confusion = Counter(zip(gold_axes, pred_axes, strict=True))
    return {
        "n": len(gold_axes),
        "per_axis": per_axis,
        "macro_f1": macro,
        "axis_accuracy": axis_acc,
        "kind_accuracy": kind_acc,
        "confusion": {g: {p: confusion[(g, p)] for p in AXIS_LABELS} for g in AXIS_LABELS},
    }


def _folds(cards: list[str], n_folds: int | None) -> list[list[str]]:
    unique = sorted(set(cards))
    if not n_folds or n_folds >= len(unique):
        return [[c] for c in unique]
    return [unique[i::n_folds] for i in range(n_folds)]


def evaluate(
    rows: list[dict[str, Any]],
    *,
    cards_dir: Path | None = None,
    cv_by_card: bool = False,
    folds: int | None = None,
    model_path: str | None = None,
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    from axes.classify.model import load_model
    from axes.classify.predict import classify_statement
    from axes.classify.train import TRAIN_PATH, read_jsonl, train_model

    headers = _table_headers(rows, cards_dir)
    predictions: list[Any] = [None] * len(rows)
    if cv_by_card:
        own = read_jsonl(TRAIN_PATH)
        cards = [r.get("card", "") for r in rows]
        for held_out in _folds(cards, folds):
            held = set(held_out)
            train_rows = own + [r for r in rows if r.get("card", "") not in held]
            model = train_model(train_rows)
            for i, row in enumerate(rows):
                if row.get("card", "") in held:
                    predictions[i] = classify_statement(
                        row["text"], table_header=headers[i], model=model
                    )
    else:
        model = load_model(model_path)
        for i, row in enumerate(rows):
            predictions[i] = classify_statement(row["text"], table_header=headers[i], model=model)
    gold_kinds = [r["kind"] for r in rows]
    gold_axes = [
        r.get("axis") or ("none" if r["kind"] == "none" else r["kind"].split(".")[0]) for r in rows
    ]
    pred_kinds = [p.kind or "none" for p in predictions]
    pred_axes = [p.axis for p in predictions]
    result = score(gold_axes, pred_axes, gold_kinds, pred_kinds)
    result["mode"] = "cv-by-card" if cv_by_card else "shipped-model"
    details = [
        {
            "card": r.get("card"),
            "text": r["text"],
            "gold": r["kind"],
            "pred": p.kind or "none",
            "confidence": round(p.confidence, 3),
            "extractor": p.extractor,
        }
        for r, p in zip(rows, predictions, strict=True)
    ]
    return result, details


def format_report(result: dict[str, Any]) -> str:
    lines = [f"mode: {result['mode']}   statements: {result['n']}", ""]
    lines.append(f"{'label':<14}{'precision':>10}{'recall':>10}{'f1':>8}{'support':>9}")
    for label, m in result["per_axis"].items():
        lines.append(
            f"{label:<14}{m['precision']:>10.3f}{m['recall']:>10.3f}{m['f1']:>8.3f}{m['support']:>9}"
        )
    lines += [
        "",
        f"axis macro-F1 (5 labels): {result['macro_f1']:.3f}",
        f"axis accuracy:            {result['axis_accuracy']:.3f}",
        f"kind accuracy:            {result['kind_accuracy']:.3f}",
        "",
        "confusion (rows gold, columns predicted):",
        " " * 14 + "".join(f"{p[:6]:>8}" for p in AXIS_LABELS),
    ]
    for g, row in result["confusion"].items():
        lines.append(f"{g:<14}" + "".join(f"{row[p]:>8}" for p in AXIS_LABELS))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m axes.eval", description="Score the statement classifier."
    )
    parser.add_argument("gold", help="gold JSONL: card, text, kind, axis per line")
    parser.add_argument("--cards", help="folder of <card>.md files (table headers as context)")
    parser.add_argument("--cv-by-card", action="store_true", help="retrain per held-out card")
    parser.add_argument(
        "--folds", type=int, help="group cards into N folds (default: one per card)"
    )
    parser.add_argument("--model", help="model.json to score instead of the shipped one")
    parser.add_argument("--json", action="store_true", help="print the metrics as JSON")
    parser.add_argument("--errors", action="store_true", help="also list misclassified statements")
    args = parser.parse_args(argv)
    from axes.classify.train import read_jsonl

    try:
        rows = read_jsonl(args.gold)
    except ValueError as exc:
        parser.error(str(exc))
    if not rows:
        parser.error(f"{args.gold} holds no statements")
    unknown = sorted({r["axis"] for r in rows if "axis" in r} - set(AXIS_LABELS))
    if unknown:
        parser.error(f"{args.gold}: unknown axis label(s) {unknown}; use {list(AXIS_LABELS)}")
    if args.folds is not None and (args.folds < 2 or not args.cv_by_card):
        parser.error("--folds needs --cv-by-card and at least 2 folds")
    cards_dir = Path(args.cards) if args.cards else None
    if cards_dir is not None and not cards_dir.is_dir():
        parser.error(f"--cards {cards_dir} is not a folder")
    try:
        result, details = evaluate(
            rows,
            cards_dir=cards_dir,
            cv_by_card=args.cv_by_card,
            folds=args.folds,
            model_path=args.model,
        )
    except (OSError, ValueError, RuntimeError) as exc:  # --model missing or not a model file
        parser.error(f"cannot score: {type(exc).__name__}: {exc}")
    if args.json:
        print(json.dumps(result, indent=1))
    else:
        print(format_report(result))
    if args.errors:
        for d in details:
            if d["gold"] != d["pred"]:
                print(
                    f"{d['gold']:<28} <- {d['pred']:<28} {d['extractor']:<10} {d['confidence']:.2f} | {d['text'][:90]!r}",
                    file=sys.stderr,
                )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
