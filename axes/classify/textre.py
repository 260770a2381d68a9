"""Word boundaries that work inside Korean and German text.

Python's Unicode ``\\b`` treats a Hangul syllable as a word character, so in "RLHF와" (RLHF +
the particle "and") or "GQA를" there is no boundary after the English term and every English
rule misses it. Our courses teach in Korean and German and keep technical terms in English, so
rule patterns are written with ``\\b`` as usual and compiled through :func:`bounded`, which
rewrites each ``\\b`` so that a word also ends where Latin text meets another script.

The rewritten boundary is Python's own ``\\b``, plus a boundary wherever a word character
meets a character beyond the Latin blocks (above U+024F: Hangul, CJK, kana, Cyrillic...). For
English and German text nothing changes ("Größe" stays one word, "ReLU²" keeps its boundary
after "²"), while a Korean particle glued to an English term now ends it, as a space would.
It also reports a boundary between two Hangul syllables; the patterns only put ``\\b`` next to
Latin terms, so that never matters. (A character class of the East Asian blocks would say it
more narrowly but costs ~5 ms per ``\\b`` to compile, seconds for the rule set; this costs
0.2 ms.)
"""

from __future__ import annotations

import re
from collections.abc import Callable

# (?-i:...): case folding is irrelevant to a boundary and makes the class slow to compile
_BEYOND_LATIN = r"[^\x00-\u024f]"
SCRIPT_BOUNDARY = rf"(?-i:\b|(?<={_BEYOND_LATIN})(?=\w)|(?<=\w)(?={_BEYOND_LATIN}))"


def _outside_classes(pattern: str, escape: Callable[[str, int], tuple[str, int] | None]) -> str:
    """Rewrite escapes outside character classes. At each backslash outside a class,
    ``escape(pattern, i)`` returns (replacement, next index), or None to keep the two
    characters; everything else is copied as it is."""
    out: list[str] = []
    i = 0
    in_class = False
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\" and i + 1 < len(pattern):
            hit = None if in_class else escape(pattern, i)
            if hit is None:
                out.append(pattern[i : i + 2])
                i += 2
            else:
                out.append(hit[0])
                i = hit[1]
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


def _boundary(pattern: str, i: int) -> tuple[str, int] | None:
    return (SCRIPT_BOUNDARY, i + 2) if pattern[i + 1] == "b" else None


def script_boundaries(pattern: str) -> str:
    """``pattern`` with every ``\\b`` outside a character class replaced by SCRIPT_BOUNDARY."""
    return _outside_classes(pattern, _boundary)


# Outside character classes: runs of white space and of digits never give characters back
# (possessive), and a digit run is entered only at its start. Card lines are untrusted input:
# "^\s*[-*|]?\s*\**\s*GPUs?" took 5 s on a line of 1,000 spaces (cubic backtracking), and
# every size rule was quadratic on a long digit run. No rule needs either to give back: the
# characters that follow them in the patterns are never white space or digits.
_LINEAR = (
    (re.compile(r"\\s\*(?![+?])"), "\\s*+"),
    (re.compile(r"\\s\+(?![+?])"), "\\s++"),
    (re.compile(r"\\d\+(?![+?])"), "(?<!\\d)\\d++"),
)


def _linear(pattern: str, i: int) -> tuple[str, int] | None:
    for rx, replacement in _LINEAR:
        m = rx.match(pattern, i)
        if m:
            return replacement, m.end()
    return None


def linear_runs(pattern: str) -> str:
    r"""``pattern`` with ``\s*``, ``\s+`` and ``\d+`` outside character classes made
    possessive (and ``\d+`` anchored at the start of a digit run), see ``_LINEAR``."""
    return _outside_classes(pattern, _linear)


def bounded(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """Compile ``pattern`` with script-aware word boundaries (see the module docstring) and
    white-space and digit runs that cannot backtrack (``linear_runs``)."""
    return re.compile(script_boundaries(linear_runs(pattern)), flags)
