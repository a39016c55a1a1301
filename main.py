"""Wires every stack of every environment. Run by ``make synth`` and by the cdktf CLI (``app`` in cdktf.json).

    python main.py                 # every environments/*.yaml
    python main.py --env dev       # one environment; --env dev,prod or --env dev --env prod for several;
                                   # or ENVIRONMENTS=dev,prod for the cdktf CLI
    python main.py --environments-dir DIR   # DIR/*.yaml instead of environments/; or ENVIRONMENTS_DIR=DIR

Every environment file is read and validated before any stack is built; on an error the message names the file,
the field, the bad value and what is allowed, the exit code is 2 and ``cdktf.out/`` is left as it was.

Each synth replaces ``cdktf.out/`` as a whole but keeps what Terraform put beside each stack's JSON: its
``.terraform/`` folder (initialized backend and providers) and ``.terraform.lock.hcl``. A provider lock file committed
as ``locks/<stack>.terraform.lock.hcl`` is put in place instead (docs/provider-locks.md).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import sys
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent
# constructs/ is a folder of modules, not a package: a package named `constructs` would shadow the jsii library.
sys.path[:0] = [str(ROOT), str(ROOT / "constructs")]

from config import ConfigError, Environment, load_environments  # noqa: E402
from config.backend import BackendType  # noqa: E402

# The example environments beside this file, unless ENVIRONMENTS_DIR names another folder of <env>.yaml files (the
# benchmark points it at a generated large configuration; see docs/performance.md).
ENVIRONMENTS_DIR = Path(os.environ.get("ENVIRONMENTS_DIR") or ROOT / "environments")
# Committed provider lock files, one per stack: locks/<stack>.terraform.lock.hcl (docs/provider-locks.md).
LOCKS_DIR = ROOT / "locks"
LOCK_FILE = ".terraform.lock.hcl"
# What Terraform keeps in a stack's working directory between runs; a synth carries it over.
TERRAFORM_WORKING_STATE = (".terraform", LOCK_FILE)
# The moment of this synth: every secret's expiration_date must lie after it (docs/operations.md).
NOW = datetime.now(UTC)
# The Terraform binary cdktf runs (its own TERRAFORM_BINARY_NAME variable, as the cdktf CLI reads it).
TERRAFORM = os.environ.get("TERRAFORM_BINARY_NAME") or "terraform"


def build_app(environments: list[Environment], outdir: Path):
    """Every stack of every environment, in deployment order."""
    from cdk import App
    from config.backend import BackendType
    from config.delivery import DeliveryMode
    from stacks.azure_stack import AzureStack
    from stacks.eso_config_stack import EsoConfigStack
    from stacks.apps_stack import AppsStack
    from stacks.eso_stack import EsoStack
    from stacks.hcp_stack import HcpStack
    from stacks.secrets_stack import SecretsStack

    app = App(outdir=str(outdir))
    for env in environments:
        azure = AzureStack(app, f"azure-{env.name}", env=env)
        secrets = SecretsStack(app, f"secrets-{env.name}", env=env, azure=azure)
        eso = EsoStack(app, f"eso-{env.name}", env=env, azure=azure)
        stacks = [azure, secrets, eso]
        # With GitOps delivery Argo CD applies the ClusterSecretStore and the ExternalSecrets from
        # manifests/<env>/ (see stacks/gitops_manifests.py), not Terraform.
        # The ClusterSecretStore exists while an app shares it; isolated apps have SecretStores of their own.
        # eso-config-<env> also holds ESO's PrometheusRule (it needs the CRD on the cluster, like the store).
        if env.delivery.mode is DeliveryMode.TERRAFORM:
            eso_config = None
            if env.uses_cluster_secret_store or env.eso.alerts_enabled:
                eso_config = EsoConfigStack(app, f"eso-config-{env.name}", env=env, azure=azure, eso=eso)
                stacks.append(eso_config)
            # After the store, and after the vault secrets the ExternalSecrets read.
            stacks.append(AppsStack(app, f"apps-{env.name}", env=env, azure=azure, after=[eso_config or eso, secrets]))
        # HCP Terraform's workspaces for the stacks above, derived from them; every one of them waits for it.
        if env.backend.type is BackendType.CLOUD:
            HcpStack(app, f"hcp-{env.name}", env=env, stacks=stacks)
    return app


def synth(environments: list[Environment], outdir: Path, *, locks: Path | None = None) -> None:
    """Synthesize into a staging folder, then swap it in: a failed synth never leaves a half-written outdir, nor
    the staging folder.

    Each stack keeps what Terraform wrote beside it in the previous outdir (``.terraform/``, the lock file), so
    a synth does not undo ``terraform init``; a lock file in ``locks`` (``<stack>.terraform.lock.hcl``) replaces
    the stack's lock file.
    """
    staging = outdir.with_name(outdir.name + ".staging")
    shutil.rmtree(staging, ignore_errors=True)
    outdir.parent.mkdir(parents=True, exist_ok=True)
    try:
        build_app(environments, staging).synth()
        keep_terraform_working_state(outdir, staging)
        if locks is not None:
            put_lock_files_in_place(locks, staging)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    retired = outdir.with_name(outdir.name + ".retired")
    shutil.rmtree(retired, ignore_errors=True)
    if outdir.exists():
        outdir.rename(retired)
    staging.rename(outdir)
    shutil.rmtree(retired, ignore_errors=True)


def keep_terraform_working_state(previous: Path, synthesized: Path) -> None:
    """Move each stack's ``.terraform/`` and lock file from the previous outdir into the new one (stacks that no
    longer exist lose theirs)."""
    for stack in sorted(synthesized.glob("stacks/*")):
        for name in TERRAFORM_WORKING_STATE:
            kept = previous / "stacks" / stack.name / name
            if kept.exists() and not (stack / name).exists():
                kept.rename(stack / name)


def put_lock_files_in_place(locks: Path, synthesized: Path) -> None:
    """Copy ``<locks>/<stack>.terraform.lock.hcl`` into each synthesized stack's folder, where Terraform reads it."""
    for stack in sorted(synthesized.glob("stacks/*")):
        committed = locks / f"{stack.name}{LOCK_FILE}"
        if committed.is_file():
            shutil.copyfile(committed, stack / LOCK_FILE)


