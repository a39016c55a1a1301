"""The identity External Secrets Operator signs in to Key Vault with.

Two constructs, one per mode of :class:`config.eso.EsoAuth`, with the same surface (``principal_id``,
``client_id``) so the role assignments do not care which one they get.
"""

from __future__ import annotations

from cdk import (
    Application,
    ApplicationPasswordA,
    Construct,
    FederatedIdentityCredential,
    Fn,
    ServicePrincipal,
    TimeRotating,
    UserAssignedIdentity,
)
from config.eso import ServicePrincipalSettings

# The audience Entra ID expects in a Kubernetes service account token exchanged for an Azure token.
# https://learn.microsoft.com/azure/aks/workload-identity-overview
WORKLOAD_IDENTITY_AUDIENCE = "api://AzureADTokenExchange"


class EsoServicePrincipal(Construct):
    """An Entra ID application, its service principal and a client secret that rotates itself.

    Makes ``azuread_application`` (ID ``application``), ``azuread_service_principal`` (``service_principal``),
    ``time_rotating`` (``password_rotation``) and ``azuread_application_password`` (``password``).

    The password is valid for ``password_validity_days`` from the last rotation and is replaced when the
    ``time_rotating`` resource comes due (every ``password_rotation_days``, at the next apply after that) or when
    ``password_generation`` is bumped. The client secret lives in Terraform state: treat the state as secret.
    """

    def __init__(self, scope: Construct, id: str, *, settings: ServicePrincipalSettings) -> None:
        super().__init__(scope, id)
        self.application = Application(self, "application", display_name=settings.display_name)
        self.service_principal = ServicePrincipal(
            self, "service_principal", client_id=self.application.client_id
        )
        self.rotation = TimeRotating(self, "password_rotation", rotation_days=settings.password_rotation_days)
        self.password = ApplicationPasswordA(
            self,
            "password",
            application_id=self.application.id,
            display_name="external-secrets",
            end_date=Fn.timeadd(self.rotation.rfc3339, f"{settings.password_validity_days * 24}h"),
            rotate_when_changed={
                "rotation": self.rotation.id,
                "generation": str(settings.password_generation),
            },
        )

    @property
    def principal_id(self) -> str:
        return self.service_principal.object_id

    @property
    def client_id(self) -> str:
        return self.application.client_id

    @property
    def client_secret(self) -> str:
        return self.password.value


class EsoWorkloadIdentity(Construct):
    """A user-assigned managed identity federated with ESO's Kubernetes service account. No secret exists.

    Makes ``azurerm_user_assigned_identity`` (ID ``identity``) and ``azurerm_federated_identity_credential``
    (``federated_credential``) whose subject is ``system:serviceaccount:<namespace>:<service account>``.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        name: str,
        resource_group_name: str,
        location: str,
        oidc_issuer_url: str,
        namespace: str,
        service_account: str,
        tags: dict[str, str],
    ) -> None:
        super().__init__(scope, id)
        self.identity = UserAssignedIdentity(
            self, "identity", name=name, resource_group_name=resource_group_name, location=location, tags=tags
        )
        self.federated_credential = FederatedIdentityCredential(
            self,
            "federated_credential",
            name=f"{namespace}-{service_account}",
            resource_group_name=resource_group_name,
            parent_id=self.identity.id,
            issuer=oidc_issuer_url,
            subject=f"system:serviceaccount:{namespace}:{service_account}",
            audience=[WORKLOAD_IDENTITY_AUDIENCE],
        )

    @property
    def principal_id(self) -> str:
        return self.identity.principal_id

    @property
    def client_id(self) -> str:
        return self.identity.client_id
