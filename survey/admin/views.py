"""Administration pages: waves (open, invitations, close), settings and the audit log."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from survey import audit
from survey.admin.confirm import ask, confirmed
from survey.admin.forms import AttributeLabelsForm, OpenWaveForm, ThresholdForm
from survey.admin.links import check_links
from survey.admin.messages import settings_message
from survey.auth.access import roles_required
from survey.cadence.services import load_schedule, upcoming
from survey.db import begin_write, db
from survey.mail.messages import mail_queue_message
from survey.mail.models import MailKind
from survey.mail.notices import announce_results
from survey.mail.queue import MailQueueError, addressee_count, progress, queue_mail
from survey.models import Role, Survey, Wave
from survey.org_settings import (
    SettingsError,
    Thresholds,
    current_thresholds,
    group_hierarchy,
    put_setting,
    validate_thresholds,
)
from survey.roster import labels
from survey.roster.messages import label_message
from survey.waves.closing import close_wave, compact_storage
from survey.waves.design import ConcurrentRule
from survey.waves.invitations import links_csv, record_release
from survey.waves.messages import wave_message
from survey.waves.services import (
    WaveError,
    WavePlan,
    invitation_links,
    open_wave,
    organisation_rule,
    reportable_attributes,
    response_count,
    status,
    today,
    wave_preview,
)

bp = Blueprint("admin", __name__, url_prefix="/admin")
admin_only = roles_required(Role.ADMIN)


def _actor() -> tuple[str, int]:
    return (str(current_user.role), int(current_user.id))


@bp.get("/")
@admin_only
def home() -> str:
    """Waves with their dates, status and response rate."""
    return _home_page(_open_form())


def _home_page(form: OpenWaveForm) -> str:
    return render_template("admin/home.html", rows=_wave_rows(), form=form,
                           mail=progress(db.session),
                           links=check_links(current_app.config["PUBLIC_BASE_URL"],
                                             request.host_url),
                           mail_ready=bool(current_app.config.get("MAIL_SERVER")),
                           next_step=upcoming(db.session, load_schedule(db.session), today(),
                                              limit=1))


def _wave_rows() -> list[tuple[Wave, str, int]]:
    waves = db.session.scalars(select(Wave).order_by(Wave.opens_on.desc(), Wave.id.desc()))
    return [(wave, status(wave), response_count(db.session, wave)) for wave in waves]


def _links(wave: Wave) -> list[tuple[str, str]]:
    config = current_app.config
    return invitation_links(db.session, wave, config["TOKEN_KEY"], config["PUBLIC_BASE_URL"])


def _open_form(formdata: object = None) -> OpenWaveForm:
    """The open-wave form; ``formdata`` is the query string on the (read-only) preview page."""
    form = (OpenWaveForm() if formdata is None
            else OpenWaveForm(formdata=formdata, meta={"csrf": False}))
    surveys = db.session.scalars(select(Survey).order_by(Survey.is_default.desc(), Survey.name))
    form.survey.choices = [SelectChoice(s.id, s.name) for s in surveys]
    asked = form.is_submitted() or bool(form.chosen.raw_data)
    names, recommended = reportable_attributes(db.session, recommend=not asked)
    labelled = labels.attribute_labels(db.session, names)
    form.attributes.choices = [SelectChoice(name, labelled.get(name, name)) for name in names]
    if not asked:
        form.opens.data = today()
        form.closes.data = today() + dt.timedelta(days=14)
        form.attributes.data = recommended
        form.concurrent.data = organisation_rule(db.session).value
    return form


def _chosen_attributes(form: OpenWaveForm) -> list[str] | None:
    """The ticked attributes; None (the recommended choice) when the form did not ask."""
    return list(form.attributes.data or []) if form.chosen.data else None


@bp.get("/waves/preview")
@admin_only
def wave_preview_view() -> ResponseReturnValue:
    """What a wave opened now would report, for the choices in the query string."""
    if "csrf_token" in request.args:
        # The preview button submits the open form by GET: never keep its key in a URL
        # (browser history, proxy and server logs).
        query = [(k, v) for k, v in request.args.items(multi=True) if k != "csrf_token"]
        return redirect(url_for("admin.wave_preview_view") + "?" + urlencode(query))
    form = _open_form(request.args)
    shown = None
    if not (form.attributes.validate(form) and form.concurrent.validate(form)):
        flash(wave_message(WaveError("unknown_attribute")), "error")
    else:
        try:
            shown = wave_preview(db.session, _chosen_attributes(form),
                                 ConcurrentRule(form.concurrent.data))
        except WaveError as error:
            flash(wave_message(error), "error")
    names = [*(shown.design.hierarchy if shown else ()),
             *(choice.value for choice in form.attributes.choices)]
    return render_template("admin/preview.html", form=form, preview=shown,
                           attribute_labels=labels.attribute_labels(db.session, names)
                           ), 200 if shown else 400


@bp.post("/waves")
@admin_only
def open_wave_view() -> ResponseReturnValue:
    """Open a wave for the active roster."""
    begin_write(db.session)
    form = _open_form()
    if form.validate_on_submit():
        survey = db.session.get_one(Survey, form.survey.data)  # a validated choice
        plan = WavePlan(form.label.data.strip(), form.opens.data, form.closes.data)
        try:
            wave = open_wave(db.session, survey, plan, current_thresholds(db.session),
                             group_hierarchy(db.session), current_app.config["TOKEN_KEY"],
                             actor=_actor(), secondary=_chosen_attributes(form),
                             concurrent_rule=ConcurrentRule(form.concurrent.data))
        except WaveError as error:
            db.session.rollback()
            flash(wave_message(error), "error")
        else:
            db.session.commit()
            flash(_("Wave %(label)s opened for %(n)s people.", label=wave.label,
                    n=wave.invited_count), "success")
            return redirect(url_for("admin.home"))
    db.session.rollback()
    return _home_page(form), 400


@bp.get("/waves/<int:wave_id>/invitations.csv")
@admin_only
def invitations_csv(wave_id: int) -> ResponseReturnValue:
    """Every invitee's e-mail and link for mail merge (never who has answered); logged publicly."""
    wave = db.get_or_404(Wave, wave_id)
    try:
        links = _links(wave)
    except WaveError as error:
        flash(wave_message(error), "error")
        return redirect(url_for("admin.home"))
    _record_release(wave, "csv", len(links))
    filename = f"invitations-wave-{wave.id}.csv"
    return Response(links_csv(links).encode("utf-8-sig"), mimetype="text/csv",
                    headers={"Content-Disposition": f"attachment; filename={filename}",
                             "Cache-Control": "no-store"})


