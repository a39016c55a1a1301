"""The user's path: ``cdktf deploy <stack> --auto-approve`` (what ``make deploy`` runs) through the stand-ins, stack
by stack in deployment order, then ``cdktf diff`` of each stack reporting no changes.

The environment is generated (any valid environment must deploy) with a local backend, in a copy of the project,
so state lands in the copy's state/ folder. The cdktf CLI runs on the machine's Node.js (18, 20 or 22) through
``npx`` from the npm registry, as in the Makefile; where either is unavailable the test is skipped with the reason.
``--skip-provider-lock`` is added: the CLI would otherwise run ``terraform providers lock``, which asks the public
registry for checksums no stand-in has (with real providers, leave it out).
"""

from __future__ import annotations

import copy
import json
import os
import re
import shutil
import subprocess

import pytest
import yaml

from quality.synth_outputs import copy_project
from support import MINIMAL, ROOT
from terraform.harness import read_stacks, terraform_environment

ENVIRONMENT = "clipath3"
CLI_TIMEOUT_SECONDS = 600  # the first npx run downloads the CLI (about a minute)


def makefile_cli() -> list[str]:
    """The CLI command of the Makefile (``npx --yes cdktf-cli@<CDKTF_CLI_VERSION>``)."""
    version = re.search(r"^CDKTF_CLI_VERSION := (\S+)$", (ROOT / "Makefile").read_text(), re.MULTILINE).group(1)
    return ["npx", "--yes", f"cdktf-cli@{version}"]


def node_problem() -> str | None:
    if shutil.which("npx") is None or shutil.which("node") is None:
        return "no node/npx on PATH: the cdktf CLI cannot run here"
    major = subprocess.run(["node", "-p", "process.versions.node.split('.')[0]"], capture_output=True, text=True).stdout
    if major.strip() not in ("18", "20", "22"):
        return f"cdktf-cli 0.21 needs Node.js 18, 20 or 22 on PATH (found {major.strip() or 'none'})"
    return None


@pytest.fixture(scope="module")
def cli_project(tmp_path_factory, standin_cli_config, shared_standins):
    problem = node_problem()
    if problem:
        pytest.skip(problem)
    project = copy_project(ROOT, tmp_path_factory.mktemp("cli") / "project")
    (project / ".venv").symlink_to(ROOT / ".venv")  # cdktf.json's app is .venv/bin/python main.py
    data = copy.deepcopy(MINIMAL)
    data["apps"] = {"shop": {"namespace": "shop", "static_secrets": {"db-host": "db.shop.internal"},
                             "random_secrets": {"db-password": {}}}}
    data["backend"] = {"type": "local"}
    data["azure"]["tenant_id"] = "22222222-2222-2222-2222-222222222222"
    data["delivery"] = {"mode": "gitops", "repo_url": "https://github.com/acme/platform-secrets.git"}
    (project / "environments" / f"{ENVIRONMENT}.yaml").write_text(yaml.safe_dump(data, sort_keys=False))
    environment = terraform_environment(standin_cli_config)
    for proxy in ("HTTPS_PROXY", "HTTP_PROXY"):  # npx fetches the CLI from the npm registry
        environment.pop(proxy)
        if proxy in os.environ:
            environment[proxy] = os.environ[proxy]
    environment.update(
        TF_REATTACH_PROVIDERS=shared_standins.reattach,
        ENVIRONMENTS=ENVIRONMENT,
        CHECKPOINT_DISABLE="1",
        DISABLE_VERSION_CHECK="1",
    )
    return project, environment


def cli(project, environment, *arguments) -> subprocess.CompletedProcess:
    return subprocess.run([*makefile_cli(), *arguments, "--no-color"], cwd=project, env=environment,
                          capture_output=True, text=True, timeout=CLI_TIMEOUT_SECONDS)


def test_cdktf_deploy_then_diff_of_each_stack_through_the_stand_ins(cli_project):
    project, environment = cli_project
    # Deployment order from a synth of the environment (the CLI synthesizes again on every deploy).
    first = cli(project, environment, "synth")
    if first.returncode != 0 and re.search(r"npm (ERR|error)|ENOTFOUND|EAI_AGAIN|ECONNREFUSED", first.stderr):
        pytest.skip(f"npx cannot fetch the cdktf CLI from the npm registry here:\n{first.stderr[-1500:]}")
    assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-3000:]
    stacks = [stack.name for stack in read_stacks(project / "cdktf.out")]
    assert stacks == [f"azure-{ENVIRONMENT}", f"eso-{ENVIRONMENT}", f"secrets-{ENVIRONMENT}"]

    for stack in stacks:
        deploy = cli(project, environment, "deploy", stack, "--ignore-missing-stack-dependencies", "--auto-approve",
                     "--skip-provider-lock")
        assert deploy.returncode == 0, f"cdktf deploy {stack}:\n{deploy.stdout[-3000:]}{deploy.stderr[-3000:]}"
        assert (project / "state" / f"{stack}.tfstate").is_file()

    for stack in stacks:
        diff = cli(project, environment, "diff", stack, "--skip-synth", "--skip-provider-lock")
        assert diff.returncode == 0, f"cdktf diff {stack}:\n{diff.stdout[-3000:]}{diff.stderr[-3000:]}"
        assert "No changes. Your infrastructure matches the configuration." in " ".join(diff.stdout.split()), (
            f"cdktf diff {stack} reports changes:\n{diff.stdout[-3000:]}"
        )
    state = json.loads((project / "state" / f"secrets-{ENVIRONMENT}.tfstate").read_text())
    assert {r["type"] for r in state["resources"]} >= {"azurerm_key_vault_secret", "random_password"}
