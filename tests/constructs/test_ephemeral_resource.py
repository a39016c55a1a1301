from __future__ import annotations

from cdk import KeyVaultSecret, RandomProvider
from ephemeral_resource import EphemeralRandomPassword, EphemeralResource
from support import synth_json


def test_ephemeral_resource_emits_a_top_level_ephemeral_block(stack):
    EphemeralResource(stack, "token", resource_type="example_token", config={"audience": "x"})
    assert synth_json(stack)["ephemeral"] == {"example_token": {"token": {"audience": "x"}}}


def test_ephemeral_password_result_feeds_a_write_only_argument(stack):
    RandomProvider(stack, "random")
    password = EphemeralRandomPassword(stack, "password", length=32)
    KeyVaultSecret(stack, "secret", key_vault_id="/v", name="n", value_wo=password.result, value_wo_version=1)
    synthesized = synth_json(stack)
    assert synthesized["ephemeral"]["random_password"] == {"password": {"length": 32}}
    secret = synthesized["resource"]["azurerm_key_vault_secret"]["secret"]
    assert secret["value_wo"] == "${ephemeral.random_password.password.result}"
    assert "random_password" not in synthesized["resource"]