@bp.post("/waves/<int:wave_id>/send")
@admin_only
def send_invitations(wave_id: int) -> ResponseReturnValue:
    """Queue the invitations (or, with ``reminders``, the reminders) for the mail worker.

    Asks first.  The page says only how many mails were queued, never to whom.
    """
    begin_write(db.session)
    wave = db.get_or_404(Wave, wave_id)
    kind = MailKind.REMINDER if request.form.get("reminders") == "1" else MailKind.INVITATION
    if not current_app.config.get("MAIL_SERVER"):
        db.session.rollback()
        flash(_("No mail server is configured; hand out the links as CSV or printed slips."),
              "error")
        return redirect(url_for("admin.home"))
    if not confirmed():
        page = _ask_to_send(wave, kind)
        db.session.rollback()
        return page
    try:
        queued = queue_mail(db.session, wave, kind)
    except WaveError as error:
        db.session.rollback()
        flash(wave_message(error), "error")
    except MailQueueError as error:
        db.session.rollback()
        flash(mail_queue_message(error), "error")
    else:
        audit.record(db.session, "mail_queued", *_actor(), wave=wave.label, n=queued,
                     kind=str(kind))
        record_release(db.session, wave, "reminders" if kind == MailKind.REMINDER else "mail",
                       queued, _actor())
        db.session.commit()
        text = _("%(n)s reminders queued.", n=queued) if kind == MailKind.REMINDER else _(
            "%(n)s invitations queued.", n=queued)
        flash(text, "success")
    return redirect(url_for("admin.home"))


def _record_release(wave: Wave, how: str, count: int) -> None:
    """Log the links' release in its own short write (never holding the lock while mailing)."""
    begin_write(db.session)
    record_release(db.session, wave, how, count, _actor())
    db.session.commit()


def _ask_to_send(wave: Wave, kind: MailKind) -> str:
    count = addressee_count(db.session, wave, kind)
    if kind == MailKind.REMINDER:
        return ask(_("Send reminders for %(label)s?", label=wave.label), [
            _("Each of the %(n)s invitees with an e-mail address who has not answered yet "
              "gets a reminder with their own link.", n=count),
            _("Nobody, you included, can see who is reminded."),
        ], _("Queue the reminders"), url_for("admin.home"), {"reminders": "1"})
    return ask(_("Send invitations for %(label)s?", label=wave.label), [
        _("%(n)s people get an e-mail with their own single-use link. People already sent "
          "an invitation for this wave are not sent another.", n=count),
        _("Mail that has gone out cannot be called back."),
    ], _("Queue the invitations"), url_for("admin.home"))


@bp.post("/waves/<int:wave_id>/close")
@admin_only
def close(wave_id: int) -> ResponseReturnValue:
    """Close a wave: summarise it and make its storage unlinkable (asks first)."""
    begin_write(db.session)
    wave = db.get_or_404(Wave, wave_id)
    if not confirmed():
        page = _ask_to_close(wave)
        db.session.rollback()
        return page
    try:
        close_wave(db.session, wave, actor=_actor())
    except WaveError as error:
        db.session.rollback()
        flash(wave_message(error), "error")
        return redirect(url_for("admin.home"))
    queued = announce_results(db.session, wave, actor=_actor())
    db.session.commit()
    compact_storage(db.engine)
    flash(_("Wave %(label)s closed.", label=wave.label), "success")
    if queued:
        flash(ngettext("%(num)s reader is told by e-mail that the report is ready.",
                       "%(num)s readers are told by e-mail that the report is ready.", queued),
              "info")
    return redirect(url_for("admin.home"))


