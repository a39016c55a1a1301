"""The stand-in provider module and its protocol stubs, for tests that call it in-process."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import standin  # noqa: E402

pb = standin.pb
