"""An SMTP connection that sends a message in two steps, so a crash cannot send it twice.

``prepare`` runs the envelope and writes the whole message except the final ``.`` line; the
server delivers nothing until it reads that line (RFC 5321, 4.1.1.4), and drops an unfinished
message when the connection dies.  The worker records the row as sent *between* ``prepare``
and ``finish``: a crash before the record leaves an undelivered message and a pending row
(sent again on resume), a crash after it leaves a delivered message and a sent row.  Only a
crash between the commit and writing the last line loses the message in flight (microseconds
on SQLite; on PostgreSQL the COMMIT's round trip); no crash can deliver one twice.
"""

from __future__ import annotations

import re
import smtplib
import socket
from collections.abc import Mapping
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from typing import Any


class Refusal(Exception):
    """The server answered a message with an error reply (code and text in ``args``)."""

    def __init__(self, code: int, reply: bytes | str) -> None:
        super().__init__(code, reply)
        self.code = code

    @property
    def temporary(self) -> bool:
        """4xx replies ask to try again later (RFC 5321, 4.2.1); 5xx replies are final."""
        return 400 <= self.code < 500


class ServerUnavailable(Exception):
    """The server cannot be reached or refuses the session; no message is to blame."""


_LINE_START_DOT = re.compile(rb"(?m)^\.")


def wire_bytes(message: EmailMessage) -> bytes:
    """The message as sent in DATA: CRLF lines, leading dots doubled, ending with CRLF."""
    data = _LINE_START_DOT.sub(b"..", message.as_bytes(policy=SMTP_POLICY))
    return data if data.endswith(b"\r\n") else data + b"\r\n"


class Relay:
    """One SMTP session reused for many messages and opened again when the server drops it."""

    def __init__(self, config: Mapping[str, Any]) -> None:
        self.config = config
        self.smtp: smtplib.SMTP | None = None

    def prepare(self, sender: str, recipient: str, data: bytes) -> None:
        """Everything of one message but its final line; raises Refusal or ServerUnavailable."""
        for attempt in (1, 2):  # a server may close an idle session; open a new one once
            try:
                self._envelope(self._session(), sender, recipient, data)
                return
            except (smtplib.SMTPException, OSError) as error:
                self.close()
                if attempt == 2 or isinstance(error, smtplib.SMTPResponseException):
                    raise ServerUnavailable(type(error).__name__) from error

    def finish(self) -> None:
        """Write the final line: from here on the server owns the message."""
        if self.smtp is None:
            raise RuntimeError("finish() follows a successful prepare()")
        try:
            self.smtp.send(b".\r\n")
            code, reply = self.smtp.getreply()
        except (smtplib.SMTPException, OSError):
            self.close()  # the server may or may not have taken it; it is recorded as sent
            return
        if code != 250:
            self._refuse(code, reply)

    def close(self) -> None:
        """End the session (quietly: the server may already be gone)."""
        if self.smtp is None:
            return
        try:
            self.smtp.quit()
        except (smtplib.SMTPException, OSError):
            self.smtp.close()
        self.smtp = None

    def _session(self) -> smtplib.SMTP:
        if self.smtp is None:
            config = self.config
            smtp = smtplib.SMTP(config["MAIL_SERVER"], int(config["MAIL_PORT"]), timeout=30)
            # The final line is a tiny write after the message; with Nagle's algorithm it would
            # wait for the server's delayed ACK (40 ms on Linux) on every message.
            assert smtp.sock is not None  # the constructor connected
            smtp.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            if config.get("MAIL_USE_TLS"):
                smtp.starttls()
            if config.get("MAIL_USERNAME"):
                smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
            smtp.ehlo_or_helo_if_needed()
            self.smtp = smtp
        return self.smtp

    def _envelope(self, smtp: smtplib.SMTP, sender: str, recipient: str, data: bytes) -> None:
        for command, accepted in (
            (lambda: smtp.mail(sender), (250,)),
            (lambda: smtp.rcpt(recipient), (250, 251)),
            (lambda: smtp.docmd("DATA"), (354,)),
        ):
            code, reply = command()
            if code not in accepted:
                self._refuse(code, reply)
        smtp.send(data)

    def _refuse(self, code: int, reply: bytes | str) -> None:
        if code == 421:  # the server is closing the session (RFC 5321, 3.8)
            self.close()
        elif self.smtp is not None:
            try:
                self.smtp.rset()
            except (smtplib.SMTPException, OSError):
                self.close()
        if code < 400:
            code = 554  # a reply no step expects is treated as a final refusal
        raise Refusal(code, reply)


def send_one(config: Mapping[str, Any], message: EmailMessage) -> bool:
    """Send one message now (an account's access link); False when the server refused it.

    Invitations go through the queue; an access link is one message an admin waits for, and
    the page shows the link anyway, so a failure is only reported, never retried.
    """
    relay = Relay(config)
    try:
        relay.prepare(str(message["From"]), str(message["To"]), wire_bytes(message))
        relay.finish()
    except (Refusal, ServerUnavailable):
        return False
    finally:
        relay.close()
    return True
