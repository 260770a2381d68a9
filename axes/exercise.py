"""Score a four-row exercise table against what the app found for a model.

The exercise: a reader writes, for one model, what they believe about its backbone, its
post-training, how it is run (inference) and what it is wrapped in (product). ``exercise_check``
splits every row into phrases with the statement classifier, marks the phrases written on the
wrong axis (and names the axis they belong to), lists what the app found per axis with its
evidence, and names the axis with the least sourced evidence: where a model card's marketing has
the most room.

Pure: no Django, no network. The "lesson" engineer extends this for closed models, so the output
is a plain JSON-serializable dict and every step is a small function.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from itertools import chain
from typing import Any

from axes.claims import Claim, claim_judge, fact_values, text_reading
from axes.facts import AXES, LABELS
from axes.taxonomy import AXIS_TITLES

MAX_ROW_CHARS = 2000  # longer rows are cut here, and the result says so
MIN_CONFIDENCE = 0.5  # below this a phrase is "unsure", never marked wrong
FOUND_PER_AXIS_MAX = 12  # facts listed per axis in the result

# Evidence from these sources is read off the weights' own description, not claimed in prose.
HARD_SOURCES = ("config.json", "generation_config.json", "model.safetensors.index.json")

Phrase = dict[str, Any]
Splitter = Callable[[str], list[Phrase]]


def _default_splitter() -> Splitter | None:
    try:
        from axes.classify import split_phrases
    except ImportError:  # the classifier is optional for the exercise: rows stay unscored
        return None
    return split_phrases


def rows_clean(rows: dict[str, Any]) -> tuple[dict[str, str], list[str]]:
    """Keep the four axes, as text, each capped at MAX_ROW_CHARS. Returns (rows, cut axes)."""
    clean: dict[str, str] = {}
    cut: list[str] = []
    for axis in AXES:
        value = rows.get(axis, "") if isinstance(rows, dict) else ""
        text = value if isinstance(value, str) else str(value or "")
        text = text.replace("\x00", "").strip()
        if len(text) > MAX_ROW_CHARS:
            text = text[:MAX_ROW_CHARS]
            cut.append(axis)
        clean[axis] = text
    return clean, cut


def _phrase_verdict(row_axis: str, phrase: Phrase) -> str:
    predicted = phrase.get("axis")
    confidence = float(phrase.get("confidence") or 0.0)
    if predicted not in LABELS or confidence < MIN_CONFIDENCE:
        return "unsure"
    return "ok" if predicted == row_axis else "misplaced"


def row_check(row_axis: str, text: str, splitter: Splitter | None) -> dict[str, Any]:
    """Split one row into phrases and judge each against the row's axis."""
    if not text:
        return {"text": "", "empty": True, "phrases": [], "ok": 0, "misplaced": 0, "unsure": 0}
    if splitter is None:
        raw: list[Phrase] = [{"start": 0, "end": len(text), "axis": None, "confidence": 0.0}]
    else:
        # axes.classify returns Phrase records; plain dicts are accepted too.
        raw = [p.to_dict() if hasattr(p, "to_dict") else p for p in splitter(text)]
    phrases: list[dict[str, Any]] = []
    for item in raw:
        start = int(item.get("start", 0))
        end = int(item.get("end", len(text)))
        phrase_text = item.get("text") or text[start:end]
        if not str(phrase_text).strip():
            continue
        verdict = _phrase_verdict(row_axis, item)
        phrases.append(
            {
                "text": str(phrase_text).strip(),
                "start": start,
                "end": end,
                "axis": item.get("axis"),
                "kind": item.get("kind"),
                "confidence": round(float(item.get("confidence") or 0.0), 3),
                "verdict": verdict,
            }
        )
    counts = {
        v: sum(1 for p in phrases if p["verdict"] == v) for v in ("ok", "misplaced", "unsure")
    }
    return {"text": text, "empty": False, "phrases": phrases, **counts}


# One concept the taxonomy files on two axes, by what the model's files make of it: the context
# window is the backbone's native positions where a config.json gives them, and the serving
# limit a vendor documents for a closed model's API ("Context at run time", on inference).
TWIN_KINDS: dict[str, str] = {
    "backbone.context_length": "inference.context_runtime",
    "inference.context_runtime": "backbone.context_length",
}


