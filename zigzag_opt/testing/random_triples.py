"""Seeded random LEGAL (layer, accelerator, mapping) triples in ZigZag's own terms, for differential tests.

A triple is a bundled digital ZigZag accelerator, one layer in ZigZag's workload-YAML dict format, a spatial mapping
(``{"D1": {"K": 8}, "D2": {"C": 2, "FX": 3}}``) and a fixed uneven temporal mapping (per layer operand, per memory
level of that operand, innermost first, the loops before ZigZag's stationary merge-down). Every returned triple is
one that ZigZag 3.9.1 evaluates without error, whose spatial mapping ZigZag uses unchanged (no reduction to the
array, layer, bandwidth or capacity) and whose temporal mapping fits every memory (ZigZag's shared utilization <= 1
at every level).

Layers: ResNet-18 convolution shapes (7x7 stride 2, 3x3 stride 1 and 2, 1x1 stride 2 downsample, the FC layer as a
1x1 conv), in the style of ZigZag's ``resnet18.yaml`` or of its ONNX parser (group dim, input sizes and padding); a
GEMM (``O[d0][d1]+=I[d0][d2]*W[d2][d1]``); a depthwise conv as ZigZag's ONNX parser builds it (G dim, K = C = 1).
Optionally scaled down, so that ZigZag evaluates them fast.

Generation is rejection sampling with bounded tries; all randomness comes from the given numpy ``Generator``, so a
seed gives the same triples on every run.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from zigzag_opt.testing.zigzag_oracle import DEFAULT_LINKS, OracleProblem, OracleResult, evaluate_fixed

__all__ = [
    "DIGITAL_ACCELERATORS",
    "LAYER_TEMPLATES",
    "Triple",
    "random_layer",
    "random_triple",
    "random_triples",
]

DIGITAL_ACCELERATORS: tuple[str, ...] = (
    "tpu_like",
    "edge_tpu_like",
    "ascend_like",
    "meta_prototype",
    "tesla_npu_like",
    "eyeriss_like",
    "gemm_l1",
    "gemm_l1_l3",
    "generic_array_cacti",
)
"""The bundled digital ZigZag hardware examples (all evaluate with ZigZag 3.9.1's cost model)."""

Temporal = dict[str, list[list[tuple[str, int]]]]


@dataclass(frozen=True)
class Triple:
    """One legal evaluation input. `accelerator` is a bundled ZigZag hardware name; `layer` a ZigZag workload-YAML
    layer dict; `spatial` per OA dim the unrolled layer dims; `temporal` per layer operand per memory level
    (innermost first) the loops, innermost first; `links` layer operand -> memory operand."""

    accelerator: str
    layer: dict[str, Any]
    spatial: dict[str, dict[str, int]]
    temporal: Temporal
    links: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_LINKS))

    @property
    def ordering(self) -> list[tuple[str, int]]:
        """The complete temporal ordering, innermost first (the same for every operand)."""
        first = next(iter(self.temporal.values()))
        return [loop for level in first for loop in level]

    def evaluate(self) -> OracleResult:
        """ZigZag's numbers for this triple."""
        return evaluate_fixed(self.accelerator, self.layer, self.spatial, self.temporal, links=self.links)

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (tuples become lists)."""
        return {
            "accelerator": self.accelerator,
            "layer": self.layer,
            "spatial": self.spatial,
            "temporal": {op: [[[d, s] for d, s in lvl] for lvl in lvls] for op, lvls in self.temporal.items()},
            "links": self.links,
        }


# --------------------------------------------------------------------------------------------------------------
# Layers
# --------------------------------------------------------------------------------------------------------------

# name: (K, C, OX = OY, FX = FY, stride, ONNX padding)
_RESNET18: dict[str, tuple[int, int, int, int, int, int]] = {
    "conv1_7x7_s2": (64, 3, 112, 7, 2, 3),
    "conv2_3x3_s1": (64, 64, 56, 3, 1, 1),
    "conv3_3x3_s1": (128, 128, 28, 3, 1, 1),
    "conv4_3x3_s1": (256, 256, 14, 3, 1, 1),
    "conv5_3x3_s1": (512, 512, 7, 3, 1, 1),
    "conv3_1_3x3_s2": (128, 64, 28, 3, 2, 1),
    "conv4_1_3x3_s2": (256, 128, 14, 3, 2, 1),
    "conv5_1_3x3_s2": (512, 256, 7, 3, 2, 1),
    "downsample3_1x1_s2": (128, 64, 28, 1, 2, 0),
    "downsample4_1x1_s2": (256, 128, 14, 1, 2, 0),
    "downsample5_1x1_s2": (512, 256, 7, 1, 2, 0),
    "fc_1x1": (1000, 512, 1, 1, 1, 0),
}
# name: (G, OX = OY, FX = FY, stride, padding)
_DEPTHWISE: dict[str, tuple[int, int, int, int, int]] = {
    "depthwise_3x3_s1": (64, 56, 3, 1, 1),
    "depthwise_3x3_s2": (128, 28, 3, 2, 1),
    "depthwise_3x3_s1_small": (256, 14, 3, 1, 1),
}
_GEMM: dict[str, tuple[int, int, int]] = {"gemm_128": (128, 128, 128), "gemm_64x256x96": (64, 256, 96)}

LAYER_TEMPLATES: tuple[str, ...] = (*_RESNET18, *_DEPTHWISE, *_GEMM)
"""Names of the layer shapes `random_layer` draws from."""

_PRECISION = {"W": 8, "I": 8, "O": 16, "O_final": 8}
_GEMM_PRECISION = {"W": 8, "I": 8, "O": 32, "O_final": 8}


def _pick(rng: np.random.Generator, items: Sequence[Any]) -> Any:
    return items[int(rng.integers(len(items)))]


def _shrink(rng: np.random.Generator, size: int, max_exp: int) -> int:
    exponent = int(rng.integers(0, max_exp + 1))
    return max(1, size >> exponent)


def _conv_layer(
    name: str, k: int, c: int, ox: int, fx: int, stride: int, pad: int, *, onnx_style: bool, g: int = 1
) -> dict[str, Any]:
    relations = [f"ix={stride}*ox+1*fx", f"iy={stride}*oy+1*fy"]
    if not onnx_style:
        return {
            "id": 0,
            "name": name,
            "operator_type": "Conv",
            "equation": "O[b][k][oy][ox]+=W[k][c][fy][fx]*I[b][c][iy][ix]",
            "dimension_relations": relations,
            "loop_dims": ["B", "K", "C", "OY", "OX", "FY", "FX"],
            "loop_sizes": [1, k, c, ox, ox, fx, fx],
            "operand_precision": dict(_PRECISION),
            "operand_source": {"I": 0, "W": 0},
        }
    ix = ox * stride if stride > 1 else ox + fx - 1 - 2 * pad
    return {
        "id": 0,
        "name": name,
        "operator_type": "Conv",
        "equation": "O[b][g][k][oy][ox]+=W[g][k][c][fy][fx]*I[b][g][c][iy][ix]",
        "dimension_relations": relations,
        "loop_dims": ["B", "K", "G", "OX", "OY", "C", "FX", "FY"],
        "loop_sizes": [1, k, g, ox, ox, c, fx, fx],
        "operand_precision": dict(_PRECISION),
        "operand_source": {"I": 0, "W": 0},
        "pr_loop_dims": ["IX", "IY"],
        "pr_loop_sizes": [ix, ix],
        "padding": [[pad, pad], [pad, pad]],
    }


def random_layer(rng: np.random.Generator, *, scale_down: float = 0.8, template: str | None = None) -> dict[str, Any]:
    """A layer dict in ZigZag's workload-YAML format, drawn from `LAYER_TEMPLATES` (or the named `template`).

    With probability `scale_down` the channel dims are divided by up to 8 and the spatial dims by up to 8 (power
    of two steps, at least 1), which keeps ZigZag fast. ResNet-18 convs come in ZigZag's YAML style or in its ONNX
    parser's style (G dim of 1, input sizes and padding), at random.
    """
    name = template if template is not None else str(_pick(rng, LAYER_TEMPLATES))
    small = bool(rng.random() < scale_down)
    if name in _RESNET18:
        k, c, ox, fx, stride, pad = _RESNET18[name]
        if small:
            k, c, ox = _shrink(rng, k, 3), _shrink(rng, c, 3), _shrink(rng, ox, 3)
        return _conv_layer(name, k, c, ox, fx, stride, pad, onnx_style=bool(rng.random() < 0.5))
    if name in _DEPTHWISE:
        g, ox, fx, stride, pad = _DEPTHWISE[name]
        if small:
            g, ox = _shrink(rng, g, 3), _shrink(rng, ox, 3)
        return _conv_layer(name, 1, 1, ox, fx, stride, pad, onnx_style=True, g=g)
    if name in _GEMM:
        sizes = [_shrink(rng, s, 3) if small else s for s in _GEMM[name]]
        return {
            "id": 0,
            "name": name,
            "operator_type": "Gemm",
            "equation": "O[d0][d1]+=I[d0][d2]*W[d2][d1]",
            "dimension_relations": [],
            "loop_dims": ["D0", "D1", "D2"],
            "loop_sizes": sizes,
            "operand_precision": dict(_GEMM_PRECISION),
            "operand_source": {"I": 0, "W": 0},
        }
    raise ValueError(f"unknown layer template {name!r}; known: {', '.join(LAYER_TEMPLATES)}")


# --------------------------------------------------------------------------------------------------------------
# Spatial mapping
# --------------------------------------------------------------------------------------------------------------


def _divisors(n: int) -> list[int]:
    return [d for d in range(1, n + 1) if n % d == 0]


def _random_factor(rng: np.random.Generator, size: int, cap: int) -> int:
    """An unroll factor in [2, cap] for a dim of `size`: mostly a divisor of `size` (larger ones likelier),
    otherwise any value (a non-divisible, greedy unrolling)."""
    divisors = [d for d in _divisors(size) if 2 <= d <= cap]
    if divisors and rng.random() < 0.75:
        weights = np.asarray(divisors, dtype=float)
        return int(divisors[int(rng.choice(len(divisors), p=weights / weights.sum()))])
    return int(rng.integers(2, cap + 1))


def _random_spatial(
    rng: np.random.Generator,
    oa_sizes: Mapping[str, int],
    layer_sizes: Mapping[str, int],
    max_unrolling: Mapping[str, Mapping[str, int]],
) -> dict[str, dict[str, int]]:
    """Random unrollings within the array, the layer and ZigZag's per-OA-dim bandwidth limit: per OA dim none,
    one layer dim, or two (mixed)."""
    used = dict.fromkeys(layer_sizes, 1)
    spatial: dict[str, dict[str, int]] = {}
    for oa, oa_size in oa_sizes.items():
        candidates = [d for d, s in layer_sizes.items() if min(max_unrolling[oa].get(d, 1), s // used[d]) >= 2]
        draw = rng.random()
        if not candidates or draw < 0.1:
            continue
        n_dims = 2 if draw > 0.7 and len(candidates) > 1 else 1
        dims = [candidates[int(i)] for i in rng.choice(len(candidates), size=n_dims, replace=False)]
        budget = oa_size
        entry: dict[str, int] = {}
        for dim in dims:
            cap = min(max_unrolling[oa].get(dim, 1), budget, layer_sizes[dim] // used[dim])
            if cap < 2:
                continue
            factor = _random_factor(rng, layer_sizes[dim] // used[dim], cap)
            entry[dim] = factor
            used[dim] *= factor
            budget //= factor
        if entry:
            spatial[oa] = entry
    return spatial


# --------------------------------------------------------------------------------------------------------------
# Temporal mapping
# --------------------------------------------------------------------------------------------------------------


def _prime_factors(n: int) -> list[int]:
    factors: list[int] = []
    p = 2
    while p * p <= n:
        while n % p == 0:
            factors.append(p)
            n //= p
        p += 1
    if n > 1:
        factors.append(n)
    return factors


def _random_ordering(rng: np.random.Generator, loops: Mapping[str, int], first_dim: str) -> list[tuple[str, int]]:
    """The temporal loops in random order, each dim either whole or split into random groups of its prime
    factors. No loops left: one loop of size 1 on the layer's first dim, as LOMA does."""
    if not loops:
        return [(first_dim, 1)]
    pieces: list[tuple[str, int]] = []
    for dim, size in loops.items():
        primes = _prime_factors(size)
        if len(primes) > 1 and rng.random() < 0.5:
            order = rng.permutation(len(primes))
            group = primes[int(order[0])]
            for idx in order[1:]:
                if rng.random() < 0.5:
                    group *= primes[int(idx)]
                else:
                    pieces.append((dim, group))
                    group = primes[int(idx)]
            pieces.append((dim, group))
        else:
            pieces.append((dim, size))
    return [pieces[int(i)] for i in rng.permutation(len(pieces))]


