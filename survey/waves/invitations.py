"""Invitation links as CSV for mail merge (UTF-8 with BOM, so Excel shows Japanese), and the
public record of every time live links leave the system."""

from __future__ import annotations

import csv
import io

from survey import audit
from survey.db import DbSession
from survey.models import Wave

#: How links left the system: downloaded as CSV, or mailed as invitations or reminders.
RELEASES = ("csv", "mail", "reminders")


def links_csv(links: list[tuple[str, str]]) -> str:
    """``email,link`` rows; write the result with encoding ``utf-8-sig``."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["email", "link"])
    writer.writerows(links)
    return buffer.getvalue()


def record_release(
    session: DbSession, wave: Wave, how: str, count: int, actor: tuple[str, int | None],
) -> None:
    """Log publicly that ``count`` live links of ``wave`` left the system (the caller commits).

    A link is its invitee's credential: whoever holds the CSV could answer in anyone's name.
    The log cannot prevent that, but it makes every download visible to all staff
    (docs/anonymity.md, section 5).
    """
    if how not in RELEASES:
        raise ValueError(f"unknown release {how!r}")
    audit.record(session, "invitation_links_released", actor[0], actor[1], wave=wave.label,
                 count=count, how=how)
