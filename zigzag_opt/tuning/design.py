"""Turn a design (parameter values of a `SearchSpace`) into a validated `Accelerator`.

`apply_design` works on the native document of the base accelerator (plain dicts, `io.native`):

1. layout parameters split memories into per-operand-group copies (`MemorySplit`);
2. every active parameter writes ``value × scale`` into the fields its target paths select;
3. derived rules run in order (`set`: an expression; `keep_product`: last target = total / product of the others);
4. memories marked automatic — ``auto_cost: true`` on the memory, or touched by an active parameter or rule with
   ``auto_cost: true`` — get read/write energy and area from the memory technology model (DRAMs keep theirs);
5. the document is loaded back through the native loader, so an invalid design raises `InputError` with native
   key paths (``cores[0].memories[2].ports[0].bandwidth_min_bits_per_cycle``).

It takes well under a millisecond for the bundled accelerators (one native dump, one native load).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, TypeGuard

from zigzag_opt.errors import Problem, raise_if
from zigzag_opt.hardware import Accelerator
from zigzag_opt.hardware.design_space import (
    FieldPath,
    KeepProductRule,
    LayoutParam,
    MemorySplit,
    SearchSpace,
    SetRule,
)
from zigzag_opt.hardware.expr import Number
from zigzag_opt.hardware.imc import imc_array_problems
from zigzag_opt.hardware.memory_tech import DEFAULT_TECH, MemoryTech
from zigzag_opt.io.native import accelerator_from_native, accelerator_to_native

__all__ = ["apply_design", "check_space", "design_values"]

Node = dict[str, Any] | list[Any]


@dataclass(frozen=True, slots=True)
class _Leaf:
    """One selected field: `container[key]` (possibly absent from a mapping), inside memory `memory` if any."""

    container: Node
    key: str | int
    memory: dict[str, Any] | None


class _PathError(Exception):
    def __init__(self, rule: str, accepted: str = "") -> None:
        super().__init__(rule)
        self.rule, self.accepted = rule, accepted


@dataclass(slots=True)
class _State:
    doc: dict[str, Any]
    file: str
    aliases: dict[str, tuple[str, ...]] = field(default_factory=dict)
    auto: set[int] = field(default_factory=set)  # id() of memory documents to re-cost
    problems: list[Problem] = field(default_factory=list)

    def fail(self, rule: str, key: str, value: object = None, accepted: str = "") -> None:
        self.problems.append(Problem(rule=rule, key_path=key, value=value, accepted=accepted, file=self.file))


def apply_design(
    base: Accelerator, space: SearchSpace, params: Mapping[str, object], *, tech: MemoryTech = DEFAULT_TECH
) -> Accelerator:
    """`base` with the design `params` (as returned by `SearchSpace.suggest`) written in; see the module doc.

    Raises `InputError` for values outside the space, paths that match nothing, non-integral derived values and
    any rule the resulting accelerator breaks.
    """
    values = space.checked_values(params)
    state = _State(doc=accelerator_to_native(base), file=space.file)
    for p in space.parameters:
        if isinstance(p, LayoutParam) and p.name in values:
            _apply_layout(state, p, values[p.name])
    raise_if(state.problems)
    for p in space.parameters:
        if isinstance(p, LayoutParam) or p.name not in values:
            continue
        value = _scaled(values[p.name], p.scale)
        for i, path in enumerate(p.targets):
            _write(state, path, value, f"parameters.{p.name}.targets[{i}]", auto=p.auto_cost)
    env: dict[str, Number] = {k: v for k, v in values.items() if isinstance(v, int | float) and not isinstance(v, bool)}
    for i, rule in enumerate(space.derived):
        if all(c.holds(values) for c in rule.when):
            result = _apply_rule(state, rule, env, base, f"derived[{i}]")
            if rule.name is not None and result is not None:
                env[rule.name] = result
    raise_if(state.problems)
    _recost(state, tech)
    file = f"<design of search space {space.name}>"
    acc = accelerator_from_native(state.doc, file=file)
    raise_if(
        [
            replace(p, key_path=p.key_path.replace("operational_array.", f"cores[{i}].pe_array."), file=file)
            for i, core in enumerate(acc.cores)
            if core.imc is not None
            for p in imc_array_problems(core.imc, core.pe_array.dims, core.pe_array.sizes)
        ]
    )
    return acc


def _scaled(value: object, scale: Number) -> object:
    if scale == 1 or isinstance(value, bool) or not isinstance(value, int | float):
        return value
    out = value * scale
    return int(out) if isinstance(out, float) and out.is_integer() and isinstance(value, int) else out


# --- paths -------------------------------------------------------------------------------------------------------


def _resolve(doc: dict[str, Any], path: FieldPath, aliases: Mapping[str, tuple[str, ...]]) -> list[_Leaf]:
    """Every field `path` selects in `doc` (a missing last mapping key is selected too: it will be created)."""
    nodes: list[tuple[Any, dict[str, Any] | None, str | None]] = [(doc, None, None)]  # (node, memory, via key)
    leaves: list[_Leaf] = []
    for n, (kind, arg) in enumerate(path.steps):
        last = n == len(path.steps) - 1
        nxt: list[tuple[Any, dict[str, Any] | None, str | None]] = []
        for node, memory, via in nodes:
            for key in _select(node, kind, arg, aliases, last):
                child = node.get(key) if isinstance(node, dict) else node[key]
                inner = child if via == "memories" and isinstance(node, list) and isinstance(child, dict) else memory
                if last:
                    leaves.append(_Leaf(node, key, inner))
                nxt.append((child, inner, key if isinstance(key, str) else None))
        nodes = nxt
    return leaves


def _select(node: object, kind: str, arg: str | int, aliases: Mapping[str, tuple[str, ...]], last: bool) -> list[Any]:
    if kind == "key":
        if not isinstance(node, dict):
            raise _PathError(f"cannot take key {arg!r} of a {type(node).__name__}")
        if arg not in node and not last:
            raise _PathError(f"no key {arg!r}", ", ".join(node))
        return [arg]
    if not isinstance(node, list):
        raise _PathError(f"[{arg}] needs a list, found a {type(node).__name__}")
    if kind == "all":
        return list(range(len(node)))
    if kind == "index":
        if not isinstance(arg, int) or not 0 <= arg < len(node):
            raise _PathError(f"index [{arg}] out of range", f"0..{len(node) - 1}")
        return [arg]
    wanted = {arg, *aliases.get(str(arg), ())}
    found = [i for i, item in enumerate(node) if isinstance(item, dict) and item.get("name") in wanted]
    if not found:
        names = [str(item.get("name")) for item in node if isinstance(item, dict)]
        raise _PathError(f"no item named {arg!r}", ", ".join(names))
    return found


def _leaves(state: _State, path: FieldPath, key: str) -> list[_Leaf]:
    try:
        leaves = _resolve(state.doc, path, state.aliases)
    except _PathError as exc:
        state.fail(f"the path does not fit the accelerator: {exc.rule}", key, str(path), exc.accepted)
        return []
    if not leaves:
        state.fail("the path selects no field", key, str(path))
    return leaves


def _coerced(old: object, new: object) -> object:
    """`new` in the type of the field it replaces; `ValueError` if it does not fit."""
    if isinstance(old, bool) or isinstance(new, bool):
        if isinstance(old, bool) != isinstance(new, bool) and old is not None:
            raise ValueError("a boolean field takes true or false")
        return new
    if isinstance(old, int) and isinstance(new, int | float):
        if not float(new).is_integer():
            raise ValueError("an integer field needs an integral value")
        return int(new)
    if isinstance(old, float) and isinstance(new, int | float):
        return float(new)
    if isinstance(old, dict | list):
        raise ValueError("a path must select a single value, not a mapping or a list")
    if old is not None and type(old) is not type(new):
        raise ValueError(f"the field holds a {type(old).__name__}, not a {type(new).__name__}")
    return new


def _get(leaf: _Leaf) -> object:
    c, k = leaf.container, leaf.key
    if isinstance(c, dict):
        return c.get(str(k))
    return c[int(k)]


def _set(leaf: _Leaf, value: object) -> None:
    c, k = leaf.container, leaf.key
    if isinstance(c, dict):
        c[str(k)] = value
    else:
        c[int(k)] = value


def _write(state: _State, path: FieldPath, value: object, key: str, *, auto: bool) -> None:
    for leaf in _leaves(state, path, key):
        old = _get(leaf)
        try:
            _set(leaf, _coerced(old, value))
        except ValueError as exc:
            state.fail(str(exc), key, value, f"a value like {old!r}")
            continue
        if auto and leaf.memory is not None:
            state.auto.add(id(leaf.memory))


def _read(state: _State, path: FieldPath, key: str) -> object:
    leaves = _leaves(state, path, key)
    if len(leaves) != 1:
        if leaves:
            state.fail("the path must select exactly one field here", key, str(path))
        return None
    return _get(leaves[0])


# --- derived rules ----------------------------------------------------------------------------------------------


def _apply_rule(
    state: _State, rule: SetRule | KeepProductRule, env: dict[str, Number], base: Accelerator, key: str
) -> Number | None:
    if isinstance(rule, SetRule):
        try:
            value = rule.expr(env)
        except ValueError as exc:
            state.fail(f"cannot evaluate the expression: {exc}", f"{key}.expr", rule.expr.text)
            return None
        for i, path in enumerate(rule.targets):
            _write(state, path, value, f"{key}.targets[{i}]", auto=rule.auto_cost)
        return value
    return _keep_product(state, rule, env, base, key)


def _keep_product(
    state: _State, rule: KeepProductRule, env: dict[str, Number], base: Accelerator, key: str
) -> int | None:
    current = [_read(state, p, f"{key}.targets[{i}]") for i, p in enumerate(rule.targets)]
    if not all(isinstance(v, int) and not isinstance(v, bool) and v >= 1 for v in current):
        if all(v is not None for v in current):
            state.fail("keep_product targets must hold positive integers", f"{key}.targets", current)
        return None
    total = _total(state, rule, env, base, key)
    others = math.prod(v for v in current[:-1] if isinstance(v, int))
    if total is None:
        return None
    if total % others != 0 or total < others:
        state.fail(
            "keep_product: the total is not a multiple of the product of the other targets",
            f"{key}.targets",
            {"total": total, "product of the others": others},
            f"designs whose other targets divide {total}",
        )
        return None
    last = total // others
    _write(state, rule.targets[-1], last, f"{key}.targets[{len(rule.targets) - 1}]", auto=rule.auto_cost)
    return last


def _total(state: _State, rule: KeepProductRule, env: dict[str, Number], base: Accelerator, key: str) -> int | None:
    if rule.total is None:
        base_state = _State(doc=accelerator_to_native(base), file=state.file)
        values = [_read(base_state, p, f"{key}.targets[{i}]") for i, p in enumerate(rule.targets)]
        state.problems.extend(base_state.problems)
        ints = [v for v in values if isinstance(v, int) and not isinstance(v, bool)]
        return math.prod(ints) if len(ints) == len(values) else None
    try:
        total = rule.total(env)
    except ValueError as exc:
        state.fail(f"cannot evaluate the total: {exc}", f"{key}.total", rule.total.text)
        return None
    if not float(total).is_integer() or total < 1:
        state.fail("the keep_product total must be a positive integer", f"{key}.total", total)
        return None
    return int(total)


# --- layouts -------------------------------------------------------------------------------------------------


def _apply_layout(state: _State, param: LayoutParam, choice: object) -> None:
    key = f"parameters.{param.name}"
    cores = state.doc["cores"]
    if param.core >= len(cores):
        state.fail("no core with this index", f"{key}.core", param.core, f"0..{len(cores) - 1}")
        return
    memories: list[dict[str, Any]] = cores[param.core]["memories"]
    for split in param.option(choice).splits:
        names = [m["name"] for m in memories]
        if split.memory not in names:
            state.fail(
                "no memory of this name", f"{key}.choices.{choice}.{split.memory}", split.memory, ", ".join(names)
            )
            continue
        at = names.index(split.memory)
        copies = _split(state, memories[at], split, f"{key}.choices.{choice}.{split.memory}")
        memories[at : at + 1] = copies
        if len(copies) > 1:
            state.aliases[split.memory] = tuple(c["name"] for c in copies)


def _split(state: _State, template: dict[str, Any], split: MemorySplit, key: str) -> list[dict[str, Any]]:
    held = list(template["operands"])
    copies = []
    for group, name in zip(split.groups, split.copy_names(), strict=True):
        missing = [str(op) for op in group if str(op) not in held]
        if missing:
            state.fail("a group names an operand the memory does not hold", key, missing, ", ".join(held))
            return [template]
        ops = [op for op in held if op in {str(o) for o in group}]
        ports = []
        for port in template["ports"]:
            serves = [list(pair) for pair in port["serves"] if pair[0] in ops]
            if serves:
                ports.append({**port, "serves": serves})
        copy = _tree_copy(template)
        copy.update(name=name, operands=ops, ports=ports)
        copies.append(copy)
    return copies


def _tree_copy(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _tree_copy(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_tree_copy(v) for v in node]
    return node


# --- costs ---------------------------------------------------------------------------------------------------


def _word_bits(ports: list[dict[str, Any]]) -> object:
    """As `memory_tech.memory_word_bits`: the first read port's width, else the first read-write port's."""
    for kind in ("read", "read_write"):
        for port in ports:
            if port.get("type") == kind:
                return port.get("bandwidth_max_bits_per_cycle")
    return ports[0].get("bandwidth_max_bits_per_cycle") if ports else None


def _positive_int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1


def _instances(core: dict[str, Any], mem: dict[str, Any]) -> int:
    """How many copies of `mem` the array holds: the product of the array dims it does not serve."""
    pe = core.get("pe_array", {})
    served = set(mem.get("served_dims", []))
    count = 1
    for dim, size in zip(pe.get("dims", []), pe.get("sizes", []), strict=False):
        if dim not in served and _positive_int(size):
            count *= size
    return count


def _recost(state: _State, tech: MemoryTech) -> None:
    for core in state.doc["cores"]:
        for mem in core["memories"]:
            if not (mem.get("auto_cost") or id(mem) in state.auto) or mem.get("mem_type", "sram") == "dram":
                continue
            size, width, ports = mem.get("size_bits"), _word_bits(mem.get("ports", [])), len(mem.get("ports", []))
            if not (_positive_int(size) and _positive_int(width) and ports >= 1):
                continue  # the native loader reports the bad field
            mem["read_energy_pj"] = tech.read_energy_pj(size, width, ports)
            mem["write_energy_pj"] = tech.write_energy_pj(size, width, ports)
            # ZigZag's convention: a memory's area covers all its instances (one per unserved array position)
            mem["area_mm2"] = tech.area_mm2(size, width, ports) * _instances(core, mem)


# --- checks and reading back -------------------------------------------------------------------------------------


def check_space(base: Accelerator, space: SearchSpace) -> None:
    """Check that every target path of `space` selects a field of `base` under at least one layout choice (all
    layouts as in the base, or one layout parameter at one of its choices). Raises `InputError` listing the
    paths that fit nowhere and the layouts that cannot be applied."""
    configs: list[tuple[LayoutParam, str] | None] = [None]
    configs += [(p, o.name) for p in space.parameters if isinstance(p, LayoutParam) for o in p.options]
    targets = [
        (f"parameters.{p.name}.targets[{i}]", path) for p in space.parameters for i, path in enumerate(p.targets)
    ] + [(f"derived[{n}].targets[{i}]", path) for n, r in enumerate(space.derived) for i, path in enumerate(r.targets)]
    failures: dict[str, list[Problem]] = {}
    fitted: set[str] = set()
    for config in configs:
        state = _State(doc=accelerator_to_native(base), file=space.file)
        if config is not None:
            _apply_layout(state, *config)
        if state.problems:
            failures.setdefault("layouts", []).extend(state.problems)
            continue
        for key, path in targets:
            before = len(state.problems)
            _leaves(state, path, key)
            if len(state.problems) == before:
                fitted.add(key)
            else:
                failures.setdefault(key, []).extend(state.problems[before:])
    problems = list({p.render(): p for p in failures.pop("layouts", [])}.values())
    problems += [found[0] for key, found in failures.items() if key not in fitted]
    raise_if(problems)


def design_values(base: Accelerator, space: SearchSpace) -> dict[str, object]:
    """The values of the parameters that `base` itself realises: each numeric or categorical parameter reads its
    first target (divided by its scale) and layouts take their first choice. Values outside a parameter's domain
    are kept as read; the result can seed a study (``study.enqueue_trial(space.trial_params(values))``)."""
    state = _State(doc=accelerator_to_native(base), file=space.file)
    values: dict[str, object] = {}
    for p in space.parameters:
        if not p.is_active(values):
            continue
        if isinstance(p, LayoutParam):
            values[p.name] = p.choices[0]
            continue
        if not p.targets:
            continue
        leaves = _leaves(state, p.targets[0], f"parameters.{p.name}.targets[0]")
        read = _get(leaves[0]) if leaves else None
        if isinstance(read, int | float) and not isinstance(read, bool) and p.scale != 1:
            read = read / p.scale
            read = int(read) if float(read).is_integer() else read
        if read is not None:
            values[p.name] = read
    return values
