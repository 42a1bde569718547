"""The compiled kernel (`cost.kernel`, numba) against the numpy model (`cost.model.evaluate_numpy`).

Every field of `BatchResult` must agree (floats at rel 1e-12 — in practice bit for bit — masks exactly) on ZigZag's
worked cases, on hundreds of random legal problems with LOMA-allocated mappings (random and exhaustive orderings)
and with raw, partly invalid cut points and loop nests, and on random IMC cores. The scalar rules the kernel
re-implements (numpy's floor division and remainder, pairwise summation, the window union's recursion) are checked
against numpy directly, including on inf and NaN.
"""

from __future__ import annotations

import copy
import dataclasses
import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest

pytest.importorskip("numba")

from zigzag_opt.cost import (
    BatchResult,
    MappingBatch,
    ProblemArrays,
    compile_problem,
    compile_problem_cached,
    evaluate,
    evaluate_mappings,
    evaluate_numpy,
    model,
)
from zigzag_opt.cost import kernel as K
from zigzag_opt.cost import latency as numpy_latency
from zigzag_opt.hardware import Core
from zigzag_opt.io.zigzag_compat import load_zigzag_workload
from zigzag_opt.library import load_accelerator
from zigzag_opt.mapping import SpatialMapping
from zigzag_opt.search.allocation import allocate_zigzag
from zigzag_opt.search.loma import LomaEngine
from zigzag_opt.search.random import RandomEngine

GOLDEN = json.loads((Path(__file__).resolve().parents[1] / "golden" / "worked_cases.json").read_text(encoding="utf-8"))
REL = 1e-12
F64 = npt.NDArray[np.float64]


# --------------------------------------------------------------------------------------------------------------
# Comparison and batch generation
# --------------------------------------------------------------------------------------------------------------


def _same(name: str, ours: npt.NDArray[Any], theirs: npt.NDArray[Any]) -> list[str]:
    ours, theirs = np.asarray(ours), np.asarray(theirs)
    if ours.shape != theirs.shape or ours.dtype != theirs.dtype:
        return [f"{name}: {ours.dtype}{ours.shape} vs {theirs.dtype}{theirs.shape}"]
    if ours.dtype == np.bool_:
        bad = np.argwhere(ours != theirs)
    else:
        both_nan = np.isnan(ours) & np.isnan(theirs)
        exact = (ours == theirs) | both_nan
        with np.errstate(invalid="ignore"):
            close = np.abs(ours - theirs) <= REL * np.abs(theirs)
        bad = np.argwhere(~(exact | close))
    return [f"{name}{tuple(int(i) for i in b)}: kernel {ours[tuple(b)]!r} numpy {theirs[tuple(b)]!r}" for b in bad[:3]]


def assert_same(ours: BatchResult, theirs: BatchResult, tag: str = "") -> None:
    """Every field of two `BatchResult`s agrees (floats at rel 1e-12, NaN = NaN, inf exactly; masks exactly)."""
    bad: list[str] = []
    for f in ("valid", "fits", "energy", "mem_energy", "latency", "total_cycles"):
        bad += _same(f, getattr(ours, f), getattr(theirs, f))
    assert ours.mac_energy == theirs.mac_energy
    lp = ("ideal_temporal", "stall_slack", "onloading", "offloading", "total0", "total1", "total2", "port_ss", "valid")
    for f in lp:
        bad += _same(f"parts.{f}", getattr(ours.parts, f), getattr(theirs.parts, f))
    for group in ("accesses", "energy_per_dir", "utilization"):
        assert len(getattr(ours, group)) == len(getattr(theirs, group))
        for x, (a, b) in enumerate(zip(getattr(ours, group), getattr(theirs, group), strict=True)):
            bad += _same(f"{group}[{x}]", a, b)
    for x, (a, b) in enumerate(zip(ours.parts.double_buffer, theirs.parts.double_buffer, strict=True)):
        bad += _same(f"double_buffer[{x}]", a, b)
    assert not bad, f"{tag}: kernel and numpy model differ:\n" + "\n".join(bad[:12])


def check(prob: ProblemArrays, batch: MappingBatch, tag: str = "") -> BatchResult:
    ours = K.evaluate_kernel(prob, batch)
    with np.errstate(all="ignore"):  # the numpy model warns on malformed candidates
        theirs = evaluate_numpy(prob, batch)
    assert_same(ours, theirs, tag)
    return ours


