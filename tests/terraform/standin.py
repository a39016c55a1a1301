"""A stand-in Terraform provider: serves a provider's real schema over the plugin protocol 6.8, with no cloud behind.

Terraform core does the validation a schema allows (types, required arguments, unknown arguments, references,
ephemeral and write-only rules, ``lifecycle``); this program answers the provider's part the way the real
providers' SDKs do:

* validate: a computed-only attribute that is set is an error ("Value for unconfigurable attribute", the SDK's
  words), and so is a broken rule of ``overlay.yaml`` (``required_with``, ``exactly_one_of``);
* plan: unset computed attributes of a new object are unknown; unknowns Terraform sent are kept byte for byte;
  write-only attributes are null; a change of a ``force_new`` attribute of ``overlay.yaml`` requires replacement;
* apply: unknowns become deterministic, plausible values (``fakes.py``: Azure-shaped IDs for azurerm); write-only
  attributes are never stored; read returns the state as it is; import returns the object recorded under the ID
  (``TF_STANDIN_WORLD``) or else one with just the ID (and, for an Azure ID, its name and resource group);
* data sources and ephemeral resources return deterministic fake values for their computed attributes.

Run by Terraform (through a filesystem mirror: ``terraform-provider-<name>_v<version>`` calls
``standin.py --provider <name>``; go-plugin's handshake and automatic TLS) or started once and shared by many
Terraform runs (``standin.py --reattach azurerm,azuread,...`` prints a ``TF_REATTACH_PROVIDERS`` value and serves
until its standard input closes).

Environment variables read by the stand-in (Terraform passes its own environment to a provider it starts):
``TF_STANDIN_FAIL_APPLY``: ``<type>[:<attribute>=<value>]``, ``;``-separated: applying a matching object fails;
``TF_STANDIN_SECRETS_LOG``: a file to which every secret value the stand-in generates is appended, one per line;
``TF_STANDIN_WORLD``: a folder standing for the cloud: apply records each object there and destroy removes it, and
importing an ID recorded there (an object's ``id``, or the import ID its provider documents where that differs:
``<namespace>/<name>`` of a Helm release, ``apiVersion=...,kind=...,name=...`` of a ``kubernetes_manifest``) returns
that object (as a real provider reads it), so importing what another state created plans no change.
"""

from __future__ import annotations

import argparse
import base64
import datetime
import hashlib
import json
import os
import signal
import sys
import threading
from concurrent import futures
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import grpc  # noqa: E402
import yaml  # noqa: E402

import fakes  # noqa: E402
import protocol  # noqa: E402
from values import UNKNOWN, Attribute, Block, decode, encode, find, is_unknown, map_objects  # noqa: E402

pb, pb_grpc = protocol.load()

SCHEMAS = HERE / "schemas"
OVERLAY = HERE / "overlay.yaml"
MAGIC_COOKIE_KEY = "TF_PLUGIN_MAGIC_COOKIE"
MAGIC_COOKIE = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2"
KINDS = {"resource_schemas": "resource", "data_source_schemas": "data", "ephemeral_resource_schemas": "ephemeral"}


# --- schemas ------------------------------------------------------------------------------------------------------


def _proto_attribute(name: str, attribute: dict):
    nested = attribute.get("nested_type")
    return pb.Schema.Attribute(
        name=name,
        type=json.dumps(attribute["type"]).encode() if "type" in attribute else b"",
        nested_type=pb.Schema.Object(
            attributes=[_proto_attribute(n, a) for n, a in sorted(nested["attributes"].items())],
            nesting=getattr(pb.Schema.Object, nested.get("nesting_mode", "single").upper()),
        )
        if nested
        else None,
        required=attribute.get("required", False),
        optional=attribute.get("optional", False),
        computed=attribute.get("computed", False),
        sensitive=attribute.get("sensitive", False),
        deprecated=attribute.get("deprecated", False),
        write_only=attribute.get("write_only", False),
    )


