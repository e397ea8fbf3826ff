"""QR codes as inline SVG (segno): the invitation slips and the two-factor set-up page."""

from __future__ import annotations

import segno
from markupsafe import Markup


def qr_svg(data: str, *, scalable: bool = False) -> Markup:
    """``data`` as an inline SVG QR code (error level M, the standard 4-module quiet zone).

    Vector, so sharp at any printer resolution; ``scalable`` leaves out the fixed size (a
    ``viewBox`` only), so a stylesheet sizes it on screen.  The light modules are painted white,
    so the code scans on any background.  segno writes only drawing paths, never the encoded
    text, so the markup is safe as is.
    """
    code = segno.make(data, error="m")
    return Markup(code.svg_inline(scale=1, border=4, omitsize=scalable,
                                  light="#fff" if scalable else None, svgclass="qr"))
