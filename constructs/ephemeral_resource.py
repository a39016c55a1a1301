"""A Terraform ephemeral resource, which CDKTF 0.21 has no class for.

Ephemeral resources (Terraform >= 1.10) produce values that exist during one plan or apply and are never written
to the plan or the state. Paired with write-only arguments (Terraform >= 1.11, such as ``value_wo`` of
``azurerm_key_vault_secret``), a generated password reaches the vault without Terraform ever storing it.
https://developer.hashicorp.com/terraform/language/resources/ephemeral

Terraform JSON accepts a top-level ``ephemeral`` block, so this element emits it itself. It is the one place to
replace when the project moves to a CDK with native ephemeral resources.
"""

from __future__ import annotations

from typing import Any

from cdk import Construct, TerraformElement, Token


class EphemeralResource(TerraformElement):
    """``ephemeral "<resource_type>" "<logical id>" { ... }`` with ``config`` as its arguments.

    The provider of ``resource_type`` must be configured in the stack (``required_providers`` comes from the
    provider construct). Attributes are read with :meth:`attribute`, as tokens that only write-only arguments,
    other ephemeral resources and provider blocks may use.
    """

    def __init__(self, scope: Construct, id: str, *, resource_type: str, config: dict[str, Any]) -> None:
        super().__init__(scope, id, "ephemeral")
        self.resource_type = resource_type
        self.config = dict(config)

    def to_terraform(self) -> Any:
        return {"ephemeral": {self.resource_type: {self.friendly_unique_id: self.config}}}

    def to_hcl_terraform(self) -> Any:
        return self.to_terraform()

    def attribute(self, name: str) -> str:
        return Token.as_string(f"${{ephemeral.{self.resource_type}.{self.friendly_unique_id}.{name}}}")


class EphemeralRandomPassword(EphemeralResource):
    """The random provider's ephemeral ``random_password`` (random >= 3.7): a new value at every run, never stored."""

    def __init__(self, scope: Construct, id: str, **config: Any) -> None:
        super().__init__(scope, id, resource_type="random_password", config=config)

    @property
    def result(self) -> str:
        return self.attribute("result")
