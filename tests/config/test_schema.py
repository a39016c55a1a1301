"""environments/schema.json: generated from the models, up to date, and as strict as the models where a JSON Schema
can say the rule. Checked with the `jsonschema` validator, as editors check a file against it."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml

from support import ROOT, SUBNET_EXAMPLE, environment_data, make_env

SCHEMA_PATH = ROOT / "environments" / "schema.json"
GUID = "00000000-0000-0000-0000-000000000000"

# Rules of the models that the schema does not express (docs/environments.md lists them for users): the schema
# accepts these inputs, the reader refuses them. Keyed by the case's id in tests/config/test_*_rules.py.
NOT_IN_SCHEMA = {
    "literal password in static secrets": "a key that names a secret",
    "vault secret name too long": "across keys: the app's name and the key",
    "random minimums above the length": "across keys",
    "retention with an existing workspace": "across keys",
    "turned off behind a denying firewall without a reason": "across sections: the firewall's default action",
    "a reason while the log is on": "across keys",
    "expiry notifications without a receiver": "across keys",
    "two webhooks sharing a variable": "across keys",
    "a webhook variable that is also a secret's": "across sections",
    "a webhook in an environment that keeps no secret in state": "across keys",
    "write-only secrets with a service principal": "across sections: eso.auth",
    "special minimum without special characters": "across keys",
    "the same key as static and random": "across keys",
    "two apps mapping to one vault name": "across apps",
    "two names differing only in case": "across keys",
    "two secrets sharing a variable": "across keys",
    "data entry naming an undeclared secret": "across keys",
    "refresh interval below a minute": "a duration's length",
    "template naming a missing data key": "across keys",
    "delete policy without owner": "across keys",
    "alerts without the service monitor": "across keys",
    "certificate name that cannot name the Secret": "across keys: the name is a valid vault name, target_name unset",
    "certificate Secret named like the app's Secret": "across keys",
    "two certificates writing one Secret": "across keys",
    "certificate refresh below a minute": "a duration's length",
    "refresh interval with a policy that reads no interval": "across keys",
    "secret type Kubernetes does not have": "a list of reserved names inside a valid form",
    "service account token type": "a list of reserved names inside a valid form",
    "tls secret without the key": "across keys: the type and the data/template keys",
    "docker config secret without its key": "across keys: the type and the data/template keys",
    "basic auth secret with neither user name nor password": "across keys: the type and the data/template keys",
    "merge deletion with no creation": "across keys",
    "private ip rule": "an address range",
    "workload identity settings with service principal auth": "across keys",
    "workload identity without oidc issuer": "across sections",
    "chart version of the end-of-life line": "a version's order",
    "cpu request above its limit": "across keys",
    "memory request above its limit": "across keys",
    "disruption budget keeping the only replica": "across keys",
    "disruption budget keeping every replica": "across keys",
    "tag name that is no string": "a key that is no string (JSON has string keys only)",
    "service principal settings with workload identity auth": "across keys",
    "expiration date that does not exist": "a calendar",
    "template named like a data key": "across keys",
    "the same key twice": "across keys (client_id_key and client_secret_key)",
    "external secret with no data": "across keys",
}

# Valid environments beyond the examples: every variant of a section, every optional part.
GENERATED_VALID = {
    "every optional part": {
        "azure.subscription_id": GUID,
        "azure.tags": {"owner": "platform", "cost-center": "42"},
        "key_vault.sku_name": "premium",
        "key_vault.secrets_officers": [GUID],
        "key_vault.network_acls": {"ip_rules": ["203.0.113.7"], "virtual_network_subnet_ids": [SUBNET_EXAMPLE]},
        "key_vault.private_endpoint": {"subnet_id": SUBNET_EXAMPLE},
        "eso.replicas": 3,
        "eso.pod_disruption_budget": {},
        "eso.resources": {"requests": {"cpu": 0.5, "memory": "256Mi"}, "limits": {"cpu": "1", "memory": 1073741824}},
        "apps": {
            "billing": {
                "namespace": "payments",
                "isolation": "isolated",
                "static_secrets": {"db-host": "db", "db-user": {"value": "billing", "tags": {"team": "a"}}},
                "random_secrets": {"db-password": None, "api-salt": {"length": 64, "special": False, "version": 2}},
                "sensitive_secrets": {"stripe-key": {"variable": "billing_stripe_key", "content_type": "api-key"}},
                "external_secret": {"refresh_interval": "1h30m", "template": {"URL": "{{ .DB_HOST }}"}},
            }
        },
    },
    "workload identity": {"eso.auth": "workload_identity", "cluster.oidc_issuer_url": "https://issuer.example/x/"},
    "cloud backend": {"backend": {"type": "cloud", "organization": "acme", "project": "secrets"}},
    "azurerm backend": {"backend": {"type": "azurerm", "resource_group_name": "tfstate", "storage_account_name": "tf01"}},
    "gitops delivery": {"azure.tenant_id": GUID, "delivery": {"mode": "gitops", "repo_url": "git@github.com:a/b.git"}},
}


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def rejected_cases() -> list[tuple[str, dict]]:
    """Every (id, changes) of the exact-message tests of tests/config."""
    cases = []
    for path in sorted(Path(__file__).parent.glob("test_*_rules.py")):
        spec = importlib.util.spec_from_file_location(f"_rules_{path.stem}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        cases += [(case_id, changes) for case_id, changes, _ in getattr(module, "REJECTED", [])]
    return cases


def test_schema_file_is_generated_from_the_models():
    result = subprocess.run(
        [sys.executable, "scripts/environment_reference.py", "--check"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("path", sorted((ROOT / "environments").glob("*.yaml")), ids=lambda path: path.name)
def test_example_file_points_editors_at_the_schema(path):
    assert path.read_text(encoding="utf-8").startswith("# yaml-language-server: $schema=./schema.json\n")


@pytest.mark.parametrize("path", sorted((ROOT / "environments").glob("*.yaml")), ids=lambda path: path.name)
def test_example_file_is_valid_against_the_schema(validator, path):
    errors = [error.message for error in validator.iter_errors(yaml.safe_load(path.read_text(encoding="utf-8")))]
    assert errors == []


@pytest.mark.parametrize("changes", GENERATED_VALID.values(), ids=GENERATED_VALID.keys())
def test_generated_environment_is_valid_for_the_schema_and_the_models(validator, changes):
    make_env(changes)
    assert [error.message for error in validator.iter_errors(environment_data(changes))] == []


@pytest.mark.parametrize(("case_id", "changes"), rejected_cases(), ids=[case[0] for case in rejected_cases()])
def test_schema_refuses_what_the_models_refuse_where_it_can_say_the_rule(validator, case_id, changes):
    refused = any(True for _ in validator.iter_errors(environment_data(changes)))
    assert refused is (case_id not in NOT_IN_SCHEMA), NOT_IN_SCHEMA.get(case_id, "the schema should refuse this")

