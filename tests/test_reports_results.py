"""Staff results pages: read with the link's key, no sign-in; the organisation's and each
reported unit's, a folded unit within its enclosing unit, a unit not reported without any
figure; the thank-you page, the invitation and ``results links`` carry the links."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from survey.db import db
from survey.results_links import LATEST, results_key, results_path
from tests.conftest import TOKEN_KEY

QUARTER = "FY2026Q3"


@pytest.fixture()
def town(app: Flask) -> Flask:
    from survey.demo import DemoSpec, seed_demo

    with app.app_context():
        seed_demo(db.session, DemoSpec(staff=160, waves=4, seed=3), TOKEN_KEY)
        db.session.commit()
    return app


def _links(town: Flask) -> dict[str, str]:
    result = town.test_cli_runner().invoke(args=["results", "links", QUARTER])
    assert result.exit_code == 0, result.output
    return dict(line.split("\t") for line in result.output.splitlines())


def test_the_organisation_s_page_in_both_languages(town: Flask, client: FlaskClient) -> None:
    path = results_path(TOKEN_KEY, QUARTER)
    english = client.get(path + "&lang=en").get_data(as_text=True)
    assert "What we heard, what we are doing" in english
    assert re.search(r"\d+ of \d+ people answered \(\d+%\)", english)
    assert "失敗共有会（ヒヤリハット共有）を開始" in english  # the town's plan and its status
    assert "Done" in english
    japanese = client.get(path + "&lang=ja").get_data(as_text=True)
    assert "聞いたこと、取り組んでいること" in japanese and "人が回答しました" in japanese


def test_a_wrong_or_missing_key_finds_nothing(town: Flask, client: FlaskClient) -> None:
    assert client.get(f"/results/{QUARTER}").status_code == 404
    assert client.get(f"/results/{QUARTER}?key=x").status_code == 404
    other = results_key(TOKEN_KEY, QUARTER, ("総務課",))
    assert client.get(f"/results/{QUARTER}?key={other}").status_code == 404  # not the org's
    assert client.get("/results/FY2099Q1?key=" + results_key(TOKEN_KEY, "FY2099Q1")
                      ).status_code == 404  # nothing published


def test_the_links_command_prints_a_working_link_per_reported_unit(
        town: Flask, client: FlaskClient) -> None:
    links = _links(town)
    assert "*" in links and "latest" in links and len(links) > 3
    for unit, url in links.items():
        path = url.removeprefix("http://survey.example")
        response = client.get(path, follow_redirects=True)
        assert response.status_code == 200, unit
        page = response.get_data(as_text=True)
        counts = [int(n) for n in re.findall(r"(\d+) (?:of|人中)", page)]
        assert unit in ("*", "latest") or all(n >= 5 for n in counts), (unit, counts)


def test_a_folded_unit_answers_with_its_enclosing_unit_and_a_small_one_with_no_figure(
        town: Flask, client: FlaskClient) -> None:
    from survey.demo import UNITS

    links = _links(town)
    teams = [(d, t) for d, ts in UNITS.items() for t in ts if f"{d}/{t}" not in links]
    assert teams, "some 係 must be folded into its 課"
    department, team = teams[0]
    page = client.get(results_path(TOKEN_KEY, QUARTER, (department, team)) + "&lang=en"
                      ).get_data(as_text=True)
    assert (f"Your {team} is reported within {department}" in page
            or "not reported on its own" in page)
    nowhere = client.get(results_path(TOKEN_KEY, QUARTER, ("どこにもない課",)) + "&lang=en")
    text = nowhere.get_data(as_text=True)
    assert nowhere.status_code == 200 and "not reported on its own" in text
    assert "%" not in re.sub(r"<[^>]+>", "", text.split("<h1>", 1)[1])


def test_the_thank_you_page_links_to_the_latest_results(town: Flask, client: FlaskClient
                                                        ) -> None:
    from survey.answering.pages import thanks

    with town.test_request_context("/?lang=en"):
        html = thanks()
    link = re.search(r'href="(/results/latest\?key=[^"]+)"', html)
    assert link and link.group(1).endswith(results_key(TOKEN_KEY, LATEST))
    page = client.get(link.group(1), follow_redirects=True)
    assert page.status_code == 200
    assert "聞いたこと、取り組んでいること" in page.get_data(as_text=True)


def test_the_invitation_carries_the_latest_results_link() -> None:
    import datetime as dt

    from survey.mail.compose import WaveLetter, compose

    letter = WaveLetter("p", "2026-10", "パルス", "Pulse", dt.date(2026, 10, 14))
    body = compose("a@b.jp", letter, "c@d.jp", "http://x/s/T",
                   results="http://x/results/latest?key=K").get_content()
    assert body.count("http://x/results/latest?key=K") == 2
    assert "results" not in compose("a@b.jp", letter, "c@d.jp", "http://x/s/T").get_content()
