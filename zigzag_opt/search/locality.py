"""Inter-layer data locality: which memory each layer keeps its activations, outputs and weights in.

By default ZigZag maps a network layer at a time, every layer fetching its inputs from and writing its outputs to
the top memory of each operand (DRAM). With ``exploit_data_locality`` (and whenever mixed spatial mappings or IMC
are on, which switch it on too) ZigZag 3.9.1 first decides, once for the whole network, the highest memory each
layer's data must reach, then maps every layer on a copy of the core without the memories above those levels.
This module reproduces both steps as pure functions:

* `plan_levels` — the planning: per layer the target level of its activation and output memory operands and one
  network-wide weight level. A level is an index into ``core.memories`` (file order, innermost first), not a
  per-operand level.
* `core_for_layer` — the rebuild: a memory keeps an operand only if its index is at most that operand's target
  level, memories left without operands disappear, and each port keeps only the allocations of the operands that
  stay (a port left with none disappears).
* `plan_data_locality` — both, giving the core each layer is mapped on.

The rules, as ZigZag codes them (including the quirks, which are kept on purpose):

1. Each layer has an activation, a weight and an output operand, named through its mapping entry's
   ``memory_operand_links``. With one constant operand, that is the weight and the other input is the activation.
   Without constants (Add) the *second* input of the equation is the activation and the first plays the weight.
   With two constants, the activation is the first input when the layer has no dimension relation, else the
   operand indexed by the first relation's derived dim; the weight is the other constant.
2. Sizes (bits = elements × precision, outputs at the partial-sum precision ``O``): per layer the activation
   bits (the sum of both inputs for a layer without constants) and the output bits; the weight bits of the whole
   network (the weight operands of the layers that have constants).
3. The top level of each role comes from the network's first layer's links: the highest memory holding it.
4. Per layer, in topological order:
   * the activation level is lowered to the output level of the layer's *first* producer (never raised);
   * a layer with several consumers, or whose single consumer has several producers, sends its output to the top
     output level (a first layer also its activation to the top activation level);
   * otherwise every memory, from the top down, is tried. It qualifies when it holds both the next layer's
     activation operand (the layer's own, for the last layer) and the layer's output operand, or when it holds the
     weight operand. It fits when the bits of the operands it holds other than the weight operand, plus the whole
     network's weight bits if it holds the weight operand, are at most ``size_bits × instances``. For a layer
     without constants that holds both, only its output and activation count (so the network's weights are
     *not* added). A qualifying memory that fits and holds both lowers the layer's output level (and a first
     layer's activation level); one that holds the weight operand and serves all array dims lowers the
     network-wide weight level — for a layer without constants this test uses the memory's operands as listed,
     so such a layer can lower the weight level of the whole network without the weights fitting.
   * `workload_data_always_from_top_mem` (ZigZag's default False: even the network's input and output may stay on
     chip) would put the first layer's activation and the last layer's output back at the top.
5. Rebuild (``ExploitInterLayerDataLocalityStage``): the weight operand uses the weight level, except in a layer
   without constants, whose two inputs both use the activation level. A kept memory lists its operands in the
   order activation, weight, output (ZigZag rebuilds them so, and its port order, hence its latency model, follows).

Where ZigZag fails, this module extends the rules instead: a layer without producers is treated as a first
layer and one without consumers as a last layer (ZigZag crashes on a second network input or output), and a
layer whose output finds no qualifying memory raises `InputError` (ZigZag stops on an assertion).

ZigZag plans on the workload without its non-computing ONNX nodes; a `Network` already has them bridged as edges.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

from zigzag_opt.errors import InputError
from zigzag_opt.hardware.accelerator import Core
from zigzag_opt.hardware.memory import MemOperand, Memory
from zigzag_opt.mapping.spatial import OperandLinks
from zigzag_opt.mapping.spec import MappingSpec, select_spec
from zigzag_opt.workload.layer import Layer, Operand, derived_span
from zigzag_opt.workload.network import Network

__all__ = [
    "LayerLevels",
    "LayerRoles",
    "LocalityPlan",
    "core_for_layer",
    "layer_roles",
    "plan_data_locality",
    "plan_levels",
]

_UNSET = -1
_SUFFIX = "-removing-nouse-mem"


@dataclass(frozen=True, slots=True, kw_only=True)
class LayerRoles:
    """The layer operands playing activation and weight, and the memory operands of the three roles."""

    act_operand: Operand
    weight_operand: Operand
    act: MemOperand
    weight: MemOperand
    output: MemOperand
    has_constants: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class LayerLevels:
    """Target levels (indices into ``core.memories``) of one layer's memory operands.

    `weight_level` is the network-wide weight level, or the activation level for a layer without constants.
    `act_bits` (both inputs for a layer without constants) and `output_bits` are the sizes the plan used.
    """

    layer_id: int
    roles: LayerRoles
    act_level: int
    weight_level: int
    output_level: int
    act_bits: int
    output_bits: int


@dataclass(frozen=True, slots=True, kw_only=True)
class LocalityPlan:
    """Per layer (topological order) its target levels; the network-wide weight level and weight bits."""

    layers: tuple[LayerLevels, ...]
    weight_level: int
    network_weight_bits: int

    def levels(self, layer_id: int) -> LayerLevels:
        for entry in self.layers:
            if entry.layer_id == layer_id:
                return entry
        raise KeyError(layer_id)


# --------------------------------------------------------------------------------------------------------------
# Public functions
# --------------------------------------------------------------------------------------------------------------


def plan_data_locality(
    network: Network,
    core: Core,
    specs: Sequence[MappingSpec],
    *,
    workload_data_always_from_top_mem: bool = False,
) -> dict[int, Core]:
    """For each layer id, the core ZigZag maps that layer on when inter-layer data locality is on."""
    plan = plan_levels(network, core, specs, workload_data_always_from_top_mem=workload_data_always_from_top_mem)
    return {entry.layer_id: core_for_layer(core, entry) for entry in plan.layers}


def plan_levels(
    network: Network,
    core: Core,
    specs: Sequence[MappingSpec],
    *,
    workload_data_always_from_top_mem: bool = False,
) -> LocalityPlan:
    """ZigZag's ``SearchInterLayerDataLocalityStage``: target levels per layer and the network-wide weight level."""
    order = network.topological_order()
    roles = {layer.id: layer_roles(layer, _links(specs, layer)) for layer in network.layers}
    state = _State.start(network, core, roles)
    for layer in order:
        _plan_layer(state, network, layer)
    if workload_data_always_from_top_mem:
        for layer in order:
            role = roles[layer.id]
            if not _producers(network, layer.id):
                _lower(state.levels[layer.id], role.act, state.top_act)
            if not _consumers(network, layer.id):
                _lower(state.levels[layer.id], role.output, state.top_output)
    return _finish(state, order)


