"""Safe XML for product metadata: no DTDs, no entity expansion, no external entities.

Product metadata comes from files a user downloaded or a server sent; a hostile ``manifest.safe``
with a "billion laughs" DTD or an external entity must fail cleanly, not eat memory or read local
files. ``defusedxml`` refuses both; these helpers add namespace-blind look-ups, since SAFE,
SEN3 and the MTD files use namespaces that change between processing baselines.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..errors import UnsupportedProduct

__all__ = ["find", "findall", "iter_local", "local", "parse", "text"]


def parse(data: bytes, where: str = "XML") -> Any:
    """The root element of ``data``; :class:`UnsupportedProduct` for hostile or broken XML."""
    import defusedxml.ElementTree as ET
    from defusedxml import DefusedXmlException

    try:
        return ET.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as err:
        raise UnsupportedProduct(
            f"{where} was refused: it declares a DTD or entities ({type(err).__name__}); "
            "product metadata never does"
        ) from err
    except ET.ParseError as err:
        raise UnsupportedProduct(f"{where} is not well-formed XML: {err}") from err


def local(tag: str) -> str:
    """A tag without its namespace: ``{ns}Band`` -> ``Band``."""
    return tag.rsplit("}", 1)[-1]


def iter_local(element: Any, name: str) -> Iterator[Any]:
    """Descendants (and ``element`` itself) whose tag, without namespace, is ``name``."""
    for e in element.iter():
        if local(e.tag) == name:
            yield e


def findall(element: Any, path: str) -> list[Any]:
    """Elements at the ``/``-separated ``path`` of local names below ``element``.

    A leading ``//`` searches at any depth for the first step.
    """
    deep = path.startswith("//")
    steps = path.strip("/").split("/")
    current = list(iter_local(element, steps[0])) if deep else _children(element, steps[0])
    for step in steps[1:]:
        current = [c for e in current for c in _children(e, step)]
    return current


def find(element: Any, path: str) -> Any | None:
    """The first element at ``path`` (see :func:`findall`), or None."""
    found = findall(element, path)
    return found[0] if found else None


def text(element: Any, path: str, default: str | None = None) -> str | None:
    """The stripped text of the first element at ``path``, or ``default``."""
    e = find(element, path)
    if e is None or e.text is None:
        return default
    return e.text.strip()


def _children(element: Any, name: str) -> list[Any]:
    return [c for c in element if local(c.tag) == name]
