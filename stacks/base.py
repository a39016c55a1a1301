"""What every stack of an environment shares: its environment and where its state lives."""

from __future__ import annotations

from cdk import Construct, LocalBackend, TerraformStack
from config import Environment


class EnvironmentStack(TerraformStack):
    """A stack named ``<kind>-<env>`` whose Terraform state is kept outside ``cdktf.out``.

    ``state_dir`` is relative to the stack's own folder (``cdktf.out/stacks/<stack>/``, where Terraform runs),
    normally ``../../../state``: the state survives ``rm -rf cdktf.out``, the path holds nothing of this machine,
    and other stacks' ``terraform_remote_state`` resolve to the same file.
    """

    def __init__(self, scope: Construct, id: str, *, env: Environment, state_dir: str) -> None:
        super().__init__(scope, id)
        self.env = env
        self.state_dir = state_dir
        LocalBackend(self, path=f"{state_dir}/{id}.tfstate")