def twins_accept(checked: dict[str, dict[str, Any]], facts: list[dict[str, Any]]) -> None:
    """A phrase the classifier files under one of TWIN_KINDS, written on the row of its twin,
    is on the right axis when the model's own facts have the twin: the page lists it there
    ("The model's files say"), so "belongs to Backbone" next to it contradicted the page, and
    the phrase is then checked against those facts (a wrong number reads as contradicted)."""
    kinds = {str(f.get("kind") or "") for f in facts}
    for axis, row in checked.items():
        for phrase in row.get("phrases", []):
            twin = TWIN_KINDS.get(str(phrase.get("kind") or ""))
            if phrase["verdict"] != "misplaced" or not twin or twin not in kinds:
                continue
            if twin.split(".", 1)[0] != axis:
                continue
            phrase.update(verdict="ok", axis=axis, kind=twin)
            row["misplaced"] -= 1
            row["ok"] += 1


def _is_sourced(fact: dict[str, Any]) -> bool:
    evidence = fact.get("evidence") or {}
    return bool(evidence.get("source")) and bool(evidence.get("locator") or evidence.get("text"))


def _is_hard(fact: dict[str, Any]) -> bool:
    source = str((fact.get("evidence") or {}).get("source") or "")
    return source in HARD_SOURCES or source.startswith("safetensors")


