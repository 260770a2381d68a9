"""The commands' words in the terminal's language, framework-free: no Django, no torch.

``manage.py analyze PATH`` answers before Django is imported (``axes.cli.fast_main``), and
``python -m profiler.bench`` never imports it; both speak the language the terminal asks for
(:func:`environment_language`) from the project's own compiled catalogs,
``locale/<lang>/LC_MESSAGES/django.mo``, read with the standard library's ``gettext`` (the
same files Django reads for the pages, plural forms included: Korean has one). Strings are
marked for ``makemessages`` where they are said: ``_ = words.gettext`` then ``_("...")``,
``words.ngettext(...)``, ``words.pgettext(...)``.

Numbers are written as the pages write them (``django.utils.formats.number_format`` with
grouping): German 1.234.567 and 7,48; Korean and English 1,234,567 and 7.48; a count among a
config's values in German with a narrow space (hidden_size: 2\u202f880), as the pages write it.

The engine's English notes are matched against the web app's templates (``catalog.notes_l10n``,
importable without Django) by :func:`note_pattern`, here as there.
"""

from __future__ import annotations

import gettext as stdlib_gettext
import re
import sys
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

LANGUAGES = ("en", "ko", "de")
LOCALE_DIR = Path(__file__).resolve().parents[1] / "locale"

# (decimal separator, thousands separator), as Django's locale formats (django/conf/locale/*/
# formats.py) have them; the pages group every number they format (force_grouping)
_SEPARATORS = {"en": (".", ","), "ko": (".", ","), "de": (",", ".")}
# U+202F NARROW NO-BREAK SPACE: German's digit groups among config values (ISO 80000-1)
CONFIG_GROUP_SEPARATOR = "\u202f"


def _language_code(entry: str) -> str:
    """A locale name's language: "ko_KR.UTF-8" -> "ko", "de-AT" -> "de", "C.UTF-8" -> "c"."""
    return entry.split(".")[0].split("@")[0].split("_")[0].split("-")[0].lower()


def environment_language(environ: Mapping[str, str]) -> str:
    """The language a terminal asks for, as GNU gettext reads it: LANGUAGE (a colon-separated
    list of preferences: "fr:de" -> "de", "de:en" -> "de"), then the locale, the first of
    LC_ALL, LC_MESSAGES and LANG that is set ("ko_KR.UTF-8" -> "ko"); empty values count as
    unset. LANGUAGE is ignored when the locale is C or POSIX (LC_ALL=C, LANG=C.UTF-8): gettext
    then speaks English whatever LANGUAGE says, and so do the commands. English when none
    names a language the app speaks (C, POSIX, fr_FR). With no locale variable at all,
    LANGUAGE alone chooses, as Python's ``gettext`` reads it."""
    locale = ""
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        locale = environ.get(name, "").strip()
        if locale:
            break
    if _language_code(locale) not in ("c", "posix"):
        for entry in environ.get("LANGUAGE", "").strip().split(":"):
            code = _language_code(entry.strip())
            if code in LANGUAGES:
                return code
    code = _language_code(locale)
    return code if code in LANGUAGES else "en"


@lru_cache(maxsize=8)
def _translations(language: str) -> stdlib_gettext.NullTranslations:
    """The compiled catalog of ``language``; none (English, the msgids) when it is English or
    its .mo was not compiled (``make messages``)."""
    if language == "en":
        return stdlib_gettext.NullTranslations()
    return stdlib_gettext.translation(
        "django", str(LOCALE_DIR), languages=[language], fallback=True
    )


_UNCOMPILED_SAID: set[str] = set()


def _say_uncompiled(language: str) -> None:
    """One line on stderr, once per language and process, that ``language``'s catalog is not
    compiled: the commands then speak English, and ``make messages`` makes them speak it."""
    if language in _UNCOMPILED_SAID:
        return
    _UNCOMPILED_SAID.add(language)
    mo = LOCALE_DIR / language / "LC_MESSAGES" / "django.mo"
    sys.stderr.write(
        f"Note: the {language} translations are not compiled ({mo} is missing), so this "
        "command speaks English; run `make messages` to compile them.\n"
    )


