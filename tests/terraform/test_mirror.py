"""Terraform installs the stand-ins as it installs real providers: from a filesystem mirror named by the CLI
configuration (``TF_CLI_CONFIG_FILE``), at the versions the stacks require, and starts them itself."""

from __future__ import annotations

import re

from terraform.harness import prepare, read_stacks, required_versions, terraform, terraform_environment


def test_terraform_installs_and_starts_the_stand_ins_from_the_filesystem_mirror(
    terraform_binary, standin_cli_config, example_outdir, tmp_path
):
    stacks = read_stacks(example_outdir)
    stack = max(stacks, key=lambda s: len(s.synthesized.get("terraform", {}).get("required_providers", {})))
    directory = prepare(stack, stacks, tmp_path)
    environment = terraform_environment(standin_cli_config)  # no TF_REATTACH_PROVIDERS: Terraform starts them

    init = terraform(terraform_binary, ["init", "-input=false", "-no-color"], directory, environment, stack.name)
    assert init.returncode == 0, init.describe()
    locked = dict(re.findall(r'provider "registry.terraform.io/hashicorp/([\w-]+)" \{\s+version\s+= "([^"]+)"',
                             (directory / ".terraform.lock.hcl").read_text()))
    versions = required_versions(example_outdir)
    assert locked == {name: versions[name] for name in stack.synthesized["terraform"]["required_providers"]}

    validate = terraform(terraform_binary, ["validate", "-no-color"], directory, environment, stack.name)
    assert validate.returncode == 0, validate.describe()
