"""How roster attributes (the group columns HR imports) are named on pages, in the user's language.

Whoever keeps the staff spreadsheet names its columns: ``department``, ``tenure_band``, ``部``.
Readers of a report expect words in their own language, so an attribute is shown as, in order:

1. the label an administrator set for the current language (setting ``attribute_labels``);
2. a built-in label for a common English column name (``department`` → 部署 / Department);
3. the name itself.  Japanese-named columns (部, 課) are already readable to the people who
   named them, so they have no built-in label and show as they are in both languages.

Only what people read changes: the raw name stays the key everywhere (cells, URLs, form values,
JSON, exports), so a label can be edited at any time without touching a figure.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass

from flask_babel import LazyString, force_locale, get_locale
from flask_babel import lazy_pgettext as _p
from sqlalchemy import Text, cast, select

from survey.db import DbSession
from survey.models import Person, WaveCell
from survey.org_settings import get_setting, group_hierarchy, put_setting
from survey.service_error import ServiceError

SETTING_KEY = "attribute_labels"
MAX_LABEL_LENGTH = 40

# One message context, written out in each call so that a gettext extractor sees it: these
# are roster columns ("Role" is a member of staff's role at work, not an account's role).
_DEPARTMENT = _p("roster attribute", "Department")
_TENURE = _p("roster attribute", "Years of service")
_AGE = _p("roster attribute", "Age group")
_EMPLOYMENT = _p("roster attribute", "Employment type")
_JOB = _p("roster attribute", "Job type")
_LOCATION = _p("roster attribute", "Location")
_GRADE = _p("roster attribute", "Grade")

#: Built-in labels by canonical column name (see :func:`canonical`).
BUILT_IN: dict[str, LazyString] = {
    "department": _DEPARTMENT, "dept": _DEPARTMENT,
    "division": _p("roster attribute", "Division"),
    "section": _p("roster attribute", "Section"),
    "team": _p("roster attribute", "Team"),
    "tenure_band": _TENURE, "tenure": _TENURE, "years_of_service": _TENURE,
    "age_band": _AGE, "age_group": _AGE,
    "employment": _EMPLOYMENT, "employment_type": _EMPLOYMENT, "employment_status": _EMPLOYMENT,
    "role": _p("roster attribute", "Role"),
    "job": _JOB, "job_type": _JOB, "occupation": _JOB,
    "location": _LOCATION, "workplace": _LOCATION,
    "grade": _GRADE, "job_grade": _GRADE,
    "position": _p("roster attribute", "Position"),
}


@dataclass(frozen=True)
class LabelPair:
    """An attribute's text in each language; an empty text means "use the default"."""

    ja: str = ""
    en: str = ""

    def get(self, language: str) -> str:
        """The text for ``language`` ('ja' or 'en')."""
        return self.en if language == "en" else self.ja


class LabelError(ServiceError):
    """A label that cannot be stored: too long once trimmed, or already another's (worded by
    :mod:`survey.roster.messages`)."""


def canonical(name: str) -> str:
    """``Tenure Band`` and ``tenure-band`` → ``tenure_band``, as the roster importer matches."""
    return re.sub(r"[\s-]+", "_", name.strip().casefold())


def current_language() -> str:
    """'en' or 'ja' for the current request (Japanese when there is none)."""
    return "en" if str(get_locale() or "ja") == "en" else "ja"


def default_label(name: str, language: str | None = None) -> str:
    """What ``name`` shows without an administrator's label: its built-in label, else itself."""
    built_in = BUILT_IN.get(canonical(name))
    if built_in is None:
        return name
    with force_locale(language or current_language()):
        return str(built_in)


def stored_labels(session: DbSession) -> dict[str, LabelPair]:
    """Administrators' labels by raw attribute name (only attributes that have one)."""
    raw = get_setting(session, SETTING_KEY, {})
    if not isinstance(raw, dict):
        return {}
    return {name: LabelPair(ja=str(texts.get("ja", "")), en=str(texts.get("en", "")))
            for name, texts in raw.items() if isinstance(texts, dict)}


def label_for(name: str, stored: Mapping[str, LabelPair], language: str | None = None) -> str:
    """The display label of ``name``: the administrator's, else the built-in one, else the name."""
    language = language or current_language()
    chosen = stored.get(name, LabelPair()).get(language)
    return chosen or default_label(name, language)


def attribute_labels(session: DbSession, names: Iterable[str]) -> dict[str, str]:
    """Raw name → display label in the current language, for the pages that show ``names``."""
    stored = stored_labels(session)
    language = current_language()
    return {name: label_for(name, stored, language) for name in names}


def clean_label(text: str | None) -> str:
    """Trimmed text ('' means the default); LabelError beyond :data:`MAX_LABEL_LENGTH`."""
    cleaned = (text or "").strip()
    if len(cleaned) > MAX_LABEL_LENGTH:
        raise LabelError("label_too_long")
    return cleaned


def save_labels(
    session: DbSession, wanted: Mapping[str, LabelPair], known: Iterable[str]
) -> dict[str, dict[str, str]]:
    """Store the labels of the ``known`` attributes in ``wanted`` (the caller commits).

    Labels of attributes not in ``wanted`` are kept, so a column that leaves the roster keeps
    its label for the earlier rounds that still show it.  Returns what changed, by name.
    """
    allowed = set(known)
    current = stored_labels(session)
    merged = {name: asdict(pair) for name, pair in current.items()}
    changed: dict[str, dict[str, str]] = {}
    for name, pair in wanted.items():
        if name not in allowed:
            continue
        clean = LabelPair(ja=clean_label(pair.ja), en=clean_label(pair.en))
        if clean == current.get(name, LabelPair()):
            continue
        changed[name] = asdict(clean)
        if clean == LabelPair():
            merged.pop(name, None)
        else:
            merged[name] = asdict(clean)
    if changed:
        _refuse_shared_labels(merged, allowed)
        put_setting(session, SETTING_KEY, merged)
    return changed


def _refuse_shared_labels(merged: Mapping[str, Mapping[str, str]], known: set[str]) -> None:
    """LabelError when two attributes would show the same label in a language.

    A breakdown menu with two identical entries, or an export with two identical column
    labels, would leave readers guessing which group they are looking at.
    """
    stored = {name: LabelPair(**texts) for name, texts in merged.items()}
    for language in ("ja", "en"):
        seen: dict[str, str] = {}
        for name in sorted(known):
            label = label_for(name, stored, language)
            if label in seen:
                raise LabelError("label_taken", label=label, first=seen[label], second=name)
            seen[label] = name


def editable_labels(session: DbSession) -> list[tuple[str, LabelPair]]:
    """Every attribute a page can show, with its stored labels (empty where there are none)."""
    stored = stored_labels(session)
    return [(name, stored.get(name, LabelPair())) for name in known_attributes(session)]


def known_attributes(session: DbSession) -> list[str]:
    """Attributes of the active roster and of every round's cells: what a page can show.

    Unit hierarchy first (broad to fine), then the rest by name.
    """
    names: set[str] = set()
    # Distinct attribute combinations, not every person: a roster of 100,000 has a few dozen.
    # (As text: PostgreSQL's json type has no equality, so no DISTINCT on it.)
    for text in session.scalars(select(cast(Person.attributes, Text)).distinct()
                                .where(Person.active.is_(True))):
        names.update((json.loads(text) if text else None) or {})
    for key in session.scalars(select(WaveCell.key)):
        names.update(key or {})
    units = [name for name in group_hierarchy(session) if name in names]
    return units + sorted(names - set(units))