def core_for_layer(core: Core, levels: LayerLevels) -> Core:
    """ZigZag's ``ExploitInterLayerDataLocalityStage``: `core` without what lies above the layer's target levels."""
    roles = levels.roles
    memories: list[Memory] = []
    for index, mem in enumerate(core.memories):
        kept = [
            op
            for op, level in ((roles.act, levels.act_level), (roles.weight, levels.weight_level))
            if op in mem.operands and index <= level
        ]
        if roles.output in mem.operands and index <= levels.output_level:
            kept.append(roles.output)
        if kept:
            memories.append(_restricted(mem, tuple(kept)))
    return replace(core, name=core.name + _SUFFIX, memories=tuple(memories))


def layer_roles(layer: Layer, links: OperandLinks) -> LayerRoles:
    """ZigZag's activation / weight operand choice (``get_act_layer_op``, ``get_weight_layer_op``) and the memory
    operands the layer's links give them."""
    inputs: list[Operand] = [op for op in layer.operands() if op is not Operand.O]
    constants = list(layer.constant_operands)
    if len(inputs) < 2:
        raise InputError.one(
            "inter-layer data locality needs layers with two input operands",
            key_path=f"layer {layer.name}",
            value=[str(op) for op in layer.operands()],
        )
    if len(constants) == 1:
        weight = constants[0]
        act = [op for op in inputs if op is not weight][-1]
    elif not constants:
        act, weight = inputs[1], inputs[0]
    else:
        act = _act_of_all_constant(layer, inputs)
        weight = [op for op in constants if op is not act][-1]
    mem_of = dict(links)
    return LayerRoles(
        act_operand=act,
        weight_operand=weight,
        act=mem_of[act],
        weight=mem_of[weight],
        output=mem_of[Operand.O],
        has_constants=bool(constants),
    )


