"""ZigZag's iteration order over Python sets of its dim objects, reproduced without importing ZigZag.

ZigZag keeps layer dims and array dims in sets at several places (spatial-mapping generation, reductions, IMC's
diagonal mapping), and which element comes first decides ties. It hashes a ``LayerDim``/``OADimension`` as
``sha512(pickle(name)) XOR sha512(pickle(class))``; CPython lays out a set from its members' hashes and insertion
order only, so a set of stand-ins with the same hashes, built by the same insertions, iterates alike.
"""

from __future__ import annotations

import hashlib
import pickle
import struct
from functools import lru_cache

__all__ = ["LAYER_DIM", "OA_DIM", "zigzag_name_hash", "zigzag_set_order"]

LAYER_DIM = "LayerDim"
OA_DIM = "OADimension"
_ZZ_MODULE = "zigzag.datatypes"


def _short_unicode(text: str) -> bytes:
    data = text.encode()
    return pickle.SHORT_BINUNICODE + bytes([len(data)]) + data


def _class_pickle(module: str, name: str) -> bytes:
    """What ``pickle.dumps`` writes for the class ``module.name`` (protocol >= 4) — built, never unpickled."""
    memo = pickle.MEMOIZE
    body = _short_unicode(module) + memo + _short_unicode(name) + memo + pickle.STACK_GLOBAL + memo + pickle.STOP
    return pickle.PROTO + bytes([pickle.DEFAULT_PROTOCOL]) + pickle.FRAME + struct.pack("<Q", len(body)) + body


def _sha512_int(data: bytes) -> int:
    return int(hashlib.sha512(data).hexdigest(), 16)


@lru_cache(maxsize=4096)
def zigzag_name_hash(kind: str, name: str) -> int:
    """The hash ZigZag gives a ``LayerDim`` (names upper-cased) or an ``OADimension`` (`kind`: the class name)."""
    text = name.upper() if kind == LAYER_DIM else name
    return _sha512_int(pickle.dumps(text)) ^ _sha512_int(_class_pickle(_ZZ_MODULE, kind))


class _ZzName:
    """Stands in for a ZigZag dim object inside a Python set: same hash, equal iff same hash (as ZigZag's)."""

    __slots__ = ("_hash", "name")

    def __init__(self, kind: str, name: str) -> None:
        self.name = name
        self._hash = zigzag_name_hash(kind, name)

    def __hash__(self) -> int:
        return self._hash

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _ZzName) and other._hash == self._hash


@lru_cache(maxsize=4096)
def zigzag_set_order(kind: str, names: tuple[str, ...]) -> tuple[str, ...]:
    """Iteration order of a Python set of ZigZag `kind` objects built by adding `names` in order."""
    members: set[_ZzName] = set()
    for name in names:
        members.add(_ZzName(kind, name))
    return tuple(member.name for member in members)
