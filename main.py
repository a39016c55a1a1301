"""Wires every stack of every environment. Run by ``make synth`` and by the cdktf CLI (``app`` in cdktf.json).

    python main.py                 # every environments/*.yaml
    python main.py --env dev       # one environment (repeatable); or ENVIRONMENTS=dev,prod for the cdktf CLI
    python main.py --environments-dir DIR   # DIR/*.yaml instead of environments/; or ENVIRONMENTS_DIR=DIR

Every environment file is read and validated before any stack is built; on an error the message names the file,
the field, the bad value and what is allowed, the exit code is 2 and ``cdktf.out/`` is left as it was.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
# constructs/ is a folder of modules, not a package: a package named `constructs` would shadow the jsii library.
sys.path[:0] = [str(ROOT), str(ROOT / "constructs")]

from config import ConfigError, Environment, load_environments  # noqa: E402

# The example environments beside this file, unless ENVIRONMENTS_DIR names another folder of <env>.yaml files (the
# benchmark points it at a generated large configuration; see docs/performance.md).
ENVIRONMENTS_DIR = Path(os.environ.get("ENVIRONMENTS_DIR") or ROOT / "environments")


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
        if env.delivery.mode is DeliveryMode.TERRAFORM:
            eso_config = None
            if env.uses_cluster_secret_store:
                eso_config = EsoConfigStack(app, f"eso-config-{env.name}", env=env, azure=azure, eso=eso)
                stacks.append(eso_config)
            # After the store, and after the vault secrets the ExternalSecrets read.
            stacks.append(AppsStack(app, f"apps-{env.name}", env=env, azure=azure, after=[eso_config or eso, secrets]))
        # HCP Terraform's workspaces for the stacks above, derived from them; every one of them waits for it.
        if env.backend.type is BackendType.CLOUD:
            HcpStack(app, f"hcp-{env.name}", env=env, stacks=stacks)
    return app


def synth(environments: list[Environment], outdir: Path) -> None:
    """Synthesize into a staging folder, then swap it in: a failed synth never leaves a half-written outdir."""
    staging = outdir.with_name(outdir.name + ".staging")
    shutil.rmtree(staging, ignore_errors=True)
    outdir.parent.mkdir(parents=True, exist_ok=True)
    build_app(environments, staging).synth()
    retired = outdir.with_name(outdir.name + ".retired")
    shutil.rmtree(retired, ignore_errors=True)
    if outdir.exists():
        outdir.rename(retired)
    staging.rename(outdir)
    shutil.rmtree(retired, ignore_errors=True)


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
    parser.add_argument("--env", action="append", default=[], help="environment to synthesize (repeatable)")
    parser.add_argument(
        "--environments-dir", type=Path, help="folder of <env>.yaml files (default: environments/, or ENVIRONMENTS_DIR)"
    )
    args = parser.parse_args(argv)
    names = args.env or [name for name in os.environ.get("ENVIRONMENTS", "").split(",") if name]
    outdir = Path(os.environ.get("CDKTF_OUTDIR", ROOT / "cdktf.out"))

    try:
        environments = load_environments(args.environments_dir or ENVIRONMENTS_DIR, names, root=ROOT)
        synth(environments, outdir.resolve())
        write_manifests(environments, ROOT)
    except ConfigError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
