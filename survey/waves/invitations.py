"""Invitation links as CSV for mail merge (UTF-8 with BOM, so Excel shows Japanese)."""

from __future__ import annotations

import csv
import io


def links_csv(links: list[tuple[str, str]]) -> str:
    """``email,link`` rows; write the result with encoding ``utf-8-sig``."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["email", "link"])
    writer.writerows(links)
    return buffer.getvalue()