class _Sizer:
    """Per-instance footprint (bits) of an operand at a memory level for a cut of the ordering, computed with
    ZigZag's own tensor-size rule (a pre-check; ZigZag's cost-model utilization has the last word)."""

    def __init__(self, problem: OracleProblem, ordering: Sequence[tuple[str, int]]) -> None:
        self.problem = problem
        self.layer = problem.layer
        self.ordering = list(ordering)
        self.ops = {str(op): op for op in self.layer.layer_operands}
        self.ldim = {str(d): d for d in self.layer.layer_dims}
        sm = problem.spatial_mapping
        self.spatial = {
            op: [[(str(d), float(f)) for d, f in sm.get_unrolling(obj, lvl)] for lvl in range(sm.arch_level[obj])]
            for op, obj in self.ops.items()
        }
        self.ir = {
            op: {str(d) for d in self.layer.loop_relevancy_info.get_ir_layer_dims(obj)} for op, obj in self.ops.items()
        }
        self.precision = {str(k): int(v) for k, v in self.layer.operand_precision.data.items()}
        self.precision["O_final"] = int(self.layer.operand_precision.final_output_precision)
        self.dim_sizes_cls = type(self.layer.layer_dim_sizes)

    def bits(self, op: str, level: int, cut: int) -> float:
        sizes: defaultdict[Any, float] = defaultdict(lambda: 1.0)
        for lvl in range(level + 1):
            for dim, f in self.spatial[op][lvl]:
                sizes[self.ldim[dim]] *= f
        for dim, s in self.ordering[:cut]:
            sizes[self.ldim[dim]] *= s
        elements = float(self.layer.calc_tensor_size(self.ops[op], self.dim_sizes_cls(sizes)))
        if op == str(self.layer.output_operand):
            above = [d for lvl in self.spatial[op][level + 1 :] for d, _ in lvl] + [d for d, _ in self.ordering[cut:]]
            partial = any(d in self.ir[op] for d in above)
            return elements * self.precision["O" if partial else "O_final"]
        return elements * self.precision[op]


