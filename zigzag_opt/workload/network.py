"""A network: layers plus producer→consumer edges, in a topological order."""

from __future__ import annotations

from dataclasses import dataclass

from zigzag_opt.errors import Problem, raise_if
from zigzag_opt.workload.layer import Layer

__all__ = ["Network"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Network:
    """Layers (unique ids) and edges ``(producer_id, consumer_id)``. Bridged ops (no cost) appear only as edges."""

    name: str
    layers: tuple[Layer, ...]
    edges: tuple[tuple[int, int], ...] = ()
    skipped_ops: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        raise_if(_network_problems(self))

    def layer(self, layer_id: int) -> Layer:
        for layer in self.layers:
            if layer.id == layer_id:
                return layer
        raise KeyError(layer_id)

    def topological_order(self) -> tuple[Layer, ...]:
        order = _topological_ids(self)
        assert order is not None  # checked in __post_init__
        by_id = {layer.id: layer for layer in self.layers}
        return tuple(by_id[i] for i in order)

    def successors(self, layer_id: int) -> tuple[int, ...]:
        return tuple(c for p, c in self.edges if p == layer_id)

    def predecessors(self, layer_id: int) -> tuple[int, ...]:
        return tuple(p for p, c in self.edges if c == layer_id)

    @property
    def mac_count(self) -> int:
        return sum(layer.mac_count for layer in self.layers)


def _topological_ids(net: Network) -> list[int] | None:
    """Kahn's algorithm, stable in the listed order; None when there is a cycle."""
    ids = [layer.id for layer in net.layers]
    indeg = dict.fromkeys(ids, 0)
    for _, c in net.edges:
        if c in indeg:
            indeg[c] += 1
    order: list[int] = []
    ready = [i for i in ids if indeg[i] == 0]
    while ready:
        node = ready.pop(0)
        order.append(node)
        for p, c in net.edges:
            if p == node and c in indeg:
                indeg[c] -= 1
                if indeg[c] == 0:
                    ready.append(c)
    return order if len(order) == len(ids) else None


def _network_problems(net: Network) -> list[Problem]:
    problems: list[Problem] = []
    ids = [layer.id for layer in net.layers]
    seen: set[int] = set()
    for i, lid in enumerate(ids):
        if lid in seen:
            problems.append(Problem(rule="layer ids must be unique", key_path=f"[{i}].id", value=lid))
        seen.add(lid)
    for p, c in net.edges:
        for end in (p, c):
            if end not in seen:
                problems.append(
                    Problem(
                        rule="an edge names a layer id that does not exist",
                        key_path="edges",
                        value=(p, c),
                        accepted=f"ids {sorted(seen)}",
                    )
                )
    if not problems and _topological_ids(net) is None:
        cyclic = sorted({p for p, _ in net.edges} & {c for _, c in net.edges})
        problems.append(
            Problem(
                rule="the network must be acyclic (operand_source forms a cycle)",
                key_path="operand_source",
                value=cyclic,
            )
        )
    return problems
