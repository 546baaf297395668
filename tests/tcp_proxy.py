"""A TCP proxy on 127.0.0.1 that a test switches between passing, refusing, resetting and
black-holing connections: a database outage on demand, with real sockets."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import struct
from enum import Enum


class Mode(Enum):
    PASS = "pass"  # forward both ways
    REFUSE = "refuse"  # nothing listens: connecting is refused; open connections are reset
    RESET = "reset"  # every connection, open or new, is reset (RST)
    BLACKHOLE = "blackhole"  # connections open but every byte is dropped, both ways


def _reset(writer: asyncio.StreamWriter) -> None:
    """Close with an RST instead of a FIN, as a crashed or restarted peer would."""
    sock = writer.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


class TcpProxy:
    """Forwards 127.0.0.1:`port` to `target`, or fails the way `mode` says."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.mode = Mode.PASS
        self.port = 0
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._tasks: set[asyncio.Task[None]] = set()

    async def start(self) -> None:
        """Listen (on an ephemeral port the first time, on the same port afterwards)."""
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def set_mode(self, mode: Mode) -> None:
        """Switch behaviour; open connections are reset unless the new mode keeps them."""
        self.mode = mode
        if mode in (Mode.REFUSE, Mode.RESET):
            for writer in list(self._writers):
                _reset(writer)
        if mode is Mode.REFUSE and self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
        elif mode is not Mode.REFUSE and self._server is None:
            await self.start()

    async def close(self) -> None:
        """Stop listening and drop every connection."""
        await self.set_mode(Mode.REFUSE)
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self.mode is Mode.RESET:
            _reset(writer)
            return
        self._writers.add(writer)
        upstream: asyncio.StreamWriter | None = None
        try:
            if self.mode is Mode.BLACKHOLE:
                await self._swallow(reader)
                return
            up_reader, upstream = await asyncio.open_connection(*self.target)
            self._writers.add(upstream)
            pipes = [
                asyncio.create_task(self._pipe(reader, upstream)),
                asyncio.create_task(self._pipe(up_reader, writer)),
            ]
            self._tasks.update(pipes)
            await asyncio.wait(pipes, return_when=asyncio.FIRST_COMPLETED)
            for pipe in pipes:
                pipe.cancel()
                self._tasks.discard(pipe)
        finally:
            for each in (writer, upstream):
                if each is not None:
                    self._writers.discard(each)
                    each.transport.abort()

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(OSError):
            while chunk := await reader.read(65536):
                if self.mode is Mode.BLACKHOLE:
                    continue
                writer.write(chunk)
                await writer.drain()

    async def _swallow(self, reader: asyncio.StreamReader) -> None:
        with contextlib.suppress(OSError):
            while await reader.read(65536):
                pass
