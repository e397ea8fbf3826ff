"""The words of an export that people read, in the export's language (Flask-Babel's locale).

Codes and keys stay English in every language, because scripts read them; only prose is
translated.  :mod:`reports.exports` describes the resulting layout.  Every string here carries
the gettext context ``export``: catalogs merge with ``reports`` after ``hr``, so a page that
translates the same English word differently must never change what a file says.

The only numbers here are *k*, *k_comments*, dropped rows and a breakdown's coverage, which is
the published total minus its published groups.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from babel.lists import format_list
from flask_babel import get_locale, pgettext

from reports.disclosure import Label, Reason

CONTEXT = "export"


def _t(text: str, **variables: object) -> str:
    """``text`` in the current locale, from the ``export`` context of the catalogs."""
    return pgettext(CONTEXT, text, **variables)


def group_text(label: Sequence[tuple[str, str]]) -> str:
    """``department=税務課``; the whole organisation is ``all`` (codes, alike in any language)."""
    return " / ".join(f"{name}={value}" for name, value in label) or "all"


def group_name(label: Sequence[tuple[str, str]]) -> str:
    """A group as a sentence names it: ``department=税務課``, or the whole organisation."""
    return group_text(label) if label else _t("the whole organisation")


def column_labels(header: Sequence[str], named: Mapping[str, str] | None = None) -> tuple[str, ...]:
    """People's names of ``header``'s keys; ``named`` overrides, unknown keys stay as they are.

    ``named`` carries what only the database knows: roster attributes' display labels
    (:func:`survey.roster.labels.attribute_labels`) and items' wording.
    """
    labels = {**_fixed_labels(), **(named or {})}
    return tuple(labels.get(key, key) for key in header)


def _fixed_labels() -> dict[str, str]:
    return {
        "measure": _t("Measure"),
        "title": _t("Principle or question"),
        "breakdown": _t("Broken down by"),
        "group": _t("Group"),
        "status": _t("Status (code)"),
        "reason_code": _t("Reason (code)"),
        "n": _t("Answers (n)"),
        "mean": _t("Mean"),
        "favourable_pct": _t("Favourable (%)"),
        "score": _t("Score (0–100)"),
        "enps": _t("eNPS"),
        "note": _t("Note"),
        "comment": _t("Comment"),
    }


def item_label(wording: str, reverse: bool) -> str:
    """A response column named by its question, marked when it is reverse-worded."""
    return _t("%(wording)s (reverse-worded)", wording=wording) if reverse else wording


def coverage_note(breakdown: str, covered: int, total: int) -> str:
    """A partial breakdown's one line: how many respondents its shown groups place."""
    return _t("by %(breakdown)s: covers %(covered)s of %(total)s respondents; %(rest)s are in "
              "groups too small to show (group '*' = everyone else, where it can be shown)",
              breakdown=breakdown, covered=covered, total=total, rest=total - covered)


def aggregate_notes(wave_label: str, k: int, coverage: Sequence[str] = ()) -> tuple[str, ...]:
    """Notes of the aggregate table; ``coverage`` lines say how much each breakdown places."""
    return (_t("naranu aggregate export; wave %(wave)s; k=%(k)s", wave=wave_label, k=k),
            _t("groups with fewer than k answers, or whose figures could be worked out by "
               "subtraction, show 'suppressed' instead of figures, with a reason code and a "
               "note"),
            favourable_note(), *coverage)


def favourable_note() -> str:
    """What the favourable column counts: answers for a question, people for a principle."""
    return _t("Favourable (%): for a question, the share of answers 4–5; for a principle, the "
              "share of people whose average over the principle's questions is 4 or more "
              "(reverse-worded questions reversed first)")


def response_notes(wave_label: str, k: int, dropped: int) -> tuple[str, ...]:
    """Notes of the response-level table."""
    return (_t("naranu response-level export; wave %(wave)s; k=%(k)s", wave=wave_label, k=k),
            _t("one row per response in random order; no id, link or time; '*' = generalised; "
               "(R) = reverse-worded item, values as answered"),
            _t("rows dropped (fewer than k responses in the whole wave): %(dropped)s",
               dropped=dropped))


def comment_notes(k_comments: int) -> tuple[str, ...]:
    """Notes of the free-text table."""
    return (_t("free-text comments; only groups with at least %(k)s responses; random order; "
               "not linked to the response rows", k=k_comments),)


def includes_note(labels: Sequence[Label]) -> str:
    """The note of a shown group that holds smaller groups rolled up into it ('' if none)."""
    if not labels:
        return ""
    names = format_list([group_name(label) for label in labels], locale=get_locale() or "ja")
    return _t("includes %(groups)s", groups=names)


def hidden_reason(code: str, threshold: int, rolled_into: Label | None,
                  people: bool = False) -> str:
    """Why a group is hidden, from the gate's reason code (never from its English text).

    ``threshold`` is the gate's minimum for this kind of figure (k, or k_comments for free
    text); ``people`` counts responses (people) instead of answers to one measure.
    """
    reason = _base_reason(code, threshold, people)
    if rolled_into is None:
        return reason
    return _t("%(reason)s; counted in %(group)s", reason=reason, group=group_name(rolled_into))


def _base_reason(code: str, threshold: int, people: bool) -> str:
    if code == Reason.COMPLEMENTARY:
        return _t("hidden so that a smaller hidden group cannot be worked out by subtracting "
                  "published figures")
    if code == Reason.MEMBERSHIP_CHANGE:
        return _t("membership changed too much to compare")
    if people:
        return _t("fewer than %(k)s responses", k=threshold)
    return _t("fewer than %(k)s answers", k=threshold)  # below_k, or rolled up for below_k


def suppressed_comments(code: str, reason: str) -> str:
    """What a hidden group's free-text row says instead of comments."""
    return _t("suppressed (%(code)s): %(reason)s", code=code, reason=reason)
