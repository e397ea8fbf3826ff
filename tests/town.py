"""A town hall's roster with concurrent posts (兼務) and outside members, in both HR shapes.

Shaped like a real personnel file (部 → 課 → 係): one 課長 per 課 who belongs to the 課 itself,
small 係 led by a 係長, and a デジタル変革戦略室 whose only main members are two outside
members without an employee number (a 複業人材 and a secondee), staffed otherwise by
concurrent posts from four 課.  The same town is written as a 兼務先 cell per person
(``cells_table``) and as repeated rows marked 本務/兼務 (``rows_table``); both must import to
the same ``Person.concurrent``.
"""

from __future__ import annotations

import csv
import hashlib
import io

HIERARCHY = ["部", "課", "係"]
HEADER = ["職員番号", "メールアドレス", "部", "課", "係", "役職", "雇用区分"]
OFFICE = ("総務部", "デジタル変革戦略室")
OUTSIDE = ("Fukugyo.Expert@partner.example.com", "secondee@pref.example.lg.jp")


def _section(prefix: str, path: tuple[str, ...], numbers: range
             ) -> list[tuple[str, tuple[str, ...], str]]:
    """A 係: its 係長 (the first number) and staff."""
    return [(f"{prefix}0{i}", path, "係長" if i == numbers[0] else "一般") for i in numbers]


#: (employee id, unit path, role) of the town's own staff.
STAFF = [
    ("S01", ("総務部", "総務課"), "課長"),
    *_section("S", ("総務部", "総務課", "庶務係"), range(2, 5)),
    *_section("S", ("総務部", "総務課", "人事係"), range(5, 7)),
    ("K01", ("総務部", "企画課"), "課長"),
    *_section("K", ("総務部", "企画課", "企画係"), range(2, 6)),
    ("Z01", ("町民部", "税務課"), "課長"),
    *_section("Z", ("町民部", "税務課", "課税係"), range(2, 6)),
    *_section("Z", ("町民部", "税務課", "収納係"), range(6, 8)),
    ("J01", ("町民部", "住民課"), "課長"),
    *_section("J", ("町民部", "住民課", "住民係"), range(2, 7)),
]

#: What HR wrote for each person with a 兼務 (names as in the unit columns).  K03's 企画係 and
#: S01's 総務課 are their own main units, and J02's office is written twice: all three vanish.
WRITTEN = {
    "S03": ["デジタル変革戦略室"],
    "K01": ["デジタル変革戦略室"],
    "K03": ["デジタル変革戦略室", "企画係"],
    "Z04": ["デジタル変革戦略室", "人事係"],
    "J02": ["デジタル変革戦略室", "デジタル変革戦略室"],
    "S01": ["総務課"],
    OUTSIDE[1]: ["企画課"],
}


def generated(email: str) -> str:
    """The id the importer must make for someone without an employee number."""
    return "X-" + hashlib.sha256(email.casefold().encode()).hexdigest()[:12]


#: employee_id → Person.concurrent after import.
EXPECTED = {
    "S03": [list(OFFICE)],
    "K01": [list(OFFICE)],
    "K03": [list(OFFICE)],
    "Z04": [list(OFFICE), ["総務部", "総務課", "人事係"]],
    "J02": [list(OFFICE)],
    generated(OUTSIDE[1]): [["総務部", "企画課"]],
}
PATHS = {"デジタル変革戦略室": OFFICE, "企画係": ("総務部", "企画課", "企画係"),
         "人事係": ("総務部", "総務課", "人事係"), "総務課": ("総務部", "総務課"),
         "企画課": ("総務部", "企画課")}


def _people() -> list[tuple[str, str, tuple[str, ...], str, str]]:
    """(employee id, e-mail, unit path, role, employment type) of every main post."""
    staff = [(eid, f"{eid.lower()}@town.example.lg.jp", path, role, "正規")
             for eid, path, role in STAFF]
    outside = [("", OUTSIDE[0], OFFICE, "専門官", "複業人材"),
               ("", OUTSIDE[1], OFFICE, "室員", "出向")]
    return staff + outside


def _units(path: tuple[str, ...]) -> list[str]:
    return [*path, *[""] * (len(HIERARCHY) - len(path))]


def cells_table(separator: str = "、") -> list[list[str]]:
    """Shape (a): one row per person, 兼務先 naming the concurrent units."""
    rows = [[*HEADER, "兼務先"]]
    for eid, email, path, role, employment in _people():
        posts = separator.join(WRITTEN.get(eid or email, []))
        rows.append([eid, email, *_units(path), role, employment, posts])
    return rows


def rows_table() -> list[list[str]]:
    """Shape (b): a 本務 row per person, then a 兼務 row per post (e-mail left blank where the
    employee id says who it is).  J02's posts come before J02's main row, as in a sorted export."""
    rows = [[*HEADER, "本務兼務"]]
    posts: list[list[str]] = []
    for eid, email, path, role, employment in _people():
        rows.append([eid, email, *_units(path), role, employment, "本務"])
        for name in WRITTEN.get(eid or email, []):
            posts.append([eid, "" if eid else email, *_units(PATHS[name]), "兼務", "", "兼務"])
    early = [post for post in posts if post[0] == "J02"]
    late = [post for post in posts if post[0] != "J02"]
    return [rows[0], *early, *rows[1:], *late]


def csv_bytes(table: list[list[str]], encoding: str = "utf-8") -> bytes:
    """The table as Excel writes CSV (CRLF), in ``encoding``."""
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\r\n").writerows(table)
    return buffer.getvalue().encode(encoding)
