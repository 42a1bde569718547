"""The model zoo: layer counts and MAC totals computed by hand from each architecture, at default and other sizes;
exported files are valid ONNX and import like the in-memory models."""

from __future__ import annotations

from pathlib import Path

import onnx
import pytest

from zigzag_opt.errors import InputError
from zigzag_opt.io.onnx_import import import_onnx
from zigzag_opt.library.workloads import (
    build_workload,
    export_workload,
    list_workloads,
    load_workload,
    workload_info,
)
from zigzag_opt.workload import Network


def _macs_by_type(net: Network) -> dict[str, int]:
    out: dict[str, int] = {}
    for layer in net.layers:
        out[layer.operator_type] = out.get(layer.operator_type, 0) + layer.mac_count
    return out


def _counts(net: Network) -> dict[str, int]:
    out: dict[str, int] = {}
    for layer in net.layers:
        out[layer.operator_type] = out.get(layer.operator_type, 0) + 1
    return out


def test_the_zoo_lists_its_workloads() -> None:
    assert list_workloads() == ("resnet18", "mobilenetv2", "bert-encoder", "llm-prefill", "llm-decode")
    assert workload_info("llm-decode").defaults["past"] == 512


# --------------------------------------------------------------------------------------------------------------
# CNNs
# --------------------------------------------------------------------------------------------------------------


def _out(size: int, k: int, s: int, p: int) -> int:
    return (size + 2 * p - k) // s + 1


def resnet18_by_hand(image: int = 224, classes: int = 1000, batch: int = 1) -> dict[str, int]:
    """MACs per op type: conv K·C·OX·OY·FX·FY, add/pool one per output element (pooling: per window tap)."""
    conv, add = 0, 0
    s = _out(image, 7, 2, 3)
    conv += 64 * 3 * s * s * 49
    pool = 64 * _out(s, 3, 2, 1) ** 2 * 9
    s = _out(s, 3, 2, 1)
    c_in = 64
    for stage in range(4):
        c = 64 * 2**stage
        for block in range(2):
            stride = 2 if stage and block == 0 else 1
            o = _out(s, 3, stride, 1)
            conv += c * c_in * o * o * 9 + c * c * o * o * 9
            if stride != 1 or c_in != c:
                conv += c * c_in * o * o
            add += c * o * o
            s, c_in = o, c
    return {
        "Conv": batch * conv,
        "Gemm": batch * 512 * classes,
        "Add": batch * add,
        "MaxPool": batch * pool,
        "GlobalAveragePool": batch * 512 * s * s,
    }


MOBILENET = ((1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1))


def mobilenetv2_by_hand(image: int = 224, classes: int = 1000) -> tuple[dict[str, int], int]:
    s = _out(image, 3, 2, 1)
    conv, add, adds = 32 * 3 * s * s * 9, 0, 0
    c_in = 32
    for t, c, n, first_stride in MOBILENET:
        for i in range(n):
            stride = first_stride if i == 0 else 1
            hidden = c_in * t
            if t != 1:
                conv += hidden * c_in * s * s
            o = _out(s, 3, stride, 1)
            conv += hidden * o * o * 9 + c * hidden * o * o
            if stride == 1 and c_in == c:
                add += c * o * o
                adds += 1
            s, c_in = o, c
    conv += 1280 * 320 * s * s
    return {"Conv": conv, "Gemm": 1280 * classes, "Add": add, "GlobalAveragePool": 1280 * s * s}, adds


def test_resnet18_layers_and_macs() -> None:
    net = load_workload("resnet18")
    assert _counts(net) == {"Conv": 20, "MaxPool": 1, "Add": 8, "GlobalAveragePool": 1, "Gemm": 1}
    assert _macs_by_type(net) == resnet18_by_hand()
    assert net.mac_count == 1_816_657_408
    zz = load_workload("resnet18", compat="zigzag")
    assert len(zz.layers) == 21 and zz.mac_count == 1_814_073_344
    small = load_workload("resnet18", image=64, classes=10, batch=2)
    assert _macs_by_type(small) == resnet18_by_hand(64, 10, 2)