def _ask_to_close(wave: Wave) -> str:
    return ask(_("Close %(label)s now?", label=wave.label), [
        _("Nobody can answer any more, even before the closing date %(date)s.",
          date=wave.closes_on),
        _("The wave's links stop working and are forgotten for good; the answers are "
          "summarised for reports. This cannot be undone."),
    ], _("Close the wave"), url_for("admin.home"), danger=True)


@bp.route("/settings", methods=["GET", "POST"])
@admin_only
def settings() -> ResponseReturnValue:
    """Minimum group sizes for future waves (changes are logged publicly), attribute labels."""
    current = current_thresholds(db.session)
    form = ThresholdForm(data={"k": current.k, "k_comments": current.k_comments})
    if form.validate_on_submit():
        begin_write(db.session)
        try:
            chosen = validate_thresholds(form.k.data, form.k_comments.data)
        except SettingsError as error:
            db.session.rollback()
            field = form.k if error.code == "k_below_floor" else form.k_comments
            field.errors.append(settings_message(error))
        else:
            if chosen == current:  # not a change: no public "threshold changed" entry
                db.session.rollback()
                flash(_("Nothing was changed."), "info")
                return redirect(url_for("admin.settings"))
            if not confirmed():
                db.session.rollback()
                return _ask_to_change_k(current, chosen), 200
            _save_thresholds(chosen)
            flash(_("Saved. The new sizes apply to waves opened from now on."), "success")
            return redirect(url_for("admin.settings"))
    return _settings_page(form, _labels_form(), current), 400 if form.errors else 200


def _ask_to_change_k(current: Thresholds, chosen: Thresholds) -> str:
    return ask(_("Change the minimum group sizes?"), [
        _("Minimum group size k: %(old)s → %(new)s; for comments: %(old_c)s → %(new_c)s.",
          old=current.k, new=chosen.k, old_c=current.k_comments, new_c=chosen.k_comments),
        _("Waves opened from now on use the new sizes; open and past waves keep theirs."),
        _("The change is shown to all staff in the public transparency log."),
    ], _("Change the sizes"), url_for("admin.settings"),
        {"k": str(chosen.k), "k_comments": str(chosen.k_comments)})


def _save_thresholds(chosen: Thresholds) -> None:
    put_setting(db.session, "min_group_size", chosen.k)
    put_setting(db.session, "min_comment_group_size", chosen.k_comments)
    audit.record(db.session, "threshold_changed", *_actor(), k=chosen.k,
                 k_comments=chosen.k_comments)
    db.session.commit()


@bp.post("/settings/labels")
@admin_only
def attribute_labels() -> ResponseReturnValue:
    """Japanese and English labels of roster attributes (changes go to the audit log)."""
    form = AttributeLabelsForm()
    if form.validate_on_submit():
        begin_write(db.session)
        known = labels.known_attributes(db.session)
        try:
            changed = labels.save_labels(db.session, form.wanted(), known)
        except labels.LabelError as error:
            flash(label_message(error), "error")
        else:
            if changed:
                audit.record(db.session, "attribute_labels_changed", *_actor(), labels=changed)
            db.session.commit()
            flash(_("Attribute labels saved."), "success")
            return redirect(url_for("admin.settings"))
    db.session.rollback()
    current = current_thresholds(db.session)
    thresholds = ThresholdForm(formdata=None, data={"k": current.k,
                                                    "k_comments": current.k_comments})
    return _settings_page(thresholds, form, current), 400


def _labels_form() -> AttributeLabelsForm:
    """The labels form filled with the stored labels of every attribute a page can show."""
    entries = [{"name": name, "ja": pair.ja, "en": pair.en}
               for name, pair in labels.editable_labels(db.session)]
    return AttributeLabelsForm(formdata=None, data={"attributes": entries})


def _settings_page(form: ThresholdForm, label_form: AttributeLabelsForm,
                   current: Thresholds) -> str:
    hierarchy = group_hierarchy(db.session)
    names = [entry.form.name.data for entry in label_form.attributes] + hierarchy
    return render_template("admin/settings.html", form=form, current=current,
                           hierarchy=hierarchy, label_form=label_form,
                           attribute_labels=labels.attribute_labels(db.session, names),
                           default_label=labels.default_label,
                           max_length=labels.MAX_LABEL_LENGTH)


@bp.get("/audit")
@admin_only
def audit_log() -> str:
    """Every audit event (exports, views, threshold changes)."""
    return render_template("admin/audit.html", events=audit.all_events(db.session))
