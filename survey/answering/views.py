"""Answering at /s/<token>: GET shows the form (never spends), POST stores once."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_babel import gettext as _
from markupsafe import Markup

from survey.answering import services
from survey.answering.forms import NOTHING_ANSWERED, SOME_INVALID, AnswerForm, posted_answers
from survey.answering.questionnaire import Question, questionnaire
from survey.answering.services import LinkState
from survey.db import begin_write, db
from survey.templating import current_locale

bp = Blueprint("answer", __name__)


@bp.route("/s/<token>", methods=["GET", "POST"])
def answer(token: str) -> str | tuple[str, int]:
    """Show the pulse for a valid link, or a polite page for any other."""
    if request.method == "POST":
        begin_write(db.session)  # one write transaction: look up, spend and store
    link = services.look_up(db.session, token)
    if link.state != LinkState.READY or link.wave is None:
        return _link_page(link.state)
    questions = questionnaire(db.session, link.wave)
    form = AnswerForm()
    posted: dict[int, str | None] = {}
    invalid: set[int] = set()
    if form.validate_on_submit():
        posted = posted_answers(request.form, questions)
        answers, invalid = services.clean_answers(questions, posted)
        if invalid:
            form.form_errors.append(str(SOME_INVALID))
        elif not answers:
            form.form_errors.append(str(NOTHING_ANSWERED))
        else:
            outcome = services.submit(db.session, token, answers, link=link)
            if outcome != LinkState.READY:
                db.session.rollback()
                return _link_page(outcome)
            db.session.commit()
            return render_template("answering/thanks.html")
    status = 400 if form.errors or form.form_errors else 200
    html = _questions_html(link.wave.public_id, questions, posted, invalid)
    return render_template("answering/form.html", form=form, questions_html=html,
                           wave=link.wave), status


_EMPTY_FORMS: dict[tuple[str, str], Markup] = {}


def _questions_html(
    public_id: str, questions: tuple[Question, ...], posted: dict[int, str | None],
    invalid: set[int],
) -> Markup:
    """The questions' HTML; the unanswered form is rendered once per wave and language.

    On survey day nearly every request is a first GET of the same form, so its 70-odd radio
    buttons are rendered once; a re-shown form with the person's answers is rendered afresh.
    """
    if posted or invalid:
        return Markup(render_template("answering/_questions.html", questions=questions,
                                      posted=posted, invalid=invalid))
    key = (public_id, current_locale())
    if key not in _EMPTY_FORMS:
        if len(_EMPTY_FORMS) >= 128:
            _EMPTY_FORMS.pop(next(iter(_EMPTY_FORMS)), None)
        _EMPTY_FORMS[key] = Markup(render_template(
            "answering/_questions.html", questions=questions, posted={}, invalid=set()))
    return _EMPTY_FORMS[key]


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
    return render_template("answering/link.html", message=messages[state]), status_code
