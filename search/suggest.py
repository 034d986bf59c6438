"""Offer a corrected search ("did you mean") for words the index does not know.

Corrections come from the unstemmed ``spell`` field (titles, keywords and summaries), so a
suggestion is a real word people wrote, not a stem. Only free words that match nothing in any
text field are corrected; operators, field names and the values of field filters stay as typed.
"""

from __future__ import annotations

import re

from whoosh.analysis import StemmingAnalyzer
from whoosh.searching import Searcher

from search.schema import TEXT_FIELD_BOOSTS

_WORD = re.compile(r"(?<![\w:*?])([^\W\d_]{3,})(?![\w:*?])")
_OPERATORS = {"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE"}
_stemmer = StemmingAnalyzer(cachesize=-1)


def corrected_text(searcher: Searcher, text: str) -> str | None:
    """Return ``text`` with its unknown words replaced by the closest indexed words, or None."""
    changed = False
    pieces: list[str] = []
    position = 0
    for match in _WORD.finditer(text):
        word = match.group(1)
        replacement = None if word in _OPERATORS else _correction(searcher, word)
        pieces.append(text[position : match.start(1)])
        pieces.append(replacement or word)
        changed = changed or replacement is not None
        position = match.end(1)
    pieces.append(text[position:])
    return "".join(pieces) if changed else None


def _correction(searcher: Searcher, word: str) -> str | None:
    stems = [token.text for token in _stemmer(word)]
    if not stems or any(_known(searcher, stem) for stem in stems):
        return None
    suggestions = searcher.suggest("spell", word.lower(), limit=1, maxdist=2, prefix=1)
    if not suggestions or suggestions[0] == word.lower():
        return None
    return suggestions[0]


def _known(searcher: Searcher, stem: str) -> bool:
    return any(searcher.doc_frequency(name, stem) > 0 for name in TEXT_FIELD_BOOSTS)