def raw_cuts(rng: np.random.Generator, batch: MappingBatch) -> MappingBatch:
    """The same loop nests with random cut points in 0..n_loops: sorted (well formed but for the top level) or not,
    a few negative (which the numpy model reads as indices from the end)."""
    n, n_ops, depth = batch.cuts.shape
    hi = batch.n_loops[:, None, None]
    cuts = np.floor(rng.random((n, n_ops, depth)) * (hi + 1)).astype(np.int64)
    keep_sorted = rng.random(n) < 0.5
    cuts[keep_sorted] = np.sort(cuts[keep_sorted], axis=2)
    negative = rng.random((n, n_ops, depth)) < 0.03
    cuts = np.where(negative, -1 - np.floor(rng.random((n, n_ops, depth)) * (hi + 1)).astype(np.int64), cuts)
    return MappingBatch(dim=batch.dim, size=batch.size, n_loops=batch.n_loops, cuts=cuts)


def top_cuts(prob: ProblemArrays, batch: MappingBatch) -> MappingBatch:
    """Cuts whose entries at and past each operand's top level equal the loop count (as `from_mappings` makes)."""
    cuts = batch.cuts.copy()
    for x, t in enumerate(prob.operands):
        cuts[:, x, t.n_levels - 1 :] = batch.n_loops[:, None]
    return MappingBatch(dim=batch.dim, size=batch.size, n_loops=batch.n_loops, cuts=cuts)


def broken_loops(rng: np.random.Generator, batch: MappingBatch) -> MappingBatch:
    """Loop nests that no longer cover the layer: a loop dropped (size 1) or resized."""
    size = batch.size.copy()
    n = size.shape[0]
    for i in range(n):
        j = int(rng.integers(0, max(1, int(batch.n_loops[i]))))
        size[i, j] = 1 if rng.random() < 0.5 else size[i, j] + 1
    return MappingBatch(dim=batch.dim, size=size, n_loops=batch.n_loops, cuts=batch.cuts)


def batches(prob: ProblemArrays, seed: int, n: int = 48) -> list[tuple[str, MappingBatch]]:
    """LOMA-allocated random and exhaustive-order mappings, the same loop nests with raw cuts, broken nests."""
    rng = np.random.default_rng(seed)
    out = []
    engine = RandomEngine(lpf_limit=None)
    engine.reset(prob, seed=seed)
    proposal = engine.ask(n)
    assert proposal is not None
    out.append(("random", proposal.batch))
    loma = LomaEngine(lpf_limit=4)
    loma.reset(prob, seed=seed)
    proposal = loma.ask(n)
    if proposal is not None:
        out.append(("loma", proposal.batch))
    base = out[0][1]
    out.append(("raw cuts", top_cuts(prob, raw_cuts(rng, base))))
    out.append(("raw cuts, any top level", raw_cuts(rng, base)))
    out.append(("broken loops", broken_loops(rng, base)))
    return out


def check_problem(prob: ProblemArrays, seed: int, tag: str) -> tuple[int, int]:
    """All batches of `batches` on one problem; returns (candidates, valid candidates)."""
    total = valid = 0
    for kind, batch in batches(prob, seed):
        res = check(prob, batch, f"{tag} {kind}")
        total += len(res)
        valid += int(res.valid.sum())
    return total, valid


# --------------------------------------------------------------------------------------------------------------
# (a) ZigZag's worked cases
# --------------------------------------------------------------------------------------------------------------


def _worked_case(name: str) -> tuple[ProblemArrays, Any]:
    inputs = GOLDEN["cases"][name]["inputs"]
    core = load_accelerator(inputs["accelerator"]).core
    sizes: dict[str, int] = inputs["memory_sizes"]
    memories = tuple(dataclasses.replace(m, size_bits=sizes[m.name]) if m.name in sizes else m for m in core.memories)
    core = dataclasses.replace(core, memories=memories)
    layer = load_zigzag_workload([inputs["layer"]], file=f"worked case {name}").layers[0]
    spatial = SpatialMapping.of(inputs["spatial"])
    temporal = allocate_zigzag(layer, core, spatial, [(str(d), int(s)) for d, s in inputs["ordering"]])
    return compile_problem(layer, core, spatial), temporal