def test_mobilenetv2_layers_and_macs() -> None:
    net = load_workload("mobilenetv2")
    by_hand, adds = mobilenetv2_by_hand()
    assert adds == 10
    assert _counts(net) == {"Conv": 52, "Add": 10, "GlobalAveragePool": 1, "Gemm": 1}
    assert _macs_by_type(net) == by_hand
    assert load_workload("mobilenetv2", compat="zigzag").mac_count == by_hand["Conv"] + by_hand["Gemm"] == 300_774_272
    small = load_workload("mobilenetv2", image=96, classes=100)
    assert _macs_by_type(small) == mobilenetv2_by_hand(96, 100)[0]
    depthwise = [layer for layer in net.layers if layer.operator_type == "Conv" and layer.size("G") > 1]
    assert len(depthwise) == 17 and all(layer.size("K") == layer.size("C") == 1 for layer in depthwise)


# --------------------------------------------------------------------------------------------------------------
# Transformers
# --------------------------------------------------------------------------------------------------------------


def bert_by_hand(b: int, s: int, h: int, nh: int, f: int) -> dict[str, int]:
    matmul = b * (4 * s * h * h + 2 * s * s * h + 2 * s * h * f)
    # bias adds (q, k, v, o, ffn1, ffn2), mask add, two residual adds, GELU's "+1"
    add = b * (4 * s * h + s * f + s * h + nh * s * s + 2 * s * h + s * f)
    mul = b * 2 * s * f  # GELU: x · (...) and · 0.5
    return {"MatMul": matmul, "Add": add, "Mul": mul}


@pytest.mark.parametrize(
    "sizes",
    [
        {"batch": 1, "seq": 128, "hidden": 768, "heads": 12, "ffn": 3072},
        {"batch": 2, "seq": 64, "hidden": 256, "heads": 4, "ffn": 1024},
    ],
)
def test_bert_encoder_block(sizes: dict[str, int]) -> None:
    net = load_workload("bert-encoder", **sizes)
    assert _counts(net) == {"MatMul": 8, "Add": 10, "Mul": 2}
    assert _macs_by_type(net) == bert_by_hand(*sizes.values())
    attention = [layer for layer in net.layers if layer.name in ("/attention/self/MatMul", "/attention/self/MatMul_1")]
    dh = sizes["hidden"] // sizes["heads"]
    assert [dict(zip(layer.dims, layer.sizes, strict=True)) for layer in attention] == [
        {"C": dh, "D": sizes["seq"], "K": sizes["seq"], "B": sizes["batch"], "H": sizes["heads"]},
        {"C": sizes["seq"], "D": sizes["seq"], "K": dh, "B": sizes["batch"], "H": sizes["heads"]},
    ]
    assert all(layer.constant_operands == () for layer in attention)
    zz = load_workload("bert-encoder", compat="zigzag", **sizes)
    assert len(zz.layers) == 8 and zz.mac_count == bert_by_hand(*sizes.values())["MatMul"]


def llm_by_hand(b: int, s: int, t: int, h: int, nh: int, nkv: int, f: int, *, mask: bool) -> dict[str, int]:
    dh = h // nh
    matmul = b * (2 * s * h * h + 2 * s * h * nkv * dh + 2 * nh * s * t * dh + 3 * s * h * f)
    add = b * (2 * s + s * h + (nh * s * t if mask else 0))  # RMSNorm eps (x2), residual 1, causal mask
    add += b * s * h  # residual 2
    mul = b * (2 * s * h + nh * s * t + 2 * s * f)  # RMSNorm gains (x2), score scale, SiLU and gate·up
    return {"MatMul": matmul, "Add": add, "Mul": mul}


def test_llm_prefill_block() -> None:
    net = load_workload("llm-prefill")
    assert _counts(net) == {"MatMul": 9, "Add": 5, "Mul": 5}
    assert _macs_by_type(net) == llm_by_hand(1, 512, 512, 4096, 32, 32, 11008, mask=True)
    assert net.mac_count == 105_800_008_704
    gqa = load_workload("llm-prefill", seq=64, hidden=512, heads=8, kv_heads=2, ffn=1536, batch=2)
    assert _macs_by_type(gqa) == llm_by_hand(2, 64, 64, 512, 8, 2, 1536, mask=True)
    k_proj = next(layer for layer in gqa.layers if layer.name == "/self_attn/k_proj/MatMul")
    assert k_proj.size("K") == 2 * 64
    qk = next(layer for layer in gqa.layers if layer.name == "/self_attn/MatMul")
    assert {d: qk.size(d) for d in ("B", "H", "D", "K", "C")} == {"B": 2, "H": 8, "D": 64, "K": 64, "C": 64}