def _proto_block(block: dict):
    return pb.Schema.Block(
        attributes=[_proto_attribute(n, a) for n, a in sorted((block.get("attributes") or {}).items())],
        block_types=[
            pb.Schema.NestedBlock(
                type_name=name,
                block=_proto_block(nested["block"]),
                nesting=getattr(pb.Schema.NestedBlock, nested["nesting_mode"].upper()),
                min_items=nested.get("min_items", 0),
                max_items=nested.get("max_items", 0),
            )
            for name, nested in sorted((block.get("block_types") or {}).items())
        ],
        deprecated=block.get("deprecated", False),
    )


def _proto_schema(schema: dict):
    return pb.Schema(version=schema.get("version", 0), block=_proto_block(schema.get("block") or {}))


class ProviderSchema:
    """One provider's schema (from ``schemas/<name>.json``) and its overlay rules."""

    def __init__(self, name: str):
        self.name = name
        self.raw = json.loads((SCHEMAS / f"{name}.json").read_text())
        overlay = yaml.safe_load(OVERLAY.read_text()) or {}
        self.rules = {type_name: rules for type_name, rules in overlay.items() if type_name.startswith(f"{name}_")}
        self.blocks = {
            (KINDS[kind], type_name): Block.from_json(schema["block"])
            for kind in KINDS
            for type_name, schema in (self.raw.get(kind) or {}).items()
        }
        self.response = pb.GetProviderSchema.Response(
            provider=_proto_schema(self.raw.get("provider") or {}),
            resource_schemas={n: _proto_schema(s) for n, s in (self.raw.get("resource_schemas") or {}).items()},
            data_source_schemas={n: _proto_schema(s) for n, s in (self.raw.get("data_source_schemas") or {}).items()},
            ephemeral_resource_schemas={
                n: _proto_schema(s) for n, s in (self.raw.get("ephemeral_resource_schemas") or {}).items()
            },
            server_capabilities=pb.ServerCapabilities(plan_destroy=False),
        )

    def block(self, kind: str, type_name: str) -> Block:
        return self.blocks[(kind, type_name)]

    def force_new(self, type_name: str) -> list[str]:
        return [name for rule in self.rules.get(type_name, []) for name in rule.get("force_new", [])]


# --- helpers ------------------------------------------------------------------------------------------------------


def _path(steps: tuple):
    return pb.AttributePath(
        steps=[
            pb.AttributePath.Step(element_key_int=step) if isinstance(step, int) else pb.AttributePath.Step(attribute_name=step)
            for step in steps
        ]
    )


def _error(summary: str, detail: str = "", path: tuple = ()):
    return pb.Diagnostic(
        severity=pb.Diagnostic.ERROR, summary=summary, detail=detail, attribute=_path(path) if path else None
    )


def _value(dynamic) -> Any:
    if dynamic is None:
        return None
    if dynamic.msgpack:
        return decode(dynamic.msgpack)
    if dynamic.json:
        return json.loads(dynamic.json)
    return None


def _dynamic(value: Any):
    return pb.DynamicValue(msgpack=encode(value))


def _is_set(value: Any) -> bool:
    return value is not None


def _null_write_only(block: Block, obj: dict, path: tuple) -> dict:
    for name, attribute in block.attributes.items():
        if attribute.write_only:
            obj[name] = None
    return obj


def _fill_known(type_name: str, config: dict, secrets: list[str], only_null: bool):
    """A ``map_objects`` change that gives computed attributes values: unknown ones, or null ones too."""
    secret_names = fakes.SECRET_ATTRIBUTES.get(type_name, ())

    def change(block: Block, obj: dict, path: tuple) -> dict:
        for name, attribute in block.attributes.items():
            if attribute.write_only:
                obj[name] = None
                continue
            current = obj.get(name)
            wanted = is_unknown(current) or (only_null and current is None and attribute.computed)
            if not wanted:
                continue
            obj[name] = _generate(type_name, attribute, config, path + (name,))
            if not path and name in secret_names and isinstance(obj[name], str):
                secrets.append(obj[name])
        return obj

    return change


def _generate(type_name: str, attribute: Attribute, config: dict, path: tuple) -> Any:
    if attribute.nested is not None:
        element = {
            name: _generate(type_name, inner, config, path + (name,)) if inner.computed else None
            for name, inner in attribute.nested.attributes.items()
        }
        return element if attribute.nesting == "single" else ({} if attribute.nesting == "map" else [])
    return fakes.fill(type_name, attribute, attribute.name, attribute.type, config, path)


