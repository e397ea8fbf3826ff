"""The invitation and reminder e-mail, in Japanese first and English after it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from email.message import EmailMessage

from survey.models import Wave


@dataclass(frozen=True)
class WaveLetter:
    """What a mail says about its wave (read once per batch, not per message)."""

    public_id: str
    label: str
    title_ja: str
    title_en: str
    closes_on: dt.date


def letter_of(wave: Wave) -> WaveLetter:
    """What mails and slips say about ``wave``."""
    return WaveLetter(wave.public_id, wave.label, wave.survey.title_ja, wave.survey.title_en,
                      wave.closes_on)


def compose(
    sender: str, letter: WaveLetter, email: str, link: str, reminder: bool = False,
    results: str | None = None,
) -> EmailMessage:
    """One person's mail with their own single-use link (base64 body: any relay accepts it)
    and, when given, the read link of the latest published results (no figures in the mail)."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = email
    prefix = "【リマインダー / Reminder】" if reminder else ""
    message["Subject"] = f"{prefix}{letter.title_ja} / {letter.title_en} ({letter.label})"
    message.set_content(
        f"{letter.title_ja}へのご協力をお願いします（{letter.closes_on:%Y-%m-%d}まで、2分以内）。\n"
        f"回答は匿名で、氏名・リンク・回答時刻とは結び付けずに保存されます。\n"
        f"あなた専用のリンク（1回限り）: {link}\n"
        + (f"前回の結果と取り組み: {results}\n" if results else "") + "\n"
        f"Please answer the {letter.title_en} by {letter.closes_on:%Y-%m-%d} "
        f"(under two minutes).\nAnswers are stored without your name, link or time.\n"
        f"Your personal single-use link: {link}\n"
        + (f"What we heard last time and what we are doing: {results}\n" if results else ""),
        cte="base64",
    )
    return message


def compose_access_link(sender: str, email: str, link: str, invited: bool) -> EmailMessage:
    """The mail with an account's single-use link to set its password."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = email
    message["Subject"] = ("naranu: アカウントの招待 / Your account" if invited else
                          "naranu: パスワードの再設定 / Set a new password")
    message.set_content(
        "naranu のパスワードを次のリンクで設定してください（1回限り、7日間有効）:\n"
        f"{link}\n\nSet your naranu password with this link (single use, valid 7 days):\n"
        f"{link}\n", cte="base64")
    return message


def compose_report_notice(sender: str, email: str, label: str, link: str,
                          language: str | None) -> EmailMessage:
    """"The report of round X can be read": the link only, never a figure; in the account's
    language (Japanese when it is not known)."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = email
    if language == "en":
        message["Subject"] = f"naranu: the results of round {label} are ready"
        body = (f"Round {label} has closed and its report can now be read (sign in first):\n"
                f"{link}\n\nThis mail carries no figures; the report shows only what the "
                "minimum group size allows.\n")
    else:
        message["Subject"] = f"naranu: {label} の結果が公開されました"
        body = (f"{label} の回答期間が終わり、レポートを読めるようになりました（要サインイン）:\n"
                f"{link}\n\nこのメールには数値を載せていません。レポートには最小集団サイズの"
                "条件を満たす数値だけが表示されます。\n")
    message.set_content(body, cte="base64")
    return message
