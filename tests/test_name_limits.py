"""Every name derived from user input stays within the limit of what it names, for the longest inputs the
environment files allow (each limit with the document it comes from)."""

from __future__ import annotations

import re
from typing import Any, Iterator

import pytest
import yaml

from names import within
from stacks.gitops_manifests import render
from support import make_env, synth_app

# The longest valid inputs: a 16-character environment, 63-character Kubernetes names, a 63-character app whose
# key makes a 127-character vault secret name, a 128-character identity name, a 40-character workspace prefix.
ENV_NAME = "e" + "n" * 15
LONG_APP = "a" * 63
SHARED_APP = "b" * 63
KEY = "K" * 63
LONGEST = {
    "azure.tags": {"t" * 512: "v" * 256},
    "azure.tenant_id": "11111111-1111-1111-1111-111111111111",
    "eso.namespace": "n" * 63,
    "eso.service_account": "s" * 63,
    "key_vault.private_endpoint": {
        "subnet_id": "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/"
        "Microsoft.Network/virtualNetworks/vnet/subnets/endpoints"
    },
    "key_vault.name": "k" * 24,
    "backend": {"type": "cloud", "organization": "o" * 80, "workspace_prefix": "w" * 40},
    "apps": {
        LONG_APP: {
            "isolation": "isolated",
            "namespace": "m" * 63,
            "service_account": "x" * 63,
            "create_namespace": True,
            "random_secrets": {KEY: {}},
            "external_secret": {"target_name": "t" * 63, "data": {"k" * 253: KEY}},
        },
        SHARED_APP: {"namespace": "p" * 63, "create_namespace": True, "static_secrets": {KEY: "v"}},
    },
}
WORKLOAD_IDENTITY = {
    **LONGEST,
    "eso.auth": "workload_identity",
    "eso.workload_identity.identity_name": "i" * 128,
    "cluster.oidc_issuer_url": "https://issuer.example/x/",
}
SERVICE_PRINCIPAL = {**LONGEST, "eso.auth": "service_principal", "eso.service_principal.display_name": "d" * 120}

# https://learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules#microsoftmanagedidentity
MANAGED_IDENTITY = re.compile(r"[a-zA-Z0-9][a-zA-Z0-9_-]{2,127}")
# https://learn.microsoft.com/entra/workload-id/workload-identity-federation-create-trust-user-assigned-managed-identity
FEDERATED_CREDENTIAL = re.compile(r"[a-zA-Z0-9][a-zA-Z0-9_-]{2,119}")
# https://learn.microsoft.com/azure/key-vault/general/about-keys-secrets-certificates#object-identifiers
VAULT_SECRET = re.compile(r"[0-9a-zA-Z-]{1,127}")
# https://kubernetes.io/docs/concepts/overview/working-with-objects/names/ (RFC 1123 label and subdomain)
DNS_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?")
DNS_SUBDOMAIN = re.compile(r"(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")
# https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#syntax-and-character-set
LABEL_VALUE = re.compile(r"(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?")
# Entra ID application display names, as this project allows them (config/eso.py DISPLAY_NAME_RULE).
DISPLAY_NAME_MAX = 120
# Helm release names (helm/pkg/action/install.go: releaseNameMaxLen).
HELM_RELEASE_MAX = 53
# https://learn.microsoft.com/azure/azure-resource-manager/management/tag-resources#limitations
TAG_NAME_MAX, TAG_VALUE_MAX = 512, 256
# https://learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules#microsoftnetwork
PRIVATE_ENDPOINT = re.compile(r"[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}[a-zA-Z0-9_]")
# https://developer.hashicorp.com/terraform/cloud-docs/workspaces/create#workspace-naming
WORKSPACE = re.compile(r"[A-Za-z0-9_-]{1,90}")


def problems_of(name: str, pattern: re.Pattern, what: str) -> list[str]:
    """``name`` against ``pattern``; a Terraform reference (another resource's name, checked there) passes."""
    if re.fullmatch(r"\$\{[^}]*\}", name) or pattern.fullmatch(name):
        return []
    return [f"{what} {name!r} ({len(name)} characters)"]


