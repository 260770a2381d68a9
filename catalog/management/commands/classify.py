"""Classify card statements from stdin, one per line: ``manage.py classify [--jsonl] [--split]``.

Without ``--jsonl``: a readable line per statement (axis, kind, confidence, text; with
``--split`` one indented line per phrase); blank input lines are skipped.

With ``--jsonl``, one JSON object per input line:
  --jsonl            {"text", "axis", "kind", "confidence"}  (kind null when axis is "none")
  --jsonl --split    {"text", "phrases": [{"text", "start", "end", "axis", "kind", "confidence"}]}
Blank lines are echoed as {"text": "", "axis": "none", "kind": null, "confidence": 1.0}
(with --split: {"text": "", "phrases": []}) so output line N always answers input line N.
Input that is not UTF-8 stops the command with an error naming the line (exit status 1); with
``--jsonl`` the last line on stdout is then {"error": {"code": "not_utf8", "message"}}, as
``analyze --json`` says a failure.
Never touches the database.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = (
        "Classify statements (one per stdin line) onto the four axes: a readable line each, "
        "or JSON lines with --jsonl."
    )
    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--jsonl",
            action="store_true",
            help="write one JSON object per input line (blank lines included, so output line N "
            'answers input line N); input that is not UTF-8 ends with {"error": {"code": '
            '"not_utf8", "message": ...}} and a non-zero exit',
        )
        parser.add_argument(
            "--split", action="store_true", help="split each line into one-axis phrases"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from axes.classify.phrases import split_phrases
        from axes.classify.predict import classify_statement

        out = self.stdout
        for lineno, raw in enumerate(sys.stdin.buffer, 1):
            try:
                line = raw.decode("utf-8").rstrip("\r\n")
            except UnicodeDecodeError as exc:
                message = (
                    f"line {lineno} of stdin is not valid UTF-8 (byte {exc.start}); "
                    "re-encode the input as UTF-8 and run again"
                )
                if options["jsonl"]:  # a script reading the lines learns why they stop
                    from axes.cli import error_document

                    out.write(error_document("not_utf8", message))
                raise CommandError(message) from exc
            text = line.strip()
            if not options["jsonl"]:
                if text:
                    self._readable(line, split=options["split"])
                continue
            record: dict[str, Any]
            if options["split"]:
                phrases = split_phrases(line) if text else []
                record = {"text": line, "phrases": [p.to_dict() for p in phrases]}
            elif not text:
                record = {"text": line, "axis": "none", "kind": None, "confidence": 1.0}
            else:
                pred = classify_statement(line)
                record = {
                    "text": line,
                    "axis": pred.axis,
                    "kind": pred.kind,
                    "confidence": round(pred.confidence, 4),
                }
            out.write(json.dumps(record, ensure_ascii=False))
            out.flush()

    def _readable(self, line: str, *, split: bool) -> None:
        """``axis  kind  confidence  text``, aligned; phrases indented under their line."""
        from axes.classify.phrases import split_phrases
        from axes.classify.predict import classify_statement

        def row(axis: str, kind: str | None, confidence: float, text: str, indent: str) -> str:
            return f"{indent}{axis:<13} {kind or '-':<32} {confidence:>4.2f}  {text}"

        out = self.stdout
        if split:
            out.write(line)
            for p in split_phrases(line):
                out.write(row(p.axis or "none", p.kind, p.confidence, p.text, "  "))
        else:
            pred = classify_statement(line)
            out.write(row(pred.axis, pred.kind, pred.confidence, line, ""))
        out.flush()
