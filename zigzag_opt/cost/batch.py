"""A batch of temporal mappings as a struct of arrays: padded loop nests plus per-operand cut points."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from zigzag_opt.mapping.temporal import TemporalMapping
from zigzag_opt.workload.layer import Operand

__all__ = ["MappingBatch"]

I64 = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class MappingBatch:
    """N temporal mappings of one problem.

    `dim[n, l]`: index into the problem's dims of loop l (innermost first), -1 for padding;
    `size[n, l]`: its trip count (1 for padding); `n_loops[n]`;
    `cuts[n, x, m]`: number of innermost loops held by memory levels <= m of operand x (problem operand order;
    entries past an operand's level count are ignored).
    """

    dim: I64
    size: I64
    n_loops: I64
    cuts: I64

    def __len__(self) -> int:
        return int(self.dim.shape[0])

    @classmethod
    def from_mappings(
        cls, mappings: Sequence[TemporalMapping], dims: Sequence[str], operands: Sequence[Operand], max_levels: int
    ) -> MappingBatch:
        n = len(mappings)
        width = max([len(t.loops) for t in mappings] or [0]) or 1
        dim = np.full((n, width), -1, dtype=np.int64)
        size = np.ones((n, width), dtype=np.int64)
        n_loops = np.zeros(n, dtype=np.int64)
        cuts = np.zeros((n, len(operands), max_levels), dtype=np.int64)
        index = {d: i for i, d in enumerate(dims)}
        for i, t in enumerate(mappings):
            n_loops[i] = len(t.loops)
            for j, (d, s) in enumerate(t.loops):
                dim[i, j] = index[d]
                size[i, j] = s
            for x, op in enumerate(operands):
                c = t.cuts_of(op)
                cuts[i, x, : len(c)] = c
                cuts[i, x, len(c) :] = len(t.loops)
        return cls(dim=dim, size=size, n_loops=n_loops, cuts=cuts)

    def take(self, index: npt.NDArray[np.intp] | slice) -> MappingBatch:
        return MappingBatch(
            dim=self.dim[index], size=self.size[index], n_loops=self.n_loops[index], cuts=self.cuts[index]
        )
