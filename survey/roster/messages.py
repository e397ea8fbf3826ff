"""The roster's words, for pages and commands alike: why a file was refused (a
:class:`~survey.roster.parsing.RosterError` with where and why), why labels were not saved (a
:class:`~survey.roster.labels.LabelError`), and what an import found."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from survey.messages import Wording, worded
from survey.roster.labels import MAX_LABEL_LENGTH, LabelError
from survey.roster.parsing import RosterError
from survey.roster.services import RosterWarning


def roster_message(error: RosterError) -> str:
    """Why the roster was refused, in the current language: where (row, column) and why."""
    reason = worded(_reasons(error.params), error.code)
    if error.row is not None and error.column is not None:
        return _("row %(row)s, column %(column)s: %(reason)s",
                 row=error.row, column=error.column, reason=reason)
    if error.row is not None:
        return _("row %(row)s: %(reason)s", row=error.row, reason=reason)
    if error.column is not None:
        return _("column %(column)s: %(reason)s", column=error.column, reason=reason)
    return reason


def _reasons(p: dict[str, Any]) -> Wording:
    """Reasons about the file, its columns and its values."""
    return {
        "unsupported_type": lambda: _(
            "only .csv and .xlsx files can be imported (this file is .%(extension)s)",
            extension=p.get("extension")),
        "too_large": lambda: _("the file is larger than %(limit)s MB and was not read",
                               limit=p.get("limit_mb")),
        "too_many_rows": lambda: _("the file has more than %(max)s people", max=p.get("max")),
        "binary": lambda: _("this is not a text (CSV) file"),
        "encoding": lambda: _(
            "the file is neither UTF-8 nor Shift_JIS (CP932); in Excel, save it as "
            "\"CSV UTF-8\""),
        "not_xlsx": lambda: _("the file is named .xlsx but is not an Excel workbook"),
        "xlsx_expands": lambda: _(
            "the workbook unpacks to far more data than a roster holds (%(member)s), so it was "
            "not opened; save the sheet again as a new workbook or as CSV",
            member=p.get("member")),
        "too_many_columns": lambda: _(
            "the file has more than %(max)s group attribute columns; keep only the columns "
            "reports break down by", max=p.get("max")),
        "malformed": lambda: _("the CSV cannot be read here (check the quotation marks)"),
        "empty": lambda: _("the file contains no people (it is empty or has only a header row)"),
        "empty_column_name": lambda: _("this column has no name in the header row"),
        "duplicate_column": lambda: _("the header names this column twice (also as %(other)s)",
                                      other=p.get("other")),
        "missing_column": lambda: _("the header row has no such column; it is required"),
        "field_count": lambda: _(
            "the row has %(found)s fields but the header has %(expected)s",
            found=p.get("found"), expected=p.get("expected")),
        "required": lambda: _("the value is empty; every person needs one"),
        "too_long": lambda: _("the value is longer than %(max)s characters", max=p.get("max")),
        "invalid_email": lambda: _("not a valid e-mail address"),
        "duplicate_value": lambda: _("'%(value)s' also appears in row %(other_row)s",
                                     value=p.get("value"), other_row=p.get("other_row")),
        "formula": lambda: _(
            "the value starts with %(char)s, so a spreadsheet would run it as a formula; such "
            "cells are refused rather than stored (remove the leading %(char)s)",
            char=p.get("char")),
        "control": lambda: _("the value contains an invisible control character"),
        "hierarchy_column": lambda: _(
            "the hierarchy names this column, but the file has no such group column"),
        "hierarchy_repeated": lambda: _("the hierarchy names this column twice"),
        "hierarchy_parent": lambda: _(
            "'%(value)s' is under %(parent_column)s '%(parent)s' here but under '%(other)s' in row "
            "%(other_row)s; each unit must belong to exactly one %(parent_column)s (give units "
            "unique names)", value=p.get("value"), parent_column=p.get("parent_column"),
            parent=p.get("parent"), other=p.get("other"), other_row=p.get("other_row")),
        **_post_reasons(p),
    }


def _post_reasons(p: dict[str, Any]) -> Wording:
    """Reasons about identity and concurrent posts (兼務)."""
    return {
        "no_identity": lambda: _(
            "the row has neither an employee number nor an e-mail address; every person needs "
            "an e-mail address (without an employee number, an id is made from it)"),
        "post_type_value": lambda: _(
            "'%(value)s' is not a post type: write 本務 (main post) or 兼務 (concurrent post)",
            value=p.get("value")),
        "post_without_main": lambda: _(
            "this concurrent-post (兼務) row is for '%(value)s', who has no main-post (本務) row; "
            "every person needs exactly one", value=p.get("value")),
        "post_email_mismatch": lambda: _(
            "this concurrent-post (兼務) row has the e-mail address %(value)s, but the person's "
            "main-post row has %(other)s", value=p.get("value"), other=p.get("other")),
        "post_without_unit": lambda: _("this concurrent-post (兼務) row names no unit"),
        "posts_without_hierarchy": lambda: _(
            "concurrent posts (兼務) are placed along the unit hierarchy, and none is set: give "
            "the unit columns from broad to fine, e.g. 部,課"),
        "unknown_unit": lambda: _(
            "'%(value)s' is not a unit of this roster: a concurrent post must name a unit that "
            "a main post or a 兼務 row names, spelled as in the unit columns",
            value=p.get("value")),
        "ambiguous_unit": lambda: _(
            "'%(value)s' names more than one unit (%(paths)s); give units distinct names",
            value=p.get("value"), paths=p.get("paths")),
    }


def generated_ids_message(count: int) -> str:
    """How many people were given an id made from their e-mail address, in the current language."""
    return _("%(count)s people have no employee number (e.g. members from outside); each was "
             "given a stable id made from their e-mail address (X-…).", count=count)


def concurrent_message(count: int) -> str:
    """How many people hold a concurrent post, in the current language."""
    return _("%(count)s people hold a concurrent post (兼務).", count=count)


def units_message(own: int, folded: int) -> str:
    """After an import: how a wave opened now would report the units (see the preview)."""
    return _("A wave opened now would report %(own)s units as themselves; %(folded)s would be "
             "counted within their parent unit.", own=own, folded=folded)


def warning_message(warning: RosterWarning) -> str:
    """A warning in the current language."""
    if warning.code == "never_shown":
        return _("%(attribute)s: no group reaches the minimum group size, so this breakdown "
                 "can never be shown", attribute=warning.attribute)
    if warning.code == "small_groups_more":
        return _("%(attribute)s: %(count)s more groups are below the minimum group size",
                 attribute=warning.attribute, count=warning.count)
    return _("%(attribute)s '%(value)s' has %(count)s people: its answers will be reported only "
             "as part of a larger group", attribute=warning.attribute, value=warning.value,
             count=warning.count)


def label_message(error: LabelError) -> str:
    """Why a set of attribute labels was not saved, in the current language."""
    p = error.params
    return worded({
        "label_taken": lambda: _(
            "%(first)s and %(second)s would both be shown as “%(label)s”. Give one of them "
            "another label.", first=p.get("first"), second=p.get("second"), label=p.get("label")),
        "label_too_long": lambda: _("A label can have at most %(max)d characters.",
                                    max=MAX_LABEL_LENGTH),
    }, error.code)
