"""Principle and item services: seed the default template, edit with versioning.

Rewording an item that already has answers creates a new version and swaps it into every
survey template, so trends never mix wordings (DESIGN.md, 'item').  Waves keep the versions they
were opened with.
"""

from __future__ import annotations

from sqlalchemy import exists, func, select

from survey.db import DbSession
from survey.models import Answer, Item, ItemKind, Principle, Survey, SurveyItem
from survey.principles import defaults
from survey.service_error import ServiceError


class PrincipleError(ServiceError):
    """Why a principle or item edit is refused (worded by :mod:`survey.principles.messages`)."""


def seed_default_template(session: DbSession) -> Survey:
    """Create the default principles and survey if no survey exists yet; idempotent."""
    existing = session.scalar(select(Survey).where(Survey.name == defaults.DEFAULT_SURVEY_NAME))
    if existing is not None:
        return existing
    survey = Survey(
        name=defaults.DEFAULT_SURVEY_NAME,
        title_ja=defaults.DEFAULT_SURVEY_TITLE_JA,
        title_en=defaults.DEFAULT_SURVEY_TITLE_EN,
        is_default=True,
    )
    session.add(survey)
    items: list[Item] = []
    for position, spec in enumerate(defaults.PRINCIPLES):
        principle = Principle(
            code=spec.code, title_ja=spec.title_ja, title_en=spec.title_en, position=position
        )
        session.add(principle)
        items.extend(_item_from_default(entry, principle) for entry in spec.items)
    items.append(_item_from_default(defaults.NPS_ITEM, None))
    items.append(_item_from_default(defaults.COMMENT_ITEM, None))
    for position, item in enumerate(items):
        survey.entries.append(SurveyItem(item=item, position=position))
    session.flush()
    return survey


def _item_from_default(spec: defaults.DefaultItem, principle: Principle | None) -> Item:
    return Item(
        key=spec.key, version=1, kind=ItemKind(spec.kind), principle=principle,
        text_ja=spec.text_ja, text_en=spec.text_en, reverse=spec.reverse, scale=spec.scale,
    )


def add_principle(session: DbSession, code: str, title_ja: str, title_en: str) -> Principle:
    """A new principle at the end of the list; codes are unique."""
    code = code.strip().lower()
    if session.scalar(select(Principle).where(Principle.code == code)) is not None:
        raise PrincipleError("code_taken")
    last = session.execute(select(func.coalesce(func.max(Principle.position), -1))).scalar_one()
    position = last + 1
    principle = Principle(code=code, title_ja=title_ja.strip(), title_en=title_en.strip(),
                          position=position)
    session.add(principle)
    return principle


def is_answered(session: DbSession, item: Item) -> bool:
    """Whether any response answered this item version."""
    return bool(session.scalar(select(exists().where(Answer.item_id == item.id))))


def item_changed(item: Item, text_ja: str, text_en: str, reverse: bool) -> bool:
    """Whether the wording differs from the item's (spaces around the text do not count)."""
    return (text_ja.strip(), text_en.strip(), bool(reverse)) != (
        item.text_ja, item.text_en, bool(item.reverse))


def update_item(
    session: DbSession, item: Item, text_ja: str, text_en: str, reverse: bool
) -> Item:
    """Reword an item: in place while unanswered, otherwise as a new version.

    An unchanged wording is no change at all: a new version would break the item's series
    in every later report for nothing.
    """
    if not item.current:
        raise PrincipleError("item_superseded")
    text_ja, text_en = text_ja.strip(), text_en.strip()
    if not item_changed(item, text_ja, text_en, reverse):
        return item
    if not is_answered(session, item):
        item.text_ja, item.text_en, item.reverse = text_ja, text_en, reverse
        return item
    successor = Item(
        key=item.key, version=item.version + 1, kind=item.kind, principle_id=item.principle_id,
        text_ja=text_ja, text_en=text_en, reverse=reverse, scale=item.scale,
    )
    item.current = False
    session.add(successor)
    session.flush()
    for entry in session.scalars(select(SurveyItem).where(SurveyItem.item_id == item.id)):
        position, survey_id = entry.position, entry.survey_id
        session.delete(entry)
        session.flush()
        session.add(SurveyItem(survey_id=survey_id, item_id=successor.id, position=position))
    return successor


def add_item(
    session: DbSession, survey: Survey, principle: Principle | None, kind: str,
    text_ja: str, text_en: str, reverse: bool = False,
) -> Item:
    """Append a new item to a survey template."""
    if kind not in {k.value for k in ItemKind}:
        raise PrincipleError("invalid_kind")
    if kind == ItemKind.LIKERT5 and principle is None:
        raise PrincipleError("likert_needs_principle")
    prefix = principle.code if principle is not None else kind
    keys = session.execute(
        select(func.count(func.distinct(Item.key))).where(Item.key.like(f"{prefix}.%"))
    ).scalar_one()
    item = Item(
        key=f"{prefix}.{keys + 1}", version=1, kind=ItemKind(kind), principle=principle,
        text_ja=text_ja.strip(), text_en=text_en.strip(), reverse=reverse,
        scale={"likert5": "frequency", "nps11": "nps", "comment": "text"}[kind],
    )
    position = len(survey.entries)
    survey.entries.append(SurveyItem(item=item, position=position))
    return item


def ordered_principles(session: DbSession, active_only: bool = True) -> list[Principle]:
    """Principles in their display order."""
    query = select(Principle).order_by(Principle.position, Principle.id)
    if active_only:
        query = query.where(Principle.active.is_(True))
    return list(session.scalars(query))


def default_survey(session: DbSession) -> Survey:
    """The survey new questions join; there is none only before ``init-db`` has run."""
    survey = survey_by_name(session, None)
    if survey is None:
        raise PrincipleError("no_default_survey")
    return survey


def survey_by_name(session: DbSession, name: str | None) -> Survey | None:
    """A survey by name, or the default survey when no name is given."""
    if name:
        return session.scalar(select(Survey).where(Survey.name == name))
    return session.scalar(select(Survey).where(Survey.is_default.is_(True)))
