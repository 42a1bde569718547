"""The `zigzag-opt` console script."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from zigzag_opt import __version__

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="zigzag-opt", description="Hardware-mapping co-design of DL accelerators.")
    parser.add_argument("--version", action="version", version=f"zigzag-opt {__version__}")
    parser.add_subparsers(dest="command")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command is None:
        _parser().print_help()
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
