"""A local SMTP server for the notification tests: every mail it receives, kept in order."""

from __future__ import annotations

import email
import socket
from collections.abc import Iterator
from email.message import Message as MailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller


def free_port() -> int:
    """aiosmtpd's port=0 is broken: bind a free port ourselves and hand it over."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Inbox:
    def __init__(self) -> None:
        self.messages: list[MailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 OK"

    def bodies(self) -> list[str]:
        """The plain-text part of each mail."""
        out = []
        for mail in self.messages:
            part = next(p for p in mail.walk() if p.get_content_type() == "text/plain")
            out.append(part.get_payload(decode=True).decode())
        return out


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    """(inbox, port) of a running local SMTP server, stopped after the test."""
    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()