# --------------------------------------------------------------------------------------------------------------
# Planning state and the per-layer step
# --------------------------------------------------------------------------------------------------------------


@dataclass(slots=True)
class _State:
    """Mutable planning state (ZigZag's ``mem_update_list``, ``mem_update_weight`` and what they are built from)."""

    core: Core
    roles: dict[int, LayerRoles]
    io_bits: dict[int, dict[MemOperand, int]]
    network_weight_bits: int
    levels: dict[int, dict[MemOperand, int]]
    weight_level: int
    top_act: int
    top_output: int

    @classmethod
    def start(cls, network: Network, core: Core, roles: dict[int, LayerRoles]) -> _State:
        first = roles[network.layers[0].id]
        io_bits: dict[int, dict[MemOperand, int]] = {}
        levels: dict[int, dict[MemOperand, int]] = {}
        weight_bits = 0
        for layer in network.topological_order():
            role = roles[layer.id]
            levels[layer.id] = {role.act: _UNSET, role.output: _UNSET}
            if role.has_constants:
                act_bits = _operand_bits(layer, role.act_operand)
                weight_bits += _operand_bits(layer, role.weight_operand)
            else:
                act_bits = sum(_operand_bits(layer, op) for op in layer.operands() if op is not Operand.O)
            io_bits[layer.id] = {role.act: act_bits, role.output: _operand_bits(layer, Operand.O)}
        return cls(
            core=core,
            roles=roles,
            io_bits=io_bits,
            network_weight_bits=weight_bits,
            levels=levels,
            weight_level=_top_level(core, first.weight),
            top_act=_top_level(core, first.act),
            top_output=_top_level(core, first.output),
        )


def _plan_layer(state: _State, network: Network, layer: Layer) -> None:
    role = state.roles[layer.id]
    mine = state.levels[layer.id]
    producers = _producers(network, layer.id)
    consumers = _consumers(network, layer.id)
    first = not producers
    if producers:
        prev = producers[0]
        _lower(mine, role.act, state.levels[prev][state.roles[prev].output])
    branch_end = len(consumers) == 1 and len(_producers(network, consumers[0])) > 1
    if len(consumers) > 1 or branch_end:
        if first:
            _lower(mine, role.act, state.top_act)
        _lower(mine, role.output, state.top_output)
        return
    next_act = state.roles[consumers[0]].act if consumers else role.act
    for index in reversed(range(len(state.core.memories))):
        _try_memory(state, layer.id, index, next_act, first=first)


def _try_memory(state: _State, layer_id: int, index: int, next_act: MemOperand, *, first: bool) -> None:
    """One memory of ZigZag's top-down scan for one layer."""
    role = state.roles[layer_id]
    mem = state.core.memories[index]
    held = list(mem.operands)
    holds_io = next_act in held and role.output in held
    holds_weight = role.weight in held
    if not (holds_io or holds_weight):
        return
    if holds_io and not role.has_constants:
        held = [role.output, role.act]
    io_bits = state.io_bits[layer_id]
    needed = sum(io_bits[op] for op in held if op is not role.weight)
    if role.weight in held:
        needed += state.network_weight_bits
    if needed > mem.size_bits * state.core.instances(mem):
        return
    if holds_io:
        if first:
            _lower(state.levels[layer_id], role.act, index)
        _lower(state.levels[layer_id], role.output, index)
    serves_all_dims = len(set(mem.served_dims)) == len(state.core.pe_array.dims)
    if index < state.weight_level and serves_all_dims and holds_weight:
        state.weight_level = index