def facts_by_axis(facts: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    grouped: dict[str, list[dict[str, Any]]] = {label: [] for label in LABELS}
    for fact in facts:
        axis = fact.get("axis")
        if axis in grouped:
            grouped[axis].append(fact)
    return grouped


def evidence_counts(facts: list[dict[str, Any]]) -> dict[str, dict[str, int]]:
    """Per axis: facts, facts with evidence, and facts read off config/weights (hard)."""
    grouped = facts_by_axis(facts)
    return {
        axis: {
            "facts": len(grouped[axis]),
            "sourced": sum(1 for f in grouped[axis] if _is_sourced(f)),
            "hard": sum(1 for f in grouped[axis] if _is_sourced(f) and _is_hard(f)),
        }
        for axis in AXES
    }


def weakest_axis(counts: dict[str, dict[str, int]]) -> str:
    """The axis with the least sourced evidence; ties go to the later axis (product first),
    since the application layer is the one a card describes least concretely."""
    return min(AXES, key=lambda axis: (counts[axis]["sourced"], -AXES.index(axis)))


def exercise_check(
    rows: dict[str, str],
    facts: list[dict[str, Any]],
    *,
    splitter: Splitter | None = None,
    model_name: str = "",
    model_known: bool | None = None,
    gettext: Callable[[str], str] = lambda s: s,
    ngettext: Callable[[str, str, int], str] | None = None,
    model_candidates: list[str] | None = None,
    model_title: str = "",
) -> dict[str, Any]:
    """Check a filled table. ``facts`` are the stored ``Fact.to_dict()`` records of the model
    (empty for an unknown model: rows are still split and judged). ``lesson_scores_add`` adds
    per-axis scores (on the right axis; backed by a source, by the vendor's word, or nothing)
    and the vaguest axis with a sentence (``gettext`` translates it)."""
    splitter = splitter if splitter is not None else _default_splitter()
    clean, cut = rows_clean(rows)
    checked = {axis: row_check(axis, clean[axis], splitter) for axis in AXES}
    twins_accept(checked, facts)
    grouped = facts_by_axis(facts)
    counts = evidence_counts(facts)
    found = {
        label: sorted(grouped[label], key=lambda f: -float(f.get("confidence") or 0.0))[
            :FOUND_PER_AXIS_MAX
        ]
        for label in LABELS
    }
    total = {v: sum(r[v] for r in checked.values()) for v in ("ok", "misplaced", "unsure")}
    result = {
        "rows": checked,
        "truncated_axes": cut,
        "max_row_chars": MAX_ROW_CHARS,
        "classifier_available": splitter is not None,
        "found": found,
        "evidence_counts": counts,
        "weakest_axis": weakest_axis(counts) if facts else None,
        "empty_rows": [axis for axis in AXES if checked[axis]["empty"]],
        "totals": total,
    }
    return lesson_scores_add(
        result,
        facts,
        model_name=model_name,
        model_known=model_known,
        gettext=gettext,
        ngettext=ngettext,
        model_candidates=model_candidates,
        model_title=model_title,
    )


def exercise_markdown(
    *,
    model_name: str,
    rows: dict[str, str],
    result: dict[str, Any] | None,
    titles: dict[str, str],
    headings: tuple[str, str, str, str] = (
        "Axis",
        "What I believe",
        "Check",
        "Least sourced evidence",
    ),
    lesson_labels: dict[str, str] | None = None,
    vaguest_reason: str | None = None,
    phrase_labels: dict[str, str] | None = None,
) -> str:
    """The table as Markdown for download. Pipes and newlines are escaped so cells stay cells;
    ``titles``, ``headings`` and ``phrase_labels`` come translated from the web layer. The check
    cell says, per phrase, what the page says: ✓, ✗ and the axis it belongs to, or "? unsure",
    then how it is backed."""

    def cell(text: str) -> str:
        text = text.replace("\\", "\\\\").replace("|", "\\|").replace("\r", "")
        # Rows are the user's text: a Markdown viewer must not run their HTML.
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        return text.replace("\n", "<br>")

    labels = {**PHRASE_LABELS_EN, **(phrase_labels or {})}

    def phrase_note(p: dict[str, Any]) -> str:
        verdict = p.get("verdict")
        if verdict == "misplaced":
            axis = titles.get(p.get("axis") or "", p.get("axis") or "?")
            note = "\u2717 " + labels["belongs"] % {"axis": axis}
        elif verdict == "ok":
            note = "\u2713"
        else:
            note = "? " + labels["unsure"]
        support = p.get("support")
        if support in labels:
            note += f" \u00b7 {labels[support]}"
            missing = p.get("support_missing") or []
            if missing and support != "undisclosed":
                note += ": " + ", ".join(labels["quoted"] % {"text": m} for m in missing)
            against = p.get("support_against") or []
            if support == "conflicts" and against:
                note += (
                    " ("
                    + "; ".join(
                        labels["quoted"] % {"text": f.get("claim", "")}
                        + f" \u2260 {f.get('source', '')}"
                        for f in against
                    )
                    + ")"
                )
        return labels["quoted"] % {"text": p.get("text", "")} + f" {note}"

    axis_h, belief_h, check_h, weakest_h = headings
    lines = [
        f"# {cell(model_name) or 'Exercise'}",
        "",
        f"| {axis_h} | {belief_h} | {check_h} |",
        "|---|---|---|",
    ]
    checked = (result or {}).get("rows", {})
    for axis in AXES:
        row = checked.get(axis) or {}
        note = cell("; ".join(phrase_note(p) for p in row.get("phrases", [])))
        lines.append(f"| {titles.get(axis, axis)} | {cell(rows.get(axis, ''))} | {note} |")
    weakest = (result or {}).get("weakest_axis")
    if weakest and not (result or {}).get("vaguest"):  # as the page: the lesson's axis wins
        lines += ["", f"{weakest_h}: {titles.get(weakest, weakest)}"]
    lines += lesson_markdown(result, titles, labels=lesson_labels, vaguest_reason=vaguest_reason)
    return "\n".join(lines) + "\n"


# What the page says next to each phrase (templates/catalog/_exercise_result.html and
# _phrase_support.html), in English; the web layer passes them translated.
PHRASE_LABELS_EN: dict[str, str] = {
    "unsure": "unsure",
    "belongs": "belongs to %(axis)s",
    "sourced": "backed by a source",
    "vendor_claim": "the vendor's word only",
    "undisclosed": "undisclosed by the vendor",
    "conflicts": "contradicted by a source",
    "not_found": "not found",
    # the marks a language quotes the learner's words with (German: „so“)
    "quoted": "\u201c%(text)s\u201d",
}

LESSON_LABELS_EN: dict[str, str] = {
    "scores": "Scores",
    "phrases": "Phrases",
    "on_axis": "On the right axis",
    "sourced": "Backed by a source",
    "vendor_claim": "Vendor's word only",
    "undisclosed": "Undisclosed",
    "not_found": "Not found",
    "vaguest": "Vaguest axis",
    "model_message": "",
}


def lesson_markdown(
    result: dict[str, Any] | None,
    titles: dict[str, str],
    *,
    labels: dict[str, str] | None = None,
    vaguest_reason: str | None = None,
) -> list[str]:
    """The lesson's score table and the vaguest-axis sentence, as Markdown lines."""
    scores = (result or {}).get("scores")
    if not scores:
        return []
    text = {**LESSON_LABELS_EN, **(labels or {})}
    cols = ("phrases", "on_axis", "sourced", "vendor_claim", "undisclosed", "not_found")
    lines = [
        "",
        f"## {text['scores']}",
        "",
        "| | " + " | ".join(text[c] for c in cols) + " |",
        "|---|" + "---:|" * len(cols),
    ]
    for axis in AXES:
        s = scores.get(axis) or {}
        values = [
            s.get("phrases", 0),
            s.get("on_axis", 0),
            s.get("sourced", 0),
            s.get("vendor_claim", 0),
            s.get("undisclosed", 0),
            s.get("not_found", 0) + s.get("conflicts", 0),
        ]
        lines.append(f"| {titles.get(axis, axis)} | " + " | ".join(str(v) for v in values) + " |")
    reason = vaguest_reason if vaguest_reason is not None else (result or {}).get("vaguest_reason")
    if reason:
        lines += ["", f"**{text['vaguest']}:** {reason}"]
    message = (result or {}).get("model_message")
    if message:
        lines += ["", f"_{message}_"]
    return lines


# ---------------------------------------------------------------------------------------------
# The lesson's scoring ("lesson" engineer): is each phrase on the right axis, and is it backed
# by a sourced fact of the model, only by the vendor's word, or by nothing at all? Which axis
# is the learner's picture vaguest on (where marketing has the most room)?

SUPPORT_STATES = ("sourced", "vendor_claim", "undisclosed", "conflicts", "not_found")

_STOPWORDS = frozenset(
    "the and for with from that this are was were has have had its our your their into than "
    "then them they will can may not but all any use uses used using also more most very just "
    "model models like what which when where how does did about over only some such each "
    "der die das und mit für von den dem des ist sind ein eine einer eines wird werden auf "
    "nicht auch als bei oder modell modelle".split()
)
_SHORT_TERMS = frozenset(
    {"rl", "tp", "ep", "pp", "kv", "mt"}
)  # two-letter words that mean something
_WORD_RE = re.compile(r"[a-z][a-z0-9_.+\-]*[a-z0-9]|[a-z]{2,}")
_NUMBER_RE = re.compile(r"(\d+(?:[.,]\d+)*)\s*([kmbt])?(?![a-z])", re.IGNORECASE)
_SUFFIX = {"k": (1e3, 1024.0), "m": (1e6, 1024.0**2), "b": (1e9, 1e9), "t": (1e12, 1e12)}


def _words(text: str) -> set[str]:
    # Latin-script words only: a Korean phrase such as "GQA를 쓰는" still yields "gqa". A
    # hyphenated compound counts as its parts: German writes the card's "system prompt" as
    # "System-Prompt", and "tool-use" is "tool use" (as one word it matched neither).
    parts = (
        part.strip(".-+")
        for word in _WORD_RE.findall(text.lower())
        for part in word.strip(".-+").split("-")
    )
    return {w for w in parts if w not in _STOPWORDS and (len(w) > 2 or w in _SHORT_TERMS) and w}


def _numbers(text: str) -> list[float]:
    """Numbers as written, with K/M/B/T expanded both ways (128K = 128,000 or 131,072)."""
    out: list[float] = []
    for digits, suffix in _NUMBER_RE.findall(text):
        raw = (
            digits.replace(",", "")
            if "," in digits and "." not in digits
            else digits.replace(",", ".")
        )
        try:
            value = float(raw)
        except ValueError:
            continue
        if suffix:
            for mult in _SUFFIX[suffix.lower()]:
                out.append(value * mult)
        else:
            out.append(value)
    return [n for n in out if n >= 2]  # "1" and "0" match too much to mean anything


def _numbers_agree(a: list[float], b: list[float]) -> bool:
    return any(abs(x - y) <= 0.05 * max(abs(x), abs(y)) for x in a for y in b)


def _fact_text(fact: dict[str, Any]) -> str:
    value = fact.get("value")
    value_text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return f"{value_text} {(fact.get('evidence') or {}).get('text', '')}"


def _fact_claim(fact: dict[str, Any]) -> str:
    """undisclosed | vendor_claim (announcements, marketing) | sourced."""
    extra = fact.get("extra") or {}
    if extra.get("state") == "undisclosed" or fact.get("value") == "undisclosed":
        return "undisclosed"
    if extra.get("claim") == "announcement":
        return "vendor_claim"
    return "sourced" if _is_sourced(fact) else "vendor_claim"


def _fact_brief(fact: dict[str, Any]) -> dict[str, Any]:
    evidence = fact.get("evidence") or {}
    return {
        "kind": fact.get("kind"),
        "value": fact.get("value"),
        "source": evidence.get("source"),
        "locator": evidence.get("locator"),
        "text": str(evidence.get("text", ""))[:300],
    }


def _strength(fact: dict[str, Any]) -> tuple[bool, bool]:
    """Which fact speaks first: read off the weights' files, then sourced, then the rest."""
    return (_is_sourced(fact) and _is_hard(fact), _fact_claim(fact) == "sourced")


def _claims_support(
    claims: list[Claim],
    facts: list[dict[str, Any]],
    undisclosed: dict[str, Any] | None,
    unread: list[str] | None = None,
) -> dict[str, Any]:
    """Judge each claim of a phrase by the strongest fact that speaks to it. One contradicted
    claim contradicts the phrase; it is backed only when every claim is and no number of it
    went unread (``unread``: "64 Attention-Köpfe" where the checker knew no such word), since
    an unread part may be the false one: it is then "not found", naming what was not."""
    ordered = sorted(facts, key=_strength, reverse=True)
    values = [(fact, *fact_values(fact)) for fact in ordered]
    agreed: list[tuple[Claim, dict[str, Any]]] = []
    contradicted: list[tuple[Claim, dict[str, Any]]] = []
    silent: list[Claim] = []
    for claim in claims:
        # What a fact states itself speaks before what its quote only mentions.
        # (lazily: the first fact that speaks ends the search)
        judged = chain(
            ((claim_judge(claim, own, {}), fact) for fact, own, _ in values),
            ((claim_judge(claim, own, quoted), fact) for fact, own, quoted in values),
        )
        verdict, fact = next(((v, f) for v, f in judged if v != "silent"), ("silent", None))
        if verdict == "agrees":
            agreed.append((claim, fact))
        elif verdict == "contradicts":
            contradicted.append((claim, fact))
        else:
            silent.append(claim)
    if contradicted:
        seen: set[int] = set()
        against = []
        for claim, fact in contradicted:
            if id(fact) not in seen:
                seen.add(id(fact))
                against.append({**_fact_brief(fact), "claim": claim.text})
        return {"support": "conflicts", "fact": against[0], "contradicted_by": against}
    if not silent and not unread:
        states = {_fact_claim(fact) for _, fact in agreed}
        support = "sourced" if states == {"sourced"} else "vendor_claim"
        # Show the weakest backing: the vendor's word where a claim rests on it alone.
        shown = next(f for _, f in agreed if _fact_claim(f) == support)
        return {"support": support, "fact": _fact_brief(shown)}
    missing = list(dict.fromkeys([*(c.text for c in silent), *(unread or [])]))
    if undisclosed is not None:
        return {"support": "undisclosed", "fact": _fact_brief(undisclosed), "missing": missing}
    return {"support": "not_found", "fact": None, "missing": missing}


# Words that say what kind of thing a phrase is about, not which one: every vendor has a
# "chat app", an "API", a "platform". A phrase is backed by overlap only through its other words.
_GENERIC_TERMS = frozenset(
    "chat chats chatbot app apps application applications assistant assistants api apis "
    "platform platforms service services product products interface interfaces user users "
    "customer customers version versions feature features available availability support "
    "supports supported based via new latest access offers offered provides provided "
    "website site online mobile desktop llm llms genai "
    "anwendung anwendungen dienst dienste plattform nutzer".split()
)
# Vendors and the names of their models and products, by the letters a written name starts
# with ("claude.ai" -> claude, "gpt-5" -> gpt, "qwen3" -> qwen), grouped by vendor. A phrase
# naming one of them speaks of that vendor's product: a model's facts back it only when the
# model is that vendor's ("Claude.ai chat app" written for GPT-5 is not ChatGPT; "the Meta AI
# app" for Llama is Meta's).
_VENDOR_NAMES: tuple[frozenset[str], ...] = tuple(
    frozenset(group.split())
    for group in (
        "anthropic claude",
        "openai chatgpt gpt codex sora dall",
        "google gemini gemma bard deepmind",
        "meta llama",
        "mistral mixtral codestral",
        "alibaba qwen tongyi",
        "deepseek",
        "xai grok",
        "microsoft copilot phi bing azure",
        "nvidia nemotron",
        "cohere",
        "perplexity",
        "baidu ernie",
        "moonshot kimi",
        "zhipu glm",
        "minimax",
        "falcon",
        "ibm granite",
        "databricks dbrx",
        "jamba",
        "midjourney",
    )
)
_PRODUCT_NAMES = frozenset().union(*_VENDOR_NAMES)
_NAME_HEAD_RE = re.compile(r"[a-z]+")


def _name_head(word: str) -> str | None:
    head = _NAME_HEAD_RE.match(word)
    return head.group() if head and head.group() in _PRODUCT_NAMES else None


def _name_heads(words: set[str]) -> set[str]:
    """The product names among ``words``, each by its head ("claude.ai" -> "claude")."""
    return {head for word in words if (head := _name_head(word))}


def own_names(model_name: str, facts: list[dict[str, Any]]) -> frozenset[str]:
    """The product names a model goes by: in its own name or anywhere in its facts (GPT-5's
    name "gpt", its vendor's "openai", its app "chatgpt"), and every name of their vendor."""
    words = _words(model_name.replace("/", " "))
    for fact in facts:
        words |= _words(_fact_text(fact))
    heads = _name_heads(words)
    return frozenset().union(heads, *(group for group in _VENDOR_NAMES if group & heads))


def _foreign_names(text: str, own: frozenset[str]) -> list[str]:
    """The product names ``text`` writes that are not the model's, as written ("Claude.ai")."""
    found = []
    for match in _WORD_RE.finditer(text.lower()):
        head = _name_head(match.group())
        if head and head not in own:
            found.append(text[match.start() : match.end()].strip(".-+"))
    return list(dict.fromkeys(found))


def _overlap_support(
    text: str,
    facts: list[dict[str, Any]],
    undisclosed: dict[str, Any] | None,
    *,
    model_heads: frozenset[str] = frozenset(),
) -> dict[str, Any]:
    """A phrase that names no value we can compare ("chains dozens of calls in parallel") is
    backed by a fact whose own words say most of it; numbers, where both have them, agree.

    Only words that can tell one model's facts from another's are evidence: the generic ones
    (``_GENERIC_TERMS``: "chat", "app", "API", "platform"; and the stopwords) are dropped from
    the phrase (unless the fact's kind names them: "chat" is what a ``chat_format`` fact is
    about), and the model's own name (``model_heads``: "claude" for claude-opus-5, which its
    facts all mention) is no shared evidence. At least one term must then be shared, and the
    shared terms must be at least half of the phrase's. So "a chat app" says nothing a fact
    could back, while "chains dozens of calls in parallel" is still the launch post's "chain
    together dozens of tool calls ... in parallel". (A phrase naming another vendor's product
    never gets here: see ``phrase_support``.)"""
    numbers = _numbers(text)
    rank = {"sourced": 2, "vendor_claim": 1}
    best: tuple[int, int, dict[str, Any]] | None = None
    for fact in facts:
        # a word is generic unless it is what the fact is about ("chat" for a chat_format)
        kind_words = set(re.split(r"[._]", str(fact.get("kind") or "")))
        words = _words(text) - (_GENERIC_TERMS - kind_words)
        fact_text = _fact_text(fact)
        shared = words & _words(fact_text)
        evidence = {w for w in shared if _name_head(w) not in model_heads}
        if not evidence or 2 * len(shared) < len(words):
            continue
        fact_numbers = _numbers(fact_text)
        if numbers and fact_numbers and not _numbers_agree(numbers, fact_numbers):
            continue
        key = (len(shared), rank[_fact_claim(fact)])
        if best is None or key > best[:2]:
            best = (*key, fact)
    if best is not None:
        return {"support": _fact_claim(best[2]), "fact": _fact_brief(best[2])}
    if undisclosed is not None:  # nothing says it, and the vendor publishes nothing here
        return {"support": "undisclosed", "fact": _fact_brief(undisclosed)}
    return {"support": "not_found", "fact": None}


def phrase_support(
    text: str,
    facts: list[dict[str, Any]],
    *,
    own: frozenset[str] | None = None,
    model_name: str = "",
) -> dict[str, Any]:
    """How one phrase is backed by the facts of one axis: ``support`` is sourced, vendor_claim,
    undisclosed, conflicts or not_found; ``fact`` the evidence shown with it
    (``contradicted_by``: every fact a claim of the phrase contradicts; ``missing``: what no
    fact said).

    A phrase that names a product or vendor (``_PRODUCT_NAMES``) that is not the model's
    (``own``: ``own_names`` of the model; by default the names in ``facts`` and
    ``model_name``) speaks of that product: "Claude.ai chat app" written for GPT-5, or "the
    Claude app with web search", is never backed by GPT-5's facts, however many other words
    they share; the name is what was not found."""
    disclosed = [f for f in facts if _fact_claim(f) != "undisclosed"]
    undisclosed = next((f for f in facts if _fact_claim(f) == "undisclosed"), None)
    own = own if own is not None else own_names(model_name, facts)
    foreign = _foreign_names(text, own)
    claims, unread = text_reading(text)
    if claims or foreign:
        return _claims_support(claims, disclosed, undisclosed, [*unread, *foreign])
    model_heads = frozenset(_name_heads(_words(model_name.replace("/", " "))))
    return _overlap_support(text, disclosed, undisclosed, model_heads=model_heads)


def axis_scores(
    checked: dict[str, dict[str, Any]],
    facts: list[dict[str, Any]],
    *,
    model_name: str = "",
    judged: bool = True,
) -> dict[str, dict[str, Any]]:
    """Per axis: phrases, on the right axis, and how they are backed; the model's own evidence.

    ``judged`` False (a model name the catalog does not know, or that matches several): there
    are no facts to hold the phrases to, so none is said to be backed or "not found" (every
    phrase read "not found: “32 layers”, “GQA”" beside "checked for the right axis only")."""
    grouped = facts_by_axis(facts)
    own = own_names(model_name, facts)
    scores: dict[str, dict[str, Any]] = {}
    for axis in AXES:
        row = checked[axis]
        counts = {state: 0 for state in SUPPORT_STATES}
        for phrase in row["phrases"]:
            if not judged:
                phrase.update(support=None, support_fact=None, support_against=[])
                phrase["support_missing"] = []
                continue
            # A misplaced phrase is backed (or not) by the axis it belongs to.
            target = phrase["axis"] if phrase["verdict"] == "misplaced" else axis
            support = phrase_support(
                phrase["text"], grouped.get(target, []), own=own, model_name=model_name
            )
            phrase["support"] = support["support"]
            phrase["support_fact"] = support["fact"]
            phrase["support_against"] = support.get("contradicted_by") or []
            phrase["support_missing"] = support.get("missing") or []
            counts[support["support"]] += 1
        axis_facts = grouped[axis]
        scores[axis] = {
            "phrases": len(row["phrases"]),
            "on_axis": row["ok"],
            **counts,
            "facts_sourced": sum(1 for f in axis_facts if _fact_claim(f) == "sourced"),
            "facts_vendor_claim": sum(1 for f in axis_facts if _fact_claim(f) == "vendor_claim"),
            "axis_undisclosed": any(_fact_claim(f) == "undisclosed" for f in axis_facts),
        }
    return scores


def vaguest_axis(scores: dict[str, dict[str, Any]], *, model_known: bool) -> dict[str, Any]:
    """The axis where the learner's picture is vaguest, and why (a code for the sentence)."""
    if not model_known:
        # Nothing to check against: the vaguest row is the one with fewest phrases on its axis.
        axis = min(AXES, key=lambda a: (scores[a]["on_axis"], scores[a]["phrases"], -AXES.index(a)))
        return {
            "axis": axis,
            "code": "unknown_model",
            "params": {"on_axis": scores[axis]["on_axis"], "phrases": scores[axis]["phrases"]},
        }

    def key(a: str) -> tuple[int, bool, int, int, int]:
        s = scores[a]
        return (
            s["facts_sourced"] + 2 * s["sourced"],  # what can be checked on this axis
            not s["axis_undisclosed"],  # then undisclosed first: nobody outside can check it
            -(s["phrases"] - s["sourced"]),  # then the most unbacked phrases
            -s["facts_vendor_claim"],  # then the most marketing
            -AXES.index(a),  # then the later axis
        )

    axis = min(AXES, key=key)
    s = scores[axis]
    # The sentence counts what the score table shows: "not found or contradicted" apart from
    # "the vendor's word only", so it never calls a phrase the table credits unbacked.
    unbacked = s.get("not_found", 0) + s.get("conflicts", 0)
    vendor = s.get("vendor_claim", 0)
    if s["axis_undisclosed"]:
        code = "undisclosed"
    elif s["facts_sourced"] == 0 and s["facts_vendor_claim"] > 0:
        code = "marketing_only"
    elif s["facts_sourced"] == 0:
        code = "no_evidence"
    elif s["phrases"] == 0:
        code = "nothing_written"
    elif s["phrases"] - s["sourced"] <= 0:  # every phrase there is backed: only thinly documented
        code = "thin_evidence"
    elif unbacked > 0:
        code = "few_backed"
    else:
        code = "vendor_only"
    return {
        "axis": axis,
        "code": code,
        "params": {
            "sourced": s["sourced"],
            "phrases": s["phrases"],
            "unbacked": unbacked,
            "vendor": vendor,
            "facts": s["facts_sourced"],
        },
    }


def _ngettext_en(singular: str, plural: str, n: int) -> str:
    return singular if n == 1 else plural


def vaguest_sentence(
    vaguest: dict[str, Any] | None,
    model_name: str,
    *,
    gettext: Callable[[str], str] = lambda s: s,
    ngettext: Callable[[str, str, int], str] = _ngettext_en,
) -> str:
    """One sentence a learner understands: which axis is vaguest and why. The axis is named by
    its title (translated, as the rest of the page names it), never by its id."""
    if not vaguest:
        return ""
    params = vaguest.get("params", {})
    values = {
        "axis": gettext(AXIS_TITLES.get(vaguest["axis"], vaguest["axis"])),
        "model": model_name or "?",
        **params,
    }
    code = vaguest["code"]
    if code == "few_backed":
        return (
            ngettext(
                "Your picture is vaguest on %(axis)s: %(unbacked)s phrase you wrote there (out of "
                "%(phrases)s) is not found in the sources of %(model)s or is contradicted by them.",
                "Your picture is vaguest on %(axis)s: %(unbacked)s phrases you wrote there (out of "
                "%(phrases)s) are not found in the sources of %(model)s or are contradicted by them.",
                int(params.get("unbacked", 0)),
            )
            % values
        )
    if code == "vendor_only":
        return (
            ngettext(
                "Your picture is vaguest on %(axis)s: %(vendor)s phrase you wrote there (out of "
                "%(phrases)s) rests on the word of the vendor of %(model)s only, which nobody "
                "outside can check.",
                "Your picture is vaguest on %(axis)s: %(vendor)s phrases you wrote there (out of "
                "%(phrases)s) rest on the word of the vendor of %(model)s only, which nobody "
                "outside can check.",
                int(params.get("vendor", 0)),
            )
            % values
        )
    templates = {
        "undisclosed": gettext(
            "Your picture is vaguest on %(axis)s: the vendor of %(model)s does not publish it, "
            "so nothing said about it, by you or by its marketing, can be checked."
        ),
        "marketing_only": gettext(
            "Your picture is vaguest on %(axis)s: for %(model)s, everything on this axis comes "
            "from the vendor's announcements, which nobody outside can check."
        ),
        "no_evidence": gettext(
            "Your picture is vaguest on %(axis)s: no source we have says anything about it for "
            "%(model)s, so this is where marketing has the most room."
        ),
        "nothing_written": gettext(
            "Your picture is vaguest on %(axis)s: you wrote nothing there, and it is the axis "
            "with the fewest sourced facts of %(model)s (%(facts)s)."
        ),
        "thin_evidence": gettext(
            "Every phrase you wrote on %(axis)s is backed, but it is the axis with the fewest "
            "sourced facts of %(model)s (%(facts)s): the one to read up on."
        ),
        "unknown_model": gettext(
            "We have no facts about %(model)s, so only the placement of your phrases was "
            "checked; %(axis)s has the fewest phrases on the right axis (%(on_axis)s)."
        ),
    }
    return templates.get(vaguest["code"], "") % values


def unknown_model_message(
    model_name: str,
    *,
    candidates: list[str] | None = None,
    gettext: Callable[[str], str] = lambda s: s,
) -> str:
    if not model_name.strip():
        return gettext(
            "No model name given: your phrases were checked for the right axis only. Type a "
            "model from the catalog to check them against its sources."
        )
    if candidates:
        return gettext(
            "%(model)s matches several catalog models (%(candidates)s): your phrases were "
            "checked for the right axis only. Pick one of them (or type its ID) to check them "
            "against its sources."
        ) % {"model": model_name.strip(), "candidates": ", ".join(candidates)}
    return gettext(
        "%(model)s is not in the catalog: your phrases were checked for the right axis only. "
        "Fetch it on the home page (a Hugging Face ID) or pick a catalog model to check them "
        "against sources."
    ) % {"model": model_name.strip()}


def lesson_scores_add(
    result: dict[str, Any],
    facts: list[dict[str, Any]],
    *,
    model_name: str = "",
    model_known: bool | None = None,
    gettext: Callable[[str], str] = lambda s: s,
    ngettext: Callable[[str, str, int], str] | None = None,
    model_candidates: list[str] | None = None,
    model_title: str = "",
) -> dict[str, Any]:
    """Add the lesson's scoring to an ``exercise_check`` result (in place, and returned).
    ``model_title``: the catalog's name of the model the typed ``model_name`` matched ("Claude
    Opus 5" for "claude opus"), which the vaguest-axis sentence names; "": the typed name."""
    known = bool(facts) if model_known is None else model_known
    scores = axis_scores(
        result["rows"], facts if known else [], model_name=model_name, judged=known
    )
    vaguest = vaguest_axis(scores, model_known=known)
    result["scores"] = scores
    result["vaguest"] = vaguest
    result["vaguest_axis"] = vaguest["axis"]
    result["vaguest_reason"] = vaguest_sentence(
        vaguest, model_title or model_name, gettext=gettext, ngettext=ngettext or _ngettext_en
    )
    result["model_name"] = model_name
    result["model_title"] = model_title or model_name
    result["model_known"] = known
    result["model_candidates"] = [] if known else list(model_candidates or [])
    result["model_message"] = (
        ""
        if known
        else unknown_model_message(
            model_name, candidates=result["model_candidates"], gettext=gettext
        )
    )
    result["totals"]["sourced"] = sum(s["sourced"] for s in scores.values())
    result["totals"]["phrases"] = sum(s["phrases"] for s in scores.values())
    return result
