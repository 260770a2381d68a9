"""Split a model card into statements: sentences, list items and table rows, with line numbers.

Pure text processing, no Markdown library: we need exact line numbers and exact quotes (the
evidence a fact shows is the card's own text), which a rendering parser does not keep.
Skipped: the YAML front matter (read by ``axes.classify.metadata``), fenced code blocks, raw
HTML blocks and comments. Headings are not statements; they become the context of the
statements below them. A table row keeps its header row beside it (``table_header``), since a
row like ``| 8.1B | 400M |`` means nothing without it.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

_FENCE = re.compile(r"^[\s>]*(`{3,}|~{3,})")  # also fences indented in lists or quoted
_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_LIST_ITEM = re.compile(r"^(\s*)([-*+]|\d{1,3}[.)])\s+\S")
_TABLE_SEP = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")
_HTML_START = re.compile(r"^\s*</?[a-zA-Z][\w-]*(\s[^>]*)?/?>|^\s*<!--")
_BOLD_LABEL = re.compile(r"^\s*(?:\*\*|__)([^*_]{1,80}?)(?:\*\*|__)\s*:?\s*$")
_HRULE = re.compile(r"^\s{0,3}([-*_])(\s*\1){2,}\s*$")
# A sentence ends at . ! ? followed by space and an upper-case letter, a digit, a quote or
# Markdown emphasis; "e.g." / "i.e." / "vs." / "approx." and decimals never end one.
_SENTENCE_END = re.compile(r"(?<=[.!?])([*_\"')\]]*)\s+(?=[\"'(\[*_`]*[A-Z0-9])")
_LIST_NUMBER = re.compile(r"^\s*(?:[-*+]\s+)?\d{1,3}[.)]$")
_NO_BREAK_BEFORE = re.compile(
    r"(\b(e\.g|i\.e|etc|vs|approx|incl|cf|al|Fig|Eq|No|Dr|Mr|Ms)\.|\b[A-Z]\.)$"
)


@dataclass(frozen=True, slots=True)
class Statement:
    text: str  # exact text from the card (may span lines, joined with "\n")
    line_start: int  # 1-based line numbers in the whole card file, front matter included
    line_end: int
    heading: str = ""  # nearest heading above, "" before the first one
    table_header: str = ""  # for a table row: the header row's text

    @property
    def locator(self) -> str:
        if self.line_start == self.line_end:
            return f"L{self.line_start}"
        return f"L{self.line_start}-L{self.line_end}"

    @property
    def context_text(self) -> str:
        """What a classifier reads: the header row joined to a table row, else the text."""
        if self.table_header:
            return f"{self.table_header}\n{self.text}"
        return self.text


def front_matter_span(lines: list[str]) -> int:
    """Number of lines taken by a leading ``---`` YAML block (0 if none)."""
    if not lines or lines[0].strip() != "---":
        return 0
    for i in range(1, len(lines)):
        if lines[i].strip() in ("---", "..."):
            return i + 1
    return 0


def _split_sentences(text: str) -> list[tuple[int, int]]:
    """Character spans of the sentences in ``text`` (a paragraph or a list item)."""
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        cut = match.start() + len(match.group(1))
        head = text[start:cut]
        if _NO_BREAK_BEFORE.search(head.rstrip("*_\"')]")) or _LIST_NUMBER.match(head):
            continue  # an abbreviation, or the "1." of a numbered list item
        if head.strip():
            spans.append((start, cut))
        start = match.end()
    if text[start:].strip():
        spans.append((start, len(text.rstrip())))
    return spans


_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")  # ![alt](src)
_EMPTY_LINK = re.compile(r"\[\s*\]\([^)]*\)")  # what is left of a badge [![x](img)](url)
_HTML_IMG = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
_LIST_MARKER = re.compile(r"^\s*(?:[-*+]|\d{1,3}[.)])\s")
_ANCHOR_LINK = re.compile(r"\[[^\]]*\]\(#[^)]*\)")  # [Model Summary](#model-summary)


def _not_a_statement(piece: str) -> bool:
    """Images, badges and table-of-contents links say nothing a reader could check: their alt
    text ("image/png") or section titles ("Limitations") would otherwise be classified."""
    if "![" not in piece and "](#" not in piece and "<img" not in piece.lower():
        return False
    rest = _ANCHOR_LINK.sub("", _EMPTY_LINK.sub("", _IMAGE.sub("", _HTML_IMG.sub("", piece))))
    return not re.search(r"\w", _LIST_MARKER.sub("", rest, count=1))


def _emit_block(
    out: list[Statement], block: list[tuple[int, str]], heading: str, *, split: bool = True
) -> None:
    """Turn a block of consecutive (line number, line) pairs into sentence statements."""
    if not block:
        return
    text = "\n".join(line for _, line in block)
    offsets = []  # character offset where each line starts
    pos = 0
    for _, line in block:
        offsets.append(pos)
        pos += len(line) + 1
    spans = _split_sentences(text) if split else [(0, len(text.rstrip()))]
    for start, end in spans:
        # strip leading whitespace but keep the exact characters otherwise
        while start < end and text[start].isspace():
            start += 1
        piece = text[start:end]
        if not re.search(r"[^\W\d_]", piece) or _not_a_statement(piece):
            continue  # no letter: "2025\." cut from a citation says nothing by itself
        first = max(i for i, off in enumerate(offsets) if off <= start)
        last = max(i for i, off in enumerate(offsets) if off <= max(start, end - 1))
        out.append(Statement(piece, block[first][0], block[last][0], heading))


def _is_table_row(line: str) -> bool:
    stripped = line.strip()
    return stripped.startswith("|") or (stripped.count("|") >= 2 and not stripped.startswith("`"))


def _is_list_label(lines: list[str], i: int) -> bool:
    """A list item that only titles its own nested list ("* Training Data" over "  * The
    quality of the training data ..."): the nested items are the statements. A short item
    with no sub-list ("* **70B Instruct: December 6, 2024**") says something and is kept."""
    match = _LIST_ITEM.match(lines[i])
    if not match:
        return False
    content = _LIST_MARKER.sub("", lines[i], count=1).strip()
    if len(content.split()) > 8 or content.rstrip("*_`").endswith((".", "!", "?", ":", ",")):
        return False
    j = i + 1
    if j < len(lines) and lines[j].strip() and not _LIST_ITEM.match(lines[j]):
        return False  # the item goes on over the next line: prose
    while j < len(lines) and not lines[j].strip():
        j += 1
    nested = _LIST_ITEM.match(lines[j]) if j < len(lines) else None
    return bool(nested and len(nested.group(1)) > len(match.group(1)))


def _is_group_row(row: str, header: str) -> bool:
    """A row that only names the group of rows below it ("| **Medical image classification**
    | | | |"): one filled cell in a table of three columns or more."""
    cells = _row_cells(row)
    filled = [c for c in cells if c.strip()]
    return len(_row_cells(header)) >= 3 and len(filled) == 1


def segment_card(markdown: str) -> list[Statement]:
    """Statements of a card, in order, each with exact text and 1-based line numbers."""
    lines = markdown.splitlines()
    out: list[Statement] = []
    heading = ""
    i = front_matter_span(lines)
    block: list[tuple[int, str]] = []
    in_list_item = False

    def flush() -> None:
        nonlocal block, in_list_item
        _emit_block(out, block, heading)
        block = []
        in_list_item = False

    while i < len(lines):
        line = lines[i]
        lineno = i + 1
        fence = _FENCE.match(line)
        if fence:
            flush()
            marker = fence.group(1)[0] * 3
            i += 1
            while i < len(lines) and not lines[i].lstrip(" \t>").startswith(marker):
                i += 1
            i += 1
            continue
        if line.lstrip().startswith("<!--"):
            flush()
            while i < len(lines) and "-->" not in lines[i]:
                i += 1
            i += 1
            continue
        if _HTML_START.match(line):
            flush()
            # an HTML block runs to the next blank line (CommonMark's rule for most blocks)
            while i < len(lines) and lines[i].strip():
                i += 1
            continue
        if not line.strip() or _HRULE.match(line):
            flush()
            i += 1
            continue
        head = _HEADING.match(line)
        if head:
            flush()
            heading = re.sub(r"[*_`]", "", head.group(2)).strip()
            i += 1
            continue
        if _is_table_row(line) and i + 1 < len(lines) and _TABLE_SEP.match(lines[i + 1]):
            flush()
            header = line.strip()
            i += 2
            while i < len(lines) and lines[i].strip() and _is_table_row(lines[i]):
                row = lines[i].strip()
                if re.search(r"\w", row) and not _is_group_row(row, header):
                    out.append(Statement(row, i + 1, i + 1, heading, header))
                i += 1
            continue
        if not block and _BOLD_LABEL.match(line):
            # "**Model Architecture:**" alone on a line works as a sub-heading
            heading = _BOLD_LABEL.match(line).group(1).strip().rstrip(":")
            i += 1
            continue
        if _LIST_ITEM.match(line) and _is_list_label(lines, i):
            flush()  # "* Training Data" over its own sub-list
            i += 1
            continue
        if _LIST_ITEM.match(line):
            flush()
            in_list_item = True
            block = [(lineno, line.rstrip())]
            i += 1
            continue
        if in_list_item and not line.startswith((" ", "\t")) and not block:
            in_list_item = False
        block.append((lineno, line.rstrip()))
        i += 1
    flush()
    return out


# ---------------------------------------------------------------------------------------------
# Which model a table row is about

_MD_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_PARENTHESES = re.compile(r"\([^)]*\)")
_NAME_TOKEN = re.compile(r"[a-z0-9]+")
_MODEL_COLUMN = re.compile(r"\bmodels?\b|\bname\b|checkpoint|variant|모델|\bModell", re.I)
# looks like a model's name: "GPT-4o", "o1-mini", "Qwen2.5-14B", "Llama 3.1 8B"
_MODELISH = re.compile(r"[A-Za-z][\w.]*-[\w.-]*\d|[A-Za-z]\d|\b\d+(?:\.\d+)?[BMK]\b")
# words in many model names that say nothing about which family a name belongs to
_GENERIC_NAME_WORDS = frozenset(
    {"instruct", "base", "chat", "model", "preview", "reasoning", "thinking", "distill", "the"}
)


def _row_cells(row: str) -> list[str]:
    return [c.strip() for c in row.strip().strip("|").split("|")]


_UNESCAPED_PIPE = re.compile(r"(?<!\\)\|")


def table_cells(row: str) -> list[str]:
    """A Markdown table row's cells, stripped, as GFM reads them for display: an escaped pipe
    ("\\|", as a card writes ``<\\|im_start\\|>`` in a table) is a "|" inside its cell, not
    the start of the next one (the segmentation keeps ``_row_cells``' plain split, which
    stored analyses were made with)."""
    text = row.strip()
    text = text[1:] if text.startswith("|") else text
    text = text[:-1] if text.endswith("|") and not text.endswith("\\|") else text
    return [c.strip().replace("\\|", "|") for c in _UNESCAPED_PIPE.split(text)]


def _name_tokens(name: str) -> set[str]:
    """'**DeepSeek-R1-Zero**' -> {'deepseek', 'r1', 'zero'}; 'org/Name' is read as 'Name'."""
    text = _PARENTHESES.sub(" ", _MD_LINK.sub(r"\1", name)).strip()
    if "/" in text and " " not in text:
        text = text.rsplit("/", 1)[-1]
    return set(_NAME_TOKEN.findall(text.lower()))


def _families(tokens: set[str]) -> set[str]:
    """The words of a name that place it in a family: 'qwen2' -> 'qwen', 'deepseek'."""
    out = set()
    for token in tokens:
        head = re.match(r"[a-z]{3,}", token)
        if head and head.group() not in _GENERIC_NAME_WORDS:
            out.add(head.group())
    return out


def row_other_model(statement: Statement, repo_id: str | None) -> str | None:
    """The other model a table row is about, or None.

    A row whose first cell names a model other than ``repo_id`` ("| DeepSeek-R1-Zero | 671B |
    37B |" on DeepSeek-R1's card, a competitor's benchmark row) describes that model, not this
    one. The first cell names a model when it shares a family word with ``repo_id``
    ("DeepSeek-..."), or when the header's first cell is "Model" and the cell looks like a
    model name ("o1-mini"). It is this model when its words are all words of ``repo_id``'s
    name ("DeepSeek-R1", "Llama 3 8B Instruct" for Meta-Llama-3-8B-Instruct, "OLMo-2-13B-1124"
    for OLMo-2-1124-13B): what is left out is kept as this model's, the status quo.
    """
    if not statement.table_header or not repo_id:
        return None
    first = _row_cells(statement.text)[0]
    cell = _name_tokens(first)
    mine = _name_tokens(repo_id)
    if not cell or cell <= mine:
        return None
    model_column = bool(_MODEL_COLUMN.search(_row_cells(statement.table_header)[0]))
    if _families(cell) & _families(mine) or (model_column and _MODELISH.search(first)):
        return " ".join(_PARENTHESES.sub(" ", _MD_LINK.sub(r"\1", first)).replace("*", "").split())
    return None


# ---------------------------------------------------------------------------------------------
# A statement as a reader reads it

# [text](url), ![alt](src); a URL may hold balanced parentheses (.../Corpus_(linguistics))
_INLINE_LINK = re.compile(r"!?\[([^\]]*)\]\(((?:[^()\s]|\([^()\s]*\))*)(?:\s+\"[^\"]*\")?\)")
_AUTOLINK = re.compile(r"<(https?://[^>\s]+)>")
_STRONG = re.compile(r"(?<![\w*])(\*\*|__)(?=\S)(.+?)(?<=\S)\1(?![\w*])")
_EMPHASIS = re.compile(r"(?<![\w*])([*_])(?=[^\s*_])(.+?)(?<=[^\s*_])\1(?![\w*])")
_CODE_SPAN = re.compile(r"(`+)(.+?)\1")
_INLINE_MATH = re.compile(r"(?<![\w$])\$(?=\S)([^$\n]{1,40}?)(?<=\S)\$(?![\w$])")  # $0.6$
# HTML elements a card uses for layout; any other <name> (<think>, <|im_start|>) is text the
# model reads or writes and is kept
_HTML_TAG = re.compile(
    r"</?(?:a|b|i|u|em|strong|small|sup|sub|span|font|code|br|p|div|img|center|details|summary)"
    r"\b(?:\s[^<>]*)?/?>",
    re.IGNORECASE,
)
_EMPTY_CELL = frozenset({"", "-", "—", "–", "n/a", "N/A"})


def inline_plain(text: str) -> str:
    """Card Markdown as the words it renders to: links and images as their text, emphasis,
    code spans and inline math without their markers, HTML tags dropped, entities read as
    their character ("&amp;" as "&"; not in a code span), whitespace and line
    breaks as single spaces. The words themselves are not changed, and a code span's content
    is kept as written (`<thinking>` is a tag the model writes, not HTML)."""
    codes: list[str] = []

    def hold(match: re.Match[str]) -> str:
        codes.append(match.group(2).strip())
        return f"\ue000{len(codes) - 1}\ue001"

    def hold_escape(match: re.Match[str]) -> str:  # "\*" is a literal "*", not emphasis
        codes.append(match.group(1))
        return f"\ue000{len(codes) - 1}\ue001"

    out = _prose_plain(_ESCAPE.sub(hold_escape, _CODE_SPAN.sub(hold, text)))
    # entities render as their character ("Q&amp;A", "&nbsp;"), after the tags are gone (a
    # "&lt;b&gt;" is text, not a tag); a code span's "&amp;" is shown as written, as Markdown does
    out = html.unescape(out)
    out = re.sub("\ue000(\\d+)\ue001", lambda m: codes[int(m.group(1))], out)
    return " ".join(out.split())


_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")  # Markdown's backslash escapes: "2020\." -> "2020."


def _prose_plain(text: str) -> str:
    out = _INLINE_LINK.sub(lambda m: m.group(1).strip() or m.group(2), text)
    out = _AUTOLINK.sub(r"\1", out)
    out = _HTML_TAG.sub(" ", out)
    out = _INLINE_MATH.sub(r"\1", out)
    out = _STRONG.sub(r"\2", out)
    return _EMPHASIS.sub(r"\2", out)


def statement_plain(text: str, table_header: str = "", model_column: int | None = None) -> str:
    """What a statement says, without the Markdown that only renders it.

    A list item loses its marker ("- ", "3. "); a table row is read against its header, each
    filled cell after its column's name ("# Activated Params: 37B · Context Length: 128K"),
    empty and "-" cells left out, since a row of pipes and links says nothing by itself.
    ``model_column``: in a family's table (a column per model, ``axes.card_columns``) this
    model's column, read alone beside the row's name.
    """
    if table_header:
        pairs = table_row_pairs(text, table_header, model_column)
        return " · ".join(f"{n}: {v}" if n else v for n, v in pairs)
    return inline_plain(_LIST_MARKER.sub("", text, count=1))


def table_row_pairs(
    row: str, table_header: str, model_column: int | None = None
) -> list[tuple[str, str]]:
    """A table row's filled cells as (column name, cell text), Markdown removed; the name is
    "" where the header's cell is empty. ``model_column``: the first cell and that one only."""
    header, cells = table_cells(table_header), table_cells(row)
    pairs = []
    for i, cell in enumerate(cells):
        if model_column is not None and i not in (0, model_column):
            continue
        value = inline_plain(cell)
        if value in _EMPTY_CELL:
            continue
        name = inline_plain(header[i]) if i < len(header) else ""
        pairs.append((name if name not in _EMPTY_CELL else "", value))
    return pairs
