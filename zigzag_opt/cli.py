"""The `zigzag-opt` console script: validate input files, evaluate user-fixed mappings, run a short demo.

This is the only module that configures logging. Bad input never ends in a traceback: every problem found is
printed to stderr (file, key path, rule, value, accepted values) and the exit status is 2. An unexpected exception
while loading a file is reported the same way, as one line; one anywhere else is an internal error (status 1,
``--traceback`` shows it).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from zigzag_opt import __version__
from zigzag_opt.cost import CostReport, evaluate_one
from zigzag_opt.cost.area import core_area
from zigzag_opt.errors import InputError, Problem, ZigzagOptError
from zigzag_opt.hardware import Accelerator, Core
from zigzag_opt.io.files import InputFile, load_input, mapping_problems
from zigzag_opt.io.schema import FileKind
from zigzag_opt.io.summary import accelerator_table, summarize_accelerator, summarize_mapping, summarize_network
from zigzag_opt.io.yaml_io import dump_yaml
from zigzag_opt.io.zigzag_compat import load_zigzag_workload
from zigzag_opt.library import list_accelerators, list_mappings, load_accelerator, load_mapping
from zigzag_opt.mapping.spec import MappingSpec, select_spec
from zigzag_opt.search.allocation import AllocationError, SearchNeededError, fixed_mapping
from zigzag_opt.search.base import Criterion
from zigzag_opt.search.locality import plan_data_locality
from zigzag_opt.search.network import MapperOptions, map_network, network_table, spatial_source
from zigzag_opt.search.registry import ENGINES
from zigzag_opt.tuning_cli import add_tuning_commands, run_demo_study
from zigzag_opt.workload import Layer, Network
from zigzag_opt.workload_cli import add_workload_commands

__all__ = ["main"]

EXIT_OK = 0
EXIT_INTERNAL = 1
EXIT_INPUT = 2

log = logging.getLogger(__name__)

#: ResNet-18's first layer, as in ZigZag's example workload `resnet18.yaml` (the demo's layer).
DEMO_LAYER: dict[str, Any] = {
    "id": 0,
    "name": "example_name_of_layer0",
    "operator_type": "Conv",
    "equation": "O[b][k][oy][ox]+=W[k][c][fy][fx]*I[b][c][iy][ix]",
    "dimension_relations": ["ix=2*ox+1*fx", "iy=2*oy+1*fy"],
    "loop_dims": ["B", "K", "C", "OY", "OX", "FY", "FX"],
    "loop_sizes": [1, 64, 3, 112, 112, 7, 7],
    "operand_precision": {"W": 8, "I": 8, "O": 16, "O_final": 8},
    "operand_source": {"I": 0, "W": 0},
}


# --------------------------------------------------------------------------------------------------------------
# Arguments and logging
# --------------------------------------------------------------------------------------------------------------


def _common_options(parser: argparse.ArgumentParser, default: Any) -> None:
    parser.add_argument("-v", "--verbose", action="count", default=default(0), help="log more (-v: info, -vv: debug)")
    parser.add_argument(
        "--traceback",
        action="store_true",
        default=default(False),
        help="show the Python traceback of an unexpected error (for bug reports)",
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="zigzag-opt",
        description="Hardware-mapping co-design of DL accelerators: a fast, ZigZag-exact cost model.",
        epilog="Exit status: 0 success, 1 internal error, 2 bad input (every problem is listed on stderr).",
    )
    parser.add_argument("--version", action="version", version=f"zigzag-opt {__version__}")
    _common_options(parser, lambda value: value)
    common = argparse.ArgumentParser(add_help=False)
    _common_options(common, lambda _: argparse.SUPPRESS)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    validate = sub.add_parser(
        "validate",
        parents=[common],
        help="check input files and summarise them",
        description="Detect each file's kind (accelerator, workload, mapping) and format (native: has `kind:`; "
        "else ZigZag's), load it, and print a summary. Mapping files are also checked against an accelerator "
        "(--accelerator, or the one accelerator among FILES) and the workloads among FILES.",
    )
    validate.add_argument("files", nargs="+", metavar="FILE", help="YAML input files")
    validate.add_argument(
        "--accelerator", metavar="A", help="check mapping files against this accelerator (bundled name or file)"
    )
    validate.set_defaults(handler=_cmd_validate)

    evaluate = sub.add_parser(
        "evaluate",
        parents=[common],
        help="evaluate a fully fixed mapping of a workload on an accelerator",
        description="Evaluate every layer (or the --layer ones) with the mapping entry selected for it (by layer "
        "name, then operator type, then `default`). The entry must fix the spatial mapping of every array dim and "
        "a complete temporal ordering; the memory allocation is ZigZag's (LOMA's allocator).",
    )
    evaluate.add_argument("--accelerator", required=True, metavar="A", help="bundled accelerator name or file")
    evaluate.add_argument("--workload", required=True, metavar="W", help="workload file (native or ZigZag)")
    evaluate.add_argument("--mapping", required=True, metavar="M", help="mapping file, or a bundled mapping name")
    evaluate.add_argument("--layer", action="append", metavar="NAME", help="only this layer (name or id; repeatable)")
    evaluate.add_argument("--format", choices=("text", "json", "yaml"), default="text", help="output format")
    evaluate.set_defaults(handler=_cmd_evaluate)

    mapper = sub.add_parser(
        "map",
        parents=[common],
        help="find the best mapping of every layer of a workload on an accelerator",
        description="Search spatial and temporal mappings of every layer (each unique layer shape once) and print a "
        "per-layer table with totals. --compat zigzag runs ZigZag 3.9.1's engines, defaults and tie-breaks (LOMA, "
        "lpf_limit 6, three generated spatial mappings, criterion latency unless given), so a ZigZag user gets "
        "ZigZag's numbers; without it this project's own engines run (more spatial candidates, exhaustive search).",
    )
    mapper.add_argument("--accelerator", required=True, metavar="A", help="bundled accelerator name or file")
    mapper.add_argument("--workload", required=True, metavar="W", help="workload file (.onnx, native or ZigZag YAML)")
    mapper.add_argument("--mapping", metavar="M", help="mapping file or bundled mapping name (default: 'default')")
    mapper.add_argument("--criterion", choices=("energy", "latency", "edp"), help="what to minimise (default latency)")
    mapper.add_argument("--engine", choices=ENGINES, help="temporal mapping engine")
    mapper.add_argument("--compat", choices=("zigzag",), help="reproduce ZigZag 3.9.1's search")
    mapper.add_argument("--lpf-limit", type=int, default=None, help="loop prime factor limit (ZigZag: 6)")
    mapper.add_argument("--spatial-candidates", type=int, default=None, help="spatial mappings tried per layer")
    mapper.add_argument("--mix", action="store_true", help="allow mixed spatial unrollings (ZigZag's flag)")
    mapper.add_argument("--data-locality", action="store_true", help="ZigZag's exploit_data_locality")
    mapper.add_argument("--processes", type=int, default=1, help="layers mapped in parallel processes")
    mapper.add_argument("--format", choices=("text", "json", "yaml"), default="text", help="output format")
    mapper.add_argument("--no-progress", action="store_true", help="no progress bar")
    mapper.set_defaults(handler=_cmd_map)

    demo = sub.add_parser(
        "demo",
        parents=[common],
        help="the main job: a small ResNet-18 co-design study (or, without --study, a quick look at the library)",
    )
    demo.add_argument("--study", metavar="STUDY.yaml", help="run this study and print its Pareto front")
    demo.add_argument("--n-trials", type=int, metavar="N", help="override the study's trial count")
    demo.set_defaults(handler=_cmd_demo)
    add_workload_commands(sub, parents=[common])
    add_tuning_commands(sub, parents=[common])
    return parser


def _configure_logging(verbosity: int) -> None:
    level = logging.WARNING if verbosity <= 0 else logging.INFO if verbosity == 1 else logging.DEBUG
    logging.basicConfig(level=level, format="%(levelname)s: %(name)s: %(message)s", stream=sys.stderr)
    logging.getLogger().setLevel(level)
    logging.captureWarnings(True)


# --------------------------------------------------------------------------------------------------------------
# Loading, with the bad-file boundary
# --------------------------------------------------------------------------------------------------------------


def _print_problems(problems: Sequence[Problem]) -> None:
    for problem in problems:
        print(f"error: {problem.render()}", file=sys.stderr)


def _load(path: str, expect: FileKind | None, *, traceback: bool) -> InputFile:
    """`load_input`, with any unexpected exception a bad file may cause turned into one `InputError`."""
    try:
        return load_input(path, expect=expect)
    except InputError:
        raise
    except Exception as exc:
        if traceback:
            raise
        log.debug("unexpected error while loading %s", path, exc_info=True)
        raise InputError.one(
            f"the file could not be loaded (unexpected {type(exc).__name__}: {exc})",
            accepted="a valid input file; rerun with --traceback to report a bug",
            file=path,
        ) from exc


def _accelerator_arg(arg: str, *, traceback: bool) -> Accelerator:
    if Path(arg).exists():
        loaded = _load(arg, "accelerator", traceback=traceback).value
        assert isinstance(loaded, Accelerator)  # expect="accelerator"
        return loaded
    if arg in list_accelerators():
        return load_accelerator(arg)
    raise InputError.one(
        "no accelerator file or bundled accelerator of this name",
        key_path="--accelerator",
        value=arg,
        accepted="an existing file, or one of " + ", ".join(list_accelerators()),
    )


def _mapping_arg(arg: str, *, traceback: bool) -> tuple[MappingSpec, ...]:
    if Path(arg).exists():
        loaded = _load(arg, "mapping", traceback=traceback).value
        assert isinstance(loaded, tuple)  # expect="mapping"
        return loaded
    if arg in list_mappings():
        return load_mapping(arg)
    raise InputError.one(
        "no mapping file or bundled mapping of this name",
        key_path="--mapping",
        value=arg,
        accepted="an existing file, or one of " + ", ".join(list_mappings()),
    )


def _workload_arg(arg: str, *, traceback: bool) -> Network:
    loaded = _load(arg, "workload", traceback=traceback).value
    assert isinstance(loaded, Network)  # expect="workload"
    return loaded


# --------------------------------------------------------------------------------------------------------------
# validate
# --------------------------------------------------------------------------------------------------------------


def _summary(item: InputFile) -> str:
    head = f"{item.path}: {item.kind} ({item.format} format)"
    value = item.value
    if isinstance(value, Accelerator):
        return head + "\n" + summarize_accelerator(value)
    if isinstance(value, Network):
        return head + "\n" + summarize_network(value)
    return head + "\n" + summarize_mapping(value, name=Path(item.path).name)


def _cross_check(loaded: list[InputFile], accelerator: Accelerator | None) -> list[Problem]:
    """Mapping files against the accelerator (given, or the only one among the files) and the workloads."""
    if accelerator is None:
        found = [f.value for f in loaded if isinstance(f.value, Accelerator)]
        if len(found) != 1:
            return []
        accelerator = found[0]
    networks: list[Network | None] = [f.value for f in loaded if isinstance(f.value, Network)] or [None]
    problems: list[Problem] = []
    for item in loaded:
        if item.kind == "mapping" and isinstance(item.value, tuple):
            for net in networks:
                problems += mapping_problems(accelerator.core, item.value, fmt=item.format, file=item.path, network=net)
    return problems


def _cmd_validate(args: argparse.Namespace) -> int:
    accelerator = _accelerator_arg(args.accelerator, traceback=args.traceback) if args.accelerator else None
    loaded: list[InputFile] = []
    failed: list[str] = []
    for path in args.files:
        try:
            item = _load(path, None, traceback=args.traceback)
        except InputError as exc:
            _print_problems(exc.problems)
            failed.append(path)
            continue
        print(_summary(item), end="\n\n")
        loaded.append(item)
    problems = _cross_check(loaded, accelerator)
    _print_problems(problems)
    failed += [p.file for p in problems if p.file not in failed]
    if failed:
        print(f"{len(failed)} of {len(args.files)} file(s) invalid: {', '.join(failed)}", file=sys.stderr)
        return EXIT_INPUT
    print(f"{len(loaded)} file(s) valid")
    return EXIT_OK


# --------------------------------------------------------------------------------------------------------------
# evaluate
# --------------------------------------------------------------------------------------------------------------


def _select_layers(net: Network, names: list[str] | None) -> tuple[Layer, ...]:
    layers = net.topological_order()
    if not names:
        return layers
    known = {layer.name for layer in layers} | {str(layer.id) for layer in layers}
    unknown = [name for name in names if name not in known]
    if unknown:
        raise InputError(
            Problem(
                rule="no layer of this name or id in the workload",
                key_path="--layer",
                value=name,
                accepted=", ".join(layer.name for layer in layers),
            )
            for name in unknown
        )
    return tuple(layer for layer in layers if layer.name in names or str(layer.id) in names)


def _evaluate_layer(layer: Layer, core: Core, specs: tuple[MappingSpec, ...], mapping_file: str) -> CostReport:
    """One layer's report; `InputError` (naming the layer) for anything that stops the evaluation."""
    where = f"layer {layer.name!r}"
    spec = select_spec(specs, layer)
    if spec is None:
        raise InputError.one(
            "no mapping entry applies to this layer",
            key_path=where,
            value=[s.name for s in specs],
            accepted=f"an entry named {layer.name!r}, {layer.operator_type!r} or 'default'",
            file=mapping_file,
        )
    try:
        fixed = fixed_mapping(layer, core, spec)
    except SearchNeededError as exc:
        raise InputError.one(
            f"this layer needs a mapping search (`zigzag-opt map`, not built yet): {exc.reason}",
            key_path=where,
            accepted="an entry with a spatial mapping for every array dim and a complete temporal ordering",
            file=mapping_file,
        ) from None
    except AllocationError as exc:
        raise InputError.one(
            f"the temporal ordering does not fit the memories ({exc})",
            key_path=where,
            value=[f"{d}{s}" for d, s in spec.temporal_ordering],
            accepted="an ordering ZigZag's memory allocator can place",
            file=mapping_file,
        ) from None
    except InputError as exc:
        problems = [p.under(f"entry {spec.name!r} for {where}").in_file(mapping_file) for p in exc.problems]
        raise InputError(problems) from None
    report = evaluate_one(layer, core, fixed.spatial, fixed.temporal, fixed.links)
    if not report.valid:
        full = [f"{lv.operand}@{lv.memory}" for lv in report.levels if lv.utilization > 1]
        raise InputError.one(
            "the mapping is not valid on this accelerator",
            key_path=where,
            value=full or None,
            accepted="a mapping whose data fit every memory and move through existing ports",
            file=mapping_file,
        )
    return report


