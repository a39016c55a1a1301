"""Terraform's own configuration loading, offline: ``terraform init -backend=false`` against an empty provider mirror.

Terraform reads and checks the whole configuration (meta-arguments such as ``lifecycle`` and ``depends_on``, block
types, references in them) before it installs providers. With a CLI configuration whose only installation method
is an empty ``filesystem_mirror``, a valid configuration therefore fails in exactly one way: "Failed to query
available provider packages". Any other diagnostic is a problem of the configuration.
https://developer.hashicorp.com/terraform/cli/config/config-file#provider-installation
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

# The one error a valid configuration meets when no provider can be installed.
PROVIDER_NOT_FOUND = "Failed to query available provider packages"
# `terraform init -json` (machine-readable diagnostics) exists since Terraform 1.9.
MINIMUM_VERSION = (1, 9)
# Any connection attempt (a module registry, a checkpoint call) goes to the discard port of this machine and fails.
UNREACHABLE_PROXY = "http://127.0.0.1:9"
INIT_TIMEOUT_SECONDS = 120


def terraform_version(terraform: str) -> tuple[int, ...]:
    output = subprocess.run([terraform, "version", "-json"], capture_output=True, text=True, timeout=60).stdout
    version = json.loads(output)["terraform_version"]
    return tuple(int(part) for part in re.findall(r"\d+", version)[:3])


def offline_cli_config(folder: Path) -> Path:
    """A CLI configuration that installs providers from an empty folder only, and never asks the network."""
    mirror = folder / "empty-provider-mirror"
    mirror.mkdir(parents=True, exist_ok=True)
    config = folder / "offline.tfrc"
    config.write_text(
        "disable_checkpoint = true\n"
        "provider_installation {\n"
        "  filesystem_mirror {\n"
        f"    path    = {json.dumps(str(mirror))}\n"
        '    include = ["*/*/*"]\n'
        "  }\n"
        "}\n"
    )
    return config


def terraform_environment(cli_config: Path) -> dict[str, str]:
    """This process's environment without Terraform settings, credentials and proxies, plus the offline ones."""
    environment = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("TF_", "CHECKPOINT_"))
        and name.upper() not in ("HTTPS_PROXY", "HTTP_PROXY", "NO_PROXY", "ALL_PROXY")
    }
    environment.update(
        TF_CLI_CONFIG_FILE=str(cli_config),
        TF_IN_AUTOMATION="1",
        TF_INPUT="0",
        CHECKPOINT_DISABLE="1",
        HTTPS_PROXY=UNREACHABLE_PROXY,
        HTTP_PROXY=UNREACHABLE_PROXY,
    )
    return environment


@dataclass
class Loading:
    """What ``terraform init`` said about one stack."""

    stack: str
    returncode: int
    provider_errors: list[str] = field(default_factory=list)  # the expected "no provider here" errors
    problems: list[str] = field(default_factory=list)  # everything else: configuration errors and warnings

    @property
    def got_past_configuration_loading(self) -> bool:
        return not self.problems and (self.returncode == 0 or bool(self.provider_errors))


def _describe(diagnostic: dict) -> str:
    where = diagnostic.get("range") or {}
    location = f" ({where.get('filename')}:{where.get('start', {}).get('line')})" if where else ""
    context = (diagnostic.get("snippet") or {}).get("context")
    in_block = f" in {context}" if context else ""
    summary = " ".join(str(diagnostic.get("summary", "")).split())
    detail = " ".join(str(diagnostic.get("detail", "")).split())
    return f"{diagnostic.get('severity')}: {summary}{location}{in_block}: {detail}".rstrip(": ")


def classify(stack: str, returncode: int, output: str) -> Loading:
    """Sort the JSON lines of ``terraform init -json`` into the expected provider errors and problems."""
    loading = Loading(stack, returncode)
    for line in output.splitlines():
        try:
            message = json.loads(line)
        except json.JSONDecodeError:
            loading.problems.append(f"output that is not JSON: {line}")
            continue
        diagnostic = message.get("diagnostic") if message.get("type") == "diagnostic" else None
        if diagnostic is None:
            continue
        if diagnostic.get("severity") == "error" and diagnostic.get("summary") == PROVIDER_NOT_FOUND:
            loading.provider_errors.append(_describe(diagnostic))
        else:
            loading.problems.append(_describe(diagnostic))
    if returncode != 0 and not loading.provider_errors and not loading.problems:
        loading.problems.append(f"exit code {returncode} without a diagnostic:\n{output}")
    return loading


def load(terraform: str, stack: str, working_directory: Path, scratch: Path, environment: dict[str, str]) -> Loading:
    """``terraform init -backend=false`` in a copy of the stack's working directory."""
    copy = scratch / stack
    shutil.copytree(working_directory, copy, ignore=shutil.ignore_patterns(".terraform", ".terraform.lock.hcl"))
    process = subprocess.run(
        [terraform, "init", "-backend=false", "-input=false", "-no-color", "-json"],
        cwd=copy,
        env=environment,
        capture_output=True,
        text=True,
        timeout=INIT_TIMEOUT_SECONDS,
    )
    return classify(stack, process.returncode, process.stdout + process.stderr)


def load_all(
    terraform: str, stacks: dict[str, Path], scratch: Path, environment: dict[str, str]
) -> dict[str, Loading]:
    """Every stack (name -> working directory), two at a time (the machines have two cores)."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = {
            name: pool.submit(load, terraform, name, path, scratch, environment) for name, path in stacks.items()
        }
        return {name: future.result() for name, future in futures.items()}
