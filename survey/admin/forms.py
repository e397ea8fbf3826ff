"""Administration forms (validation only; they never query the database)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp
from wtforms.widgets import CheckboxInput, ListWidget

from survey.roster.labels import MAX_LABEL_LENGTH, LabelPair


class OpenWaveForm(FlaskForm):
    """Label, survey and dates of a new wave."""

    label = StringField(_l("Label"), validators=[DataRequired(), Length(max=80)])
    survey = SelectField(_l("Survey"), coerce=int)
    # InputRequired, not DataRequired: a malformed date then says so instead of "required".
    opens = DateField(_l("Opens on"), validators=[InputRequired()])
    closes = DateField(_l("Closes on"), validators=[InputRequired()])
    # Which non-unit roster columns the wave may report; nothing else is stored with answers.
    attributes = SelectMultipleField(
        _l("Also report by"), widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(), validate_choice=True)
    chosen = HiddenField(default="1")  # tells "none ticked" (units only) from "not asked"
    concurrent = RadioField(
        _l("Concurrent posts"), default="main",
        choices=[SelectChoice("main", _l("Count each answer once, in the main unit")),
                 SelectChoice("counted", _l("Also count it in each unit of a concurrent post"))])


class ThresholdForm(FlaskForm):
    """Minimum group sizes for future waves."""

    k = IntegerField(
        _l("Minimum group size (k)"), validators=[DataRequired(), NumberRange(3, 1000)]
    )
    k_comments = IntegerField(
        _l("Minimum group size for comments"), validators=[DataRequired(), NumberRange(3, 1000)]
    )


class PrincipleForm(FlaskForm):
    """A new principle."""

    code = StringField(
        _l("Code"),
        validators=[DataRequired(), Length(max=40),
                    Regexp(r"^[a-z0-9-]+$", message=_l("Use lower-case letters, digits and -."))],
    )
    title_ja = StringField(_l("Title (Japanese)"), validators=[DataRequired(), Length(max=200)])
    title_en = StringField(_l("Title (English)"), validators=[DataRequired(), Length(max=200)])


class ItemForm(FlaskForm):
    """Wording of an item (new or edited)."""

    principle = SelectField(_l("Principle"), coerce=int, validators=[Optional()])
    kind = SelectField(
        _l("Kind"),
        choices=[SelectChoice("likert5", _l("5-point scale")),
                 SelectChoice("nps11", _l("0-10 recommendation")),
                 SelectChoice("comment", _l("Free comment"))],
    )
    text_ja = TextAreaField(_l("Question (Japanese)"), validators=[DataRequired(), Length(max=500)])
    text_en = TextAreaField(_l("Question (English)"), validators=[DataRequired(), Length(max=500)])
    reverse = BooleanField(_l("Reverse-worded (scored reversed)"))


def _trimmed(value: str | None) -> str:
    """Spaces around a label are never meant; trimming first makes "   " mean "the default"."""
    return (value or "").strip()


_LABEL_LENGTH = Length(max=MAX_LABEL_LENGTH,
                       message=_l("A label can have at most %(max)d characters."))


class AttributeLabelForm(Form):
    """One roster attribute's labels; its CSRF token is the enclosing form's."""

    name = HiddenField()
    ja = StringField(_l("Label in Japanese"), filters=[_trimmed], validators=[_LABEL_LENGTH])
    en = StringField(_l("Label in English"), filters=[_trimmed], validators=[_LABEL_LENGTH])


class AttributeLabelsForm(FlaskForm):
    """Display labels of every roster attribute (empty means the default label)."""

    attributes = FieldList(FormField(AttributeLabelForm))

    def wanted(self) -> dict[str, LabelPair]:
        """Raw attribute name → the labels entered for it."""
        return {entry.form.name.data: LabelPair(ja=entry.form.ja.data, en=entry.form.en.data)
                for entry in self.attributes if entry.form.name.data}
