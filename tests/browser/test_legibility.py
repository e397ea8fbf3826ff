"""Every page reads well on a phone and a desktop, in Japanese and English, and to axe-core.

One walk per (width, language) visits every page type — public pages, sign-in, the staff
form with its thank-you and refused-link pages, the reports (home, quarter, the quarter as
printed for the PDF, a closed and an open round, actions), the HR exports, the roster and the
admin pages — and records on each:

* axe-core's findings of impact "serious" or "critical" (colour contrast, names, regions …);
* any table or chart that reaches outside its card, a page that scrolls sideways, and table
  cells squeezed narrower than three characters;
* the size of every chart's text as rendered (font size × the SVG's scale on screen).

The tests below fail on any of them.  Full-page screenshots of the main pages are saved in
``test-artifacts/`` (git-ignored) to look at.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import select

from survey.db import db
from tests.browser.conftest import ARTIFACTS, axe_violations

QUARTER = "FY2026Q3"
WIDTHS = {"phone": (390, 844), "desktop": (1280, 900)}
MIN_CHART_TEXT_PX = 11
A4_PX = 794  # 210 mm at 96 px per inch
SHOTS = ("report", "report-print", "staff-form", "wave-open", "hr-exports", "edit-item")

OVERFLOW_JS = """() => {
  const out = [];
  const shown = el => { const r = el.getBoundingClientRect(); return r.width > 0 && r.height > 0; };
  for (const el of document.querySelectorAll('main table, main svg.chart-svg')) {
    if (!shown(el)) continue;
    const card = el.closest('.card') || document.querySelector('main');
    const wrap = el.parentElement.closest('.table-wrap');
    const box = (wrap || el).getBoundingClientRect(), c = card.getBoundingClientRect();
    const owner = el.closest('[id]');
    const name = el.tagName.toLowerCase() + (owner ? ' in #' + owner.id : '');
    if (box.left < c.left - 1 || box.right > c.right + 1)
      out.push(`${name} reaches ${Math.round(box.right - c.right)}px outside its card`);
  }
  for (const cell of document.querySelectorAll('main :is(th, td)')) {
    if (cell.closest("thead, tbody").getBoundingClientRect().width <= 2) continue;  // hidden
    const r = cell.getBoundingClientRect(), size = parseFloat(getComputedStyle(cell).fontSize);
    if (r.width > 0 && cell.textContent.trim().length > 3 && r.width < 2.5 * size)
      out.push(`"${cell.textContent.trim().slice(0, 20)}" squeezed to ${Math.round(r.width)}px`);
  }
  const extra = document.documentElement.scrollWidth - window.innerWidth;
  if (extra > 1) out.push(`page scrolls sideways by ${extra}px`);
  return out;
}"""

CHART_TEXT_JS = """() => [...document.querySelectorAll('svg.chart-svg')]
  .filter(svg => svg.getBoundingClientRect().width > 0)
  .map(svg => [svg.closest('figure').id, svg.querySelectorAll('text').length,
               Math.min(...[...svg.querySelectorAll('text')].filter(t => t.textContent.trim())
                 .map(t => parseFloat(getComputedStyle(t).fontSize) * svg.getScreenCTM().a))])"""


@pytest.fixture(scope="module")
def site(live_server: Any) -> Any:
    """History (three closed quarterly rounds), a round open today, and an account per role."""
    live_server.seed_history(staff=60, waves=3)
    live_server.links = live_server.open_wave("2026年12月 全職員パルス（第2回・試行）", staff=30)
    for role in ("leadership", "hr", "admin"):
        live_server.create_user(role)
    from survey.models import Item, Wave

    with live_server.app.app_context():
        waves = db.session.scalars(select(Wave).order_by(Wave.id)).all()
        live_server.closed_wave = next(w.id for w in waves if w.closed)
        live_server.open_wave_id = next(w.id for w in waves if not w.closed)
        live_server.item_id = db.session.scalars(select(Item.id).order_by(Item.id)).first()
    return live_server


def _pages(site: Any) -> dict[str, list[tuple[str, str]]]:
    """Page name and path per role (``None``: signed out)."""
    return {
        "": [("home", "/"), ("transparency", "/transparency"), ("login", "/login"),
             ("not-found", "/no-such-page")],
        "leadership": [
            ("reports-home", "/reports/"), ("report", f"/reports/{QUARTER}"),
            ("report-print", f"/reports/{QUARTER}"),
            ("wave-closed", f"/reports/waves/{site.closed_wave}"),
            ("wave-open", f"/reports/waves/{site.open_wave_id}"),
            ("plans", "/plans/")],
        "hr": [("hr-exports", "/hr/"), ("roster", "/roster")],
        "admin": [("admin-waves", "/admin/"), ("settings", "/admin/settings"),
                  ("audit", "/admin/audit"), ("principles", "/admin/principles/"),
                  ("edit-item", f"/admin/principles/items/{site.item_id}")],
    }


def _with_lang(path: str, lang: str) -> str:
    return f"{path}{'&' if '?' in path else '?'}lang={lang}"


class Walk:
    """What one walk found, per page: axe findings, overflow, chart text sizes."""

    def __init__(self) -> None:
        self.axe: dict[str, list[str]] = {}
        self.overflow: dict[str, list[str]] = {}
        self.charts: dict[str, list[tuple[str, int, float]]] = {}

    def check(self, page: Any, name: str, axe: str, shot: Callable[[Any, str], Any],
              tag: str) -> None:
        page.wait_for_load_state()
        page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
        page.wait_for_timeout(50)  # the scroll-region script answers the toggle events
        self.axe[name] = axe_violations(page, axe)
        self.overflow[name] = page.evaluate(OVERFLOW_JS)
        self.charts[name] = page.evaluate(CHART_TEXT_JS)
        if name in SHOTS:
            shot(page, f"legibility-{name}-{tag}")


def _walk(site: Any, page_factory: Callable[..., Any], shot: Callable[[Any, str], Any],
          axe: str, size: tuple[int, int], lang: str, tag: str, link: str) -> Walk:
    walk = Walk()
    for role, pages in _pages(site).items():
        page = page_factory(*size, locale="ja-JP" if lang == "ja" else "en-GB")
        if role:
            site.sign_in(page, role)
        for name, path in pages:
            printed = name == "report-print"  # the PDF's layout: print styles on A4's width
            page.emulate_media(media="print" if printed else "screen")
            page.set_viewport_size({"width": A4_PX, "height": size[1]} if printed
                                   else {"width": size[0], "height": size[1]})
            page.goto(f"{site.url}{_with_lang(path, lang)}")
            walk.check(page, name, axe, shot, tag)
    _walk_staff(page_factory(*size), walk, f"{link}?lang={lang}", axe, shot, tag)
    return walk


def _walk_staff(page: Any, walk: Walk, link: str, axe: str,
                shot: Callable[[Any, str], Any], tag: str) -> None:
    """The staff form, the thank-you page after answering, and the link refused afterwards."""
    page.goto(link)
    walk.check(page, "staff-form", axe, shot, tag)
    for fieldset in page.locator("fieldset.question").all():
        fieldset.locator("label").nth(2).click()
    page.locator("button[type=submit].primary").click()
    walk.check(page, "staff-thanks", axe, shot, tag)
    page.goto(link)
    walk.check(page, "staff-link-used", axe, shot, tag)


@pytest.fixture(scope="module")
def walks(site: Any, browser: Any, axe_source: str) -> Iterator[Callable[[str, str], Walk]]:
    """``walks(width_name, lang)``: the walk for that combination, made once per module."""
    done: dict[tuple[str, str], Walk] = {}
    contexts: list[Any] = []
    links = iter(site.links)

    def factory(width: int, height: int, locale: str = "ja-JP") -> Any:
        context = browser.new_context(viewport={"width": width, "height": height},
                                      locale=locale, is_mobile=width < 600,
                                      has_touch=width < 600)
        context.set_default_timeout(30_000)  # two engineers' suites may share the cores
        contexts.append(context)
        return context.new_page()

    def shot(page: Any, name: str) -> None:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)

    def get(width_name: str, lang: str) -> Walk:
        if (width_name, lang) not in done:
            done[width_name, lang] = _walk(site, factory, shot, axe_source,
                                           WIDTHS[width_name], lang, f"{width_name}-{lang}",
                                           next(links))
        return done[width_name, lang]

    yield get
    for context in contexts:
        context.close()


COMBINATIONS = [(w, lang) for w in WIDTHS for lang in ("ja", "en")]


@pytest.mark.parametrize("width, lang", COMBINATIONS)
def test_no_serious_or_critical_axe_finding_on_any_page(walks: Any, width: str,
                                                        lang: str) -> None:
    found = {page: v for page, v in walks(width, lang).axe.items() if v}
    assert not found, "\n".join(f"{page}: {'; '.join(v)}" for page, v in found.items())


@pytest.mark.parametrize("width, lang", COMBINATIONS)
def test_no_table_or_chart_overflows_its_card(walks: Any, width: str, lang: str) -> None:
    found = {page: v for page, v in walks(width, lang).overflow.items() if v}
    assert not found, "\n".join(f"{page}: {'; '.join(v)}" for page, v in found.items())


@pytest.mark.parametrize("width, lang", COMBINATIONS)
def test_chart_text_is_text_and_at_least_11px_as_rendered(walks: Any, width: str,
                                                           lang: str) -> None:
    charts = walks(width, lang).charts
    assert len(charts["report"]) >= 6, charts["report"]  # participation, trends, distribution
    small = [(page, chart, round(px, 1)) for page, found in charts.items()
             for chart, count, px in found if count == 0 or px < MIN_CHART_TEXT_PX]
    assert not small, f"chart text below {MIN_CHART_TEXT_PX}px (or drawn as outlines): {small}"


def test_the_0_to_10_scale_is_one_row_on_a_phone_with_its_ends_spoken(
        site: Any, page_factory: Callable[..., Any]) -> None:
    page = page_factory(*WIDTHS["phone"])
    page.goto(site.links[-1])
    boxes = page.locator(".scale.nps label").evaluate_all(
        "labels => labels.map(l => Math.round(l.getBoundingClientRect().top))")
    assert len(boxes) == 11 and len(set(boxes)) == 1, f"0–10 wraps into rows at {boxes}"
    names = page.get_by_role("radio").evaluate_all(
        "radios => radios.map(r => r.labels[0].textContent.replace(/\\s+/g, ' ').trim())")
    assert any(re.fullmatch(r"0\W+\S.+", n) for n in names), names  # "0 = …" read aloud
    assert any(re.fullmatch(r"10\W+\S.+", n) for n in names), names


def test_likert_labels_break_only_between_words_on_a_phone(
        site: Any, page_factory: Callable[..., Any]) -> None:
    page = page_factory(*WIDTHS["phone"])
    page.goto(site.links[-1])
    lines = page.locator(".scale:not(.nps) label span").evaluate_all("""spans => spans.map(s => {
        const range = document.createRange(), rows = new Map();
        for (let i = 0; i < s.textContent.length; i++) {
          range.setStart(s.firstChild, i); range.setEnd(s.firstChild, i + 1);
          const top = Math.round(range.getBoundingClientRect().top);
          rows.set(top, (rows.get(top) || '') + s.textContent[i]);
        }
        return [...rows.values()];
      })""")
    words = {"まったく", "なかった", "あまり", "ときどき", "あった", "よく", "いつも", "そう",
             "思わない", "思う", "どちらとも", "いえない", "やや"}
    word_run = re.compile("(?:" + "|".join(words) + ")+")
    broken = [parts for parts in lines if len(parts) > 1 and not all(
        word_run.fullmatch(p.replace("\u200b", "").strip()) for p in parts)]
    assert not broken, f"labels broken inside a word: {broken}"