def _finish(state: _State, order: tuple[Layer, ...]) -> LocalityPlan:
    entries: list[LayerLevels] = []
    for layer in order:
        role = state.roles[layer.id]
        mine = state.levels[layer.id]
        unset = [str(op) for op, level in mine.items() if level < 0]
        if unset:
            raise InputError.one(
                "with inter-layer data locality every layer's activation and output need a memory level: a memory "
                "holding the output and the next layer's activation (or the weights) that fits them",
                key_path=f"memories (layer {layer.name})",
                value=unset,
                accepted="a memory (e.g. the top one) holding I1 and O, large enough",
            )
        act_level = mine[role.act]
        entries.append(
            LayerLevels(
                layer_id=layer.id,
                roles=role,
                act_level=act_level,
                weight_level=state.weight_level if role.has_constants else act_level,
                output_level=mine[role.output],
                act_bits=state.io_bits[layer.id][role.act],
                output_bits=state.io_bits[layer.id][role.output],
            )
        )
    return LocalityPlan(
        layers=tuple(entries), weight_level=state.weight_level, network_weight_bits=state.network_weight_bits
    )


# --------------------------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------------------------


def _lower(levels: dict[MemOperand, int], operand: MemOperand, target: int) -> None:
    """ZigZag's ``update_io_mem_level``: set an unset level, or lower a set one (never raise it)."""
    current = levels.get(operand)
    if current is not None and (current == _UNSET or current > target):
        levels[operand] = target


def _links(specs: Sequence[MappingSpec], layer: Layer) -> OperandLinks:
    spec = select_spec(tuple(specs), layer)
    if spec is None:
        raise InputError.one(
            "no mapping entry matches the layer (by name, operator type, or 'default')",
            key_path="mapping",
            value=layer.name,
            accepted="an entry named like the layer, its operator type, or 'default'",
        )
    return spec.operand_links


def _producers(network: Network, layer_id: int) -> tuple[int, ...]:
    return tuple(dict.fromkeys(network.predecessors(layer_id)))


def _consumers(network: Network, layer_id: int) -> tuple[int, ...]:
    return tuple(dict.fromkeys(network.successors(layer_id)))


def _top_level(core: Core, operand: MemOperand) -> int:
    """Index of the highest memory holding `operand` (-1 if none)."""
    return max((i for i, mem in enumerate(core.memories) if operand in mem.operands), default=_UNSET)


def _act_of_all_constant(layer: Layer, inputs: Sequence[Operand]) -> Operand:
    """Both inputs constant: the first input without relations, else the (last) operand indexed by the first
    relation's derived dim."""
    if not layer.relations:
        return inputs[0]
    derived = layer.relations[0].derived
    indexed = [op for op in layer.operands() if derived in layer.indices(op)]
    return indexed[-1] if indexed else inputs[0]


def _operand_bits(layer: Layer, operand: Operand) -> int:
    """ZigZag's ``operand_size_bit``: tensor elements × precision (outputs at the partial-sum precision).

    An operand indexed by a derived dim counts *every* derived dim of the layer (ZigZag gives such an operand the
    layer's whole pr-loop set), each at min(given or padded extent, full span), and its other indices except the
    dims used in relations.
    """
    bits = layer.precision.bits(operand, partial=True)
    indices = layer.indices(operand)
    derived = tuple(dict.fromkeys(rel.derived for rel in layer.relations))
    if not any(d in derived for d in indices):
        return int(math.prod(layer.size(d) for d in indices) * bits)
    in_relations = set(derived) | {d for rel in layer.relations for d, _ in rel.terms}
    elements = math.prod(layer.size(d) for d in indices if d not in in_relations)
    for name in derived:
        elements *= _derived_extent(layer, name)
    return int(elements * bits)


def _derived_extent(layer: Layer, name: str) -> int:
    rel = layer.relation(name)
    assert rel is not None  # `name` comes from layer.relations
    (dim_a, coef_a), (dim_b, coef_b) = rel.terms
    span = derived_span(coef_a, layer.size(dim_a), coef_b, layer.size(dim_b))
    return min(layer.pr_total(name), span)


def _restricted(mem: Memory, operands: tuple[MemOperand, ...]) -> Memory:
    """`mem` holding only `operands` (in that order); ports keep only their allocations, unused ports go."""
    ports = []
    for port in mem.ports:
        allocation = tuple(pair for pair in port.allocation if pair[0] in operands)
        if allocation:
            ports.append(replace(port, allocation=allocation))
    return replace(mem, operands=operands, ports=tuple(ports))