def _mark_unknown(block: Block, obj: dict, path: tuple) -> dict:
    for name, attribute in block.attributes.items():
        if attribute.write_only:
            obj[name] = None
        elif attribute.computed and obj.get(name) is None:
            obj[name] = UNKNOWN
    return obj


def _fault(type_name: str, obj: dict) -> str | None:
    """The ``TF_STANDIN_FAIL_APPLY`` selector that ``obj`` matches, if any."""
    for selector in filter(None, os.environ.get("TF_STANDIN_FAIL_APPLY", "").split(";")):
        wanted_type, _, condition = selector.partition(":")
        if wanted_type != type_name:
            continue
        if not condition:
            return selector
        attribute, _, value = condition.partition("=")
        if str(obj.get(attribute)) == value:
            return selector
    return None


def _world_file(type_name: str, object_id: Any) -> Path | None:
    world = os.environ.get("TF_STANDIN_WORLD")
    if not world or not isinstance(object_id, str):
        return None
    return Path(world) / f"{type_name}-{hashlib.sha256(object_id.encode()).hexdigest()[:32]}.msgpack"


def _dynamic_value(value: Any) -> Any:
    """The value of a ``dynamic`` attribute, which travels as ``[type JSON, value]``."""
    if isinstance(value, list) and len(value) == 2 and isinstance(value[0], (bytes, str)):
        return value[1]
    return value


def _import_ids(type_name: str, state: Any) -> list[str]:
    """The IDs an object is imported by: its ``id`` and, where the provider documents another import ID, that one
    (helm_release: ``<namespace>/<name>``; kubernetes_manifest, which has no ``id``:
    ``apiVersion=<v>,kind=<k>[,namespace=<ns>],name=<n>``)."""
    if not isinstance(state, dict):
        return []
    ids = [state["id"]] if isinstance(state.get("id"), str) else []
    if type_name == "helm_release" and isinstance(state.get("name"), str):
        ids.append(f"{state.get('namespace') or 'default'}/{state['name']}")
    if type_name == "kubernetes_manifest":
        manifest = _dynamic_value(state.get("manifest"))
        metadata = manifest.get("metadata") if isinstance(manifest, dict) else None
        if isinstance(metadata, dict) and isinstance(metadata.get("name"), str):
            parts = [f"apiVersion={manifest.get('apiVersion')}", f"kind={manifest.get('kind')}"]
            if metadata.get("namespace"):
                parts.append(f"namespace={metadata['namespace']}")
            ids.append(",".join([*parts, f"name={metadata['name']}"]))
    return ids


def _record(type_name: str, prior: Any, state: Any) -> None:
    """Keep the world folder in step with an apply: the new object recorded, a destroyed one removed."""
    kept = set(_import_ids(type_name, state))
    for object_id in _import_ids(type_name, prior):
        old = _world_file(type_name, object_id)
        if old is not None and object_id not in kept:
            old.unlink(missing_ok=True)
    for object_id in kept:
        new = _world_file(type_name, object_id)
        if new is not None:
            new.parent.mkdir(parents=True, exist_ok=True)
            new.write_bytes(encode(state))


def _log_secrets(values: list[str]) -> None:
    log = os.environ.get("TF_STANDIN_SECRETS_LOG")
    if log and values:
        with open(log, "a", encoding="utf-8") as handle:
            handle.write("".join(f"{value}\n" for value in values))


# --- the provider service -----------------------------------------------------------------------------------------


