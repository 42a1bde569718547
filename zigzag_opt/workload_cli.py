"""``zigzag-opt workload ...``: list and export the model zoo, summarize a workload file.

    zigzag-opt workload list
    zigzag-opt workload export NAME [-o FILE.onnx] [--set KEY=VALUE ...]
    zigzag-opt workload summarize FILE [--dim NAME=VALUE ...] [--compat zigzag] [--act-bits N] [--format json]

`add_workload_commands` registers the ``workload`` sub-command on the main parser's subparsers;
`run_workload_command` runs it and returns the exit status (2 for bad input, reported without a traceback).
``onnx`` is imported only when a sub-command needs it.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from zigzag_opt.errors import InputError
from zigzag_opt.workload.layer import Layer
from zigzag_opt.workload.network import Network

if TYPE_CHECKING:
    from zigzag_opt.io._onnx_graph import OnnxImport

__all__ = ["add_workload_commands", "format_summary", "run_workload_command"]

COMMAND = "workload"


def _key_value(text: str) -> tuple[str, int]:
    """``NAME=INT`` → (NAME, INT), for --dim and --set."""
    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got {text!r}")
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{key}: the value must be an integer, got {value!r}") from None
    return key.strip(), number


def _bits(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"a number of bits is an integer, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"a number of bits is >= 1, got {value}")
    return value


def add_workload_commands(
    subparsers: Any, *, parents: Sequence[argparse.ArgumentParser] = ()
) -> argparse.ArgumentParser:
    """Add ``workload`` (with ``list``, ``export``, ``summarize``) to an argparse subparsers object.

    `parents` (e.g. the main parser's common options) are added to every sub-command. The ``workload`` parser gets
    ``handler=run_workload_command`` as a default, and is returned.
    """
    parser: argparse.ArgumentParser = subparsers.add_parser(
        COMMAND,
        parents=list(parents),
        help="model zoo and workload files (ONNX, YAML)",
        description="List and export the built-in model zoo; summarize ONNX or YAML workload files.",
    )
    parser.set_defaults(handler=run_workload_command)
    sub = parser.add_subparsers(dest="workload_command", metavar="{list,export,summarize}")
    sub.add_parser("list", parents=list(parents), help="list the zoo's workloads and their size parameters")

    export = sub.add_parser(
        "export", parents=list(parents), help="write a zoo workload to an .onnx file (weights as zeros beside it)"
    )
    export.add_argument("name", help="zoo workload (see `zigzag-opt workload list`)")
    export.add_argument("-o", "--output", type=Path, help="output file (default: NAME.onnx)")
    export.add_argument(
        "--set", dest="params", action="append", type=_key_value, default=[], metavar="KEY=VALUE",
        help="a size parameter, e.g. --set seq=256 (repeatable)",
    )  # fmt: skip

    summ = sub.add_parser(
        "summarize", parents=list(parents), help="print a workload's layers, loop dims, MAC counts and skipped ops"
    )
    summ.add_argument("file", type=Path, help=".onnx model, or a ZigZag / native workload .yaml")
    summ.add_argument(
        "--dim", dest="dims", action="append", type=_key_value, default=[], metavar="NAME=VALUE",
        help="value of a dynamic ONNX input dimension, e.g. --dim batch=1 (repeatable)",
    )  # fmt: skip
    summ.add_argument("--compat", choices=["zigzag"], help="build exactly the layers ZigZag's ONNX parser builds")
    summ.add_argument("--weight-bits", type=_bits, default=8, help="bits of float weights (default 8)")
    summ.add_argument("--act-bits", type=_bits, default=8, help="bits of float activations (default 8)")
    summ.add_argument("--partial-bits", type=_bits, help="bits of partial sums (default 2 x act bits)")
    summ.add_argument("--no-layers", action="store_true", help="totals only, no per-layer table")
    summ.add_argument("--format", choices=["text", "json"], default="text", help="output format")
    return parser


def run_workload_command(args: argparse.Namespace, *, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Run a parsed ``workload`` command; 0 on success, 2 on bad input (message on stderr), 1 without a sub-command."""
    stdout, stderr = out or sys.stdout, err or sys.stderr
    command = getattr(args, "workload_command", None)
    try:
        if command == "list":
            return _list(stdout)
        if command == "export":
            return _export(args, stdout)
        if command == "summarize":
            return _summarize(args, stdout)
    except InputError as exc:
        for problem in exc.problems:
            print(f"error: {problem.render()}", file=stderr)
        return 2
    print("usage: zigzag-opt workload {list,export,summarize} ...", file=stderr)
    return 1


# --------------------------------------------------------------------------------------------------------------


def _list(out: TextIO) -> int:
    from zigzag_opt.library.workloads import list_workloads, workload_info

    for name in list_workloads():
        entry = workload_info(name)
        print(f"{name}: {entry.description}", file=out)
        for key, default in entry.defaults.items():
            print(f"    {key}={default}  ({entry.meaning.get(key, '')})", file=out)
    return 0


def _duplicates(pairs: Sequence[tuple[str, int]], flag: str) -> dict[str, int]:
    seen: dict[str, int] = {}
    for key, value in pairs:
        if key in seen and seen[key] != value:
            raise InputError.one(f"{flag} {key} is given twice with different values", value=[seen[key], value])
        seen[key] = value
    return seen


def _export(args: argparse.Namespace, out: TextIO) -> int:
    from zigzag_opt.library.workloads import build_workload, export_workload

    params = _duplicates(args.params, "--set")
    target = args.output or Path(f"{args.name}.onnx")
    path = export_workload(args.name, target, **params)
    nodes = len(build_workload(args.name, **params).graph.node)
    print(f"wrote {path} ({nodes} nodes; weights, all zero, in {path.with_suffix('.weights').name})", file=out)
    return 0


def _summarize(args: argparse.Namespace, out: TextIO) -> int:
    path: Path = args.file
    dims = _duplicates(args.dims, "--dim")
    if path.suffix.lower() in (".yaml", ".yml"):
        if dims or args.compat:
            raise InputError.one("--dim and --compat apply to ONNX models only", value=str(path))
        network = _yaml_workload(path)
        summary: OnnxImport | None = None
    else:
        from zigzag_opt.io.onnx_import import OnnxPrecision, import_onnx_summary

        precision = OnnxPrecision(weight_bits=args.weight_bits, act_bits=args.act_bits, partial_bits=args.partial_bits)
        summary = import_onnx_summary(path, compat=args.compat, dims=dims, precision=precision)
        network = summary.network
    if args.format == "json":
        print(json.dumps(summary_dict(network, summary, file=str(path)), indent=2), file=out)
    else:
        print(format_summary(network, summary, file=str(path), layers=not args.no_layers), file=out)
    return 0


def _yaml_workload(path: Path) -> Network:
    from zigzag_opt.io.native import load_native_workload
    from zigzag_opt.io.yaml_io import read_yaml
    from zigzag_opt.io.zigzag_compat import detect_zigzag_kind, load_zigzag_workload

    data = read_yaml(path)
    if isinstance(data, list) and detect_zigzag_kind(data) == "workload":
        return load_zigzag_workload(data, file=str(path))
    return load_native_workload(path)


# --------------------------------------------------------------------------------------------------------------


def _loop_dims(layer: Layer) -> str:
    return " ".join(f"{d}={s}" for d, s in zip(layer.dims, layer.sizes, strict=True))


def _macs(n: int) -> str:
    for unit, scale in (("G", 1e9), ("M", 1e6), ("k", 1e3)):
        if n >= scale:
            return f"{n / scale:.3f} {unit}MAC"
    return f"{n} MAC"


def summary_dict(network: Network, summary: OnnxImport | None, *, file: str = "") -> dict[str, Any]:
    """The summary as JSON-ready data."""
    data: dict[str, Any] = {
        "file": file,
        "name": network.name,
        "layers": [
            {
                "id": layer.id,
                "name": layer.name,
                "operator_type": layer.operator_type,
                "kind": str(layer.kind),
                "loop_dims": dict(zip(layer.dims, layer.sizes, strict=True)),
                "equation": layer.equation,
                "macs": layer.mac_count,
            }
            for layer in network.layers
        ],
        "edges": [list(e) for e in network.edges],
        "total_macs": network.mac_count,
    }
    if summary is not None:
        data["mode"] = summary.mode
        data["opset"] = summary.opset
        data["dims"] = dict(summary.dims)
        data["skipped_ops"] = [
            {"id": b.index, "name": b.name, "op_type": b.op_type, "reason": b.reason} for b in summary.bridged
        ]
        data["warnings"] = list(summary.warnings)
    return data


def format_summary(network: Network, summary: OnnxImport | None, *, file: str = "", layers: bool = True) -> str:
    """A plain-text summary: one line per layer (loop dims, MACs), totals, skipped ops and warnings."""
    head = f"{file or network.name}: {len(network.layers)} layers, {_macs(network.mac_count)}"
    if summary is not None:
        head += f", {len(summary.bridged)} skipped ops (mode {summary.mode}, opset {summary.opset})"
    lines = [head]
    if layers:
        rows = [
            (str(layer.id), layer.name, layer.operator_type, _loop_dims(layer), f"{layer.mac_count:,}")
            for layer in network.layers
        ]
        header = ("id", "name", "type", "loop dims", "MACs")
        widths = [min(48, max(len(r[i]) for r in [header, *rows])) for i in range(4)]
        for row in [header, *rows]:
            cells = [row[i][: widths[i]].ljust(widths[i]) for i in range(4)]
            lines.append("  " + "  ".join(cells) + "  " + row[4].rjust(16))
    counts: dict[str, list[int]] = {}
    for layer in network.layers:
        counts.setdefault(layer.operator_type, []).append(layer.mac_count)
    by_type = ", ".join(f"{op} {len(m)} ({_macs(sum(m))})" for op, m in counts.items())
    lines.append(f"layers by type: {by_type}")
    lines.append(f"total: {network.mac_count:,} MACs, {len(network.edges)} edges")
    if summary is not None:
        skipped = ", ".join(f"{op} {n}" for op, n in summary.bridged_counts().items()) or "none"
        lines.append(f"skipped ops (bridged at no cost): {skipped}")
        if summary.dims:
            lines.append("dims: " + ", ".join(f"{k}={v}" for k, v in summary.dims))
        lines.extend(f"warning: {w}" for w in summary.warnings)
    return "\n".join(lines)
