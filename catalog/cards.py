"""Model cards: split YAML metadata from Markdown, render the Markdown safely.

A card is untrusted input. It is rendered with markdown-it-py with raw HTML disabled (any HTML
in the card shows as text), then sanitized with nh3 as a second wall: no script, no event
handlers, no ``javascript:`` URLs, no SVG, iframes or style. Images are not loaded: each
becomes a link to the image (its alt text, or its file name), so opening a model page fetches
nothing from a third-party host (no tracking pixels, nothing that fails offline). Each block
element gets
``id="L<n>"`` with ``n`` the 1-based line of the README where the block starts, and the block's
other lines an empty anchor just before it; the front matter is shown as text, an anchor per
line. So a fact whose evidence says ``L12`` always links to ``#L12``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import nh3
import yaml
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.token import Token

# the active language, English outside a configured Django (a script): one helper for both
from catalog.ids import _

METADATA_MAX_CHARS = 256 * 1024

ALLOWED_TAGS = {
    "a", "blockquote", "br", "code", "del", "details", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr",
    "li", "ol", "p", "pre", "s", "strong", "table", "tbody", "td", "th", "thead", "tr",
    "span", "summary", "ul",
}  # fmt: skip
ALLOWED_CLASSES = {
    "a": {"card-image"},
    "span": {"card-image", "card-anchor"},
    "details": {"card-front-matter"},
}
ALLOWED_ATTRIBUTES = {
    "*": {"id"},
    "a": {"href", "title"},
    "span": {"title"},
    "ol": {"start"},
    "code": {"class"},
}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}


@dataclass
class CardParts:
    metadata: dict[str, Any]
    body: str
    body_first_line: int  # 1-based line of the README where ``body`` starts
    notes: list[str] = field(default_factory=list)


def card_split(text: str) -> CardParts:
    """Split a README into its YAML front matter (``---`` ... ``---``) and its Markdown body.

    Malformed YAML, or YAML that is not a mapping, becomes a note and empty metadata.
    """
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        return CardParts(metadata={}, body=text, body_first_line=1)
    end = next((i for i in range(1, len(lines)) if lines[i].strip() in ("---", "...")), None)
    if end is None:
        return CardParts(
            metadata={},
            body=text,
            body_first_line=1,
            notes=["The card starts a YAML block with '---' but never closes it."],
        )
    yaml_text = "".join(lines[1:end])
    body = "".join(lines[end + 1 :])
    notes: list[str] = []
    metadata: dict[str, Any] = {}
    if len(yaml_text) > METADATA_MAX_CHARS:
        notes.append(f"The card metadata is over {METADATA_MAX_CHARS:,} characters: not read.")
    else:
        try:
            loaded = yaml.safe_load(yaml_text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f" at line {mark.line + 2}" if mark is not None else ""
            notes.append(f"The card metadata is not valid YAML{where}: it is ignored.")
        else:
            if loaded is None:
                pass
            elif isinstance(loaded, dict):
                metadata = {str(k): v for k, v in loaded.items()}
            else:
                notes.append("The card metadata is not a YAML mapping: it is ignored.")
    return CardParts(metadata=metadata, body=body, body_first_line=end + 2, notes=notes)


def _image_as_link(self: Any, tokens: list[Any], idx: int, options: Any, env: Any) -> str:
    """``![alt](src)`` -> a link to the image (absolute http(s) ``src``) or, for a path inside
    the repository, its name as text: the page never loads the image itself."""
    token = tokens[idx]
    src = str(token.attrGet("src") or "")
    alt = self.renderInlineAsText(token.children or [], options, env).strip()
    name = src.rstrip("/").rsplit("/", 1)[-1].split("?", 1)[0] if src else ""
    label = escapeHtml(alt or name or "image")
    if src.lower().startswith(("https://", "http://")):
        return (
            f'<a class="card-image" href="{escapeHtml(src)}" title="{escapeHtml(src)}">{label}</a>'
        )
    return f'<span class="card-image" title="{escapeHtml(src)}">{label}</span>'


def _front_matter_html(lines: list[str]) -> str:
    """The front matter as a block of text, a ``L<n>`` anchor per line (metadata facts, such
    as ``base_model`` or ``license``, quote these lines)."""
    rows = "".join(
        f'<span id="L{n}">{escapeHtml(line)}</span>\n' for n, line in enumerate(lines, 1)
    )
    # folded (model-index results can run to hundreds of lines); a link to one of its lines
    # opens it (browsers expand a <details> that holds the fragment's target)
    label = _("Card metadata (YAML)")  # outside the f-string: xgettext cannot read into one
    return (
        f'<details class="card-front-matter"><summary>{escapeHtml(label)}'
        f"</summary><pre>{rows}</pre></details>"
    )


def _markdown() -> MarkdownIt:
    # "commonmark" with html disabled: raw HTML in the card is escaped, never passed through.
    md = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable(
        ["table", "strikethrough"]
    )
    md.add_render_rule("image", _image_as_link)
    return md


def card_render_html(markdown: str, *, first_line: int | None = None) -> str:
    """Sanitized HTML of a card. Front matter, if present, is dropped (line numbers kept).

    ``first_line``: the README line the given text starts on (default: 1, or computed when the
    text still holds its front matter).
    """
    front = ""
    if first_line is None:
        parts = card_split(markdown)
        if parts.body_first_line > 1:  # the YAML front matter, shown as it is written
            front = _front_matter_html(markdown.splitlines()[: parts.body_first_line - 1])
        markdown, first_line = parts.body, parts.body_first_line
    md = _markdown()
    tokens = md.parse(markdown)
    seen: set[int] = set()
    for token in tokens:
        if token.map and (token.nesting == 1 or token.type in ("fence", "code_block", "hr")):
            line = token.map[0] + first_line
            if line not in seen:  # a list item and its paragraph start on the same line
                seen.add(line)
                token.attrSet("id", f"L{line}")
    # Every other line of a block (a paragraph's second line, a table row, a line of code)
    # gets an empty anchor just before its top-level block, so that a fact quoting it links
    # to the block that holds it.
    marked: list[Any] = []
    for token in tokens:
        if token.level == 0 and token.map and token.nesting != -1:
            start, end = token.map[0] + first_line, token.map[1] + first_line
            inner = [n for n in range(start + 1, end) if n not in seen]
            if inner:
                seen.update(inner)
                marker = Token("html_block", "", 0)
                marker.content = "".join(
                    f'<span id="L{n}" class="card-anchor"></span>' for n in inner
                )
                marked.append(marker)
        marked.append(token)
    html = front + md.renderer.render(marked, md.options, {})
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        allowed_classes=ALLOWED_CLASSES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )
