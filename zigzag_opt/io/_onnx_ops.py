"""Default-mode layer builders: one ONNX operator → one `Layer`, with H and W kept apart.

The loop dims, equations and operand orders are ZigZag's (so mapping files written for ZigZag select and unroll
the same dims): convolutions ``O[b][g][k][oy][ox]+=W[g][k][c][fy][fx]*I[b][g][c][iy][ix]``, matrix products
``O[b][h][d][k]+=I[b][h][d][c]*W[b][h][c][k]``, pooling ``O[b][g][oy][ox]+=W[fx][fy]*I[b][g][iy][ix]`` (W of
0 bits) and element-wise ``O[..]=W[..]+I[..]``. Unlike ZigZag's parser, x is the width axis everywhere (ONNX orders
kernel, strides, dilations and pads as (H, W)). See docs/deviations.md.

A builder returns a `Built`, a string (the reason the node is bridged instead) or None (a problem was recorded).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from zigzag_opt.io._onnx_ir import OnnxPrecision
from zigzag_opt.io._onnx_reader import Built, NodeReader, make_layer
from zigzag_opt.workload.layer import DimRelation, LayerKind, Operand, Precision

__all__ = ["BUILDERS", "Builder"]

Result = Built | str | None
Builder = Callable[[NodeReader, OnnxPrecision], Result]

_AUTO_PAD = ("NOTSET", "VALID", "SAME_UPPER", "SAME_LOWER")
_CONV_EQUATION_DIMS = ("B", "K", "G", "OX", "OY", "C", "FX", "FY")


# ======================================================================================================
# Spatial geometry shared by convolutions and pooling
# ======================================================================================================


class _Geometry:
    """Per spatial axis (ONNX order: ..., H, W) kernel, strides, dilations and (begin, end) pads."""

    def __init__(
        self,
        kernel: tuple[int, ...],
        strides: tuple[int, ...],
        dilations: tuple[int, ...],
        pads: tuple[tuple[int, int], ...],
    ) -> None:
        self.kernel = kernel
        self.strides = strides
        self.dilations = dilations
        self.pads = pads

    def x(self) -> tuple[int, int, int, tuple[int, int]]:
        """(kernel, stride, dilation, pads) of the width axis (the last)."""
        return self.kernel[-1], self.strides[-1], self.dilations[-1], self.pads[-1]

    def y(self) -> tuple[int, int, int, tuple[int, int]]:
        """(kernel, stride, dilation, pads) of the height axis; a 1-D operator has a unit height."""
        if len(self.kernel) == 1:
            return 1, 1, 1, (0, 0)
        return self.kernel[0], self.strides[0], self.dilations[0], self.pads[0]


class _Window:
    """A window's attributes as written: strides, dilations, pads (begin, end per axis) and auto_pad."""

    def __init__(
        self,
        kernel: tuple[int, ...],
        strides: tuple[int, ...],
        dilations: tuple[int, ...],
        pads: tuple[int, ...],
        auto_pad: str,
    ) -> None:
        self.kernel, self.strides, self.dilations, self.pads, self.auto_pad = kernel, strides, dilations, pads, auto_pad

    def geometry(self, in_sizes: Sequence[int], out_sizes: Sequence[int]) -> _Geometry:
        """The window with auto_pad resolved against the actual input and output sizes."""
        spatial = len(self.kernel)
        pairs = tuple((self.pads[i], self.pads[i + spatial]) for i in range(spatial))
        if self.auto_pad == "VALID":
            pairs = ((0, 0),) * spatial
        elif self.auto_pad.startswith("SAME"):
            resolved = []
            for i in range(spatial):
                span = (self.kernel[i] - 1) * self.dilations[i] + 1
                total = max(0, (out_sizes[i] - 1) * self.strides[i] + span - in_sizes[i])
                small, large = total // 2, total - total // 2
                resolved.append((small, large) if self.auto_pad == "SAME_UPPER" else (large, small))
            pairs = tuple(resolved)
        return _Geometry(self.kernel, self.strides, self.dilations, pairs)


def _read_window(r: NodeReader, spatial: int, kernel: tuple[int, ...] | None) -> _Window | None:
    """Strides, dilations, pads and auto_pad of a convolution or pooling window, checked."""
    strides = r.ints_attr("strides", (1,) * spatial, length=spatial, minimum=1)
    dilations = r.ints_attr("dilations", (1,) * spatial, length=spatial, minimum=1)
    pads = r.ints_attr("pads", (0,) * (2 * spatial), length=2 * spatial, minimum=0)
    auto_pad = r.str_attr("auto_pad", "NOTSET", allowed=_AUTO_PAD)
    if kernel is None or strides is None or dilations is None or pads is None or auto_pad is None:
        return None
    return _Window(kernel, strides, dilations, pads, auto_pad)


