"""Record ZigZag's numbers for the three worked cases of the reference (§3.10) into tests/golden/worked_cases.json.

Runs the installed zigzag-dse (3.9.1 expected) through the oracle (`evaluate_ordering`: a complete temporal
ordering, memory allocation by ZigZag's LOMA allocator) and prints them next to the reference's 3.8.5 numbers.

    .venv/bin/python bench/record_zigzag_cases.py [--out PATH]
"""

from __future__ import annotations

import argparse
import json
import logging
from pathlib import Path
from typing import Any

from zigzag_opt.testing.worked_cases import WORKED_CASES, WorkedCase
from zigzag_opt.testing.zigzag_oracle import OracleResult, zigzag_version

DEFAULT_OUT = Path(__file__).resolve().parents[1] / "tests" / "golden" / "worked_cases.json"
COMPONENTS = ("energy_total", "ideal_temporal_cycle", "stall_slack_comb", "data_onloading", "data_offloading")


def case_record(case: WorkedCase, result: OracleResult) -> dict[str, Any]:
    return {
        "description": case.description,
        "inputs": {
            "accelerator": case.accelerator,
            "memory_sizes": case.memory_sizes,
            "layer": case.layer,
            "spatial": case.spatial,
            "ordering": [[dim, size] for dim, size in case.ordering],
        },
        "result": result.to_json(),
        "reference_3_8_5": case.reference,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args()
    logging.disable(logging.WARNING)  # ZigZag's clipping warnings

    version = zigzag_version()
    records: dict[str, Any] = {}
    print(f"zigzag-dse {version}")
    header = f"{'case':4} {'quantity':22} {version:>16} {'3.8.5 reference':>16} {'difference':>12}"
    print(header)
    print("-" * len(header))
    for case in WORKED_CASES:
        result = case.evaluate()
        records[case.name] = case_record(case, result)
        rows = [(name, getattr(result, name)) for name in COMPONENTS]
        rows.append(("systolic_drain_cycle", result.extra["systolic_drain_cycle"]))
        rows.append(("latency_total2", result.latency_total2))
        for name, value in rows:
            ref = case.reference.get(name)
            ref_text = f"{ref:16,.4f}" if ref is not None else f"{'-':>16}"
            diff = f"{value - ref:12,.4f}" if ref is not None else f"{'':>12}"
            print(f"{case.name:4} {name:22} {value:16,.4f} {ref_text} {diff}")
    payload = {"zigzag_version": version, "cases": records}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
