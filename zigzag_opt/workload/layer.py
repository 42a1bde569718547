"""A layer as a loop nest: named loop dims, operands and how each operand's index depends on the loop dims."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from enum import StrEnum

from zigzag_opt.errors import Problem, raise_if

__all__ = ["DimRelation", "Layer", "LayerKind", "Operand", "Precision", "Relevance", "derived_span"]


class Operand(StrEnum):
    """Layer operands. ZigZag's memory operands map as W -> I2, I -> I1, O -> O."""

    W = "W"
    I = "I"  # noqa: E741 - the operand's conventional name
    O = "O"  # noqa: E741


class LayerKind(StrEnum):
    CONV = "conv"
    GEMM = "gemm"
    POOLING = "pooling"
    ELEMENTWISE = "elementwise"
    OTHER = "other"


class Relevance(StrEnum):
    RELEVANT = "r"
    IRRELEVANT = "ir"
    PARTIAL = "pr"


@dataclass(frozen=True, slots=True, kw_only=True)
class DimRelation:
    """A derived index ``derived = Σ coefficient · dim``, e.g. IX = 2·OX + 1·FX (stride 2, dilation 1)."""

    derived: str
    terms: tuple[tuple[str, int], ...]

    def render(self) -> str:
        return f"{self.derived.lower()}=" + "+".join(f"{c}*{d.lower()}" for d, c in self.terms)


@dataclass(frozen=True, slots=True, kw_only=True)
class Precision:
    """Bits per element: weights, inputs, partial-sum outputs and final outputs. 0 means the operand is absent."""

    w_bits: int
    i_bits: int
    o_partial_bits: int
    o_final_bits: int

    def bits(self, operand: Operand, *, partial: bool = False) -> int:
        if operand is Operand.W:
            return self.w_bits
        if operand is Operand.I:
            return self.i_bits
        return self.o_partial_bits if partial else self.o_final_bits


