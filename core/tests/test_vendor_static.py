"""The vendored front-end files (static/vendor/) match VERSIONS.json and the script's pins."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]
SCRIPT = BASE_DIR / "scripts" / "vendor_static.py"
VENDOR = BASE_DIR / "static" / "vendor"


def run_check(root: Path | None = None) -> subprocess.CompletedProcess[str]:
    args = [sys.executable, str(SCRIPT), "--check"]
    if root is not None:
        args += ["--root", str(root)]
    return subprocess.run(args, capture_output=True, text=True, timeout=60, check=False)  # noqa: S603


@pytest.fixture
def vendor_copy(tmp_path: Path) -> Path:
    root = tmp_path / "vendor"
    shutil.copytree(VENDOR, root)
    return root


def test_vendored_files_match_versions_json() -> None:
    result = run_check()
    assert result.returncode == 0, result.stderr


def test_manifest_lists_the_expected_libraries() -> None:
    doc = json.loads((VENDOR / "VERSIONS.json").read_text(encoding="utf-8"))
    files = {path for pkg in doc["packages"] for path in pkg["files"]}
    for path in (
        "echarts/echarts.min.js",
        "leaflet/leaflet.js",
        "leaflet/leaflet.css",
        "leaflet/images/marker-icon.png",
    ):
        assert path in files


def test_untouched_copy_passes(vendor_copy: Path) -> None:
    result = run_check(vendor_copy)
    assert result.returncode == 0, result.stderr


def test_one_altered_byte_fails(vendor_copy: Path) -> None:
    target = vendor_copy / "echarts" / "echarts.min.js"
    data = bytearray(target.read_bytes())
    data[100] ^= 0x01
    target.write_bytes(bytes(data))

    result = run_check(vendor_copy)
    assert result.returncode == 1
    assert "modified: echarts/echarts.min.js" in result.stderr


def test_missing_and_unexpected_files_fail(vendor_copy: Path) -> None:
    (vendor_copy / "leaflet" / "images" / "marker-shadow.png").unlink()
    (vendor_copy / "echarts" / "extra.js").write_text("alert(1)\n")

    result = run_check(vendor_copy)
    assert result.returncode == 1
    assert "missing: leaflet/images/marker-shadow.png" in result.stderr
    assert "unexpected: echarts/extra.js" in result.stderr
