"""What a reviewer reads in cdk.tf.json: provider sources in one form, Helm values as a values file."""

from __future__ import annotations

import pytest

from address_variants import VARIANTS
from support import make_env, only, synth_app


@pytest.fixture(scope="module")
def synthesized(tmp_path_factory) -> dict[str, dict]:
    changes = VARIANTS["isolated-workload-identity"]
    return synth_app([make_env(changes)], tmp_path_factory.mktemp("review")) | synth_app(
        [make_env(VARIANTS["shared-service-principal"], name="other")], tmp_path_factory.mktemp("review-sp")
    )


def test_every_provider_source_is_namespace_and_name(synthesized):
    sources = {
        name: provider["source"]
        for stack, body in synthesized.items()
        if stack != "manifest.json"
        for name, provider in body["terraform"].get("required_providers", {}).items()
    }
    assert set(sources) == {"azurerm", "azuread", "helm", "kubernetes", "random", "time"}
    assert sources == {name: f"hashicorp/{name}" for name in sources}


def test_helm_values_are_a_yaml_document_with_one_key_a_line(synthesized):
    (values,) = only(synthesized["eso-test"], "helm_release")["values"]
    lines = values.splitlines()
    start = lines.index("crds:")
    assert lines[start : start + 3] == ["crds:", "  annotations:", "    helm.sh/resource-policy: keep"]
