"""The user's path through the cdktf CLI, run in the background while the rest of the test session runs.

``cdktf deploy <stack> --auto-approve`` (what ``make deploy`` runs) of each stack of a generated environment in
deployment order, then ``cdktf diff`` of each stack, in a copy of the project, through a stand-in process of its
own. Each CLI call costs 10-25 s (Node.js, a synth, Terraform), most of it waiting, so the sequence starts when
collection finishes (``conftest.py``) and ``test_user_path.py`` only waits for its result: on two cores the rest
of the suite runs meanwhile.
"""

from __future__ import annotations

import copy
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from quality.synth_outputs import copy_project
from terraform.harness import ROOT, SharedStandins, install_mirror, read_stacks, terraform_environment

ENVIRONMENT = "clipath3"
CLI_TIMEOUT_SECONDS = 600  # the first npx run downloads the CLI (about a minute)
# The CLI would run `terraform providers lock`, which asks the public registry for checksums no stand-in has.
NO_PROVIDER_LOCK = "--skip-provider-lock"
NPM_UNREACHABLE = re.compile(r"npm (ERR|error)|ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ETIMEDOUT")


def makefile_cli() -> list[str]:
    """The CLI command of the Makefile (``npx --yes cdktf-cli@<CDKTF_CLI_VERSION>``)."""
    version = re.search(r"^CDKTF_CLI_VERSION := (\S+)$", (ROOT / "Makefile").read_text(), re.MULTILINE).group(1)
    return ["npx", "--yes", f"cdktf-cli@{version}"]


def node_problem() -> str | None:
    """Why the cdktf CLI cannot run on this machine, if it cannot."""
    if shutil.which("npx") is None or shutil.which("node") is None:
        return "no node/npx on PATH: the cdktf CLI cannot run here"
    major = subprocess.run(
        ["node", "-p", "process.versions.node.split('.')[0]"], capture_output=True, text=True
    ).stdout.strip()
    if major not in ("18", "20", "22"):
        return f"cdktf-cli 0.21 needs Node.js 18, 20 or 22 on PATH (found {major or 'none'})"
    return None


def environment_file() -> dict:
    """A generated environment: local backend, GitOps delivery (three stacks), one app with two secrets."""
    sys.path.insert(0, str(ROOT / "tests"))
    from support import MINIMAL

    data = copy.deepcopy(MINIMAL)
    data["azure"]["tenant_id"] = "22222222-2222-2222-2222-222222222222"  # GitOps files need it at synth
    data["apps"] = {
        "shop": {"namespace": "shop", "static_secrets": {"db-host": "db.shop.internal"}, "random_secrets": {"db-password": {}}}
    }
    data["backend"] = {"type": "local"}
    data["delivery"] = {"mode": "gitops", "repo_url": "https://github.com/acme/platform-secrets.git"}
    return data


@dataclass
class Call:
    command: str
    returncode: int
    output: str

    def describe(self) -> str:
        return f"{self.command} exited {self.returncode}:\n{self.output[-4000:]}"


@dataclass
class CliPath:
    skipped: str | None = None
    stacks: list[str] = field(default_factory=list)
    deploys: list[Call] = field(default_factory=list)
    diffs: list[Call] = field(default_factory=list)
    project: Path | None = None
    error: str | None = None


class Background:
    """Runs the CLI path in a thread; :meth:`result` waits for it, :meth:`stop` ends it early."""

    def __init__(self):
        self.scratch = Path(tempfile.mkdtemp(prefix="cdktf-cli-path-"))
        self.outcome = CliPath()
        self.processes: list[subprocess.Popen] = []
        self.stopped = False
        self.thread = threading.Thread(target=self._run, name="cdktf-cli-path", daemon=True)
        self.thread.start()

    def result(self) -> CliPath:
        self.thread.join()
        return self.outcome

    def stop(self) -> None:
        self.stopped = True
        for process in list(self.processes):
            if process.poll() is None:
                process.kill()
        self.thread.join(timeout=30)
        shutil.rmtree(self.scratch, ignore_errors=True)

    def _call(self, project: Path, environment: dict, arguments: list[str]) -> Call:
        if self.stopped:
            return Call(" ".join(arguments), -1, "stopped")
        process = subprocess.Popen(
            arguments, cwd=project, env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        self.processes.append(process)
        try:
            output, _ = process.communicate(timeout=CLI_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            output, _ = process.communicate()
            output += f"\n(timed out after {CLI_TIMEOUT_SECONDS} s)"
        shown = " ".join(a for a in arguments if a not in ("--yes", "--no-color")).replace("npx ", "")
        return Call(shown, process.returncode, output)

    def _run(self) -> None:
        outcome = self.outcome
        outcome.skipped = node_problem()
        if outcome.skipped:
            return
        standins = None
        try:
            project = self.scratch / "project"
            copy_project(ROOT, project)
            (project / ".venv").symlink_to(ROOT / ".venv")  # cdktf.json's app is .venv/bin/python main.py
            (project / "environments" / f"{ENVIRONMENT}.yaml").write_text(
                yaml.safe_dump(environment_file(), sort_keys=False)
            )
            outcome.project = project
            standins = SharedStandins()
            environment = terraform_environment(install_mirror(self.scratch / "cli", {}))
            for proxy in ("HTTPS_PROXY", "HTTP_PROXY"):  # npx fetches the CLI from the npm registry
                environment.pop(proxy)
                if proxy in os.environ:
                    environment[proxy] = os.environ[proxy]
            environment.update(
                TF_REATTACH_PROVIDERS=standins.reattach,
                ENVIRONMENTS=ENVIRONMENT,
                CHECKPOINT_DISABLE="1",
                DISABLE_VERSION_CHECK="1",
            )
            # Deployment order from the project's own synth (scripts/list_stacks.py), as `make list` shows it.
            synth = self._call(project, environment, [str(ROOT / ".venv/bin/python"), "main.py"])
            if synth.returncode != 0:
                outcome.error = synth.describe()
                return
            outcome.stacks = [stack.name for stack in read_stacks(project / "cdktf.out")]
            cli = [*makefile_cli()]
            for stack in outcome.stacks:
                call = self._call(project, environment, [
                    *cli, "deploy", stack, "--ignore-missing-stack-dependencies", "--auto-approve", NO_PROVIDER_LOCK,
                    "--no-color"])
                outcome.deploys.append(call)
                if call.returncode != 0:
                    if not outcome.deploys[:-1] and NPM_UNREACHABLE.search(call.output):
                        outcome.skipped = f"npx cannot fetch the cdktf CLI from the npm registry here:\n{call.output[-1500:]}"
                    return
            # Plans only: the three diffs run at once.
            with ThreadPoolExecutor(max_workers=len(outcome.stacks)) as pool:
                outcome.diffs = list(pool.map(lambda stack: self._call(project, environment, [
                    *cli, "diff", stack, "--skip-synth", NO_PROVIDER_LOCK, "--no-color"]), outcome.stacks))
        except Exception as error:  # reported by the test, not lost in a thread
            outcome.error = f"{type(error).__name__}: {error}"
        finally:
            if standins is not None:
                standins.close()
