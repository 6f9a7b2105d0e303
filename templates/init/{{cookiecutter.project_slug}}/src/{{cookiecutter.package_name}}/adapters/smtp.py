"""The real mailer: email over SMTP. Tests never call it; they use an in-memory outbox instead."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage

from ..domain import Message


class SmtpMailer:
    def __init__(
        self, host: str, port: int = 25, sender: str = "no-reply@example.com"
    ) -> None:
        self.host = host
        self.port = port
        self.sender = sender

    def send(self, message: Message) -> None:
        email = EmailMessage()
        email["From"] = self.sender
        email["To"] = message.to
        email["Subject"] = message.subject
        email.set_content(message.body)
        with smtplib.SMTP(self.host, self.port, timeout=10) as connection:
            connection.send_message(email)
