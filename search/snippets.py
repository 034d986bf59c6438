"""Build the snippet of a hit: a passage of its public text, HTML-escaped, matches in ``<mark>``.

Snippets come from the stored public summary and description only. Every character of the
listing's text is escaped; the only markup in a snippet is the ``<mark>`` this module adds.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from html import escape
from typing import Any

from whoosh.analysis import StemmingAnalyzer
from whoosh.highlight import (
    ContextFragmenter,
    Formatter,
    Fragment,
    Fragmenter,
    WholeFragmenter,
    get_text,
    highlight,
)

SNIPPET_CHARS = 200
ELLIPSIS = "…"

_analyzer = StemmingAnalyzer(cachesize=-1)


class MarkFormatter(Formatter):
    """Escape text, wrap each matched word in ``<mark>``, mark cut ends with an ellipsis."""

    between = f" {ELLIPSIS} "

    def _text(self, text: str) -> str:
        return escape(text)

    def format_token(self, text: str, token: Any, replace: bool = False) -> str:
        return f"<mark>{escape(get_text(text, token, replace))}</mark>"

    def format_fragment(self, fragment: Fragment, replace: bool = False) -> str:
        body = super().format_fragment(fragment, replace).strip()
        before = ELLIPSIS if fragment.startchar > 0 else ""
        after = ELLIPSIS if fragment.endchar < len(fragment.text.rstrip()) else ""
        return f"{before}{body}{after}"


def make_snippet(stored: Mapping[str, Any], terms: Iterable[str]) -> str:
    """Return the safe-HTML snippet of a hit's stored fields for the query ``terms``.

    Without matched words (or without a text query) it is the escaped start of the summary.
    """
    wanted = frozenset(terms)
    if wanted:
        for name in ("summary", "description"):
            text = stored.get(name) or ""
            passage = highlight(text, wanted, _analyzer, _fragmenter(text), MarkFormatter(), top=1)
            if passage:
                return passage
    return escape(shorten(stored.get("summary") or "", SNIPPET_CHARS))


def _fragmenter(text: str) -> Fragmenter:
    """Show a short text whole; cut a passage around the best match out of a long one."""
    if len(text) <= SNIPPET_CHARS:
        return WholeFragmenter()
    return ContextFragmenter(maxchars=SNIPPET_CHARS, surround=SNIPPET_CHARS // 3)


def shorten(text: str, limit: int) -> str:
    """Return ``text`` cut at a word boundary to at most ``limit`` characters, with an ellipsis."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(",;:.") + ELLIPSIS
