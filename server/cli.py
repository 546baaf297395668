"""The `tandem` command: serve the site, migrate the database, load demo data."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import sys

from aiohttp import web

from models.database import create_engine, create_session_factory, upgrade
from server.access_log import RequestLog
from server.settings import SettingsError, finalize, settings_from_env

LOG_LEVELS = ("debug", "info", "warning", "error")
# Chatty libraries: their INFO lines (every ICE candidate pair, ...) drown the console.
QUIET_LOGGERS = ("aioice", "aiortc")


def configure_logging(level_name: str) -> None:
    """Log at `level_name`; the chatty libraries only from WARNING up (or at debug)."""
    level = getattr(logging, level_name.upper())
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger().setLevel(level)
    for name in QUIET_LOGGERS:
        quiet = level if level <= logging.DEBUG else max(level, logging.WARNING)
        logging.getLogger(name).setLevel(quiet)


async def _serve(app: web.Application, host: str, port: int, banner: list[str]) -> None:
    """Serve until SIGINT or SIGTERM; the banner is printed once listening, so it comes last."""
    runner = web.AppRunner(app, access_log_class=RequestLog, shutdown_timeout=5)
    await runner.setup()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        site = web.TCPSite(runner, host, port)
        await site.start()
        print("\n".join([*banner, f"Tandem is running at {site.name}/"]), flush=True)
        await stop.wait()
    finally:
        await runner.cleanup()


def _parser() -> argparse.ArgumentParser:
    serving = argparse.ArgumentParser(add_help=False)
    serving.add_argument("--host", help="address to listen on (TANDEM_HOST, default 127.0.0.1)")
    serving.add_argument("--port", type=int, help="port to listen on (TANDEM_PORT, default 8080)")
    serving.add_argument("--demo", action="store_true", help="load demo users and sessions first")
    serving.add_argument(
        "--log-level",
        choices=LOG_LEVELS,
        help="how much to log: debug, info (the default: one line per page or API request), "
        "warning or error",
    )
    parser = argparse.ArgumentParser(
        prog="tandem", description="Tandem mentoring platform", parents=[serving]
    )
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("serve", help="run the web server (the default)", parents=[serving])
    db = sub.add_parser("db", help="database commands")
    db_sub = db.add_subparsers(dest="db_command", required=True)
    db_sub.add_parser("upgrade", help="apply pending migrations")
    sub.add_parser("demo", help="load demo data and exit")
    admin = sub.add_parser("admin", help="programme admin commands")
    admin_sub = admin.add_subparsers(dest="admin_command", required=True)
    grant = admin_sub.add_parser("grant", help="give an existing account the admin role")
    grant.add_argument("email", help="the account's e-mail address")
    return parser


async def _upgrade(url: str) -> None:
    engine = create_engine(url)
    try:
        await upgrade(engine)
    finally:
        await engine.dispose()


async def _grant_admin(url: str, email: str) -> int:
    from server.errors import ApiError
    from server.services.admin import grant_admin

    engine = create_engine(url)
    try:
        await upgrade(engine)
        async with create_session_factory(engine)() as db:
            try:
                user = await grant_admin(db, email)
            except ApiError as exc:
                print(f"tandem: {exc.message}", file=sys.stderr)
                return 1
            await db.commit()
    finally:
        await engine.dispose()
    print(f"{user.name} is now a programme admin.")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point of `tandem` and `python -m server`."""
    args = _parser().parse_args(argv)
    configure_logging(getattr(args, "log_level", None) or "info")
    try:
        settings = finalize(settings_from_env())
    except SettingsError as exc:
        print(f"tandem: {exc}", file=sys.stderr)
        return 2
    command = args.command or "serve"
    if command == "db":
        asyncio.run(_upgrade(settings.database_url))
        print("Database is up to date.")
        return 0
    if command == "admin":
        return asyncio.run(_grant_admin(settings.database_url, args.email))
    if command == "demo":
        from server.demo import load_demo

        asyncio.run(load_demo(settings))
        return 0
    settings = settings.with_overrides(
        host=getattr(args, "host", None), port=getattr(args, "port", None)
    )
    from server.app import create_app

    banner: list[str] = []
    if getattr(args, "demo", False):
        from server.demo import DEMO_PASSWORD, load_demo

        asyncio.run(load_demo(settings))
        banner.append(
            f"Demo login: maya@demo.tandem / {DEMO_PASSWORD} (mentor), "
            f"leo@demo.tandem / {DEMO_PASSWORD} (mentee)"
        )
    asyncio.run(_serve(create_app(settings), settings.host, settings.port, banner))
    # Everything is closed and stored by now. Tearing down the interpreter's objects would take
    # another second or more (the GeoNames tables): skip it, so a restart is prompt.
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)
