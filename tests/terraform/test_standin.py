"""The stand-in provider's answers, called directly (the Terraform tests show them working with Terraform)."""

from __future__ import annotations

import msgpack
import pytest

from terraform.standin_loader import pb, standin
from terraform.harness import PROVIDERS

UNKNOWN_WITH_REFINEMENTS = msgpack.ExtType(12, b"\x81\x01\xc2")  # e.g. "not null", as Terraform may send it


def _dv(value) -> "pb.DynamicValue":
    return pb.DynamicValue(msgpack=msgpack.packb(value, use_bin_type=True))


def _value(dynamic):
    return msgpack.unpackb(dynamic.msgpack, raw=False, strict_map_key=False)


@pytest.fixture(scope="module")
def azurerm():
    return standin.Provider(standin.ProviderSchema("azurerm"))


def _secret(**changes):
    config = {name: None for name in (
        "content_type", "expiration_date", "id", "key_vault_id", "name", "not_before_date", "resource_id",
        "resource_versionless_id", "tags", "value", "value_wo", "value_wo_version", "version", "versionless_id",
        "timeouts")}
    config.update(name="db-password", key_vault_id="/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv1")
    config.update(changes)
    return config


def test_every_vendored_schema_is_served():
    for name in PROVIDERS:
        assert standin.ProviderSchema(name).response.provider is not None


def test_plan_marks_unset_computed_attributes_of_a_new_object_unknown(azurerm):
    request = pb.PlanResourceChange.Request(
        type_name="azurerm_key_vault_secret", prior_state=_dv(None), proposed_new_state=_dv(_secret(value="x")),
        config=_dv(_secret(value="x")))
    planned = _value(azurerm.PlanResourceChange(request, None).planned_state)
    assert planned["id"] == planned["version"] == msgpack.ExtType(0, b"\x00")
    assert planned["value"] == "x"


def test_plan_keeps_terraforms_unknowns_byte_for_byte(azurerm):
    proposed = _secret(value="x", key_vault_id=UNKNOWN_WITH_REFINEMENTS)
    request = pb.PlanResourceChange.Request(
        type_name="azurerm_key_vault_secret", prior_state=_dv(None), proposed_new_state=_dv(proposed), config=_dv(proposed))
    planned = azurerm.PlanResourceChange(request, None).planned_state.msgpack
    assert msgpack.packb(UNKNOWN_WITH_REFINEMENTS) in planned


def test_write_only_attributes_are_null_in_plan_and_state(azurerm):
    config = _secret(value_wo="s3cr3t-value", value_wo_version=1)
    plan = azurerm.PlanResourceChange(pb.PlanResourceChange.Request(
        type_name="azurerm_key_vault_secret", prior_state=_dv(None), proposed_new_state=_dv(config), config=_dv(config)), None)
    assert _value(plan.planned_state)["value_wo"] is None
    apply = azurerm.ApplyResourceChange(pb.ApplyResourceChange.Request(
        type_name="azurerm_key_vault_secret", prior_state=_dv(None), planned_state=plan.planned_state, config=_dv(config)), None)
    assert _value(apply.new_state)["value_wo"] is None
    assert b"s3cr3t-value" not in apply.new_state.msgpack


def test_apply_gives_azure_shaped_ids_derived_from_the_configuration():
    provider = standin.Provider(standin.ProviderSchema("azurerm"))
    config = {"name": "kv1", "resource_group_name": "rg1", "location": "westeurope"}
    block = provider.schema.block("resource", "azurerm_key_vault")
    proposed = {name: config.get(name) for name in block.attributes}
    proposed.update({name: [] if nesting in ("list", "set") else None for name, (nesting, _) in block.blocks.items()})
    plan = provider.PlanResourceChange(pb.PlanResourceChange.Request(
        type_name="azurerm_key_vault", prior_state=_dv(None), proposed_new_state=_dv(proposed), config=_dv(proposed)), None)
    state = _value(provider.ApplyResourceChange(pb.ApplyResourceChange.Request(
        type_name="azurerm_key_vault", prior_state=_dv(None), planned_state=plan.planned_state, config=_dv(proposed)),
        None).new_state)
    assert state["id"] == f"/subscriptions/{standin.fakes.SUBSCRIPTION_ID}/resourceGroups/rg1/providers/Microsoft.KeyVault/vaults/kv1"
    assert state["vault_uri"] == "https://kv1.vault.azure.net/"


