"""Each product's files (path, size, MD5), packed small enough to ship next to the sums.

A STAC item lists every file of a folder product with its ``file:size`` and ``file:checksum``;
those need each file's bytes, so a page of never-built products would build every product on
it (minutes for a 1000-item page). :mod:`.sums_pack` therefore ships them too, built by the
same run that computes the product sums. Sizes and MD5s are arrays (16 bytes of digest a file:
the bulk, incompressible); the paths are stored as shared templates: the product's own tokens
(runs of letters and digits that contain a digit, such as tile ids, dates and orbit numbers)
are replaced by references into a short per-product token list, so the 40 paths of every
Sentinel-2 L2A product are one template and ~70 bytes of tokens.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

__all__ = ["FileRows", "Listings", "decode", "encode"]

#: (relative path, size, MD5 hex) of each file of one product, sorted by path.
FileRows = list[tuple[str, int, str]]

_TOKEN = re.compile(r"[A-Za-z0-9]*[0-9][A-Za-z0-9]*")
#: Token references are private-use characters (never in a product's file names).
_BASE = 0xE000
_SEP = "\x1f"


def encode(paths: Sequence[str]) -> tuple[str, str]:
    """``(template, tokens)`` of the paths: tokens with a digit become references."""
    tokens: dict[str, int] = {}

    def ref(match: re.Match[str]) -> str:
        return chr(_BASE + tokens.setdefault(match.group(0), len(tokens)))

    template = "\n".join(_TOKEN.sub(ref, path) for path in paths)
    return template, _SEP.join(tokens)


def decode(template: str, tokens: str) -> list[str]:
    """The paths :func:`encode` made ``(template, tokens)`` of."""
    table = {_BASE + i: token for i, token in enumerate(tokens.split(_SEP))}
    return template.translate(table).split("\n")


@dataclass(frozen=True)
class Listings:
    """The file rows of a pack's products, in the pack's product order."""

    starts: np.ndarray  # uint32 (n + 1): product i's files are rows starts[i]:starts[i+1]
    sizes: np.ndarray  # uint64 (m)
    md5: np.ndarray  # (m, 16) uint8
    template_of: np.ndarray  # uint32 (n): index into templates
    templates: np.ndarray  # str (t)
    tokens: np.ndarray  # str (n)

    @classmethod
    def build(cls, rows: Sequence[FileRows]) -> Listings:
        """The listings of products whose files are ``rows`` (one list per product)."""
        templates: dict[str, int] = {}
        template_of, tokens, sizes, digests, starts = [], [], [], [], [0]
        for files in rows:
            template, own = encode([path for path, _, _ in files])
            template_of.append(templates.setdefault(template, len(templates)))
            tokens.append(own)
            sizes += [size for _, size, _ in files]
            digests += [md5 for _, _, md5 in files]
            starts.append(len(sizes))
        md5 = np.frombuffer(bytes.fromhex("".join(digests)), dtype=np.uint8).reshape(-1, 16)
        return cls(
            starts=np.array(starts, dtype=np.uint32),
            sizes=np.array(sizes, dtype=np.uint64),
            md5=md5,
            template_of=np.array(template_of, dtype=np.uint32),
            templates=np.array(list(templates) or [""], dtype=str),
            tokens=np.array(tokens or [""], dtype=str),
        )

    def files(self, i: int) -> FileRows:
        """Product ``i``'s file rows."""
        template = str(self.templates[int(self.template_of[i])])
        paths = decode(template, str(self.tokens[i]))
        start, stop = int(self.starts[i]), int(self.starts[i + 1])
        if stop - start != len(paths):
            raise ValueError(f"listing {i}: {len(paths)} paths for {stop - start} files")
        digests = self.md5[start:stop].tobytes().hex()
        sizes = self.sizes[start:stop].tolist()
        return [(path, sizes[k], digests[32 * k : 32 * k + 32]) for k, path in enumerate(paths)]

    def arrays(self) -> dict[str, np.ndarray]:
        """The arrays to store, by name (``files_`` prefixed, next to a pack's own)."""
        return {f"files_{k}": v for k, v in self.__dict__.items()}

    @classmethod
    def from_arrays(cls, data: dict[str, np.ndarray] | object) -> Listings | None:
        """The listings stored by :meth:`arrays` in ``data`` (an npz), None if it has none."""
        names = ("starts", "sizes", "md5", "template_of", "templates", "tokens")
        try:
            return cls(**{k: data[f"files_{k}"] for k in names})  # type: ignore[index]
        except KeyError:
            return None
