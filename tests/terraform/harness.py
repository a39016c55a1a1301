"""Run synthesized stacks through the real Terraform core with the stand-in providers, offline, with local state.

Each stack is copied into a scratch folder beside a ``standin_override.tf.json`` (a Terraform override file): its
``cloud`` block or ``azurerm``/``local`` backend becomes a local backend in the scratch folder, and each
``data.terraform_remote_state`` reads the producing stack's local state there. The stacks of one environment run in
deployment order (``scripts/list_stacks.py``); environments (groups of stacks that depend on each other) run two
at a time. https://developer.hashicorp.com/terraform/language/files/override

Providers: either one stand-in process serves all providers to every Terraform run (``TF_REATTACH_PROVIDERS``:
Terraform connects to it and never starts a provider, so each provider starts once per test session), or Terraform
installs the stand-ins from a filesystem mirror named in a CLI configuration (``TF_CLI_CONFIG_FILE``) and starts
them itself, as it does real providers.
"""

from __future__ import annotations

import importlib.util
import json
import os
import secrets
import shutil
import subprocess
import sys
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
STANDIN = HERE / "standin.py"
PROVIDERS = tuple(sorted(path.stem for path in (HERE / "schemas").glob("*.json")))
# Providers whose stacks Terraform cannot run here, and why. ../shared/terraform has no schema of the tfe provider
# (stack hcp-<env>); tests/stacks/test_hcp_stack.py checks that stack against a schema rebuilt from the binding's
# jsii assembly instead, which lacks the computed attributes Terraform needs to resolve references.
WITHOUT_STANDIN = {"tfe": "no real schema of the tfe provider is available (../shared/terraform has none)"}
REGISTRY = "registry.terraform.io/hashicorp"
# Any connection attempt (a registry, a checkpoint call) goes to the discard port of this machine and fails.
UNREACHABLE_PROXY = "http://127.0.0.1:9"
COMMAND_TIMEOUT_SECONDS = 300
OVERRIDE = "standin_override.tf.json"
# cdktf names the remote state a stack reads from another "cross-stack-reference-input-<producer stack>".
CROSS_STACK_PREFIX = "cross-stack-reference-input-"


def _list_stacks():
    spec = importlib.util.spec_from_file_location("list_stacks", ROOT / "scripts" / "list_stacks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


deployment_order = _list_stacks().deployment_order


# --- the machine side: Terraform's environment, the mirror, the stand-in process -------------------------------


def terraform_environment(cli_config: Path) -> dict[str, str]:
    """This process's environment without Terraform settings, credentials and proxies, plus offline settings."""
    environment = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("TF_", "CHECKPOINT_"))
        and name.upper() not in ("HTTPS_PROXY", "HTTP_PROXY", "NO_PROXY", "ALL_PROXY")
    }
    environment.update(
        TF_CLI_CONFIG_FILE=str(cli_config),
        TF_IN_AUTOMATION="1",
        TF_INPUT="0",
        CHECKPOINT_DISABLE="1",
        HTTPS_PROXY=UNREACHABLE_PROXY,
        HTTP_PROXY=UNREACHABLE_PROXY,
    )
    return environment


def required_versions(outdir: Path) -> dict[str, str]:
    """Provider name -> the exact version the synthesized stacks require (a stand-in is installed at it)."""
    versions: dict[str, str] = {}
    for path in sorted(outdir.glob("stacks/*/cdk.tf.json")):
        required = json.loads(path.read_text()).get("terraform", {}).get("required_providers", {})
        for name, requirement in required.items():
            if name in WITHOUT_STANDIN:
                continue
            version = str(requirement.get("version", "")).lstrip("= ")
            if not version or not version[0].isdigit() or any(c in version for c in "<>~, "):
                raise ValueError(f"{path}: provider {name} version {requirement.get('version')!r} is not exact")
            if versions.setdefault(name, version) != version:
                raise ValueError(f"stacks require {name} at both {versions[name]} and {version}")
            if name not in PROVIDERS:
                raise ValueError(f"{path}: no stand-in schema for provider {name} (have {', '.join(PROVIDERS)})")
    return versions


