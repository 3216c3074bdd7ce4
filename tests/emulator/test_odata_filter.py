"""The OData catalogue's ``$filter``: grammar, semantics against brute force, and every error class.

Everything goes over HTTP to the session emulator; counts come from ``$count=true&$top=0``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
import requests
import shapely

from cdse_intake.emulator.catalogue import Entry
from cdse_intake.emulator.odata.lexer import tokenize
from cdse_intake.emulator.odata.nodes import BoolOp, Compare, Not
from cdse_intake.emulator.odata.parser import parse_filter


@pytest.fixture(scope="module")
def http() -> requests.Session:
    with requests.Session() as session:
        yield session


def search(emu, http, flt: str, **params: str) -> requests.Response:
    return http.get(f"{emu.urls.catalogue}/Products", params={"$filter": flt, **params})


def count(emu, http, flt: str) -> int:
    r = search(emu, http, flt, **{"$count": "true", "$top": "0"})
    assert r.status_code == 200, r.text
    return r.json()["@odata.count"]


def ids(emu, http, flt: str) -> set[str]:
    out: set[str] = set()
    url, params = f"{emu.urls.catalogue}/Products", {"$filter": flt, "$top": "1000"}
    while url:
        r = http.get(url, params=params)
        assert r.status_code == 200, r.text
        body = r.json()
        out.update(p["Id"] for p in body["value"])
        url, params = body.get("@odata.nextLink"), None
    return out


def brute(emu, pred: Callable[[Entry], bool]) -> list[Entry]:
    return [e for e in emu.catalogue.entries if pred(e)]


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


# -- grammar ------------------------------------------------------------------------------------


def test_precedence_not_over_and_over_or():
    tree = parse_filter("Name eq 'a' or not Name eq 'b' and Online eq true")
    assert isinstance(tree, BoolOp) and tree.op == "or"
    first, second = tree.operands
    assert isinstance(first, Compare)
    assert isinstance(second, BoolOp) and second.op == "and"
    assert isinstance(second.operands[0], Not) and isinstance(second.operands[0].operand, Compare)
    grouped = parse_filter("(Name eq 'a' or Name eq 'b') and Online eq true")
    assert isinstance(grouped, BoolOp) and grouped.op == "and"
    assert isinstance(grouped.operands[0], BoolOp) and grouped.operands[0].op == "or"


def test_long_chains_and_deep_nesting(cdse_emulator, http):
    names = [e.name for e in cdse_emulator.catalogue.entries[:40]]
    flt = " or ".join(f"Name eq '{n}'" for n in names)
    assert count(cdse_emulator, http, flt) == 40  # a flat chain: no recursion per term
    tree = parse_filter(" and ".join(["Online eq true"] * 5000))
    assert isinstance(tree, BoolOp) and len(tree.operands) == 5000
    deep = "(" * 60 + "Online eq true" + ")" * 60
    assert count(cdse_emulator, http, deep) == len(cdse_emulator.catalogue)
    r = search(cdse_emulator, http, "not (" * 400 + "Online eq true" + ")" * 400)
    assert r.status_code == 400 and "nested too deeply" in r.json()["detail"]["message"]


def test_string_literals_unescape_doubled_quotes():
    (tok, end) = tokenize("'it''s ''quoted'''")
    assert tok.kind == "string" and tok.text == "it's 'quoted'" and end.kind == "end"


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("2022-05-03T00:00:00.000Z", "datetime"),
        ("2022-05-03T00:00:00.000-04:00", "datetime"),
        ("2024-08-01", "datetime"),
        ("05edf2bb-d103-49f1-a677-9e474138d84f", "guid"),
        ("-12.5e3", "number"),
        ("geography'SRID=4326;POINT(1 2)'", "geography"),
        ("OData.CSC.Intersects", "ident"),
    ],
)
def test_literal_tokens(text, kind):
    tokens = tokenize(text)
    assert [t.kind for t in tokens] == [kind, "end"]


# -- semantics against brute force --------------------------------------------------------------


def test_collection_and_content_date(cdse_emulator, http):
    flt = (
        "Collection/Name eq 'SENTINEL-1' and ContentDate/Start ge 2023-03-01T00:00:00.000Z "
        "and ContentDate/End lt 2023-03-16T00:00:00.000Z"
    )  # half a month: one page of the answer (S1 also lists EW, StripMap, OCN and RAW)
    want = brute(
        cdse_emulator,
        lambda e: (
            e.collection == "SENTINEL-1" and e.start >= utc(2023, 3, 1) and e.end < utc(2023, 3, 16)
        ),
    )
    assert 50 < len(want) < 1000
    assert ids(cdse_emulator, http, flt) == {e.id for e in want}


@pytest.mark.parametrize(
    ("prop", "attr"),
    [
        ("PublicationDate", "publication"),
        ("ModificationDate", "modification"),
        ("OriginDate", "origin"),
        ("ContentDate/Start", "start"),
        ("ContentDate/End", "end"),
    ],
)
@pytest.mark.parametrize("op", ["eq", "ne", "gt", "ge", "lt", "le"])
def test_every_time_property_and_operator(cdse_emulator, http, prop, attr, op):
    pivot = getattr(cdse_emulator.catalogue.entries[1234], attr)  # exact: eq must hit it
    literal = pivot.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    import operator as o

    fn = {"eq": o.eq, "ne": o.ne, "gt": o.gt, "ge": o.ge, "lt": o.lt, "le": o.le}[op]
    want = brute(cdse_emulator, lambda e: fn(getattr(e, attr), pivot))
    assert count(cdse_emulator, http, f"{prop} {op} {literal}") == len(want)


@pytest.mark.parametrize(
    "literal",
    [
        "2023-06-01T02:00:00.000+02:00",
        "2023-06-01T00:00:00.000Z",
        "2023-06-01T00:00:00.000000Z",
        "2023-06-01T00:00:00",
        "2023-06-01T00:00:00.000",
        "2023-06-01",
        "'2023-06-01T00:00:00.000000Z'",
        "2023-05-31T20:00:00.000-04:00",
    ],
)
def test_datetime_literal_forms_mean_the_same_instant(cdse_emulator, http, literal):
    want = brute(cdse_emulator, lambda e: e.start < utc(2023, 6, 1))
    assert count(cdse_emulator, http, f"ContentDate/Start lt {literal}") == len(want)


def test_name_functions_and_equality(cdse_emulator, http):
    entry = cdse_emulator.catalogue.entries[777]
    assert ids(cdse_emulator, http, f"Name eq '{entry.name}'") == {entry.id}
    assert count(cdse_emulator, http, f"Name ne '{entry.name}'") == len(cdse_emulator.catalogue) - 1
    tile = entry.extra["tile"]
    for func, pred in [
        ("contains", lambda n: f"T{tile}" in n),
        ("startswith", lambda n: n.startswith("S2B_MSIL2A")),
        ("endswith", lambda n: n.endswith(".SEN3")),
    ]:
        arg = {"contains": f"T{tile}", "startswith": "S2B_MSIL2A", "endswith": ".SEN3"}[func]
        want = brute(cdse_emulator, lambda e, pred=pred: pred(e.name))
        assert want
        assert count(cdse_emulator, http, f"{func}(Name,'{arg}')") == len(want)


def test_id_online_and_content_length(cdse_emulator, http):
    entry = cdse_emulator.catalogue.entries[4321]
    assert ids(cdse_emulator, http, f"Id eq {entry.id}") == {entry.id}
    assert ids(cdse_emulator, http, f"Id eq '{entry.id.upper()}'") == {entry.id}
    n = len(cdse_emulator.catalogue)
    assert count(cdse_emulator, http, "Online eq true") == n
    assert count(cdse_emulator, http, "Online eq false") == 0
    want = brute(cdse_emulator, lambda e: e.content_length > 1_500_000_000)
    assert count(cdse_emulator, http, "ContentLength gt 1500000000") == len(want) > 0


def test_boolean_logic_matches_python(cdse_emulator, http):
    s1, s3 = "Collection/Name eq 'SENTINEL-1'", "Collection/Name eq 'SENTINEL-3'"
    early = "ContentDate/Start lt 2023-02-01"
    cases = {
        f"{s1} or {s3} and {early}": lambda e: (
            e.collection == "SENTINEL-1" or (e.collection == "SENTINEL-3" and e.start < T0)
        ),
        f"({s1} or {s3}) and {early}": lambda e: (
            e.collection in ("SENTINEL-1", "SENTINEL-3") and e.start < T0
        ),
        f"not {s1} and {early}": lambda e: e.collection != "SENTINEL-1" and e.start < T0,
        f"not ({s1} or {early})": lambda e: not (e.collection == "SENTINEL-1" or e.start < T0),
        f"(({s1})) and not (not ({early}))": lambda e: (
            e.collection == "SENTINEL-1" and e.start < T0
        ),
        f"contains(Name,'_IW_') eq true and {early}": lambda e: "_IW_" in e.name and e.start < T0,
    }
    for flt, pred in cases.items():
        assert count(cdse_emulator, http, flt) == len(brute(cdse_emulator, pred)), flt


T0 = datetime(2023, 2, 1, tzinfo=UTC)


# -- attribute lambdas --------------------------------------------------------------------------


def _attr(name):
    return lambda e: e.attribute(name)


@pytest.mark.parametrize(
    ("flt", "pred"),
    [
        (  # the documented form
            "Attributes/OData.CSC.DoubleAttribute/any(att:att/Name eq 'cloudCover' and "
            "att/OData.CSC.DoubleAttribute/Value le 10.00)",
            lambda e: e.attribute("cloudCover") is not None and e.attribute("cloudCover") <= 10,
        ),
        (  # eodag's cast mismatch: Integer lambda, String value cast, bare number
            "Attributes/OData.CSC.IntegerAttribute/any(att:att/Name eq 'relativeOrbitNumber' and "
            "att/OData.CSC.StringAttribute/Value eq 42)",
            lambda e: e.attribute("relativeOrbitNumber") == 42,
        ),
        (  # free variable name, Value without cast, lowercase collection
            "attributes/OData.CSC.StringAttribute/any(i0:i0/Name eq 'productType' and "
            "i0/Value eq 'IW_SLC__1S')",
            lambda e: e.attribute("productType") == "IW_SLC__1S",
        ),
        (  # String lambda around an Integer attribute (user report, sentinelsat#583)
            "Attributes/OData.CSC.StringAttribute/any(a:a/Name eq 'orbitNumber' and "
            "a/OData.CSC.IntegerAttribute/Value gt 50000)",
            lambda e: (e.attribute("orbitNumber") or 0) > 50000,
        ),
        (
            "Attributes/OData.CSC.DateTimeOffsetAttribute/any(att:att/Name eq 'processingDate' "
            "and att/OData.CSC.DateTimeOffsetAttribute/Value lt 2023-02-01T00:00:00.000Z)",
            lambda e: (e.attribute("processingDate") or "9") < "2023-02-01T00:00:00.000000Z",
        ),
        (
            "Attributes/OData.CSC.BooleanAttribute/any(att:att/Name eq 'sliceProductFlag' and "
            "att/OData.CSC.BooleanAttribute/Value eq false)",
            lambda e: e.attribute("sliceProductFlag") is False,
        ),
        (  # the value first: still the right attribute
            "Attributes/OData.CSC.StringAttribute/any(att:att/Value eq 'DESCENDING' and "
            "att/Name eq 'orbitDirection')",
            lambda e: e.attribute("orbitDirection") == "DESCENDING",
        ),
        (  # any() over all attributes, no name
            "Attributes/any(att:att/Value eq 'L2__CO____')",
            lambda e: any(v == "L2__CO____" for _, _, v in e.attributes),
        ),
        (
            "Attributes/OData.CSC.StringAttribute/any(att:att/Name eq 'tileId' and "
            "startswith(att/Value,'31U'))",
            lambda e: (e.attribute("tileId") or "").startswith("31U"),
        ),
        (  # all(): every attribute that is a Double passes
            "Attributes/all(att:att/Name ne 'cloudCover' or att/Value lt 50)",
            lambda e: e.attribute("cloudCover") is None or e.attribute("cloudCover") < 50,
        ),
    ],
)
def test_attribute_lambdas(cdse_emulator, http, flt, pred):
    want = brute(cdse_emulator, pred)
    assert want
    assert count(cdse_emulator, http, flt) == len(want)


def test_attribute_strings_are_exact_and_quotes_escape(cdse_emulator, http):
    lam = "Attributes/OData.CSC.StringAttribute/any(att:att/Name eq 'productType' and att/OData.CSC.StringAttribute/Value eq '{}')"  # noqa: E501
    assert count(cdse_emulator, http, lam.format("S2MSI1C")) > 0
    assert count(cdse_emulator, http, lam.format("s2msi1c")) == 0  # case-sensitive (§9.5)
    assert count(cdse_emulator, http, lam.format("O''Brien")) == 0  # a quote inside: no error
    assert count(cdse_emulator, http, "Collection/Name eq 'sentinel-2'") == 0


# -- spatial ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "wkt",
    [
        "POLYGON((2.0 48.5,2.8 48.5,2.8 49.2,2.0 49.2,2.0 48.5))",
        "POLYGON ((2.0 48.5, 2.8 48.5, 2.8 49.2, 2.0 49.2, 2.0 48.5))",
        "MULTIPOLYGON(((2.0 48.5,2.8 48.5,2.8 49.2,2.0 49.2,2.0 48.5)),((-122.5 37.7,-122.3 37.7,"
        "-122.3 37.9,-122.5 37.9,-122.5 37.7)))",
        "POINT(2.35 48.85)",
        "POINT(179.9 -18.1)",  # near the antimeridian: split MultiPolygon footprints
    ],
)
@pytest.mark.parametrize("arg", ["area", "Footprint"])
def test_intersects(cdse_emulator, http, wkt, arg):
    geom = shapely.from_wkt(wkt)
    # Reference: the plain predicate over every footprint (the service queries an STRtree).
    want = int(shapely.intersects(cdse_emulator.catalogue.geometries, geom).sum())
    assert want
    flt = f"OData.CSC.Intersects({arg}=geography'SRID=4326;{wkt}')"
    assert count(cdse_emulator, http, flt) == want


# -- errors -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("flt", "expected"),
    [
        ("Name eq 'unterminated", r"position 9 .*unterminated string"),
        ("Foo eq 1", r"position 1 .*unknown property 'Foo'"),
        ("S3Path eq 'x'", r"position 1 .*'S3Path' cannot be used"),
        ("substringof('x',Name)", r"position 1 .*unknown function 'substringof'"),
        ("Name eq", r"position 8: expected a property, a function or a value, found the end"),
        ("(Name eq 'a'", r"expected '\)' to close the '\(' at position 1"),
        ("Name eq 'a')", r"position 12 .*unbalanced '\)'"),
        ("Name eq 'a' AND Online eq true", r"position 13 .*found 'AND'; operators are lower case"),
        ("Name eq 'a' Online", r"position 13 .*expected 'and', 'or' or the end"),
        ("ContentDate/Start gt 2023-13-01", r"position 22 .*month must be in 1\.\.12"),
        ("ContentDate/Start gt 2023-01-01T00:00:00.000 02:00", r"URL-encoded as %2B"),
        ("ContentDate/Start gt 'yesterday'", r"invalid datetime 'yesterday'"),
        ("ContentDate/Start gt 42", r"compared with a datetime"),
        ("Name eq 42", r"Name is compared with a quoted string"),
        ("Name gt 'a'", r"Name supports only eq and ne"),
        ("Online eq 'yes'", r"Online is compared with true or false"),
        ("'a' eq 'b'", r"compares two literals"),
        ("Name eq Name", r"must be a literal value"),
        ("Online eq true $", r"position 16 .*unexpected character '\$'"),
        ("ContentLength gt 12abc", r"malformed number"),
        ("contains(Name)", r"contains takes two arguments"),
        (
            "OData.CSC.Intersects(area=geography'SRID=4326;POLYGON((0 0,1 0,1 1))')",
            r"position 27 .*closed linestring",
        ),
        (
            "OData.CSC.Intersects(area=geography'SRID=4326;POLYGON((0 0,1 1,1 0,0 1,0 0))')",
            r"invalid geometry: Self-intersection",
        ),
        ("OData.CSC.Intersects(area=geography'SRID=3857;POINT(1 2)')", r"SRID=3857 is not"),
        ("OData.CSC.Intersects(area=geography'POINT(1 2)')", r"must be SRID=4326;<WKT>"),
        ("OData.CSC.Intersects(area=geography'SRID=4326;POINT(200 2)')", r"out of range"),
        (
            "OData.CSC.Intersects(area=geography'SRID=4326;POLYGON((0 0,1 0,1 1,0 0)')",
            r"invalid WKT",
        ),
        ("OData.CSC.Intersects(shape=geography'SRID=4326;POINT(1 2)')", r"unknown argument"),
        ("Attributes/OData.CSC.FooAttribute/any(a:a/Name eq 'x')", r"unknown type"),
        (
            "Attributes/OData.CSC.IntegerAttribute/any(a:a/Name eq 'orbitNumber' and "
            "a/OData.CSC.IntegerAttribute/Value eq 'abc')",
            r"not a valid Integer value",
        ),
        (
            "Attributes/OData.CSC.StringAttribute/any(a:a/Name eq 'productType' and "
            "a/Value gt 'x')",
            r"supports only eq and ne",
        ),
        ("Attributes/any(a:a/Size eq 1)", r"unknown property 'a/Size' of the lambda variable"),
        ("Attributes/any(a a/Name eq 'x')", r"expected ':' after the lambda variable"),
        ("Products/any(a:a/Name eq 'x')", r"any\(\) applies to Attributes"),
        ("Name", r"is not a condition"),
        ("", r"the filter is empty"),
    ],
)
def test_filter_errors_are_400_and_point_at_the_problem(cdse_emulator, http, flt, expected):
    r = search(cdse_emulator, http, flt)
    assert r.status_code == 400, r.text
    body = r.json()
    assert list(body) == ["detail"] and list(body["detail"]) == ["message", "request_id"]
    assert body["detail"]["request_id"] == r.headers["request-id"]
    message = body["detail"]["message"]
    assert message.startswith("Invalid filter")
    assert re.search(expected, message), message


def test_not_over_all_of_a_time_window_is_its_complement(cdse_emulator, http):
    window = "ContentDate/Start ge 2023-05-01 and ContentDate/Start lt 2023-05-02"
    inside = count(cdse_emulator, http, window)
    outside = count(cdse_emulator, http, f"not ({window})")
    assert inside > 0 and inside + outside == len(cdse_emulator.catalogue)
    end_us = cdse_emulator.catalogue.end_us
    late = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=int(end_us.max()))
    assert count(cdse_emulator, http, f"ContentDate/End gt {late:%Y-%m-%dT%H:%M:%S.%fZ}") == 0
