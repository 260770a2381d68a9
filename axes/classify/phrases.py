"""Split a sentence that mixes axes into phrases, each on one axis, with character spans.

"X is a 30.5B MoE with 128 experts, refined with four-stage RL, switches thinking on with
/think, and calls tools through Qwen-Agent." holds four facts on four axes. We cut at sentence
ends first (not after "e.g." and other abbreviations), then at clause
boundaries (commas, semicolons, "and", "while", "but", "whereas"; German "und", "sowie",
"während"; Korean "그리고" and the connective endings "-고", "-며", "-면서", "-지만"), classify
each clause, try a second cut at "with" / "using" / "via" / "through" (German "mit", "über",
"durch"; Korean "-(으)로") only where it separates two different axes,
then fold clauses without a fact into their neighbour and merge neighbours on the same axis.
Spans index the input: ``text[p.start:p.end] == p.text``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from axes.classify.predict import Prediction, classify_statement

_CLAUSE_CUT = re.compile(
    r"\s*[,;，、；]\s+(?:and\s+|or\s+|while\s+|but\s+|whereas\s+|plus\s+"
    r"|und\s+|sowie\s+|oder\s+|aber\s+|während\s+|wobei\s+|그리고\s+|또한\s+|및\s+)?"
    r"|\s+(?:and|while|whereas|but|plus|und|sowie|aber|während|wobei|그리고|또한|및)\s+(?=\S)"
    # Korean connective endings close a clause where English would put "and"/"while":
    # "MoE이고 RL로 학습했으며 도구를 호출합니다" -> cut after "-고", "-며", "-면서", "-지만"
    r"|(?:(?<=[\uac00-\ud7a3][고며])|(?<=면서)|(?<=지만))\s+(?=\S)",
    re.IGNORECASE,
)
# second cut, kept only where it separates two axes: "with"/"mit", and the Korean
# instrumental particle "-(으)로" ("Qwen-Agent로 도구를 호출" = "calls tools through Qwen-Agent")
_INNER_CUT = re.compile(
    r"\s+(?:with|using|via|through|mit|mittels|über|durch|per)\s+|(?<=\S로)\s+(?=\S)",
    re.IGNORECASE,
)
# Sentence ends come first: "SFT and DPO. RoPE theta is 500000." is two statements, whatever
# the clause cuts make of them. A full stop (!, ?, 。) and white space before a capital, a digit,
# a quote or bracket, or Hangul; not after an abbreviation (below) or a single letter ("U.S.").
# A Korean sentence closed by a full stop after Hangul ("sampling한다. context window 128K.")
# ends there whatever follows: the next one may open with a lower-case English term.
_SENTENCE_END = re.compile(
    r"(?<=[.!?。])\s+(?=[\"'(\[A-Z0-9\u00c0-\u00de\uac00-\ud7a3])"
    r"|(?<=[\uac00-\ud7a3][.!?])\s+(?=\S)"
)
_ABBREVIATIONS = frozenset(
    "e.g. i.e. vs. etc. approx. cf. fig. eq. no. dr. mr. ms. inc. ltd. co. al. "
    "z.b. bzw. ca. ggf. usw. vgl. d.h. u.a. s. nr. bspw. evtl. inkl. mrd. mio. bio. tsd.".split()
)
MIN_FACT_CONFIDENCE = 0.35  # a model guess below this is "no fact" for splitting purposes


@dataclass(frozen=True, slots=True)
class Phrase:
    text: str
    start: int
    end: int
    axis: str  # an axis, "context", or "none"
    kind: str | None
    confidence: float

    def to_dict(self) -> dict[str, object]:
        return {
            "text": self.text,
            "start": self.start,
            "end": self.end,
            "axis": self.axis,
            "kind": self.kind,
            "confidence": round(self.confidence, 4),
        }


def _pieces(text: str, start: int, end: int, cut: re.Pattern[str]) -> list[tuple[int, int]]:
    spans = []
    pos = start
    for m in cut.finditer(text, start, end):
        if m.start() > pos:
            spans.append((pos, m.start()))
        pos = m.end()
    if pos < end:
        spans.append((pos, end))
    return spans


def _sentences(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Spans of the sentences of ``text[start:end]`` (see ``_SENTENCE_END``)."""
    spans = []
    pos = start
    for m in _SENTENCE_END.finditer(text, start, end):
        word = text[pos : m.start()].rsplit(None, 1)[-1].lower() if m.start() > pos else ""
        word = word.lstrip("(\"'[")
        if word in _ABBREVIATIONS or re.fullmatch(r"(?:[a-z]\.)+", word):
            continue
        spans.append((pos, m.start()))
        pos = m.end()
    if pos < end:
        spans.append((pos, end))
    return spans


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and (text[start].isspace() or text[start] in ",;，、；"):
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in ",;，、；"):
        end -= 1
    return start, end


def _has_fact(pred: Prediction) -> bool:
    if pred.axis == "none":
        return False
    return pred.extractor == "card_rules" or pred.confidence >= MIN_FACT_CONFIDENCE


def split_phrases(text: str) -> list[Phrase]:
    """Phrases of ``text``, each on exactly one axis (``none`` only if nothing has a fact)."""
    start, end = _trim(text, 0, len(text))
    if start >= end:
        return []
    clauses: list[tuple[int, int, Prediction]] = []
    pieces = [
        piece
        for ss, se in _sentences(text, start, end)
        for piece in _pieces(text, ss, se, _CLAUSE_CUT)
    ]
    for cs, ce in pieces:
        cs, ce = _trim(text, cs, ce)
        if cs >= ce:
            continue
        whole = classify_statement(text[cs:ce])
        inner = [
            (s, e, classify_statement(text[s:e])) for s, e in _pieces(text, cs, ce, _INNER_CUT)
        ]
        inner_axes = {p.axis for _, _, p in inner if _has_fact(p)}
        if len(inner) > 1 and len(inner_axes) > 1:
            clauses.extend(inner)
        else:
            clauses.append((cs, ce, whole))
    # fold clauses without a fact into the previous clause (or the next, at the start)
    groups: list[list[int | Prediction]] = []  # [start, end, prediction]
    pending_start: int | None = None
    for cs, ce, pred in clauses:
        if not _has_fact(pred):
            if groups:
                groups[-1][1] = ce
            elif pending_start is None:
                pending_start = cs
            continue
        if pending_start is not None:
            cs, pending_start = pending_start, None
        if groups and groups[-1][2].axis == pred.axis:  # type: ignore[union-attr]
            prev = groups[-1][2]
            groups[-1][1] = ce
            if pred.confidence > prev.confidence:  # type: ignore[union-attr]
                groups[-1][2] = pred
            continue
        groups.append([cs, ce, pred])
    if not groups:
        pred = classify_statement(text[start:end])
        return [Phrase(text[start:end], start, end, pred.axis, pred.kind, pred.confidence)]
    if pending_start is not None:  # only fact-less clauses trailed: nothing to do
        pass
    phrases = []
    for gs, ge, pred in groups:
        gs, ge = _trim(text, int(gs), int(ge))  # type: ignore[arg-type]
        phrases.append(Phrase(text[gs:ge], gs, ge, pred.axis, pred.kind, pred.confidence))  # type: ignore[union-attr]
    return phrases
