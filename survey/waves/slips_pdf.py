"""Printable invitation slips: A4, three per page, cut marks, the name on a tear-off part only.

The main part (kept by the person) has the link as a QR code (segno, error level M) and as
text, and nothing about whom it belongs to; the tear-off part says whom to hand the sealed
envelope to.  Japanese text uses IPAexGothic from ``matplotlib_fontja``, embedded in the PDF.
"""

from __future__ import annotations

from pathlib import Path

from flask import render_template

from survey.mail.compose import WaveLetter
from survey.qr import qr_svg
from survey.waves.slips import Slip

PER_PAGE = 3


def render_slips(letter: WaveLetter, slips: list[Slip]) -> bytes:
    """The slips as one PDF (needs an app context for the template and translations)."""
    import matplotlib_fontja  # (imports matplotlib) and WeasyPrint: only when slips are made
    from weasyprint import HTML

    pages = [slips[i:i + PER_PAGE] for i in range(0, len(slips), PER_PAGE)]
    html = render_template("waves/slips.html", letter=letter, pages=pages, qr=qr_svg,
                           font=Path(matplotlib_fontja.get_font_ttf_path()).resolve().as_uri())
    return HTML(string=html).write_pdf()
