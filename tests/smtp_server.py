"""A real SMTP server for tests (aiosmtpd on loopback) that can refuse chosen recipients."""

from __future__ import annotations

import email
import email.policy
import socket
import threading
from collections import Counter
from typing import Any

from aiosmtpd.controller import Controller


class Inbox:
    """aiosmtpd handler that keeps every accepted message.

    ``temporary[address] = n`` answers 451 to that recipient n times, then accepts it;
    addresses in ``permanent`` are always refused with 550.
    """

    def __init__(self) -> None:
        self.messages: list[Any] = []
        self.temporary: Counter[str] = Counter()
        self.permanent: set[str] = set()
        self.lock = threading.Lock()

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,
                          rcpt_options: list[str]) -> str:
        if address in self.permanent:
            return "550 5.1.1 no such user"
        if self.temporary[address] > 0:
            self.temporary[address] -= 1
            return "451 4.3.0 try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.messages.append(message)
        return "250 OK"

    def recipients(self) -> Counter[str]:
        """How many messages each address received."""
        with self.lock:
            return Counter(m["To"] for m in self.messages)


def free_port() -> int:
    """A loopback port nothing listens on (yet)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start(inbox: Inbox) -> Controller:
    """Serve ``inbox`` on a free loopback port (``controller.port``)."""
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    return controller