def _random_allocation(
    rng: np.random.Generator, problem: OracleProblem, ordering: Sequence[tuple[str, int]]
) -> Temporal | None:
    """Random cut points per operand, bottom-up over the memories, each level's tile fitting the memory
    (shared memories: the sum of the operands' tiles); the top level of an operand takes the rest."""
    sizer = _Sizer(problem, ordering)
    acc = problem.accelerator
    links = problem.layer.memory_operand_links
    n = len(ordering)
    levels = problem.memory_levels()
    cut = dict.fromkeys(levels, 0)
    level_idx = dict.fromkeys(levels, 0)
    cuts: dict[str, list[int]] = {op: [] for op in levels}
    for node in acc.memory_hierarchy.topological_sort():
        ops = [str(links.mem_to_layer_op(m)) for m in node.operands if links.contains_mem_op(m)]
        if not ops:
            continue
        capacity = float(node.memory_instance.size)
        choice: dict[str, int] = {}
        for op in ops:
            m = level_idx[op]
            if m == len(levels[op]) - 1:
                choice[op] = n
                continue
            hi = cut[op]
            while hi < n and sizer.bits(op, m, hi + 1) <= capacity:
                hi += 1
            choice[op] = int(rng.integers(cut[op], hi + 1))
        for _ in range(4 * n + 4):
            total = sum(sizer.bits(op, level_idx[op], choice[op]) for op in ops)
            if total <= capacity:
                break
            movable = [op for op in ops if choice[op] > cut[op] and level_idx[op] < len(levels[op]) - 1]
            if not movable:
                return None
            op = str(_pick(rng, movable))
            choice[op] = int(rng.integers(cut[op], choice[op]))
        else:
            return None
        for op in ops:
            cuts[op].append(choice[op])
            cut[op] = choice[op]
            level_idx[op] += 1
    temporal: Temporal = {}
    for op, op_cuts in cuts.items():
        if len(op_cuts) != len(levels[op]):
            return None
        bounds = [0, *op_cuts]
        temporal[op] = [list(ordering[bounds[i] : bounds[i + 1]]) for i in range(len(op_cuts))]
    return temporal


