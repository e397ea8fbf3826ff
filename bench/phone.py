"""A light HTTP/1.1 client for load benchmarks: one keep-alive connection per simulated phone.

Why not ``requests``: on the 2-core benchmark machine the load generator shares the CPU with
the server, and ``requests`` spends about a millisecond of CPU per request (urllib3 pools,
header objects, cookie jars) — as much as the server's own work.  That measured the client,
not naranu.  This client speaks just what a phone's browser does on the answering page, over
``asyncio`` streams: ``GET``, ``POST`` of a urlencoded form, ``Content-Length`` bodies
(gunicorn + Flask send no chunked responses for these pages), cookies carried from one
response to the next request on the same connection.  Its CPU cost per request is a small
fraction of the server's, so the figures describe the server.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field
from urllib.parse import urlencode


class ProtocolError(Exception):
    """The server sent something this client does not understand (counted as an error)."""


@dataclass
class Reply:
    """One HTTP response: status, body text, and the cookies it set."""

    status: int
    text: str
    cookies: dict[str, str] = field(default_factory=dict)
    closing: bool = False  # the server said "Connection: close"


class Phone:
    """A short conversation with ``host:port`` (the form, then the answer).

    With ``keep_alive`` the requests share one connection, as a browser's do within seconds
    of each other.  Without it every request opens its own, as they arrive behind a proxy
    that does not reuse upstream connections (nginx's default) or when the person took longer
    to answer than the server keeps an idle connection open.  Connecting is part of the time
    a request takes.
    """

    def __init__(self, host: str, port: int, timeout: float = 30.0,
                 keep_alive: bool = True) -> None:
        self.host, self.port, self.timeout, self.keep_alive = host, port, timeout, keep_alive
        self.cookies: dict[str, str] = {}
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def __aenter__(self) -> Phone:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self._disconnect()

    async def _connect(self) -> None:
        self._reader, self._writer = await asyncio.wait_for(
            asyncio.open_connection(self.host, self.port), self.timeout)

    async def _disconnect(self) -> None:
        if self._writer is not None:
            self._writer.close()
            with contextlib.suppress(OSError):  # the server may have closed first
                await self._writer.wait_closed()
            self._reader = self._writer = None

    async def get(self, path: str) -> Reply:
        """``GET path``."""
        return await self._exchange("GET", path, b"", None)

    async def post(self, path: str, form: dict[str, str]) -> Reply:
        """``POST path`` with ``form`` urlencoded (UTF-8), as a browser submits a form."""
        return await self._exchange(
            "POST", path, urlencode(form).encode("ascii"), "application/x-www-form-urlencoded")

    async def _exchange(self, method: str, path: str, body: bytes, content_type: str | None
                        ) -> Reply:
        if self._writer is None:  # the first request, or the last connection was closed
            await self._connect()
        assert self._reader is not None and self._writer is not None
        head = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}",
                "Connection: " + ("keep-alive" if self.keep_alive else "close")]
        if self.cookies:
            head.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        if content_type:
            head += [f"Content-Type: {content_type}", f"Content-Length: {len(body)}"]
        self._writer.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body)
        reply = await asyncio.wait_for(_read_reply(self._reader), self.timeout)
        self.cookies.update(reply.cookies)
        if reply.closing or not self.keep_alive:
            await self._disconnect()
        return reply


async def _read_reply(reader: asyncio.StreamReader) -> Reply:
    """Read one response with a ``Content-Length`` body."""
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError as error:
        raise ProtocolError("connection closed before a response") from error
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ", 2)
    if len(parts) < 2 or not parts[1].isdigit():
        raise ProtocolError(f"bad status line {lines[0]!r}")
    length, cookies, closing = None, {}, False
    for line in lines[1:]:
        name, _, value = line.partition(":")
        name = name.strip().lower()
        if name == "content-length":
            length = int(value)
        elif name == "set-cookie":
            key, _, rest = value.strip().partition("=")
            cookies[key] = rest.split(";", 1)[0]
        elif name == "connection":
            closing = value.strip().lower() == "close"
        elif name == "transfer-encoding":
            raise ProtocolError("chunked responses are not supported")
    if length is None:
        raise ProtocolError("response without Content-Length")
    body = await reader.readexactly(length)
    return Reply(int(parts[1]), body.decode("utf-8", "replace"), cookies, closing)
