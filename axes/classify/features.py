"""Features shared by training (scikit-learn) and prediction (pure Python): one analyzer.

The same function is passed to ``TfidfVectorizer(analyzer=...)`` at training time and called
here at prediction time, so the vocabulary means exactly the same at both ends.
Word unigrams and bigrams ("w:"), character 3-5-grams inside word boundaries ("c:"), and a few
shape tokens ("s:") that survive paraphrase: numbers with B/T/K suffixes, table rows, code.

Korean and German statements keep their English terms ("rlhf와" -> "rlhf" + "와"): a word is a
run of Latin letters/digits or a run of Hangul, never both, so the English term is a feature of
its own. Hangul words also give character 2-grams, since particles and endings glue onto the
stem ("학습했습니다" still shares "학습" with "사전 학습").
"""

from __future__ import annotations

import re

from axes.classify.textre import bounded

_LATIN = "a-z0-9\u00df-\u00f6\u00f8-\u024f"  # lower-cased Latin letters, umlauts and ß included
_WORD = re.compile(rf"[{_LATIN}][{_LATIN}_+\-./]*[{_LATIN}]|[{_LATIN}]|[\uac00-\ud7a3]+")
_HANGUL = re.compile(r"[\uac00-\ud7a3]")
_SHAPES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("size_b", bounded(r"\b\d+(\.\d+)?\s*[bB]\b|billion")),
    ("size_t", bounded(r"\b\d+(\.\d+)?\s*[tT]\b|trillion")),
    ("size_k", bounded(r"\b\d+(\.\d+)?\s*[kK]\b|\b\d{1,3},\d{3}\b")),
    ("percent", re.compile(r"\d\s*%")),
    ("table", re.compile(r"^\s*\|")),
    ("code", re.compile(r"[=(){}]|`")),
    ("yaml", re.compile(r"^\s*-?\s*[a-z_]+:\s")),
    ("repo_id", bounded(r"\b[\w.-]+/[\w.-]+\b")),
    ("decimal", bounded(r"\b\d+\.\d+\b")),
)


def normalize(text: str) -> str:
    text = re.sub(r"https?://\S+", " url ", text)
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)  # keep link text, drop the target
    return text.lower()


def analyze(text: str) -> list[str]:
    """Feature tokens of one statement."""
    feats: list[str] = [f"s:{name}" for name, rx in _SHAPES if rx.search(text)]
    norm = normalize(text)
    words = _WORD.findall(norm)
    feats.extend(f"w:{w}" for w in words)
    feats.extend(f"w:{a} {b}" for a, b in zip(words, words[1:], strict=False))
    for word in words:
        padded = f" {word} "
        for n in (2, 3) if _HANGUL.match(word) else (3, 4, 5):
            if len(padded) < n:
                break
            feats.extend(f"c:{padded[i : i + n]}" for i in range(len(padded) - n + 1))
    return feats
