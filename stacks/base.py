"""What every stack of an environment shares: its environment and where its state lives."""

from __future__ import annotations

from cdk import Construct, LocalBackend, TerraformStack
from config import Environment


# Terraform runs each stack in <outdir>/stacks/<stack>/. From there this is the folder `state/` beside the outdir
# (normally the project root's state/): state survives `rm -rf cdktf.out`, the path holds nothing of this machine,
# and other stacks' terraform_remote_state resolve to the same file.
LOCAL_STATE_DIR = "../../../state"


class EnvironmentStack(TerraformStack):
    """A stack named ``<kind>-<env>`` whose Terraform state is kept outside ``cdktf.out``."""

    def __init__(self, scope: Construct, id: str, *, env: Environment) -> None:
        super().__init__(scope, id)
        self.env = env
        LocalBackend(self, path=f"{LOCAL_STATE_DIR}/{id}.tfstate")