@pytest.mark.parametrize("name", sorted(GOLDEN["cases"]))
def test_worked_cases(name: str) -> None:
    prob, temporal = _worked_case(name)
    res = evaluate_mappings(prob, [temporal])
    assert bool(res.valid[0])
    assert res.energy[0] == pytest.approx(GOLDEN["cases"][name]["result"]["energy_total"], rel=1e-6)
    assert res.latency[0] == pytest.approx(GOLDEN["cases"][name]["result"]["latency_total2"], rel=1e-6)
    assert_same(res, evaluate_numpy(prob, model._single_batch(prob, temporal)), name)
    _, valid = check_problem(prob, 0, name)
    assert valid > 0


# --------------------------------------------------------------------------------------------------------------
# (b) random legal problems (ZigZag draws them), (c) IMC cores
# --------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(4))
def test_random_problems(seed: int) -> None:
    """4 × 50 random problems on ZigZag's bundled digital accelerators, 5 batches each."""
    pytest.importorskip("zigzag")
    from zigzag_opt.testing.convert import convert_triple
    from zigzag_opt.testing.random_triples import random_triples

    total = valid = 0
    for i, triple in enumerate(random_triples(1000 + seed, 50)):
        c = convert_triple(triple)
        prob = compile_problem(c.layer, c.core, c.spatial, c.links)
        check(prob, model._single_batch(prob, c.temporal), f"triple {i}")
        n, v = check_problem(prob, i, f"triple {i}")
        total, valid = total + n, valid + v
    assert 0.2 * total < valid < total  # both valid and invalid candidates were compared


@pytest.mark.parametrize("seed", range(2))
def test_random_imc_problems(seed: int) -> None:
    pytest.importorskip("zigzag")
    from zigzag_opt.testing.random_imc import convert_imc_triple, random_imc_triples

    for i, triple in enumerate(random_imc_triples(2000 + seed, 25)):
        c = convert_imc_triple(triple)
        prob = compile_problem(c.layer, c.core, c.spatial, c.links)
        assert prob.core.imc is not None
        check(prob, model._single_batch(prob, c.temporal), f"imc triple {i}")
        check_problem(prob, i, f"imc triple {i}")


def test_library_accelerator_without_zigzag() -> None:
    """tpu_like with conv layers, strided and with fractional unrollings (K 70 and C 45 on 32-wide array dims)."""
    from zigzag_opt.testing.factories import conv_layer

    tpu: Core = load_accelerator("tpu_like").core
    fractional = 0
    for layer, spatial in (
        (conv_layer(64, 64, 4, 4, 3, 3), {"D1": {"K": 32}, "D2": {"C": 32}}),
        (conv_layer(70, 45, 7, 7, 3, 3, stride=2), {"D1": {"K": 32}, "D2": {"C": 32}}),
        (conv_layer(40, 24, 5, 5, 1, 1), {"D1": {"K": 20}, "D2": {"C": 24}}),
    ):
        prob = compile_problem(layer, tpu, SpatialMapping.of(spatial))
        fractional += K.tables_of(prob).arrays[-1][K.SAME_VIEWS] == 0.0
        check_problem(prob, 3, f"tpu_like {layer.sizes}")
    assert fractional == 1


# --------------------------------------------------------------------------------------------------------------
# Entry points, batch formats, caching, laziness
# --------------------------------------------------------------------------------------------------------------


def _tiny() -> tuple[ProblemArrays, MappingBatch]:
    prob, _ = _worked_case(sorted(GOLDEN["cases"])[0])
    engine = RandomEngine(lpf_limit=None)
    engine.reset(prob, seed=5)
    proposal = engine.ask(20)
    assert proposal is not None
    return prob, proposal.batch


def test_evaluate_uses_the_kernel_and_falls_back_to_numpy(monkeypatch: pytest.MonkeyPatch) -> None:
    prob, batch = _tiny()
    assert model.has_kernel()
    calls: list[int] = []
    monkeypatch.setattr(model, "_kernel_evaluator", [lambda p, b: calls.append(len(b)) or K.evaluate_kernel(p, b)])
    assert_same(evaluate(prob, batch), evaluate_numpy(prob, batch))
    assert calls == [len(batch)]
    monkeypatch.setattr(model, "_kernel_evaluator", [None])  # as without numba
    assert_same(evaluate(prob, batch), K.evaluate_kernel(prob, batch))
    assert calls == [len(batch)]


