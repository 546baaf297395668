"""Outgoing e-mail: SMTP with aiosmtplib, or .eml files under var/outbox/ when none is set."""

from __future__ import annotations

import asyncio
import logging
import uuid
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import aiosmtplib
import jinja2

from models.base import utcnow

log = logging.getLogger(__name__)

TEMPLATES = Path(__file__).resolve().parent.parent / "mail_templates"


@dataclass(frozen=True)
class Invitation:
    """An iCalendar attachment: METHOD:REQUEST or METHOD:CANCEL makes mail clients offer RSVP."""

    method: str
    ics: bytes


def mail_templates() -> jinja2.Environment:
    """The mail templates: .txt plain, .html escaped."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html",), default=False),
        undefined=jinja2.StrictUndefined,
    )


def compose(
    templates: jinja2.Environment,
    name: str,
    *,
    sender: str,
    to_name: str,
    to_address: str,
    subject: str,
    context: dict[str, Any],
    invitation: Invitation | None = None,
) -> EmailMessage:
    """A mail from the `name`.txt and `name`.html templates, with the invitation attached."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = formataddr((" ".join(to_name.split()), to_address))
    message["Subject"] = subject
    message["Date"] = format_datetime(utcnow())
    message["Message-ID"] = make_msgid(domain=sender.rsplit("@", 1)[-1].strip(">"))
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(templates.get_template(f"{name}.txt").render(**context))
    message.add_alternative(templates.get_template(f"{name}.html").render(**context), "html")
    if invitation is not None:
        message.add_attachment(
            invitation.ics,
            maintype="text",
            subtype="calendar",
            params={"method": invitation.method},
            filename="invite.ics",
        )
    return message


class Mailer:
    """Sends mail over SMTP (`smtp://`, `smtp+starttls://`, `smtps://`) or into the outbox."""

    def __init__(self, smtp_url: str | None, outbox: Path) -> None:
        self.smtp_url = smtp_url
        self.outbox = outbox
        if smtp_url is None:
            log.warning("no SMTP server configured: mails are written to %s/", outbox)

    def _write(self, message: EmailMessage) -> Path:
        self.outbox.mkdir(parents=True, exist_ok=True)
        path = self.outbox / f"{utcnow():%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}.eml"
        path.write_bytes(bytes(message))
        return path

    async def send(self, message: EmailMessage) -> None:
        """Deliver one message; raises on SMTP failure so the caller can log it."""
        if self.smtp_url is None:
            path = await asyncio.to_thread(self._write, message)
            log.info("mail to %s written to %s", message["To"], path)
            return
        url = urlsplit(self.smtp_url)
        implicit_tls = url.scheme == "smtps"
        await aiosmtplib.send(
            message,
            hostname=url.hostname or "localhost",
            port=url.port or (465 if implicit_tls else 587 if url.scheme != "smtp" else 25),
            username=unquote(url.username) if url.username else None,
            password=unquote(url.password) if url.password else None,
            use_tls=implicit_tls,
            start_tls=True if url.scheme == "smtp+starttls" else None,
            timeout=30,
        )
