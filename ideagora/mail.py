"""Send e-mail through a configured backend, and only after the transaction commits."""

from __future__ import annotations

import logging
import smtplib
import ssl
import threading
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Protocol

from flask import Flask, current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

logger = logging.getLogger(__name__)

_PENDING_KEY = "ideagora_pending_mail"


@dataclass(frozen=True)
class Message:
    """A plain-text e-mail to one recipient."""

    to: str
    subject: str
    body: str


class Mailer(Protocol):
    """Deliver a finished e-mail."""

    def send(self, message: EmailMessage) -> None: ...


class LogMailer:
    """Write e-mail to the log and append it to a file: the default for a local install."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._lock = threading.Lock()

    def send(self, message: EmailMessage) -> None:
        logger.info("mail to %s: %s (written to %s)", message["To"], message["Subject"], self.path)
        with self._lock, open(self.path, "a", encoding="utf-8") as mail_file:
            mail_file.write(message.as_string())
            mail_file.write("\n")


class SMTPMailer:
    """Send e-mail to an SMTP server, with STARTTLS or TLS and login when configured."""

    def __init__(
        self,
        host: str,
        port: int,
        *,
        use_tls: bool = False,
        use_ssl: bool = False,
        username: str | None = None,
        password: str | None = None,
        timeout: float = 10,
    ) -> None:
        self.host, self.port, self.timeout = host, port, timeout
        self.use_tls, self.use_ssl = use_tls, use_ssl
        self.username, self.password = username, password

    def send(self, message: EmailMessage) -> None:
        context = ssl.create_default_context()
        if self.use_ssl:
            client = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=context)
        else:
            client = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        with client:
            if self.use_tls:
                client.starttls(context=context)
            if self.username:
                client.login(self.username, self.password or "")
            client.send_message(message)


class MemoryMailer:
    """Keep sent e-mail in a list, for tests."""

    def __init__(self) -> None:
        self.outbox: list[EmailMessage] = []

    def send(self, message: EmailMessage) -> None:
        self.outbox.append(message)


def mailer_from_config(config: dict) -> Mailer:
    """Build the mailer that ``MAIL_BACKEND`` names."""
    backend = config["MAIL_BACKEND"]
    if backend == "log":
        return LogMailer(config["MAIL_FILE"])
    if backend == "memory":
        return MemoryMailer()
    if backend == "smtp":
        return SMTPMailer(
            config["MAIL_SERVER"],
            int(config["MAIL_PORT"]),
            use_tls=config["MAIL_USE_TLS"],
            use_ssl=config["MAIL_USE_SSL"],
            username=config["MAIL_USERNAME"],
            password=config["MAIL_PASSWORD"],
            timeout=config["MAIL_TIMEOUT"],
        )
    raise ValueError(f"MAIL_BACKEND must be 'log', 'smtp' or 'memory', not {backend!r}")


def init_app(app: Flask) -> None:
    """Attach the configured mailer to the app."""
    app.extensions["mailer"] = mailer_from_config(app.config)


def get_mailer() -> Mailer:
    """Return the current app's mailer."""
    return current_app.extensions["mailer"]


def queue(session: Session, message: Message) -> None:
    """Send a message once the session's transaction commits; drop it if it rolls back."""
    # tie the message to a real transaction, so that a rollback always discards it
    session.connection()
    session.info.setdefault(_PENDING_KEY, []).append(message)


# the standard's hard line limit: the default (78) folds a long subject just before its first
# encoded word, and a reader unfolding it then shows two spaces there
_POLICY = policy.default.clone(max_line_length=998)


def build(message: Message, sender: str) -> EmailMessage:
    """Turn a message into a complete e-mail."""
    email = EmailMessage(policy=_POLICY)
    email["From"] = sender
    email["To"] = message.to
    email["Subject"] = message.subject
    email["Date"] = formatdate(usegmt=True)
    email["Message-ID"] = make_msgid(domain="ideagora")
    email.set_content(message.body)
    return email


def send_now(message: Message) -> None:
    """Deliver one message through the current mailer; failures are logged, not raised."""
    email = build(message, current_app.config["MAIL_DEFAULT_SENDER"])
    try:
        get_mailer().send(email)
    except (OSError, smtplib.SMTPException):
        # the change it reports is already committed; a lost mail must not undo it
        logger.exception("could not send mail %r to %s", message.subject, message.to)


@event.listens_for(Session, "after_commit")
def _send_pending(session: Session) -> None:
    # a released savepoint fires this too: its mail waits for the outer commit
    if session.in_nested_transaction():
        return
    for message in session.info.pop(_PENDING_KEY, []):
        send_now(message)


@event.listens_for(Session, "after_soft_rollback")
def _drop_pending(session: Session, previous_transaction: object) -> None:
    # a rolled-back savepoint leaves the outer transaction, and its mail, alive
    if not getattr(previous_transaction, "nested", False):
        session.info.pop(_PENDING_KEY, None)