def test_batch_dtypes_layouts_and_sizes() -> None:
    prob, batch = _tiny()
    expected = evaluate_numpy(prob, batch)
    odd = MappingBatch(
        dim=np.asfortranarray(batch.dim.astype(np.int32)),
        size=batch.size.astype(np.int32),
        n_loops=batch.n_loops.astype(np.int32),
        cuts=np.asfortranarray(batch.cuts),
    )
    assert_same(evaluate(prob, odd), expected)
    assert_same(evaluate(prob, batch.take(slice(3, 4))), evaluate_numpy(prob, batch.take(slice(3, 4))))
    big = batch.take(np.arange(model.CHUNK + 7) % len(batch))
    ours, theirs = evaluate(prob, big), evaluate_numpy(prob, big)  # the numpy model chunks, the kernel does not
    assert_same(ours, theirs)
    for arr in (ours.energy, ours.accesses[0], ours.parts.double_buffer[0], ours.parts.port_ss):
        assert arr.flags.c_contiguous


def test_single_batch_matches_from_mappings() -> None:
    for name in sorted(GOLDEN["cases"]):
        prob, temporal = _worked_case(name)
        depth = max(t.n_levels for t in prob.operands)
        ref = MappingBatch.from_mappings([temporal], prob.dims, [t.op for t in prob.operands], depth)
        got = model._single_batch(prob, temporal)
        for f in ("dim", "size", "n_loops", "cuts"):
            np.testing.assert_array_equal(getattr(got, f), getattr(ref, f))
            assert getattr(got, f).dtype == np.int64


def test_compile_problem_cached() -> None:
    prob, _ = _worked_case(sorted(GOLDEN["cases"])[0])
    args = (prob.layer, prob.core, prob.spatial, prob.links)
    first = compile_problem_cached(*args)
    assert compile_problem_cached(*args) is first
    assert compile_problem_cached(*args[:3]) is compile_problem_cached(*args[:3])
    fresh = dataclasses.replace(prob.layer, name=prob.layer.name + "_other")
    assert compile_problem_cached(fresh, *args[1:]) is not first
    # Equal but distinct objects (a layer loaded twice) miss the identity front and hit the by-value cache.
    assert compile_problem_cached(copy.deepcopy(prob.layer), copy.deepcopy(prob.core), *args[2:]) is first


def test_tables_are_packed_once_and_not_copied_by_replace() -> None:
    prob, batch = _tiny()
    evaluate(prob, batch)
    tables = K.tables_of(prob)
    assert K.tables_of(prob) is tables
    other = dataclasses.replace(prob)
    assert other.kernel_cache == {}
    assert K.tables_of(other) is not tables


def test_import_does_not_load_numba() -> None:
    code = "import sys, zigzag_opt, zigzag_opt.cost; print('numba' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# --------------------------------------------------------------------------------------------------------------
# The scalar rules, against numpy
# --------------------------------------------------------------------------------------------------------------

SPECIAL = np.array(
    [0.0, -0.0, 1.0, -1.0, 2.0, 3.0, 7.0, -7.5, 0.5, 2.5, 1e300, 2.0**52, 2.0**53 + 2, 1e-300, np.inf, -np.inf, np.nan]
)


def test_floor_divide_and_mod_follow_numpy() -> None:
    rng = np.random.default_rng(0)
    a = np.concatenate([np.repeat(SPECIAL, SPECIAL.size), rng.integers(0, 10**6, 3000) * 1.0, rng.random(300) * 50])
    b = np.concatenate([np.tile(SPECIAL, SPECIAL.size), rng.integers(1, 500, 3000) * 1.0, rng.random(300) * 5])
    with np.errstate(all="ignore"):
        div, mod = np.floor_divide(a, b), np.mod(a, b)
    got_div = np.array([K._fdiv(x, y) for x, y in zip(a, b, strict=True)])
    got_mod = np.array([K._mod(x, y) for x, y in zip(a, b, strict=True)])
    np.testing.assert_array_equal(got_div, div)
    np.testing.assert_array_equal(got_mod, mod)
    assert np.array_equal(np.signbit(got_div), np.signbit(div)) and np.array_equal(np.signbit(got_mod), np.signbit(mod))


