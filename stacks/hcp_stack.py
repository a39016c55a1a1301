"""Stack ``hcp-<env>``: HCP Terraform (or Terraform Enterprise) set up for the environment's other stacks.

Exists only for an environment with ``backend.type: cloud``, and is deployed first. Replaces the manual setup of
docs/state-and-terraform-cloud.md. Everything it makes is derived from the other stacks as they are synthesized:

* a workspace per stack, named by :meth:`config.backend.BackendSettings.workspace`, the function the stacks'
  ``cloud`` backend uses, in the environment's project (made here when ``backend.project`` names one);
* each workspace's execution mode: *remote* unless its runs must reach a private network, that is, it configures
  the ``kubernetes`` or ``helm`` provider (the cluster), or it writes vault secrets while the vault's firewall
  keeps HCP Terraform's runners out; such a workspace runs on the agent pool ``backend.agent_pool`` names, or
  with *local* execution (plans run where ``cdktf deploy`` runs; HCP Terraform keeps the state only);
* remote state sharing from each producer to exactly the workspaces whose ``terraform_remote_state`` reads it;
* run triggers along the stacks' dependencies (the order ``make list`` prints), between workspaces whose runs
  happen in HCP Terraform (a local run is no HCP Terraform run: it triggers nothing and cannot be triggered);
* Azure dynamic provider credentials for every workspace that runs in HCP Terraform and signs in to Azure;
* each sensitive Terraform variable of such a workspace (an app's ``sensitive_secrets``), declared without a
  value: the team types it into the workspace, marked sensitive; Terraform never reads it back.

Its own workspace (``<prefix>-hcp-<env>``) is in the organization's default project, since the project is made
here, and runs locally: it acts with the rights of whoever deploys it (see the docs for that bootstrap).
https://developer.hashicorp.com/terraform/cloud-docs/workspaces/settings
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import Enum
from typing import Any

from cdk import (
    AzureadProvider,
    Construct,
    DataAzurermClientConfig,
    DataAzurermSubscription,
    DataTfeAgentPool,
    DataTfeWorkspace,
    TerraformResourceLifecycle,
    TerraformStack,
    TfeProject,
    TfeProvider,
    TfeRunTrigger,
    TfeVariable,
    TfeWorkspace,
    TfeWorkspaceSettings,
)
from config import Environment
from config.azure import NetworkDefaultAction
from config.backend import BackendType
from hcp_azure_credentials import HcpAzureCredentials
from names import within
from stacks.base import EnvironmentStack, azurerm_provider, configure_backend

# The Terraform version of the workspaces' remote and agent runs (the version this project is tested with).
TERRAFORM_VERSION = "1.11.4"
# The project a workspace is in when none is named; its name is part of the workload identity token's subject.
DEFAULT_PROJECT = "Default Project"

CLUSTER_PROVIDERS = frozenset({"kubernetes", "helm"})
AZURE_PROVIDERS = frozenset({"azurerm", "azuread"})
# Resources whose reads and writes go to the vault's data plane (behind its firewall), not to Azure Resource Manager.
VAULT_DATA_PLANE_RESOURCES = frozenset(
    {"azurerm_key_vault_secret", "azurerm_key_vault_key", "azurerm_key_vault_certificate"}
)


class ExecutionMode(Enum):
    """Where a workspace's plans and applies run. https://developer.hashicorp.com/terraform/cloud-docs/workspaces/settings#execution-mode"""

    REMOTE = "remote"
    AGENT = "agent"
    LOCAL = "local"

    @property
    def runs_in_hcp(self) -> bool:
        return self is not ExecutionMode.LOCAL


@dataclass(frozen=True)
class WorkspacePlan:
    """What ``hcp-<env>`` sets up for one stack's workspace."""

    stack: str
    name: str
    execution_mode: ExecutionMode
    # Stacks whose state this one reads (terraform_remote_state); they share their state with it.
    reads_state_of: tuple[str, ...]
    # Stacks whose successful apply queues a run of this one.
    triggered_by: tuple[str, ...]
    signs_in_to_azure: bool
    # Creates Entra ID applications (needs Microsoft Graph's Application.ReadWrite.OwnedBy).
    manages_applications: bool
    # Sensitive Terraform variables to declare on the workspace: (name, description).
    sensitive_variables: tuple[tuple[str, str], ...]


def vault_admits_hcp_runners(env: Environment) -> bool:
    """HCP Terraform's shared runners reach the vault's data plane only through a public, allow-by-default firewall
    (they are no "trusted Azure service", and their addresses change)."""
    vault = env.key_vault
    return vault.public_network_access_enabled and vault.network_acls.default_action is NetworkDefaultAction.ALLOW


