"""Invitation links follow the configured base URL; the admin page warns when it looks wrong."""

from __future__ import annotations

import subprocess

import pytest

from survey.admin.links import check_links
from tests.conftest import PASSWORD, ROOT


@pytest.mark.parametrize(("base", "opened_at", "problem"), [
    ("http://127.0.0.1:5311", "http://127.0.0.1:5311/", None),
    ("https://survey.town.example", "https://survey.town.example/", None),
    ("https://survey.town.example/", "https://survey.town.example:443/", None),
    ("http://127.0.0.1:5000", "http://127.0.0.1:5311/", "elsewhere"),
    ("http://127.0.0.1:5000", "http://192.168.1.20:5000/", "loopback"),
    ("http://localhost:5000", "https://survey.town.example/", "loopback"),
    ("survey.town.example", "https://survey.town.example/", "invalid"),
    ("http://survey.town.example:99999", "https://survey.town.example/", "invalid"),
])
def test_check_links(base: str, opened_at: str, problem: str | None) -> None:
    assert check_links(base, opened_at).problem == problem


def test_the_example_link_has_the_shape_of_a_real_one() -> None:
    example = check_links("https://survey.town.example/", "https://survey.town.example/").example
    assert example.startswith("https://survey.town.example/s/")
    assert len(example.rsplit("/", 1)[1]) == 43


def _admin_page(make_app, make_user, base: str, opened_at: str) -> str:
    client = make_app(PUBLIC_BASE_URL=base).test_client()
    email = make_user("admin").email
    client.post("/login", data={"email": email, "password": PASSWORD}, base_url=opened_at)
    return client.get("/admin/?lang=en", base_url=opened_at).get_data(as_text=True)


def test_the_admin_page_warns_when_links_point_to_another_port(make_app, make_user) -> None:
    page = _admin_page(make_app, make_user, "http://127.0.0.1:5000", "http://127.0.0.1:5311")
    assert "Invitation links point to http://127.0.0.1:5000, but this page was opened at " \
           "http://127.0.0.1:5311/" in page
    assert "http://127.0.0.1:5000/s/" in page


def test_the_admin_page_shows_an_example_and_no_warning_when_they_match(
    make_app, make_user
) -> None:
    page = _admin_page(make_app, make_user, "http://127.0.0.1:5311", "http://127.0.0.1:5311")
    assert 'role="alert"' not in page
    assert '<code class="link-example">http://127.0.0.1:5311/s/' in page


def test_make_run_gives_links_its_own_host_and_port() -> None:
    plan = subprocess.run(["make", "-n", "run", "PORT=5311"], cwd=ROOT, capture_output=True,
                          text=True, env={"PATH": "/usr/bin:/bin"}, check=True).stdout
    assert "NARANU_PUBLIC_BASE_URL=${NARANU_PUBLIC_BASE_URL:-http://127.0.0.1:5311}" in plan
    assert "--port 5311" in plan
