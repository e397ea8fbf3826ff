"""The words for :class:`survey.mail.queue.MailQueueError` codes, for pages and commands alike."""

from __future__ import annotations

from flask_babel import gettext as _

from survey.mail.queue import MailQueueError
from survey.messages import Wording, worded

_WORDING: Wording = {
    "reminders_pending": lambda: _(
        "The previous reminders are still being sent; wait until they are done."),
}


def mail_queue_message(error: MailQueueError) -> str:
    """Why mail was not queued, in the current language."""
    return worded(_WORDING, error.code)
