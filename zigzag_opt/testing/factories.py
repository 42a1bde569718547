"""Small factories for tests, benchmarks and docs."""

from __future__ import annotations

from zigzag_opt.workload.layer import DimRelation, Layer, LayerKind, Operand, Precision

__all__ = ["conv_layer", "gemm_layer"]


def conv_layer(
    k: int, c: int, oy: int, ox: int, fy: int, fx: int, *, stride: int = 1, name: str = "conv", layer_id: int = 0
) -> Layer:
    """A ZigZag-style conv layer `O[b][k][oy][ox] += W[k][c][fy][fx] * I[b][c][iy][ix]` (W8 I8 O16 O_final8)."""
    return Layer(
        id=layer_id,
        name=name,
        kind=LayerKind.CONV,
        operator_type="Conv",
        dims=("B", "K", "C", "OY", "OX", "FY", "FX"),
        sizes=(1, k, c, oy, ox, fy, fx),
        operand_dims=(
            (Operand.O, ("B", "K", "OY", "OX")),
            (Operand.W, ("K", "C", "FY", "FX")),
            (Operand.I, ("B", "C", "IY", "IX")),
        ),
        relations=(
            DimRelation(derived="IX", terms=(("OX", stride), ("FX", 1))),
            DimRelation(derived="IY", terms=(("OY", stride), ("FY", 1))),
        ),
        precision=Precision(w_bits=8, i_bits=8, o_partial_bits=16, o_final_bits=8),
        equation="O[b][k][oy][ox]+=W[k][c][fy][fx]*I[b][c][iy][ix]",
    )


def gemm_layer(d0: int, d1: int, d2: int, *, name: str = "gemm", layer_id: int = 0) -> Layer:
    """ZigZag's GEMM `O[d0][d1] += I[d0][d2] * W[d2][d1]` (W8 I8 O32 O_final8)."""
    return Layer(
        id=layer_id,
        name=name,
        kind=LayerKind.GEMM,
        operator_type="Gemm",
        dims=("D0", "D1", "D2"),
        sizes=(d0, d1, d2),
        operand_dims=((Operand.O, ("D0", "D1")), (Operand.I, ("D0", "D2")), (Operand.W, ("D2", "D1"))),
        precision=Precision(w_bits=8, i_bits=8, o_partial_bits=32, o_final_bits=8),
        equation="O[d0][d1]+=I[d0][d2]*W[d2][d1]",
    )
