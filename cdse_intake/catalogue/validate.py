"""A query checked against what the catalogue offers, before any search request.

An empty result is the worst answer to a mistyped query: the user concludes there is no data.
So a product type the collection does not hold, a processing level it has not, an attribute it
does not list, a value of the wrong type or a field the collection cannot answer (``cloud=``
for radar) raise :class:`~cdse_intake.errors.QueryError` naming the value and the closest
valid ones. ``processing_level`` (``"L2A"``, ``"L1C"``, ``"L2"``, ``"LEVEL1"``...) becomes the
product types of that level: the catalogues' own ``processingLevel`` values differ per mission
(``S2MSI2A`` for Sentinel-2, ``LEVEL1`` for Sentinel-1), so asking for it as an attribute found
nothing.
"""

from __future__ import annotations

from datetime import datetime

from ..errors import QueryError
from ..query import AttributeFilter, Query
from ..vocabulary import Vocabulary, close_matches, level_matches, normalise_level

__all__ = ["FIELD_ATTRIBUTES", "check"]

#: Query fields that are catalogue attributes: field -> the attribute(s) that answer it.
FIELD_ATTRIBUTES: dict[str, tuple[str, ...]] = {
    "cloud": ("cloudCover",),
    "tile": ("tileId",),
    "orbit": ("orbitNumber",),
    "relative_orbit": ("relativeOrbitNumber",),
    "orbit_direction": ("orbitDirection",),
    "platform": ("platformSerialIdentifier",),
    "processing_baseline": ("processingBaseline",),
    "timeliness": ("timeliness", "processingMode"),
}


def check(query: Query, vocabulary: Vocabulary) -> Query:
    """``query`` checked, with ``processing_level`` turned into product types."""
    collection = query.collection
    if collection is not None and collection not in vocabulary.collections:
        names = sorted(vocabulary.collections)
        raise QueryError(
            f"collection={collection!r} is not a collection of this catalogue"
            f"{_hint(collection, names)}; it has {', '.join(names)}"
        )
    known_types = vocabulary.product_types(collection)
    for product_type in query.product_types:
        _check_product_type(product_type, collection, known_types, vocabulary)
    changes: dict[str, object] = {}
    if query.processing_level is not None:
        types = _types_of_level(query, known_types)
        changes.update(processing_level=None, product_type=types)
    attributes = vocabulary.attributes(collection)
    if attributes:
        for field_name, names in FIELD_ATTRIBUTES.items():
            if getattr(query, field_name) is not None and not set(names) & set(attributes):
                raise QueryError(
                    f"{field_name}={getattr(query, field_name)!r}: "
                    f"{collection or 'no collection'} products have no {names[0]} attribute, so "
                    f"no product would match; drop {field_name}= (attributes of "
                    f"{collection}: {', '.join(sorted(attributes))})"
                )
        typed = tuple(_check_attribute(a, collection, attributes) for a in query.attributes)
        if typed != query.attributes:
            changes["attributes"] = typed
    return query.replace(**changes) if changes else query


def _check_product_type(
    product_type: str,
    collection: str | None,
    known: dict[str, str | None],
    vocabulary: Vocabulary,
) -> None:
    if not known or product_type in known:
        return
    where = collection or "the catalogue"
    elsewhere = vocabulary.collections_of(product_type)
    if elsewhere:
        raise QueryError(
            f"product_type={product_type!r} is a product type of {', '.join(elsewhere)}, not of "
            f"{where}; {where} holds {_listed(known)}"
        )
    raise QueryError(
        f"product_type={product_type!r} is not a product type of {where}"
        f"{_hint(product_type, known)}; expected one of {_listed(known)}"
    )


def _types_of_level(query: Query, known: dict[str, str | None]) -> tuple[str, ...]:
    asked = query.processing_level or ""
    where = query.collection or "the catalogue"
    if normalise_level(asked) is None:
        raise QueryError(
            f"processing_level={asked!r} is not a processing level; expected e.g. 'L1C', 'L2A', "
            "'L2' or 'LEVEL1'"
        )
    levels = sorted({lvl for lvl in known.values() if lvl})
    types = [t for t, lvl in known.items() if level_matches(asked, lvl)]
    if query.product_types:
        types = [t for t in types if t in query.product_types]
    if not types:
        have = "; ".join(
            f"{lvl}: {', '.join(sorted(t for t, v in known.items() if v == lvl))}" for lvl in levels
        )
        also = f" with product_type={query.product_type!r}" if query.product_types else ""
        raise QueryError(
            f"processing_level={asked!r}: {where} has no products of that level{also}; "
            f"its levels are {have or 'not known'}"
        )
    return tuple(sorted(types))


def _check_attribute(
    att: AttributeFilter, collection: str | None, known: dict[str, str]
) -> AttributeFilter:
    where = collection or "any collection"
    vtype = known.get(att.name)
    if vtype is None:
        raise QueryError(
            f"attributes: {att.name!r} is not an attribute of {where}"
            f"{_hint(att.name, known)}; expected one of {', '.join(sorted(known))}"
        )
    if vtype == att.value_type:
        return att
    value = att.value
    converted: object = None
    if vtype == "Double" and att.value_type == "Integer":
        converted = float(value)  # type: ignore[arg-type]
    elif vtype in ("Integer", "Double") and att.value_type == "String":
        try:
            converted = int(str(value)) if vtype == "Integer" else float(str(value))
        except ValueError:
            converted = None
    elif vtype == "DateTimeOffset" and att.value_type == "String":
        try:
            converted = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        except ValueError:
            converted = None
    elif (
        vtype == "Boolean"
        and att.value_type == "String"
        and str(value).lower()
        in (
            "true",
            "false",
        )
    ):
        converted = str(value).lower() == "true"
    if converted is None:
        raise QueryError(
            f"attributes[{att.name!r}]={value!r}: {att.name} is an attribute of {where} of type "
            f"{vtype}; expected a {_PYTHON[vtype]}"
        )
    spec = converted if att.op == "eq" else (att.op, converted)
    return AttributeFilter.make(att.name, spec)


_PYTHON = {
    "String": "str",
    "Integer": "int",
    "Double": "number",
    "DateTimeOffset": "datetime or ISO 8601 string",
    "Boolean": "bool",
}


def _hint(value: str, choices: object) -> str:
    close = close_matches(value, list(choices))  # type: ignore[call-overload]
    return f" (did you mean {' or '.join(repr(c) for c in close)}?)" if close else ""


def _listed(types: dict[str, str | None], most: int = 12) -> str:
    names = sorted(types)
    more = f", ... ({len(names)} in all)" if len(names) > most else ""
    return ", ".join(names[:most]) + more
