"""Answering at /s/<token>: GET shows the form (never spends), POST stores once.

The POST is checked completely — CSRF key, every value — before the write transaction
begins, so the database write lock is held only for spending the link and inserting the answer
(on SQLite every writer waits for that lock; on survey day that wait is the queue).  Both
requests use one Core connection directly: the ORM session's bookkeeping cost more than the
queries themselves.
"""

from __future__ import annotations

from flask import Blueprint, current_app, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.engine import Connection

from survey.answering import pages, services
from survey.answering.forms import (
    FORM_KEY_FIELD,
    NOTHING_ANSWERED,
    SOME_INVALID,
    form_key,
    form_key_matches,
    posted_answers,
)
from survey.answering.questionnaire import questionnaire
from survey.answering.services import Link, LinkState
from survey.db import db, write_transaction
from survey.extensions import csrf, limiter
from survey.input_guard import accepts_large_body

bp = Blueprint("answer", __name__)


@limiter.request_filter
def _not_rate_limited() -> bool:
    """The answering page has no rate limit.

    Staff often share one address (a town hall's NAT), so a per-address limit would lock out
    colleagues, and links are 256-bit secrets, so there is nothing to guess.  Skipping the
    limiter here also spares its bookkeeping on every survey-day request.
    """
    return request.blueprint == "answer"


@bp.route("/s/<token>", methods=["GET", "POST"])
@csrf.exempt  # checked with the link-bound form key instead (survey.answering.forms)
@accepts_large_body("ANSWER_MAX_BYTES")  # several long comments in Japanese, percent-encoded
def answer(token: str) -> str | tuple[str, int]:
    """Show the pulse for a valid link, or a polite page for any other."""
    key = form_key(current_app.secret_key or "", token)
    if request.method == "POST":
        _check_form_key(key)
    with db.engine.connect() as connection:
        link = services.look_up(connection, token)
        if link.state != LinkState.READY or link.wave is None:
            return _link_page(link.state)
        if request.method == "POST":
            return _receive(connection, token, link, key)
        questions = questionnaire(connection, link.wave)
    return pages.empty_form(link.wave, questions, key)


def _check_form_key(key: str) -> None:
    """Refuse (400) a post without this link's form key, before anything is read or written."""
    if current_app.config.get("WTF_CSRF_ENABLED", True) and not form_key_matches(
            key, request.form.get(FORM_KEY_FIELD)):
        raise CSRFError("The answer form's key is missing or wrong.")


def _receive(
    connection: Connection, token: str, link: Link, key: str,
) -> str | tuple[str, int]:
    """Validate the answers, then spend the link and store them in one short transaction."""
    assert link.wave is not None
    questions = questionnaire(connection, link.wave)
    posted = posted_answers(request.form, questions)
    answers, invalid = services.clean_answers(questions, posted)
    problem = SOME_INVALID if invalid else NOTHING_ANSWERED if not answers else None
    if problem is not None:
        return pages.filled_form(link.wave, questions, key, posted, invalid,
                                 [str(problem)]), 400
    with write_transaction(connection):
        # Committed when the block ends; an outcome other than READY has written nothing.
        outcome = services.submit(connection, token, answers, link=link)
    if outcome != LinkState.READY:
        return _link_page(outcome)
    return pages.thanks()


def _link_page(state: LinkState) -> tuple[str, int]:
    messages = {
        LinkState.UNKNOWN: _("This link is not valid. Please use the link from your invitation."),
        LinkState.SPENT: _("This link has already been used. Thank you for your answer."),
        LinkState.NOT_YET_OPEN: _("This survey has not opened yet. Please come back later."),
        LinkState.CLOSED: _("This survey has closed. Thank you."),
    }
    status_code = 410 if state in (LinkState.SPENT, LinkState.CLOSED) else 404
    if state == LinkState.NOT_YET_OPEN:
        status_code = 403
    return pages.link_page(messages[state]), status_code
