"""Hash and check passwords with argon2id, and judge whether a new password is strong enough."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from zxcvbn import zxcvbn
from zxcvbn.frequency_lists import FREQUENCY_LISTS

# the strength estimate grows with length; past this many characters it only costs time
_STRENGTH_SAMPLE = 64
_MIN_STRENGTH_SCORE = 3


def _hasher() -> PasswordHasher:
    config = current_app.config
    return PasswordHasher(
        time_cost=config["ARGON2_TIME_COST"],
        memory_cost=config["ARGON2_MEMORY_COST"],
        parallelism=config["ARGON2_PARALLELISM"],
    )


def hash_password(password: str) -> str:
    """Return the argon2id hash of a password."""
    return _hasher().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Return whether the password matches the hash, never raising for a bad hash."""
    if not password_hash:
        return False
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """Return whether the hash was made with other parameters than the configured ones."""
    return _hasher().check_needs_rehash(password_hash)


@cache
def _common_passwords() -> frozenset[str]:
    return frozenset(FREQUENCY_LISTS["passwords"])


def password_problem(password: str, personal_words: Iterable[str] = ()) -> str | None:
    """Return why a new password is not acceptable, or None when it is."""
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    maximum = current_app.config["PASSWORD_MAX_LENGTH"]
    if len(password) < minimum:
        return f"Use at least {minimum} characters."
    if len(password) > maximum:
        return f"Use at most {maximum} characters."
    if password.lower() in _common_passwords():
        return "This password is in a list of commonly used passwords; choose another."
    words = [word for word in personal_words if word]
    estimate = zxcvbn(password[:_STRENGTH_SAMPLE], user_inputs=words)
    if estimate["score"] < _MIN_STRENGTH_SCORE:
        warning = estimate["feedback"]["warning"] or "It follows a pattern that is easy to guess."
        return f"This password is too easy to guess. {warning}".strip()
    return None
