"""Cross-trial cache of layer mapping results.

A layer's best mapping depends only on its shape, its mapping entry, the mapper options and the core it runs on;
when a later trial proposes hardware equal to an earlier one for that layer (samplers revisit discrete points
often), the layer's mapping search is skipped.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field

from zigzag_opt.search.network import LayerMapping

__all__ = ["MappingCache"]


@dataclass
class MappingCache:
    """An LRU of layer mapping results; satisfies `search.network.LayerCache`."""

    capacity: int = 4096
    hits: int = 0
    misses: int = 0
    _store: OrderedDict[tuple[object, ...], LayerMapping] = field(default_factory=OrderedDict)

    def get(self, key: tuple[object, ...]) -> LayerMapping | None:
        found = self._store.get(key)
        if found is None:
            self.misses += 1
            return None
        self._store.move_to_end(key)
        self.hits += 1
        return found

    def put(self, key: tuple[object, ...], value: LayerMapping) -> None:
        self._store[key] = value
        self._store.move_to_end(key)
        while len(self._store) > self.capacity:
            self._store.popitem(last=False)

    def __len__(self) -> int:
        return len(self._store)

    @property
    def hit_rate(self) -> float:
        total = self.hits + self.misses
        return self.hits / total if total else 0.0
