"""Terraform ``import`` blocks adopt objects that exist: importing what another state created plans no change.

The stand-ins record every object an apply creates (``TF_STANDIN_WORLD``); every object of the first example
stack is imported into a fresh state of the same stack.
"""

from __future__ import annotations

import json

from terraform.harness import prepare, state_file, terraform


def test_importing_the_objects_another_state_created_plans_no_change(
    example_deployment, terraform_binary, reattached_environment, tmp_path
):
    stack = next(s for s in example_deployment.stacks if not s.dependencies)
    applied = json.loads(state_file(example_deployment.scratch, stack.name).read_text())
    imports = [
        {"to": f"{resource['type']}.{resource['name']}", "id": resource["instances"][0]["attributes"]["id"]}
        for resource in applied["resources"]
        if resource["mode"] == "managed" and resource["instances"][0]["attributes"].get("id")
    ]
    assert imports, f"{stack.name} has no object to import"
    directory = prepare(stack, example_deployment.stacks, tmp_path)
    (directory / "standin_import.tf.json").write_text(json.dumps({"import": imports}, indent=2))
    environment = dict(reattached_environment, **example_deployment.canaries)

    for arguments in (["init", "-input=false", "-no-color"], ["plan", "-input=false", "-no-color", "-out=import.tfplan"]):
        step = terraform(terraform_binary, arguments, directory, environment, stack.name)
        assert step.returncode == 0, step.describe()
    shown = terraform(terraform_binary, ["show", "-json", "import.tfplan"], directory, environment, stack.name)
    changes = {change["address"]: change for change in json.loads(shown.output)["resource_changes"]}
    assert {item["to"]: changes[item["to"]]["change"]["actions"] for item in imports} == {
        item["to"]: ["no-op"] for item in imports
    }
    assert all("importing" in changes[item["to"]]["change"] for item in imports)
