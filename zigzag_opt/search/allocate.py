"""ZigZag's LOMA memory allocation, vectorised over many loop orderings of one problem.

For every ordering (innermost loop first) the memories are filled bottom-up: at each memory, each operand it
holds may take the next i unallocated loops as long as its tile fits; operands sharing the memory pick the
combination of prefixes that fits together and minimises Σ (iterations left above) × tile bits, ties going to
the last combination enumerated; an operand's top memory takes all it can, and must take everything. Orderings
for which ZigZag raises (a memory too small even for what is below it, a hierarchy too small for the layer)
come back invalid. Shapes: N orderings, L loops, D layer dims.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from zigzag_opt.cost.batch import MappingBatch
from zigzag_opt.cost.model import has_kernel
from zigzag_opt.cost.problem import ProblemArrays

__all__ = ["AllocationResult", "allocate_orderings"]

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]
B1 = npt.NDArray[np.bool_]


@dataclass(frozen=True, slots=True)
class AllocationResult:
    """`batch` holds every ordering with its cuts; `valid[n]` is False where ZigZag's allocator would raise."""

    batch: MappingBatch
    valid: B1


def _tile_bits(prob: ProblemArrays, x: int, dim_sizes: F64, precision: F64) -> F64:
    """Bits of operand x's tile for per-dim loop products `dim_sizes[..., D]`, multiplied in ZigZag's order
    (relevant dims in the operand's index order, then derived dims, then × precision) so float ties break alike."""
    t = prob.operands[x]
    size = np.ones(dim_sizes.shape[:-1])
    for d in t.r_order:
        size = size * dim_sizes[..., d]
    for a, ca, b, cb, total in t.pr:
        va, vb = np.trunc(dim_sizes[..., a]), np.trunc(dim_sizes[..., b])
        g = int(np.gcd(ca, cb))
        span = va * vb - np.maximum(0.0, vb - ca // g) * (va - cb // g)
        size = size * np.minimum(float(total), span)
    out: F64 = size * precision
    return out


def _folded_prefixes(run: F64, factors: F64, taken: I64) -> F64:
    """[N, L+1, D]: the running per-dim products after taking loops taken..k-1 on top of `run`, folded one loop
    at a time as ZigZag recomputes them (entries k < taken repeat `run`)."""
    n, n_loops, n_dims = factors.shape
    out = np.empty((n, n_loops + 1, n_dims))
    cur = run.copy()
    out[:, 0] = cur
    for j in range(n_loops):
        cur = np.where((j >= taken)[:, None], cur * factors[:, j], cur)
        out[:, j + 1] = cur
    return out


def allocate_orderings(prob: ProblemArrays, dims: I64, sizes: I64) -> AllocationResult:
    """Allocate N orderings (`dims[n, l]` problem dim index, `sizes[n, l]` trip count; same length L) the way
    ZigZag's `MemoryAllocator` does (uneven mapping): by the compiled kernel (`_allocate_kernel`) when the cost
    model runs compiled, else by the numpy steps below (the same numbers)."""
    if has_kernel():
        from zigzag_opt.search._allocate_kernel import allocate_kernel

        cuts, valid, total = allocate_kernel(prob, dims, sizes)
        n, n_loops = dims.shape
        batch = MappingBatch(dim=dims, size=sizes, n_loops=np.full(n, n_loops, dtype=np.int64), cuts=cuts)
        return AllocationResult(batch=batch, valid=valid & np.isfinite(total))
    return _allocate_numpy(prob, dims, sizes)


def _allocate_numpy(prob: ProblemArrays, dims: I64, sizes: I64) -> AllocationResult:
    n, n_loops = dims.shape
    onehot = dims[:, :, None] == np.arange(len(prob.dims))[None, None, :]
    factors = np.where(onehot, sizes[:, :, None].astype(np.float64), 1.0)  # [N, L, D]
    prefix = np.concatenate([np.ones((n, 1)), np.cumprod(sizes.astype(np.float64), axis=1)], axis=1)  # [N, L+1]
    total = prefix[:, -1]
    n_ops = len(prob.operands)
    taken = np.zeros((n, n_ops), dtype=np.int64)
    level_of = [0] * n_ops
    run = [np.broadcast_to(t.frac.level_factors[0], (n, len(prob.dims))).copy() for t in prob.operands]
    cuts = np.full((n, n_ops, max(t.n_levels for t in prob.operands)), n_loops, dtype=np.int64)
    valid = np.ones(n, dtype=bool)
    o_ir = prob.alloc_o_ir_loops(dims)  # [N, L] output-irrelevant temporal loops
    last_oir = np.max(np.where(o_ir, np.arange(n_loops)[None, :], -1), axis=1) if n_loops else np.full(n, -1)
    k_range = np.arange(n_loops + 1)[None, :]
    for node in prob.alloc_nodes:
        options = []
        folded = {}
        for x in node.operands:
            t = prob.operands[x]
            lvl = level_of[x]
            if t.is_output:
                partial = t.frac.ir_dim_above[lvl + 1] | (last_oir >= taken[:, x])
                prec = np.where(partial, float(prob.o_partial_bits), float(prob.o_final_bits))
            else:
                prec = np.full(n, float(t.precision))
            folded[x] = _folded_prefixes(run[x], factors, taken[:, x])
            bits = _tile_bits(prob, x, folded[x], prec[:, None])  # [N, L+1]
            if node.double_buffered:
                whole = bits[:, -1:]
                bits = np.where((k_range < n_loops) & (bits < whole), bits * 2, bits)
            fits = bits <= node.capacity
            beyond = k_range >= taken[:, x : x + 1]
            bad = beyond & ~fits
            first_bad = np.where(bad.any(axis=1), np.argmax(bad, axis=1), n_loops + 1)
            valid &= first_bad > taken[:, x]  # even the tile already below must fit
            last_ok = first_bad - 1
            allowed = beyond & (k_range <= last_ok[:, None])
            if node.is_top[x]:
                allowed = k_range == last_ok[:, None]
                traffic = np.zeros_like(bits)
            else:
                traffic = (total[:, None] / prefix) * bits
            options.append((x, bits, traffic, allowed))
        chosen = _best_combination(options, node.capacity, taken, n_loops, valid)
        rows = np.arange(n)
        for (x, _, _, _), k in zip(options, chosen, strict=True):
            taken[:, x] = k
            cuts[:, x, level_of[x]] = k
            if node.is_top[x]:
                valid &= k == n_loops
            level_of[x] += 1
            nxt = prob.operands[x].frac.level_factors
            run[x] = folded[x][rows, k] * (nxt[level_of[x]] if level_of[x] < nxt.shape[0] else 1.0)
    batch = MappingBatch(dim=dims, size=sizes, n_loops=np.full(n, n_loops, dtype=np.int64), cuts=cuts)
    return AllocationResult(batch=batch, valid=valid & np.isfinite(total))


def _best_combination(
    options: list[tuple[int, F64, F64, B1]], capacity: float, taken: I64, n_loops: int, valid: B1
) -> list[I64]:
    """Per ordering, the prefix lengths (one per operand) that fit together with the least traffic above;
    ties go to the combination ZigZag enumerates last (first operand varying slowest). Orderings where none fits
    become invalid (`valid` is updated in place)."""
    if not options:
        return []
    n = taken.shape[0]
    k = n_loops + 1
    shape = (n,) + (k,) * len(options)
    size_sum = np.zeros(shape)
    traffic_sum = np.zeros(shape)
    ok = np.ones(shape, dtype=bool)
    for i, (_, bits, traffic, allowed) in enumerate(options):
        view = [n] + [1] * len(options)
        view[i + 1] = k
        size_sum = size_sum + np.where(allowed, bits, 0.0).reshape(view)
        traffic_sum = traffic_sum + np.where(allowed, traffic, 0.0).reshape(view)
        ok = ok & allowed.reshape(view)
    # ZigZag raises when even the smallest combination overflows the shared memory
    smallest = np.zeros(n)
    for _, bits, _, allowed in options:
        first = np.argmax(allowed, axis=1)
        smallest = smallest + bits[np.arange(n), first]
    valid &= smallest <= capacity
    ok = ok & (size_sum <= capacity)
    score = np.where(ok, traffic_sum, np.inf).reshape(n, -1)
    best = np.min(score, axis=1)
    flat = score.shape[1] - 1 - np.argmax((score == best[:, None])[:, ::-1], axis=1)
    valid &= np.isfinite(best)
    return [np.asarray(c, dtype=np.int64) for c in np.unravel_index(flat, (k,) * len(options))]