def install_mirror(folder: Path, versions: dict[str, str]) -> Path:
    """A filesystem mirror (unpacked layout) whose providers are two-line scripts starting the stand-in, and the
    CLI configuration that installs from it and from nowhere else. Returns the CLI configuration's path."""
    mirror = folder / "mirror"
    mirror.mkdir(parents=True, exist_ok=True)
    for name, version in versions.items():
        target = mirror / REGISTRY / name / version / "linux_amd64"
        target.mkdir(parents=True, exist_ok=True)
        launcher = target / f"terraform-provider-{name}_v{version}"
        launcher.write_text(f'#!/bin/sh\nexec "{sys.executable}" "{STANDIN}" --provider {name} "$@"\n')
        launcher.chmod(0o755)
    config = folder / "standin.tfrc"
    config.write_text(
        "disable_checkpoint = true\n"
        "provider_installation {\n"
        "  filesystem_mirror {\n"
        f"    path    = {json.dumps(str(mirror))}\n"
        f'    include = ["{REGISTRY}/*"]\n'
        "  }\n"
        "  direct {\n"
        f'    exclude = ["{REGISTRY}/*"]\n'
        "  }\n"
        "}\n"
    )
    return config


class SharedStandins:
    """One stand-in process serving every provider to any number of Terraform runs (``TF_REATTACH_PROVIDERS``)."""

    def __init__(self, environment: dict[str, str] | None = None):
        self.process = subprocess.Popen(
            [sys.executable, str(STANDIN), "--reattach", ",".join(PROVIDERS)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=environment,
            text=True,
        )
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"the stand-in providers did not start:\n{self.process.stderr.read()}")
        self.reattach = line.strip()

    def close(self) -> None:
        self.process.stdin.close()  # the stand-in serves until its standard input closes
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


# --- stacks -------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Stack:
    name: str
    source: Path  # the synthesized working directory (cdk.tf.json)
    dependencies: tuple[str, ...]
    synthesized: dict

    @property
    def providers_without_standin(self) -> tuple[str, ...]:
        """The providers of this stack that no stand-in serves (WITHOUT_STANDIN): Terraform cannot run it here."""
        required = self.synthesized.get("terraform", {}).get("required_providers", {})
        return tuple(sorted(name for name in required if name in WITHOUT_STANDIN))

    @property
    def prevents_destroy(self) -> bool:
        return any(
            (resource.get("lifecycle") or {}).get("prevent_destroy") is True
            for resources in self.synthesized.get("resource", {}).values()
            for resource in resources.values()
        )

    @property
    def adopts(self) -> bool:
        """Whether the stack imports objects made before it (``adopt:``): they must exist in the stand-ins' world,
        which tests/terraform/test_adoption.py builds first."""
        return bool(self.synthesized.get("import"))

    @property
    def uses_write_only_secrets(self) -> bool:
        return any(
            "value_wo" in resource for resource in self.synthesized.get("resource", {}).get("azurerm_key_vault_secret", {}).values()
        )


def read_stacks(outdir: Path) -> list[Stack]:
    """The stacks of a synthesized outdir (manifest.json), in deployment order."""
    manifest = json.loads((outdir / "manifest.json").read_text())["stacks"]
    return [
        Stack(
            name,
            outdir / manifest[name]["workingDirectory"],
            tuple(manifest[name].get("dependencies", [])),
            json.loads((outdir / manifest[name]["synthesizedStackPath"]).read_text()),
        )
        for name in deployment_order(manifest)
    ]


def environments(stacks: list[Stack]) -> list[list[Stack]]:
    """Groups of stacks that depend on each other (one per environment), each in deployment order."""
    group_of = {stack.name: {stack.name} for stack in stacks}
    for stack in stacks:
        for dependency in stack.dependencies:
            if dependency not in group_of:  # a stack left out (WITHOUT_STANDIN): nothing of it is read
                continue
            merged = group_of[stack.name] | group_of[dependency]
            for name in merged:
                group_of[name] = merged
    groups: list[list[Stack]] = []
    seen: list[set[str]] = []
    for stack in stacks:
        group = group_of[stack.name]
        if group not in seen:
            seen.append(group)
            groups.append([s for s in stacks if s.name in group])
    return groups


def _backend_identity(stack: Stack) -> tuple[str, str] | None:
    """Where a stack keeps its state, as remote state blocks name it: (backend kind, key)."""
    terraform = stack.synthesized.get("terraform", {})
    if "cloud" in terraform:
        workspaces = terraform["cloud"].get("workspaces", {})
        return ("workspace", workspaces.get("name", ""))
    for kind, config in terraform.get("backend", {}).items():
        if kind == "local":
            return ("local", str((stack.source / config.get("path", "terraform.tfstate")).resolve()))
        if kind == "azurerm":
            return ("azurerm", f"{config.get('storage_account_name')}/{config.get('container_name')}/{config.get('key')}")
        if kind == "remote":
            return ("workspace", config.get("workspaces", {}).get("name", ""))
    return None