def derived_span(coef_a: int, size_a: int, coef_b: int, size_b: int) -> int:
    """Number of distinct values of ``coef_a·a + coef_b·b`` over a < size_a, b < size_b.

    ZigZag's unique-index formula: A·B − max(0, B − sa/g)·(A − sb/g), g = gcd(sa, sb).
    Stride 1 gives A + B − 1; a stride at least the kernel gives A·B.
    """
    g = math.gcd(coef_a, coef_b)
    return size_a * size_b - max(0, size_b - coef_a // g) * (size_a - coef_b // g)


@dataclass(frozen=True, slots=True, kw_only=True)
class Layer:
    """One layer as a perfect loop nest.

    `dims`/`sizes` are the iteration dims (upper case) and their trip counts. `operand_dims` lists, per operand,
    the index names of that operand's tensor; derived names (IX) are resolved through `relations`. `pr_sizes`
    optionally fixes a derived dim's total extent (input width with padding removed), `padding` its pads.
    `constant_operands` are read from the accelerator's memory (weights); `sources` maps a non-constant input
    operand to the id of the producing layer.
    """

    id: int
    name: str
    kind: LayerKind
    operator_type: str
    dims: tuple[str, ...]
    sizes: tuple[int, ...]
    operand_dims: tuple[tuple[Operand, tuple[str, ...]], ...]
    relations: tuple[DimRelation, ...] = ()
    pr_sizes: tuple[tuple[str, int], ...] = ()
    padding: tuple[tuple[str, int, int], ...] = ()
    precision: Precision
    constant_operands: tuple[Operand, ...] = ()
    sources: tuple[tuple[Operand, int], ...] = ()
    equation: str = ""
    _size_of: dict[str, int] = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        raise_if(_layer_problems(self))
        object.__setattr__(self, "_size_of", dict(zip(self.dims, self.sizes, strict=True)))

    # --- sizes -------------------------------------------------------------------------------------------
    def size(self, dim: str) -> int:
        """Trip count of a loop dim (1 for dims the layer does not have)."""
        return self._size_of.get(dim, 1)

    @property
    def mac_count(self) -> int:
        return math.prod(self.sizes)

    def operands(self) -> tuple[Operand, ...]:
        return tuple(op for op, _ in self.operand_dims)

    def indices(self, operand: Operand) -> tuple[str, ...]:
        for op, idx in self.operand_dims:
            if op is operand:
                return idx
        return ()

    def relation(self, derived: str) -> DimRelation | None:
        for rel in self.relations:
            if rel.derived == derived:
                return rel
        return None

    # --- relevance ------------------------------------------------------------------------------------------
    def derived_dims(self, operand: Operand) -> tuple[str, ...]:
        return tuple(d for d in self.indices(operand) if self.relation(d) is not None)

    def relevance(self, operand: Operand, dim: str) -> Relevance:
        """ZigZag's relevance of loop `dim` for `operand` (sizes of 1 count as irrelevant)."""
        idx = self.indices(operand)
        derived = self.derived_dims(operand)
        if derived:
            in_relations = {d for rel in self.relations for d, _ in rel.terms}
            for der in derived:
                rel = self.relation(der)
                if rel is not None and dim in {d for d, _ in rel.terms}:
                    return Relevance.PARTIAL
            if dim in idx and dim not in in_relations:
                return Relevance.RELEVANT
            return Relevance.IRRELEVANT
        if dim in idx and self.size(dim) != 1:
            return Relevance.RELEVANT
        return Relevance.IRRELEVANT

    def pr_total(self, derived: str) -> int:
        """Total extent of a derived dim: the given pr size, else the span over the full loops minus padding."""
        for name, size in self.pr_sizes:
            if name == derived:
                return size
        rel = self.relation(derived)
        if rel is None:
            return 1
        (da, ca), (db, cb) = rel.terms
        span = derived_span(ca, self.size(da), cb, self.size(db))
        pads = sum(b + e for name, b, e in self.padding if name == derived)
        return span - pads

    def tensor_elements(self, operand: Operand) -> int:
        """Elements of the operand's whole tensor: relevant dims × derived extents.

        A derived extent is the span the full loops touch, clipped to `pr_total` (ZigZag's ``calc_tensor_dim``):
        a given pr size larger than the span (a stride-2 window that never reads the last input row) does not count.
        """
        total = 1
        for dim in self.indices(operand):
            rel = self.relation(dim)
            if rel is not None and len(rel.terms) == 2:
                (da, ca), (db, cb) = rel.terms
                total *= min(self.pr_total(dim), derived_span(ca, self.size(da), cb, self.size(db)))
            elif rel is not None:
                total *= self.pr_total(dim)
            else:
                total *= self.size(dim)
        return total


def _layer_problems(layer: Layer) -> list[Problem]:
    problems: list[Problem] = []
    if len(layer.dims) != len(layer.sizes):
        problems.append(
            Problem(
                rule="loop_dims and loop_sizes must have the same length",
                key_path="loop_sizes",
                value=len(layer.sizes),
                accepted=f"{len(layer.dims)} sizes",
            )
        )
    if len(set(layer.dims)) != len(layer.dims):
        problems.append(Problem(rule="loop dims must be unique", key_path="loop_dims", value=list(layer.dims)))
    for i, (dim, size) in enumerate(zip(layer.dims, layer.sizes, strict=False)):
        if not isinstance(size, int) or isinstance(size, bool) or size < 1:
            problems.append(
                Problem(
                    rule="a loop size must be a positive integer",
                    key_path=f"loop_sizes[{i}]",
                    value=size,
                    accepted="integers >= 1",
                )
            )
        if not dim or not dim.isidentifier():
            problems.append(Problem(rule="a loop dim must be an identifier", key_path=f"loop_dims[{i}]", value=dim))
    ops = layer.operands()
    if Operand.O not in ops:
        problems.append(Problem(rule="a layer needs an output operand O", key_path="equation", value=ops))
    derived = {rel.derived for rel in layer.relations}
    for rel in layer.relations:
        for dim, coef in rel.terms:
            if dim not in layer.dims:
                problems.append(
                    Problem(
                        rule="a dimension relation must use loop dims of the layer",
                        key_path="dimension_relations",
                        value=rel.render(),
                        accepted=", ".join(layer.dims),
                    )
                )
            if coef < 1:
                problems.append(
                    Problem(
                        rule="relation coefficients must be positive integers",
                        key_path="dimension_relations",
                        value=rel.render(),
                    )
                )
        if len(rel.terms) != 2:
            problems.append(
                Problem(
                    rule="a dimension relation has exactly two terms (e.g. ix=1*ox+1*fx)",
                    key_path="dimension_relations",
                    value=rel.render(),
                )
            )
    for op, idx in layer.operand_dims:
        for name in idx:
            if name not in layer.dims and name not in derived:
                problems.append(
                    Problem(
                        rule=f"index of operand {op} is neither a loop dim nor a derived dim",
                        key_path="equation",
                        value=name,
                        accepted=", ".join([*layer.dims, *sorted(derived)]),
                    )
                )
    for name, b, e in layer.padding:
        if b < 0 or e < 0:
            problems.append(Problem(rule="padding must be >= 0", key_path=f"padding.{name}", value=(b, e)))
    for key, value in (
        ("W", layer.precision.w_bits),
        ("I", layer.precision.i_bits),
        ("O", layer.precision.o_partial_bits),
        ("O_final", layer.precision.o_final_bits),
    ):
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            problems.append(
                Problem(
                    rule="a precision must be an integer number of bits >= 0",
                    key_path=f"operand_precision.{key}",
                    value=value,
                )
            )
    return problems
