"""How groups are named for people (the JSON API keeps ``attribute=value`` labels instead)."""

from __future__ import annotations

from flask_babel import gettext as _

OTHER = "*"


def group_name(label: tuple[tuple[str, str], ...]) -> str:
    """A group as people name it: its values (``税務課 × 0-2年``), the whole organisation, or
    その他 for everyone in no shown group of a breakdown."""
    if label and all(value == OTHER for _name, value in label):
        return _("Other (groups too small to show)")
    return " × ".join(value for _name, value in label) or _("Whole organisation")
