"""Classify card statements from stdin, one per line: ``manage.py classify --jsonl [--split]``.

Output, one JSON object per input line:
  --jsonl            {"text", "axis", "kind", "confidence"}  (kind null when axis is "none")
  --jsonl --split    {"text", "phrases": [{"text", "start", "end", "axis", "kind", "confidence"}]}
Blank lines are echoed as {"text": "", "axis": "none", "kind": null, "confidence": 1.0}
(with --split: {"text": "", "phrases": []}) so output line N always answers input line N.
Input that is not UTF-8 stops the command with an error naming the line (exit status 1).
Never touches the database.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Classify statements (one per stdin line) onto the four axes; JSON lines on stdout."
    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--jsonl", action="store_true", help="read lines, write JSON lines (required)"
        )
        parser.add_argument(
            "--split", action="store_true", help="split each line into one-axis phrases"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["jsonl"]:
            raise CommandError("pass --jsonl: statements are read one per line from stdin")
        from axes.classify.phrases import split_phrases
        from axes.classify.predict import classify_statement

        out = self.stdout
        for lineno, raw in enumerate(sys.stdin.buffer, 1):
            try:
                line = raw.decode("utf-8").rstrip("\r\n")
            except UnicodeDecodeError as exc:
                raise CommandError(
                    f"line {lineno} of stdin is not valid UTF-8 (byte {exc.start}); "
                    "re-encode the input as UTF-8 and run again"
                ) from exc
            text = line.strip()
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
