"""The panel's inputs as plain values: collection choices, per-field checks, the search call.

Nothing here imports ipywidgets. The checks reuse :class:`~cdse_intake.query.Query` (the one
validation of the library), each field on its own, so an error is shown next to the field that
caused it; :func:`search_kwargs` gives the exact keywords passed to :func:`cdse_intake.search`,
which is also the code :func:`search_code` prints.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from ..collections import ODATA_COLLECTIONS, STAC_COLLECTIONS, resolve_collection
from ..errors import CDSEError, QueryError
from ..query import Query

__all__ = [
    "BACKENDS",
    "FIELDS",
    "CollectionChoice",
    "area_geojson",
    "area_kwargs",
    "area_text",
    "check_fields",
    "default_choices",
    "errors_text",
    "live_choices",
    "search_code",
    "search_kwargs",
]

#: The panel's inputs, in form order.
FIELDS = (
    "collection",
    "product_type",
    "start",
    "end",
    "cloud",
    "area",
    "tile",
    "orbit",
    "relative_orbit",
    "backend",
    "limit",
)
BACKENDS = ("odata", "stac")


@dataclass(frozen=True)
class CollectionChoice:
    """One entry of the collection list: its id (STAC id or OData name) and product types."""

    id: str
    title: str = ""
    product_types: tuple[str, ...] = ()
    known: bool = True
    """Whether :func:`~cdse_intake.collections.resolve_collection` knows the id; an unknown
    collection of the live catalogue is searched by its product types instead."""

    @property
    def label(self) -> str:
        return f"{self.id} · {self.title}" if self.title else self.id


def default_choices() -> list[CollectionChoice]:
    """The collections cdse_intake knows without asking a catalogue: STAC ids, OData missions."""
    out = [CollectionChoice(c.id, "", c.product_types) for c in STAC_COLLECTIONS.values()]
    for name in ODATA_COLLECTIONS:
        types = sorted(
            {t for c in STAC_COLLECTIONS.values() if c.odata == name for t in c.product_types}
        )
        out.append(CollectionChoice(name, f"all {name} products", tuple(types)))
    return out


def live_choices(records: Sequence[Mapping[str, Any]]) -> list[CollectionChoice]:
    """Choices from :func:`cdse_intake.api.collections` records, then the OData missions."""
    out = []
    for record in records:
        cid = str(record["id"])
        known = cid in STAC_COLLECTIONS
        types = tuple(record.get("product_types") or ())
        if not known and not types:
            continue  # neither a known id nor product types: nothing to search it by
        out.append(CollectionChoice(cid, str(record.get("title") or ""), types, known))
    seen = {c.id for c in out}
    out += [c for c in default_choices() if c.id in ODATA_COLLECTIONS and c.id not in seen]
    return out


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _when(value: Any) -> Any:
    """Dates as ISO text (what the printed code shows); other values as given."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value.strip() if isinstance(value, str) else value


_NUMBERS = re.compile(r"^[\s(\[]*[-+]?\.?\d")


def area_kwargs(area: Any) -> dict[str, Any]:
    """``{"bbox": (w, s, e, n)}`` or ``{"geometry": ...}`` for an area as typed or drawn.

    Text starting with a number is a bbox (``2.2, 48.8, 2.5, 48.9``, commas or spaces); other
    text is WKT, GeoJSON or a file path; a dict is GeoJSON (what the map's drawing gives).
    """
    if _blank(area):
        return {}
    if isinstance(area, str):
        text = area.strip()
        if _NUMBERS.match(text):
            parts = [p for p in re.split(r"[\s,;]+", text.strip("()[] \t")) if p]
            try:
                return {"bbox": tuple(float(p) for p in parts)}
            except ValueError:
                raise QueryError(
                    f"bbox {text!r}: expected 4 numbers west, south, east, north "
                    "(e.g. 2.2, 48.8, 2.5, 48.9), or WKT / GeoJSON"
                ) from None
        return {"geometry": text}
    if isinstance(area, (tuple, list)):
        return {"bbox": tuple(area)}
    return {"geometry": area}


def area_text(area: Any) -> str:
    """The area as the text field shows it: typed text as is, a bbox as numbers, else WKT."""
    if _blank(area):
        return ""
    if isinstance(area, str):
        return area
    if isinstance(area, (tuple, list)):
        return ", ".join(f"{float(v):g}" for v in area)
    try:
        return Query(geometry=area).geometry.wkt
    except CDSEError:
        return json.dumps(area) if isinstance(area, Mapping) else str(area)


def area_geojson(area: Any) -> dict[str, Any] | None:
    """The area as a GeoJSON geometry for the map (None: no area, or one that is not valid)."""
    try:
        geometry = Query(**area_kwargs(area)).geometry
    except CDSEError:
        return None
    if geometry is None:
        return None
    import shapely

    return json.loads(shapely.to_geojson(geometry))


def choice_for(choices: Sequence[CollectionChoice], collection: Any) -> CollectionChoice | None:
    """The choice of ``collection`` (exact id first, then OData names case-insensitively)."""
    if _blank(collection):
        return None
    text = str(collection).strip()
    for choice in choices:
        if choice.id == text:
            return choice
    for choice in choices:
        if choice.id.upper() == text.upper():
            return choice
    return None


def product_types_of(choices: Sequence[CollectionChoice], collection: Any) -> tuple[str, ...]:
    """The product types a collection holds (empty: not known, any type)."""
    choice = choice_for(choices, collection)
    if choice is not None:
        return choice.product_types
    try:
        return resolve_collection(str(collection)).product_types
    except QueryError:
        return ()