class Provider(pb_grpc.ProviderServicer):
    def __init__(self, schema: ProviderSchema):
        self.schema = schema

    # information

    def GetMetadata(self, request, context):
        raw = self.schema.raw
        return pb.GetMetadata.Response(
            server_capabilities=pb.ServerCapabilities(plan_destroy=False),
            resources=[pb.GetMetadata.ResourceMetadata(type_name=n) for n in raw.get("resource_schemas") or {}],
            data_sources=[pb.GetMetadata.DataSourceMetadata(type_name=n) for n in raw.get("data_source_schemas") or {}],
            ephemeral_resources=[
                pb.GetMetadata.EphemeralMetadata(type_name=n) for n in raw.get("ephemeral_resource_schemas") or {}
            ],
        )

    def GetProviderSchema(self, request, context):
        return self.schema.response

    def GetFunctions(self, request, context):
        return pb.GetFunctions.Response()

    def ValidateProviderConfig(self, request, context):
        return pb.ValidateProviderConfig.Response()

    def ConfigureProvider(self, request, context):
        return pb.ConfigureProvider.Response()

    def StopProvider(self, request, context):
        return pb.StopProvider.Response()

    # validation

    def _validate(self, kind: str, type_name: str, config: Any) -> list:
        block = self.schema.block(kind, type_name)
        diagnostics = [
            _error(
                "Value for unconfigurable attribute",
                f"Can't configure a value for {json.dumps(path[-1])}: its value will be decided automatically "
                "based on the result of applying this configuration.",
                path,
            )
            for path in find(block, config, lambda attribute, value: attribute.computed_only and _is_set(value))
        ]
        for rule in self.schema.rules.get(type_name, []) if isinstance(config, dict) else []:
            if "required_with" in rule:
                attribute, others = rule["required_with"]["attribute"], rule["required_with"]["with"]
                keys = sorted({attribute, *others})
                if _is_set(config.get(attribute)) and not all(_is_set(config.get(key)) for key in keys):
                    diagnostics.append(
                        _error(
                            "Missing required argument",
                            f"{json.dumps(attribute)}: all of `{','.join(keys)}` must be specified",
                            (attribute,),
                        )
                    )
            if "exactly_one_of" in rule:
                keys = sorted(rule["exactly_one_of"])
                specified = [key for key in keys if _is_set(config.get(key)) and not is_unknown(config.get(key))]
                unknown = [key for key in keys if is_unknown(config.get(key))]
                if not specified and not unknown:
                    detail = f"{json.dumps(keys[0])}: one of `{','.join(keys)}` must be specified"
                elif len(specified) > 1:
                    detail = (
                        f"{json.dumps(keys[0])}: only one of `{','.join(keys)}` can be specified, "
                        f"but `{','.join(specified)}` were specified."
                    )
                else:
                    continue
                diagnostics.append(_error("Invalid combination of arguments", detail, (keys[0],)))
        return diagnostics

    def ValidateResourceConfig(self, request, context):
        config = _value(request.config)
        return pb.ValidateResourceConfig.Response(diagnostics=self._validate("resource", request.type_name, config))

    def ValidateDataResourceConfig(self, request, context):
        config = _value(request.config)
        return pb.ValidateDataResourceConfig.Response(diagnostics=self._validate("data", request.type_name, config))

    def ValidateEphemeralResourceConfig(self, request, context):
        config = _value(request.config)
        return pb.ValidateEphemeralResourceConfig.Response(
            diagnostics=self._validate("ephemeral", request.type_name, config)
        )

    # managed resources

    def UpgradeResourceState(self, request, context):
        # The schemas have one version: the stored JSON is already in the current shape.
        return pb.UpgradeResourceState.Response(upgraded_state=pb.DynamicValue(json=request.raw_state.json))

    def ReadResource(self, request, context):
        return pb.ReadResource.Response(new_state=request.current_state, private=request.private)

    def PlanResourceChange(self, request, context):
        proposed = _value(request.proposed_new_state)
        if proposed is None:  # destroy
            return pb.PlanResourceChange.Response(planned_state=request.proposed_new_state)
        prior = _value(request.prior_state)
        block = self.schema.block("resource", request.type_name)
        if prior is None:
            planned = map_objects(block, proposed, _mark_unknown)
            return pb.PlanResourceChange.Response(planned_state=_dynamic(planned))
        planned = map_objects(block, proposed, _null_write_only)
        replace = [
            _path((name,))
            for name in self.schema.force_new(request.type_name)
            if is_unknown(planned.get(name)) or planned.get(name) != prior.get(name)
        ]
        return pb.PlanResourceChange.Response(planned_state=_dynamic(planned), requires_replace=replace)

    def ApplyResourceChange(self, request, context):
        planned = _value(request.planned_state)
        if planned is None:  # destroy
            _record(request.type_name, _value(request.prior_state), None)
            return pb.ApplyResourceChange.Response(new_state=request.planned_state)
        selector = _fault(request.type_name, planned)
        if selector:
            action = "creating" if _value(request.prior_state) is None else "updating"
            return pb.ApplyResourceChange.Response(
                diagnostics=[
                    _error(
                        f"{action} {request.type_name}: injected fault",
                        f"The stand-in provider was told to fail this apply (TF_STANDIN_FAIL_APPLY={selector}).",
                    )
                ]
            )
        secrets: list[str] = []
        block = self.schema.block("resource", request.type_name)
        state = map_objects(block, planned, _fill_known(request.type_name, planned, secrets, only_null=False))
        _log_secrets(secrets)
        _record(request.type_name, _value(request.prior_state), state)
        return pb.ApplyResourceChange.Response(new_state=_dynamic(state), private=request.planned_private)

    def ImportResourceState(self, request, context):
        recorded = _world_file(request.type_name, request.id)
        if recorded is not None and recorded.is_file():
            return pb.ImportResourceState.Response(imported_resources=[
                pb.ImportResourceState.ImportedResource(
                    type_name=request.type_name, state=pb.DynamicValue(msgpack=recorded.read_bytes()))
            ])
        block = self.schema.block("resource", request.type_name)
        state = {name: None for name in block.attributes}
        state.update({name: [] if nesting in ("list", "set") else None for name, (nesting, _) in block.blocks.items()})
        if "id" in block.attributes:
            state["id"] = request.id
        # Azure resource IDs carry the resource group and the name.
        segments = request.id.strip("/").split("/")
        if "resourceGroups" in segments and "resource_group_name" in block.attributes:
            state["resource_group_name"] = segments[segments.index("resourceGroups") + 1]
        if "name" in block.attributes and request.id.startswith("/"):
            state["name"] = segments[-1]
        return pb.ImportResourceState.Response(
            imported_resources=[pb.ImportResourceState.ImportedResource(type_name=request.type_name, state=_dynamic(state))]
        )

    def MoveResourceState(self, request, context):
        return pb.MoveResourceState.Response(
            diagnostics=[_error("Move resource state not supported", "The stand-in provider does not move state.")]
        )

    # data sources and ephemeral resources

    def ReadDataSource(self, request, context):
        config = _value(request.config)
        block = self.schema.block("data", request.type_name)
        secrets: list[str] = []
        state = map_objects(block, config, _fill_known(request.type_name, config, secrets, only_null=True))
        return pb.ReadDataSource.Response(state=_dynamic(state))

    def OpenEphemeralResource(self, request, context):
        config = _value(request.config)
        block = self.schema.block("ephemeral", request.type_name)
        secrets: list[str] = []
        result = map_objects(block, config, _fill_known(request.type_name, config, secrets, only_null=True))
        _log_secrets(secrets)
        return pb.OpenEphemeralResource.Response(result=_dynamic(result))

    def RenewEphemeralResource(self, request, context):
        return pb.RenewEphemeralResource.Response()

    def CloseEphemeralResource(self, request, context):
        return pb.CloseEphemeralResource.Response()

    def CallFunction(self, request, context):
        return pb.CallFunction.Response(error=pb.FunctionError(text="the stand-in provider has no functions"))


