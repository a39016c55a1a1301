"""The Terraform plugin protocol 6.8 for Python: stubs generated from the vendored ``tfplugin6.8.proto``.

The stubs are generated with grpcio-tools on first use into ``tests/terraform/.generated/<digest>/`` (git-ignored;
the digest covers the proto and the grpcio-tools version, so a changed proto or tool regenerates them) instead of
being committed: generating takes well under a second.
"""

from __future__ import annotations

import hashlib
import importlib
import os
import shutil
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
PROTO = HERE / "tfplugin6.8.proto"
CACHE = HERE / ".generated"


def _generate(target: Path) -> None:
    import grpc_tools
    from grpc_tools import protoc

    target.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix="stubs-", dir=target.parent))
    try:
        # A module name cannot hold the dot of "6.8".
        shutil.copyfile(PROTO, scratch / "tfplugin6.proto")
        include = Path(grpc_tools.__file__).parent / "_proto"  # google/protobuf/timestamp.proto
        status = protoc.main(
            ["protoc", f"-I{scratch}", f"-I{include}", f"--python_out={scratch}", f"--grpc_python_out={scratch}",
             str(scratch / "tfplugin6.proto")]
        )
        if status != 0:
            raise RuntimeError(f"grpcio-tools could not compile {PROTO} (exit code {status})")
        try:
            os.rename(scratch, target)  # atomic: a concurrent generation of the same digest wins or loses whole
        except OSError:
            if not target.is_dir():
                raise
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def load():
    """``(tfplugin6_pb2, tfplugin6_pb2_grpc)``, generating the stubs first if they are not cached yet."""
    from grpc_tools import protoc  # noqa: F401  (its version is part of the digest)
    import grpc_tools

    version = getattr(grpc_tools, "__version__", "") or _tools_version()
    digest = hashlib.sha256(PROTO.read_bytes() + version.encode()).hexdigest()[:16]
    target = CACHE / digest
    if not (target / "tfplugin6_pb2_grpc.py").is_file():
        _generate(target)
    if str(target) not in sys.path:
        sys.path.insert(0, str(target))
    return importlib.import_module("tfplugin6_pb2"), importlib.import_module("tfplugin6_pb2_grpc")


def _tools_version() -> str:
    from importlib.metadata import version

    return version("grpcio-tools")
