"""Admins edit principles and items; rewording an answered item makes a new version."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from wtforms.fields.choices import SelectChoice

from survey.admin.forms import ItemForm, PrincipleForm
from survey.auth.access import roles_required
from survey.db import begin_write, db
from survey.i18n import localized
from survey.models import Item, Principle, Role
from survey.principles.messages import principle_message
from survey.principles.services import (
    PrincipleError,
    add_item,
    add_principle,
    default_survey,
    item_changed,
    ordered_principles,
    survey_by_name,
    update_item,
)

bp = Blueprint("principles", __name__, url_prefix="/admin/principles")
admin_only = roles_required(Role.ADMIN)

def _item_form(**data: object) -> ItemForm:
    form = ItemForm(data=data or None)
    form.principle.choices = [SelectChoice(0, _("(none)"))] + [
        SelectChoice(p.id, f"{p.code} — {localized(p.title_ja, p.title_en)}")
        for p in ordered_principles(db.session)
    ]
    return form


@bp.get("/")
@admin_only
def index() -> str:
    """Principles with the default survey's items."""
    survey = survey_by_name(db.session, None)
    return render_template(
        "principles/index.html", principles=ordered_principles(db.session, active_only=False),
        survey=survey, principle_form=PrincipleForm(), item_form=_item_form(),
    )


@bp.post("/")
@admin_only
def create_principle() -> ResponseReturnValue:
    """Add a principle."""
    begin_write(db.session)
    form = PrincipleForm()
    if form.validate_on_submit():
        try:
            add_principle(db.session, form.code.data, form.title_ja.data, form.title_en.data)
        except PrincipleError as error:
            form.code.errors.append(principle_message(error))
        else:
            db.session.commit()
            flash(_("Principle added."), "success")
            return redirect(url_for("principles.index"))
    db.session.rollback()
    return _index_with_errors(principle_form=form)


@bp.post("/items")
@admin_only
def create_item() -> ResponseReturnValue:
    """Append a question to the default survey."""
    begin_write(db.session)
    form = _item_form()
    if form.validate_on_submit():
        principle = db.session.get(Principle, form.principle.data)
        try:
            add_item(db.session, default_survey(db.session), principle, form.kind.data,
                     form.text_ja.data, form.text_en.data, form.reverse.data)
        except PrincipleError as error:
            form.principle.errors.append(principle_message(error))
        else:
            db.session.commit()
            flash(_("Question added to the survey."), "success")
            return redirect(url_for("principles.index"))
    db.session.rollback()
    return _index_with_errors(item_form=form)


@bp.route("/items/<int:item_id>", methods=["GET", "POST"])
@admin_only
def edit_item(item_id: int) -> ResponseReturnValue:
    """Reword a question (new version if it has answers)."""
    item = db.get_or_404(Item, item_id)
    form = _item_form(principle=item.principle_id or 0, kind=item.kind, text_ja=item.text_ja,
                      text_en=item.text_en, reverse=item.reverse)
    if form.validate_on_submit():
        begin_write(db.session)
        item = db.get_or_404(Item, item_id)
        if not item_changed(item, form.text_ja.data, form.text_en.data, form.reverse.data):
            db.session.rollback()
            flash(_("Nothing was changed."), "info")
            return redirect(url_for("principles.index"))
        try:
            saved = update_item(db.session, item, form.text_ja.data, form.text_en.data,
                                form.reverse.data)
        except PrincipleError as error:
            db.session.rollback()
            flash(principle_message(error), "error")
            return redirect(url_for("principles.index"))
        db.session.commit()
        flash(_("Saved as version %(v)s.", v=saved.version), "success")
        return redirect(url_for("principles.index"))
    return render_template("principles/edit_item.html", item=item, form=form), (
        400 if form.errors else 200)


def _index_with_errors(**forms: object) -> tuple[str, int]:
    survey = survey_by_name(db.session, None)
    context = {"principle_form": PrincipleForm(), "item_form": _item_form()} | forms
    return render_template(
        "principles/index.html", principles=ordered_principles(db.session, active_only=False),
        survey=survey, **context,
    ), 400