# --- go-plugin's side services and the two ways of serving ------------------------------------------------------


def _plugin_services(on_shutdown) -> grpc.GenericRpcHandler:
    """grpc.health.v1.Health/Check (SERVING), plugin.GRPCController/Shutdown, plugin.GRPCStdio/StreamStdio."""
    raw = {"request_deserializer": None, "response_serializer": None}

    def check(request, context):
        return b"\x08\x01"  # HealthCheckResponse{status: SERVING}

    def shutdown(request, context):
        on_shutdown()
        return b""

    def stdio(request, context):
        return iter(())

    return grpc.method_handlers_generic_handler(
        "grpc.health.v1.Health", {"Check": grpc.unary_unary_rpc_method_handler(check, **raw)}
    ), grpc.method_handlers_generic_handler(
        "plugin.GRPCController", {"Shutdown": grpc.unary_unary_rpc_method_handler(shutdown, **raw)}
    ), grpc.method_handlers_generic_handler(
        "plugin.GRPCStdio", {"StreamStdio": grpc.unary_stream_rpc_method_handler(stdio, **raw)}
    )


def _server(name: str, on_shutdown) -> grpc.Server:
    server = grpc.server(
        futures.ThreadPoolExecutor(max_workers=8, thread_name_prefix=name),
        options=[("grpc.max_receive_message_length", 256 << 20), ("grpc.max_send_message_length", 256 << 20)],
    )
    pb_grpc.add_ProviderServicer_to_server(Provider(ProviderSchema(name)), server)
    server.add_generic_rpc_handlers(_plugin_services(on_shutdown))
    return server