def execution_mode(env: Environment, synthesized: dict[str, Any]) -> ExecutionMode:
    """Remote, unless the stack reaches the cluster or a vault data plane HCP Terraform's runners cannot reach."""
    providers = set(synthesized.get("provider", {}))
    resources = set(synthesized.get("resource", {}))
    private = bool(providers & CLUSTER_PROVIDERS) or (
        bool(resources & VAULT_DATA_PLANE_RESOURCES) and not vault_admits_hcp_runners(env)
    )
    if not private:
        return ExecutionMode.REMOTE
    assert env.backend.cloud
    return ExecutionMode.AGENT if env.backend.cloud.agent_pool else ExecutionMode.LOCAL


def remote_state_producers(env: Environment, stack: str, synthesized: dict[str, Any], stacks: list[str]) -> list[str]:
    """The stacks whose workspace ``stack`` reads through ``terraform_remote_state`` (cdktf's cross-stack references)."""
    by_workspace = {env.backend.workspace(name): name for name in stacks}
    producers = []
    for data_source, remote_state in sorted(synthesized.get("data", {}).get("terraform_remote_state", {}).items()):
        workspace = remote_state.get("config", {}).get("workspaces", {}).get("name")
        if workspace not in by_workspace:
            raise ValueError(
                f"{stack}: terraform_remote_state {data_source} reads workspace {workspace!r}, which is not one of "
                f"the stacks of environment {env.name} ({', '.join(sorted(by_workspace))})"
            )
        producers.append(by_workspace[workspace])
    return sorted(set(producers))


def direct_dependencies(dependencies: dict[str, list[str]]) -> dict[str, list[str]]:
    """Each stack's dependencies without those another of its dependencies already waits for (the transitive
    reduction): ``eso-config`` waits for ``eso`` and ``azure``, but ``eso`` waits for ``azure`` itself."""

    def reachable(name: str) -> set[str]:
        seen: set[str] = set()
        pending = list(dependencies.get(name, []))
        while pending:
            current = pending.pop()
            if current not in seen:
                seen.add(current)
                pending.extend(dependencies.get(current, []))
        return seen

    return {
        name: [dep for dep in deps if not any(dep in reachable(other) for other in deps if other != dep)]
        for name, deps in dependencies.items()
    }


def plan_workspaces(
    env: Environment, synthesized: dict[str, dict[str, Any]], dependencies: dict[str, list[str]]
) -> list[WorkspacePlan]:
    """The workspace of every stack in ``synthesized`` (its Terraform JSON, by stack name, after cdktf resolved the
    cross-stack references), given each stack's dependencies on the others."""
    names = list(synthesized)
    modes = {name: execution_mode(env, synthesized[name]) for name in names}
    direct = direct_dependencies({name: [dep for dep in dependencies.get(name, []) if dep in modes] for name in names})
    plans = []
    for name in names:
        stack = synthesized[name]
        mode = modes[name]
        providers = set(stack.get("provider", {}))
        signs_in = mode.runs_in_hcp and bool(providers & AZURE_PROVIDERS)
        plans.append(
            WorkspacePlan(
                stack=name,
                name=env.backend.workspace(name),
                execution_mode=mode,
                reads_state_of=tuple(remote_state_producers(env, name, stack, names)),
                triggered_by=tuple(dep for dep in direct[name] if mode.runs_in_hcp and modes[dep].runs_in_hcp),
                signs_in_to_azure=signs_in,
                manages_applications=signs_in and "azuread_application" in stack.get("resource", {}),
                # A local run reads TF_VAR_<name> where it runs; workspace variables are for HCP Terraform runs.
                sensitive_variables=tuple(
                    (variable, settings.get("description", ""))
                    for variable, settings in sorted(stack.get("variable", {}).items())
                    if settings.get("sensitive") and mode.runs_in_hcp
                ),
            )
        )
    return plans


