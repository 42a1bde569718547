"""Pydantic models of a search-space file (``kind: search_space``), the YAML form of `SearchSpace`.

```yaml
kind: search_space
name: edge_tpu_like
base: tpu_like                       # optional: the accelerator the space is written for
parameters:                          # in suggestion order; a `when` may only name earlier parameters
  pe_rows: {type: pow2, low: 8, high: 64, targets: ["cores[0].pe_array.sizes[0]"]}
  glb_kib:
    type: pow2
    low: 256
    high: 4096
    scale: 8192                      # KiB -> bits: value x scale is written
    auto_cost: true                  # re-cost the memories it changes with the memory technology model
    targets: ["cores[0].memories[sram_2MB].size_bits"]
derived:                             # applied in order, after the parameters
  - rule: set
    targets: ["cores[0].memories[sram_2MB].ports[*].bandwidth_max_bits_per_cycle"]
    expr: 16 * pe_rows
```
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from zigzag_opt.io.schema import MemOperandName, Name, NonNegativeInt, PositiveInt, StrictBool

__all__ = [
    "CategoricalParamSchema",
    "FloatParamSchema",
    "IntParamSchema",
    "KeepProductRuleSchema",
    "LayoutParamSchema",
    "ParamSchema",
    "Pow2ParamSchema",
    "RuleSchema",
    "SearchSpaceFile",
    "SetRuleSchema",
]

StrictInt = Annotated[int, Field(strict=True)]
StrictNumber = Annotated[float, Field(strict=True, allow_inf_nan=False)]
PositiveNumber = Annotated[float, Field(strict=True, gt=0, allow_inf_nan=False)]
Scalar = StrictBool | StrictInt | StrictNumber | str
ParamName = Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")]
PathText = Annotated[str, Field(min_length=1, description="e.g. cores[0].memories[sram_2MB].ports[*].size_bits")]
ExprText = Annotated[
    StrictInt | StrictNumber | str, Field(description="a number or an expression over parameters, e.g. 8 * pe_cols")
]
When = Annotated[
    dict[ParamName, Scalar | list[Scalar]],
    Field(description="active only if every named (earlier) parameter has the given value or one of the values"),
]


class _Param(BaseModel):
    model_config = ConfigDict(extra="forbid")

    description: str = ""
    targets: list[PathText] = Field(default=[], description="field paths written with value x scale")
    scale: PositiveNumber = 1
    auto_cost: StrictBool = False
    when: When = {}


class IntParamSchema(_Param):
    """Integers low..high (Optuna suggest_int)."""

    type: Literal["int"]
    low: StrictInt
    high: StrictInt
    step: PositiveInt = 1
    log: StrictBool = False


class FloatParamSchema(_Param):
    """Numbers low..high (Optuna suggest_float)."""

    type: Literal["float"]
    low: StrictNumber
    high: StrictNumber
    step: PositiveNumber | None = None
    log: StrictBool = False


class Pow2ParamSchema(_Param):
    """Powers of two from low to high (both powers of two; these are the values written)."""

    type: Literal["pow2"]
    low: PositiveInt
    high: PositiveInt
    encoding: Literal["categorical", "exponent"] = "categorical"


class CategoricalParamSchema(_Param):
    """One of `choices`."""

    type: Literal["categorical"]
    choices: list[Scalar] = Field(min_length=1)


class LayoutParamSchema(BaseModel):
    """One of several named memory-operand layouts of core `core`: each choice maps memory names to operand
    groups, e.g. ``split: {sram_2MB: [[I1], [O]]}`` (one copy of the memory per group; operands left out
    bypass the memory; an empty mapping keeps the base layout)."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["layout"]
    description: str = ""
    core: NonNegativeInt = 0
    choices: dict[Name, dict[Name, list[list[MemOperandName]]]] = Field(min_length=1)
    when: When = {}


ParamSchema = Annotated[
    IntParamSchema | FloatParamSchema | Pow2ParamSchema | CategoricalParamSchema | LayoutParamSchema,
    Field(discriminator="type"),
]


class _Rule(BaseModel):
    model_config = ConfigDict(extra="forbid")

    description: str = ""
    name: ParamName | None = Field(default=None, description="binds the written value for later expressions")
    when: When = {}
    auto_cost: StrictBool = False


class SetRuleSchema(_Rule):
    """Write `expr` into every target."""

    rule: Literal["set"]
    targets: list[PathText] = Field(min_length=1)
    expr: ExprText


class KeepProductRuleSchema(_Rule):
    """Set the last target to total / product(other targets); the design is rejected if that is not an integer.
    `total` defaults to the product in the base accelerator."""

    rule: Literal["keep_product"]
    targets: list[PathText] = Field(min_length=2)
    total: ExprText | None = None


RuleSchema = Annotated[SetRuleSchema | KeepProductRuleSchema, Field(discriminator="rule")]


class SearchSpaceFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["search_space"]
    name: Name
    description: str = ""
    base: Name | None = Field(default=None, description="bundled accelerator name or accelerator file path")
    parameters: dict[ParamName, ParamSchema] = Field(min_length=1)
    derived: list[RuleSchema] = []
