"""The secret scanner over emitted files, and the committed allow-list of what it may report.

The scanner is ``bc-detect-secrets`` (module ``detect_secrets``), checkov's fork of Yelp's detect-secrets, pulled
in and pinned by checkov. Yelp's ``detect-secrets`` cannot be installed beside it: both ship the same
``detect_secrets`` package files.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from pathlib import Path

from quality.reasoned_list import reasoned_entries

ALLOWLIST = Path(__file__).with_name("secrets_allowlist.yaml")
ALLOWLIST_KEYS = {"file", "type", "hashed_secret", "reason"}


@dataclass(frozen=True)
class Finding:
    file: str  # relative to the scanned root, POSIX form
    type: str  # the detector's finding type, e.g. "Secret Keyword"
    hashed_secret: str  # SHA-1 of the flagged string, as detect-secrets reports it
    line: int

    def as_allowlist_entry(self) -> str:
        return (
            f"- file: {self.file}\n  type: {self.type}\n  hashed_secret: {self.hashed_secret}\n"
            f"  reason: ...  # line {self.line}: say why this is not a secret"
        )


@dataclass(frozen=True)
class Allowed:
    file: str  # a glob over relative paths
    type: str
    hashed_secret: str
    reason: str

    def matches(self, finding: Finding) -> bool:
        return (
            fnmatch.fnmatchcase(finding.file, self.file)
            and finding.type == self.type
            and finding.hashed_secret == self.hashed_secret
        )


def scan(root: Path, files: list[str]) -> list[Finding]:
    """Run every detector of the scanner, with its default filters, over ``files`` (relative to ``root``)."""
    from detect_secrets import SecretsCollection
    from detect_secrets.settings import default_settings

    collection = SecretsCollection(root=str(root))
    with default_settings():
        for relative in files:
            collection.scan_file(relative)
    return sorted(
        (Finding(file=name, type=secret.type, hashed_secret=secret.secret_hash, line=secret.line_number or 0)
         for name, secret in collection),
        key=lambda finding: (finding.file, finding.line, finding.type),
    )


def load_allowlist(path: Path = ALLOWLIST) -> list[Allowed]:
    """The allow-list; every entry needs all four keys, a non-empty reason and nothing else."""
    return [
        Allowed(**{key: str(entry[key]) for key in ALLOWLIST_KEYS})
        for _, entry in reasoned_entries(path, ALLOWLIST_KEYS, "why the finding is not a secret")
    ]


def unexplained(findings: list[Finding], allowed: list[Allowed]) -> list[Finding]:
    return [finding for finding in findings if not any(entry.matches(finding) for entry in allowed)]


def stale(findings: list[Finding], allowed: list[Allowed]) -> list[Allowed]:
    return [entry for entry in allowed if not any(entry.matches(finding) for finding in findings)]
