"""checkov's policy checks over every synthesized stack of each set of environments, read from its JSON report."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator

from quality.policy_exceptions import GRANTS, REQUIRED_CHECKS, grants_for
from quality.policy_scan import CheckResult, StackScan, checkov_compatible, checkov_environment, parse_report
from support import SUBNET_EXAMPLE, make_env, require_example


def test_checkov_scans_each_stack_as_synthesized_without_required_version_moved_and_import_only(checkov_scan):
    for name, original in checkov_scan.originals.items():
        scanned = json.loads((checkov_scan.directory / name / "cdk.tf.json").read_text())
        expected = copy.deepcopy(original)
        expected.get("terraform", {}).pop("required_version", None)
        expected.pop("moved", None)
        expected.pop("import", None)
        assert scanned == expected, name


def test_required_version_moved_and_import_are_the_only_keys_removed_for_checkov():
    moved = [{"from": "a_b.c", "to": "a_b.d"}]
    imported = [{"to": "a_b.d", "id": "/things/d"}]
    synthesized = {
        "terraform": {"required_version": ">= 1.9", "required_providers": {"a": {"source": "x/a"}}},
        "moved": moved,
        "import": imported,
    }
    compatible, removed = checkov_compatible(synthesized)
    assert (compatible, removed) == (
        {"terraform": {"required_providers": {"a": {"source": "x/a"}}}},
        {"required_version": ">= 1.9", "moved": moved, "import": imported},
    )
    assert synthesized["terraform"]["required_version"] == ">= 1.9"
    assert synthesized["moved"] == moved


def test_checkov_parses_every_stack(checkov_scan):
    assert {name: scan.parsing_errors for name, scan in checkov_scan.stacks.items() if scan.parsing_errors} == {}


def test_checkov_runs_checks_on_every_stack_holding_azure_resources(checkov_scan):
    unchecked = [
        name
        for name, original in checkov_scan.originals.items()
        if any(kind.startswith("azurerm_") for kind in original.get("resource", {}))
        and not checkov_scan.stacks[name].results
    ]
    assert unchecked == [], "checkov ran no check (passed + failed = 0) on these stacks"


def resources_of(scan) -> Iterator[tuple[str, str, str, dict]]:
    """(stack, resource type, address, body) of every resource checkov scanned."""
    for stack, original in scan.originals.items():
        for resource_type, instances in original.get("resource", {}).items():
            for name, body in instances.items():
                yield stack, resource_type, f"{resource_type}.{name}", body


def bodies(scan) -> dict[tuple[str, str], tuple[str, dict]]:
    return {(stack, address): (kind, body) for stack, kind, address, body in resources_of(scan)}


def test_every_failed_check_is_granted_by_a_setting_of_its_environment(synth_set, checkov_scan):
    found = bodies(checkov_scan)
    ungranted = []
    for scan in checkov_scan.stacks.values():
        for result in scan.failed:
            kind, body = found[(result.stack, result.address)]
            if not grants_for(result.check_id, kind, synth_set.environment_of(result.stack), body):
                ungranted.append(f"{result.construct_path}: {result.check_id} {result.check_name}")
    assert not ungranted, (
        "checkov checks fail where no environment setting asks for it; fix the stack, or (when a setting asks for "
        "what the check forbids) add a Grant with its reason to tests/quality/policy_exceptions.py:\n"
        + "\n".join(ungranted)
    )


def test_every_grant_covers_a_check_that_fails(synth_set, checkov_scan):
    failed = {(r.stack, r.address, r.check_id) for scan in checkov_scan.stacks.values() for r in scan.failed}
    wider = [
        f"{stack}: {address}: {grant.check} granted by '{grant.setting}' but it passes"
        for stack, kind, address, body in resources_of(checkov_scan)
        for grant in GRANTS
        if grant.covers(grant.check, kind, synth_set.environment_of(stack), body)
        and (stack, address, grant.check) not in failed
    ]
    assert wider == [], "grants in tests/quality/policy_exceptions.py are wider than their checks"


def test_required_checks_pass_wherever_no_setting_grants_an_exception(synth_set, checkov_scan):
    passed = {(r.stack, r.address, r.check_id) for scan in checkov_scan.stacks.values() for r in scan.passed}
    required = [
        (stack, address, check, what)
        for stack, kind, address, body in resources_of(checkov_scan)
        for check, what in REQUIRED_CHECKS.get(kind, {}).items()
        if not grants_for(check, kind, synth_set.environment_of(stack), body)
    ]
    assert any(kind == "azurerm_key_vault" for _, kind, _, _ in resources_of(checkov_scan))
    missing = [f"{stack}: {address}: {check} ({what})" for stack, address, check, what in required
               if (stack, address, check) not in passed]
    assert missing == []


def test_example_prod_vault_must_pass_every_required_vault_check(example_set):
    prod = require_example(example_set, "prod")
    vault = {"name": prod.key_vault.name}
    assert [check for check in REQUIRED_CHECKS["azurerm_key_vault"]
            if grants_for(check, "azurerm_key_vault", prod, vault)] == []


def test_example_dev_vault_is_granted_the_open_firewall_and_no_private_endpoint(example_set):
    dev = require_example(example_set, "dev")
    vault = {"name": dev.key_vault.name}
    granted = [check for check in REQUIRED_CHECKS["azurerm_key_vault"] if grants_for(check, "azurerm_key_vault", dev, vault)]
    assert granted == ["CKV_AZURE_109", "CKV_AZURE_189", "CKV2_AZURE_32"]


VAULT = {"name": "kv-test"}
HARDENED = {
    "key_vault.network_acls": {"default_action": "Deny", "ip_rules": ["203.0.113.0/24"]},
    "key_vault.private_endpoint": {"subnet_id": SUBNET_EXAMPLE},
}


def vault_grants(changes: dict, drop: tuple[str, ...] = ()) -> list[str]:
    env = make_env({**HARDENED, **changes}, drop=drop)
    return [grant.check for grant in GRANTS if grant.covers(grant.check, "azurerm_key_vault", env, VAULT)]


def test_a_vault_with_the_secure_settings_is_granted_nothing():
    assert vault_grants({}) == []


def test_firewall_check_is_granted_when_the_firewall_allows_by_default():
    assert vault_grants({"key_vault.network_acls": {"default_action": "Allow", "ip_rules": ["203.0.113.0/24"]}}) == [
        "CKV_AZURE_109"
    ]


def test_public_access_check_is_granted_when_no_network_rule_limits_public_access():
    assert vault_grants({"key_vault.network_acls": {"default_action": "Deny"}}) == ["CKV_AZURE_189"]


def test_public_access_check_is_required_when_public_access_is_off():
    changes = {"key_vault.network_acls": {"default_action": "Deny"}, "key_vault.public_network_access_enabled": False}
    assert vault_grants(changes) == []


def test_private_endpoint_check_is_granted_when_the_file_configures_none():
    assert vault_grants({}, drop=("key_vault.private_endpoint",)) == ["CKV2_AZURE_32"]


def test_recovery_checks_are_granted_when_purge_protection_is_off():
    assert vault_grants({"key_vault.purge_protection_enabled": False}) == ["CKV_AZURE_110", "CKV_AZURE_42"]


def test_expiry_check_is_granted_to_a_secret_declared_without_expiration_date_only():
    env = make_env({"apps": {"myapp": {"static_secrets": {
        "db-host": "postgres", "db-name": {"value": "orders", "expiration_date": "2027-12-31T00:00:00Z"}}}}})
    granted = {
        name: bool(grants_for("CKV_AZURE_41", "azurerm_key_vault_secret", env, {"name": name}))
        for name in ("myapp-db-host", "myapp-db-name")
    }
    assert granted == {"myapp-db-host": True, "myapp-db-name": False}


def test_report_names_resources_by_construct_path(tmp_path):
    originals = {
        "azure-dev": {
            "resource": {"azurerm_key_vault": {"kv_1": {"//": {"metadata": {"path": "azure-dev/key_vault/vault"}}}}}
        }
    }
    report = {
        "check_type": "terraform_json",
        "results": {
            "passed_checks": [
                {"check_id": "CKV_AZURE_110", "check_name": "p", "file_path": "/azure-dev/cdk.tf.json",
                 "resource": "resource.kv_1"},
            ],
            "failed_checks": [
                {"check_id": "CKV2_AZURE_32", "check_name": "f", "file_path": "/azure-dev/cdk.tf.json",
                 "resource": "azurerm_key_vault.kv_1"},
            ],
            "parsing_errors": [],
        },
    }
    scans = parse_report([report], tmp_path, originals)
    assert scans["azure-dev"].results == [
        CheckResult("CKV_AZURE_110", "p", True, "azure-dev", "azurerm_key_vault.kv_1", "azure-dev/key_vault/vault"),
        CheckResult("CKV2_AZURE_32", "f", False, "azure-dev", "azurerm_key_vault.kv_1", "azure-dev/key_vault/vault"),
    ]


def test_report_assigns_parsing_errors_to_their_stack(tmp_path):
    broken = str(tmp_path / "eso-dev" / "cdk.tf.json")
    report = {"check_type": "terraform_json", "results": {"parsing_errors": [broken]}}
    scans = parse_report([report], tmp_path, {"eso-dev": {}, "azure-dev": {}})
    assert scans["eso-dev"].parsing_errors == [broken]
    assert scans["azure-dev"] == StackScan("azure-dev")


def test_checkov_runs_without_platform_key_update_check_or_guidelines_download(monkeypatch):
    monkeypatch.setenv("BC_API_KEY", "a-key")
    monkeypatch.setenv("PRISMA_API_URL", "https://example.invalid")
    environment = checkov_environment()
    assert "BC_API_KEY" not in environment and "PRISMA_API_URL" not in environment
    assert environment["CKV_SKIP_PACKAGE_UPDATE_CHECK"] == "true"
    assert environment["BC_SKIP_MAPPING"] == "TRUE"
