"""Property-based checks of the OData ``$filter``: random filters against a brute-force reference
over the catalogue's entries, and string literals with quotes round-tripping through escaping."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cdse_intake.emulator.catalogue import Entry, build_catalogue
from cdse_intake.emulator.odata.lexer import tokenize

SETTINGS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
COLLECTIONS = ["SENTINEL-1", "SENTINEL-2", "SENTINEL-3", "SENTINEL-5P", "CLMS", "SENTINEL-6"]
TIME_PROPS = {
    "ContentDate/Start": "start",
    "ContentDate/End": "end",
    "PublicationDate": "publication",
}
OPS: dict[str, Callable] = {
    "eq": lambda a, b: a == b,
    "ne": lambda a, b: a != b,
    "gt": lambda a, b: a > b,
    "ge": lambda a, b: a >= b,
    "lt": lambda a, b: a < b,
    "le": lambda a, b: a <= b,
}


@pytest.fixture(scope="module")
def http() -> requests.Session:
    with requests.Session() as session:
        yield session


@dataclass(frozen=True)
class Clause:
    text: str
    test: Callable[[Entry], bool]


def _entry_time(index: int, attr: str) -> datetime:
    # The session emulator's catalogue (build_catalogue is cached per process).
    return getattr(build_catalogue().entries[index], attr)


@st.composite
def datetime_literals(draw, attr: str) -> tuple[str, datetime]:
    """A literal in one of CDSE's accepted forms, and the instant it denotes; half of the time
    exactly a product's own time, so that eq/ge/le boundaries are exercised."""
    anywhen = st.datetimes(
        min_value=datetime(2022, 12, 1), max_value=datetime(2025, 3, 1), timezones=st.just(UTC)
    )
    if draw(st.booleans()):
        dt = _entry_time(draw(st.integers(0, 40_000)), attr)
        form = draw(st.sampled_from(["Z6", "offset", "nozone", "quoted"]))  # lossless forms
    else:
        dt = draw(anywhen)
        form = draw(st.sampled_from(["Z3", "Z6", "offset", "nozone", "date", "quoted", "minutes"]))
    base = f"{dt:%Y-%m-%dT%H:%M:%S}"
    if form == "Z3":
        return f"{base}.{dt.microsecond // 1000:03d}Z", dt.replace(
            microsecond=dt.microsecond // 1000 * 1000
        )
    if form == "Z6":
        return f"{base}.{dt.microsecond:06d}Z", dt
    if form == "offset":
        minutes = draw(st.integers(-12 * 60, 14 * 60).map(lambda m: m - m % 30))
        local = dt + timedelta(minutes=minutes)
        sign = "+" if minutes >= 0 else "-"
        hh, mm = divmod(abs(minutes), 60)
        return f"{local:%Y-%m-%dT%H:%M:%S.%f}{sign}{hh:02d}:{mm:02d}", dt
    if form == "nozone":
        return f"{dt:%Y-%m-%dT%H:%M:%S.%f}", dt  # no zone: UTC since 2024-05-28
    if form == "date":
        return f"{dt:%Y-%m-%d}", dt.replace(hour=0, minute=0, second=0, microsecond=0)
    if form == "minutes":
        return f"{dt:%Y-%m-%dT%H:%M}Z", dt.replace(second=0, microsecond=0)
    return f"'{base}.{dt.microsecond:06d}Z'", dt


@st.composite
def clauses(draw) -> Clause:
    kind = draw(st.sampled_from(["time", "time", "time", "collection", "online", "length"]))
    if kind == "time":
        prop = draw(st.sampled_from(sorted(TIME_PROPS)))
        op = draw(st.sampled_from(sorted(OPS)))
        attr, fn = TIME_PROPS[prop], OPS[op]
        text, when = draw(datetime_literals(attr))
        return Clause(f"{prop} {op} {text}", lambda e: fn(getattr(e, attr), when))
    if kind == "collection":
        name = draw(st.sampled_from(COLLECTIONS))
        if draw(st.booleans()):
            return Clause(f"Collection/Name eq '{name}'", lambda e: e.collection == name)
        return Clause(f"Collection/Name ne '{name}'", lambda e: e.collection != name)
    if kind == "online":
        value = draw(st.booleans())
        return Clause(f"Online eq {str(value).lower()}", lambda e: e.online == value)
    op = draw(st.sampled_from(["gt", "ge", "lt", "le"]))
    size = draw(st.integers(0, 5_000_000_000))
    fn = OPS[op]
    return Clause(f"ContentLength {op} {size}", lambda e: fn(e.content_length, size))