def _plain(value: object) -> object:
    item = getattr(value, "item", None)
    if callable(item):
        return item()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def _result_doc(acc: Accelerator, net: Network, reports: list[CostReport]) -> dict[str, Any]:
    doc = {
        "accelerator": acc.name,
        "workload": net.name,
        "energy_pj": sum(r.energy_pj for r in reports),
        "latency_cycles": sum(r.latency_cycles for r in reports),
        "area_mm2": core_area(acc.core),
        "layers": [r.to_dict() for r in reports],
    }
    plain: dict[str, Any] = json.loads(json.dumps(doc, default=_plain))
    return plain


def _print_text(acc: Accelerator, reports: list[CostReport]) -> None:
    for report in reports:
        print("=" * 100)
        print(f"Layer {report.layer} on {report.accelerator}")
        print(report.explain(), end="\n\n")
    energy = sum(r.energy_pj for r in reports)
    latency = sum(r.latency_cycles for r in reports)
    print(
        f"Total over {len(reports)} layer(s) on {acc.name}: energy {energy:,.3f} pJ, latency {latency:,.2f} cycles, "
        f"area {core_area(acc.core):,.6g} mm²"
    )


def _cmd_evaluate(args: argparse.Namespace) -> int:
    acc = _accelerator_arg(args.accelerator, traceback=args.traceback)
    net = _workload_arg(args.workload, traceback=args.traceback)
    specs = _mapping_arg(args.mapping, traceback=args.traceback)
    if len(acc.cores) > 1:
        log.warning("accelerator %s has %d cores; evaluating on the first", acc.name, len(acc.cores))
    reports: list[CostReport] = []
    problems: list[Problem] = []
    for layer in _select_layers(net, args.layer):
        try:
            reports.append(_evaluate_layer(layer, acc.core, specs, args.mapping))
        except InputError as exc:
            problems += exc.problems
    if problems:
        _print_problems(problems)
        return EXIT_INPUT
    if args.format == "text":
        _print_text(acc, reports)
    elif args.format == "json":
        print(json.dumps(_result_doc(acc, net, reports), indent=2))
    else:
        print(dump_yaml(_result_doc(acc, net, reports)), end="")
    return EXIT_OK


