"""Helpers for tests: environments built from a minimal valid file, and readers of synthesized JSON."""

from __future__ import annotations

import copy
import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

import cdk  # noqa: F401  (first: chooses the Node.js jsii runs on and how provider packages load)
import cdktf

from config import Environment, parse_environment

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"

# The smallest valid environment; tests change what they are about.
MINIMAL: dict[str, Any] = {
    "azure": {"location": "westeurope", "resource_group": "rg-test"},
    "key_vault": {"name": "kv-test"},
    "eso": {"auth": "service_principal"},
    "cluster": {"context": "test"},
    "apps": {"myapp": {}},
}


def environment_data(changes: dict[str, Any] | None = None, *, drop: tuple[str, ...] = ()) -> dict[str, Any]:
    """MINIMAL with ``changes`` merged in (dotted keys allowed, ``drop`` removes keys)."""
    data = copy.deepcopy(MINIMAL)
    for dotted, value in (changes or {}).items():
        *parents, last = dotted.split(".")
        node = data
        for part in parents:
            node = node.setdefault(part, {})
        node[last] = value
    for dotted in drop:
        *parents, last = dotted.split(".")
        node = data
        for part in parents:
            node = node[part]
        del node[last]
    return data


# Write-only secrets: no secret in state, which needs workload identity (a service principal's client secret would
# be kept in state; config/environment.py refuses the pair).
WRITE_ONLY = {
    "key_vault.write_only_secrets": True,
    "eso.auth": "workload_identity",
    "cluster.oidc_issuer_url": "https://issuer.example/x/",
}


def make_env(changes: dict[str, Any] | None = None, *, name: str = "test", drop: tuple[str, ...] = ()) -> Environment:
    """An environment from MINIMAL with ``changes`` merged in (dotted keys allowed, ``drop`` removes keys)."""
    data = environment_data(changes, drop=drop)
    return parse_environment(f"environments/{name}.yaml", yaml.safe_dump(data, sort_keys=False))


def write_environment(directory: Path, name: str, changes: dict[str, Any] | None = None) -> Path:
    """``<directory>/<name>.yaml`` from MINIMAL with ``changes``, with a vault name of its own."""
    directory.mkdir(parents=True, exist_ok=True)
    data = environment_data({"key_vault.name": f"kv-{name}-test", **(changes or {})})
    path = directory / f"{name}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def synth_json(stack: Any) -> dict[str, Any]:
    """The stack's Terraform JSON as a dict."""
    return json.loads(cdktf.Testing.synth(stack))


def synth_app(environments: list[Environment], outdir: Path) -> dict[str, dict[str, Any]]:
    """Every stack of ``main.build_app`` synthesized into ``outdir``, by stack name; ``"manifest.json"`` too.

    Use it where stacks refer to each other: ``cdktf.Testing.synth`` of a single stack does not resolve
    cross-stack references into outputs and ``terraform_remote_state``, a real synth does.
    """
    from main import build_app

    build_app(environments, outdir).synth()
    synthesized = {
        path.parent.name: json.loads(path.read_text()) for path in sorted(outdir.glob("stacks/*/cdk.tf.json"))
    }
    synthesized["manifest.json"] = json.loads((outdir / "manifest.json").read_text())
    return synthesized


def resources(synthesized: dict[str, Any], resource_type: str) -> dict[str, dict[str, Any]]:
    return synthesized.get("resource", {}).get(resource_type, {})


def only(synthesized: dict[str, Any], resource_type: str) -> dict[str, Any]:
    """The single resource of a type (fails when there is not exactly one)."""
    found = resources(synthesized, resource_type)
    assert len(found) == 1, f"expected one {resource_type}, found {sorted(found)}"
    return next(iter(found.values()))


def shared_file(relative: str) -> Path:
    """A file of ../shared, the project's full reference data (ESO and Prometheus Operator schemas, Terraform
    provider schemas) kept beside the clone. Checks that a fresh clone must run use the trimmed copies vendored in
    tests/reference/ instead (reference_data.py).

    CI always has ../shared: there a missing file fails the test. Elsewhere the test is skipped with the reason.
    """
    path = SHARED / relative
    if not path.exists():
        message = (
            f"{path} is missing: ../shared is the project's full reference data (upstream schemas), which CI "
            f"places beside the clone; this check needs it (with CI=true a missing ../shared fails it)"
        )
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path


SUBNET_EXAMPLE = (
    "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Network/"
    "virtualNetworks/vnet/subnets/nodes"
)


def synth_pair(outdir: Path, backend: dict | None) -> tuple[dict, dict]:
    """An azure stack and a stack that reads the vault URI from it, synthesized into ``outdir`` as `make synth`
    does (with ``backend`` as the environment's backend settings). Returns both stacks' JSON."""
    from cdk import TerraformOutput
    from stacks.azure_stack import AzureStack
    from stacks.base import EnvironmentStack

    env = make_env({"backend": backend} if backend else None)
    app = cdktf.App(outdir=str(outdir))
    azure = AzureStack(app, "azure-test", env=env)
    consumer = EnvironmentStack(app, "consumer-test", env=env)
    TerraformOutput(consumer, "vault_uri", value=azure.key_vault.vault_uri)
    app.synth()

    def read(name: str) -> dict:
        return json.loads((outdir / "stacks" / name / "cdk.tf.json").read_text())

    return read("azure-test"), read("consumer-test")


def terraform_binary() -> str:
    """The terraform on PATH; a test that needs it is skipped without it (and fails in CI, which has it)."""
    binary = shutil.which("terraform")
    if binary is None:
        message = "no terraform binary on PATH: this check runs Terraform itself"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return binary


def run_terraform(terraform: str, folder: Path, *arguments: str) -> str:
    """``terraform -chdir=folder <arguments>`` offline (no CLI configuration, no checkpoint); its stdout.

    For configurations that need no provider download: outputs, locals, ``terraform_data``."""
    environment = {
        **{name: value for name, value in os.environ.items() if not name.startswith("TF_")},
        "CHECKPOINT_DISABLE": "1",
        "TF_IN_AUTOMATION": "1",
        "TF_INPUT": "0",
        "TF_CLI_CONFIG_FILE": os.devnull,
    }
    result = subprocess.run(
        [terraform, f"-chdir={folder}", *arguments], env=environment, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def require_example(example_set: Any, name: str) -> Environment:
    """The example environment ``name`` of the repository's set, for a test about that example (its name says
    so: ``test_example_<name>_...``). Skipped when a team has replaced the examples with its own files."""
    for env in example_set.environments:
        if env.name == name:
            return env
    pytest.skip(f"no environment file {name}.yaml among those under test: this test is about the {name} example")
