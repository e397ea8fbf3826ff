"""Send invitation e-mails over SMTP (only when SMTP settings exist)."""

from __future__ import annotations

import smtplib
from collections.abc import Mapping
from email.message import EmailMessage
from typing import Any

from survey.models import Wave


class MailError(RuntimeError):
    """SMTP is not configured or the server refused."""


def _message(
    config: Mapping[str, Any], wave: Wave, email: str, link: str, reminder: bool = False
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = config["MAIL_FROM"]
    message["To"] = email
    prefix = "【リマインダー / Reminder】" if reminder else ""
    message["Subject"] = f"{prefix}{wave.survey.title_ja} / {wave.survey.title_en} ({wave.label})"
    message.set_content(
        f"{wave.survey.title_ja}へのご協力をお願いします（{wave.closes_on:%Y-%m-%d}まで、2分以内）。\n"
        f"回答は匿名で、氏名・リンク・回答時刻とは結び付けずに保存されます。\n"
        f"あなた専用のリンク（1回限り）: {link}\n\n"
        f"Please answer the {wave.survey.title_en} by {wave.closes_on:%Y-%m-%d} "
        f"(under two minutes).\nAnswers are stored without your name, link or time.\n"
        f"Your personal single-use link: {link}\n"
    )
    return message


def send_invitations(
    config: Mapping[str, Any], wave: Wave, links: list[tuple[str, str]], reminder: bool = False
) -> int:
    """Send one e-mail per (email, link); returns how many were accepted by the server.

    With ``reminder`` the links are those still unspent: the system sends them itself and only
    the count is ever shown to a person.
    """
    if not config.get("MAIL_SERVER"):
        raise MailError("SMTP is not configured (set NARANU_MAIL_SERVER)")
    try:
        with smtplib.SMTP(config["MAIL_SERVER"], int(config["MAIL_PORT"]), timeout=30) as smtp:
            if config.get("MAIL_USE_TLS"):
                smtp.starttls()
            if config.get("MAIL_USERNAME"):
                smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
            for email, link in links:
                smtp.send_message(_message(config, wave, email, link, reminder))
    except (OSError, smtplib.SMTPException) as error:
        raise MailError(type(error).__name__) from error
    return len(links)
