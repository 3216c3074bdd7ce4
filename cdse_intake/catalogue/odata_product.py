"""Products read from their OData entity on first use, so a search builds only what is looked at.

Decoding a 1000-record page into full :class:`~cdse_intake.product.Product` records (about 20
attributes each, their dates parsed, checksums and assets) cost two thirds of decoding the page's
JSON again; many searches then only look at names, ids and times. An :class:`ODataProduct` keeps its
entity and reads ``id`` and ``name`` at once, ``start``/``end`` when first asked (the windowed
search compares them), and every other field together on the first access to any of them, with
exactly :func:`~.records.product_from_odata`'s values; the entity is then dropped.

It is a Product in every way that shows: its fields, equality and hash by id, ``repr``,
``to_dict``, and pickling (which gives a plain Product with the same fields). A malformed entity
raises the same :class:`~cdse_intake.errors.ServiceError` as the eager decoder, when the field is
first read.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Any

from ..errors import ServiceError
from ..product import Product
from .records import decode_odata_fields, parse_datetime, record_error

__all__ = ["ODataProduct", "products_from_odata"]


class _Rest:
    """A field filled with the others from the entity on first access (a non-data descriptor:
    once the value is in the instance's ``__dict__``, it is read from there directly)."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, product: ODataProduct | None, owner: type | None = None) -> Any:
        if product is None:
            return self
        return product._fill()[self.name]


class _Time(_Rest):
    """``start`` or ``end``: read alone from ``ContentDate`` (the windowed search compares them)."""

    def __get__(self, product: ODataProduct | None, owner: type | None = None) -> Any:
        if product is None:
            return self
        fields = product.__dict__
        record = fields.get("_record")
        if record is None:  # filled by a concurrent first access meanwhile
            return fields[self.name]
        try:
            value = parse_datetime((record.get("ContentDate") or {}).get(self.name.capitalize()))
        except (AttributeError, TypeError, ValueError) as err:
            raise record_error(record, err) from err
        fields[self.name] = value
        return value


class ODataProduct(Product):
    """A :class:`Product` decoded from its OData entity field by field, when first read."""

    # Not a dataclass of its own: Product's fields, __init__ (dataclasses.replace), __eq__,
    # __hash__, __repr__ and __reduce__ apply. Each lazy field is a non-data descriptor that
    # shadows Product's class default until the value is stored in the instance's __dict__.
    start = _Time()
    end = _Time()
    collection = _Rest()
    product_type = _Rest()
    footprint = _Rest()
    size = _Rest()
    checksums = _Rest()
    s3_path = _Rest()
    online = _Rest()
    attributes = _Rest()
    assets = _Rest()
    published = _Rest()
    modified = _Rest()

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> ODataProduct:
        """The product of one ``/Products`` entity (its ``Id`` and ``Name`` read now)."""
        try:
            product_id, name = record["Id"], record["Name"]
        except (KeyError, TypeError) as err:
            raise record_error(record, err) from err
        if product_id.__class__ is not str or name.__class__ is not str:
            raise record_error(record, TypeError("Id and Name must be strings"))
        self = object.__new__(cls)
        fields = self.__dict__
        fields["id"] = product_id
        fields["name"] = name
        fields["_record"] = record
        return self

    def _fill(self) -> dict[str, Any]:
        """Every field but id, name and the times, decoded at once (then the entity goes)."""
        fields = self.__dict__
        record = fields.get("_record")
        if record is None:  # another thread filled them meanwhile
            return fields
        values = decode_odata_fields(record)
        values["checksums"] = MappingProxyType(values["checksums"])
        values["attributes"] = MappingProxyType(values["attributes"])
        values["assets"] = MappingProxyType(values["assets"])
        for name in ("start", "end"):
            if name not in fields:
                values[name] = getattr(self, name)
        fields.update(values)  # before the entity goes: a concurrent reader finds one of them
        fields.pop("_record", None)
        return fields


def products_from_odata(records: Any) -> list[Product]:
    """Products of the ``value`` list of a ``/Products`` answer (a list of objects)."""
    if not isinstance(records, list):
        raise ServiceError(
            f"the catalogue answered with 'value' that is not a list: {str(records)[:200]}"
        )
    make = ODataProduct.from_record
    return [make(record) for record in records]