def test_min_max_propagate_nan() -> None:
    for x in SPECIAL:
        for y in SPECIAL:
            np.testing.assert_array_equal(K._min(x, y), np.minimum(x, y))
            np.testing.assert_array_equal(K._max(x, y), np.maximum(x, y))


def test_pairwise_sum_is_numpys() -> None:
    rng = np.random.default_rng(1)
    for m in range(1, 12):  # the energy of an operand: [N, M, 4] summed over (M, 4)
        e = rng.random((50, m, 4)) * 10.0 ** rng.integers(-3, 9, (50, m, 4))
        flat = e.reshape(50, -1)
        assert [K._pairwise_sum(flat[i], 0, 4 * m) for i in range(50)] == list(e.sum(axis=(1, 2)))
    for n in range(0, 100):
        a = rng.random(n + 3) * 10.0 ** rng.integers(-3, 9, n + 3)
        assert K._pairwise_sum(a, 3, n) == a[3:].sum()


def _uncovered_numpy(ps: F64, as_: F64) -> float:
    with np.errstate(all="ignore"):
        return float(numpy_latency._uncovered(ps[None, :], as_[None, :])[0])


def _uncovered_kernel(ps: F64, as_: F64) -> float:
    k = ps.size
    sf = np.zeros((12, k + 2))
    si = np.zeros((2, k + 2), dtype=np.int64)
    sf[K.S_PS, :k], sf[K.S_AS, :k] = ps, as_
    return float(K._uncovered(k, sf, si))


@pytest.mark.parametrize("chain", [True, False])
def test_window_union_recursion(chain: bool) -> None:
    """The kernel's O(k²) evaluation of `_uncovered` (and its term-by-term fallback for non-finite windows) equals
    the numpy model's recursion on divisibility chains, on periods that do not divide, on inf and NaN windows."""
    rng = np.random.default_rng(2 + chain)
    for _ in range(3000):
        k = int(rng.integers(1, 8))
        if chain:
            ps = np.cumprod(rng.choice([1, 1, 2, 3, 4, 5, 8], size=k)).astype(np.float64)
        else:
            ps = np.sort(rng.integers(1, 60, size=k)).astype(np.float64)
        as_ = np.floor(rng.random(k) * (ps + 1))
        as_[rng.random(k) < 0.2] = 0.0
        if rng.random() < 0.1:
            as_[rng.integers(0, k)] = rng.choice([np.inf, np.nan])
        expected, got = _uncovered_numpy(ps, as_), _uncovered_kernel(ps, as_)
        assert got == expected or (np.isnan(got) and np.isnan(expected)), (ps, as_, got, expected)


