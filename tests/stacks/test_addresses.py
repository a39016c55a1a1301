"""Terraform addresses: readable and stable, every changed one carried over by a moved block, and no user-chosen
name can collide with the project's own construct IDs or names."""

from __future__ import annotations

import json
from pathlib import Path

import cdktf
import pytest

from address_variants import VARIANTS, addresses
from addresses import cdktf_name, terraform_name
from cdk import Construct, RandomPassword, RandomProvider
from stacks.base import EnvironmentStack
from support import make_env, run_terraform, synth_app, terraform_binary

FORMER = json.loads((Path(__file__).with_name("addresses_before_readable_names.json")).read_text())


@pytest.fixture(scope="module")
def synthesized(tmp_path_factory) -> dict[str, dict]:
    return {
        name: synth_app([make_env(changes)], tmp_path_factory.mktemp(name)) for name, changes in VARIANTS.items()
    }


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_moved_blocks_cover_every_address_that_changed(synthesized, variant):
    """Every address the project gave before the readable names (pinned from b65d292) is still an address of the
    same stack, or the ``from`` of a moved block whose ``to`` is one: no stateful resource is replaced."""
    uncovered = {}
    for stack, former in FORMER[variant].items():
        body = synthesized[variant][stack]
        current = set(addresses({stack: body})[stack])
        moved = {block["from"]: block["to"] for block in body.get("moved", [])}
        lost = [address for address in former if address not in current and moved.get(address) not in current]
        if lost:
            uncovered[stack] = lost
    assert uncovered == {}


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_every_moved_block_leads_from_a_former_address_to_a_current_one(synthesized, variant):
    for stack, body in synthesized[variant].items():
        if stack == "manifest.json":
            continue
        current = set(addresses({stack: body})[stack])
        for block in body.get("moved", []):
            assert block["to"] in current and block["from"] not in current, (stack, block)


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_no_address_carries_a_hash(synthesized, variant):
    names = [
        address.split(".", 1)[1]
        for stack, body in synthesized[variant].items()
        if stack != "manifest.json"
        for address in addresses({stack: body})[stack]
    ]
    assert [name for name in names if name.rsplit("_", 1)[-1].isupper()] == []


def test_an_app_secret_is_named_after_the_app_and_the_key(synthesized):
    assert "azurerm_key_vault_secret.app_myapp_db-host" in addresses(synthesized["shared-service-principal"])["secrets-test"]


def test_names_join_the_construct_path_and_leave_out_default():
    assert terraform_name(["app", "myapp", "db-host", "Default"]) == "app_myapp_db-host"


def test_former_names_are_the_ones_cdktf_allocates():
    assert cdktf_name(["key_vault", "vault"]) == "key_vault_15104185"
    assert cdktf_name(["myapp-namespace"]) == "myapp-namespace"


# Construct IDs of the project at a stack's top level, the four names of issue 12 among them, and names that read
# like the project's own.
RESERVED_NAMES = [
    "backend", "random", "azurerm", "azuread", "kubernetes", "helm", "time", "current", "eso", "app",
    "key-vault", "resource-group", "vault-access", "eso-identity", "azure-credentials", "cluster-secret-store",
    "namespace", "identity", "sign-in", "external-secret", "secret-store", "default",
]


def reserved_apps() -> dict:
    secrets = {"random_secrets": {"value": {}, "value-value": {}, "Default": {}, "reader": {}}}
    return {name: {"create_namespace": True, **secrets} for name in RESERVED_NAMES}


@pytest.mark.parametrize("isolation", ["shared", "isolated"])
def test_apps_named_like_the_projects_own_constructs_synthesize(tmp_path, isolation):
    env = make_env({"apps": reserved_apps(), "eso.app_isolation": isolation})
    synthesized = synth_app([env], tmp_path)
    secrets = synthesized["secrets-test"]["resource"]["azurerm_key_vault_secret"]
    assert len(secrets) == 4 * len(RESERVED_NAMES)
    assert len(synthesized["eso-test"]["resource"]["kubernetes_namespace_v1"]) == len(RESERVED_NAMES) + 1


@pytest.mark.parametrize("name", ["backend", "random", "azurerm", "kubernetes"])
def test_an_app_named_after_a_provider_or_the_backend_synthesizes(tmp_path, name):
    synthesized = synth_app([make_env({"apps": {name: {"random_secrets": {"db-password": {}}}}})], tmp_path)
    assert f"app_{name}_db-password" in synthesized["secrets-test"]["resource"]["azurerm_key_vault_secret"]


def test_an_isolated_app_named_eso_has_its_own_identity_and_output(tmp_path):
    apps = {"eso": {"isolation": "isolated", "random_secrets": {"k": {}}}, "myapp": {"random_secrets": {"k": {}}}}
    env = make_env({**VARIANTS["shared-workload-identity"], "apps": apps})
    azure = synth_app([env], tmp_path)["azure-test"]
    assert set(azure["resource"]["azurerm_user_assigned_identity"]) == {"eso_identity", "app_eso_identity"}
    assert {"eso_client_id", "app_eso_client_id"} <= set(azure["output"])


def test_a_key_named_like_another_keys_value_has_its_own_resources(tmp_path):
    env = make_env({"apps": {"myapp": {"random_secrets": {"db": {}, "db-value": {}}}}})
    secrets = synth_app([env], tmp_path)["secrets-test"]["resource"]
    assert set(secrets["random_password"]) == {"app_myapp_db_value", "app_myapp_db-value_value"}


def test_two_elements_with_one_name_are_refused():
    stack = EnvironmentStack(cdktf.Testing.app(), "names-test", env=make_env())
    RandomProvider(stack, "random")
    RandomPassword(stack, "key_vault", length=16)
    RandomPassword(Construct(stack, "key"), "vault", length=16)
    with pytest.raises(Exception, match="names-test/key/vault and names-test/key_vault would both be resource "
                                        "random_password 'key_vault' in the Terraform JSON"):
        cdktf.Testing.synth(stack)


def test_terraform_carries_state_along_the_moved_blocks_as_written(tmp_path):
    """The moved blocks of a synthesized stack, retyped to Terraform's built-in ``terraform_data`` (which needs no
    provider download): state at every former address ends at the new one, the same object, not replaced."""
    terraform = terraform_binary()
    moved = synth_app([make_env(VARIANTS["shared-service-principal"])], tmp_path / "out")["secrets-test"]["moved"]
    retyped = [{end: "terraform_data." + block[end].split(".", 1)[1] for end in ("from", "to")} for block in moved]

    def apply(addresses: list[str], **extra: list) -> dict[str, str]:
        resources = {address.split(".", 1)[1]: {} for address in addresses}
        (tmp_path / "tf" / "main.tf.json").write_text(json.dumps({"resource": {"terraform_data": resources}, **extra}))
        run_terraform(terraform, tmp_path / "tf", "apply", "-auto-approve")
        state = json.loads(run_terraform(terraform, tmp_path / "tf", "show", "-json"))
        return {r["address"]: r["values"]["id"] for r in state["values"]["root_module"]["resources"]}

    (tmp_path / "tf").mkdir()
    run_terraform(terraform, tmp_path / "tf", "init", "-backend=false")
    before = apply([block["from"] for block in retyped])
    after = apply([block["to"] for block in retyped], moved=retyped)
    assert after == {block["to"]: before[block["from"]] for block in retyped}
