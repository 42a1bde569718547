"""Run one case of zigzag-dse's own test suite (recorded in tests/golden/zigzag_suite.json) through this
package in ZigZag-compatible mode: the same hardware, mapping and workload files, ZigZag's API defaults and
flag coupling (mixed spatial mappings and IMC switch on the inter-layer data-locality stages)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from zigzag_opt.io.onnx_import import import_onnx
from zigzag_opt.io.zigzag_compat import load_zigzag_accelerator, load_zigzag_mapping, load_zigzag_workload
from zigzag_opt.search.base import Criterion
from zigzag_opt.search.locality import plan_data_locality
from zigzag_opt.search.network import MapperOptions, NetworkMapping, map_network, spatial_source

__all__ = ["SuiteCase", "run_case"]


@dataclass(frozen=True, slots=True)
class SuiteCase:
    test: str
    api: str
    kwargs: dict[str, Any]
    accelerator: str
    mapping: str
    workload: str
    expected: tuple[float, ...]

    @classmethod
    def from_json(cls, doc: dict[str, Any]) -> SuiteCase:
        return cls(
            test=doc["test"],
            api=doc["api"],
            kwargs=dict(doc["kwargs"]),
            accelerator=doc["accelerator"],
            mapping=doc["mapping"],
            workload=doc["workload"],
            expected=tuple(doc["expected"]),
        )

    @property
    def id(self) -> str:
        return f"{self.test.replace('/', ':').removesuffix('.py')}[{Path(self.workload).name}]"


def _zigzag_inputs() -> Path:
    import zigzag

    return Path(zigzag.__file__).parent / "inputs"


def _path(ref: str, workloads: Path) -> Path:
    """ZigZag's tests name files as `zigzag/inputs/<kind>/<file>`; YAML workloads live in our test data."""
    name = Path(ref)
    if name.parent.name == "workload" and name.suffix == ".yaml":
        return workloads / name.name
    return _zigzag_inputs() / name.parent.name / name.name


def run_case(case: SuiteCase, workloads: Path, *, processes: int = 1) -> NetworkMapping:
    acc = load_zigzag_accelerator(_path(case.accelerator, workloads))
    specs = load_zigzag_mapping(_path(case.mapping, workloads))
    wpath = _path(case.workload, workloads)
    net = import_onnx(wpath, compat="zigzag") if wpath.suffix == ".onnx" else load_zigzag_workload(wpath)
    imc = case.api.endswith("_imc")
    mix = imc or bool(case.kwargs.get("enable_mix_spatial_mapping"))
    locality = mix or bool(case.kwargs.get("exploit_data_locality"))
    options = MapperOptions(
        criterion=Criterion(str(case.kwargs.get("opt", "latency")).lower()),
        engine="loma",
        lpf_limit=int(case.kwargs.get("lpf_limit", 6)),
        spatial=spatial_source(int(case.kwargs.get("nb_spatial_mappings_generated", 3)), mix),
    )
    cores = plan_data_locality(net, acc.core, specs) if locality else None
    return map_network(net, acc.core, specs, options, processes=processes, cores_by_layer=cores)
