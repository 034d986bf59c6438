"""Read the text of the PDFs the exchange issues, as a reader of them would see it."""

from __future__ import annotations

import io

import pypdf


def pdf_reader(pdf: bytes) -> pypdf.PdfReader:
    """Return a reader of the document."""
    return pypdf.PdfReader(io.BytesIO(pdf))


def pdf_pages(pdf: bytes) -> list[str]:
    """Return the text of each page."""
    return [page.extract_text() for page in pdf_reader(pdf).pages]


def flat(text: str) -> str:
    """Return the text with every run of whitespace made one space."""
    return " ".join(text.split())
