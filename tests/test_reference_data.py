"""The vendored reference data (tests/reference/) is the trimmed ../shared copy, and still checks what it must."""

from __future__ import annotations

import importlib.util

from eso_checks import manifest_problems
from reference_data import REFERENCE
from support import ROOT, shared_file

spec = importlib.util.spec_from_file_location("refresh_reference_data", ROOT / "scripts" / "refresh_reference_data.py")
refresh = importlib.util.module_from_spec(spec)
spec.loader.exec_module(refresh)

STORE = {
    "apiVersion": "external-secrets.io/v1",
    "kind": "ClusterSecretStore",
    "metadata": {"name": "azure-kv-store-qa4"},
    "spec": {"provider": {"azurekv": {"vaultUrl": "https://kv-qa4.vault.azure.net/", "authType": "WorkloadIdentity"}}},
}


def test_vendored_eso_data_is_the_trimmed_copy_of_shared():
    """Fails in CI (CI=true) when ../shared is missing; elsewhere it is skipped then."""
    source = shared_file("eso/README.md").parent
    expected = refresh.vendored(source)
    actual = {path.name: path.read_bytes() for path in (REFERENCE / "eso").iterdir() if path.name in expected}
    assert actual == expected, "tests/reference/eso/ is stale: run python scripts/refresh_reference_data.py"


def test_vendored_eso_data_has_its_source_and_licence():
    readme = (REFERENCE / "eso" / "README.md").read_text()
    assert "cc5bfbc2234ace9cb0caff4ea89c435cf517b27b" in readme and "Apache-2.0" in readme
    assert "Apache License" in (REFERENCE / "eso" / "LICENSE").read_text()


def test_trimmed_store_schema_still_checks_the_azure_provider():
    store = {**STORE, "spec": {"provider": {"azurekv": {"vaultUrl": 42}}}}
    assert manifest_problems(store) == ["spec.provider.azurekv.vaultUrl: 42 is not of type 'string'"]


def test_trimmed_store_schema_refuses_a_provider_it_no_longer_describes():
    store = {**STORE, "spec": {"provider": {"aws": {"service": "SecretsManager", "region": "eu-west-1"}}}}
    assert manifest_problems(store) == [
        "spec.provider: Additional properties are not allowed ('aws' was unexpected)"
    ]


def test_a_valid_azure_store_passes_the_trimmed_schema():
    assert manifest_problems(STORE) == []


def test_vendored_prometheus_rule_schema_is_the_copy_of_shared():
    """Fails in CI (CI=true) when ../shared is missing; elsewhere it is skipped then."""
    source = shared_file("prometheus/README.md").parent
    expected = refresh.vendored_prometheus(source)
    actual = {path.name: path.read_bytes() for path in (REFERENCE / "prometheus").iterdir() if path.name in expected}
    assert actual == expected, "tests/reference/prometheus/ is stale: run python scripts/refresh_reference_data.py"


def test_vendored_prometheus_data_has_its_source_and_licence():
    readme = (REFERENCE / "prometheus" / "README.md").read_text()
    assert "v0.93.0" in readme and "Apache-2.0" in readme
    assert "Apache License" in (REFERENCE / "prometheus" / "LICENSE").read_text()
