"""Pydantic models of the native YAML formats (accelerator, workload, mapping) and their JSON Schemas.

Every file starts with a `kind:` key naming its model. Units are part of key names (`size_bits`,
`read_energy_pj`, `area_mm2`, `bandwidth_max_bits_per_cycle`). Unknown keys are errors (`extra="forbid"`),
so a typo never passes silently. These models check types and shapes only; the core objects check the rules
that span fields.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, Self, TypeAlias

from pydantic import BaseModel, ConfigDict, Field, PlainValidator, WithJsonSchema, model_validator

from zigzag_opt.errors import InputError

__all__ = [
    "FILE_MODELS",
    "AcceleratorFile",
    "CoreSchema",
    "FileKind",
    "ImcSchema",
    "LayerSchema",
    "MappingEntrySchema",
    "MappingFile",
    "MemorySchema",
    "OperandLinksSchema",
    "PEArraySchema",
    "PortSchema",
    "PrecisionSchema",
    "WorkloadFile",
    "json_schema",
]

# Strict numbers: YAML `true` or "8" is a mistake, not a 1 or an 8.
PositiveInt = Annotated[int, Field(strict=True, ge=1)]
NonNegativeInt = Annotated[int, Field(strict=True, ge=0)]
NonNegativeFloat = Annotated[float, Field(strict=True, ge=0, allow_inf_nan=False)]
StrictBool = Annotated[bool, Field(strict=True)]
Name = Annotated[str, Field(min_length=1)]
DimName = Annotated[str, Field(pattern=r"^[A-Za-z_]\w*$")]

MemOperandName = Literal["I1", "I2", "O"]
DirectionCode = Literal["fh", "tl", "fl", "th"]
LayerOperandName = Literal["O", "W", "I"]
InputOperandName = Literal["W", "I"]
FileKind = Literal["accelerator", "workload", "mapping", "search_space"]


# --- accelerator --------------------------------------------------------------------------------------------


class PortSchema(BaseModel):
    """A memory port. `serves` lists (memory operand, direction) pairs. Directions: fh = written from the
    level above, tl = read to the level below, fl = written from below, th = read to the level above (fl and
    th for outputs only)."""

    model_config = ConfigDict(extra="forbid")

    name: Name
    type: Literal["read", "write", "read_write"]
    bandwidth_min_bits_per_cycle: PositiveInt
    bandwidth_max_bits_per_cycle: PositiveInt
    serves: list[tuple[MemOperandName, DirectionCode]]


class MemorySchema(BaseModel):
    """One memory instance. Energies are per access of one full-width (bandwidth_max) word. Costs may be left
    out only when `auto_cost` asks for them to be estimated from the memory technology model."""

    model_config = ConfigDict(extra="forbid")

    name: Name
    size_bits: PositiveInt
    read_energy_pj: NonNegativeFloat | None = None
    write_energy_pj: NonNegativeFloat | None = None
    area_mm2: NonNegativeFloat | None = None
    latency_cycles: NonNegativeInt = 1
    mem_type: Name = "sram"
    auto_cost: StrictBool = False
    operands: list[MemOperandName] = Field(min_length=1)
    served_dims: list[DimName]
    force_double_buffering: StrictBool = False
    ports: list[PortSchema] = Field(min_length=1)

    @model_validator(mode="after")
    def _costs_given(self) -> Self:
        missing = [k for k in ("read_energy_pj", "write_energy_pj", "area_mm2") if getattr(self, k) is None]
        if missing and not self.auto_cost:
            raise ValueError(f"{', '.join(missing)} required unless auto_cost is true")
        return self


class PEArraySchema(BaseModel):
    """The MAC array: `dims` and `sizes` are parallel lists; energy and area are per MAC."""

    model_config = ConfigDict(extra="forbid")

    dims: list[DimName] = Field(min_length=1)
    sizes: list[PositiveInt] = Field(min_length=1)
    mac_energy_pj: NonNegativeFloat
    mac_area_mm2: NonNegativeFloat = 0.0
    systolic_dims: list[DimName] = []


class ImcSchema(BaseModel):
    """In-memory-computing macro parameters. The cell-group size, area and auto_cost default to those of the
    core's memory named `cells`; give them here only for a core without one."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["analog", "digital"]
    act_bits: PositiveInt
    weight_bits: PositiveInt
    bit_serial_bits: PositiveInt
    adc_bits: NonNegativeInt = 0
    cells_size_bits: PositiveInt | None = None
    cells_area_mm2: NonNegativeFloat | None = None
    auto_cost: StrictBool | None = None


class CoreSchema(BaseModel):
    """A PE array and its memories, innermost first. `name` defaults to the accelerator's.

    `id` defaults to the core's index.
    """

    model_config = ConfigDict(extra="forbid")

    name: Name | None = None
    id: NonNegativeInt | None = None
    pe_array: PEArraySchema
    memories: list[MemorySchema] = Field(min_length=1)
    imc: ImcSchema | None = None


class AcceleratorFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["accelerator"]
    name: Name
    cores: list[CoreSchema] = Field(min_length=1)


# --- workload -----------------------------------------------------------------------------------------------


class PrecisionSchema(BaseModel):
    """Bits per element; 0 means the operand carries no data (e.g. the 'weights' of a pooling layer)."""

    model_config = ConfigDict(extra="forbid")

    w_bits: NonNegativeInt
    i_bits: NonNegativeInt
    o_partial_bits: NonNegativeInt
    o_final_bits: NonNegativeInt


class LayerSchema(BaseModel):
    """One layer. Give the operands' indices either as `operands` ({O: [b, k, oy, ox], ...}) or as a
    ZigZag-style `equation` string. `relations` defines derived indices: {IX: {OX: 2, FX: 1}} means
    ix = 2·ox + 1·fx. `kind` defaults from `operator_type`."""

    model_config = ConfigDict(extra="forbid")

    id: NonNegativeInt
    name: Name | None = None
    operator_type: Name
    kind: Literal["conv", "gemm", "pooling", "elementwise", "other"] | None = None
    dims: dict[DimName, PositiveInt] = Field(min_length=1)
    operands: dict[LayerOperandName, list[DimName]] | None = None
    equation: Name | None = None
    relations: dict[DimName, dict[DimName, PositiveInt]] = {}
    precision: PrecisionSchema
    constant_operands: list[InputOperandName] = []
    sources: dict[InputOperandName, NonNegativeInt] = {}
    pr_sizes: dict[DimName, PositiveInt] = {}
    padding: dict[DimName, tuple[NonNegativeInt, NonNegativeInt]] = {}

    @model_validator(mode="after")
    def _one_operand_form(self) -> Self:
        if (self.operands is None) == (self.equation is None):
            raise ValueError("give exactly one of `operands` and `equation`")
        both = sorted(set(self.constant_operands) & set(self.sources))
        if both:
            raise ValueError(f"operand(s) {', '.join(both)} cannot be both constant and produced by a layer")
        return self


class WorkloadFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["workload"]
    name: Name
    layers: list[LayerSchema] = Field(min_length=1)


# --- mapping ------------------------------------------------------------------------------------------------


class OperandLinksSchema(BaseModel):
    """Which memory operand holds each layer operand."""

    model_config = ConfigDict(extra="forbid")

    O: MemOperandName = "O"  # noqa: E741 - the operand's conventional name
    W: MemOperandName = "I2"
    I: MemOperandName = "I1"  # noqa: E741 - the operand's conventional name


def _temporal_size(value: object) -> int | str:
    # One validator instead of a union: union errors would name each member in the error's key path.
    if value == "*" or (isinstance(value, int) and not isinstance(value, bool) and value >= 1):
        return value
    raise ValueError('a temporal loop size must be a positive integer or "*"')


TemporalSize = Annotated[
    int | Literal["*"],
    PlainValidator(_temporal_size),
    WithJsonSchema({"anyOf": [{"type": "integer", "minimum": 1}, {"const": "*"}]}),
]
TemporalLoop: TypeAlias = tuple[Annotated[str, Field(pattern=r"^(\*|[A-Za-z_]\w*)$")], TemporalSize]


class MappingEntrySchema(BaseModel):
    """A mapping entry, chosen per layer by layer name, then operator type, then `default`.

    `spatial`: {D1: {K: 32}, D2: {C: 2, FX: 3}} (several dims on one array dim = mixed unrolling);
    `hints`: layer dims a mapper may unroll per array dim; `temporal_ordering`: [[OX, 112], [K, "*"], ...]
    innermost first ("*" = any size; a ["*", "*"] entry makes later positions count from the outermost end).
    """

    model_config = ConfigDict(extra="forbid")

    name: Name
    spatial: dict[DimName, dict[DimName, PositiveInt]] = {}
    hints: dict[DimName, list[DimName]] = {}
    temporal_ordering: list[TemporalLoop] = []
    operand_links: OperandLinksSchema = Field(default_factory=OperandLinksSchema)


class MappingFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["mapping"]
    entries: list[MappingEntrySchema] = Field(min_length=1)


FILE_MODELS: dict[str, type[AcceleratorFile] | type[WorkloadFile] | type[MappingFile]] = {
    "accelerator": AcceleratorFile,
    "workload": WorkloadFile,
    "mapping": MappingFile,
}


def json_schema(kind: FileKind) -> dict[str, Any]:
    """The JSON Schema of one native file kind, for editors (e.g. YAML language servers)."""
    from zigzag_opt.io.space_schema import SearchSpaceFile  # imported here: space_schema builds on this module

    models: dict[str, type[BaseModel]] = {**FILE_MODELS, "search_space": SearchSpaceFile}
    if kind not in models:
        raise InputError.one("unknown file kind", key_path="kind", value=kind, accepted=", ".join(models))
    schema = models[kind].model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema
