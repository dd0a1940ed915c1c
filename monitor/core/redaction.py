"""Hiding secrets in anything a user might read: logs, run history, error messages."""

from __future__ import annotations

from collections.abc import Iterable

MIN_SECRET_LENGTH = 4  # shorter values would blank out ordinary words


def redact(text: str, hidden: Iterable[str]) -> str:
    for secret in sorted(hidden, key=len, reverse=True):
        if len(secret) >= MIN_SECRET_LENGTH:
            text = text.replace(secret, "***")
    return text