def _not(c: Clause) -> Clause:
    return Clause(f"not ({c.text})", lambda e: not c.test(e))


@st.composite
def flat_filters(draw) -> Clause:
    """``[not] c1 and|or [not] c2 ...`` without parentheses: precedence decides (and > or)."""
    items = draw(st.lists(clauses(), min_size=1, max_size=4))
    items = [_not(c) if draw(st.booleans()) and i % 2 else c for i, c in enumerate(items)]
    joins = [draw(st.sampled_from(["and", "and", "or"])) for _ in items[1:]]
    text = items[0].text
    for join, c in zip(joins, items[1:], strict=True):
        text += f" {join} {c.text}"
    groups: list[list[Clause]] = [[items[0]]]  # reference: or of and-groups
    for join, c in zip(joins, items[1:], strict=True):
        if join == "or":
            groups.append([c])
        else:
            groups[-1].append(c)
    return Clause(text, lambda e: any(all(c.test(e) for c in g) for g in groups))


@SETTINGS
@given(flt=flat_filters())
def test_random_filters_match_brute_force(cdse_emulator, http, flt):
    params = {
        "$filter": flt.text,
        "$count": "true",
        "$top": "20",
        "$orderby": "ContentDate/Start asc",
    }
    r = http.get(f"{cdse_emulator.urls.catalogue}/Products", params=params)
    assert r.status_code == 200, r.text
    body = r.json()
    want = [e for e in cdse_emulator.catalogue.entries if flt.test(e)]
    assert body["@odata.count"] == len(want), flt.text
    want.sort(key=lambda e: (e.start, e.id))
    assert [p["Id"] for p in body["value"]] == [e.id for e in want[:20]], flt.text


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


@st.composite
def needles(draw) -> str:
    """Pieces of real names (so some match), with quotes and odd characters mixed in."""
    names = ["S2A_MSIL1C_20230102T190149_N0509", "S1A_IW_GRDH_1SDV_", "_OPER_AUX_POEORB_", ".SEN3"]
    piece = draw(st.sampled_from(names))
    start = draw(st.integers(0, len(piece)))
    piece = piece[start : draw(st.integers(start, len(piece)))]
    noise = draw(st.text(alphabet=st.characters(exclude_categories=("Cs", "Cc")), max_size=4))
    where = draw(st.sampled_from(["none", "before", "after", "only"]))
    return {"none": piece, "before": noise + piece, "after": piece + noise, "only": noise}[where]


@SETTINGS
@given(needle=needles())
def test_quoted_strings_round_trip(cdse_emulator, http, needle):
    names = [e.name for e in cdse_emulator.catalogue.entries]
    for flt, want in (
        (f"Name eq {_quote(needle)}", sum(n == needle for n in names)),
        (f"contains(Name,{_quote(needle)})", sum(needle in n for n in names)),
        (f"startswith(Name,{_quote(needle)})", sum(n.startswith(needle) for n in names)),
    ):
        params = {"$filter": flt, "$count": "true", "$top": "0"}
        r = http.get(f"{cdse_emulator.urls.catalogue}/Products", params=params)
        assert r.status_code == 200, r.text
        assert r.json()["@odata.count"] == want, flt


@settings(max_examples=300)
@given(text=st.text())
def test_string_tokens_unescape_exactly(text):
    tok, end = tokenize(_quote(text))
    assert (tok.kind, tok.text, end.kind) == ("string", text, "end")
