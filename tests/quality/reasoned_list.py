"""Reading the gates' committed exception lists (the secret-scanner allow-list): YAML lists of mappings
with a fixed set of keys, one of them a non-empty ``reason``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml


def reasoned_entries(path: Path, keys: set[str], reason_says: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """``(where, entry)`` for each entry of the list at ``path``, after checking that it has exactly ``keys`` and
    a reason; ``where`` names the entry for further messages. ``reason_says`` completes "reason must say ..."."""
    entries = yaml.safe_load(path.read_text()) or []
    name = path.name
    if not isinstance(entries, list):
        raise ValueError(f"{name}: must be a list of entries with keys {sorted(keys)}")
    for index, entry in enumerate(entries):
        where = f"{name}: entry {index + 1}"
        if not isinstance(entry, dict):
            raise ValueError(f"{where}: must be a mapping with keys {sorted(keys)}")
        if unknown := set(entry) - keys:
            raise ValueError(f"{where}: unknown keys {sorted(unknown)} (allowed: {sorted(keys)})")
        if missing := keys - set(entry):
            raise ValueError(f"{where}: missing keys {sorted(missing)}")
        if not str(entry["reason"]).strip():
            raise ValueError(f"{where}: reason must say {reason_says}")
        yield where, entry
