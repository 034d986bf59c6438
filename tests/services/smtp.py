"""A real SMTP server on 127.0.0.1 (aiosmtpd) that keeps what it receives."""

from __future__ import annotations

from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller

from tests.services.processes import free_port


@dataclass
class Mailbox:
    """The messages an SMTP server received, as parsed e-mails."""

    messages: list[EmailMessage] = field(default_factory=list)
    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 Message accepted for delivery"


@dataclass
class SMTPServer:
    host: str
    port: int
    mailbox: Mailbox
    controller: Controller

    def stop(self) -> None:
        self.controller.stop()


def start_smtp_server() -> SMTPServer:
    """Start an SMTP server in a background thread on a free local port."""
    mailbox = Mailbox()
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    return SMTPServer("127.0.0.1", port, mailbox, controller)
