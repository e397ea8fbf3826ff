"""Run-time organisation settings stored in the database (k, k_comments, group hierarchy).

k applies to waves opened after a change; every change is written to the public log.  Other
features keep their own settings here through :func:`get_setting` and :func:`put_setting`
(e.g. the display labels of roster attributes in :mod:`survey.roster.labels`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import current_app

from survey.db import DbSession
from survey.models import Setting
from survey.service_error import ServiceError

MIN_K_FLOOR = 3


@dataclass(frozen=True)
class Thresholds:
    """Minimum group sizes that future waves will freeze when they open."""

    k: int
    k_comments: int


class SettingsError(ServiceError):
    """Why a settings change is refused (worded by :mod:`survey.admin.messages`)."""


def get_setting(session: DbSession, key: str, default: Any = None) -> Any:
    """A stored setting's value, or ``default``."""
    row = session.get(Setting, key)
    return default if row is None else row.value


def put_setting(session: DbSession, key: str, value: Any) -> None:
    """Store a setting (the caller commits)."""
    row = session.get(Setting, key)
    if row is None:
        session.add(Setting(key=key, value=value))
    else:
        row.value = value


def current_thresholds(session: DbSession) -> Thresholds:
    """k and k_comments for the next wave (stored value, else the configured default)."""
    config = current_app.config
    return Thresholds(
        k=int(get_setting(session, "min_group_size", config["MIN_GROUP_SIZE"])),
        k_comments=int(
            get_setting(session, "min_comment_group_size", config["MIN_COMMENT_GROUP_SIZE"])
        ),
    )


def validate_thresholds(k: int, k_comments: int) -> Thresholds:
    """k never below 3; comments never below k."""
    if k < MIN_K_FLOOR:
        raise SettingsError("k_below_floor")
    if k_comments < k:
        raise SettingsError("k_comments_below_k")
    return Thresholds(k=k, k_comments=k_comments)


def group_hierarchy(session: DbSession) -> list[str]:
    """Unit attributes from broad to fine (e.g. 部, 課, 係), for rolling small units up."""
    return list(get_setting(session, "group_hierarchy", []))
