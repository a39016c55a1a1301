"""Each set of environments (the examples and a generated set) synthesized as `make synth` does: deploy order, ESO
schemas and secrets in cdktf.out."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
import yaml

from support import require_example

from config.delivery import DeliveryMode
from config.eso import EsoAuth
from eso_checks import chart_values_problems, manifest_problems

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


def test_eso_stack_deploys_after_the_azure_stack(synth_set):
    manifest = json.loads((synth_set.outdir / "manifest.json").read_text())["stacks"]
    for env in synth_set.environments:
        # Besides hcp-<env>, which every stack of an environment with HCP Terraform state waits for.
        dependencies = manifest[f"eso-{env.name}"]["dependencies"]
        assert [dep for dep in dependencies if dep != f"hcp-{env.name}"] == [f"azure-{env.name}"]


def test_eso_config_stack_deploys_after_the_eso_and_azure_stacks(synth_set):
    manifest = json.loads((synth_set.outdir / "manifest.json").read_text())["stacks"]
    for env in synth_set.environments:
        if f"eso-config-{env.name}" in manifest:
            assert sorted(manifest[f"eso-config-{env.name}"]["dependencies"]) == [f"azure-{env.name}", f"eso-{env.name}"]


def test_example_environments_cover_both_auth_modes(example_set):
    for name in ("dev", "prod"):
        require_example(example_set, name)
    assert {env.eso.auth for env in example_set.environments} == {EsoAuth.SERVICE_PRINCIPAL, EsoAuth.WORKLOAD_IDENTITY}


def test_every_emitted_eso_manifest_validates_against_the_v1_schemas(synth_set):
    """Every kubernetes_manifest: ESO's kinds against ESO's CRDs, the PrometheusRule against the Prometheus
    Operator's (with its PromQL checked)."""
    from prometheus_checks import prometheus_rule_problems

    problems = {
        f"{name}/{resource_id}": (
            prometheus_rule_problems if resource["manifest"]["kind"] == "PrometheusRule" else manifest_problems
        )(resource["manifest"])
        for name, stack in stacks(synth_set.outdir).items()
        for resource_id, resource in stack.get("resource", {}).get("kubernetes_manifest", {}).items()
    }
    stores = {
        f"eso-config-{env.name}/cluster_secret_store"
        for env in synth_set.environments
        if env.delivery.mode is DeliveryMode.TERRAFORM and env.uses_cluster_secret_store
    }
    rules = {
        f"eso-config-{env.name}/prometheus_rule"
        for env in synth_set.environments
        if env.delivery.mode is DeliveryMode.TERRAFORM and env.eso.alerts_enabled
    }
    assert stores | rules <= set(problems)
    assert problems == {where: [] for where in problems}


def test_every_emitted_chart_values_document_validates(synth_set):
    problems = {
        f"{name}/{resource_id}": chart_values_problems(yaml.safe_load(values))
        for name, stack in stacks(synth_set.outdir).items()
        for resource_id, release in stack.get("resource", {}).get("helm_release", {}).items()
        if release["chart"] == "external-secrets"
        for values in release["values"]
    }
    assert len(problems) == len(synth_set.environments)  # one ESO release per environment
    assert problems == {where: [] for where in problems}


def service_principal_stacks(synth_set) -> set[str]:
    return {f"azure-{env.name}" for env in synth_set.environments if env.eso.auth is EsoAuth.SERVICE_PRINCIPAL}


def test_every_output_carrying_the_client_secret_is_sensitive(synth_set):
    carrying = {
        f"{name}.{output_id}": output.get("sensitive", False)
        for name, stack in stacks(synth_set.outdir).items()
        for output_id, output in stack.get("output", {}).items()
        if "azuread_application_password." in output["value"]
    }
    assert {where.split(".")[0] for where in carrying} >= service_principal_stacks(synth_set)
    assert carrying == {where: True for where in carrying}


def test_no_secret_or_password_is_written_as_a_literal(synth_set):
    literals = [
        f"{name}: {path}"
        for name, stack in stacks(synth_set.outdir).items()
        for path, value in strings_under_secret_keys(stack)
        if not EXPRESSION.fullmatch(value)
    ]
    assert literals == []


def test_every_kubernetes_secret_value_is_a_reference(synth_set):
    values = {
        f"{name}/{resource_id}.{key}": value
        for name, stack in stacks(synth_set.outdir).items()
        for resource_id, secret in stack.get("resource", {}).get("kubernetes_secret_v1", {}).items()
        for key, value in secret.get("data", {}).items()
    }
    # Each service principal environment hands ESO its credentials in a Kubernetes Secret (stack eso-<env>).
    expected = {stack.replace("azure-", "eso-", 1) for stack in service_principal_stacks(synth_set)}
    assert {where.split("/")[0] for where in values} >= expected
    assert [where for where, value in values.items() if not EXPRESSION.fullmatch(value)] == []
