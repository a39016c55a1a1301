"""checkov over every synthesized stack, in one process (which checks may fail: policy_exceptions.py).

checkov's ``terraform_json`` parser cannot read ``terraform.required_version`` (a string where it expects
blocks) nor ``moved`` and ``import`` blocks: it reports one parsing error and checks nothing in that file. So
checkov scans a copy of each stack with exactly those keys removed (:func:`checkov_compatible`; no checkov policy is about either);
the policy test proves that is the only difference.
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# Any connection attempt goes to the discard port of this machine and fails at once.
UNREACHABLE_PROXY = "http://127.0.0.1:9"
CHECKOV_TIMEOUT_SECONDS = 600


def checkov_compatible(synthesized: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """A copy checkov can parse, and what was removed to get it (``required_version`` of the ``terraform`` block,
    the top-level ``moved`` and ``import`` blocks)."""
    result = copy.deepcopy(synthesized)
    removed = {}
    terraform = result.get("terraform", {})
    if "required_version" in terraform:
        removed["required_version"] = terraform.pop("required_version")
    for blocks in ("moved", "import"):
        if blocks in result:
            removed[blocks] = result.pop(blocks)
    return result, removed


def stack_files(outdir: Path) -> dict[str, Path]:
    """Every stack of a synthesized outdir (from its manifest.json) and its Terraform JSON."""
    manifest = json.loads((outdir / "manifest.json").read_text())
    return {name: outdir / stack["synthesizedStackPath"] for name, stack in sorted(manifest["stacks"].items())}


def write_scan_copy(outdir: Path, destination: Path) -> dict[str, dict[str, Any]]:
    """``<destination>/<stack>/cdk.tf.json`` for every stack; returns each stack's original JSON."""
    originals = {}
    for name, path in stack_files(outdir).items():
        originals[name] = json.loads(path.read_text())
        compatible, _ = checkov_compatible(originals[name])
        (destination / name).mkdir(parents=True)
        (destination / name / "cdk.tf.json").write_text(json.dumps(compatible, indent=2))
    return originals


def checkov_environment() -> dict[str, str]:
    """This process's environment with every way checkov could reach a platform or the network turned off."""
    platform = ("BC_", "PRISMA_", "CKV_", "CHECKOV_")
    proxies = ("HTTPS_PROXY", "HTTP_PROXY", "NO_PROXY", "ALL_PROXY")
    environment = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(platform) and name.upper() not in proxies
    }
    environment.update(
        CKV_SKIP_PACKAGE_UPDATE_CHECK="true",  # no "new version" query to PyPI
        BC_SKIP_MAPPING="TRUE",  # no guidelines download
        LOG_LEVEL="WARNING",
        HTTPS_PROXY=UNREACHABLE_PROXY,
        HTTP_PROXY=UNREACHABLE_PROXY,
    )
    return environment


def run_checkov(directory: Path) -> list[dict[str, Any]]:
    """One checkov process over every stack under ``directory``; its JSON report as a list of framework reports."""
    checkov = Path(sys.executable).with_name("checkov")
    if not checkov.exists():
        raise AssertionError(f"{checkov} is missing: `make test` installs it (a dev package of Pipfile.lock)")
    command = [
        str(checkov),
        "--directory", str(directory),
        "--framework", "terraform_json",
        "--output", "json",
        "--skip-download",
        "--skip-results-upload",
        "--download-external-modules", "false",
        "--soft-fail",  # the test judges the report
    ]  # fmt: skip
    process = subprocess.run(
        command,
        cwd=directory,
        env=checkov_environment(),
        capture_output=True,
        text=True,
        timeout=CHECKOV_TIMEOUT_SECONDS,
    )
    if process.returncode != 0:
        raise AssertionError(f"checkov exited with {process.returncode}:\n{process.stdout}\n{process.stderr}")
    report = json.loads(process.stdout)
    return report if isinstance(report, list) else [report]


@dataclass(frozen=True)
class CheckResult:
    check_id: str
    check_name: str
    passed: bool
    stack: str
    address: str  # <type>.<name> in the stack
    construct_path: str  # <stack>/<construct path>, as in the resource's "//" metadata


@dataclass
class StackScan:
    name: str
    results: list[CheckResult] = field(default_factory=list)
    parsing_errors: list[str] = field(default_factory=list)

    @property
    def passed(self) -> list[CheckResult]:
        return [result for result in self.results if result.passed]

    @property
    def failed(self) -> list[CheckResult]:
        return [result for result in self.results if not result.passed]


def _addresses(synthesized: dict[str, Any]) -> tuple[dict[str, str], dict[str, list[str]]]:
    """Construct path of each resource address, and the addresses of each resource name."""
    paths: dict[str, str] = {}
    by_name: dict[str, list[str]] = {}
    for resource_type, instances in synthesized.get("resource", {}).items():
        for name, body in instances.items():
            address = f"{resource_type}.{name}"
            paths[address] = body.get("//", {}).get("metadata", {}).get("path", address)
            by_name.setdefault(name, []).append(address)
    return paths, by_name


def _address(resource: str, by_name: dict[str, list[str]]) -> str:
    """checkov names a resource ``<type>.<name>`` in graph checks and ``resource.<name>`` in others."""
    kind, _, name = resource.partition(".")
    if kind != "resource":
        return resource
    candidates = by_name.get(name, [])
    if len(candidates) != 1:
        raise AssertionError(f"checkov reported {resource!r}, which names {len(candidates)} resources: {candidates}")
    return candidates[0]


def parse_report(
    reports: list[dict[str, Any]], directory: Path, originals: dict[str, dict[str, Any]]
) -> dict[str, StackScan]:
    """The report, per stack: the folder holding each ``cdk.tf.json``, relative to the scanned ``directory``
    (``azure-dev``, or ``examples/azure-dev`` when several outdirs were scanned at once)."""
    scans = {name: StackScan(name) for name in originals}
    lookups = {name: _addresses(synthesized) for name, synthesized in originals.items()}

    def stack_of(path: str) -> str:
        # Parsing errors carry absolute paths; check results paths relative to the scanned folder ("/<stack>/...").
        relative = Path(path).relative_to(directory) if Path(path).is_relative_to(directory) else Path(path[1:])
        return relative.parent.as_posix()

    for report in reports:
        if report.get("check_type") not in (None, "terraform_json"):
            raise AssertionError(f"unexpected checkov framework in the report: {report.get('check_type')}")
        results = report.get("results", {})
        for path in results.get("parsing_errors", []):
            scans[stack_of(path)].parsing_errors.append(path)
        for key, passed in (("passed_checks", True), ("failed_checks", False)):
            for check in results.get(key, []):
                stack = stack_of(check["file_path"])
                paths, by_name = lookups[stack]
                address = _address(check["resource"], by_name)
                scans[stack].results.append(
                    CheckResult(
                        check_id=check["check_id"],
                        check_name=check["check_name"],
                        passed=passed,
                        stack=stack,
                        address=address,
                        construct_path=paths.get(address, f"{stack}/{address}"),
                    )
                )
    return scans
