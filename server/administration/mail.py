"""Mail out of the server: one plain-text message, and sending a batch of them over one
SMTP connection. The coaches' digest and the kiosks' alerts both send through here."""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Callable, Sequence
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from server.settings import Settings

log = logging.getLogger(__name__)


def plain_mail(
    settings: Settings, to: Sequence[str], subject: str, body: str, now: datetime
) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = settings.smtp_from
    message["To"] = ", ".join(to)
    message["Date"] = format_datetime(now)
    message["Message-ID"] = make_msgid(domain="prikklok")
    message.set_content(body)
    return message


def send_mails(
    settings: Settings,
    messages: Sequence[EmailMessage],
    taken: Callable[[int], None],
    *,
    label: Callable[[int], str] = str,
) -> int:
    """Send the messages over one connection to settings.smtp_host; `taken(i)` is called as
    soon as the server takes message i (so what was sent is recorded even if a later one
    breaks the connection). A refused message is logged by `label(i)` (an id, never an
    address) and skipped; an unreachable server raises OSError. Returns how many were taken.
    """
    if not settings.smtp_host or not messages:
        return 0
    sent = 0
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=30) as smtp:
        for index, message in enumerate(messages):
            try:
                smtp.send_message(message)
            except smtplib.SMTPException as refused:
                log.warning("mail %s not taken: %s", label(index), refused)
                continue
            sent += 1
            taken(index)
    return sent
