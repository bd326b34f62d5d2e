"""Where the public reference data lives: `shared/data/` beside the checkout (as in CI and on the
development machines), or `BRIDGEWAY_SHARED_DATA`. Tests that need it are skipped, saying so,
on a machine that has none (a newcomer's clone); CI has it."""

import os
from pathlib import Path

import pytest

_CANDIDATES = [os.environ.get("BRIDGEWAY_SHARED_DATA", ""),
               str(Path(__file__).resolve().parents[1].parent / "shared" / "data"),
               "/work/shared/data"]
DATA = next((Path(c) for c in _CANDIDATES if c and Path(c).is_dir()), Path(_CANDIDATES[1]))


def need(*parts: str) -> Path:
    """The data file or folder, or a module-level skip naming what is missing."""
    path = DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"reference data {path} is not on this machine", allow_module_level=True)
    return path
