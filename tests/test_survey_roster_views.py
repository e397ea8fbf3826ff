"""The roster page: who may use it, uploads that succeed, and refusals in the user's language."""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from survey.db import db
from survey.models import AuditEvent, Person, Setting
from tests import town
from tests.conftest import PASSWORD, xlsx_bytes

GOOD = ("employee_id,email,department\n"
        + "".join(f"E{i},p{i}@town.example.jp,{'税務課' if i < 6 else '議会事務局'}\n"
                  for i in range(8)))
BAD_EMAIL = "employee_id,email,department\nE1,a@x.jp,税務課\nE2,not-an-address,税務課\n"


def upload(client: FlaskClient, content: bytes, filename: str = "roster.csv",
           query: str = "", **fields: str) -> Any:
    data: dict[str, Any] = {"file": (io.BytesIO(content), filename), **fields}
    return client.post(f"/roster{query}", data=data, content_type="multipart/form-data")


def people(app: Flask) -> list[tuple[str, str, bool]]:
    with app.app_context():
        return sorted((p.employee_id, p.email, p.active)
                      for p in db.session.scalars(select(Person)))



@pytest.mark.parametrize("role", ["admin", "hr"])
def test_admin_and_hr_see_size_and_groups_but_no_people(
    role: str, login: Callable[[str], FlaskClient], make_roster: Callable[..., int],
) -> None:
    make_roster(count=30)
    client = login(role)
    response = client.get("/roster?lang=en")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "30 people are on the roster" in page
    # The label people read, then the column name the roster file uses.
    assert re.search(r'<th scope="row">Department <span class="hint">\(department\)</span>'
                     r"</th><td>3</td>", page)
    assert re.search(r'<th scope="row">Years of service <span class="hint">\(tenure_band\)'
                     r"</span></th><td>3</td>", page)
    assert "部署" in client.get("/roster?lang=ja").get_data(as_text=True)
    assert "E0001" not in page and "staff0001@" not in page and "税務課" not in page


@pytest.mark.parametrize("role", ["admin", "hr"])
def test_upload_imports_flashes_a_summary_and_records_who(
    role: str, app: Flask, login: Callable[[str], FlaskClient],
) -> None:
    client = login(role)
    response = upload(client, GOOD.encode("cp932"))
    assert response.status_code == 302 and response.headers["Location"].endswith("/roster")
    page = client.get("/roster").get_data(as_text=True)
    assert ("名簿を取り込みました: 追加 8 人、更新 0 人、無効化 0 人。"
            "現在の在籍者は 8 人です。") in page
    assert "department「議会事務局」は 2 人です。" in page
    assert len(people(app)) == 8
    with app.app_context():
        events = db.session.scalars(select(AuditEvent)).all()
        assert [(e.action, e.actor_role, e.detail) for e in events
                if e.action == "roster_imported"] == [("roster_imported", role, {"active": 8})]


def test_flash_in_english(login: Callable[[str], FlaskClient]) -> None:
    client = login("admin")
    client.get("/roster?lang=en")
    upload(client, GOOD.encode())
    page = client.get("/roster").get_data(as_text=True)
    assert ("Roster imported: 8 added, 0 updated, 0 deactivated; 8 people are active."
            in page)


def test_town_upload_says_which_ids_were_made_and_who_holds_posts(
    login: Callable[[str], FlaskClient],
) -> None:
    client = login("hr")
    data = town.csv_bytes(town.cells_table(), "cp932")
    assert upload(client, data, hierarchy="部,課,係").status_code == 302
    page = client.get("/roster").get_data(as_text=True)
    assert "職員番号のない人が 2 人います（外部人材など）。" in page
    assert page.count("兼務のある人は 6 人です。") == 2  # the flash, and the roster's size
    english = client.get("/roster?lang=en").get_data(as_text=True)
    assert "26 people are on the roster (0 former staff kept for past rounds). 6 people hold a " \
           "concurrent post (兼務)." in english
    assert town.generated(town.OUTSIDE[0]) not in page  # ids, like people, are not listed


def test_xlsx_upload_with_hierarchy_reimports(
    app: Flask, login: Callable[[str], FlaskClient], make_roster: Callable[..., int],
) -> None:
    make_roster(count=12)
    rows: list[list[Any]] = [["職員番号", "メールアドレス", "部", "課"]]
    rows += [[f"E{i:04d}", f"staff{i:04d}@town.example.jp", "総務部", "総務課"] for i in range(9)]
    response = upload(login("hr"), xlsx_bytes(rows), "名簿.xlsx", hierarchy="部、課")
    assert response.status_code == 302
    assert sum(active for _id, _email, active in people(app)) == 9
    with app.app_context():
        assert db.session.get(Setting, "group_hierarchy").value == ["部", "課"]


def test_error_is_shown_in_japanese_with_status_400_and_nothing_written(
    app: Flask, login: Callable[[str], FlaskClient], make_roster: Callable[..., int],
) -> None:
    make_roster(count=10)
    before = people(app)
    response = upload(login("admin"), BAD_EMAIL.encode())
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "名簿は取り込まれませんでした。何も変更されていません。" in page
    assert "3 行目、列「email」: メールアドレスの形式が正しくありません" in page
    assert people(app) == before


