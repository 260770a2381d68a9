"""Model cards: split YAML metadata from Markdown, render the Markdown safely.

A card is untrusted input. It is rendered with markdown-it-py, raw HTML included, then
sanitized with nh3 against an allow-list: no script, no event handlers, no ``style``, no
``javascript:`` URLs, no SVG, iframes or forms. Before that, the card's own HTML is rewritten
tag by tag (``_RawHtml``): the layout that cards write (``<div align="center">``, ``<p>``,
``<br>``, ``<a>``, tables, ``<details>``, ``<sup>``, ``<b>``...) is kept without its ids,
classes or styles; comments are dropped; other HTML elements (``<font>``, ``<picture>``,
``<source>``...) are unwrapped to their text; a tag that is no HTML element (``<think>``,
``<s>`` and ``</s>`` as tokens) shows as text, because a card that writes one means the string.
Images are not loaded: each (Markdown or HTML) becomes a link to the image (its alt text, or its
file name), or that text alone inside a link, so opening a model page fetches nothing from a
third-party host (no tracking pixels, nothing that fails offline). Each block element gets
``id="L<n>"`` with ``n`` the 1-based line of the README where the block starts, and the block's
other lines (every line of a raw HTML block) an empty anchor just before it; the front matter is
shown as text, an anchor per line. So a fact whose evidence says ``L12`` always links to
``#L12``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

import nh3
import yaml
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.token import Token

# the active language, English outside a configured Django (a script): one helper for both
from axes.classify.metadata import card_yaml_load
from axes.classify.segment import inline_plain
from catalog.ids import _

METADATA_MAX_CHARS = 256 * 1024

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "center", "code", "dd", "del", "details",
    "div", "dl", "dt", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "ins", "kbd", "li",
    "ol", "p", "pre", "s", "small", "span", "strong", "sub", "summary", "sup", "table", "tbody",
    "td", "tfoot", "th", "thead", "tr", "u", "ul",
}  # fmt: skip
ALLOWED_CLASSES = {
    "a": {"card-image"},
    "span": {"card-image", "card-anchor"},
    "details": {"card-front-matter", "card-table-full"},
    "p": {"card-table-note"},
}
ALLOWED_ATTRIBUTES = {
    "*": {"id"},
    "a": {"href", "title"},
    "abbr": {"title"},
    "span": {"title"},
    "ol": {"start"},
    "code": {"class"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
}
_ALIGN = {"align": {"left", "center", "right", "justify"}}
ALLOWED_ATTRIBUTE_VALUES = {
    tag: _ALIGN for tag in ("div", "p", "center", "h1", "h2", "h3", "h4", "h5", "h6", "td", "th")
}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}
# removed with everything inside them (the rest of the disallowed tags keep their text)
CONTENT_DROPPED_TAGS = {
    "script", "style", "template", "svg", "math", "iframe", "object", "noscript", "textarea",
    "select", "title", "head",
}  # fmt: skip

# The card's own HTML (``_RawHtml``): what passes to the sanitizer as a tag. Every other HTML
# element is unwrapped (its text kept); a tag name that is no HTML element shows as text.
# ``<s>`` is strikethrough in HTML, but a card that writes it means the BOS token (Markdown's
# ``~~x~~`` still strikes through).
RAW_HTML_KEPT = (ALLOWED_TAGS - {"s"}) | CONTENT_DROPPED_TAGS
RAW_HTML_UNWRAPPED = {
    "address", "area", "article", "aside", "audio", "base", "bdi", "bdo", "big", "body", "button",
    "canvas", "cite", "col", "colgroup", "data", "dfn", "dialog", "embed", "fieldset",
    "figcaption", "figure", "font", "footer", "form", "header", "html", "input", "label",
    "legend", "link", "main", "map", "mark", "marquee", "menu", "meta", "meter", "nav", "nobr",
    "optgroup", "option", "output", "param", "picture", "progress", "q", "rp", "rt", "ruby",
    "samp", "section", "source", "strike", "track", "tt", "var", "video", "wbr",
}  # fmt: skip
_VOID_TAGS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
              "param", "source", "track", "wbr"}  # fmt: skip
# attributes of the card's own tags that would collide with the page's (L<n> anchors, classes)
_RAW_ATTRS_DROPPED = {"id", "class", "name", "style"}
# How deep the card's own tags may nest; deeper ones show as text. The sanitizer's HTML parser
# spends time quadratic in the nesting of block elements (a 1 MiB card of "<div>" took many
# minutes); real cards nest a few levels. Tags a browser closes by themselves when the next
# one opens (p, li, td...) do not nest, and are not counted.
CARD_HTML_MAX_DEPTH = 64
_RAW_NOT_NESTING = {"p", "li", "dt", "dd", "td", "th", "tr", "thead", "tbody", "tfoot"}


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
            loaded = card_yaml_load(yaml_text)
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


def _image_html(src: str, alt: str, *, in_link: bool) -> str:
    """An image, never loaded: a link to it (absolute http(s) ``src``), or its name as text (a
    path inside the repository, or an image that is already inside a link: a link in a link is
    no HTML)."""
    name = src.rstrip("/").rsplit("/", 1)[-1].split("?", 1)[0] if src else ""
    label = escapeHtml(alt.strip() or name or "image")
    if src.lower().startswith(("https://", "http://")) and not in_link:
        return (
            f'<a class="card-image" href="{escapeHtml(src)}" title="{escapeHtml(src)}">{label}</a>'
        )
    return f'<span class="card-image" title="{escapeHtml(src)}">{label}</span>'


def _image_as_link(self: Any, tokens: list[Any], idx: int, options: Any, env: Any) -> str:
    """``![alt](src)`` -> ``_image_html``."""
    token = tokens[idx]
    alt = self.renderInlineAsText(token.children or [], options, env)
    return _image_html(str(token.attrGet("src") or ""), alt, in_link=env.get("links", 0) > 0)


def _link_open(self: Any, tokens: list[Any], idx: int, options: Any, env: Any) -> str:
    env["links"] = env.get("links", 0) + 1
    return str(self.renderToken(tokens, idx, options, env))


def _link_close(self: Any, tokens: list[Any], idx: int, options: Any, env: Any) -> str:
    env["links"] = max(0, env.get("links", 0) - 1)
    return str(self.renderToken(tokens, idx, options, env))


class _RawHtml(HTMLParser):
    """The card's own HTML, one html_block or html_inline token at a time, rewritten for the
    sanitizer (which still checks every tag and attribute that comes out): kept tags without
    ids, classes or styles, images as ``_image_html``, unknown tags as text, no comments.
    ``env`` carries how many links are open across tokens (``<a>`` and ``[...](...)``)."""

    def __init__(self, env: dict[str, Any]) -> None:
        super().__init__(convert_charrefs=True)
        self.env = env
        self.out: list[str] = []

    def _tag(self, tag: str, attrs: list[tuple[str, str | None]], close: str = "") -> str:
        kept = "".join(
            f' {name}="{escapeHtml(value or "")}"'
            for name, value in attrs
            if name not in _RAW_ATTRS_DROPPED and not name.startswith("on")
        )
        return f"<{tag}{kept}{close}>"

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "img":
            values = dict(attrs)
            self.out.append(
                _image_html(
                    (values.get("src") or "").strip(),
                    values.get("alt") or values.get("title") or "",
                    in_link=self.env.get("links", 0) > 0,
                )
            )
        elif tag in RAW_HTML_KEPT:
            if self._nests(tag):
                if self.env.get("depth", 0) >= CARD_HTML_MAX_DEPTH:
                    self.env["too_deep"] = self.env.get("too_deep", 0) + 1
                    self.out.append(escapeHtml(self.get_starttag_text() or f"<{tag}>"))
                    return
                self.env["depth"] = self.env.get("depth", 0) + 1
            if tag == "a":
                self.env["links"] = self.env.get("links", 0) + 1
            self.out.append(self._tag(tag, attrs))
        elif tag not in RAW_HTML_UNWRAPPED:
            self.out.append(escapeHtml(self.get_starttag_text() or f"<{tag}>"))

    @staticmethod
    def _nests(tag: str) -> bool:
        return tag not in _VOID_TAGS and tag not in _RAW_NOT_NESTING

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _VOID_TAGS or tag not in RAW_HTML_KEPT:
            self.handle_starttag(tag, attrs)
        else:  # <div/> is no element in HTML; as the browser reads it, an open and a close
            self.handle_starttag(tag, attrs)
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in _VOID_TAGS:
            return
        if tag in RAW_HTML_KEPT:
            if self._nests(tag):
                if self.env.get("too_deep", 0):  # the end of a tag shown as text
                    self.env["too_deep"] -= 1
                    self.out.append(escapeHtml(f"</{tag}>"))
                    return
                self.env["depth"] = max(0, self.env.get("depth", 0) - 1)
            if tag == "a":
                self.env["links"] = max(0, self.env.get("links", 0) - 1)
            self.out.append(f"</{tag}>")
        elif tag not in RAW_HTML_UNWRAPPED:
            self.out.append(escapeHtml(f"</{tag}>"))

    def handle_data(self, data: str) -> None:
        self.out.append(escapeHtml(data))

    def handle_comment(self, data: str) -> None:
        pass  # <!-- markdownlint-disable ... --> and the like: notes to the card's editors

    def handle_decl(self, decl: str) -> None:
        pass

    def handle_pi(self, data: str) -> None:
        pass

    def unknown_decl(self, data: str) -> None:
        pass


# an end tag left open at the end of a block (``<summary>Expand</summary`` and a blank line):
# a browser reads it as the end tag, the parser would keep it as text
_OPEN_END_TAG_RE = re.compile(r"(</[A-Za-z][\w-]*)\s*$")


def _raw_html(self: Any, tokens: list[Any], idx: int, options: Any, env: Any) -> str:
    parser = _RawHtml(env)
    parser.feed(_OPEN_END_TAG_RE.sub(r"\1>\n", tokens[idx].content))
    parser.close()
    return "".join(parser.out)


def _anchors(self: Any, tokens: list[Any], idx: int, options: Any, env: Any) -> str:
    return str(tokens[idx].content)


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
    # "commonmark" with raw HTML parsed: each html token is rewritten by ``_RawHtml``, and the
    # whole page then goes through nh3's allow-list
    md = MarkdownIt("commonmark", {"html": True, "linkify": False}).enable(
        ["table", "strikethrough"]
    )
    md.add_render_rule("image", _image_as_link)
    md.add_render_rule("link_open", _link_open)
    md.add_render_rule("link_close", _link_close)
    md.add_render_rule("html_block", _raw_html)
    md.add_render_rule("html_inline", _raw_html)
    md.add_render_rule("card_anchors", _anchors)
    md.add_render_rule("card_html", _html)  # the page's own HTML (_own_columns), escaped there
    return md


def _table_end(tokens: list[Any], start: int) -> int:
    """The index of the table_close that closes the table_open at ``start``."""
    level = tokens[start].level
    for i in range(start + 1, len(tokens)):
        if tokens[i].type == "table_close" and tokens[i].level == level:
            return i
    return len(tokens) - 1


def _table_headers(table: list[Any]) -> list[str]:
    headers: list[str] = []
    in_head = False
    for i, token in enumerate(table):
        if token.type == "thead_open":
            in_head = True
        elif token.type == "thead_close":
            break
        elif in_head and token.type == "th_open":
            inline = table[i + 1] if i + 1 < len(table) else None
            # as the facts read them (axes.card_columns): a header that is a link reads as its
            # text, not with the URL's words, which named another family
            headers.append(inline_plain(inline.content if inline is not None else ""))
    return headers


def _table_columns_kept(table: list[Any], keep: set[int]) -> list[Any]:
    """A copy of a table's tokens with only the columns ``keep``, without their L<n> ids (the
    whole table, shown too, keeps those)."""
    out: list[Any] = []
    column, kept = -1, True
    for token in table:
        if token.type == "tr_open":
            column = -1
        if token.type in ("th_open", "td_open"):
            column += 1
            kept = column in keep
        in_cell = column >= 0 and token.type not in ("tr_open", "tr_close")
        if not in_cell or kept:
            out.append(token.copy(attrs={k: v for k, v in token.attrs.items() if k != "id"}))
        if token.type == "tr_close":
            column, kept = -1, True
    return out


def _html_token(html: str) -> Token:
    token = Token("card_html", "", 0)
    token.content = html
    return token


def _own_columns(tokens: list[Any], model: str, decoder_type: str | None) -> list[Any]:
    """Each card table with a column per model of the family (``axes.card_columns``) shown as
    this model's column beside the rows' names, with a note saying so; the whole table under a
    <details>, its anchors in place (a fact's link to a row opens it)."""
    from axes.card_columns import model_column

    out: list[Any] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token.type != "table_open":
            out.append(token)
            i += 1
            continue
        end = _table_end(tokens, i)
        table = tokens[i : end + 1]
        headers = _table_headers(table)
        column = model_column(headers, model, decoder_type=decoder_type)
        if column is None:
            out.extend(table)
        else:
            note = _(
                "The card's table has a column for each of %(n)s models of the family; only "
                "this model's column (%(name)s) is shown here.",
                n=len(headers) - 1,
                name=headers[column],
            )
            summary = _("The whole table, with the columns of all %(n)s models", n=len(headers) - 1)
            out.append(_html_token(f'<p class="card-table-note">{escapeHtml(note)}</p>'))
            out.extend(_table_columns_kept(table, {0, column}))
            out.append(
                _html_token(
                    f'<details class="card-table-full"><summary>{escapeHtml(summary)}</summary>'
                )
            )
            out.extend(table)
            out.append(_html_token("</details>"))
        i = end + 1
    return out


def _html(self: Any, tokens: list[Any], idx: int, options: Any, env: Any) -> str:
    return str(tokens[idx].content)


def card_render_html(
    markdown: str,
    *,
    first_line: int | None = None,
    model: str | None = None,
    decoder_type: str | None = None,
) -> str:
    """Sanitized HTML of a card. Front matter, if present, is dropped (line numbers kept).

    ``first_line``: the README line the given text starts on (default: 1, or computed when the
    text still holds its front matter). ``model`` (its ID) and ``decoder_type`` (the engine's):
    a table with a column per model of the family shows this model's column, the whole table
    under a <details>.
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
    # Every other line of a block (a paragraph's second line, a table row, a line of code,
    # every line of a raw HTML block, which has no tag of its own to carry an id) gets an empty
    # anchor just before its top-level block, so that a fact quoting it links to the block
    # that holds it.
    marked: list[Any] = []
    for token in tokens:
        if token.level == 0 and token.map and token.nesting != -1:
            start, end = token.map[0] + first_line, token.map[1] + first_line
            inner = [n for n in range(start, end) if n not in seen]
            if inner:
                seen.update(inner)
                marker = Token("card_anchors", "", 0)
                marker.content = "".join(
                    f'<span id="L{n}" class="card-anchor"></span>' for n in inner
                )
                marked.append(marker)
        marked.append(token)
    if model:
        marked = _own_columns(marked, model, decoder_type)
    html = front + md.renderer.render(marked, md.options, {"links": 0})
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        clean_content_tags=CONTENT_DROPPED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        tag_attribute_values=ALLOWED_ATTRIBUTE_VALUES,
        url_schemes=ALLOWED_URL_SCHEMES,
        allowed_classes=ALLOWED_CLASSES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )
