"""Print Pipfile.lock as a pip requirements file with exact versions, environment markers and hashes.

`make` installs the project's .venv with `pip install --require-hashes --no-deps` from this output, so the
install is exactly the lock (every file checked against its hash) and needs no pipenv. pipenv is only used to
re-lock (`make lock`).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def requirements(lock: dict, sections: tuple[str, ...] = ("default", "develop")) -> list[str]:
    pinned: dict[str, str] = {}
    for section in sections:
        for name, entry in sorted(lock.get(section, {}).items()):
            if "version" not in entry:
                raise SystemExit(f"Pipfile.lock: {section}.{name}: no pinned version (VCS or path entries are not supported)")
            line = f"{name}{entry['version']}"
            if entry.get("markers"):
                line += f" ; {entry['markers']}"
            line += "".join(f" --hash={digest}" for digest in entry.get("hashes", []))
            pinned.setdefault(name, line)
    return list(pinned.values())


if __name__ == "__main__":
    path = Path(sys.argv[1] if len(sys.argv) > 1 else "Pipfile.lock")
    print("\n".join(requirements(json.loads(path.read_text()))))
