"""The default template: Bandai town's digital-office action principles.

The wording lives in ``default_template.json`` (data, not code).  Items ask about *observed
behaviour in the last month*, not agreement with the slogan, and each principle has one
reverse-worded item (scored reversed) to counter agreeing by habit.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

TEMPLATE_PATH = Path(__file__).with_name("default_template.json")


@dataclass(frozen=True)
class DefaultItem:
    """One question of the default template."""

    key: str
    kind: str
    text_ja: str
    text_en: str
    reverse: bool = False
    scale: str = "frequency"


@dataclass(frozen=True)
class DefaultPrinciple:
    """One principle with its items."""

    code: str
    title_ja: str
    title_en: str
    items: tuple[DefaultItem, ...]


def _load() -> dict[str, Any]:
    return json.loads(TEMPLATE_PATH.read_text(encoding="utf-8"))


_TEMPLATE = _load()

PRINCIPLES: tuple[DefaultPrinciple, ...] = tuple(
    DefaultPrinciple(
        entry["code"], entry["title_ja"], entry["title_en"],
        tuple(DefaultItem(kind="likert5", **item) for item in entry["items"]),
    )
    for entry in _TEMPLATE["principles"]
)
NPS_ITEM = DefaultItem(kind="nps11", scale="nps", **_TEMPLATE["nps"])
COMMENT_ITEM = DefaultItem(kind="comment", scale="text", **_TEMPLATE["comment"])

DEFAULT_SURVEY_NAME: str = _TEMPLATE["survey"]["name"]
DEFAULT_SURVEY_TITLE_JA: str = _TEMPLATE["survey"]["title_ja"]
DEFAULT_SURVEY_TITLE_EN: str = _TEMPLATE["survey"]["title_en"]
