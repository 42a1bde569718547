"""Cost model: compile a (layer, core, spatial mapping) once, evaluate batches of temporal mappings."""

from zigzag_opt.cost.area import core_area, core_area_breakdown
from zigzag_opt.cost.batch import MappingBatch
from zigzag_opt.cost.model import BatchResult, evaluate, evaluate_mappings, evaluate_numpy
from zigzag_opt.cost.problem import ProblemArrays, compile_problem, compile_problem_cached
from zigzag_opt.cost.reference import evaluate_reference
from zigzag_opt.cost.report import CostReport, LevelCost, evaluate_one, report_from_batch

__all__ = [
    "BatchResult",
    "CostReport",
    "LevelCost",
    "MappingBatch",
    "ProblemArrays",
    "compile_problem",
    "compile_problem_cached",
    "core_area",
    "core_area_breakdown",
    "evaluate",
    "evaluate_mappings",
    "evaluate_numpy",
    "evaluate_one",
    "evaluate_reference",
    "report_from_batch",
]
