"""Terraform itself runs every stack of every environment in environments/, and of the generated environments
(tests/generated_environments.py): init, validate, plan, apply, re-plan.

The providers are the stand-ins of standin.py serving the real schemas (docs/quality-gates.md says what this proves
and what it cannot). Each failure names the stack and quotes Terraform's message.
"""

from __future__ import annotations

import json

import pytest

from terraform.harness import environments, leaks, read_stacks, state_file, stored_texts


def failures(deployment, step: str) -> dict[str, str]:
    """Stack -> Terraform's message, for the stacks that failed at ``step`` (or earlier, which blocks it)."""
    order = ["init", "validate", "plan", "apply", "re-plan"]
    return {
        name: outcome.failure()
        for name, outcome in deployment.outcomes.items()
        if outcome.failed and order.index(outcome.failed) <= order.index(step)
    }


def test_every_stack_of_every_environment_is_run(deployment_of_set):
    deployment, outdir = deployment_of_set
    manifest = json.loads((outdir / "manifest.json").read_text())
    stacks = read_stacks(outdir)
    left_out = {stack.name for stack in stacks if stack.providers_without_standin}
    # Adopting environments run in test_adoption.py, after a manual setup made what they import.
    adopting = {s.name for group in environments(stacks) if any(stack.adopts for stack in group) for s in group}
    assert sorted(deployment.outcomes) == sorted(set(manifest["stacks"]) - left_out - adopting)
    assert deployment.outcomes, "no stack was run"


def test_only_stacks_of_a_provider_without_a_schema_are_left_out(example_outdir):
    """hcp-<env> (the tfe provider) is the one kind of stack Terraform cannot run here: WITHOUT_STANDIN says why."""
    left_out = {stack.name: stack.providers_without_standin for stack in read_stacks(example_outdir)}
    assert {name for name, providers in left_out.items() if providers} <= {
        name for name in left_out if name.startswith("hcp-")
    }


def test_terraform_initializes_and_validates_every_stack(deployment_of_set):
    assert failures(deployment_of_set[0], "validate") == {}


def test_terraform_plans_and_applies_every_stack(deployment_of_set):
    assert failures(deployment_of_set[0], "apply") == {}


def test_a_second_plan_after_apply_reports_no_changes(deployment_of_set):
    assert failures(deployment_of_set[0], "re-plan") == {}


def test_destroying_a_stack_that_holds_a_prevent_destroy_resource_is_refused(deployment_of_set):
    deployment = deployment_of_set[0]
    guarded = [stack.name for stack in deployment.stacks if stack.prevents_destroy]
    assert guarded, "no stack holds a prevent_destroy resource"
    assert sorted(deployment.destroy_plans) == sorted(guarded)
    accepted = {
        name: step.describe()
        for name, step in deployment.destroy_plans.items()
        if step.returncode != 1 or "Error: Instance cannot be destroyed" not in step.output
    }
    assert accepted == {}


def test_no_canary_or_generated_secret_reaches_the_state_or_plans_of_write_only_environments(
    deployment_of_set, secrets_log
):
    deployment = deployment_of_set[0]
    groups = [group for group in environments(deployment.stacks) if any(s.uses_write_only_secrets for s in group)]
    if not groups:
        pytest.skip("no environment of this set asks for write-only secrets")
    generated = secrets_log.read_text().split()
    assert generated, "the stand-ins generated no secret: an ephemeral password was expected"
    values = dict(deployment.canaries)
    values.update({f"generated secret {value[:4]}...": value for value in generated})
    texts = {}
    for stack in (stack for group in groups for stack in group):
        texts.update(stored_texts(deployment.outcomes[stack.name].directory))
        texts.update(stored_texts(state_file(deployment.scratch, stack.name).parent, stack.name))
    assert texts, "no state or plan was written"
    assert leaks(texts, values) == []
