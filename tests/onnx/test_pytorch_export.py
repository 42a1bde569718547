"""A model exported from PyTorch (``torch.onnx.export``) imports: convolutions with a non-square kernel, BN folded,
pooling, a residual add, attention products and a linear layer, with a dynamic batch bound on import.

Skipped when torch is not installed.
"""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Any

import pytest

torch = pytest.importorskip("torch")

from zigzag_opt.errors import InputError  # noqa: E402
from zigzag_opt.io.onnx_import import import_onnx, import_onnx_summary  # noqa: E402


class _Net(torch.nn.Module):  # type: ignore[misc]
    def __init__(self) -> None:
        super().__init__()
        self.conv = torch.nn.Conv2d(3, 8, kernel_size=(3, 5), stride=(1, 2), padding=(1, 2))
        self.bn = torch.nn.BatchNorm2d(8)
        self.dw = torch.nn.Conv2d(8, 8, kernel_size=3, padding=1, groups=8)
        self.pool = torch.nn.MaxPool2d(2)
        self.q = torch.nn.Linear(8, 8)
        self.k = torch.nn.Linear(8, 8)
        self.fc = torch.nn.Linear(8, 10)

    def forward(self, x: Any) -> Any:
        y = torch.relu(self.bn(self.conv(x)))  # [N, 8, 16, 16]
        y = y + self.dw(y)
        y = self.pool(y)  # [N, 8, 8, 8]
        t = y.flatten(2).transpose(1, 2)  # [N, 64, 8]
        scores = self.q(t) @ self.k(t).transpose(1, 2)  # [N, 64, 64]
        t = torch.softmax(scores, dim=-1) @ t  # [N, 64, 8]
        return self.fc(t.mean(dim=1))


def _export(path: Path) -> None:
    model = _Net().eval()
    kwargs: dict[str, Any] = {
        "input_names": ["x"],
        "output_names": ["y"],
        "dynamic_axes": {"x": {0: "batch"}, "y": {0: "batch"}},
        "opset_version": 17,
    }
    if "dynamo" in inspect.signature(torch.onnx.export).parameters:
        kwargs["dynamo"] = False
    with torch.no_grad():
        torch.onnx.export(model, (torch.zeros(1, 3, 16, 32),), str(path), **kwargs)


def test_a_pytorch_export_imports(tmp_path: Path) -> None:
    path = tmp_path / "net.onnx"
    _export(path)
    with pytest.raises(InputError, match="--dim batch=N"):
        import_onnx(path)
    result = import_onnx_summary(path, dims={"batch": 2})
    net = result.network
    types = [layer.operator_type for layer in net.layers]
    assert types.count("Conv") == 2
    assert "MaxPool" in types and "Add" in types
    conv = next(layer for layer in net.layers if layer.operator_type == "Conv")
    assert {d: conv.size(d) for d in ("B", "K", "C", "OX", "OY", "FX", "FY")} == {
        "B": 2, "K": 8, "C": 3, "OX": 16, "OY": 16, "FX": 5, "FY": 3,
    }  # fmt: skip
    assert conv.relation("IX").terms == (("OX", 2), ("FX", 1))  # type: ignore[union-attr]
    matmuls = [layer for layer in net.layers if layer.operator_type in ("MatMul", "Gemm")]
    macs = sorted(layer.mac_count for layer in matmuls)
    # q and k projections 2·64·8·8 each, Q·Kᵀ and softmax·V 2·64·64·8 each, fc 2·8·10
    assert macs == sorted([2 * 64 * 8 * 8] * 2 + [2 * 64 * 64 * 8] * 2 + [2 * 8 * 10])
    assert result.bridged  # Relu, Softmax, Transpose, ... are bridged and listed
    zz = import_onnx(path, compat="zigzag", dims={"batch": 2})
    assert {layer.operator_type for layer in zz.layers} <= {"Conv", "MatMul", "Gemm"}
    zz_conv = next(layer for layer in zz.layers if layer.operator_type == "Conv")
    assert (zz_conv.size("FX"), zz_conv.size("FY")) == (3, 5)  # ZigZag's H/W swap