class HcpStack(TerraformStack):
    """Construct IDs: ``project``; per stack ``<stack>`` (the workspace), ``<stack>-settings``,
    ``<stack>-after-<source>`` (run triggers), ``<stack>-<env-var>`` (``tfc-azure-run-client-id``) and ``<stack>-var-<variable>``; the Entra ID
    side in ``azure_credentials``. Workspaces are stateful: keep these IDs."""

    def __init__(self, scope: Construct, id: str, *, env: Environment, stacks: list[EnvironmentStack]) -> None:
        super().__init__(scope, id)
        assert env.backend.type is BackendType.CLOUD and env.backend.cloud
        self.env = env
        cloud = env.backend.cloud
        configure_backend(self, id, replace(env.backend, cloud=replace(cloud, project=None)))
        for stack in stacks:
            stack.add_dependency(self)
        self.plans = plan_workspaces(env, *_synthesized(stacks, exclude=id))

        TfeProvider(self, "tfe", hostname=cloud.hostname, organization=cloud.organization)
        organization = cloud.organization
        project_id = TfeProject(self, "project", name=cloud.project, organization=organization).id if cloud.project else None
        agent_pool_id = None
        if any(plan.execution_mode is ExecutionMode.AGENT for plan in self.plans):
            agent_pool_id = DataTfeAgentPool(self, "agent_pool", name=cloud.agent_pool, organization=organization).id

        self.workspaces = {
            plan.stack: TfeWorkspace(
                self,
                plan.stack,
                name=plan.name,
                organization=organization,
                project_id=project_id,
                description=f"Stack {plan.stack} of this repository's environment {env.name} (managed by {id})",
                terraform_version=TERRAFORM_VERSION,
                # A workspace holds its stack's state: deleting it (a renamed stack, a destroy of this stack) is
                # refused while it still manages resources.
                force_delete=False,
            )
            for plan in self.plans
        }
        for plan in self.plans:
            consumers = [other.stack for other in self.plans if plan.stack in other.reads_state_of]
            TfeWorkspaceSettings(
                self,
                f"{plan.stack}-settings",
                workspace_id=self.workspaces[plan.stack].id,
                execution_mode=plan.execution_mode.value,
                agent_pool_id=agent_pool_id if plan.execution_mode is ExecutionMode.AGENT else None,
                global_remote_state=False,
                remote_state_consumer_ids=[self.workspaces[consumer].id for consumer in consumers],
            )
            for source in plan.triggered_by:
                TfeRunTrigger(
                    self,
                    f"{plan.stack}-after-{source}",
                    workspace_id=self.workspaces[plan.stack].id,
                    sourceable_id=self.workspaces[source].id,
                )
            for variable, description in plan.sensitive_variables:
                TfeVariable(
                    self,
                    f"{plan.stack}-var-{variable}",
                    workspace_id=self.workspaces[plan.stack].id,
                    category="terraform",
                    key=variable,
                    sensitive=True,
                    description=f"{description}. Type the value into HCP Terraform; it is never in code.",
                    # The value is the team's: an apply of this stack never resets it.
                    lifecycle=TerraformResourceLifecycle(ignore_changes=["value"]),
                )

        # This stack's own workspace: created by its first `cdktf deploy`, runs locally with the deployer's rights.
        own = DataTfeWorkspace(self, "own_workspace", name=env.backend.workspace(id), organization=organization)
        TfeWorkspaceSettings(self, "own_workspace_settings", workspace_id=own.id, execution_mode="local", global_remote_state=False)

        azure_plans = [plan for plan in self.plans if plan.signs_in_to_azure]
        self.azure_credentials: HcpAzureCredentials | None = None
        if azure_plans:
            self._azure_credentials(azure_plans)

    def _azure_credentials(self, plans: list[WorkspacePlan]) -> None:
        env = self.env
        cloud = env.backend.cloud
        assert cloud
        azurerm_provider(self, env)
        AzureadProvider(self, "azuread", tenant_id=env.azure.tenant_id)
        client = DataAzurermClientConfig(self, "current")
        subscription = DataAzurermSubscription(self, "subscription")
        # Subscription scope: azure-<env> creates its resource group, and a private endpoint joins a subnet and DNS
        # zones in other resource groups. It may assign the two Key Vault roles only (see HcpAzureCredentials).
        self.azure_credentials = HcpAzureCredentials(
            self,
            "azure_credentials",
            display_name=within(f"hcp-terraform-{cloud.organization}-{cloud.workspace_prefix}-{env.name}", 120),
            issuer_url=f"https://{cloud.hostname}",
            organization=cloud.organization,
            project=cloud.project or DEFAULT_PROJECT,
            workspaces={plan.stack: plan.name for plan in plans},
            role_scope=subscription.id,
            manages_applications=any(plan.manages_applications for plan in plans),
        )
        variables = {
            "TFC_AZURE_PROVIDER_AUTH": "true",
            "TFC_AZURE_RUN_CLIENT_ID": self.azure_credentials.client_id,
            "ARM_TENANT_ID": client.tenant_id,
            "ARM_SUBSCRIPTION_ID": subscription.subscription_id,
        }
        for plan in plans:
            for key, value in variables.items():
                TfeVariable(
                    self,
                    f"{plan.stack}-{key.lower().replace('_', '-')}",
                    workspace_id=self.workspaces[plan.stack].id,
                    category="env",
                    key=key,
                    value=value,
                    description="Azure dynamic provider credentials (no client secret exists)",
                )


def _synthesized(stacks: list[EnvironmentStack], *, exclude: str) -> tuple[dict[str, dict[str, Any]], dict[str, list[str]]]:
    """Each stack's Terraform JSON and dependencies, once cdktf has turned its cross-stack references into outputs
    and ``terraform_remote_state`` data sources (what ``app.synth()`` does first; doing it now changes nothing)."""
    for stack in stacks:
        stack.prepare_stack()
    synthesized = {stack.node.id: stack.final_terraform() for stack in stacks}
    dependencies = {
        stack.node.id: [dep.node.id for dep in stack.dependencies if dep.node.id != exclude] for stack in stacks
    }
    return synthesized, dependencies
