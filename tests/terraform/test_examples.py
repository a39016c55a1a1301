"""Terraform itself runs every stack of every environment in environments/: init, validate, plan, apply, re-plan.

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


def test_every_stack_of_every_example_environment_is_run(example_deployment, example_outdir):
    manifest = json.loads((example_outdir / "manifest.json").read_text())
    left_out = [stack.name for stack in read_stacks(example_outdir) if stack.providers_without_standin]
    assert sorted(example_deployment.outcomes) == sorted(set(manifest["stacks"]) - set(left_out))


def test_only_stacks_of_a_provider_without_a_schema_are_left_out(example_outdir):
    """hcp-<env> (the tfe provider) is the one kind of stack Terraform cannot run here: WITHOUT_STANDIN says why."""
    left_out = {stack.name: stack.providers_without_standin for stack in read_stacks(example_outdir)}
    assert {name for name, providers in left_out.items() if providers} <= {
        name for name in left_out if name.startswith("hcp-")
    }


def test_terraform_initializes_and_validates_every_stack(example_deployment):
    assert failures(example_deployment, "validate") == {}


def test_terraform_plans_and_applies_every_stack(example_deployment):
    assert failures(example_deployment, "apply") == {}


def test_a_second_plan_after_apply_reports_no_changes(example_deployment):
    assert failures(example_deployment, "re-plan") == {}


def test_destroying_a_stack_that_holds_a_prevent_destroy_resource_is_refused(example_deployment):
    guarded = [stack.name for stack in example_deployment.stacks if stack.prevents_destroy]
    assert guarded, "no example stack holds a prevent_destroy resource"
    assert sorted(example_deployment.destroy_plans) == sorted(guarded)
    accepted = {
        name: step.describe()
        for name, step in example_deployment.destroy_plans.items()
        if step.returncode != 1 or "Error: Instance cannot be destroyed" not in step.output
    }
    assert accepted == {}


def test_no_canary_or_generated_secret_reaches_the_state_or_plans_of_write_only_environments(
    example_deployment, secrets_log
):
    groups = [group for group in environments(example_deployment.stacks) if any(s.uses_write_only_secrets for s in group)]
    if not groups:
        pytest.skip("no environment in environments/ asks for write-only secrets")
    generated = secrets_log.read_text().split()
    assert generated, "the stand-ins generated no secret: an ephemeral password was expected"
    values = dict(example_deployment.canaries)
    values.update({f"generated secret {value[:4]}...": value for value in generated})
    texts = {}
    for stack in (stack for group in groups for stack in group):
        texts.update(stored_texts(example_deployment.outcomes[stack.name].directory))
        texts.update(stored_texts(state_file(example_deployment.scratch, stack.name).parent, stack.name))
    assert texts, "no state or plan was written"
    assert leaks(texts, values) == []