def _certificate() -> tuple[bytes, bytes, bytes]:
    """A self-signed ECDSA P-256 certificate for localhost, as go-plugin's automatic mutual TLS expects: key and
    certificate in PEM, and the certificate in DER."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost"),
                         x509.NameAttribute(NameOID.ORGANIZATION_NAME, "HashiCorp")])
    now = datetime.datetime.now(datetime.timezone.utc)
    import ipaddress

    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(seconds=30))
        .not_valid_after(now + datetime.timedelta(hours=12))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"),
                                                    x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .add_extension(x509.KeyUsage(True, True, True, False, False, True, False, False, False), True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]), False)
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    return key_pem, certificate.public_bytes(serialization.Encoding.PEM), certificate.public_bytes(
        serialization.Encoding.DER
    )


def serve_managed(name: str) -> int:
    """Started by Terraform: go-plugin's handshake line on stdout, then gRPC over TLS until Shutdown."""
    if os.environ.get(MAGIC_COOKIE_KEY) != MAGIC_COOKIE:
        print("This is a stand-in Terraform provider: Terraform starts it (see tests/terraform/standin.py).",
              file=sys.stderr)
        return 1
    stopped = threading.Event()
    server = _server(name, stopped.set)
    key_pem, cert_pem, cert_der = _certificate()
    # Terraform's client certificate has a P-521 key, which grpcio's TLS library cannot verify: not checked.
    credentials = grpc.ssl_server_credentials([(key_pem, cert_pem)], require_client_auth=False)
    port = server.add_secure_port("127.0.0.1:0", credentials)
    server.start()
    encoded = base64.b64encode(cert_der).decode().rstrip("=")
    sys.stdout.write(f"1|6|tcp|127.0.0.1:{port}|grpc|{encoded}\n")
    sys.stdout.flush()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Terraform forwards Ctrl-C; it stops us with Shutdown
    stopped.wait()
    # go-plugin waits for the process to end after Shutdown (and kills it after a while): end at once.
    server.stop(grace=0.05).wait()
    return 0


def serve_reattach(names: list[str]) -> int:
    """Started once for many Terraform runs: prints the TF_REATTACH_PROVIDERS value, serves until stdin closes."""
    servers, reattach = [], {}
    for name in names:
        server = _server(name, lambda: None)  # a shared server outlives each Terraform run
        port = server.add_insecure_port("127.0.0.1:0")
        server.start()
        servers.append(server)
        reattach[f"registry.terraform.io/hashicorp/{name}"] = {
            "Protocol": "grpc",
            "ProtocolVersion": 6,
            "Pid": os.getpid(),
            "Test": True,
            "Addr": {"Network": "tcp", "String": f"127.0.0.1:{port}"},
        }
    sys.stdout.write(json.dumps(reattach) + "\n")
    sys.stdout.flush()
    signal.signal(signal.SIGTERM, lambda *_: sys.stdin.close())
    try:
        sys.stdin.read()
    except (OSError, ValueError):
        pass
    for server in servers:
        server.stop(grace=0)
    return 0


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--provider", help="serve this provider to the Terraform process that started it")
    group.add_argument("--reattach", help="comma-separated providers to serve to any Terraform process")
    args = parser.parse_args(argv)
    if args.provider:
        return serve_managed(args.provider)
    return serve_reattach([name for name in args.reattach.split(",") if name])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