def _collection_kwargs(
    choices: Sequence[CollectionChoice], collection: Any, product_type: Any
) -> dict[str, Any]:
    """``collection=``/``product_type=`` for the search (unknown collections by their types)."""
    out: dict[str, Any] = {}
    pt = None if _blank(product_type) else str(product_type).strip()
    if _blank(collection):
        if pt:
            out["product_type"] = pt
        return out
    choice = choice_for(choices, collection)
    if choice is not None and not choice.known:
        if pt and pt not in choice.product_types:
            raise QueryError(
                f"product_type={pt!r} is not in collection {choice.id!r}, which holds "
                f"{', '.join(choice.product_types)}"
            )
        types = (pt,) if pt else choice.product_types
        out["product_type"] = types[0] if len(types) == 1 else types
        return out
    out["collection"] = str(collection).strip()
    if pt:
        out["product_type"] = pt
    return out


def _optional_int(value: Any) -> Any:
    if _blank(value):
        return None
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return value.strip() if isinstance(value, str) else value


def _field_kwargs(values: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Each field's own search keywords (collection fields are handled apart)."""
    cloud = values.get("cloud")
    return {
        "start": {} if _blank(values.get("start")) else {"start": _when(values["start"])},
        "end": {} if _blank(values.get("end")) else {"end": _when(values["end"])},
        "cloud": {} if cloud is None else {"cloud": cloud},
        "tile": {} if _blank(values.get("tile")) else {"tile": str(values["tile"]).strip()},
        "orbit": {} if _blank(values.get("orbit")) else {"orbit": _optional_int(values["orbit"])},
        "relative_orbit": {}
        if _blank(values.get("relative_orbit"))
        else {"relative_orbit": _optional_int(values["relative_orbit"])},
        "limit": {} if values.get("limit") is None else {"limit": _optional_int(values["limit"])},
    }


def check_fields(
    values: Mapping[str, Any], choices: Sequence[CollectionChoice], endpoints: Any, settings: Any
) -> dict[str, str]:
    """An error message per invalid field (empty when the search can run).

    Each field is checked by building a :class:`Query` of that field alone, so its message is
    the library's own; pairs (start before end, the product type in the collection) and what
    the STAC backend cannot express are checked once the fields are valid on their own.
    """
    errors: dict[str, str] = {}

    def check(field: str, build: Any) -> None:
        try:
            build()
        except (QueryError, TypeError) as err:
            errors[field] = getattr(err, "message", None) or str(err)

    collection, product_type = values.get("collection"), values.get("product_type")
    if not _blank(collection) and choice_for(choices, collection) is None:
        check("collection", lambda: resolve_collection(str(collection)))
    if "collection" not in errors:
        check(
            "product_type",
            lambda: Query(**_collection_kwargs(choices, collection, product_type)),
        )
    check("area", lambda: Query(**area_kwargs(values.get("area"))))
    own = _field_kwargs(values)
    for field, kwargs in own.items():
        check(field, lambda kwargs=kwargs: Query(**kwargs))
    if "start" not in errors and "end" not in errors:
        check("end", lambda: Query(**own["start"], **own["end"]))
    backend = values.get("backend")
    if backend not in BACKENDS:
        errors["backend"] = f"backend={backend!r}: expected one of {', '.join(BACKENDS)}"
    elif backend == "stac" and not errors:

        def stac() -> None:
            from ..catalogue import backend_class

            kwargs = search_kwargs(values, choices)
            kwargs.pop("backend", None)
            backend_class("stac")(Query(**kwargs), endpoints=endpoints, settings=settings)

        check("backend", stac)
    if not errors:

        def whole() -> None:
            kwargs = search_kwargs(values, choices)
            kwargs.pop("backend", None)
            Query(**kwargs)

        check("query", whole)
    return errors


def search_kwargs(values: Mapping[str, Any], choices: Sequence[CollectionChoice]) -> dict[str, Any]:
    """The keywords of the equivalent :func:`cdse_intake.search` call (QueryError if invalid)."""
    out = _collection_kwargs(choices, values.get("collection"), values.get("product_type"))
    out.update(area_kwargs(values.get("area")))
    for kwargs in _field_kwargs(values).values():
        out.update(kwargs)
    if values.get("backend", "odata") != "odata":
        out["backend"] = values["backend"]
    return out


def errors_text(errors: Mapping[str, str]) -> str:
    """Every field's error on one line (``field: message; ...``)."""
    return "; ".join(f"{field}: {message}" for field, message in errors.items())


def _literal(value: Any) -> str:
    if isinstance(value, str):
        return json.dumps(value)  # a valid Python literal, double-quoted
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, tuple):
        return "(" + ", ".join(_literal(v) for v in value) + ("," if len(value) == 1 else "") + ")"
    return repr(value)


def search_code(kwargs: Mapping[str, Any], selected: Sequence[str] = ()) -> str:
    """Python that runs the same search (and picks the same products, when some are selected)."""
    args = dict(kwargs)
    lines = ["import cdse_intake", "", "results = cdse_intake.search("]
    if "collection" in args:
        lines.append(f"    {_literal(args.pop('collection'))},")
    lines += [f"    {key}={_literal(value)}," for key, value in args.items()]
    lines.append(")")
    if selected:
        names = ", ".join(_literal(n) for n in selected)
        lines += [
            f"selected = [p for p in results if p.name in {{{names}}}]",
            "# report = cdse_intake.download(selected)",
            "# ds = cdse_intake.open_product(selected[0])",
        ]
    return "\n".join(lines) + "\n"
