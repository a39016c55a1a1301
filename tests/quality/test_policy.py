"""checkov's policy checks over every synthesized stack, read from its JSON report."""

from __future__ import annotations

import copy
import json

import pytest

from quality.policy_scan import (
    CheckResult,
    Skip,
    StackScan,
    checkov_compatible,
    checkov_environment,
    load_skips,
    parse_report,
    stale_skips,
)

# Checks that must pass on every such resource of the prod example: they are what makes a vault hold secrets safely.
REQUIRED_ON_PROD = {
    "azurerm_key_vault": {
        "CKV_AZURE_42": "the vault is recoverable (soft delete and purge protection)",
        "CKV_AZURE_110": "purge protection",
        "CKV_AZURE_111": "soft delete",
        "CKV_AZURE_109": "the firewall denies by default",
        "CKV_AZURE_189": "public network access off or limited by network rules",
    },
    "azurerm_key_vault_secret": {
        "CKV_AZURE_41": "the secret has an expiration date",
        "CKV_AZURE_114": "the secret has a content type",
    },
}
PROD_SUFFIX = "-prod"  # stacks are named <kind>-<env>


def test_checkov_scans_each_stack_as_synthesized_without_required_version_and_moved_only(checkov_scan):
    for name, original in checkov_scan.originals.items():
        scanned = json.loads((checkov_scan.directory / name / "cdk.tf.json").read_text())
        expected = copy.deepcopy(original)
        expected.get("terraform", {}).pop("required_version", None)
        expected.pop("moved", None)
        assert scanned == expected, name


def test_required_version_and_moved_are_the_only_keys_removed_for_checkov():
    moved = [{"from": "a_b.c", "to": "a_b.d"}]
    synthesized = {
        "terraform": {"required_version": ">= 1.9", "required_providers": {"a": {"source": "x/a"}}},
        "moved": moved,
    }
    compatible, removed = checkov_compatible(synthesized)
    assert (compatible, removed) == (
        {"terraform": {"required_providers": {"a": {"source": "x/a"}}}},
        {"required_version": ">= 1.9", "moved": moved},
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


def test_no_check_fails_except_those_in_the_skip_list(checkov_scan):
    skips = load_skips()
    failing = [
        result
        for scan in checkov_scan.stacks.values()
        for result in scan.failed
        if not any(skip.matches(result) for skip in skips)
    ]
    entries = [
        f"- check: {result.check_id}  # {result.check_name}\n  resources: [{result.construct_path}]\n  reason: ..."
        for result in failing
    ]
    assert not entries, (
        "checkov checks fail; fix the stack, or add an entry with the reason to tests/quality/checkov_skips.yaml:\n"
        + "\n".join(entries)
    )


def test_every_skip_list_entry_still_matches_a_failed_check(checkov_scan):
    failed = [result for scan in checkov_scan.stacks.values() for result in scan.failed]
    assert stale_skips(load_skips(), failed) == [], "stale entries in tests/quality/checkov_skips.yaml"


def test_skip_list_resource_that_matches_no_failure_is_stale():
    vault = "azure-dev/key_vault/vault"
    failed = [CheckResult("CKV2_AZURE_32", "f", False, "azure-dev", "azurerm_key_vault.kv", vault)]
    skips = [Skip("CKV2_AZURE_32", (vault, "azure-test/key_vault/vault"), "r")]
    assert stale_skips(skips, failed) == ["CKV2_AZURE_32: azure-test/key_vault/vault"]


def test_key_vault_checks_pass_on_prod(checkov_scan):
    prod = {name: original for name, original in checkov_scan.originals.items() if name.endswith(PROD_SUFFIX)}
    assert any("azurerm_key_vault" in original.get("resource", {}) for original in prod.values())
    missing = []
    for name, original in prod.items():
        passed = {(result.address, result.check_id) for result in checkov_scan.stacks[name].passed}
        for resource_type, checks in REQUIRED_ON_PROD.items():
            for resource_name in original.get("resource", {}).get(resource_type, {}):
                address = f"{resource_type}.{resource_name}"
                missing += [
                    f"{name}: {address}: {check} ({what})"
                    for check, what in checks.items()
                    if (address, check) not in passed
                ]
    assert missing == []


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


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        (
            "- {check: AZURE_110, resources: [a/b], reason: r}",
            "checkov_skips.yaml: entry 1: check 'AZURE_110': must be a checkov check ID such as CKV_AZURE_110",
        ),
        (
            "- {check: CKV_AZURE_110, resources: [], reason: r}",
            "checkov_skips.yaml: entry 1: resources must be a non-empty list of construct paths "
            "(<stack>/<path>, globs allowed)",
        ),
        (
            "- {check: CKV_AZURE_110, resources: [a/b], reason: ''}",
            "checkov_skips.yaml: entry 1: reason must say why the check may fail there",
        ),
        (
            "- {check: CKV_AZURE_110, resources: [a/b]}",
            "checkov_skips.yaml: entry 1: missing keys ['reason']",
        ),
    ],
    ids=["bad check id", "no resources", "empty reason", "no reason"],
)
def test_invalid_skip_list_entry_is_rejected(tmp_path, entry, message):
    path = tmp_path / "checkov_skips.yaml"
    path.write_text(entry + "\n")
    with pytest.raises(ValueError) as error:
        load_skips(path)
    assert str(error.value) == message