def test_a_change_of_a_force_new_attribute_requires_replacement(azurerm):
    prior = _secret(value="x", id="i", version="v")
    proposed = dict(prior, name="db-password-2")
    response = azurerm.PlanResourceChange(pb.PlanResourceChange.Request(
        type_name="azurerm_key_vault_secret", prior_state=_dv(prior), proposed_new_state=_dv(proposed),
        config=_dv(proposed)), None)
    assert [step.attribute_name for path in response.requires_replace for step in path.steps] == ["name"]


def test_setting_a_computed_only_attribute_is_refused_with_the_sdks_message(azurerm):
    response = azurerm.ValidateResourceConfig(pb.ValidateResourceConfig.Request(
        type_name="azurerm_key_vault_secret", config=_dv(_secret(value="x", version="1"))), None)
    assert [(d.summary, d.detail) for d in response.diagnostics] == [(
        "Value for unconfigurable attribute",
        'Can\'t configure a value for "version": its value will be decided automatically based on the result of '
        "applying this configuration.",
    )]


def test_value_wo_without_value_wo_version_is_refused(azurerm):
    response = azurerm.ValidateResourceConfig(pb.ValidateResourceConfig.Request(
        type_name="azurerm_key_vault_secret", config=_dv(_secret(value_wo="x"))), None)
    assert [(d.summary, d.detail) for d in response.diagnostics] == [
        ("Missing required argument", '"value_wo": all of `value_wo,value_wo_version` must be specified')]


def test_a_fault_fails_the_apply_of_the_matching_object_only(azurerm, monkeypatch):
    monkeypatch.setenv("TF_STANDIN_FAIL_APPLY", "azurerm_key_vault_secret:name=db-password")
    for name, failed in (("db-password", True), ("db-user", False)):
        planned = _secret(name=name, value="x", id="i", version="v", versionless_id="u", resource_id="r",
                          resource_versionless_id="q")
        response = azurerm.ApplyResourceChange(pb.ApplyResourceChange.Request(
            type_name="azurerm_key_vault_secret", prior_state=_dv(None), planned_state=_dv(planned),
            config=_dv(planned)), None)
        assert bool(response.diagnostics) is failed


def test_data_sources_and_imports_answer_deterministically(azurerm):
    request = pb.ReadDataSource.Request(type_name="azurerm_client_config", config=_dv(
        {"client_id": None, "id": None, "object_id": None, "subscription_id": None, "tenant_id": None, "timeouts": None}))
    first, second = (_value(azurerm.ReadDataSource(request, None).state) for _ in range(2))
    assert first == second and first["tenant_id"] == standin.fakes.TENANT_ID
    imported = azurerm.ImportResourceState(pb.ImportResourceState.Request(
        type_name="azurerm_resource_group", id="/subscriptions/s/resourceGroups/rg-old"), None)
    state = _value(imported.imported_resources[0].state)
    assert (state["id"], state["name"]) == ("/subscriptions/s/resourceGroups/rg-old", "rg-old")


def test_import_returns_the_object_an_apply_recorded_in_the_world_folder(azurerm, monkeypatch, tmp_path):
    monkeypatch.setenv("TF_STANDIN_WORLD", str(tmp_path))
    planned = _secret(value="x", id="https://kv1.vault.azure.net/secrets/db-password/v1", version="v1",
                      versionless_id="u", resource_id="r", resource_versionless_id="q")
    created = azurerm.ApplyResourceChange(pb.ApplyResourceChange.Request(
        type_name="azurerm_key_vault_secret", prior_state=_dv(None), planned_state=_dv(planned), config=_dv(planned)),
        None)
    imported = azurerm.ImportResourceState(pb.ImportResourceState.Request(
        type_name="azurerm_key_vault_secret", id=planned["id"]), None)
    assert _value(imported.imported_resources[0].state) == _value(created.new_state)
