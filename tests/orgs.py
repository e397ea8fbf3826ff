"""Organisations shaped like real personnel files, for hypothesis (DESIGN.md: test with data
shaped like reality).

A roster has a unit tree of depth 1–3 (部 → 課 → 係), one head per unit who belongs to the unit
itself and to no finer one (部長, 課長), 係 of mostly 2–4 people led by a 係長, and 1–4 secondary
columns (tenure band, age band, employment type, role).  Units of 8–12 and 1-person 部 levels
are common, as are 係 smaller than k: exactly what uniform random rosters never produce.
"""

from __future__ import annotations

from hypothesis import strategies as st

LEVELS = {1: ("課",), 2: ("課", "係"), 3: ("部", "課", "係")}
TENURE = ("0-4年", "5-14年", "15年以上")
AGE = ("20代", "30代", "40代", "50代以上")
EMPLOYMENT = ("正規", "会計年度任用", "再任用")


@st.composite
def section(draw: st.DrawFn, path: tuple[str, ...]) -> list[dict[str, str]]:
    """A 係: a 係長 and 1–6 staff (2–4 people in most draws)."""
    size = draw(st.sampled_from((2, 2, 3, 3, 4, 4, 5, 7)))
    return [{"role": "係長" if i == 0 else "一般", "_path": "/".join(path)} for i in range(size)]


@st.composite
def unit(draw: st.DrawFn, path: tuple[str, ...], depth: int, levels: int) -> list[dict[str, str]]:
    """A unit at ``depth`` (1-based) with its head and its sub-units or staff."""
    head = "部長" if levels == 3 and depth == 1 else "課長"
    people = [{"role": head, "_path": "/".join(path)}]
    if depth == levels:
        staff = draw(st.integers(1, 24))
        people += [{"role": "一般", "_path": "/".join(path)} for _ in range(staff)]
        return people
    people += [{"role": "一般", "_path": "/".join(path)} for _ in range(draw(st.integers(0, 6)))]
    for number in range(draw(st.integers(1 if depth < levels - 1 else 0, 5))):
        child = (*path, f"{path[-1]}-{number + 1}")
        people += draw(unit(child, depth + 1, levels) if depth + 1 < levels
                       else section(child))
    return people


@st.composite
def town_halls(draw: st.DrawFn, min_staff: int = 30, max_staff: int = 3000
               ) -> tuple[list[dict[str, str]], list[str], list[str]]:
    """(people's attributes, hierarchy broad to fine, secondary columns)."""
    depth = draw(st.integers(1, 3))
    hierarchy = list(LEVELS[depth])
    tops = draw(st.integers(1, 12))
    people: list[dict[str, str]] = []
    for number in range(tops):
        people += draw(unit((f"U{number + 1}",), 1, depth))
        if len(people) >= max_staff:
            break
    people = people[:max_staff]
    while len(people) < min_staff:
        people += [{"role": "一般", "_path": "U0"}] * (min_staff - len(people))
    secondary = draw(st.lists(st.sampled_from(["role", "tenure_band", "age_band",
                                               "employment"]),
                              min_size=1, max_size=4, unique=True))
    rows = []
    for index, person in enumerate(people):
        path = person["_path"].split("/")
        row = dict(zip(hierarchy, path, strict=False))
        row["role"] = person["role"]
        row["tenure_band"] = TENURE[draw(st.integers(0, 2)) if index % 7 == 0 else index % 3]
        row["age_band"] = AGE[index % 4]
        row["employment"] = EMPLOYMENT[0 if index % 6 else 1 + index % 2]
        rows.append(row)
    return rows, hierarchy, secondary
