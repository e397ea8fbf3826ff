"""Page shells: rendered once, filled per request with escaped values."""

from __future__ import annotations

from survey.answering.pages import Shell, marker


def test_fill_puts_each_value_where_its_marker_was() -> None:
    html = f"<a href='/s/{marker('token')}?lang=en'>x</a><input value='{marker('key')}'>" \
           f"<p>{marker('token')}</p>"
    shell = Shell(html, ("token", "key"))
    assert shell.fill({"token": "abc", "key": "k1"}) == \
        "<a href='/s/abc?lang=en'>x</a><input value='k1'><p>abc</p>"
    assert shell.fill({"token": "xyz", "key": "k2"}).count("xyz") == 2


def test_values_are_escaped_and_never_read_as_markers() -> None:
    shell = Shell(f"<p>{marker('a')}|{marker('b')}</p>", ("a", "b"))
    filled = shell.fill({"a": "<script>&\"", "b": marker("a")})
    assert filled == f"<p>&lt;script&gt;&amp;&#34;|{marker('a')}</p>"


def test_a_page_without_markers_is_served_as_rendered() -> None:
    assert Shell("<p>ありがとう</p>", ()).fill({}) == "<p>ありがとう</p>"
