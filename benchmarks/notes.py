"""Benchmark: live notes with many concurrent editors, beside a bare WebSocket broadcast (ceiling).

For each size (default 2, 10 and 50 editors) every editor applies `--rate` edits a second (default
20) to one session's shared notes for `--duration` seconds (default 30), over the real
`/ws/sessions/{id}/notes` socket (join, welcome, notes-sync, notes-update with seq; pings are
answered). Each edit appends a unique marker `<editor:seq>` to the pycrdt `Text` "notes"; every
receiver finds the marker in the relayed update, so the relay latency (send -> arrival) is
measured at every other editor, and the ack latency (send -> notes-ack, which includes the
database commit) at the sender. After a quiet period every editor's text must be the same string,
and equal to the server's `GET /api/v1/sessions/{id}/notes` text.

The same editors, sizes and rates then run against a bare aiohttp WebSocket server (this file with
`--serve-bare`): no CRDT, no database, no checks; it acks and relays every update at once.

Both servers run in their own processes (Tandem: `python -m server` on SQLite in a temporary
directory); the editors run in `--client-procs` worker processes, so neither side's CPU is
counted as the other's. Clocks are `time.monotonic()` (one system-wide clock on Linux).

    python benchmarks/notes.py [--sizes 2,10,50] [--duration 30] [--rate 20] [--client-procs 2]
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import itertools
import json
import multiprocessing
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import aiohttp
import numpy as np
from aiohttp import WSMsgType, web
from pycrdt import Doc, Text

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "correct horse battery"
MARKER = re.compile(rb"<(\d+):(\d+)>")
EMPTY_UPDATE = base64.b64encode(b"\x00\x00").decode()


# --- the bare server ------------------------------------------------------------------------------


def bare_app() -> web.Application:
    """Acks and relays every notes-update to everyone else; nothing is checked or stored."""
    peers: dict[web.WebSocketResponse, asyncio.Queue[str | None]] = {}
    ids = itertools.count(1)

    async def handler(request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(max_msg_size=256 * 1024)
        await ws.prepare(request)
        outbox: asyncio.Queue[str | None] = asyncio.Queue()
        user_id = next(ids)

        async def pump() -> None:
            while (frame := await outbox.get()) is not None:
                await ws.send_str(frame)

        writer = asyncio.create_task(pump())
        try:
            async for msg in ws:
                if msg.type != WSMsgType.TEXT:
                    break
                data = json.loads(msg.data)
                kind = data.get("type")
                if kind == "join":
                    peers[ws] = outbox
                    outbox.put_nowait(json.dumps({"type": "welcome", "user_id": user_id}))
                elif kind == "notes-sync":
                    reply = {"type": "notes-sync", "doc": data["doc"], "update": EMPTY_UPDATE}
                    outbox.put_nowait(json.dumps(reply))
                elif kind == "notes-update":
                    ack = {"type": "notes-ack", "doc": data["doc"], "seq": data["seq"]}
                    outbox.put_nowait(json.dumps(ack))
                    relay = json.dumps(
                        {
                            "type": "notes-update",
                            "doc": data["doc"],
                            "update": data["update"],
                            "client_id": data["client_id"],
                            "user_id": user_id,
                        }
                    )
                    for other, queue in peers.items():
                        if other is not ws:
                            queue.put_nowait(relay)
                elif kind == "ping":
                    outbox.put_nowait(json.dumps({"type": "pong"}))
        finally:
            peers.pop(ws, None)
            outbox.put_nowait(None)
            with contextlib.suppress(Exception):
                await asyncio.wait_for(writer, 2)
        return ws

    app = web.Application()
    app.router.add_get("/ws/sessions/{session_id}/notes", handler)
    app.router.add_get("/healthz", _ok)
    return app


async def _ok(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


# --- editors (in worker processes) ----------------------------------------------------------------


class Editor:
    """One participant typing into the shared notes at a fixed rate."""

    def __init__(self, index: int, cookie: str | None) -> None:
        self.index = index
        self.cookie = cookie
        self.doc: Doc[Text] = Doc(client_id=1000 + index)
        self.text = self.doc.get("notes", type=Text)
        self.ws: aiohttp.ClientWebSocketResponse | None = None
        self.sent_at: list[float] = []  # by seq - 1
        self.ack_ms: list[float] = []
        self.recv_from: list[int] = []
        self.recv_seq: list[int] = []
        self.recv_at: list[float] = []
        self.received = 0
        self.acked = 0
        self.lag_ms: list[float] = []  # how late each send was against its schedule
        self.errors: Counter[str] = Counter()
        self.close: str | None = None
        self.leaving = False
        self.reader: asyncio.Task[None] | None = None

    async def open(self, http: aiohttp.ClientSession, url: str) -> None:
        headers = {"Cookie": f"tandem_session={self.cookie}"} if self.cookie else {}
        self.ws = await http.ws_connect(url, headers=headers, max_msg_size=0, autoping=True)
        await self.ws.send_json({"type": "join"})
        await self._expect("welcome")
        vector = base64.b64encode(self.doc.get_state()).decode()
        await self.ws.send_json({"type": "notes-sync", "doc": "shared", "state_vector": vector})
        reply = await self._expect("notes-sync")
        self.doc.apply_update(base64.b64decode(reply["update"]))
        self.reader = asyncio.create_task(self.read())

    async def _expect(self, kind: str) -> dict[str, Any]:
        assert self.ws is not None
        async with asyncio.timeout(30):
            while True:
                msg = await self.ws.receive()
                if msg.type != WSMsgType.TEXT:
                    raise RuntimeError(f"editor {self.index}: wanted {kind}, got {msg.type}")
                data: dict[str, Any] = json.loads(msg.data)
                if data["type"] == kind:
                    return data
                if data["type"] == "ping":
                    await self.ws.send_json({"type": "pong"})
                elif data["type"] == "error":
                    raise RuntimeError(f"editor {self.index}: {data}")

    async def read(self) -> None:
        assert self.ws is not None
        while True:
            msg = await self.ws.receive()
            now = time.monotonic()
            if msg.type != WSMsgType.TEXT:
                if not self.leaving:  # closed by the server or the network, not by us
                    code = self.ws.close_code
                    self.close = f"{msg.type.name} {code}" if code else msg.type.name
                return
            data = json.loads(msg.data)
            kind = data["type"]
            if kind == "notes-update":
                update = base64.b64decode(data["update"])
                for sender, seq in MARKER.findall(update):
                    self.recv_from.append(int(sender))
                    self.recv_seq.append(int(seq))
                    self.recv_at.append(now)
                    self.received += 1
                self.doc.apply_update(update)
            elif kind == "notes-ack":
                self.ack_ms.append((now - self.sent_at[data["seq"] - 1]) * 1000)
                self.acked += 1
            elif kind == "ping":
                await self.ws.send_json({"type": "pong"})
            elif kind in ("notes-error", "error"):
                self.errors[data.get("code", kind)] += 1

    async def leave(self) -> None:
        self.leaving = True
        if self.ws is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.ws.close(), 2)
        if self.reader is not None:
            self.reader.cancel()
            with contextlib.suppress(BaseException):
                await self.reader

    async def type_for(self, start: float, rate: float, duration: float, offset: float) -> None:
        """Append a marker every 1/rate s from start + offset until start + duration."""
        assert self.ws is not None
        seq = 0
        while True:
            due = start + offset + seq / rate
            if due >= start + duration or self.close is not None:
                return
            delay = due - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            seq += 1
            before = self.doc.get_state()
            self.text.insert(len(self.text), f"<{self.index}:{seq}>")
            update = self.doc.get_update(before)
            message = json.dumps(
                {
                    "type": "notes-update",
                    "doc": "shared",
                    "update": base64.b64encode(update).decode(),
                    "client_id": self.doc.client_id,
                    "seq": seq,
                }
            )
            now = time.monotonic()
            self.lag_ms.append(max(0.0, now - due) * 1000)
            self.sent_at.append(now)
            try:
                await self.ws.send_str(message)
            except (ConnectionError, RuntimeError) as exc:
                self.errors[f"send failed: {type(exc).__name__}"] += 1
                self.sent_at.pop()
                return


async def _worker(conn: Connection, job: dict[str, Any]) -> None:
    loop = asyncio.get_running_loop()
    editors = [Editor(index, cookie) for index, cookie in job["editors"]]
    timeout = aiohttp.ClientTimeout(total=None)
    async with aiohttp.ClientSession(timeout=timeout) as http:
        for editor in editors:
            await editor.open(http, job["url"])
        conn.send("ready")
        start = await loop.run_in_executor(None, conn.recv)
        n, rate = job["n"], job["rate"]
        await asyncio.gather(
            *(e.type_for(start, rate, job["duration"], (e.index / n) / rate) for e in editors)
        )
        conn.send({e.index: len(e.sent_at) for e in editors})
        total, deadline = await loop.run_in_executor(None, conn.recv)
        # The quiet period: until every ack and every other editor's update is in, or deadline.
        while time.monotonic() < deadline:
            if all(
                e.acked >= len(e.sent_at) and e.received >= total - len(e.sent_at)
                for e in editors
                if e.close is None
            ):
                break
            await asyncio.sleep(0.1)
        await asyncio.sleep(job["settle"])
        conn.send("drained")
        await loop.run_in_executor(None, conn.recv)  # the parent has read the server's text
        # A server deep in a backlog reads our close frame late: do not wait for it for long.
        await asyncio.gather(*(e.leave() for e in editors))
    conn.send(
        [
            {
                "index": e.index,
                "text": str(e.text),
                "sent_at": e.sent_at,
                "ack_ms": e.ack_ms,
                "recv_from": e.recv_from,
                "recv_seq": e.recv_seq,
                "recv_at": e.recv_at,
                "lag_ms": e.lag_ms,
                "errors": dict(e.errors),
                "close": e.close,
            }
            for e in editors
        ]
    )


def worker_main(conn: Connection, job: dict[str, Any]) -> None:
    try:
        asyncio.run(_worker(conn, job))
    except BaseException as exc:
        conn.send({"worker_failed": f"{type(exc).__name__}: {exc}"})
        raise


# --- orchestration --------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _load() -> str:
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


async def _wait_healthy(base: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    async with aiohttp.ClientSession() as http:
        for _ in range(600):
            if proc.poll() is not None:
                raise RuntimeError(f"server exited, see {log}")
            with contextlib.suppress(aiohttp.ClientError):
                async with http.get(base + "/healthz") as response:
                    if response.status == 200:
                        return
            await asyncio.sleep(0.1)
    raise RuntimeError("server did not start")


def _start(kind: str, tmp: Path, name: str) -> tuple[subprocess.Popen[bytes], str, Path]:
    port = _free_port()
    log = tmp / f"{name}.log"
    env = dict(os.environ)
    if kind == "tandem":
        env.update(
            TANDEM_DATABASE_URL=f"sqlite+aiosqlite:///{tmp}/tandem.db",
            TANDEM_VAR_DIR=str(tmp / "var"),
            TANDEM_SECRET_KEY="benchmark-secret",
        )
        args = [sys.executable, "-m", "server", "--port", str(port)]
    else:
        args = [sys.executable, str(Path(__file__).resolve()), "--serve-bare", str(port)]
    with log.open("wb") as out:
        proc = subprocess.Popen(args, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    return proc, f"http://127.0.0.1:{port}", log


async def _signup(http: aiohttp.ClientSession, base: str, i: int) -> tuple[int, str]:
    body = {
        "email": f"editor{i}@bench.example",
        "password": PASSWORD,
        "name": f"Editor {i}",
        "roles": ["mentor"] if i == 0 else ["mentee"],
    }
    async with http.post(base + "/api/v1/auth/signup", json=body) as response:
        assert response.status == 201, await response.text()
        user_id: int = (await response.json())["user"]["id"]
        return user_id, response.cookies["tandem_session"].value


async def _users(base: str, n: int) -> list[tuple[int, str]]:
    # One at a time: concurrent signups on SQLite answered 500 internal_error in a trial run.
    users = []
    for i in range(n):
        async with aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar()) as http:
            users.append(await _signup(http, base, i))
    return users


async def _session(base: str, users: list[tuple[int, str]]) -> int:
    host_cookie = users[0][1]
    body = {
        "title": f"Notes benchmark, {len(users)} editors",
        "starts_at": datetime.now(UTC).isoformat(),
        "duration_minutes": 60,
        "kind": "office_hours",
        "participant_ids": [uid for uid, _ in users[1:]],
    }
    headers = {"Cookie": f"tandem_session={host_cookie}"}
    async with (
        aiohttp.ClientSession() as http,
        http.post(base + "/api/v1/sessions", json=body, headers=headers) as response,
    ):
        assert response.status == 201, await response.text()
        session_id: int = (await response.json())["session"]["id"]
        return session_id


async def _server_text(base: str, session_id: int, cookie: str) -> str:
    headers = {"Cookie": f"tandem_session={cookie}"}
    url = f"{base}/api/v1/sessions/{session_id}/notes"
    async with aiohttp.ClientSession() as http, http.get(url, headers=headers) as response:
        assert response.status == 200, await response.text()
        text: str = (await response.json())["text"]
        return text


def _recv(conn: Connection, timeout: float) -> Any:
    if not conn.poll(timeout):
        raise TimeoutError("a client worker did not answer")
    message = conn.recv()
    if isinstance(message, dict) and "worker_failed" in message:
        raise RuntimeError(message["worker_failed"])
    return message


async def scenario(
    kind: str,
    n: int,
    base: str,
    server_pid: int,
    users: list[tuple[int, str]] | None,
    args: argparse.Namespace,
    log: Path,
) -> dict[str, Any]:
    """Run n editors against one server; returns the figures."""
    loop = asyncio.get_running_loop()
    load_before = _load()
    session_id = await _session(base, users[:n]) if users else 1
    url = base.replace("http", "ws", 1) + f"/ws/sessions/{session_id}/notes"
    procs = max(1, min(args.client_procs, n))
    ctx = multiprocessing.get_context("spawn")
    workers: list[tuple[Any, Connection]] = []
    for p in range(procs):
        mine = [(i, users[i][1] if users else None) for i in range(n) if i % procs == p]
        job = {
            "url": url,
            "editors": mine,
            "n": n,
            "rate": args.rate,
            "duration": args.duration,
            "settle": args.settle,
        }
        parent, child = ctx.Pipe()
        process = ctx.Process(target=worker_main, args=(child, job), daemon=True)
        process.start()
        workers.append((process, parent))

    async def each(wait: float) -> list[Any]:
        return list(
            await asyncio.gather(*(loop.run_in_executor(None, _recv, c, wait) for _, c in workers))
        )

    try:
        await each(120)  # connected, joined and synced
        cpu_before = _cpu_seconds(server_pid)
        start = time.monotonic() + 1.0
        for _, c in workers:
            c.send(start)
        sent: dict[int, int] = {}
        for counts in await each(args.duration + 120):
            sent.update(counts)
        sent_done = time.monotonic()
        total = sum(sent.values())
        for _, c in workers:
            c.send((total, sent_done + args.drain_timeout))
        await each(args.drain_timeout + args.settle + 60)
        drained = time.monotonic()
        cpu = _cpu_seconds(server_pid) - cpu_before
        load_after = _load()
        # Too-slow closes during the run (before our own closing can cause any).
        too_slow = log.read_text(errors="replace").count("outbox full")  # noqa: ASYNC240
        server_text = await _server_text(base, session_id, users[0][1]) if users else None
        for _, c in workers:
            c.send("close")
        results = [r for rs in await each(60) for r in rs]
    finally:
        for process, _ in workers:
            process.join(10)
            if process.is_alive():
                process.kill()

    # Relay latency: every (sender, seq) arrival at every other editor.
    results.sort(key=lambda r: r["index"])
    width = max(sent.values(), default=0) + 1
    send_at = np.full(n * width, np.nan)
    for r in results:
        if r["sent_at"]:
            send_at[r["index"] * width + 1 : r["index"] * width + 1 + len(r["sent_at"])] = r[
                "sent_at"
            ]
    senders = np.concatenate([np.asarray(r["recv_from"], dtype=np.int64) for r in results])
    seqs = np.concatenate([np.asarray(r["recv_seq"], dtype=np.int64) for r in results])
    arrived = np.concatenate([np.asarray(r["recv_at"], dtype=float) for r in results])
    relay_ms = (arrived - send_at[senders * width + seqs]) * 1000
    relay_ms = relay_ms[~np.isnan(relay_ms)]
    acks = np.concatenate([np.asarray(r["ack_ms"], dtype=float) for r in results])
    lag = np.concatenate([np.asarray(r["lag_ms"], dtype=float) for r in results])
    texts = [r["text"] for r in results]
    errors: Counter[str] = Counter()
    for r in results:
        errors.update(r["errors"])
    if too_slow:
        errors["server: outbox full (4008 too slow) during the run"] = too_slow
    closes = Counter(r["close"] for r in results if r["close"])
    return {
        "kind": kind,
        "n": n,
        "offered": int(n * args.rate * args.duration),
        "sent": total,
        "relays": len(relay_ms),
        "relays_expected": total * (n - 1),
        "relay": relay_ms,
        "acks": acks,
        "lag": lag,
        "identical": all(t == texts[0] for t in texts),
        "distinct_texts": len(set(texts)),
        "text_len": len(texts[0]) if texts else 0,
        "server_equal": None if server_text is None else server_text == texts[0],
        "server_len": None if server_text is None else len(server_text),
        "errors": dict(errors),
        "closes": dict(closes),
        "cpu_pct": 100 * cpu / max(drained - start, 1e-9),
        "span_s": drained - start,
        "drain_s": drained - sent_done,
        "load": f"{load_before} -> {load_after}",
    }


def _pct(values: np.ndarray, q: float) -> str:
    if len(values) == 0:
        return "-"
    return f"{np.percentile(values, q):.0f}"


def _row(r: dict[str, Any]) -> str:
    same = "yes" if r["identical"] else f"NO ({r['distinct_texts']} texts)"
    if r["server_equal"] is not None:
        same += ", = server" if r["server_equal"] else ", != SERVER"
    problems = ", ".join(f"{k} x{v}" for k, v in {**r["errors"], **r["closes"]}.items()) or "-"
    return (
        f"{r['kind']:<6} {r['n']:>3} {r['sent']:>6}/{r['offered']:<6} "
        f"{r['relays']:>8}/{r['relays_expected']:<8} "
        f"{_pct(r['relay'], 50):>6} {_pct(r['relay'], 99):>6} {_pct(r['relay'], 100):>6}  "
        f"{len(r['acks']):>6} {_pct(r['acks'], 50):>5} {_pct(r['acks'], 99):>6}  "
        f"{_pct(r['lag'], 99):>5}  {r['cpu_pct']:>4.0f}%  {r['drain_s']:>5.1f}  "
        f"{same:<18} {problems}"
    )


HEADER = (
    "server   n   sent/offered   relays/expected  "
    "rel50  rel99 relmax    acks ack50  ack99  lag99  srvCPU drain  identical          problems"
)


async def main(args: argparse.Namespace) -> None:
    sizes = [int(s) for s in args.sizes.split(",")]
    print(
        f"notes benchmark: sizes {sizes}, {args.rate:g} edits/s per editor "
        f"for {args.duration:g} s, "
        f"{args.client_procs} client process(es), {os.cpu_count()} CPUs, "
        f"load average {_load()} (1/5/15 min)",
        flush=True,
    )
    rows: list[dict[str, Any]] = []
    users: list[tuple[int, str]] = []
    with tempfile.TemporaryDirectory(prefix="tandem-notes-bench-") as tmpdir:
        tmp = Path(tmpdir)
        for n in sizes:
            for kind in args.servers.split(","):
                # A fresh server process per run (Tandem: on the same SQLite file, so the users
                # stay), so a backlog left by one run cannot slow the next one down.
                proc, base, log = _start(kind, tmp, f"{kind}-{n}")
                try:
                    await _wait_healthy(base, proc, log)
                    if kind == "tandem" and not users:
                        users = await _users(base, max(sizes))
                    row = await scenario(
                        kind, n, base, proc.pid, users if kind == "tandem" else None, args, log
                    )
                finally:
                    proc.terminate()
                    try:
                        proc.wait(15)
                    except subprocess.TimeoutExpired:
                        proc.kill()
                        proc.wait()
                too_slow = log.read_text(errors="replace").count("outbox full")
                during = row["errors"].get("server: outbox full (4008 too slow) during the run", 0)
                if too_slow > during:
                    row["errors"]["server: outbox full after we closed"] = too_slow - during
                rows.append(row)
                print(f"  done: {kind} n={n}, load average {row['load']}", flush=True)

    print()
    print("latencies in ms; relay = edit sent -> update arrives at each other editor;")
    print("ack = edit sent -> notes-ack to its sender; lag99 = p99 of how late the client sent")
    print("against its schedule (client overload); srvCPU = server process CPU over the run")
    print("(100% = one core); drain = s from the last send until all acks/relays")
    print(
        f"arrived, plus the {args.settle:g} s settle "
        f"(capped by --drain-timeout {args.drain_timeout:g})."
    )
    print(HEADER)
    for r in rows:
        print(_row(r))
    print("relay and ack percentiles cover what arrived before the drain deadline only;")
    print("compare relays/expected and acks/sent (a shortfall means even worse real tails).")
    print(f"load average at the end: {_load()}")
    by = {(r["kind"], r["n"]): r for r in rows}
    n = max(sizes)
    t, b = by.get(("tandem", n)), by.get(("bare", n))
    if t is None:
        return
    bare_part = f" (bare {_pct(b['relay'], 50)}/{_pct(b['relay'], 99)} ms)" if b else ""
    if t["identical"] and t["server_equal"]:
        same = f"all {n} identical and equal to the server"
    elif t["identical"]:
        same = f"all {n} identical but NOT equal to the server"
    else:
        same = f"{t['distinct_texts']} different texts among {n}"
    lost = t["relays_expected"] - t["relays"]
    shortfall = f", {lost} relays missing" if lost else ""
    problems = sum(v for k, v in t["errors"].items() if "after we closed" not in k)
    problems += sum(t["closes"].values())
    print(
        f"notes: {n} editors x {args.rate:g} edits/s for {args.duration:g} s: "
        f"relay p50 {_pct(t['relay'], 50)} ms p99 {_pct(t['relay'], 99)} ms{bare_part}, "
        f"acks p50 {_pct(t['acks'], 50)} ms p99 {_pct(t['acks'], 99)} ms, "
        f"{t['sent']}/{t['offered']} edits sent{shortfall}, {problems} errors/closes, {same}"
    )


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="2,10,50", help="editor counts (default 2,10,50)")
    parser.add_argument("--duration", type=float, default=30.0, help="seconds of typing")
    parser.add_argument("--rate", type=float, default=20.0, help="edits per second per editor")
    parser.add_argument("--client-procs", type=int, default=2, help="editor worker processes")
    parser.add_argument("--drain-timeout", type=float, default=60.0, help="max quiet wait (s)")
    parser.add_argument("--settle", type=float, default=1.0, help="extra quiet time (s)")
    parser.add_argument("--servers", default="bare,tandem", help="which servers, in order")
    parser.add_argument("--serve-bare", type=int, metavar="PORT", help=argparse.SUPPRESS)
    return parser.parse_args()


if __name__ == "__main__":
    arguments = parse_args()
    if arguments.serve_bare:
        web.run_app(bare_app(), host="127.0.0.1", port=arguments.serve_bare, print=None)
    else:
        asyncio.run(main(arguments))
