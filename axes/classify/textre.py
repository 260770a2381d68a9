"""Word boundaries that work inside Korean and German text.

Python's Unicode ``\\b`` treats a Hangul syllable as a word character, so in "RLHF와" (RLHF +
the particle "and") or "GQA를" there is no boundary after the English term and every English
rule misses it. Our courses teach in Korean and German and keep technical terms in English, so
rule patterns are written with ``\\b`` as usual and compiled through :func:`bounded`, which
rewrites each ``\\b`` into a boundary between word characters of alphabetic scripts and everything else.

The word class is Python's own ``\\w`` minus the East Asian scripts (Hangul jamo and
syllables, kana, CJK ideographs): for English text nothing changes (German "Größe" stays one
word, "ReLU²" keeps its boundary after "²"), while a Korean particle glued to an English term
now ends it, as a space would.
"""

from __future__ import annotations

import re

# East Asian scripts: Hangul jamo, compatibility jamo, syllables; kana; CJK ideographs
_EAST_ASIAN = r"\u1100-\u11ff\u3040-\u30ff\u3130-\u318f\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
SCRIPT_WORD = rf"[^\W{_EAST_ASIAN}]"
SCRIPT_BOUNDARY = rf"(?:(?<={SCRIPT_WORD})(?!{SCRIPT_WORD})|(?<!{SCRIPT_WORD})(?={SCRIPT_WORD}))"
HANGUL = r"\uac00-\ud7a3"


def script_boundaries(pattern: str) -> str:
    """``pattern`` with every ``\\b`` outside a character class replaced by SCRIPT_BOUNDARY."""
    out: list[str] = []
    i = 0
    in_class = False
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\" and i + 1 < len(pattern):
            nxt = pattern[i + 1]
            out.append(SCRIPT_BOUNDARY if nxt == "b" and not in_class else ch + nxt)
            i += 2
            continue
        if in_class:
            if ch == "]":
                in_class = False
        elif ch == "[":
            in_class = True
            out.append(ch)
            i += 1
            # a "]" right after "[" or "[^" is a literal member, not the end of the class
            if i < len(pattern) and pattern[i] == "^":
                out.append("^")
                i += 1
            if i < len(pattern) and pattern[i] == "]":
                out.append("]")
                i += 1
            continue
        out.append(ch)
        i += 1
    return "".join(out)


def bounded(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """Compile ``pattern`` with script-aware word boundaries (see the module docstring)."""
    return re.compile(script_boundaries(pattern), flags)
