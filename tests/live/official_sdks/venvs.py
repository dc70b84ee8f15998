"""Virtual environments holding Zoho's official Python SDKs, built once and cached.

Both SDKs install a top-level ``zcrmsdk`` package, so each gets its own venv. A venv lives under
``$CRMLINK_SDK_VENVS`` (default ``$XDG_CACHE_HOME/crmlink/sdk-venvs``, i.e.
``~/.cache/crmlink/sdk-venvs``) in a folder named after the pinned requirements and the Python
version, so changing a pin builds a new one. A venv is built in a temporary folder next to its
final place and renamed into it when complete: two test sessions racing both build, one rename
wins, the other build is thrown away, and nobody ever sees a half-built venv.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class SdkVenv:
    """One official SDK, pinned, with what it imports but does not declare."""

    name: str
    requirements: tuple[str, ...]

    @property
    def key(self) -> str:
        spec = "\n".join([sys.version.split()[0], *self.requirements])
        return f"{self.name}-{hashlib.sha256(spec.encode()).hexdigest()[:12]}"


#: Zoho CRM v2.1 SDK (``/crm/v2.1/...``). It declares mysql-connector-python itself.
ZOHOCRMSDK_2_1 = SdkVenv("zohocrmsdk2-1", ("zohocrmsdk2-1==3.0.0",))
#: Zoho CRM v2 SDK (``/crm/v2/...``); imports ``mysql.connector`` without declaring it.
ZCRMSDK_3_1 = SdkVenv("zcrmsdk", ("zcrmsdk==3.1.0", "mysql-connector-python"))


def cache_root() -> Path:
    explicit = os.environ.get("CRMLINK_SDK_VENVS")
    if explicit:
        return Path(explicit)
    xdg = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(xdg) / "crmlink" / "sdk-venvs"


def python_of(venv: Path) -> Path:
    return venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def ensure_venv(sdk: SdkVenv, root: Path | None = None) -> Path:
    """The path of ``sdk``'s venv, building it first if it is not cached. Idempotent."""
    root = root or cache_root()
    final = root / sdk.key
    if _complete(final, sdk):
        return final
    root.mkdir(parents=True, exist_ok=True)
    building = root / f".building-{sdk.key}-{uuid.uuid4().hex[:8]}"
    try:
        subprocess.run([sys.executable, "-m", "venv", str(building)], check=True, capture_output=True)
        done = subprocess.run(
            [str(python_of(building)), "-m", "pip", "install", "--quiet", *sdk.requirements],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"pip install {' '.join(sdk.requirements)} failed:\n{done.stderr[-4000:]}")
        # The import that fails without the undeclared mysql connector, checked once at build time.
        subprocess.run(
            [str(python_of(building)), "-c", "import zcrmsdk.src.com.zoho.crm.api.initializer"],
            check=True,
            capture_output=True,
        )
        (building / "crmlink-requirements.txt").write_text("\n".join(sdk.requirements) + "\n")
        try:
            building.rename(final)
        except OSError:
            # Another session renamed its build into place first; use that one.
            if not _complete(final, sdk):
                raise
    finally:
        shutil.rmtree(building, ignore_errors=True)
    return final


def _complete(venv: Path, sdk: SdkVenv) -> bool:
    marker = venv / "crmlink-requirements.txt"
    return (
        marker.is_file() and marker.read_text().split() == list(sdk.requirements) and python_of(venv).exists()
    )