def test_error_is_shown_in_english_on_request(
    app: Flask, login: Callable[[str], FlaskClient],
) -> None:
    response = upload(login("hr"), BAD_EMAIL.encode(), query="?lang=en")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "The roster was not imported; nothing was changed." in page
    assert "row 3, column email: not a valid e-mail address" in page
    assert people(app) == []


@pytest.mark.parametrize(("filename", "content", "fields", "phrase"), [
    ("r.csv", "employee_id,email,課\nE1,a@x.jp,総務部\n".encode("euc_jp"), {},
     "文字コードが UTF-8 でも Shift_JIS（CP932）でもありません"),
    ("r.csv", b"employee_id,email,x\nE1,a@x.jp,=1+1\n", {}, "数式として実行されるおそれ"),
    ("r.xlsx", GOOD.encode(), {}, "Excel ブックではありません"),
    ("r.pdf", b"%PDF-1.4", {}, "取り込めるのは .csv と .xlsx のファイルだけです"),
    ("r.csv", b"employee_id,email\n", {}, "ファイルに職員が 1 人もいません"),
    ("r.csv", b"employee_id,email,A,B\nE1,a@x.jp,a1,b\nE2,b@x.jp,a2,b\n", {"hierarchy": "A,B"},
     "3 行目、列「B」: 「b」はこの行では A「a2」に属していますが、2 行目では「a1」に属しています"),
])
def test_broken_uploads_are_refused_and_change_nothing(
    filename: str, content: bytes, fields: dict[str, str], phrase: str, app: Flask,
    login: Callable[[str], FlaskClient], make_roster: Callable[..., int],
) -> None:
    make_roster(count=10)
    before = people(app)
    response = upload(login("admin"), content, filename, **fields)
    assert response.status_code == 400
    assert phrase in response.get_data(as_text=True)
    assert people(app) == before


def test_fifty_megabytes_are_refused_by_size(
    app: Flask, login: Callable[[str], FlaskClient], make_roster: Callable[..., int],
) -> None:
    make_roster(count=10)
    before = people(app)
    content = b"employee_id,email\n" + b"x" * (50 * 1024 * 1024)
    response = upload(login("admin"), content)
    assert response.status_code == 413  # refused by the body limit, before parsing
    page = response.get_data(as_text=True)
    assert "ファイルが 20 MB を超えているため、読み込みませんでした" in page
    assert people(app) == before


def test_missing_file_is_a_form_error(login: Callable[[str], FlaskClient]) -> None:
    response = login("admin").post("/roster", data={}, content_type="multipart/form-data")
    assert response.status_code == 400
    assert ".csv または .xlsx のファイルを選んでください。" in response.get_data(as_text=True)


def test_leadership_is_forbidden(app: Flask, login: Callable[[str], FlaskClient]) -> None:
    client = login("leadership")
    assert client.get("/roster").status_code == 403
    assert upload(client, GOOD.encode()).status_code == 403
    assert people(app) == []


def test_anonymous_is_sent_to_login(app: Flask, client: FlaskClient) -> None:
    response = client.get("/roster")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert upload(client, GOOD.encode()).status_code == 302
    assert people(app) == []


def test_upload_without_csrf_token_is_rejected(
    make_app: Callable[..., Flask], make_user: Callable[..., Any],
) -> None:
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        from survey.auth.services import create_user

        create_user(db.session, "admin@example.jp", "admin", PASSWORD)
        db.session.commit()
    client = app.test_client()
    login_page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login_page)
    assert token, login_page[:2000]
    signed_in = client.post("/login", data={"email": "admin@example.jp", "password": PASSWORD,
                                            "csrf_token": token.group(1)})
    assert signed_in.status_code == 302
    assert client.get("/roster").status_code == 200
    assert upload(client, GOOD.encode()).status_code == 400
    assert people(app) == []


def test_many_small_groups_never_swell_the_session_cookie(
    app: Flask, login: Callable[[str], FlaskClient],
) -> None:
    """Fifty attributes, each with six people in small groups of long names: 300 warnings."""
    names = [f"attribute{i:02d}" for i in range(50)]

    def value(name: str, n: int) -> str:
        # hex digits: the session cookie is compressed, so the values must not repeat
        return "common" if n < 6 else f"{name}-{n}-" + hashlib.sha256(name.encode()).hexdigest()

    lines = ["employee_id,email," + ",".join(names)]
    lines += [f"E{n},p{n}@town.example.jp," + ",".join(value(name, n) for name in names)
              for n in range(12)]
    client = login("admin")
    response = upload(client, ("\n".join(lines) + "\n").encode())
    assert response.status_code == 302
    cookie = response.headers.get("Set-Cookie", "")
    assert len(cookie.encode()) < app.config["MAX_COOKIE_SIZE"]
    page = client.get("/roster").get_data(as_text=True)
    assert "名簿を取り込みました: 追加 12 人" in page
    assert "attribute49-11-" in page  # the warnings are on the page, not in the cookie