def _remote_state_identity(stack: Stack, block: dict) -> tuple[str, str] | None:
    config = block.get("config", {})
    backend = block.get("backend")
    if backend == "local":
        return ("local", str((stack.source / config.get("path", "terraform.tfstate")).resolve()))
    if backend == "azurerm":
        return ("azurerm", f"{config.get('storage_account_name')}/{config.get('container_name')}/{config.get('key')}")
    if backend in ("remote", "cloud"):
        return ("workspace", config.get("workspaces", {}).get("name", ""))
    return None


def producers(stack: Stack, stacks: list[Stack]) -> dict[str, str]:
    """Each ``terraform_remote_state`` of ``stack`` -> the stack whose state it reads."""
    names = {s.name for s in stacks}
    by_backend = {_backend_identity(s): s.name for s in stacks}
    found = {}
    for data_name, block in stack.synthesized.get("data", {}).get("terraform_remote_state", {}).items():
        producer = data_name.removeprefix(CROSS_STACK_PREFIX)
        if producer not in names:
            producer = by_backend.get(_remote_state_identity(stack, block))
        if producer is None:
            raise ValueError(f"{stack.name}: data.terraform_remote_state.{data_name} reads no stack of this synth")
        found[data_name] = producer
    return found


def state_file(scratch: Path, stack: str) -> Path:
    return scratch / "state" / f"{stack}.tfstate"


def prepare(stack: Stack, stacks: list[Stack], scratch: Path) -> Path:
    """A copy of the stack's working directory with local state and remote state re-pointed into ``scratch``."""
    directory = scratch / "stacks" / stack.name
    shutil.rmtree(directory, ignore_errors=True)
    shutil.copytree(stack.source, directory, ignore=shutil.ignore_patterns(".terraform", ".terraform.lock.hcl"))
    override: dict = {"terraform": {"backend": {"local": {"path": str(state_file(scratch, stack.name))}}}}
    remote = {
        data_name: {"backend": "local", "config": {"path": str(state_file(scratch, producer))}}
        for data_name, producer in producers(stack, stacks).items()
    }
    if remote:
        override["data"] = {"terraform_remote_state": remote}
    (directory / OVERRIDE).write_text(json.dumps(override, indent=2))
    state_file(scratch, stack.name).parent.mkdir(parents=True, exist_ok=True)
    return directory


# --- running Terraform --------------------------------------------------------------------------------------------


@dataclass
class Step:
    stack: str
    command: str  # e.g. "plan -detailed-exitcode"
    returncode: int
    output: str
    seconds: float = 0.0  # wall time

    @property
    def message(self) -> str:
        """Terraform's diagnostics (the "Error:" / "Warning:" blocks), else the end of its output."""
        lines = self.output.splitlines()
        starts = [i for i, line in enumerate(lines) if line.lstrip("│ ").startswith(("Error:", "Warning:"))]
        text = "\n".join(lines[starts[0]:] if starts else lines[-15:])
        return text.strip()[:3000]

    def describe(self) -> str:
        return f"{self.stack}: terraform {self.command} exited {self.returncode}:\n{self.message}"


def terraform(binary: str, arguments: list[str], directory: Path, environment: dict[str, str], stack: str) -> Step:
    start = time.perf_counter()
    process = subprocess.run(
        [binary, *arguments],
        cwd=directory,
        env=environment,
        capture_output=True,
        text=True,
        timeout=COMMAND_TIMEOUT_SECONDS,
    )
    shown = " ".join(a for a in arguments if a not in ("-no-color", "-input=false"))
    return Step(stack, shown, process.returncode, process.stdout + process.stderr, time.perf_counter() - start)


DEPLOY = (
    ("init", ["init", "-input=false", "-no-color"], (0,)),
    ("validate", ["validate", "-no-color"], (0,)),
    ("plan", ["plan", "-input=false", "-no-color", "-out=standin.tfplan"], (0,)),
    ("apply", ["apply", "-input=false", "-no-color", "standin.tfplan"], (0,)),
    # 0: no changes (2 would be changes, 1 an error).
    ("re-plan", ["plan", "-input=false", "-no-color", "-detailed-exitcode", "-out=replan.tfplan"], (0,)),
)