def _check_output(r: NodeReader, geo: _Geometry, in_sizes: Sequence[int], out_sizes: Sequence[int]) -> bool:
    """The output size must follow from the window (floor or ceil mode)."""
    for i, (size_in, size_out) in enumerate(zip(in_sizes, out_sizes, strict=True)):
        span = (geo.kernel[i] - 1) * geo.dilations[i] + 1
        room = size_in + sum(geo.pads[i]) - span
        expected = {room // geo.strides[i] + 1, -(-room // geo.strides[i]) + 1}
        if room < 0 or size_out not in expected:
            r.fail(
                "the output size does not follow from input size, kernel, strides, dilations and pads",
                part=f"output[0] axis {i + 2}",
                value=size_out,
                accepted=" or ".join(map(str, sorted(expected))) if room >= 0 else "a window that fits the input",
            )
            return False
    return True


def _spatial_relations(geo: _Geometry, *, stride_one: bool = False) -> tuple[DimRelation, DimRelation]:
    _, sx, dx, _ = geo.x()
    _, sy, dy, _ = geo.y()
    return (
        DimRelation(derived="IX", terms=(("OX", 1 if stride_one else sx), ("FX", dx))),
        DimRelation(derived="IY", terms=(("OY", 1 if stride_one else sy), ("FY", dy))),
    )


# ======================================================================================================
# Convolutions
# ======================================================================================================

_CONV_INPUTS = {"Conv": (0, 1), "ConvInteger": (0, 1), "QLinearConv": (0, 3), "ConvTranspose": (0, 1)}


def _mac_precision(
    r: NodeReader, defaults: OnnxPrecision, i_name: str, w_name: str, y: str, *, w_const: bool
) -> Precision | None:
    """Precisions of a multiply-accumulate layer: defaults (and custom attributes), integer tensor types win."""
    custom = r.custom_precision(defaults)
    if custom is None:
        return None
    w_bits, a_bits, o_bits = custom
    act, final = r.bits(i_name, a_bits), r.bits(y, a_bits)
    if act != a_bits or final != a_bits:  # quantised tensors: partial sums hold at least the final output
        o_bits = max(o_bits, final, defaults.partial_for(act))
    w = r.bits(w_name, w_bits if w_const else a_bits)
    return Precision(w_bits=w, i_bits=act, o_partial_bits=o_bits, o_final_bits=final)


def conv(r: NodeReader, defaults: OnnxPrecision) -> Result:
    """Conv / ConvInteger / QLinearConv / ConvTranspose (groups, depthwise, strides, dilations, any pads)."""
    xi, wi = _CONV_INPUTS[r.node.op_type]
    transpose = r.node.op_type == "ConvTranspose"
    w_shape = r.shape(wi, "weight")
    if w_shape is None or _spatial_rank(r, len(w_shape), "convolutions", part=f"input[{wi}]") is None:
        return None
    spatial = len(w_shape) - 2
    group = r.int_attr("group", 1, minimum=1)
    kernel = r.ints_attr("kernel_shape", w_shape[2:], length=spatial, minimum=1)
    if kernel is not None and kernel != w_shape[2:]:
        r.fail(
            "kernel_shape does not match the weight's spatial dims",
            part="attribute.kernel_shape",
            value=list(kernel),
            accepted=str(list(w_shape[2:])),
        )
        kernel = None
    window = _read_window(r, spatial, kernel)
    if transpose:
        r.ints_attr("output_padding", (0,) * spatial, length=spatial, minimum=0)
    x_shape, y_shape = r.shape(xi, "data"), r.shape(0, "result", output=True)
    if group is None or window is None or x_shape is None or y_shape is None:
        return None
    if len(x_shape) != len(w_shape) or len(y_shape) != len(w_shape):
        r.fail("data, weight and result must have the same rank", value=f"{list(x_shape)}, {list(w_shape)}")
        return None
    if not _conv_channels(r, group, x_shape, w_shape, y_shape, transpose=transpose):
        return None
    if transpose:
        return _conv_transpose(r, defaults, group, window, x_shape, y_shape)
    geo = window.geometry(x_shape[2:], y_shape[2:])
    if not _check_output(r, geo, x_shape[2:], y_shape[2:]):
        return None
    return _conv_layer(r, defaults, group, geo, x_shape, y_shape, pr_x=x_shape[-1], pr_y=_height(x_shape))


def _spatial_rank(r: NodeReader, rank: int, what: str, *, part: str) -> int | None:
    """Spatial axes of a rank-`rank` tensor: 1 or 2, else a recorded problem."""
    if rank not in (3, 4):
        r.fail(
            f"only 1-D and 2-D {what} are modelled",
            part=part,
            value=f"rank {rank} ({rank - 2}-D)",
            accepted="rank 3 (N, C, W) or rank 4 (N, C, H, W)",
        )
        return None
    return rank - 2


def _height(shape: tuple[int, ...]) -> int:
    return shape[-2] if len(shape) == 4 else 1


def _conv_channels(
    r: NodeReader,
    group: int,
    x: tuple[int, ...],
    w: tuple[int, ...],
    y: tuple[int, ...],
    *,
    transpose: bool,
) -> bool:
    """Channel counts must agree with the weight shape and the group count."""
    c_in, c_out = x[1], y[1]
    expected_w = (c_in, c_out // group) if transpose else (c_out, c_in // group)
    if c_in % group or c_out % group or w[:2] != expected_w:
        r.fail(
            "the weight shape, channel counts and group do not agree",
            part="input weight",
            value=f"input channels {c_in}, output channels {c_out}, group {group}, weight {list(w)}",
            accepted=f"channels divisible by the group and a weight of shape [{expected_w[0]}, {expected_w[1]}, ...]",
        )
        return False
    if x[0] != y[0]:
        r.fail("input and output batch sizes differ", part="output[0]", value=(x[0], y[0]))
        return False
    return True


def _conv_layer(
    r: NodeReader,
    defaults: OnnxPrecision,
    group: int,
    geo: _Geometry,
    x_shape: tuple[int, ...],
    y_shape: tuple[int, ...],
    *,
    pr_x: int,
    pr_y: int,
    stride_one: bool = False,
) -> Result:
    xi, wi = _CONV_INPUTS[r.node.op_type]
    x, w, y = r.node.input(xi), r.node.input(wi), r.node.outputs[0]
    w_const = r.is_const(w)
    precision = _mac_precision(r, defaults, x, w, y, w_const=w_const)
    if precision is None:
        return None
    fx, _, _, pad_x = geo.x()
    fy, _, _, pad_y = geo.y()
    sizes = (y_shape[0], y_shape[1] // group, group, y_shape[-1], _height(y_shape), x_shape[1] // group, fx, fy)
    layer = make_layer(
        r,
        kind=LayerKind.CONV,
        dims=tuple(zip(_CONV_EQUATION_DIMS, sizes, strict=True)),
        operands=(
            (Operand.O, ("B", "G", "K", "OY", "OX")),
            (Operand.W, ("G", "K", "C", "FY", "FX")),
            (Operand.I, ("B", "G", "C", "IY", "IX")),
        ),
        relations=_spatial_relations(geo, stride_one=stride_one),
        pr_sizes=(("IX", pr_x), ("IY", pr_y)),
        padding=(("IX", *pad_x), ("IY", *pad_y)),
        precision=precision,
        constants=tuple(op for op, t in ((Operand.W, w), (Operand.I, x)) if r.is_const(t)),
    )
    if layer is None:
        return None
    tensors = ((Operand.I, x),) + (() if w_const else ((Operand.W, w),))
    return Built(layer, tensors)


def _conv_transpose(
    r: NodeReader,
    defaults: OnnxPrecision,
    group: int,
    window: _Window,
    x_shape: tuple[int, ...],
    y_shape: tuple[int, ...],
) -> Result:
    """ConvTranspose as the stride-1 convolution over the zero-inserted input that a convolution engine runs.

    Per axis the input grows to (in - 1)·stride + 1; the equivalent padding is whatever makes the window span
    the output: out + dilation·(k - 1) - stuffed, the begin part being dilation·(k - 1) - pads_begin (clipped).
    The MAC count therefore includes the products with inserted zeros (stride_h · stride_w times the minimum).
    """
    kernel, strides, dilations = window.kernel, window.strides, window.dilations
    spatial = len(kernel)
    stuffed = tuple((x_shape[2 + i] - 1) * strides[i] + 1 for i in range(spatial))
    eq_pads = []
    for i in range(spatial):
        total = y_shape[2 + i] + dilations[i] * (kernel[i] - 1) - stuffed[i]
        if total < 0:
            r.fail(
                "the output is smaller than the stride allows",
                part=f"output[0] axis {i + 2}",
                value=y_shape[2 + i],
                accepted=f">= {stuffed[i] - dilations[i] * (kernel[i] - 1)}",
            )
            return None
        begin = min(total, max(0, dilations[i] * (kernel[i] - 1) - window.pads[i]))
        eq_pads.append((begin, total - begin))
    geo = _Geometry(kernel, (1,) * spatial, dilations, tuple(eq_pads))
    return _conv_layer(
        r,
        defaults,
        group,
        geo,
        x_shape,
        y_shape,
        pr_x=stuffed[-1],
        pr_y=stuffed[0] if spatial == 2 else 1,
        stride_one=True,
    )


# ======================================================================================================
# Pooling
# ======================================================================================================


def pool(r: NodeReader, defaults: OnnxPrecision) -> Result:
    """MaxPool / AveragePool / LpPool and their global forms, as ZigZag's pooling layer (W of 0 bits)."""
    x_shape, y_shape = r.shape(0, "data"), r.shape(0, "result", output=True)
    if x_shape is None or _spatial_rank(r, len(x_shape), "pooling windows", part="input[0]") is None:
        return None
    spatial = len(x_shape) - 2
    if r.node.op_type.startswith("Global"):
        window: _Window | None = _Window(x_shape[2:], (1,) * spatial, (1,) * spatial, (0,) * 2 * spatial, "NOTSET")
    else:
        window = _read_window(r, spatial, r.ints_attr("kernel_shape", None, length=spatial, minimum=1))
    if window is None or y_shape is None:
        return None
    if y_shape[:2] != x_shape[:2] or len(y_shape) != len(x_shape):
        r.fail("pooling keeps batch and channels", part="output[0]", value=list(y_shape), accepted=str(x_shape[:2]))
        return None
    geo = window.geometry(x_shape[2:], y_shape[2:])
    if not _check_output(r, geo, x_shape[2:], y_shape[2:]):
        return None
    custom = r.custom_precision(defaults)
    if custom is None:
        return None
    x, y = r.node.inputs[0], r.node.outputs[0]
    _, a_bits, o_bits = custom
    act = r.bits(x, a_bits)
    precision = Precision(w_bits=0, i_bits=act, o_partial_bits=o_bits, o_final_bits=r.bits(y, a_bits))
    fx, _, _, pad_x = geo.x()
    fy, _, _, pad_y = geo.y()
    layer = make_layer(
        r,
        kind=LayerKind.POOLING,
        dims=(
            ("B", y_shape[0]),
            ("G", y_shape[1]),
            ("OY", _height(y_shape)),
            ("OX", y_shape[-1]),
            ("FX", fx),
            ("FY", fy),
        ),
        operands=(
            (Operand.O, ("B", "G", "OY", "OX")),
            (Operand.W, ("FX", "FY")),
            (Operand.I, ("B", "G", "IY", "IX")),
        ),
        relations=_spatial_relations(geo),
        pr_sizes=(("IX", x_shape[-1]), ("IY", _height(x_shape))),
        padding=(("IX", *pad_x), ("IY", *pad_y)),
        precision=precision,
        constants=(Operand.W,),
    )
    return None if layer is None else Built(layer, ((Operand.I, x),))


# ======================================================================================================
# Element-wise Add / Mul
# ======================================================================================================

_NON_DATA_TYPES = frozenset({"INT64", "BOOL", "STRING", ""})


def _elementwise_dims(rank: int) -> tuple[str, ...]:
    """Loop dim names of an element-wise result: ZigZag's (B, G, OY, OX) for rank 4, (B, D, K) for rank 3, ..."""
    if rank >= 4:
        return ("B", "G", *(f"E{i}" for i in range(2, rank - 2)), "OY", "OX")
    return ("B", "D", "K")[3 - rank :]


def _broadcast_indices(
    r: NodeReader, shape: tuple[int, ...], out: tuple[int, ...], names: tuple[str, ...], i: int
) -> tuple[str, ...] | None:
    """Indices of an input broadcast to `out` (numpy rules): axes of size 1 under a larger output axis drop out."""
    if len(shape) > len(out):
        r.fail("an input has a higher rank than the result", part=f"input[{i}]", value=list(shape))
        return None
    offset = len(out) - len(shape)
    idx = []
    for axis, size in enumerate(shape):
        full = out[offset + axis]
        if size == full:
            idx.append(names[offset + axis])
        elif size != 1:
            r.fail(
                "the input does not broadcast to the result",
                part=f"input[{i}]",
                value=f"{list(shape)} -> {list(out)}",
                accepted="equal sizes or 1 per (right-aligned) axis",
            )
            return None
    return tuple(idx)


def elementwise(r: NodeReader, defaults: OnnxPrecision) -> Result:
    """Add / Mul of data tensors, as ZigZag's element-wise layer (one 'MAC' per output element)."""
    out_info = r.graph.tensor(r.node.outputs[0]) if r.node.outputs else None
    type_name = out_info.type_name if out_info is not None else ""
    if type_name in _NON_DATA_TYPES:
        return f"shape or index arithmetic ({type_name or 'unknown'} result)"
    if out_info is not None and out_info.dims == ():
        return "scalar arithmetic"
    a_shape, b_shape, y_shape = r.shape(0, "first"), r.shape(1, "second"), r.shape(0, "result", output=True)
    if a_shape is None or b_shape is None or y_shape is None:
        return None
    if not y_shape:
        return "scalar arithmetic"
    names = _elementwise_dims(len(y_shape))
    a_idx = _broadcast_indices(r, a_shape, y_shape, names, 0)
    b_idx = _broadcast_indices(r, b_shape, y_shape, names, 1)
    custom = r.custom_precision(defaults)
    if a_idx is None or b_idx is None or custom is None:
        return None
    a, b, y = r.node.inputs[0], r.node.inputs[1], r.node.outputs[0]
    # I is the first non-constant input, W the other one (ZigZag's DummyNode order: I first, W second).
    swap = r.is_const(a) and not r.is_const(b)
    (i_name, i_idx), (w_name, w_idx) = ((b, b_idx), (a, a_idx)) if swap else ((a, a_idx), (b, b_idx))
    w_bits, a_bits, o_bits = custom
    w_const = r.is_const(w_name)
    precision = Precision(
        w_bits=r.bits(w_name, w_bits if w_const else a_bits),
        i_bits=r.bits(i_name, a_bits),
        o_partial_bits=o_bits,
        o_final_bits=r.bits(y, a_bits),
    )
    o_operand = (Operand.O, names)
    inputs = [(Operand.W, w_idx), (Operand.I, i_idx)]
    if not w_idx:  # ZigZag's equation grammar allows an empty index list only on the last operand
        inputs.reverse()
    layer = make_layer(
        r,
        kind=LayerKind.ELEMENTWISE,
        dims=tuple(zip(names, y_shape, strict=True)),
        operands=(o_operand, *inputs),
        precision=precision,
        constants=(Operand.W,) if w_const else (),
        op="+" if r.node.op_type == "Add" else "*",
        accumulate=False,
    )
    if layer is None:
        return None
    tensors = ((Operand.I, i_name),) + (() if w_const else ((Operand.W, w_name),))
    return Built(layer, tensors)


# ======================================================================================================
# Matrix products
# ======================================================================================================

_MATMUL_INPUTS = {"MatMul": (0, 1), "MatMulInteger": (0, 1), "QLinearMatMul": (0, 3), "Gemm": (0, 1)}


def _batch_names(count: int) -> tuple[str, ...]:
    return ("B", "H", *(f"B{i}" for i in range(2, count)))[:count]


def _broadcast_batch(r: NodeReader, a: tuple[int, ...], b: tuple[int, ...]) -> tuple[int, ...] | None:
    rank = max(len(a), len(b))
    pa, pb = (1,) * (rank - len(a)) + a, (1,) * (rank - len(b)) + b
    out = []
    for sa, sb in zip(pa, pb, strict=True):
        if sa != sb and 1 not in (sa, sb):
            r.fail(
                "the batch dims of the two inputs do not broadcast",
                part="input",
                value=f"{list(a)} and {list(b)}",
                accepted="equal sizes or 1 per (right-aligned) batch axis",
            )
            return None
        out.append(max(sa, sb))
    return tuple(out)


def _batch_indices(shape: tuple[int, ...], out: tuple[int, ...], names: tuple[str, ...]) -> tuple[str, ...]:
    offset = len(out) - len(shape)
    return tuple(names[offset + i] for i, size in enumerate(shape) if size == out[offset + i])


def matmul(r: NodeReader, defaults: OnnxPrecision) -> Result:
    """MatMul / MatMulInteger / QLinearMatMul with numpy batching and broadcasting; Gemm with transA/transB."""
    ai, bi = _MATMUL_INPUTS[r.node.op_type]
    gemm = r.node.op_type == "Gemm"
    trans_a = r.int_attr("transA", 0, allowed=(0, 1)) if gemm else 0
    trans_b = r.int_attr("transB", 0, allowed=(0, 1)) if gemm else 0
    a_shape, b_shape, y_shape = r.shape(ai, "first"), r.shape(bi, "second"), r.shape(0, "result", output=True)
    if a_shape is None or b_shape is None or y_shape is None or trans_a is None or trans_b is None:
        return None
    if gemm:
        if len(a_shape) != 2 or len(b_shape) != 2:
            r.fail(
                "Gemm multiplies two matrices",
                part="input",
                value=f"ranks {len(a_shape)} and {len(b_shape)}",
                accepted="rank 2",
            )
            return None
        a_shape, b_shape = (a_shape[::-1] if trans_a else a_shape), (b_shape[::-1] if trans_b else b_shape)
    if not a_shape or not b_shape:
        r.fail("a matrix product needs inputs of rank >= 1", part="input", value=f"{list(a_shape)}, {list(b_shape)}")
        return None
    a2 = (1, *a_shape) if len(a_shape) == 1 else a_shape
    b2 = (*b_shape, 1) if len(b_shape) == 1 else b_shape
    if a2[-1] != b2[-2]:
        r.fail(
            "the inner dimensions of the product do not match",
            part="input",
            value=f"{list(a_shape)} x {list(b_shape)}",
            accepted=f"a second input with {a2[-1]} rows",
        )
        return None
    batch = _broadcast_batch(r, a2[:-2], b2[:-2])
    if batch is None:
        return None
    expected = batch + a2[-2:-1] * (len(a_shape) > 1) + b2[-1:] * (len(b_shape) > 1)
    if tuple(y_shape) != expected:
        r.fail(
            "the result shape does not match the inputs", part="output[0]", value=list(y_shape), accepted=str(expected)
        )
        return None
    return _matmul_layer(r, defaults, (ai, a2), (bi, b2), batch)


def _matmul_layer(
    r: NodeReader,
    defaults: OnnxPrecision,
    first: tuple[int, tuple[int, ...]],
    second: tuple[int, tuple[int, ...]],
    batch: tuple[int, ...],
) -> Result:
    """O[b..][d][k] += I[b..][d][c] * W[b..][c][k]; a constant first input is W (the product is transposed)."""
    (ai, a2), (bi, b2) = first, second
    a, b, y = r.node.input(ai), r.node.input(bi), r.node.outputs[0]
    swap = r.is_const(a) and not r.is_const(b)
    i_name, w_name = (b, a) if swap else (a, b)
    m, c, n = a2[-2], a2[-1], b2[-1]
    d_size, k_size = (n, m) if swap else (m, n)
    names = _batch_names(len(batch))
    i_batch = _batch_indices((b2 if swap else a2)[:-2], batch, names)
    w_batch = _batch_indices((a2 if swap else b2)[:-2], batch, names)
    w_const = r.is_const(w_name)
    precision = _mac_precision(r, defaults, i_name, w_name, y, w_const=w_const)
    if precision is None:
        return None
    layer = make_layer(
        r,
        kind=LayerKind.GEMM,
        dims=(("C", c), ("D", d_size), ("K", k_size), *zip(names, batch, strict=True)),
        operands=(
            (Operand.O, (*names, "D", "K")),
            (Operand.I, (*i_batch, "D", "C")),
            (Operand.W, (*w_batch, "C", "K")),
        ),
        precision=precision,
        constants=tuple(op for op, t in ((Operand.I, i_name), (Operand.W, w_name)) if r.is_const(t)),
    )
    if layer is None:
        return None
    tensors = ((Operand.I, i_name),) + (() if w_const else ((Operand.W, w_name),))
    return Built(layer, tensors)


BUILDERS: dict[str, Builder] = {
    "Conv": conv,
    "ConvInteger": conv,
    "QLinearConv": conv,
    "ConvTranspose": conv,
    "Gemm": matmul,
    "MatMul": matmul,
    "MatMulInteger": matmul,
    "QLinearMatMul": matmul,
    "MaxPool": pool,
    "AveragePool": pool,
    "LpPool": pool,
    "GlobalAveragePool": pool,
    "GlobalMaxPool": pool,
    "GlobalLpPool": pool,
    "Add": elementwise,
    "Mul": elementwise,
}
"""Default-mode builders by ONNX op type (standard domain)."""
