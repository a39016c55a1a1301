"""What Terraform state would hold that is secret, per example environment.

Terraform stores every resource's attributes, every data source's result and every output in state. This lists,
from the synthesized JSON, each place where a secret value would land there:
* resources whose own attributes are secret: ``random_password.result``, ``azuread_application_password.value``,
  ``azuread_service_principal_password.value``, ``kubernetes_secret(_v1).data``;
* any stored attribute (not a write-only ``*_wo``) whose value comes from one of those, from a sensitive
  variable, or from another stack's output (remote state is stored too);
* outputs whose value comes from a secret.
Write-only arguments and ephemeral resources and variables are never stored, which is what the ``prod`` example
relies on (``key_vault.write_only_secrets`` with workload identity).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest

from support import require_example

SECRET_RESOURCES = {
    "random_password": "result",
    "azuread_application_password": "value",
    "azuread_service_principal_password": "value",
    "kubernetes_secret": "data",
    "kubernetes_secret_v1": "data",
}
REFERENCE = re.compile(r"\b(random_password|azuread_application_password|azuread_service_principal_password)\.[\w-]+\.(result|value)\b")


def strings(node: Any, path: str) -> Iterator[tuple[str, str]]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key != "//":
                yield from strings(value, f"{path}.{key}")
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from strings(item, f"{path}[{index}]")
    elif isinstance(node, str):
        yield path, node


def stored_secrets(stack: dict[str, Any]) -> list[str]:
    """Every place in ``stack`` where Terraform would store a secret value in state."""
    sensitive_variables = {
        name for name, variable in stack.get("variable", {}).items()
        if variable.get("sensitive") and not variable.get("ephemeral")
    }
    secret_outputs_read = re.compile(r"terraform_remote_state\.[\w-]+\.outputs\.")
    found = []
    for resource_type, resources in stack.get("resource", {}).items():
        for name, resource in resources.items():
            if resource_type in SECRET_RESOURCES:
                found.append(f"{resource_type}.{name}.{SECRET_RESOURCES[resource_type]}")
                continue
            for path, value in strings(resource, f"{resource_type}.{name}"):
                attribute = path.split(".")[2].split("[")[0]
                if attribute.endswith("_wo") or attribute == "depends_on":
                    continue
                variables = set(re.findall(r"\bvar\.([\w-]+)", value)) & sensitive_variables
                if REFERENCE.search(value) or variables or "sensitive(" in value:
                    found.append(path)
    for name, output in stack.get("output", {}).items():
        value = json.dumps(output.get("value"))
        if REFERENCE.search(value) or any(f"var.{v}" in value for v in sensitive_variables):
            found.append(f"output.{name}")
    return found


def test_example_dev_secrets_in_state_are_seen_by_the_finder(example_outdir, example_set):
    """The dev example keeps values in state on purpose (see the README): the finder must see them."""
    require_example(example_set, "dev")
    found = {
        stack: stored_secrets(json.loads((example_outdir / "stacks" / stack / "cdk.tf.json").read_text()))
        for stack in ("azure-dev", "eso-dev", "secrets-dev")
    }
    assert any(path.startswith("azuread_application_password.") for path in found["azure-dev"])
    assert any(path.startswith("random_password.") for path in found["secrets-dev"])
    assert any(path.startswith("kubernetes_secret") for path in found["eso-dev"])


@pytest.mark.parametrize("stack_dir", ["hcp-prod", "azure-prod", "eso-prod", "secrets-prod"])
def test_example_prod_stores_no_secret_value_in_state(example_outdir, example_set, stack_dir):
    require_example(example_set, "prod")
    stack = json.loads((example_outdir / "stacks" / stack_dir / "cdk.tf.json").read_text())
    assert stored_secrets(stack) == []


def test_example_prod_has_no_stack_left_unchecked(example_outdir, example_set):
    require_example(example_set, "prod")
    manifest = json.loads((example_outdir / "manifest.json").read_text())
    assert sorted(name for name in manifest["stacks"] if name.endswith("-prod")) == [
        "azure-prod", "eso-prod", "hcp-prod", "secrets-prod",
    ]


def test_vault_secrets_of_write_only_environments_are_kept_out_of_state(synth_set):
    for env in synth_set.environments:
        if env.key_vault.write_only_secrets:
            stack = json.loads((synth_set.outdir / "stacks" / f"secrets-{env.name}" / "cdk.tf.json").read_text())
            assert stored_secrets(stack) == [], env.name


def test_example_prod_secrets_are_written_only_through_write_only_arguments(example_outdir, example_set):
    require_example(example_set, "prod")
    stack = json.loads((example_outdir / "stacks" / "secrets-prod" / "cdk.tf.json").read_text())
    secrets = stack["resource"]["azurerm_key_vault_secret"].values()
    generated_or_supplied = [s for s in secrets if s["tags"]["source"] != "static"]
    assert generated_or_supplied
    assert all("value" not in s and "value_wo" in s and "value_wo_version" in s for s in generated_or_supplied)
    assert all(variable.get("ephemeral") for variable in stack.get("variable", {}).values())
