"""Every non-config fact of one model: generation config, chat template, card metadata, card prose.

``artifact_facts(arts, report)`` is what ``axes.analysis`` calls next to
``axes.backbone.backbone_facts``; ``report`` (the backbone engine's dict, may be None) is used
only to find card-vs-config contradictions.
"""

from __future__ import annotations

from typing import Any

from axes.analysis import Artifacts
from axes.classify.contradictions import contradiction_facts
from axes.classify.metadata import CardMetadataError, metadata_facts
from axes.classify.predict import Prediction, classify_statement
from axes.classify.runtime import chat_template_facts, generation_facts
from axes.classify.segment import Statement, row_other_model, segment_card
from axes.facts import Evidence, Fact

LOW_CONFIDENCE = 0.5
# Statements of one card that are classified: the longest real cards have ~200 (medgemma's 33
# KB). Unbounded, a 1 MiB card of 30,000 sentences took ~25 s of rules (a web server's timeout
# on upload, and the request lost) and gave a 22 MB model page; past the bound, a note.
CARD_MAX_STATEMENTS = 2_000


def _template(arts: Artifacts) -> tuple[str | None, str]:
    if arts.chat_template:
        return arts.chat_template, "chat_template.jinja"
    raw = (arts.tokenizer_config or {}).get("chat_template")
    if isinstance(raw, str):
        return raw, "tokenizer_config.json"
    if isinstance(raw, list):  # [{"name": "default", "template": ...}, {"name": "tool_use", ...}]
        joined = "\n".join(t.get("template", "") for t in raw if isinstance(t, dict))
        return joined or None, "tokenizer_config.json"
    return None, ""


def card_facts(
    card: str, *, repo_id: str | None = None, notes: list[str] | None = None
) -> tuple[list[Fact], list[tuple[Statement, Prediction]]]:
    """Facts about this model from the card's prose and tables, and every statement read
    about it with its prediction (for the contradiction checks).

    A table row about another model (a sibling's row in the card's model table, a
    competitor's benchmark row; ``segment.row_other_model``) is left out of both: its
    numbers are not this model's and cannot contradict its config.

    Only the first ``CARD_MAX_STATEMENTS`` statements are read; past them, a note in ``notes``.
    """
    facts = []
    classified = []
    for st in segment_card(card):
        if row_other_model(st, repo_id):
            continue
        if len(classified) >= CARD_MAX_STATEMENTS:
            if notes is not None:
                notes.append(
                    f"README.md has more than {CARD_MAX_STATEMENTS:,} statements: only the "
                    f"first {CARD_MAX_STATEMENTS:,} are read."
                )
            break
        pred = classify_statement(st.text, table_header=st.table_header)
        classified.append((st, pred))
        if pred.axis == "none" or pred.kind is None:
            continue
        extra: dict[str, Any] = {"heading": st.heading}
        if st.table_header:
            extra["table_header"] = st.table_header
        if pred.confidence < LOW_CONFIDENCE:
            extra["low_confidence"] = True
        facts.append(
            Fact(
                pred.axis,
                pred.kind,
                st.text,
                Evidence("README.md", st.locator, st.text),
                confidence=pred.confidence,
                extractor=pred.extractor,
                extra=extra,
            )
        )
    return facts, classified


def artifact_facts(arts: Artifacts, report: dict[str, Any] | None = None) -> list[Fact]:
    facts: list[Fact] = []
    if arts.generation_config:
        facts += generation_facts(arts.generation_config)
    template, source = _template(arts)
    if template:
        facts += chat_template_facts(template, source=source)
    if arts.card:
        try:
            facts += metadata_facts(arts.card)
        except CardMetadataError as exc:
            facts.append(
                Fact(
                    "context",
                    "context.provenance",
                    str(exc),
                    Evidence("README.md", "L1", "---"),
                    confidence=1.0,
                    extractor="metadata",
                    extra={"flag": "unreadable_metadata"},
                )
            )
        prose, classified = card_facts(arts.card, repo_id=arts.repo_id, notes=arts.notes)
        facts += prose
        facts += contradiction_facts(classified, config=arts.config, report=report)
    return facts
