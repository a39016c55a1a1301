"""The example environments synthesized as `make synth` does: deploy order, ESO schemas and secrets in cdktf.out."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest

from config import load_environments
from config.delivery import DeliveryMode
from config.eso import EsoAuth
from eso_checks import chart_values_problems, manifest_problems
from main import ENVIRONMENTS_DIR, ROOT

ENVIRONMENTS = load_environments(ENVIRONMENTS_DIR, root=ROOT)
EXAMPLES = [env.name for env in ENVIRONMENTS]
# Environments whose ClusterSecretStore Terraform applies (with GitOps delivery, Argo CD does).
TERRAFORM_DELIVERED = [env.name for env in ENVIRONMENTS if env.delivery.mode is DeliveryMode.TERRAFORM]
EXPRESSION = re.compile(r"\$\{.+\}", flags=re.DOTALL)


def stacks(outdir) -> dict[str, dict[str, Any]]:
    return {path.parent.name: json.loads(path.read_text()) for path in outdir.glob("stacks/*/cdk.tf.json")}


def strings_under_secret_keys(node: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """(path, value) of every string whose key says it is a secret or a password (cdktf's "//" metadata aside)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "//":
                continue
            where = f"{path}.{key}" if path else key
            # An ExternalSecret's data[].secretKey names a Kubernetes key; it holds no value.
            if key == "secretKey":
                continue
            if isinstance(value, str) and re.search(r"secret|password", key, flags=re.IGNORECASE):
                yield where, value
            yield from strings_under_secret_keys(value, where)
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from strings_under_secret_keys(item, f"{path}[{index}]")


@pytest.mark.parametrize("env", EXAMPLES)
def test_eso_stack_deploys_after_the_azure_stack(example_outdir, env):
    manifest = json.loads((example_outdir / "manifest.json").read_text())["stacks"]
    # Besides hcp-<env>, which every stack of an environment with HCP Terraform state waits for.
    assert [dep for dep in manifest[f"eso-{env}"]["dependencies"] if dep != f"hcp-{env}"] == [f"azure-{env}"]


@pytest.mark.parametrize("env", TERRAFORM_DELIVERED)
def test_eso_config_stack_deploys_after_the_eso_and_azure_stacks(example_outdir, env):
    manifest = json.loads((example_outdir / "manifest.json").read_text())["stacks"]
    assert sorted(manifest[f"eso-config-{env}"]["dependencies"]) == [f"azure-{env}", f"eso-{env}"]


def test_examples_cover_both_auth_modes():
    assert {env.eso.auth for env in ENVIRONMENTS} == {EsoAuth.SERVICE_PRINCIPAL, EsoAuth.WORKLOAD_IDENTITY}


def test_every_emitted_eso_manifest_validates_against_the_v1_schemas(example_outdir):
    problems = {
        f"{name}/{resource_id}": manifest_problems(resource["manifest"])
        for name, stack in stacks(example_outdir).items()
        for resource_id, resource in stack.get("resource", {}).get("kubernetes_manifest", {}).items()
    }
    assert {f"eso-config-{env}/cluster_secret_store" for env in TERRAFORM_DELIVERED} <= set(problems)
    assert problems == {where: [] for where in problems}


def test_every_emitted_chart_values_document_validates(example_outdir):
    problems = {
        f"{name}/{resource_id}": chart_values_problems(json.loads(values))
        for name, stack in stacks(example_outdir).items()
        for resource_id, release in stack.get("resource", {}).get("helm_release", {}).items()
        if release["chart"] == "external-secrets"
        for values in release["values"]
    }
    assert len(problems) == len(EXAMPLES)
    assert problems == {where: [] for where in problems}


def test_every_output_carrying_the_client_secret_is_sensitive(example_outdir):
    carrying = {
        f"{name}.{output_id}": output.get("sensitive", False)
        for name, stack in stacks(example_outdir).items()
        for output_id, output in stack.get("output", {}).items()
        if "azuread_application_password." in output["value"]
    }
    assert carrying  # the dev example uses a service principal
    assert carrying == {where: True for where in carrying}


def test_no_secret_or_password_is_written_as_a_literal(example_outdir):
    literals = [
        f"{name}: {path}"
        for name, stack in stacks(example_outdir).items()
        for path, value in strings_under_secret_keys(stack)
        if not EXPRESSION.fullmatch(value)
    ]
    assert literals == []


def test_every_kubernetes_secret_value_is_a_reference(example_outdir):
    values = {
        f"{name}/{resource_id}.{key}": value
        for name, stack in stacks(example_outdir).items()
        for resource_id, secret in stack.get("resource", {}).get("kubernetes_secret_v1", {}).items()
        for key, value in secret.get("data", {}).items()
    }
    assert values  # the dev example has the service principal's credentials
    assert [where for where, value in values.items() if not EXPRESSION.fullmatch(value)] == []