# --------------------------------------------------------------------------------------------------------------
# map
# --------------------------------------------------------------------------------------------------------------


def _network_arg(arg: str, *, compat: str | None, traceback: bool) -> Network:
    if arg.endswith(".onnx"):
        from zigzag_opt.io.onnx_import import import_onnx

        return import_onnx(arg, compat="zigzag" if compat == "zigzag" else None)
    return _workload_arg(arg, traceback=traceback)


def _mapper_setup(args: argparse.Namespace) -> tuple[MapperOptions, int, bool]:
    """Options, spatial candidates per layer and mixing: ZigZag's defaults in compat mode, richer ones otherwise."""
    compat = args.compat == "zigzag"
    criterion = Criterion(args.criterion or "latency")
    engine = args.engine or ("loma" if compat else "exhaustive")
    lpf = args.lpf_limit if args.lpf_limit is not None else 6
    n_spatial = args.spatial_candidates or (3 if compat else 5)
    return MapperOptions(criterion=criterion, engine=engine, lpf_limit=lpf), n_spatial, bool(args.mix)


def _cmd_map(args: argparse.Namespace) -> int:
    acc = _accelerator_arg(args.accelerator, traceback=args.traceback)
    net = _network_arg(args.workload, compat=args.compat, traceback=args.traceback)
    specs = _mapping_arg(args.mapping or "default", traceback=args.traceback)
    options, n_spatial, mix = _mapper_setup(args)
    options = replace(options, spatial=spatial_source(n_spatial, mix or acc.core.is_imc))
    cores = plan_data_locality(net, acc.core, specs) if (args.data_locality or mix or acc.core.is_imc) else None
    bar = None if args.no_progress or args.format != "text" else _progress_bar()
    result = map_network(net, acc.core, specs, options, processes=args.processes, progress=bar, cores_by_layer=cores)
    if args.format == "json":
        print(json.dumps(result.to_dict(), indent=2, default=_plain))
    elif args.format == "yaml":
        print(dump_yaml(json.loads(json.dumps(result.to_dict(), default=_plain))), end="")
    else:
        print(network_table(result))
    return EXIT_OK


