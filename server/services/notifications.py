"""Telling people: notifications stored with the change, pushed live, and mailed if wanted."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass

import jinja2
from sqlalchemy.ext.asyncio import AsyncSession

from models.notifications import Notification, NotificationKind, email_choices
from models.users import users_by_ids
from server.calendar import Site
from server.services.mail import Invitation, Mailer, compose, mail_templates

log = logging.getLogger(__name__)

# Live listeners per user get at most this many pending wake-ups; more are redundant.
QUEUE_SIZE = 4
# Open live connections per user (tabs, devices); more are refused.
MAX_LISTENERS = 10


@dataclass(frozen=True)
class Notice:
    """Something to tell one user."""

    user_id: int
    kind: NotificationKind
    title: str
    body: str = ""
    url: str = ""
    invitation: Invitation | None = None


@dataclass(frozen=True)
class Outgoing:
    """A stored notice, with the address to mail it to when the user wants this kind by mail."""

    notice: Notice
    name: str
    email: str | None


async def record(db: AsyncSession, notices: Sequence[Notice]) -> list[Outgoing]:
    """Store the notices in the caller's transaction and decide who also gets an e-mail."""
    people = await users_by_ids(db, [n.user_id for n in notices])
    outgoing: list[Outgoing] = []
    choices: dict[int, dict[NotificationKind, bool]] = {}
    for notice in notices:
        person = people.get(notice.user_id)
        if person is None:
            continue
        db.add(
            Notification(
                user_id=notice.user_id,
                kind=notice.kind.value,
                title=notice.title[:200],
                body=notice.body[:2000],
                url=notice.url[:300],
            )
        )
        if person.id not in choices:
            choices[person.id] = await email_choices(db, person.id)
        wants_mail = choices[person.id][notice.kind]
        outgoing.append(Outgoing(notice, person.name, person.email if wants_mail else None))
    await db.flush()
    return outgoing


class NotificationHub:
    """Wakes each user's open live connections in this process when they get a notification."""

    def __init__(self) -> None:
        self._listeners: dict[int, set[asyncio.Queue[bool]]] = {}

    def subscribe(self, user_id: int) -> asyncio.Queue[bool] | None:
        """A queue that receives True on news and False when the server shuts down;
        None when the user already has too many open connections."""
        listeners = self._listeners.setdefault(user_id, set())
        if len(listeners) >= MAX_LISTENERS:
            return None
        queue: asyncio.Queue[bool] = asyncio.Queue(QUEUE_SIZE)
        listeners.add(queue)
        return queue

    def unsubscribe(self, user_id: int, queue: asyncio.Queue[bool]) -> None:
        """Forget a closed connection."""
        listeners = self._listeners.get(user_id, set())
        listeners.discard(queue)
        if not listeners:
            self._listeners.pop(user_id, None)

    def publish(self, user_id: int, news: bool = True) -> None:
        """Wake the user's connections; a full queue already has a wake-up pending."""
        for queue in self._listeners.get(user_id, set()):
            if not queue.full():
                queue.put_nowait(news)

    def close(self) -> None:
        """Tell every connection to finish."""
        for user_id in list(self._listeners):
            self.publish(user_id, False)


class Notifier:
    """Delivers stored notices: live to open pages, and as mail in the background."""

    def __init__(self, hub: NotificationHub, mailer: Mailer, site: Site, sender: str) -> None:
        self.hub = hub
        self.mailer = mailer
        self.site = site
        self.sender = sender
        self.templates: jinja2.Environment | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    def deliver(self, outgoing: Sequence[Outgoing]) -> None:
        """Call after the commit: wake live pages now, send mails without blocking the caller."""
        for item in outgoing:
            self.hub.publish(item.notice.user_id)
            if item.email:
                task = asyncio.create_task(self._mail(item))
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)

    async def _mail(self, item: Outgoing) -> None:
        if self.templates is None:
            self.templates = mail_templates()
        notice = item.notice
        assert item.email is not None
        try:
            message = compose(
                self.templates,
                "notice",
                sender=self.sender,
                to_name=item.name,
                to_address=item.email,
                subject=" ".join(notice.title.split()),  # never a line break in a header
                context={
                    "name": item.name,
                    "title": notice.title,
                    "body": notice.body,
                    "url": self.site.link(notice.url) if notice.url else "",
                    "invitation": notice.invitation is not None,
                    "settings_url": self.site.link("/notifications"),
                },
                invitation=notice.invitation,
            )
            await self.mailer.send(message)
        except Exception:  # a mail server outage must not lose the in-app notification
            log.exception("mail for user %s (%s) not sent", notice.user_id, notice.kind)

    async def drain(self) -> None:
        """Wait for mails in flight (tests, and shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def close(self) -> None:
        """Finish pending mails and end live connections."""
        self.hub.close()
        await self.drain()