def _fits(problem: OracleProblem, temporal: Temporal) -> bool:
    """ZigZag evaluates it and every memory's shared utilization is at most 1."""
    try:
        cme = problem.cme(problem.temporal_mapping(temporal))
    except Exception:  # ZigZag raising is a rejection, whatever the exception
        return False
    return all(u <= 1.0 for values in cme.mem_utili_shared.values() for u in values)


# --------------------------------------------------------------------------------------------------------------
# Triples
# --------------------------------------------------------------------------------------------------------------


def _max_unrolling(problem: OracleProblem) -> dict[str, dict[str, int]]:
    """ZigZag's per-OA-dim maximal unrolling (layer size, array size, innermost memory bandwidth)."""
    from importlib import import_module

    gen_cls: Any = import_module("zigzag.stages.mapping.spatial_mapping_generation").SpatialMappingGeneratorStage
    stage_cls: Any = import_module("zigzag.stages.evaluation.cost_model_evaluation").CostModelStage
    generator = gen_cls([stage_cls], accelerator=problem.accelerator, layer=problem.layer)
    table = generator.get_max_unrolling()
    return {str(oa): {str(d): int(f) for d, f in dims.items()} for oa, dims in table.items()}


def random_triple(
    rng: np.random.Generator,
    accelerators: Sequence[str] = DIGITAL_ACCELERATORS,
    *,
    scale_down: float = 0.8,
    max_tries: int = 200,
    allocation_tries: int = 8,
) -> Triple:
    """A random legal triple (see the module docstring), drawn from `rng`.

    Raises ``RuntimeError`` when `max_tries` layer/spatial draws all fail (not expected with the bundled
    accelerators).
    """
    if not accelerators:
        raise ValueError("no accelerators to draw from")
    for _ in range(max_tries):
        accelerator = str(_pick(rng, list(accelerators)))
        layer = random_layer(rng, scale_down=scale_down)
        base = OracleProblem(accelerator, layer, {})
        oa_sizes = {str(d): int(s) for d, s in base.accelerator.operational_array.dimension_sizes.items()}
        layer_sizes = {str(d): int(s) for d, s in base.layer.layer_dim_sizes.items()}
        spatial = _random_spatial(rng, oa_sizes, layer_sizes, _max_unrolling(base))
        try:
            problem = OracleProblem(accelerator, layer, spatial)
        except Exception:  # ZigZag rejects the spatial mapping: draw again
            continue
        if problem.user_spatial_mapping() != spatial:
            continue  # ZigZag would reduce it (memory capacity): not a mapping it uses as given
        ordering = _random_ordering(rng, problem.temporal_loops(), str(problem.layer.layer_dims[0]))
        for _ in range(allocation_tries):
            temporal = _random_allocation(rng, problem, ordering)
            if temporal is not None and _fits(problem, temporal):
                return Triple(accelerator=accelerator, layer=layer, spatial=spatial, temporal=temporal)
    raise RuntimeError(f"no legal triple found in {max_tries} tries")


def random_triples(
    seed: int, count: int, accelerators: Sequence[str] = DIGITAL_ACCELERATORS, *, scale_down: float = 0.8
) -> Iterator[Triple]:
    """`count` triples from ``numpy.random.default_rng(seed)``."""
    rng = np.random.default_rng(seed)
    for _ in range(count):
        yield random_triple(rng, accelerators, scale_down=scale_down)
