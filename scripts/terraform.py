"""Make sure a suitable Terraform is at hand for `make synth` and `make test`; print the one problem when not.

    python scripts/terraform.py --dir .tools/terraform/1.11.4 --version 1.11.4 --minimum 1.11

A Terraform counts when ``<dir>/terraform`` or the ``terraform`` on PATH (``TERRAFORM_BINARY_NAME``, as cdktf reads
it) reports ``--minimum`` or newer. Otherwise ``--version`` is downloaded from HashiCorp's release site
(``TERRAFORM_DOWNLOAD_URL`` replaces it, for a mirror), checked against the SHA-256 sums pinned beside this script
(``terraform_<version>_SHA256SUMS``, copied from the release), and unpacked into ``<dir>``; the Makefile puts
``<dir>`` first on PATH. What it downloaded is said on stderr; when no suitable Terraform can be had, the reason
and what to do are printed on stdout as one line (the Makefile stops with it) and the exit code is 2.
https://developer.hashicorp.com/terraform/install
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import urllib.request
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
RELEASES = "https://releases.hashicorp.com/terraform"
INSTALL_HINT = (
    "install Terraform {minimum} or newer (https://developer.hashicorp.com/terraform/install) and put it on PATH"
)
# platform.machine() names, by the names of HashiCorp's builds.
ARCHITECTURES = {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64", "i386": "386",
                 "i686": "386", "armv7l": "arm", "armv6l": "arm"}


class Unavailable(Exception):
    """Terraform could not be provided; the message says why."""


def parse_version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split("-")[0].split("."))


def version_of(executable: str) -> str | None:
    """What ``terraform version -json`` reports, or None when it does not run."""
    try:
        # No upgrade check against HashiCorp's checkpoint service: only the version is wanted.
        environment = {**os.environ, "CHECKPOINT_DISABLE": "1"}
        result = subprocess.run(
            [executable, "version", "-json"], capture_output=True, text=True, timeout=60, env=environment
        )
        return json.loads(result.stdout)["terraform_version"]
    except (OSError, subprocess.SubprocessError, ValueError, KeyError, TypeError):
        return None


def build_platform() -> str:
    """The name of HashiCorp's build for this machine: linux_amd64, darwin_arm64, ..."""
    system, machine = platform.system().lower(), platform.machine().lower()
    return f"{system}_{ARCHITECTURES.get(machine, machine)}"


def pinned_sums(version: str) -> dict[str, str]:
    """The release's SHA-256 sums, by file name, from the copy committed beside this script."""
    sums = HERE / f"terraform_{version}_SHA256SUMS"
    if not sums.is_file():
        raise Unavailable(f"no pinned checksums for Terraform {version} ({sums.relative_to(HERE.parent)} is missing)")
    pairs = (line.split() for line in sums.read_text(encoding="ascii").splitlines() if line.strip())
    return {name: digest for digest, name in pairs}


def download(version: str, directory: Path, *, base_url: str, sums: dict[str, str], build: str) -> Path:
    """``terraform_<version>_<build>.zip`` from ``base_url``, checked against ``sums``, unpacked into ``directory``."""
    archive = f"terraform_{version}_{build}.zip"
    if archive not in sums:
        raise Unavailable(f"HashiCorp publishes no checksum-pinned Terraform {version} for {build}")
    url = f"{base_url.rstrip('/')}/{version}/{archive}"
    try:
        with urllib.request.urlopen(url, timeout=120) as response:
            data = response.read()
    except (OSError, ValueError) as error:
        reason = getattr(error, "reason", None) or error
        raise Unavailable(f"could not download {url} ({reason})") from None
    digest = hashlib.sha256(data).hexdigest()
    if digest != sums[archive]:
        raise Unavailable(f"{url} has SHA-256 {digest}, not the pinned {sums[archive]}: refused")
    directory.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(io.BytesIO(data)) as bundle, tempfile.NamedTemporaryFile(dir=directory, delete=False) as out:
        out.write(bundle.read("terraform"))
    os.chmod(out.name, 0o755)
    target = directory / "terraform"
    os.replace(out.name, target)
    return target


def ensure(
    directory: Path, version: str, minimum: str, *, base_url: str = RELEASES, build: str | None = None
) -> str | None:
    """None when a Terraform of at least ``minimum`` is in ``directory`` or on PATH (downloading ``version`` into
    ``directory`` if needed), else the one line that says what is wrong and what to do."""
    candidates = [directory / "terraform", shutil.which(os.environ.get("TERRAFORM_BINARY_NAME") or "terraform")]
    found = []
    for candidate in candidates:
        if candidate and Path(candidate).is_file():
            reported = version_of(str(candidate))
            if reported and parse_version(reported) >= parse_version(minimum):
                return None
            found.append(f"{candidate} is {reported or 'not runnable'}")
    hint = INSTALL_HINT.format(minimum=minimum)
    try:
        sums = pinned_sums(version)
        installed = download(version, directory, base_url=base_url, sums=sums, build=build or build_platform())
    except Unavailable as error:
        have = "; ".join(found) or "there is none on PATH"
        return f"Terraform {minimum} or newer is needed ({have}), and {error}: {hint}"
    if version_of(str(installed)) != version:
        return f"the downloaded {installed} does not run as Terraform {version}: {hint}"
    print(f"Downloaded Terraform {version} into {directory} (SHA-256 checked).", file=sys.stderr)
    return None


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, required=True, help="project-local folder for the downloaded Terraform")
    parser.add_argument("--version", required=True, help="the version to download (pinned sums must exist)")
    parser.add_argument("--minimum", required=True, help="the oldest Terraform that is good enough")
    args = parser.parse_args(argv)
    base_url = os.environ.get("TERRAFORM_DOWNLOAD_URL") or RELEASES
    problem = ensure(args.dir, args.version, args.minimum, base_url=base_url)
    if problem:
        print(problem)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
