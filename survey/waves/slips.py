"""Who gets a printed invitation slip: invitees without an e-mail address (or everyone).

Slips carry the same derived tokens as mailed links; they are computed when printed and never
stored (docs/anonymity.md).  Rendering is in :mod:`survey.waves.slips_pdf`, which queries
nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from survey.db import DbSession
from survey.models import Person, Wave, WaveMember
from survey.waves.services import WaveError, WaveStatus, status
from survey.waves.tokens import derive_token


@dataclass(frozen=True)
class Slip:
    """One person's slip: who it is handed to (tear-off part only) and their link."""

    employee_id: str
    link: str


def slips(session: DbSession, wave: Wave, token_key: str, base_url: str,
          everyone: bool = False) -> list[Slip]:
    """Slips for the wave's invitees without an address (``everyone``: all invitees)."""
    if status(wave) in (WaveStatus.CLOSED, WaveStatus.EXPIRED):
        raise WaveError("wave_not_open")
    query = (select(Person.employee_id).join(WaveMember, WaveMember.person_id == Person.id)
             .where(WaveMember.wave_id == wave.id).order_by(Person.employee_id))
    if not everyone:
        query = query.where(Person.email == "")
    root = base_url.rstrip("/")
    return [Slip(employee_id, f"{root}/s/{derive_token(token_key, wave.public_id, employee_id)}")
            for employee_id in session.scalars(query)]
