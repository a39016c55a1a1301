"""Every input that carries a secret, in one place: the canary test sets each to a unique value during a synth.

Add a line here whenever a feature reads a new secret input (an environment variable of a backend, a provider, a
CLI...). Sensitive Terraform variables need no line: the canary test also sets ``TF_VAR_<name>`` for every
variable a synthesized stack declares with ``sensitive: true``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class SensitiveInput:
    variable: str
    what: str


SENSITIVE_INPUTS: tuple[SensitiveInput, ...] = (
    # Service principal sign-in of the azurerm and azuread providers and of the azurerm backend.
    SensitiveInput("ARM_CLIENT_SECRET", "client secret the azurerm/azuread providers sign in with"),
    SensitiveInput("ARM_CLIENT_CERTIFICATE_PASSWORD", "password of the providers' client certificate"),
    SensitiveInput("ARM_OIDC_TOKEN", "federated token the providers sign in with"),
    # The azurerm backend's storage account credentials.
    SensitiveInput("ARM_ACCESS_KEY", "storage account key of the azurerm backend"),
    SensitiveInput("ARM_SAS_TOKEN", "SAS token of the azurerm backend"),
    # Azure SDKs and the Azure CLI (DefaultAzureCredential).
    SensitiveInput("AZURE_CLIENT_SECRET", "client secret of the Azure SDKs and CLI"),
    # Terraform's credentials for HCP Terraform (the cloud backend) and private registries.
    SensitiveInput("TF_TOKEN_app_terraform_io", "HCP Terraform API token of the cloud backend"),
    SensitiveInput("TFE_TOKEN", "HCP Terraform API token (tfe provider and tooling)"),
)


def sensitive_variables(outdir: Path) -> list[str]:
    """Names of the Terraform variables declared ``sensitive`` in any stack of a synthesized outdir."""
    manifest = json.loads((outdir / "manifest.json").read_text())
    names: set[str] = set()
    for stack in manifest["stacks"].values():
        synthesized = json.loads((outdir / stack["synthesizedStackPath"]).read_text())
        for name, variable in synthesized.get("variable", {}).items():
            if variable.get("sensitive") is True:
                names.add(name)
    return sorted(names)
