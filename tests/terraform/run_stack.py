"""Run one synthesized stack through Terraform with the stand-in providers, by hand (docs/quality-gates.md).

    make synth
    .venv/bin/python tests/terraform/run_stack.py secrets-dev            # init, validate, plan, apply, re-plan
    .venv/bin/python tests/terraform/run_stack.py secrets-dev --keep     # and keep the scratch folder to explore

The stacks it depends on run first (their state is what its remote state reads). Prints each step's output; the
exit code is 1 when a step fails. Sensitive variables get placeholder values (TF_VAR_...).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from terraform.harness import (  # noqa: E402
    ROOT,
    SharedStandins,
    deploy,
    install_mirror,
    read_stacks,
    required_versions,
    terraform_environment,
    variable_values,
)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("stack")
    parser.add_argument("--outdir", type=Path, default=ROOT / "cdktf.out")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder (state, plans, override file)")
    args = parser.parse_args(argv)
    binary = shutil.which("terraform")
    if binary is None:
        print("terraform is not on PATH", file=sys.stderr)
        return 2
    stacks = read_stacks(args.outdir)
    by_name = {stack.name: stack for stack in stacks}
    if args.stack not in by_name:
        print(f"no stack {args.stack!r} in {args.outdir} (have: {', '.join(by_name)}); run `make synth`?", file=sys.stderr)
        return 2
    needed, pending = [], [args.stack]
    while pending:
        name = pending.pop()
        if name not in needed:
            needed.append(name)
            pending.extend(by_name[name].dependencies)
    scratch = Path(tempfile.mkdtemp(prefix=f"standin-{args.stack}-"))
    cli_config = install_mirror(scratch / "cli", required_versions(args.outdir))
    standins = SharedStandins(terraform_environment(cli_config))
    try:
        environment = dict(terraform_environment(cli_config), TF_REATTACH_PROVIDERS=standins.reattach)
        environment.update(variable_values(stacks, "byhand"))
        for stack in (stack for stack in stacks if stack.name in needed):
            outcome = deploy(binary, stack, stacks, scratch, environment)
            for name, step in outcome.steps.items():
                if stack.name == args.stack or step.returncode != 0:
                    print(f"==== {stack.name}: terraform {step.command} (exit {step.returncode}, {step.seconds:.1f} s)")
                    print(step.output)
            if outcome.failed:
                print(outcome.failure(), file=sys.stderr)
                return 1
            print(f"{stack.name}: {', '.join(outcome.steps)} passed in {outcome.directory}")
    finally:
        standins.close()
        if args.keep:
            print(f"kept {scratch}")
        else:
            shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