def terraform_problem(environments: list[Environment]) -> str | None:
    """Why the synth cannot run, when it needs Terraform and there is none.

    cdktf runs ``terraform version`` while it synthesizes a ``cloud`` backend (it checks for Terraform >= 1.1)
    and fails with a stack trace when there is no Terraform: say it in one line, naming the environment that
    needs it.
    """
    if shutil.which(TERRAFORM):
        return None
    for env in environments:
        if env.backend.type is BackendType.CLOUD:
            return (
                f"{env.source}: backend.type 'cloud': cdktf runs `{TERRAFORM} version` to synthesize it, and there "
                f"is no `{TERRAFORM}` on PATH: install Terraform 1.11 or newer "
                "(https://developer.hashicorp.com/terraform/install), or run `make synth`, which provides it"
            )
    return None


def write_manifests(environments: list[Environment], root: Path) -> list[str]:
    """Render the GitOps manifests of ``environments`` under ``root`` (manifests/<env>/, manifests/argocd/<env>.yaml).

    Each environment's files are replaced as a whole, so a removed app or a switch to Terraform delivery leaves no
    stale file behind. Returns the paths written.
    """
    from stacks.gitops_manifests import MANIFESTS_DIR, render

    written = []
    for env in environments:
        shutil.rmtree(root / MANIFESTS_DIR / env.name, ignore_errors=True)
        (root / MANIFESTS_DIR / "argocd" / f"{env.name}.yaml").unlink(missing_ok=True)
        for relative, text in sorted(render(env).items()):
            path = root / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            written.append(relative)
    return written


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--env", action="append", default=[], help="environment(s) to synthesize: dev, or dev,prod (repeatable)"
    )
    parser.add_argument(
        "--environments-dir", type=Path, help="folder of <env>.yaml files (default: environments/, or ENVIRONMENTS_DIR)"
    )
    args = parser.parse_args(argv)
    names = environment_names(args.env or [os.environ.get("ENVIRONMENTS", "")])
    outdir = Path(os.environ.get("CDKTF_OUTDIR", ROOT / "cdktf.out"))

    try:
        environments = load_environments(args.environments_dir or ENVIRONMENTS_DIR, names, root=ROOT, now=NOW)
        problem = terraform_problem(environments)
        if problem:
            print(f"error: {problem}", file=sys.stderr)
            return 2
        synth(environments, outdir.resolve(), locks=LOCKS_DIR)
        for env in environments:  # what an adopting environment cannot import, and what happens instead
            for note in env.adoption.notes:
                print(f"note: {note}", file=sys.stderr)
        write_manifests(environments, ROOT)
    except ConfigError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


def environment_names(values: list[str]) -> list[str]:
    """Environment names from ``--env`` values or ``ENVIRONMENTS``, each a name or a list separated by commas or
    spaces (``make synth ENV=dev,prod``), in order, without repeats."""
    names = [name for value in values for name in re.split(r"[,\s]+", value)]
    return list(dict.fromkeys(name for name in names if name))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
