"""Azure dynamic provider credentials for HCP Terraform runs: no client secret exists anywhere.

HCP Terraform signs a workload identity token for every plan and apply; Entra ID exchanges it for an Azure token
when an application's federated identity credential names exactly that organization, project, workspace and run
phase. https://developer.hashicorp.com/terraform/cloud-docs/workspaces/dynamic-provider-credentials/azure-configuration
"""

from __future__ import annotations

from cdk import (
    Application,
    ApplicationFederatedIdentityCredential,
    AppRoleAssignment,
    Construct,
    DataAzureadServicePrincipal,
    RoleAssignment,
    ServicePrincipal,
)
from eso_identity import WORKLOAD_IDENTITY_AUDIENCE

# Each run phase gets its own token subject, so each needs its own federated credential.
RUN_PHASES = ("plan", "apply")

CONTRIBUTOR = "Contributor"
RBAC_ADMINISTRATOR = "Role Based Access Control Administrator"
# The only roles the stacks assign (constructs/vault_access.py, modules/azure_secrets.py): Key Vault Secrets User and
# Key Vault Secrets Officer, by their built-in role definition IDs.
# https://learn.microsoft.com/azure/role-based-access-control/built-in-roles/security
ASSIGNABLE_ROLE_IDS = ("4633458b-17de-408a-b874-0445c86b69e6", "b86a8fe4-f1b4-4c4f-8ad0-64bf5ba0ef0e")

# Microsoft Graph, and the application permission that lets a service principal create applications and manage
# only those it owns (azure-<env> in service-principal mode creates ESO's application).
# https://learn.microsoft.com/graph/permissions-reference#applicationreadwriteownedby
MICROSOFT_GRAPH_CLIENT_ID = "00000003-0000-0000-c000-000000000000"
APPLICATIONS_OWNED_BY = "Application.ReadWrite.OwnedBy"


def workload_identity_subject(*, organization: str, project: str, workspace: str, run_phase: str) -> str:
    """The ``sub`` claim of an HCP Terraform run's workload identity token."""
    return f"organization:{organization}:project:{project}:workspace:{workspace}:run_phase:{run_phase}"


def assign_only(role_ids: tuple[str, ...]) -> str:
    """An Azure ABAC condition: role assignments may be created and deleted for ``role_ids`` only.

    https://learn.microsoft.com/azure/role-based-access-control/delegate-role-assignments-examples#example-constrain-roles
    """
    ids = ", ".join(role_ids)
    return (
        "((!(ActionMatches{'Microsoft.Authorization/roleAssignments/write'})) OR "
        f"(@Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {{{ids}}}))"
        " AND "
        "((!(ActionMatches{'Microsoft.Authorization/roleAssignments/delete'})) OR "
        f"(@Resource[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {{{ids}}}))"
    )


class HcpAzureCredentials(Construct):
    """The Entra ID application HCP Terraform runs sign in as, and what it may do.

    Makes ``azuread_application`` (ID ``application``), ``azuread_service_principal`` (``service_principal``), per
    workspace and run phase an ``azuread_application_federated_identity_credential`` (``<key>_<phase>``), and on
    ``role_scope`` two role assignments: ``contributor`` and ``rbac_administrator``, the latter limited by a condition
    to the two Key Vault roles the stacks assign. With ``manages_applications`` the service principal also gets
    Microsoft Graph's ``Application.ReadWrite.OwnedBy`` (``graph_applications_owned_by``), which needs admin consent
    from whoever deploys this.

    ``workspaces`` maps a construct-ID-safe key (the stack name) to the workspace name.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        display_name: str,
        issuer_url: str,
        organization: str,
        project: str,
        workspaces: dict[str, str],
        role_scope: str,
        manages_applications: bool,
    ) -> None:
        super().__init__(scope, id)
        self.application = Application(self, "application", display_name=display_name)
        self.service_principal = ServicePrincipal(self, "service_principal", client_id=self.application.client_id)
        self.federated_credentials = {
            f"{key}_{phase}": ApplicationFederatedIdentityCredential(
                self,
                f"{key}_{phase}",
                application_id=self.application.id,
                display_name=f"{workspace}-{phase}",
                description=f"HCP Terraform {organization}/{workspace}, {phase} phase",
                audiences=[WORKLOAD_IDENTITY_AUDIENCE],
                issuer=issuer_url,
                subject=workload_identity_subject(
                    organization=organization, project=project, workspace=workspace, run_phase=phase
                ),
            )
            for key, workspace in workspaces.items()
            for phase in RUN_PHASES
        }
        principal_id = self.service_principal.object_id
        self.role_assignments = [
            RoleAssignment(
                self,
                "contributor",
                scope=role_scope,
                role_definition_name=CONTRIBUTOR,
                principal_id=principal_id,
                principal_type="ServicePrincipal",
            ),
            RoleAssignment(
                self,
                "rbac_administrator",
                scope=role_scope,
                role_definition_name=RBAC_ADMINISTRATOR,
                principal_id=principal_id,
                principal_type="ServicePrincipal",
                condition=assign_only(ASSIGNABLE_ROLE_IDS),
                condition_version="2.0",
            ),
        ]
        if manages_applications:
            graph = DataAzureadServicePrincipal(self, "microsoft_graph", client_id=MICROSOFT_GRAPH_CLIENT_ID)
            AppRoleAssignment(
                self,
                "graph_applications_owned_by",
                app_role_id=graph.app_role_ids.lookup(APPLICATIONS_OWNED_BY),
                principal_object_id=principal_id,
                resource_object_id=graph.object_id,
            )

    @property
    def client_id(self) -> str:
        return self.application.client_id
