"""Session fixtures of the Terraform tests: the stand-in providers start once, the example stacks run once."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from quality.sensitive_inputs import SENSITIVE_INPUTS
from terraform.harness import (
    Outcome,
    SharedStandins,
    Stack,
    Step,
    deploy_all,
    environments,
    install_mirror,
    plan_destroy,
    read_stacks,
    required_versions,
    terraform_environment,
    variable_values,
)


CLI_PATH = pytest.StashKey["object"]()


@pytest.fixture(scope="session")
def terraform_binary() -> str:
    binary = shutil.which("terraform")
    if binary is None:
        message = "no terraform binary on PATH: the stacks cannot be run through Terraform here"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return binary


@pytest.fixture(scope="session")
def standin_cli_config(tmp_path_factory, example_outdir) -> Path:
    """A CLI configuration installing the stand-ins from a filesystem mirror, at the versions the stacks require."""
    return install_mirror(tmp_path_factory.mktemp("terraform-cli"), required_versions(example_outdir))


@pytest.fixture(scope="session")
def secrets_log(tmp_path_factory) -> Path:
    """Where the stand-ins write every secret value they generate (passwords, client secrets)."""
    return tmp_path_factory.mktemp("standin-secrets") / "generated.txt"


@pytest.fixture(scope="session")
def standin_world(tmp_path_factory) -> Path:
    """The stand-ins' cloud: every object an apply created, by ID (import reads it)."""
    return tmp_path_factory.mktemp("standin-world")


@pytest.fixture(scope="session")
def shared_standins(secrets_log, standin_cli_config, standin_world):
    environment = dict(
        terraform_environment(standin_cli_config),
        TF_STANDIN_SECRETS_LOG=str(secrets_log),
        TF_STANDIN_WORLD=str(standin_world),
    )
    standins = SharedStandins(environment)
    yield standins
    standins.close()


@pytest.fixture(scope="session")
def reattached_environment(standin_cli_config, shared_standins) -> dict[str, str]:
    """Terraform's environment with the shared stand-ins attached (it starts no provider itself)."""
    return dict(terraform_environment(standin_cli_config), TF_REATTACH_PROVIDERS=shared_standins.reattach)


@dataclass(frozen=True)
class Deployment:
    stacks: list[Stack]
    outcomes: dict[str, Outcome]
    destroy_plans: dict[str, Step]  # stacks holding a prevent_destroy resource -> their `plan -destroy`
    canaries: dict[str, str]  # environment variable -> canary value
    scratch: Path


def canaries_for(stacks: list[Stack], tag: str) -> dict[str, str]:
    values = variable_values(stacks, tag)
    values.update({entry.variable: f"canary{tag}{entry.variable.lower()}" for entry in SENSITIVE_INPUTS})
    return values


def run_deployment(scratch: Path, terraform_binary: str, stacks: list[Stack], tag: str, environment) -> Deployment:
    """``stacks`` through init, validate, plan, apply and a second plan, in deployment order, then `plan -destroy`
    of each stack that holds a prevent_destroy resource."""
    canaries = canaries_for(stacks, tag)
    environment = dict(environment, **canaries)
    outcomes = deploy_all(terraform_binary, stacks, scratch, environment)
    destroy_plans = {
        name: plan_destroy(terraform_binary, outcome, environment)
        for name, outcome in outcomes.items()
        if outcome.stack.prevents_destroy and not outcome.failed
    }
    return Deployment(stacks, outcomes, destroy_plans, canaries, scratch)


@pytest.fixture(scope="session")
def example_deployment(tmp_path_factory, terraform_binary, example_outdir, reattached_environment) -> Deployment:
    """Every stack of environments/*.yaml (but those no stand-in can run, WITHOUT_STANDIN) through Terraform."""
    stacks = [stack for stack in read_stacks(example_outdir) if not stack.providers_without_standin]
    return run_deployment(tmp_path_factory.mktemp("terraform-examples"), terraform_binary, stacks, "tf",
                          reattached_environment)


@pytest.fixture(scope="session")
def generated_deployment(tmp_path_factory, terraform_binary, generated_set, reattached_environment) -> Deployment:
    """The same for the generated environments (tests/generated_environments.py), but for those that adopt what a
    manual setup made: tests/terraform/test_adoption.py makes that first and runs them."""
    stacks = [stack for stack in read_stacks(generated_set.outdir) if not stack.providers_without_standin]
    adopting = {s.name for group in environments(stacks) if any(stack.adopts for stack in group) for s in group}
    stacks = [stack for stack in stacks if stack.name not in adopting]
    return run_deployment(tmp_path_factory.mktemp("terraform-generated"), terraform_binary, stacks, "tg",
                          reattached_environment)


@pytest.fixture(scope="session", params=["examples", "generated"])
def deployment_of_set(request) -> tuple[Deployment, Path]:
    """Each set of environments in turn, run through Terraform, with its synthesized outdir."""
    if request.param == "examples":
        return request.getfixturevalue("example_deployment"), request.getfixturevalue("example_outdir")
    return request.getfixturevalue("generated_deployment"), request.getfixturevalue("generated_set").outdir


CLI_TEST = "test_user_path.py"


def pytest_collection_finish(session):
    """Start the cdktf CLI path in the background as soon as its test is collected (cli_path.py says why)."""
    if any(Path(str(item.fspath)).name == CLI_TEST for item in session.items):
        from terraform.cli_path import Background

        session.config.stash[CLI_PATH] = Background()


def pytest_unconfigure(config):
    background = config.stash.get(CLI_PATH, None)
    if background is not None:
        background.stop()


@pytest.fixture(scope="session")
def cli_path(request):
    background = request.config.stash.get(CLI_PATH, None)
    if background is None:
        from terraform.cli_path import Background

        background = request.config.stash[CLI_PATH] = Background()
    return background.result()
