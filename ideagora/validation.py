"""Check and normalise the small pieces of input that several packages accept."""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email

MAX_EMAIL_LENGTH = 254


def normalize_email(email: str) -> str:
    """Return the canonical, lower-case form of an e-mail address or raise ``ValueError``."""
    email = (email or "").strip()
    if not email:
        raise ValueError("Enter an e-mail address.")
    if len(email) > MAX_EMAIL_LENGTH:
        raise ValueError(f"An e-mail address has at most {MAX_EMAIL_LENGTH} characters.")
    try:
        checked = validate_email(email, check_deliverability=False)
    except EmailNotValidError as error:
        raise ValueError(f"This is not a valid e-mail address: {error}") from error
    return checked.normalized.lower()


def clean_text(value: str | None, *, label: str, max_length: int, required: bool = True) -> str:
    """Return the stripped text, or raise ``ValueError`` naming the field when it is not fit."""
    text = " ".join((value or "").split())
    if required and not text:
        raise ValueError(f"Enter {label}.")
    if len(text) > max_length:
        raise ValueError(f"{label.capitalize()} has at most {max_length} characters.")
    return text
