"""Reference data the tests check the project's output against: the vendored copy in tests/reference/, and the
full copy in ../shared/ beside the clone."""

from __future__ import annotations

from pathlib import Path

REFERENCE = Path(__file__).resolve().parent / "reference"


def reference_file(relative: str) -> Path:
    """A vendored reference file, ``tests/reference/<relative>`` (for example ``eso/externalsecret.v1.schema.json``).

    Committed, so it is always there; tests/test_reference_data.py keeps it equal to the trimmed ../shared copy.
    """
    path = REFERENCE / relative
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing: run python scripts/refresh_reference_data.py")
    return path
