"""The harness has teeth: a defect seeded into a synthesized stack fails with Terraform's (or the stand-in
provider's, for a rule of overlay.yaml) message, at the step where a user would meet it.

The stacks come from a generated environment with write-only secrets (so that ephemeral values exist), its azure
stack applied first so that the secrets stack's remote state is real.
"""

from __future__ import annotations

import copy
import json
from dataclasses import replace

import pytest

from main import synth
from support import WRITE_ONLY, make_env
from terraform.harness import deploy, read_stacks

APPS = {
    "shop": {
        "namespace": "shop",
        "static_secrets": {"db-host": "db.shop.internal"},
        "random_secrets": {"db-password": {}},
        "sensitive_secrets": {"api-key": {"variable": "shop_api_key"}},
    }
}
CHECKS = (
    ("init", ["init", "-input=false", "-no-color"], (0,)),
    ("validate", ["validate", "-no-color"], (0,)),
    ("plan", ["plan", "-input=false", "-no-color"], (0,)),
)


@pytest.fixture(scope="module")
def seeded(tmp_path_factory, terraform_binary, reattached_environment):
    outdir = tmp_path_factory.mktemp("teeth-synth") / "cdktf.out"
    synth([make_env({"apps": APPS, **WRITE_ONLY}, name="teeth9")], outdir)
    stacks = read_stacks(outdir)
    scratch = tmp_path_factory.mktemp("teeth-run")
    environment = dict(reattached_environment, TF_VAR_shop_api_key="canary-teeth")
    azure = next(stack for stack in stacks if stack.name == "azure-teeth9")
    produced = deploy(terraform_binary, azure, stacks, scratch, environment)
    assert produced.failed is None, produced.failure()
    secrets = next(stack for stack in stacks if stack.name == "secrets-teeth9")

    def run(change):
        """The secrets stack with ``change(synthesized)`` applied, through init, validate and plan."""
        broken = copy.deepcopy(secrets.synthesized)
        change(broken)
        source = tmp_path_factory.mktemp("seeded")
        (source / "cdk.tf.json").write_text(json.dumps(broken, indent=2))
        stack = replace(secrets, source=source, synthesized=broken)
        others = [s for s in stacks if s.name != secrets.name] + [stack]
        return deploy(terraform_binary, stack, others, scratch, environment, steps=CHECKS)

    return run


def _secrets(stack: dict) -> list[dict]:
    return list(stack["resource"]["azurerm_key_vault_secret"].values())


def _first(stack: dict, test) -> dict:
    return next(secret for secret in _secrets(stack) if test(secret))


def _written_from_ephemeral(secret: dict) -> bool:
    return "${ephemeral." in str(secret.get("value_wo", ""))


def ephemeral_into_stored_attribute(stack):
    secret = _first(stack, _written_from_ephemeral)
    secret["value"] = secret.pop("value_wo")
    secret.pop("value_wo_version")


def unescaped_interpolation(stack):
    _first(stack, lambda secret: "value" in secret)["value"] = "https://login.example/${tenant}/"


def misspelt_argument(stack):
    secret = _secrets(stack)[0]
    secret["content_typ"] = secret.pop("content_type", "text/plain")


def missing_required_argument(stack):
    _secrets(stack)[0].pop("key_vault_id")


def missing_cross_stack_output(stack):
    secret = _secrets(stack)[0]
    secret["key_vault_id"] = secret["key_vault_id"].replace(".outputs.", ".outputs.no_such_output_")


def value_wo_without_its_version(stack):
    _first(stack, _written_from_ephemeral).pop("value_wo_version")


def misspelt_lifecycle_argument(stack):
    _secrets(stack)[0].setdefault("lifecycle", {})["ignore_change"] = ["tags"]


def depends_on_with_an_interpolation(stack):
    _secrets(stack)[0]["depends_on"] = ["${azurerm_key_vault_secret.anything}"]


def computed_only_attribute_set(stack):
    _secrets(stack)[0]["version"] = "0123456789abcdef"


DEFECTS = {
    "an ephemeral value in a stored argument": (
        ephemeral_into_stored_attribute, "validate", "Error: Invalid use of ephemeral value"),
    "an unescaped ${ in a static value": (unescaped_interpolation, "validate", "Error: Invalid reference"),
    "a misspelt argument": (misspelt_argument, "validate",
        'No argument or block type is named "content_typ". Did you mean "content_type"?'),
    "a missing required argument": (
        missing_required_argument, "validate", 'The argument "key_vault_id" is required, but no definition was found.'),
    "a reference to a missing cross-stack output": (
        missing_cross_stack_output, "plan", "Error: Unsupported attribute"),
    "value_wo without value_wo_version": (
        value_wo_without_its_version, "validate",
        '"value_wo": all of `value_wo,value_wo_version` must be specified'),
    "a computed-only attribute set": (
        computed_only_attribute_set, "validate", 'Can\'t configure a value for "version": its value will be decided'),
    "a misspelt lifecycle argument": (
        misspelt_lifecycle_argument, "init", "Error: Extraneous JSON object property"),
    "depends_on with an interpolation": (depends_on_with_an_interpolation, "init", "Error: Invalid expression"),
}


@pytest.mark.parametrize("defect", DEFECTS)
def test_a_seeded_defect_fails_with_terraforms_message(seeded, defect):
    change, step, message = DEFECTS[defect]
    outcome = seeded(change)
    assert outcome.failed == step, f"expected {step} to fail; {outcome.failure() or 'nothing failed'}"
    assert message in " ".join(outcome.steps[step].output.split()), outcome.failure()


def test_the_unchanged_stack_passes_the_same_steps(seeded):
    outcome = seeded(lambda stack: None)
    assert outcome.failed is None, outcome.failure()
