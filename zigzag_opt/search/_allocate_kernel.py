"""`allocate.allocate_orderings` as a numba kernel, one call per memory: per ordering, the loop products are folded
in place and only the prefix combinations each operand allows are visited (the numpy version builds a dense
[N, K, K, K] tensor of all of them and runs ~30 array operations per memory).

Every number and tie of the numpy version is kept: products and sums are taken in the same order, ties go to the
combination enumerated last (first operand varying slowest), and where the numpy version finds no finite best
(nothing fits, or a NaN) the choice is the last combination and the ordering is invalid. Imported lazily (numba),
like `zigzag_opt.cost.kernel`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, TypeVar, cast

import numba
import numpy as np
import numpy.typing as npt

__all__ = ["allocate_kernel"]

_F = TypeVar("_F", bound=Callable[..., Any])


def _jit(fn: _F) -> _F:
    return cast(_F, numba.njit(cache=True, error_model="numpy", nogil=True)(fn))


@_jit
def _node_step(
    run: npt.NDArray[np.float64],
    factors: npt.NDArray[np.float64],
    prefix: npt.NDArray[np.float64],
    taken: npt.NDArray[np.int64],
    last_oir: npt.NDArray[np.int64],
    op_i: npt.NDArray[np.int64],
    r_order: npt.NDArray[np.int64],
    pr_i: npt.NDArray[np.int64],
    op_f: npt.NDArray[np.float64],
    next_factors: npt.NDArray[np.float64],
    capacity: float,
    double_buffered: bool,
    valid: npt.NDArray[np.bool_],
    chosen: npt.NDArray[np.int64],
) -> None:
    """One memory of the allocation for every ordering: operand i of the node has `run[i]` [N, D], `taken[i]` [N];
    `op_i[i]` = (is_output, ir_dim_above, is_top, len(r_order), number of pr pairs); `op_f[i]` = (precision,
    partial bits, final bits, pr totals...); `pr_i[i, j]` = (a, ca/g, b, cb/g). Writes `chosen`, updates `run`,
    `taken` and `valid` (the numpy steps of `allocate.allocate_orderings`, operation for operation)."""
    n_opt, n, n_dims = run.shape
    n_loops = factors.shape[1]
    k = n_loops + 1
    folded = np.empty((n_opt, k, n_dims))
    bits = np.empty((n_opt, k))
    traffic = np.empty((n_opt, k))
    lo = np.empty(n_opt, dtype=np.int64)
    hi = np.empty(n_opt, dtype=np.int64)
    idx = np.empty(n_opt, dtype=np.int64)
    best_idx = np.empty(n_opt, dtype=np.int64)
    for r in range(n):
        total = prefix[r, n_loops]
        for i in range(n_opt):
            t0 = taken[i, r]
            for d in range(n_dims):
                cur = run[i, r, d]
                folded[i, 0, d] = cur
                for j in range(n_loops):
                    if j >= t0:
                        cur = cur * factors[r, j, d]
                    folded[i, j + 1, d] = cur
            if op_i[i, 0] != 0:
                partial = op_i[i, 1] != 0 or last_oir[r] >= t0
                prec = op_f[i, 1] if partial else op_f[i, 2]
            else:
                prec = op_f[i, 0]
            for kk in range(k):
                size = 1.0
                for q in range(op_i[i, 3]):
                    size = size * folded[i, kk, r_order[i, q]]
                for q in range(op_i[i, 4]):
                    va = np.trunc(folded[i, kk, pr_i[i, q, 0]])
                    vb = np.trunc(folded[i, kk, pr_i[i, q, 2]])
                    over = vb - pr_i[i, q, 1]
                    over = over if over > 0.0 or over != over else 0.0  # np.maximum(0, over): NaN stays
                    span = va * vb - over * (va - pr_i[i, q, 3])
                    cap = op_f[i, 3 + q]
                    size = size * (cap if cap <= span else span)
                bits[i, kk] = size * prec
            if double_buffered:
                whole = bits[i, n_loops]
                for kk in range(n_loops):
                    if bits[i, kk] < whole:
                        bits[i, kk] = bits[i, kk] * 2
            first_bad = n_loops + 1
            for kk in range(t0, k):
                if not bits[i, kk] <= capacity:
                    first_bad = kk
                    break
            if not first_bad > t0:  # even the tile already below must fit
                valid[r] = False
            last_ok = first_bad - 1
            if op_i[i, 2] != 0:  # the operand's top memory: exactly everything it can hold
                lo[i] = last_ok if last_ok >= 0 else -1
                hi[i] = lo[i]
                for kk in range(k):
                    traffic[i, kk] = 0.0
            else:
                lo[i] = t0 if t0 <= last_ok else -1
                hi[i] = last_ok if t0 <= last_ok else -1
                for kk in range(k):
                    traffic[i, kk] = (total / prefix[r, kk]) * bits[i, kk]
        # the combination that fits with the least traffic; ties to the last enumerated (`_best_combination`)
        smallest = 0.0
        empty = False
        for i in range(n_opt):
            smallest += bits[i, lo[i] if lo[i] >= 0 else 0]
            empty = empty or lo[i] < 0
        if not smallest <= capacity:
            valid[r] = False
        best = np.inf
        nan_seen = False
        if not empty:
            for i in range(n_opt):
                idx[i] = lo[i]
            while True:
                size = 0.0
                flow = 0.0
                for i in range(n_opt):
                    size += bits[i, idx[i]]
                    flow += traffic[i, idx[i]]
                if size <= capacity:
                    if flow != flow:
                        nan_seen = True
                    elif flow <= best:
                        best = flow
                        for i in range(n_opt):
                            best_idx[i] = idx[i]
                i = n_opt - 1
                while i >= 0:
                    idx[i] += 1
                    if idx[i] <= hi[i]:
                        break
                    idx[i] = lo[i]
                    i -= 1
                if i < 0:
                    break
        if nan_seen or best == np.inf:
            valid[r] = False
            for i in range(n_opt):
                best_idx[i] = k - 1
        for i in range(n_opt):
            c = best_idx[i]
            chosen[i, r] = c
            taken[i, r] = c
            if op_i[i, 2] != 0 and c != n_loops:
                valid[r] = False
            for d in range(n_dims):
                run[i, r, d] = folded[i, c, d] * next_factors[i, d]


def allocate_kernel(
    prob: Any, dims: npt.NDArray[np.int64], sizes: npt.NDArray[np.int64]
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.bool_], npt.NDArray[np.float64]]:
    """`allocate.allocate_orderings`' cuts, validity and loop products (see there), one kernel call per memory."""
    n, n_loops = dims.shape
    n_dims = len(prob.dims)
    onehot = dims[:, :, None] == np.arange(n_dims)[None, None, :]
    factors = np.ascontiguousarray(np.where(onehot, sizes[:, :, None].astype(np.float64), 1.0))
    prefix = np.concatenate([np.ones((n, 1)), np.cumprod(sizes.astype(np.float64), axis=1)], axis=1)
    ops = prob.operands
    o_ir = prob.alloc_o_ir_loops(dims)
    last_oir = np.max(np.where(o_ir, np.arange(n_loops)[None, :], -1), axis=1) if n_loops else np.full(n, -1)
    last_oir = np.ascontiguousarray(last_oir, dtype=np.int64)
    run = [np.broadcast_to(t.frac.level_factors[0], (n, n_dims)).astype(np.float64) for t in ops]
    taken = [np.zeros(n, dtype=np.int64) for _ in ops]
    level_of = [0] * len(ops)
    cuts = np.full((n, len(ops), max(t.n_levels for t in ops)), n_loops, dtype=np.int64)
    valid = np.ones(n, dtype=np.bool_)
    n_pr = max([len(t.pr) for t in ops] + [1])
    for node in prob.alloc_nodes:
        xs = node.operands
        m = len(xs)
        op_i = np.zeros((m, 5), dtype=np.int64)
        op_f = np.zeros((m, 3 + n_pr))
        r_order = np.zeros((m, max(n_dims, 1)), dtype=np.int64)
        pr_i = np.zeros((m, n_pr, 4), dtype=np.int64)
        next_factors = np.ones((m, n_dims))
        for i, x in enumerate(xs):
            t = ops[x]
            lvl = level_of[x]
            flags = (int(t.is_output), int(t.frac.ir_dim_above[lvl + 1]), int(node.is_top[x]))
            op_i[i] = (*flags, len(t.r_order), len(t.pr))
            op_f[i, :3] = (float(t.precision), float(prob.o_partial_bits), float(prob.o_final_bits))
            r_order[i, : len(t.r_order)] = t.r_order
            for j, (a, ca, b, cb, total) in enumerate(t.pr):
                g = math.gcd(ca, cb)
                pr_i[i, j] = (a, ca // g, b, cb // g)
                op_f[i, 3 + j] = float(total)
            nxt = t.frac.level_factors
            if lvl + 1 < nxt.shape[0]:
                next_factors[i] = nxt[lvl + 1]
        run_node = np.ascontiguousarray(np.stack([run[x] for x in xs]))
        taken_node = np.ascontiguousarray(np.stack([taken[x] for x in xs]))
        chosen = np.zeros((m, n), dtype=np.int64)
        _node_step(
            run_node, factors, prefix, taken_node, last_oir, op_i, r_order, pr_i, op_f, next_factors,
            float(node.capacity), bool(node.double_buffered), valid, chosen,
        )  # fmt: skip
        for i, x in enumerate(xs):
            run[x], taken[x] = run_node[i], taken_node[i]
            cuts[:, x, level_of[x]] = chosen[i]
            level_of[x] += 1
    return cuts, valid, prefix[:, -1]