class Words:
    """One language's translations and number format, for code that runs without Django."""

    def __init__(self, language: str = "en") -> None:
        self.language = language if language in LANGUAGES else "en"
        self._t = _translations(self.language)
        if self.language != "en" and not isinstance(self._t, stdlib_gettext.GNUTranslations):
            # no compiled catalog (a fresh clone before ``make messages``): the words are the
            # English msgids, so the numbers are written in English too, not "params total
            # 1.855.828.800"; said once on stderr (never on stdout: --json stays one document)
            _say_uncompiled(self.language)
            self.language = "en"
        self.point = _SEPARATORS[self.language][0]

    def gettext(self, message: str) -> str:
        return self._t.gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self._t.ngettext(singular, plural, n)

    def pgettext(self, context: str, message: str) -> str:
        return self._t.pgettext(context, message)

    def number(self, value: float, decimal_pos: int = 0) -> str:
        """``value`` grouped in this language, with ``decimal_pos`` decimals: 1234567 ->
        "1,234,567" (de "1.234.567"), 7.4812 with 2 -> "7.48" (de "7,48")."""
        text = f"{value:,.{decimal_pos}f}"
        point, group = _SEPARATORS[self.language]
        return text.translate(str.maketrans({",": group, ".": point}))

    def integer(self, value: Any) -> str:
        """An integer grouped ("-" for anything else), as the CLI's figures are written."""
        if isinstance(value, int) and not isinstance(value, bool):
            return self.number(value)
        return "-"

    def config_count(self, value: int) -> str:
        """A count among a config's values (a fact's "hidden_size: 2,880"), as the pages write
        it (``catalog.templatetags.mechanic.config_count_l10n``): grouped, but where the
        language groups with the point (German) by a narrow no-break space, 2\u202f880, which
        no one reads as a decimal point beside floats written as configs write them (8.0)."""
        text = self.number(value)
        return text.replace(".", CONFIG_GROUP_SEPARATOR) if self.point == "," else text

    def count(self, value: Any) -> str:
        """A config-sized count as the pages write a fact's integer: grouped from 1,000 on
        (2,880; de 2.880), smaller ones as written (128)."""
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 1000:
            return self.number(value)
        return str(value)

    def prose_count(self, value: Any) -> str:
        """A count the engine computed inside a fact's value (MTP "params: 13463426048") as the
        page writes it (``catalog.templatetags.mechanic._count_plain``): grouped as the
        language's prose groups (de 13.463.426.048), not with a config value's narrow spaces;
        a whole float as its integer, yes/no in this language, the rest as ``plain``."""
        from axes.readable import is_whole_float

        if is_whole_float(value):
            value = int(value)
        if isinstance(value, int) and not isinstance(value, bool):
            return self.count(value)
        return self.plain(value)

    def plain(self, value: Any) -> str:
        """A scalar inside a fact's value as the page writes it (``catalog.templatetags.
        mechanic._plain``): yes/no in this language, counts from 1,000 on grouped in it, floats
        as configs write them (1e-06); structures as ``axes.readable.plain_text`` does."""
        from axes.readable import GROUP_FROM, is_whole_float, plain_text

        if isinstance(value, bool):
            return self.gettext("yes") if value else self.gettext("no")
        if is_whole_float(value):
            value = int(value)
        if isinstance(value, int) and abs(value) >= GROUP_FROM:
            return self.config_count(value)
        return plain_text(value)

    def layer_summary(self, summary: Any) -> str:
        """An engine layer summary ("28 sliding + 7 full, the last 15 reusing earlier layers'
        K/V · 35 MLP") with its prose in this language, as the pages show it
        (``catalog.notes_l10n.layer_summary_l10n``): counts and block names as written."""
        text = str(summary if summary is not None else "")
        if self.language == "en" or not text:
            return text
        from catalog.notes_l10n import SUMMARY_PHRASES

        for pattern, template in SUMMARY_PHRASES:
            text = pattern.sub(
                lambda m, t=template: self.gettext(t) % dict(m.groupdict().items()), text
            )
        return text

    def note(self, text: Any) -> str:
        """An engine note (English, figures in it) in this language, where the web app has a
        template for it (``catalog.notes_l10n``); as written otherwise."""
        text = str(text)
        if self.language == "en":
            return text
        return _note_translated(text, self.language)


_PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def note_pattern(template: str) -> re.Pattern[str]:
    """A note template as a regex: literal text escaped, ``%(n_x)s`` an integer as the code
    writes it (``8,192`` or ``8192``), any other placeholder a non-empty run of text."""
    parts: list[str] = []
    pos = 0
    seen: set[str] = set()
    for m in _PLACEHOLDER.finditer(template):
        parts.append(re.escape(template[pos : m.start()]))
        name = m.group(1)
        if name in seen:  # a value said twice is the same value both times
            parts.append(f"(?P={name})")
        else:
            seen.add(name)
            parts.append(f"(?P<{name}>\\d[\\d,]*)" if name.startswith("n_") else f"(?P<{name}>.+?)")
        pos = m.end()
    parts.append(re.escape(template[pos:]))
    return re.compile("".join(parts), re.S)


@lru_cache(maxsize=2048)
def _note_translated(text: str, language: str) -> str:
    # the templates live beside the web app's translation of them; that module imports no
    # Django at load time, so the CLI's fast path reads them too
    from catalog.notes_l10n import JSON_ERROR_DETAILS, QUANT_NOT_PLACED, note_match

    hit = note_match(text)
    if hit is None:
        return text
    template, values = hit
    words = Words(language)
    out = {
        k: words.count(int(v.replace(",", ""))) if k.startswith("n_") else v
        for k, v in values.items()
    }
    if out.get("detail") in JSON_ERROR_DETAILS:
        out["detail"] = words.gettext(JSON_ERROR_DETAILS[out["detail"]])
    if out.get("why") in QUANT_NOT_PLACED:
        out["why"] = words.gettext(QUANT_NOT_PLACED[out["why"]])
    return words.gettext(template) % out
