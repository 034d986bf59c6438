"""Bound and repair the text people type into the search box, saying what was changed.

Anything may arrive here: 10,000 characters, control characters, a lone quotation mark, stray
brackets, ``*``. The text is cut to a length and a number of words the engine answers quickly,
and repaired so the parser reads what the person most likely meant; each change adds a sentence
to the notices shown with the results.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

MAX_QUERY_CHARS = 500
MAX_QUERY_WORDS = 30

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SPACE = re.compile(r"\s+")
_LEADING_WILDCARD = re.compile(r"(^|(?<=[\s(:\"+-]))[*?]+")
_EMPTY_FIELD = re.compile(r"(^|(?<=[\s(]))[A-Za-z_]+:(?=\s|\)|$)")


@dataclass
class CleanText:
    """The text to parse and the sentences telling people what was changed."""

    text: str
    notices: list[str] = field(default_factory=list)


def clean_query_text(raw: str) -> CleanText:
    """Return ``raw`` bounded and repaired for the parser, with a notice per change."""
    notices: list[str] = []
    text = _CONTROL.sub(" ", raw)
    if text != raw:
        notices.append("Invisible control characters were removed from your search.")
    text = _SPACE.sub(" ", text).strip()
    if text in {"*", "*:*"}:
        return CleanText("")
    text = _cut_length(text, notices)
    text = _cut_words(text, notices)
    text = _balance_quotes(text, notices)
    text = _balance_brackets(text, notices)
    text = _drop_leading_wildcards(text, notices)
    text = _drop_empty_fields(text, notices)
    return CleanText(_SPACE.sub(" ", text).strip(), notices)


def _cut_length(text: str, notices: list[str]) -> str:
    if len(text) <= MAX_QUERY_CHARS:
        return text
    cut = text[:MAX_QUERY_CHARS]
    if " " in cut and not text[MAX_QUERY_CHARS].isspace():
        cut = cut.rsplit(" ", 1)[0]
    notices.append(
        f"Your search was longer than {MAX_QUERY_CHARS} characters, so only its beginning was used."
    )
    return cut


def _cut_words(text: str, notices: list[str]) -> str:
    words = text.split(" ")
    if len(words) <= MAX_QUERY_WORDS:
        return text
    notices.append(
        f"Your search had more than {MAX_QUERY_WORDS} words, so only the first "
        f"{MAX_QUERY_WORDS} were used."
    )
    return " ".join(words[:MAX_QUERY_WORDS])


def _balance_quotes(text: str, notices: list[str]) -> str:
    if text.count('"') % 2 == 0:
        return text
    notices.append("A quotation mark without its partner was ignored.")
    last = text.rindex('"')
    return text[:last] + " " + text[last + 1 :]


def _balance_brackets(text: str, notices: list[str]) -> str:
    kept: list[str] = []
    open_at: list[int] = []
    dropped = False
    in_phrase = False
    for character in text:
        if character == '"':
            in_phrase = not in_phrase
        elif character == "(" and not in_phrase:
            open_at.append(len(kept))
        elif character == ")" and not in_phrase:
            if not open_at:
                dropped = True
                kept.append(" ")
                continue
            open_at.pop()
        kept.append(character)
    for position in open_at:
        kept[position] = " "
    if dropped or open_at:
        notices.append("Brackets without their partner were ignored.")
    return "".join(kept)


def _drop_leading_wildcards(text: str, notices: list[str]) -> str:
    stripped = _LEADING_WILDCARD.sub("", text)
    if stripped != text:
        notices.append(
            "A * or ? can only stand at the end or inside a word, so those at the start of "
            "a word were ignored."
        )
    return stripped


def _drop_empty_fields(text: str, notices: list[str]) -> str:
    stripped = _EMPTY_FIELD.sub("", text)
    if stripped != text:
        notices.append('A field name such as "title:" had nothing after it and was ignored.')
    return stripped
