"""The secret scanner over emitted files, and the committed allow-list of what it may report.

The scanner is ``bc-detect-secrets`` (module ``detect_secrets``), checkov's fork of Yelp's detect-secrets, pulled
in and pinned by checkov. Yelp's ``detect-secrets`` cannot be installed beside it: both ship the same
``detect_secrets`` package files.

It scans values, never key names. Run over a JSON or YAML file line by line, its KeywordDetector reports the value
after any key that starts with a denylisted word (``secret``, ``token``, ``password``... followed by any word
characters): ``"secretKey": "API_URL"`` reports ``API_URL``, which is the name of a Kubernetes key, once per key of
every app. So JSON and YAML files are parsed, and each string value is scanned on a line of its own (JSON strings
that hold a document, such as Helm values, are parsed in turn):

* ``<key>: <value>`` for a value with its key, so that a literal under ``password`` or ``client_secret`` is found;
* ``- <value>`` alone where the value is a name, not a value (:data:`NAME_POSITIONS`, and CDKTF's ``"//"``
  metadata of construct paths and output names), without the KeywordDetector: a name may itself look like
  ``keyword: value`` (the subject ``system:serviceaccount:external-secrets:external-secrets`` reads as a value
  ``external-secrets`` after the key ``secrets``). The detectors of token formats and entropy still read it.

Other files are scanned line by line as the scanner does by default.
"""

from __future__ import annotations

import fnmatch
import json
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from quality.reasoned_list import reasoned_entries

ALLOWLIST = Path(__file__).with_name("secrets_allowlist.yaml")
ALLOWLIST_KEYS = {"file", "type", "hashed_secret", "reason"}
# Keys whose value names something (a key, a field) rather than holding a value, in the formats the synth emits.
NAME_POSITIONS = {
    "secretKey": "ESO ExternalSecret spec.data[].secretKey: the Kubernetes key ESO writes the value to",
    "subject": "azurerm_federated_identity_credential.subject: system:serviceaccount:<namespace>:<service account>",
}
KEYWORD = "Secret Keyword"  # the KeywordDetector's finding type
METADATA_KEY = "//"  # CDKTF's metadata: construct paths, output names, never a value Terraform uses
STRUCTURED = (".json", ".yaml", ".yml")


@dataclass(frozen=True)
class Finding:
    file: str  # relative to the scanned root, POSIX form
    type: str  # the detector's finding type, e.g. "Secret Keyword"
    hashed_secret: str  # SHA-1 of the flagged string, as detect-secrets reports it
    where: str  # the value's path in a JSON or YAML document (`spec.data[0].remoteRef.key`), else `line <n>`

    def as_allowlist_entry(self) -> str:
        return (
            f"- file: {self.file}\n  type: {self.type}\n  hashed_secret: {self.hashed_secret}\n"
            f"  reason: ...  # at {self.where}: say why this is not a secret"
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


def _documents(path: Path) -> list[Any] | None:
    """The parsed documents of a JSON or YAML file; None for other files and for files that do not parse."""
    if path.suffix not in STRUCTURED:
        return None
    try:
        text = path.read_text(encoding="utf-8")
        return [json.loads(text)] if path.suffix == ".json" else list(yaml.safe_load_all(text))
    except (UnicodeDecodeError, ValueError, yaml.YAMLError):
        return None


def _embedded(value: str) -> Any:
    """The document a JSON string holds (Helm values, a policy), or None."""
    if value.lstrip()[:1] not in ("{", "["):
        return None
    try:
        document = json.loads(value)
    except ValueError:
        return None
    return document if isinstance(document, (dict, list)) else None


def values(node: Any, path: str = "", key: str = "", named: bool = False) -> Iterator[tuple[str, str | None, str]]:
    """``(path, key, value)`` of every string value; ``key`` is None where the value is a name (see module)."""
    if isinstance(node, dict):
        for child_key, child in node.items():
            child_path = f"{path}.{child_key}" if path else str(child_key)
            child_named = named or child_key == METADATA_KEY or child_key in NAME_POSITIONS
            yield from values(child, child_path, str(child_key), child_named)
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from values(item, f"{path}[{index}]", key, named)
    elif isinstance(node, str) and node.strip():
        document = _embedded(node)
        if document is not None:
            yield from values(document, f"{path}<json>", "", named)
        else:
            yield path, None if named else key, node


@dataclass(frozen=True)
class Line:
    text: str
    where: str  # the value's path
    name: bool  # the value is a name: the KeywordDetector's findings do not count


def _listing(documents: list[Any]) -> list[Line]:
    """One line per line of each string value (see module)."""
    lines = []
    for index, document in enumerate(documents):
        prefix = f"document {index + 1}: " if len(documents) > 1 else ""
        for path, key, value in values(document):
            for number, text in enumerate(value.splitlines() or [value]):
                shown = f"{key}: {text}" if key and number == 0 else f"- {text}"
                lines.append(Line(shown, prefix + path, key is None))
    return lines


def scan(root: Path, files: list[str]) -> list[Finding]:
    """Run every detector of the scanner, with its default filters, over the values of ``files`` (relative to
    ``root``); JSON and YAML files value by value, other files line by line."""
    from detect_secrets import SecretsCollection
    from detect_secrets.settings import default_settings

    findings = []
    with tempfile.TemporaryDirectory() as scratch, default_settings():
        for index, relative in enumerate(files):
            documents = _documents(root / relative)
            if documents is None:
                collection = SecretsCollection(root=str(root))
                collection.scan_file(relative)
                findings += [
                    Finding(relative, secret.type, secret.secret_hash, f"line {secret.line_number or 0}")
                    for _, secret in collection
                ]
                continue
            lines = _listing(documents)
            # A YAML file, so that the keyword detector reads `key: value` without requiring quotes; one name per
            # file, as the scanner caches what it read by file name.
            listing = Path(scratch) / f"values-{index}.yaml"
            listing.write_text("".join(f"{line.text}\n" for line in lines), encoding="utf-8")
            collection = SecretsCollection(root=scratch)
            collection.scan_file(listing.name)
            for _, secret in collection:
                line = lines[(secret.line_number or 1) - 1]
                if not (line.name and secret.type == KEYWORD):
                    findings.append(Finding(relative, secret.type, secret.secret_hash, line.where))
    return sorted(findings, key=lambda finding: (finding.file, finding.where, finding.type))


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
