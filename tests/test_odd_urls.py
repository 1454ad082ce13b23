"""Odd URLs never make a 500: every route in the app, signed in as an administrator and as an
SIA, is asked for with ids that overflow the database's integers, with page numbers, years and
dates that overflow Python's or the database's, and with forms filled with such values. The
answer may be 400, 404, 422 or a page: never a server error. (PostgreSQL is where an overflowing
integer shows: there it is a DataError, on SQLite an OverflowError.)"""
from __future__ import annotations

import re
from typing import Any, Iterator
from urllib.parse import quote, urlencode

import pytest

from tests.test_access import ACCESS, _token, seeded_world, world  # noqa: F401 (fixtures)

HUGE = "9" * 30
ODD_INTS = [HUGE, str(2**63), str(2**31), "0", "-1"]
ODD_STRINGS = ["\u00e9t\u00e9-\u4e2d\u6587", HUGE, "99999-100000", "99999-12-31", "0000-0001"]
# Every query argument a page reads, with values that overflow (and the same name twice, as a
# crafted link may have it).
ODD_QUERIES = [
    [("page", "9" * 21), ("page", "-1"), ("year", "99999/100000"), ("from", "99999-12-31"), ("to", "9999-12-31"),
     ("adviser", HUGE), ("urn", HUGE), ("a", HUGE), ("b", str(2**63)), ("review", HUGE), ("q", HUGE),
     ("level", HUGE), ("advisers", "9" * 21), ("term", "autumn-99999"), ("kind", "\u00e9"), ("status", "\u00e9"),
     ("sort", "\u00e9"), ("next", "//evil.example")],
    [("page", "-1"), ("year", "0000/0001"), ("from", "0001-01-01"), ("to", "9999-12-31"), ("adviser", "-1"),
     ("urn", str(2**31)), ("a", "-1"), ("b", "0"), ("review", str(2**31)), ("q", str(2**63)), ("advisers", "-1"),
     ("term", "summer-0000"), ("format", "csv")],
]
_ARGUMENT = re.compile(r"<(?:(\w+)(?:\((.*?)\))?:)?(\w+)>")
_FIELD = re.compile(r'<(?:input|textarea|select)\b[^>]*\bname="([^"]+)"', re.IGNORECASE)


def odd_paths(rule: Any) -> Iterator[str]:
    """The rule's path with every argument replaced by each odd value of its kind."""
    for number, text in zip(ODD_INTS, ODD_STRINGS, strict=True):
        def value(match: re.Match, number: str = number, text: str = text) -> str:
            converter, options = match.group(1) or "default", match.group(2)
            if converter == "int":
                return number
            if converter == "any":
                return options.split(",")[0].strip().strip("'\"")
            return quote(text)
        yield _ARGUMENT.sub(value, rule.rule)


def odd_form(page_html: str, token: str) -> dict[str, str]:
    """Every field of the page's forms filled with an overflowing value: dates in the year 9999
    (whose next day overflows Python's dates), numbers of 30 digits."""
    data = {}
    for name in set(_FIELD.findall(page_html)):
        if name.endswith("-day"):
            data[name] = "31"
        elif name.endswith("-month"):
            data[name] = "12"
        elif name.endswith("-year"):
            data[name] = "9999"
        else:
            data[name] = HUGE
    data["csrf_token"] = token
    return data


def status_of(client: Any, method: str, url: str, **kw: Any) -> int | str:
    """The status a request answers; an exception the app let out (tests propagate them) is a 500."""
    try:
        response = client.open(url, method=method, **kw)
    except Exception as err:  # noqa: BLE001 - any exception is what a user would see as a 500
        return f"500 ({type(err).__name__}: {str(err)[:120]})"
    response.close()
    return response.status_code


def _failed(status: int | str) -> bool:
    return isinstance(status, str) or status >= 500


def _with_query(url: str, query: list[tuple[str, str]]) -> str:
    return url + ("&" if "?" in url else "?") + urlencode(query)


ROLES = ["admin", "sia"]


@pytest.mark.parametrize("role", ROLES)
def test_every_route_with_odd_ids_and_query_strings_answers_without_a_server_error(app, client, login_as, role):
    login_as(role)
    token = _token(client)
    failures = []
    for rule in app.url_map.iter_rules():
        methods = (rule.methods or set()) - {"HEAD", "OPTIONS"}
        for n, path in enumerate(odd_paths(rule)):
            url = _with_query(path, ODD_QUERIES[n % len(ODD_QUERIES)])
            if "GET" in methods and _failed(status := status_of(client, "GET", url)):
                failures.append(f"GET {url}: {status}")
            if "POST" in methods and rule.endpoint != "auth.sign_out" and _failed(status := status_of(
                    client, "POST", url, data={"csrf_token": token, "page": HUGE, "edit_version": HUGE})):
                failures.append(f"POST {url}: {status}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("role", ROLES)
def test_every_page_of_real_records_with_odd_query_strings_and_forms_answers_without_a_server_error(
        app, db, world, client, login_as, role):
    login_as(role)
    token = _token(client)
    failures = []
    for method, pattern, endpoint, _expected in ACCESS:
        url = pattern.format(**world)
        if endpoint in {"auth.sign_out", "auth.sign_in"} or url.endswith("pdf"):  # PDFs read no query string
            continue
        if method == "GET":
            for query in ODD_QUERIES:
                if _failed(status := status_of(client, "GET", _with_query(url, query))):
                    failures.append(f"GET {_with_query(url, query)}: {status}")
            continue
        form_page = client.get(url)
        data = odd_form(form_page.get_data(as_text=True), token) if form_page.status_code == 200 else {
            "csrf_token": token}
        if _failed(status := status_of(client, "POST", url, data=data)):
            failures.append(f"POST {url} with {sorted(data)}: {status}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("year, message", [
    ("9999", "Next visit must be a date between 1900 and 2199"),  # the day after it overflows
    ("1066", "Next visit must be a date between 1900 and 2199"),
    ("0001", "Next visit must be a real date, like 27 3 2026"),
    ("99999", "Next visit must be a real date, like 27 3 2026"),
    (HUGE, "Next visit must be a real date, like 27 3 2026"),  # overflowed Python's date: a 500
])
def test_a_date_in_a_year_nobody_means_is_a_form_error(client, login_as, create_school, db, year, message):
    import html

    from lea_support.casework.models import NoteOfVisit
    from tests.casework.test_notes import note_form
    from tests.conftest import submit

    school = create_school()
    login_as("link_adviser")
    url = f"/schools/{school.urn}/visits/new"
    response = submit(client, url, note_form(next_visit_date=["31", "12", year]))
    assert response.status_code == 422
    assert message in html.unescape(response.get_data(as_text=True))
    assert db.session.query(NoteOfVisit).count() == 0
