"""The composition root: `create_app(settings)` wires every part of Tandem together."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

from aiohttp import web

from models.database import create_engine, create_session_factory, upgrade
from models.geocoder import OfflineGeocoder
from server import keys
from server.api import setup_api
from server.connections import LiveConnections
from server.health import healthz, redis_client
from server.middlewares import add_security_headers, api_csrf_middleware, error_middleware
from server.security import SpentJoinTokens
from server.services.calendar_feed import site_of
from server.services.geocoding import Geocoding
from server.services.mail import Mailer
from server.services.matching import MentorCatalog
from server.services.notifications import NotificationHub, Notifier
from server.services.reminders import running_reminders
from server.settings import Settings, finalize
from server.throttle import LoginThrottle, SignupLimit
from signaling import setup_signaling
from signaling.notes_room import setup_notes
from signaling.office_hours import setup_office_hours
from web.routes import setup_web

log = logging.getLogger(__name__)


async def _database(app: web.Application) -> AsyncIterator[None]:
    """Open the engine (with its timeouts), bring the schema up to date, dispose of it at shutdown.

    A migration that may run past the statement timeout is applied first with `tandem db upgrade`,
    which runs without timeouts.
    """
    settings = app[keys.SETTINGS]
    engine = create_engine(
        settings.database_url,
        connect_timeout=settings.db_connect_timeout,
        statement_timeout=settings.db_statement_timeout,
    )
    await upgrade(engine)
    app[keys.ENGINE] = engine
    app[keys.DB] = create_session_factory(engine)
    yield
    await engine.dispose()


async def _geocoding(app: web.Application) -> AsyncIterator[None]:
    """The geocoder: offline GeoNames data, plus Nominatim when configured."""
    settings = app[keys.SETTINGS]
    geocoding = Geocoding(
        OfflineGeocoder(),
        app[keys.DB],
        nominatim_domain=settings.nominatim_domain,
        nominatim_scheme=settings.nominatim_scheme,
    )
    app[keys.GEOCODING] = geocoding
    app[keys.LOCATOR] = geocoding.point_for
    yield
    await geocoding.close()


async def _notifications(app: web.Application) -> AsyncIterator[None]:
    """Live notifications, mail and the reminder loop; mails in flight finish at shutdown."""
    settings = app[keys.SETTINGS]
    mailer = Mailer(settings.smtp_url, settings.var_dir / "outbox")
    notifier = Notifier(NotificationHub(), mailer, site_of(app), settings.mail_from)
    app[keys.NOTIFIER] = notifier
    async with running_reminders(app[keys.DB], notifier, settings.reminder_interval_seconds):
        yield
    await notifier.close()


async def _end_live_notifications(app: web.Application) -> None:
    """Open notification streams end before the server waits for its handlers."""
    app[keys.NOTIFIER].hub.close()


def create_app(settings: Settings) -> web.Application:
    """A fully wired Tandem application; nothing is opened until it starts."""
    settings = finalize(settings)
    app = web.Application(
        middlewares=[error_middleware, api_csrf_middleware],
        client_max_size=settings.max_body_bytes,
    )
    app[keys.SETTINGS] = settings
    app[keys.THROTTLE] = LoginThrottle()
    app[keys.SIGNUPS] = SignupLimit(settings.signups_per_hour)
    app[keys.CONNECTIONS] = LiveConnections()
    app[keys.SPENT_JOIN_TOKENS] = SpentJoinTokens()
    app[keys.MENTOR_CATALOG] = MentorCatalog()
    app.cleanup_ctx.append(_database)
    app.cleanup_ctx.append(_geocoding)
    app.cleanup_ctx.append(_notifications)
    app.on_shutdown.append(_end_live_notifications)
    app.cleanup_ctx.append(redis_client)
    app.on_response_prepare.append(add_security_headers)
    app.router.add_get("/healthz", healthz)
    setup_api(app)
    setup_web(app)
    setup_signaling(app)
    setup_notes(app)
    setup_office_hours(app)
    return app