def test_environment_switch_selects_numpy() -> None:
    code = "from zigzag_opt.cost import model; print(model.has_kernel())"
    env = {**os.environ, "ZIGZAG_OPT_NUMBA": "0"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
    assert out.stdout.strip() == "False"


def test_empty_batch() -> None:
    prob, batch = _tiny()
    empty = batch.take(slice(0, 0))
    res = evaluate(prob, empty)
    assert len(res) == 0 and res.accesses[0].shape == (0, prob.operands[0].n_levels, 4)
    assert res.parts.port_ss.shape == (0, len(prob.ports))


def test_malformed_loop_counts_are_invalid_not_crashes() -> None:
    prob, batch = _tiny()
    width = batch.dim.shape[1]
    n_loops = batch.n_loops.copy()
    n_loops[:3] = (width + 1, width + 50, -1)
    cuts = batch.cuts.copy()
    cuts[3, 0, 0] = width + 7  # a cut past the loop nest
    malformed = dataclasses.replace(batch, n_loops=n_loops, cuts=cuts)
    res = evaluate(prob, malformed)
    assert not res.valid[:4].any() and np.isinf(res.energy[:4]).all() and np.isinf(res.latency[:4]).all()
    with np.errstate(all="ignore"):
        plain = evaluate_numpy(prob, malformed)  # invalid like the kernel, not an IndexError
    assert not plain.valid[:4].any() and np.isinf(plain.energy[:4]).all() and np.isinf(plain.latency[:4]).all()
    np.testing.assert_array_equal(plain.valid, res.valid)
    np.testing.assert_array_equal(plain.energy[4:], res.energy[4:])
    with np.errstate(all="ignore"):
        rest = batch.take(slice(3, None))
        assert_same(K.evaluate_kernel(prob, rest), evaluate_numpy(prob, rest))
    with pytest.raises(ValueError):
        evaluate(prob, dataclasses.replace(batch, cuts=batch.cuts[:, :, :1]))


def test_unusable_numba_falls_back_with_a_warning() -> None:
    code = (
        "import sys, warnings; sys.modules['numba'] = None\n"  # importing numba now raises ImportError
        "import importlib.util; importlib.util.find_spec = lambda name, *a: object()\n"
        "from zigzag_opt.cost import model\n"
        "with warnings.catch_warnings(record=True) as w:\n"
        "    warnings.simplefilter('always'); print(model.has_kernel(), len(w))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "1"]


def _single_mapping_cases() -> list[Any]:
    """Digital triples (some with random, partly invalid cut points) and IMC triples."""
    from zigzag_opt.testing.convert import convert_triple
    from zigzag_opt.testing.random_triples import random_triples

    cases = [convert_triple(t) for t in random_triples(31, 40)]
    if importlib.util.find_spec("zigzag") is not None:
        from zigzag_opt.testing.random_imc import convert_imc_triple, random_imc_triples

        cases += [convert_imc_triple(t) for t in random_imc_triples(32, 12)]
    return cases


def test_single_mapping_path_equals_the_batch_path() -> None:
    """`evaluate_one` reads the kernel's buffer directly (`evaluate_single`): the same numbers, and the same report,
    as the batch result of the kernel and of the numpy model."""
    from zigzag_opt.cost import evaluate_one
    from zigzag_opt.cost.model import SingleResult, evaluate_single
    from zigzag_opt.cost.report import report_from_batch

    checked_invalid = 0
    for c in _single_mapping_cases():
        prob = compile_problem(c.layer, c.core, c.spatial, c.links)
        for temporal in (c.temporal, _shuffled_cuts(c.temporal)):
            fast = evaluate_single(prob, temporal)
            batch = model._single_batch(prob, temporal)
            assert fast == SingleResult.from_batch(K.evaluate_kernel(prob, batch), 0)
            with np.errstate(all="ignore"):
                assert fast == SingleResult.from_batch(evaluate_numpy(prob, batch), 0)
            report = evaluate_one(c.layer, c.core, c.spatial, temporal, c.links)
            assert report == report_from_batch(prob, evaluate_mappings(prob, [temporal]), temporal)
            assert len(report.levels) == sum(t.n_levels for t in prob.operands)
            checked_invalid += not fast.valid
    assert checked_invalid > 0


def _shuffled_cuts(temporal: Any) -> Any:
    """Every operand's cut points moved one loop inward where possible (often no longer a fit), and the outermost
    loop's trip count doubled (the loops no longer cover the layer: invalid)."""
    cuts = {op: tuple(max(0, c - 1) if i < len(cs) - 1 else c for i, c in enumerate(cs)) for op, cs in temporal.cuts}
    *inner, (dim, size) = temporal.loops
    return dataclasses.replace(temporal, loops=(*inner, (dim, 2 * size)), cuts=tuple(cuts.items()))


def test_problems_on_one_core_share_its_memory_tables() -> None:
    """The core-only part of compiling (memory constants, ports, sharing, allocation nodes) is done once per core
    object; the shared arrays are read-only."""
    prob, _ = _worked_case(sorted(GOLDEN["cases"])[0])
    other_layer = dataclasses.replace(prob.layer, name=prob.layer.name + "_twin")
    twin = compile_problem(other_layer, prob.core, prob.spatial, prob.links)
    first = compile_problem(prob.layer, prob.core, prob.spatial, prob.links)
    assert twin.operands[0].size_bits is first.operands[0].size_bits and twin.ports is first.ports
    assert not first.operands[0].bw_max.flags.writeable
    copied = compile_problem(prob.layer, copy.deepcopy(prob.core), prob.spatial, prob.links)
    assert copied.ports == first.ports and copied.operands[0].size_bits is not first.operands[0].size_bits