def test_llm_decode_step_with_kv_cache() -> None:
    net = load_workload("llm-decode")
    assert _counts(net) == {"MatMul": 9, "Add": 4, "Mul": 5}
    assert _macs_by_type(net) == llm_by_hand(1, 1, 513, 4096, 32, 32, 11008, mask=False)
    qk = next(layer for layer in net.layers if layer.name == "/self_attn/MatMul")
    assert {d: qk.size(d) for d in ("D", "K", "C", "H")} == {"D": 1, "K": 513, "C": 128, "H": 32}
    # The new token's K projection reaches Q·Kᵀ through the cache Concat; the cache itself is a graph input.
    k_proj = next(layer for layer in net.layers if layer.name == "/self_attn/k_proj/MatMul")
    assert (k_proj.id, qk.id) in net.edges
    small = load_workload("llm-decode", past=100, hidden=256, heads=4, kv_heads=1, ffn=512)
    assert _macs_by_type(small) == llm_by_hand(1, 1, 101, 256, 4, 1, 512, mask=False)


# --------------------------------------------------------------------------------------------------------------
# Export and errors
# --------------------------------------------------------------------------------------------------------------


def test_export_writes_a_valid_model_with_zero_weights(tmp_path: Path) -> None:
    path = export_workload("bert-encoder", tmp_path / "out" / "bert.onnx", seq=32, hidden=128, heads=2, ffn=256)
    data = tmp_path / "out" / "bert.weights"
    assert path.exists() and data.exists()
    onnx.checker.check_model(str(path), full_check=True)
    loaded = onnx.load(str(path))  # weights read back from the data file
    assert all(len(t.raw_data) == 4 * _numel(t) for t in loaded.graph.initializer if t.data_type == 1 and t.dims)
    from_file = import_onnx(path)
    in_memory = load_workload("bert-encoder", seq=32, hidden=128, heads=2, ffn=256)
    assert [(a.name, a.sizes) for a in from_file.layers] == [(b.name, b.sizes) for b in in_memory.layers]
    assert from_file.edges == in_memory.edges


def _numel(tensor: onnx.TensorProto) -> int:
    n = 1
    for d in tensor.dims:
        n *= d
    return n


def test_every_zoo_model_passes_the_onnx_checker(tmp_path: Path) -> None:
    small = {
        "resnet18": {"image": 32},
        "mobilenetv2": {"image": 32},
        "bert-encoder": {"seq": 8, "hidden": 32, "heads": 2, "ffn": 64},
        "llm-prefill": {"seq": 8, "hidden": 32, "heads": 4, "kv_heads": 2, "ffn": 64},
        "llm-decode": {"past": 8, "hidden": 32, "heads": 4, "kv_heads": 2, "ffn": 64},
    }
    for name, sizes in small.items():
        path = export_workload(name, tmp_path / f"{name}.onnx", **sizes)
        onnx.checker.check_model(str(path), full_check=True)
        assert len(build_workload(name, **sizes).graph.node) == len(onnx.load(str(path)).graph.node)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: build_workload("vgg16"), "no workload of this name"),
        (lambda: build_workload("resnet18", depth=50), "has no parameter of this name"),
        (lambda: build_workload("bert-encoder", heads=5), "hidden must be a multiple of heads"),
        (lambda: build_workload("llm-decode", kv_heads=5), "heads must be a multiple of kv_heads"),
        (lambda: build_workload("resnet18", batch=0), "positive integer"),
        (lambda: build_workload("mobilenetv2", image=16), "at least 32 pixels"),
    ],
)
def test_zoo_parameter_errors(call: object, message: str) -> None:
    with pytest.raises(InputError, match=message):
        call()  # type: ignore[operator]