@dataclass
class Outcome:
    """What happened to one stack: each step that ran, and the first that did not end as expected."""

    stack: Stack
    directory: Path
    steps: dict[str, Step] = field(default_factory=dict)
    failed: str | None = None  # the name of the step that failed

    def failure(self) -> str | None:
        return self.steps[self.failed].describe() if self.failed else None


def deploy(
    binary: str, stack: Stack, stacks: list[Stack], scratch: Path, environment: dict[str, str], steps=DEPLOY
) -> Outcome:
    """init, validate, plan, apply and a second plan of one stack; stops at the first step that fails."""
    directory = prepare(stack, stacks, scratch)
    outcome = Outcome(stack, directory)
    for name, arguments, expected in steps:
        step = terraform(binary, arguments, directory, environment, stack.name)
        outcome.steps[name] = step
        if step.returncode not in expected:
            outcome.failed = name
            break
    return outcome


def deploy_all(
    binary: str, stacks: list[Stack], scratch: Path, environment: dict[str, str], workers: int = 2, steps=None
) -> dict[str, Outcome]:
    """Every stack in deployment order, environments ``workers`` at a time. A stack whose dependency failed is
    not run (its outcome says so). ``steps(stack)`` may choose the steps per stack (default: :data:`DEPLOY`)."""

    def run_environment(group: list[Stack]) -> list[Outcome]:
        outcomes: list[Outcome] = []
        failed: set[str] = set()
        for stack in group:
            blocked = [dependency for dependency in stack.dependencies if dependency in failed]
            if blocked:
                outcome = Outcome(stack, scratch / "stacks" / stack.name)
                outcome.steps["init"] = Step(stack.name, "init", -1, f"not run: {', '.join(blocked)} failed")
                outcome.failed = "init"
            else:
                outcome = deploy(binary, stack, stacks, scratch, environment, steps(stack) if steps else DEPLOY)
            if outcome.failed:
                failed.add(stack.name)
            outcomes.append(outcome)
        return outcomes

    with ThreadPoolExecutor(max_workers=workers) as pool:
        results = list(pool.map(run_environment, environments(stacks)))
    return {outcome.stack.name: outcome for group in results for outcome in group}


def plan_destroy(binary: str, outcome: Outcome, environment: dict[str, str]) -> Step:
    return terraform(binary, ["plan", "-destroy", "-input=false", "-no-color"], outcome.directory, environment,
                     outcome.stack.name)


# --- inputs and what must not leak -------------------------------------------------------------------------------


def variable_values(stacks: list[Stack], tag: str = "") -> dict[str, str]:
    """``TF_VAR_<name>`` for every variable without a default: a unique canary for sensitive ones."""
    values = {}
    for stack in stacks:
        for name, variable in stack.synthesized.get("variable", {}).items():
            if "default" in variable:
                continue
            if variable.get("sensitive"):
                canary = f"canary{tag}x{secrets.token_hex(12)}"
                # A variable that must hold an https:// URL (a webhook) gets a canary its validation accepts.
                if any('"https://"' in rule.get("condition", "") for rule in variable.get("validation", [])):
                    canary = f"https://{canary}.example.org/"
                values[f"TF_VAR_{name}"] = canary
            else:
                values[f"TF_VAR_{name}"] = f"standin-{name}"
    return values


def stored_texts(directory: Path, stack: str = "") -> dict[str, bytes]:
    """Every state file and saved plan under ``directory`` (of ``stack`` only, if named), as bytes (a plan's zip
    members unpacked)."""
    found = {}
    for path in sorted(directory.rglob(f"{stack}.tfstate*" if stack else "*")):
        if path.suffix == ".tfstate" or path.name.endswith(".tfstate.backup"):
            found[str(path)] = path.read_bytes()
        elif path.suffix == ".tfplan":
            with zipfile.ZipFile(path) as archive:
                for member in archive.namelist():
                    found[f"{path}!{member}"] = archive.read(member)
    return found


def leaks(texts: dict[str, bytes], values: dict[str, str]) -> list[str]:
    """``<file>: <what>`` for every value (what -> value) found in any of the texts."""
    return [
        f"{name}: {what}"
        for name, content in texts.items()
        for what, value in values.items()
        if value and value.encode() in content
    ]
