"""A model zoo built in code with ``onnx.helper``: no downloads, any size.

==================  ==========================================================================================
``resnet18``        torchvision ResNet-18 as PyTorch exports it (BN folded): 20 Conv, 8 Add, MaxPool, GAP, Gemm
``mobilenetv2``     torchvision MobileNetV2 (BN folded, ReLU6 as Clip with Constant bounds): 52 Conv, 10 Add, Gemm
``bert-encoder``    one BERT-base encoder block: Q/K/V/O projections, Q·Kᵀ and softmax(·)·V, GELU feed-forward
``llm-prefill``     one decoder-only (Llama-style) block over a prompt: RMSNorm, attention with a causal mask and
                    grouped K/V heads, SwiGLU MLP; it returns the K/V cache
``llm-decode``      the same block for one new token attending over a K/V cache of ``past`` tokens
==================  ==========================================================================================

Node names, order and structure of the two CNNs follow the PyTorch exports ZigZag ships
(``zigzag/inputs/workload/resnet18.onnx``, ``mobilenetv2.onnx``), so at the default sizes they import to the same
layers. Weights are shape-only: each initializer refers to ``<name>.weights`` as external data and has no values
in memory; `export_workload` writes that file as zeros (a sparse file on most file systems), so the exported model
loads in onnx and onnxruntime. This module imports ``onnx``; ``import zigzag_opt`` does not import it.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from onnx import ModelProto, NodeProto, TensorProto, ValueInfoProto, helper, save_model
from onnx import external_data_helper as ext

from zigzag_opt.errors import InputError, Problem
from zigzag_opt.io._onnx_ir import OnnxPrecision
from zigzag_opt.io.onnx_import import Compat, import_onnx
from zigzag_opt.workload.network import Network

__all__ = [
    "ZooWorkload",
    "build_workload",
    "export_workload",
    "list_workloads",
    "load_workload",
    "workload_info",
]

_OPSET = 17
_ALIGN = 64  # byte alignment of each weight in the external data file


# ======================================================================================================
# Graph builder
# ======================================================================================================


class _Builder:
    """Accumulates nodes and initializers; weights are shape-only external tensors laid out in one data file."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.location = f"{name}.weights"
        self.nodes: list[NodeProto] = []
        self.initializers: list[TensorProto] = []
        self.inputs: list[ValueInfoProto] = []
        self.outputs: list[ValueInfoProto] = []
        self.offset = 0

    def input(self, name: str, shape: list[int]) -> str:
        self.inputs.append(helper.make_tensor_value_info(name, TensorProto.FLOAT, shape))
        return name

    def output(self, name: str, shape: list[int] | None = None) -> None:
        self.outputs.append(helper.make_tensor_value_info(name, TensorProto.FLOAT, shape))

    def weight(self, name: str, dims: list[int]) -> str:
        """A float32 initializer without values, pointing into the external data file."""
        tensor = TensorProto(name=name, dims=dims, data_type=TensorProto.FLOAT)
        length = 4
        for d in dims:
            length *= d
        _point_to(tensor, self.location, self.offset, length)
        self.offset += -(-length // _ALIGN) * _ALIGN
        self.initializers.append(tensor)
        return name

    def ints(self, name: str, values: list[int]) -> str:
        """A small int64 initializer with values (reshape targets, expand shapes)."""
        self.initializers.append(helper.make_tensor(name, TensorProto.INT64, [len(values)], values))
        return name

    def scalar(self, name: str, value: float) -> str:
        self.initializers.append(helper.make_tensor(name, TensorProto.FLOAT, [], [value]))
        return name

    def node(self, op: str, inputs: list[str], name: str, **attrs: Any) -> str:
        out = f"{name}_output_0"
        self.nodes.append(helper.make_node(op, inputs, [out], name=name, **attrs))
        return out

    def constant(self, name: str, value: float) -> str:
        tensor = helper.make_tensor(f"{name}_value", TensorProto.FLOAT, [], [value])
        return self.node("Constant", [], name, value=tensor)

    def model(self) -> ModelProto:
        graph = helper.make_graph(self.nodes, self.name, self.inputs, self.outputs, self.initializers)
        model = helper.make_model(
            graph, opset_imports=[helper.make_opsetid("", _OPSET)], producer_name="zigzag_opt.library.workloads"
        )
        model.ir_version = 8
        return model


def _point_to(tensor: TensorProto, location: str, offset: int, length: int) -> None:
    """Make `tensor` refer to `length` bytes at `offset` of the external file `location`."""
    del tensor.external_data[:]
    for key, value in (("location", location), ("offset", str(offset)), ("length", str(length))):
        entry = tensor.external_data.add()
        entry.key, entry.value = key, value
    tensor.data_location = TensorProto.EXTERNAL


# ======================================================================================================
# CNNs
# ======================================================================================================


def _conv(
    g: _Builder, x: str, name: str, weight: str, c_in: int, c_out: int, k: int, s: int, p: int, groups: int = 1
) -> str:
    w = g.weight(f"{weight}.weight", [c_out, c_in // groups, k, k])
    b = g.weight(f"{weight}.bias", [c_out])
    return g.node(
        "Conv",
        [x, w, b],
        name,
        dilations=[1, 1],
        group=groups,
        kernel_shape=[k, k],
        pads=[p, p, p, p],
        strides=[s, s],
    )


def _resnet18(p: Mapping[str, int]) -> ModelProto:
    g = _Builder("resnet18")
    batch, width = p["batch"], p["width"]
    x = g.input("input.1", [batch, 3, p["image"], p["image"]])
    x = _conv(g, x, "/conv1/Conv", "conv1", 3, width, 7, 2, 3)
    x = g.node("Relu", [x], "/relu/Relu")
    x = g.node("MaxPool", [x], "/maxpool/MaxPool", ceil_mode=0, kernel_shape=[3, 3], pads=[1, 1, 1, 1], strides=[2, 2])
    c_in = width
    for stage in range(1, 5):
        c_out = width * 2 ** (stage - 1)
        for block in range(2):
            pre = f"/layer{stage}/layer{stage}.{block}"
            mod = f"layer{stage}.{block}"
            s = 2 if stage > 1 and block == 0 else 1
            y = _conv(g, x, f"{pre}/conv1/Conv", f"{mod}.conv1", c_in, c_out, 3, s, 1)
            y = g.node("Relu", [y], f"{pre}/relu/Relu")
            y = _conv(g, y, f"{pre}/conv2/Conv", f"{mod}.conv2", c_out, c_out, 3, 1, 1)
            identity = x
            if s != 1 or c_in != c_out:
                identity = _conv(
                    g, x, f"{pre}/downsample/downsample.0/Conv", f"{mod}.downsample.0", c_in, c_out, 1, s, 0
                )
            y = g.node("Add", [y, identity], f"{pre}/Add")
            x = g.node("Relu", [y], f"{pre}/relu_1/Relu")
            c_in = c_out
    x = g.node("GlobalAveragePool", [x], "/avgpool/GlobalAveragePool")
    x = g.node("Flatten", [x], "/Flatten", axis=1)
    w, b = g.weight("fc.weight", [p["classes"], c_in]), g.weight("fc.bias", [p["classes"]])
    g.nodes.append(helper.make_node("Gemm", [x, w, b], ["output"], name="/fc/Gemm", alpha=1.0, beta=1.0, transB=1))
    g.output("output", [batch, p["classes"]])
    return g.model()


def _relu6(g: _Builder, x: str, pre: str) -> str:
    low = g.constant(f"{pre}/Constant", 0.0)
    high = g.constant(f"{pre}/Constant_1", 6.0)
    return g.node("Clip", [x, low, high], f"{pre}/Clip")


_MOBILENET_V2 = (
    (1, 16, 1, 1),
    (6, 24, 2, 2),
    (6, 32, 3, 2),
    (6, 64, 4, 2),
    (6, 96, 3, 1),
    (6, 160, 3, 2),
    (6, 320, 1, 1),
)


def _inverted_residual(g: _Builder, x: str, index: int, c_in: int, c_out: int, t: int, s: int) -> str:
    pre, mod = f"/features/features.{index}/conv", f"features.{index}.conv"
    hidden = c_in * t
    y, part = x, 0
    if t != 1:
        y = _conv(g, y, f"{pre}/conv.0/conv.0.0/Conv", f"{mod}.0.0", c_in, hidden, 1, 1, 0)
        y = _relu6(g, y, f"{pre}/conv.0/conv.0.2")
        part = 1
    y = _conv(g, y, f"{pre}/conv.{part}/conv.{part}.0/Conv", f"{mod}.{part}.0", hidden, hidden, 3, s, 1, groups=hidden)
    y = _relu6(g, y, f"{pre}/conv.{part}/conv.{part}.2")
    y = _conv(g, y, f"{pre}/conv.{part + 1}/Conv", f"{mod}.{part + 1}", hidden, c_out, 1, 1, 0)
    if s == 1 and c_in == c_out:
        y = g.node("Add", [x, y], f"/features/features.{index}/Add")
    return y


def _mobilenetv2(p: Mapping[str, int]) -> ModelProto:
    g = _Builder("mobilenetv2")
    batch = p["batch"]
    x = g.input("input.1", [batch, 3, p["image"], p["image"]])
    x = _conv(g, x, "/features/features.0/features.0.0/Conv", "features.0.0", 3, 32, 3, 2, 1)
    x = _relu6(g, x, "/features/features.0/features.0.2")
    c_in, index = 32, 1
    for t, c, n, s in _MOBILENET_V2:
        for i in range(n):
            x = _inverted_residual(g, x, index, c_in, c, t, s if i == 0 else 1)
            c_in, index = c, index + 1
    x = _conv(g, x, f"/features/features.{index}/features.{index}.0/Conv", f"features.{index}.0", c_in, 1280, 1, 1, 0)
    x = _relu6(g, x, f"/features/features.{index}/features.{index}.2")
    x = g.node("GlobalAveragePool", [x], "/GlobalAveragePool")
    x = g.node("Flatten", [x], "/Flatten", axis=1)
    w, b = g.weight("classifier.1.weight", [p["classes"], 1280]), g.weight("classifier.1.bias", [p["classes"]])
    g.nodes.append(
        helper.make_node(
            "Gemm", [x, w, b], ["output"], name="/classifier/classifier.1/Gemm", alpha=1.0, beta=1.0, transB=1
        )
    )
    g.output("output", [batch, p["classes"]])
    return g.model()


# ======================================================================================================
# Transformers
# ======================================================================================================


def _linear(g: _Builder, x: str, name: str, c_in: int, c_out: int, *, bias: bool) -> str:
    y = g.node("MatMul", [x, g.weight(f"{name}.weight", [c_in, c_out])], f"/{name}/MatMul")
    if bias:
        y = g.node("Add", [y, g.weight(f"{name}.bias", [c_out])], f"/{name}/Add")
    return y


def _split_heads(g: _Builder, x: str, name: str, shape: list[int], perm: list[int]) -> str:
    """[B, S, n·dh] → [B, S, n, dh] → transposed by `perm`."""
    y = g.node("Reshape", [x, g.ints(f"{name}/shape", shape)], f"{name}/Reshape")
    return g.node("Transpose", [y], f"{name}/Transpose", perm=perm)


def _merge_heads(g: _Builder, x: str, name: str, shape: list[int]) -> str:
    y = g.node("Transpose", [x], f"{name}/Transpose", perm=[0, 2, 1, 3])
    return g.node("Reshape", [y, g.ints(f"{name}/shape", shape)], f"{name}/Reshape")


def _bert_encoder(p: Mapping[str, int]) -> ModelProto:
    g = _Builder("bert_encoder")
    b, s, h, nh, f = p["batch"], p["seq"], p["hidden"], p["heads"], p["ffn"]
    dh = h // nh
    x = g.input("hidden_states", [b, s, h])
    mask = g.input("attention_mask", [b, 1, 1, s])
    q = _linear(g, x, "attention/self/query", h, h, bias=True)
    k = _linear(g, x, "attention/self/key", h, h, bias=True)
    v = _linear(g, x, "attention/self/value", h, h, bias=True)
    q = _split_heads(g, q, "/attention/self/q_heads", [b, s, nh, dh], [0, 2, 1, 3])
    kt = _split_heads(g, k, "/attention/self/k_heads", [b, s, nh, dh], [0, 2, 3, 1])
    v = _split_heads(g, v, "/attention/self/v_heads", [b, s, nh, dh], [0, 2, 1, 3])
    scores = g.node("MatMul", [q, kt], "/attention/self/MatMul")  # Q·Kᵀ: [B, nh, S, S]
    scores = g.node("Div", [scores, g.scalar("attention/self/scale", float(dh) ** 0.5)], "/attention/self/Div")
    scores = g.node("Add", [scores, mask], "/attention/self/Add")
    probs = g.node("Softmax", [scores], "/attention/self/Softmax", axis=-1)
    ctx = g.node("MatMul", [probs, v], "/attention/self/MatMul_1")  # softmax(·)·V: [B, nh, S, dh]
    ctx = _merge_heads(g, ctx, "/attention/self/context", [b, s, h])
    y = _linear(g, ctx, "attention/output/dense", h, h, bias=True)
    y = g.node("Add", [y, x], "/attention/output/Add")
    ln1 = g.weight("attention.output.LayerNorm.weight", [h]), g.weight("attention.output.LayerNorm.bias", [h])
    y = g.node("LayerNormalization", [y, *ln1], "/attention/output/LayerNorm/LayerNormalization", axis=-1)
    z = _linear(g, y, "intermediate/dense", h, f, bias=True)
    z = _gelu(g, z, "/intermediate/intermediate_act_fn")
    z = _linear(g, z, "output/dense", f, h, bias=True)
    z = g.node("Add", [z, y], "/output/Add")
    ln2 = g.weight("output.LayerNorm.weight", [h]), g.weight("output.LayerNorm.bias", [h])
    g.nodes.append(
        helper.make_node("LayerNormalization", [z, *ln2], ["output"], name="/output/LayerNorm/LayerNormalization")
    )
    g.output("output", [b, s, h])
    return g.model()


def _gelu(g: _Builder, x: str, pre: str) -> str:
    """GELU as PyTorch exports it below opset 20: x · 0.5 · (1 + erf(x / √2))."""
    y = g.node("Div", [x, g.scalar(f"{pre}/sqrt2", 2.0**0.5)], f"{pre}/Div")
    y = g.node("Erf", [y], f"{pre}/Erf")
    y = g.node("Add", [y, g.scalar(f"{pre}/one", 1.0)], f"{pre}/Add")
    y = g.node("Mul", [x, y], f"{pre}/Mul")
    return g.node("Mul", [y, g.scalar(f"{pre}/half", 0.5)], f"{pre}/Mul_1")


def _rms_norm(g: _Builder, x: str, name: str, hidden: int) -> str:
    pre = f"/{name}"
    y = g.node("Pow", [x, g.scalar(f"{pre}/two", 2.0)], f"{pre}/Pow")
    y = g.node("ReduceMean", [y], f"{pre}/ReduceMean", axes=[-1], keepdims=1)
    y = g.node("Add", [y, g.scalar(f"{pre}/eps", 1e-6)], f"{pre}/Add")
    y = g.node("Sqrt", [y], f"{pre}/Sqrt")
    y = g.node("Div", [x, y], f"{pre}/Div")
    return g.node("Mul", [y, g.weight(f"{name}.weight", [hidden])], f"{pre}/Mul")


def _repeat_kv(g: _Builder, x: str, name: str, dims: tuple[int, int, int, int, int]) -> str:
    """[B, nkv, T, dh] → [B, nkv·rep, T, dh] (grouped-query attention)."""
    b, nkv, rep, t, dh = dims
    if rep == 1:
        return x
    y = g.node("Unsqueeze", [x, g.ints(f"{name}/axes", [2])], f"{name}/Unsqueeze")
    y = g.node("Expand", [y, g.ints(f"{name}/expand", [b, nkv, rep, t, dh])], f"{name}/Expand")
    return g.node("Reshape", [y, g.ints(f"{name}/shape", [b, nkv * rep, t, dh])], f"{name}/Reshape")


def _llm_block(p: Mapping[str, int], *, decode: bool) -> ModelProto:
    g = _Builder("llm_decode" if decode else "llm_prefill")
    b, h, nh, nkv, f = p["batch"], p["hidden"], p["heads"], p["kv_heads"], p["ffn"]
    s = 1 if decode else p["seq"]
    past = p["past"] if decode else 0
    dh, rep, total = h // nh, nh // nkv, past + s
    x = g.input("hidden_states", [b, s, h])
    y = _rms_norm(g, x, "input_layernorm", h)
    q = _linear(g, y, "self_attn/q_proj", h, nh * dh, bias=False)
    k = _linear(g, y, "self_attn/k_proj", h, nkv * dh, bias=False)
    v = _linear(g, y, "self_attn/v_proj", h, nkv * dh, bias=False)
    q = _split_heads(g, q, "/self_attn/q_heads", [b, s, nh, dh], [0, 2, 1, 3])
    k = _split_heads(g, k, "/self_attn/k_heads", [b, s, nkv, dh], [0, 2, 1, 3])
    v = _split_heads(g, v, "/self_attn/v_heads", [b, s, nkv, dh], [0, 2, 1, 3])
    if decode:  # append the new token's K/V to the cache
        past_k = g.input("past_key", [b, nkv, past, dh])
        past_v = g.input("past_value", [b, nkv, past, dh])
        k = g.node("Concat", [past_k, k], "/self_attn/key_cache/Concat", axis=2)
        v = g.node("Concat", [past_v, v], "/self_attn/value_cache/Concat", axis=2)
    for cache, name in ((k, "present_key"), (v, "present_value")):
        g.nodes.append(helper.make_node("Identity", [cache], [name], name=f"/self_attn/{name}/Identity"))
        g.output(name, [b, nkv, total, dh])
    k = _repeat_kv(g, k, "/self_attn/repeat_k", (b, nkv, rep, total, dh))
    v = _repeat_kv(g, v, "/self_attn/repeat_v", (b, nkv, rep, total, dh))
    kt = g.node("Transpose", [k], "/self_attn/k_t/Transpose", perm=[0, 1, 3, 2])
    scores = g.node("MatMul", [q, kt], "/self_attn/MatMul")  # Q·Kᵀ: [B, nh, S, T]
    scores = g.node("Mul", [scores, g.scalar("self_attn.scale", dh**-0.5)], "/self_attn/Mul")
    if not decode:  # causal mask, a constant [1, 1, S, S] of 0 / -inf
        scores = g.node("Add", [scores, g.weight("self_attn.causal_mask", [1, 1, s, s])], "/self_attn/Add")
    probs = g.node("Softmax", [scores], "/self_attn/Softmax", axis=-1)
    ctx = g.node("MatMul", [probs, v], "/self_attn/MatMul_1")  # softmax(·)·V: [B, nh, S, dh]
    ctx = _merge_heads(g, ctx, "/self_attn/context", [b, s, nh * dh])
    y = _linear(g, ctx, "self_attn/o_proj", nh * dh, h, bias=False)
    x = g.node("Add", [x, y], "/residual_1/Add")
    y = _rms_norm(g, x, "post_attention_layernorm", h)
    gate = _linear(g, y, "mlp/gate_proj", h, f, bias=False)
    up = _linear(g, y, "mlp/up_proj", h, f, bias=False)
    act = g.node("Mul", [gate, g.node("Sigmoid", [gate], "/mlp/act_fn/Sigmoid")], "/mlp/act_fn/Mul")
    y = g.node("Mul", [act, up], "/mlp/Mul")
    y = _linear(g, y, "mlp/down_proj", f, h, bias=False)
    g.nodes.append(helper.make_node("Add", [x, y], ["output"], name="/residual_2/Add"))
    g.output("output", [b, s, h])
    return g.model()


# ======================================================================================================
# Registry
# ======================================================================================================


@dataclass(frozen=True, slots=True)
class ZooWorkload:
    """A zoo entry: its builder, size parameters (with defaults and meaning) and a one-line description."""

    name: str
    description: str
    defaults: Mapping[str, int]
    meaning: Mapping[str, str]
    build: Callable[[Mapping[str, int]], ModelProto]
    rules: tuple[tuple[str, Callable[[Mapping[str, int]], bool]], ...] = ()


_CNN = {"batch": "batch size", "image": "input height and width (pixels)", "classes": "classifier outputs"}
_TRANSFORMER = {
    "batch": "batch size",
    "seq": "tokens processed by the block",
    "hidden": "model width",
    "heads": "attention heads",
    "ffn": "feed-forward width",
}
_LLM = {**_TRANSFORMER, "kv_heads": "key/value heads (grouped-query attention when < heads)"}
_HEADS_DIVIDE = ("hidden must be a multiple of heads", lambda p: p["hidden"] % p["heads"] == 0)
_KV_DIVIDE = ("heads must be a multiple of kv_heads", lambda p: p["heads"] % p["kv_heads"] == 0)
_IMAGE_MIN = ("image must be at least 32 pixels (five stride-2 stages)", lambda p: p["image"] >= 32)

_ZOO: dict[str, ZooWorkload] = {
    w.name: w
    for w in (
        ZooWorkload(
            "resnet18",
            "torchvision ResNet-18 (BN folded), as PyTorch exports it",
            {"batch": 1, "image": 224, "classes": 1000, "width": 64},
            {**_CNN, "width": "channels of the first stage (64 in ResNet-18)"},
            _resnet18,
            (_IMAGE_MIN,),
        ),
        ZooWorkload(
            "mobilenetv2",
            "torchvision MobileNetV2 (BN folded, ReLU6 as Clip), as PyTorch exports it",
            {"batch": 1, "image": 224, "classes": 1000},
            _CNN,
            _mobilenetv2,
            (_IMAGE_MIN,),
        ),
        ZooWorkload(
            "bert-encoder",
            "one BERT-base encoder block (self-attention + GELU feed-forward, post-LayerNorm)",
            {"batch": 1, "seq": 128, "hidden": 768, "heads": 12, "ffn": 3072},
            _TRANSFORMER,
            _bert_encoder,
            (_HEADS_DIVIDE,),
        ),
        ZooWorkload(
            "llm-prefill",
            "one decoder-only LLM block (Llama-style) over a prompt; returns the K/V cache",
            {"batch": 1, "seq": 512, "hidden": 4096, "heads": 32, "kv_heads": 32, "ffn": 11008},
            {**_LLM, "seq": "prompt tokens"},
            lambda p: _llm_block(p, decode=False),
            (_HEADS_DIVIDE, _KV_DIVIDE),
        ),
        ZooWorkload(
            "llm-decode",
            "one decoder-only LLM block, one decode step over a K/V cache",
            {"batch": 1, "past": 512, "hidden": 4096, "heads": 32, "kv_heads": 32, "ffn": 11008},
            {**{k: v for k, v in _LLM.items() if k != "seq"}, "past": "tokens already in the K/V cache"},
            lambda p: _llm_block(p, decode=True),
            (_HEADS_DIVIDE, _KV_DIVIDE),
        ),
    )
}


def list_workloads() -> tuple[str, ...]:
    """Names of the zoo's workloads."""
    return tuple(_ZOO)


def workload_info(name: str) -> ZooWorkload:
    """A zoo entry by name (its parameters and defaults); an unknown name raises `InputError`."""
    if name not in _ZOO:
        raise InputError.one("no workload of this name in the zoo", value=name, accepted=", ".join(_ZOO))
    return _ZOO[name]


def _params(entry: ZooWorkload, given: Mapping[str, int]) -> dict[str, int]:
    problems = [
        Problem(
            rule=f"{entry.name} has no parameter of this name",
            key_path=key,
            value=key,
            accepted=", ".join(entry.defaults),
        )
        for key in given
        if key not in entry.defaults
    ]
    problems += [
        Problem(rule="a size parameter is a positive integer", key_path=key, value=value, accepted=">= 1")
        for key, value in given.items()
        if key in entry.defaults and (not isinstance(value, int) or isinstance(value, bool) or value < 1)
    ]
    if problems:
        raise InputError(problems)
    params = {**entry.defaults, **given}
    broken = [rule for rule, holds in entry.rules if not holds(params)]
    if broken:
        raise InputError(Problem(rule=rule, value=dict(given), key_path=entry.name) for rule in broken)
    return params


def build_workload(name: str, **params: int) -> ModelProto:
    """The ONNX model of a zoo workload at the given sizes (shape-only weights; see the module docstring)."""
    entry = workload_info(name)
    return entry.build(_params(entry, params))


def load_workload(
    name: str, *, compat: Compat = None, precision: OnnxPrecision | None = None, **params: int
) -> Network:
    """A zoo workload imported as a `Network` (through the ONNX importer, like a user's file)."""
    model = build_workload(name, **params)
    return import_onnx(model, compat=compat, precision=precision, name=name)


def export_workload(name: str, path: str | os.PathLike[str], **params: int) -> Path:
    """Write a zoo workload to `path` (.onnx) with its weights (zeros) in ``<path stem>.weights`` beside it."""
    target = Path(path)
    model = build_workload(name, **params)
    location = f"{target.stem}.weights"
    size = 0
    for tensor in model.graph.initializer:
        if ext.uses_external_data(tensor):
            info = ext.ExternalDataInfo(tensor)
            offset, length = int(info.offset or 0), int(info.length or 0)
            _point_to(tensor, location, offset, length)
            size = max(size, offset + length)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(target.parent / location, "wb") as data:
            data.truncate(size)
        save_model(model, str(target))
    except OSError as exc:
        raise InputError.one("cannot write the model", value=f"{target}: {exc.strerror}") from None
    return target