def _progress_bar() -> Callable[[int, int, str], None]:
    from tqdm import tqdm

    state: dict[str, Any] = {}

    def update(done: int, total: int, name: str) -> None:
        if "bar" not in state:
            state["bar"] = tqdm(total=total, unit="layer", desc="mapping", file=sys.stderr)
        state["bar"].set_postfix_str(name[:30])
        state["bar"].update(1)
        if done == total:
            state["bar"].close()

    return update


# --------------------------------------------------------------------------------------------------------------
# demo
# --------------------------------------------------------------------------------------------------------------


def _cmd_demo(args: argparse.Namespace) -> int:
    if args.study:
        return run_demo_study(Path(args.study), n_trials=args.n_trials)
    accelerators = [load_accelerator(name) for name in list_accelerators()]
    print("Bundled accelerators (zigzag_opt.library)")
    print(accelerator_table(accelerators), end="\n\n")
    tpu = next(acc for acc in accelerators if acc.name == "tpu_like")
    layer = load_zigzag_workload([DEMO_LAYER], file="resnet18.yaml (layer 0)").layers[0]
    specs = load_mapping("tpu_like")
    report = _evaluate_layer(layer, tpu.core, specs, "tpu_like mapping")
    spec = select_spec(specs, layer)
    print(
        f"ZigZag's tpu_like example: ResNet-18 layer 0 ({layer.name}) with mapping entry "
        f"{spec.name if spec else '?'!r} (a complete temporal ordering; memory allocation by LOMA's allocator)"
    )
    print(report.explain())
    return EXIT_OK


# --------------------------------------------------------------------------------------------------------------
# main
# --------------------------------------------------------------------------------------------------------------


def _run(handler: Callable[[argparse.Namespace], int], args: argparse.Namespace) -> int:
    try:
        return handler(args)
    except InputError as exc:
        _print_problems(exc.problems)
        return EXIT_INPUT
    except ZigzagOptError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_INPUT
    except BrokenPipeError:  # the reader went away (`| head`): stop quietly
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK
    except Exception as exc:
        if args.traceback:
            raise
        print(
            f"internal error: {type(exc).__name__}: {exc} (rerun with --traceback to see where)",
            file=sys.stderr,
        )
        return EXIT_INTERNAL


def main(argv: Sequence[str] | None = None) -> int:
    """Run the console script with `argv` (default: the process arguments); return the exit status."""
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version and usage errors: argparse's own status
        return exc.code if isinstance(exc.code, int) else EXIT_INPUT
    _configure_logging(args.verbose)
    if args.command is None:
        parser.print_help()
        return EXIT_OK
    handler: Callable[[argparse.Namespace], int] = args.handler
    return _run(handler, args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
