"""One vocabulary of reader options, and the checks every reader shares.

Every reader takes ``chunks``; the others below mean the same thing in every reader that has
them, under one name. A reader declares one name of an option (Sentinel-2 ``bands``, Sentinel-1
``variables``); :func:`normalize` lets a user pass any of the option's names to any reader that
has it (``variables=["B04"]`` to Sentinel-2, ``mask_and_scale=False`` to a GeoTIFF), and refuses
two names of the same option in one call. Options only one family has (``calibration``,
``min_qa``, ...) stay that reader's own; :data:`OWN` lists them for the documentation table
(``docs/reader-options.md``, checked by the tests against the readers' signatures).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = [
    "OWN",
    "VOCABULARY",
    "Option",
    "check_bool",
    "check_chunks",
    "check_names",
    "markdown_table",
    "normalize",
]


@dataclass(frozen=True)
class Option:
    """A reader option shared by several families, with its other accepted names."""

    name: str
    aliases: tuple[str, ...]
    expects: str
    meaning: str

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


VOCABULARY: tuple[Option, ...] = (
    Option(
        "chunks",
        (),
        '`"auto"` (default), `None`, an int or a dict of dimension sizes',
        "dask chunks: `auto` takes multiples of the files' own tiles/chunks, `None` opens lazily "
        "without dask; a dict naming a dimension the product's arrays lack is refused",
    ),
    Option(
        "variables",
        ("bands",),
        "a name or a list of names",
        "open only these data variables (bands): nothing else is read, and no "
        "`PartialProductWarning` is given for files of variables not asked for; a name the "
        "product type does not have is refused, listing those it has",
    ),
    Option(
        "scale",
        ("mask_and_scale", "decode"),
        "`True` (default) or `False`",
        "physical values (scale factor and offset applied, no-data as NaN); `False` keeps the "
        "stored numbers with their `scale_factor`/`add_offset`/`_FillValue` attributes",
    ),
    Option(
        "resolution",
        (),
        "metres, one of the product's resolutions",
        "only the variables at this resolution, as one Dataset instead of a DataTree",
    ),
    Option(
        "grid",
        (),
        "one of the product's grid (group) names",
        "only the variables of this grid, as one Dataset instead of a DataTree",
    ),
)

#: Options of one family only: ``(family key, option) -> meaning``.
OWN: dict[tuple[str, str], str] = {
    ("sentinel-1", "calibration"): "`sigma0`, `beta0` or `gamma0`: float32 linear "
    "backscatter (default `None`: the digital numbers)",
    ("sentinel-1", "polarisations"): "`VV`, `VH`, `HH`, `HV` or a list of them",
    ("sentinel-1", "imagettes"): "Wave mode: imagette numbers or names to open",
    ("sentinel-5p", "min_qa"): "mask pixels whose `qa_value` is below this (0 to 1)",
    ("sentinel-5p", "metadata"): "`False` leaves the METADATA groups out",
    ("sentinel-6", "measurement"): "`standard` (default) or `reduced`: the L2 file to open",
    ("geotiff", "name"): "the data variable's name (default: from the product name)",
    ("sentinel-3", "bands"): "band names (`Oa01`, `S3`): every variable of those bands "
    "(`variables` names variables)",
    ("eopf-zarr", "decode"): "the former name of `scale` (deprecated)",
}


def _by_name() -> dict[str, Option]:
    return {name: option for option in VOCABULARY for name in option.names}


def normalize(family: str, accepted: Iterable[str], options: Mapping[str, Any]) -> dict[str, Any]:
    """``options`` under the names the ``family`` reader declares (``accepted``).

    An option given under another of its names is renamed; two names of one option in one call
    are refused. Names outside the vocabulary are left for the caller to accept or refuse.
    """
    accepted = set(accepted)
    by_name = _by_name()
    out: dict[str, Any] = {}
    given: dict[str, str] = {}
    for key, value in options.items():
        option = by_name.get(key)
        target = key
        if option is not None and key not in accepted:
            target = next((n for n in option.names if n in accepted), key)
        if target in out:
            raise TypeError(
                f"{given[target]}= and {key}= are the same option of the {family} reader: give one"
            )
        given[target] = key
        out[target] = value
    return out


def check_bool(name: str, value: Any) -> bool:
    """``value`` if it is a bool; a clear error otherwise."""
    if not isinstance(value, bool):
        raise ValueError(f"{name}={value!r}: expected True or False")
    return value


def check_names(name: str, value: Any, example: str) -> list[str] | None:
    """A name or a list of names as a list (``None`` stays ``None``); else a clear error."""
    if value is None:
        return None
    if isinstance(value, str):
        value = [value]
    if (
        not isinstance(value, Sequence)
        or not value
        or not all(isinstance(v, str) and v.strip() for v in value)
    ):
        raise ValueError(
            f"{name}={value!r}: expected a name or a non-empty list of names such as {example}"
        )
    return list(dict.fromkeys(v.strip() for v in value))


def check_chunks(
    chunks: Any, dims: Mapping[str, str] | None = None, *, what: str = "the arrays"
) -> Any:
    """``chunks`` checked: ``"auto"``, ``None``, a positive int or a dict of dimension sizes.

    ``dims`` maps each accepted dimension name (and its synonyms) to the dimension it means;
    a dict naming any other is refused, naming ``what`` lacks it. An empty dict is ``"auto"``
    (xarray's "the backend's preferred chunks").
    """
    if chunks is None or chunks == "auto":
        return chunks
    if isinstance(chunks, int) and not isinstance(chunks, bool):
        if chunks < 1 and chunks != -1:
            raise ValueError(f"chunks={chunks!r}: expected a positive size (or -1: whole arrays)")
        return chunks
    if not isinstance(chunks, Mapping):
        raise ValueError(
            f"chunks={chunks!r}: expected 'auto' (the files' own chunks), None (no dask), an "
            "int or a dict of dimension sizes"
        )
    if not chunks:
        return "auto"
    if dims is None:
        return dict(chunks)
    unknown = sorted(str(k) for k in chunks if k not in dims)
    if unknown:
        expected = ", ".join(dict.fromkeys(dims.values()))
        raise ValueError(
            f"chunks={dict(chunks)!r}: {what} have no dimension {', '.join(map(repr, unknown))}; "
            f"expected {expected}"
        )
    return {dims[k]: v for k, v in chunks.items()}


def markdown_table(families: Mapping[str, Iterable[str]]) -> str:
    """The options table of the documentation: ``families`` maps a family key to its options."""
    lines = [
        "| option | also accepted as | expects | meaning | readers |",
        "|---|---|---|---|---|",
    ]
    for option in VOCABULARY:
        users = sorted(
            key
            for key, names in families.items()
            if option.name == "chunks" or set(option.names) & set(names)
        )
        aliases = ", ".join(f"`{a}`" for a in option.aliases)
        lines.append(
            f"| `{option.name}` | {aliases} | {option.expects} | {option.meaning} | "
            f"{', '.join(users)} |"
        )
    for (family, name), meaning in sorted(OWN.items()):
        lines.append(f"| `{name}` | | | {meaning} | {family} |")
    return "\n".join(lines) + "\n"
