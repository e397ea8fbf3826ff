"""What a wave asks, as plain immutable data, kept per process.

A wave's items are frozen when it opens (``WaveItem``), so on survey day every request for the
same wave would load the same rows: they are read once per process and wave, keyed by the wave's
random public id so a recreated database can never be served another wave's questions.
"""

from __future__ import annotations

from dataclasses import dataclass

from survey.answering.services import Database, LinkWave, wave_items
from survey.models import ItemKind, Wave
from survey.principles.scales import likert_labels


@dataclass(frozen=True)
class Question:
    """One item of a wave as the answering page needs it."""

    id: int
    kind: ItemKind
    text_ja: str
    text_en: str
    scale: str

    @property
    def values(self) -> tuple[int, ...]:
        """The answer values offered (none for a comment)."""
        if self.kind == ItemKind.LIKERT5:
            return (1, 2, 3, 4, 5)
        return tuple(range(11)) if self.kind == ItemKind.NPS11 else ()

    def labels(self) -> tuple[str, ...]:
        """The label of each value in the current language."""
        if self.kind == ItemKind.LIKERT5:
            return tuple(str(label) for label in likert_labels(self.scale))
        return tuple(str(value) for value in self.values)


_CACHE: dict[str, tuple[Question, ...]] = {}
_CACHE_SIZE = 64


def questionnaire(database: Database, wave: LinkWave | Wave) -> tuple[Question, ...]:
    """The wave's questions in order (read once per process and wave)."""
    found = _CACHE.get(wave.public_id)
    if found is None:
        found = tuple(
            Question(item.id, ItemKind(item.kind), item.text_ja, item.text_en, item.scale)
            for item in wave_items(database, wave)
        )
        if len(_CACHE) >= _CACHE_SIZE:
            _CACHE.pop(next(iter(_CACHE)), None)
        _CACHE[wave.public_id] = found
    return found
