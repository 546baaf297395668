"""`tandem serve` keeps a quiet console: the URL and demo login come last, static files unlogged."""

from __future__ import annotations

import asyncio
import logging
import os
import re
import signal
import sys
from pathlib import Path

import aiohttp

from server.cli import configure_logging

ROOT = Path(__file__).resolve().parent.parent
URL = re.compile(r"Tandem is running at (http://127\.0\.0\.1:\d+)/")


async def _serve_and_browse(tmp_path: Path, *extra: str) -> tuple[list[str], list[str]]:
    """Start the server, fetch a page and a static file, stop it: (startup lines, later lines)."""
    env = {
        **os.environ,
        "TANDEM_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/tandem.db",
        "TANDEM_VAR_DIR": str(tmp_path / "var"),
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "server",
        "--demo",
        "--port",
        "0",
        *extra,
        cwd=ROOT,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    assert process.stdout is not None
    startup: list[str] = []
    try:
        while not (match := URL.search(startup[-1] if startup else "")):
            line = await asyncio.wait_for(process.stdout.readline(), 30)
            assert line, "the server stopped before printing its URL:\n" + "".join(startup)
            startup.append(line.decode())
        async with aiohttp.ClientSession() as http:
            for path in ("/login", "/static/css/tandem.css", "/static/js/api.js"):
                async with http.get(match.group(1) + path) as response:
                    assert response.status == 200
    finally:
        process.send_signal(signal.SIGINT)
        rest, _ = await asyncio.wait_for(process.communicate(), 30)
    return startup, rest.decode().splitlines()


async def test_the_url_and_demo_login_are_printed_last_and_static_files_are_not_logged(
    tmp_path: Path,
) -> None:
    startup, later = await _serve_and_browse(tmp_path)
    assert startup[-2].startswith("Demo login: maya@demo.tandem")
    requests = [line for line in later if "aiohttp.access" in line]
    assert len(requests) == 1 and "GET /login 200" in requests[0], later
    assert not [line for line in later if "/static/" in line]


async def test_log_level_warning_hides_request_lines(tmp_path: Path) -> None:
    startup, later = await _serve_and_browse(tmp_path, "--log-level", "warning")
    assert not [line for line in startup + later if " INFO " in line]
    assert startup[-1].startswith("Tandem is running at")


def test_ice_libraries_log_only_warnings_unless_debugging() -> None:
    root_level = logging.getLogger().level
    try:
        configure_logging("info")
        assert logging.getLogger("aioice").getEffectiveLevel() == logging.WARNING
        configure_logging("debug")
        assert logging.getLogger("aioice").getEffectiveLevel() == logging.DEBUG
    finally:
        logging.getLogger().setLevel(root_level)
        logging.getLogger("aioice").setLevel(logging.NOTSET)
        logging.getLogger("aiortc").setLevel(logging.NOTSET)