def kubernetes_problems(manifest: dict[str, Any], what: str) -> list[str]:
    metadata = manifest["metadata"]
    found = problems_of(metadata["name"], DNS_SUBDOMAIN, f"{what} name")
    if "namespace" in metadata:
        found += problems_of(metadata["namespace"], DNS_LABEL, f"{what} namespace")
    for value in metadata.get("labels", {}).values():
        found += problems_of(value, LABEL_VALUE, f"{what} label value")
    return found


def terraform_problems(stack: str, body: dict[str, Any]) -> Iterator[str]:
    resources = body.get("resource", {})
    for kind, found in resources.items():
        for resource in found.values():
            for name, value in resource.get("tags", {}).items():
                if len(name) > TAG_NAME_MAX or len(value) > TAG_VALUE_MAX:
                    yield f"{stack} {kind} tag {name[:20]}...: {len(name)}/{len(value)} characters"
            if "metadata" in resource:
                metadata = resource["metadata"]
                yield from kubernetes_problems({"metadata": metadata}, f"{stack} {kind}")
    for identity in resources.get("azurerm_user_assigned_identity", {}).values():
        yield from problems_of(identity["name"], MANAGED_IDENTITY, "managed identity")
    for credential in resources.get("azurerm_federated_identity_credential", {}).values():
        yield from problems_of(credential["name"], FEDERATED_CREDENTIAL, "federated identity credential")
    for application in resources.get("azuread_application", {}).values():
        if not 1 <= len(application["display_name"]) <= DISPLAY_NAME_MAX:
            yield f"application display name of {len(application['display_name'])} characters"
    for secret in resources.get("azurerm_key_vault_secret", {}).values():
        yield from problems_of(secret["name"], VAULT_SECRET, "vault secret")
    for endpoint in resources.get("azurerm_private_endpoint", {}).values():
        yield from problems_of(endpoint["name"], PRIVATE_ENDPOINT, "private endpoint")
    for release in resources.get("helm_release", {}).values():
        if len(release["name"]) > HELM_RELEASE_MAX:
            yield f"helm release {release['name']!r}"
    for manifest in resources.get("kubernetes_manifest", {}).values():
        yield from kubernetes_problems(manifest["manifest"], f"{stack} {manifest['manifest']['kind']}")
    workspace = body.get("terraform", {}).get("cloud", {}).get("workspaces", {}).get("name")
    if workspace:
        yield from problems_of(workspace, WORKSPACE, "HCP Terraform workspace")


@pytest.mark.parametrize(
    "changes", [WORKLOAD_IDENTITY, SERVICE_PRINCIPAL], ids=["workload identity", "service principal"]
)
def test_names_from_the_longest_inputs_stay_within_their_limits(tmp_path, changes):
    synthesized = synth_app([make_env(changes, name=ENV_NAME)], tmp_path)
    found = [
        problem
        for stack, body in synthesized.items()
        if stack != "manifest.json"
        for problem in terraform_problems(stack, body)
    ]
    assert found == []


def test_gitops_names_from_the_longest_inputs_stay_within_their_limits():
    gitops = {"delivery": {"mode": "gitops", "repo_url": "https://github.com/acme/platform-secrets.git"}}
    env = make_env({**WORKLOAD_IDENTITY, **gitops}, name=ENV_NAME)
    documents = [yaml.safe_load(text) for text in render(env).values()]
    assert [problem for document in documents for problem in kubernetes_problems(document, document["kind"])] == []


def test_the_federated_credential_of_a_63_character_namespace_and_service_account_is_cut_to_120(tmp_path):
    azure = synth_app([make_env(WORKLOAD_IDENTITY, name=ENV_NAME)], tmp_path)[f"azure-{ENV_NAME}"]
    names = [c["name"] for c in azure["resource"]["azurerm_federated_identity_credential"].values()]
    assert sorted(len(name) for name in names) == [120, 120]


def test_a_name_within_the_limit_is_kept_as_it_is():
    assert within("myapp-external-secrets-myapp", 120) == "myapp-external-secrets-myapp"


def test_a_name_over_the_limit_is_cut_and_ends_in_a_hash_of_the_whole_name():
    name = "n" * 63 + "-" + "s" * 63
    assert re.fullmatch("n" * 63 + "-" + "s" * 47 + "-[0-9a-f]{8}", within(name, 120))


def test_two_long_names_that_share_their_start_are_cut_to_different_names():
    start = "n" * 63 + "-" + "s" * 62
    assert within(start + "s", 120) != within(start + "t", 120)
