#!/usr/bin/env python3
"""Vendor the front-end libraries into ``static/vendor/`` from the npm registry.

No Node build step and no CDN at run time: each pinned package's tarball is downloaded from
https://registry.npmjs.org, checked against the integrity pinned below (and the registry's own
``dist.integrity``/``dist.shasum``), and only the listed files, plus the licence, are written to
``static/vendor/<dir>/``. ``static/vendor/VERSIONS.json`` records what was written and its sha256.

    python scripts/vendor_static.py            # (re)generate; a second run changes nothing
    python scripts/vendor_static.py --check    # offline: files on disk == VERSIONS.json == pins

To upgrade a package, change its ``version`` and ``integrity`` below (``npm view NAME@VERSION
dist.integrity``) and run the script again.
"""

from __future__ import annotations

import argparse
import base64
import fnmatch
import hashlib
import io
import json
import sys
import tarfile
import urllib.parse
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

REGISTRY = "https://registry.npmjs.org"
DEFAULT_ROOT = Path(__file__).resolve().parent.parent / "static" / "vendor"
MANIFEST = "VERSIONS.json"
#: Files in the vendor root that the script does not manage.
UNMANAGED = frozenset({MANIFEST, "README.md"})
LICENSE_NAMES = ("LICENSE", "LICENSE.md", "LICENSE.txt", "LICENCE", "LICENCE.md", "LICENSE-MIT")
TIMEOUT = 60


@dataclass(frozen=True)
class Package:
    name: str
    version: str
    #: Subresource-integrity string of the tarball (``npm view NAME@VERSION dist.integrity``).
    integrity: str
    #: Directory under the vendor root.
    dir: str
    #: SPDX licence identifier, as declared in the package's package.json.
    license: str
    #: Path inside the tarball (relative to ``package/``, may be a glob) -> path under ``dir``.
    #: For a glob the target is a directory and the matched files keep their base names.
    files: Mapping[str, str] = field(default_factory=dict)


PACKAGES: tuple[Package, ...] = (
    Package(
        name="echarts",
        version="6.1.0",
        integrity="sha512-q0yaFPggC9FUdsWH4blavRWFmxdrIodbkoKNAjJudAI6CA9gNPxHtV2RcZNEepZVlk4yvBYkOkbk6HIVpIyHZA==",
        dir="echarts",
        license="Apache-2.0",
        files={
            "dist/echarts.min.js": "echarts.min.js",
            "NOTICE": "NOTICE",
            "licenses/LICENSE-d3": "LICENSE-d3",
        },
    ),
    Package(
        name="leaflet",
        version="1.9.4",
        integrity="sha512-nxS1ynzJOmOlHp+iL3FyWqK89GtNL8U8rvlMOsQdTTssxZwCXh8N2NB3GDQOL+YR3XnWyZAxwQixURb+FA74PA==",
        dir="leaflet",
        license="BSD-2-Clause",
        files={
            "dist/leaflet.js": "leaflet.js",
            # leaflet.js ends with "sourceMappingURL=leaflet.js.map": the manifest storage of
            # collectstatic (whitenoise) fails when the map is missing.
            "dist/leaflet.js.map": "leaflet.js.map",
            "dist/leaflet.css": "leaflet.css",
            "dist/images/*": "images",
        },
    ),
)


class VendorError(Exception):
    pass


# --- helpers ---------------------------------------------------------------------------------------------


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _registry_get(url: str) -> bytes:
    parsed = urllib.parse.urlsplit(url)
    if parsed.scheme != "https" or parsed.netloc != urllib.parse.urlsplit(REGISTRY).netloc:
        raise VendorError(f"refusing to fetch {url!r}: not on {REGISTRY}")
    request = urllib.request.Request(url, headers={"User-Agent": "zoufang-vendor-static/1"})  # noqa: S310
    with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310 (https, registry host)
        data: bytes = response.read()
    return data


def _check_integrity(data: bytes, integrity: str, what: str) -> None:
    algo, _, expected = integrity.partition("-")
    if algo not in {"sha512", "sha384", "sha256"}:
        raise VendorError(f"{what}: unsupported integrity algorithm {algo!r}")
    actual = base64.b64encode(hashlib.new(algo, data).digest()).decode()
    if actual != expected:
        raise VendorError(f"{what}: integrity mismatch ({algo}-{actual} != {integrity})")


def _safe_relpath(path: str) -> PurePosixPath:
    rel = PurePosixPath(path)
    if rel.is_absolute() or ".." in rel.parts or not rel.parts:
        raise VendorError(f"unsafe path {path!r}")
    return rel


def _read_tar_files(data: bytes) -> dict[str, bytes]:
    """Regular files of an npm tarball, keyed by path without the leading ``package/``."""
    out: dict[str, bytes] = {}
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        for member in tar.getmembers():
            if not member.isfile():
                continue
            _, _, rel = member.name.partition("/")  # npm tarballs have one top dir, usually "package"
            handle = tar.extractfile(member)
            if rel and handle is not None:
                out[rel] = handle.read()
    return out


# --- fetch -----------------------------------------------------------------------------------------------


def fetch_package(pkg: Package) -> tuple[dict[str, bytes], dict[str, Any]]:
    """Download and verify ``pkg``; return {path under vendor root: bytes} and its manifest entry."""
    meta = json.loads(_registry_get(f"{REGISTRY}/{pkg.name}/{pkg.version}"))
    if meta.get("name") != pkg.name or meta.get("version") != pkg.version:
        raise VendorError(
            f"{pkg.name}@{pkg.version}: registry returned {meta.get('name')}@{meta.get('version')}"
        )
    dist = meta["dist"]
    if dist.get("integrity") != pkg.integrity:
        raise VendorError(f"{pkg.name}@{pkg.version}: registry integrity {dist.get('integrity')} != pinned")
    if meta.get("license") != pkg.license:
        raise VendorError(f"{pkg.name}@{pkg.version}: licence {meta.get('license')!r} != {pkg.license!r}")
    tarball_url: str = dist["tarball"]
    basename = pkg.name.rsplit("/", 1)[-1]
    expected_url = f"{REGISTRY}/{pkg.name}/-/{basename}-{pkg.version}.tgz"
    if tarball_url != expected_url:
        raise VendorError(f"{pkg.name}@{pkg.version}: unexpected tarball URL {tarball_url}")

    print(f"fetching {tarball_url}", file=sys.stderr)
    tarball = _registry_get(tarball_url)
    _check_integrity(tarball, pkg.integrity, f"{pkg.name}@{pkg.version}")
    if "shasum" in dist and hashlib.sha1(tarball).hexdigest() != dist["shasum"]:  # noqa: S324 (npm's shasum)
        raise VendorError(f"{pkg.name}@{pkg.version}: shasum mismatch")

    members = _read_tar_files(tarball)
    written: dict[str, bytes] = {}
    base = _safe_relpath(pkg.dir)

    def put(dest: PurePosixPath, content: bytes) -> None:
        key = str(base / dest)
        if key in written:
            raise VendorError(f"{pkg.name}: two sources for {key}")
        written[key] = content

    for pattern, target in pkg.files.items():
        if any(ch in pattern for ch in "*?["):
            matches = sorted(p for p in members if fnmatch.fnmatchcase(p, pattern))
            if not matches:
                raise VendorError(f"{pkg.name}@{pkg.version}: nothing matches {pattern!r}")
            for match in matches:
                put(_safe_relpath(target) / PurePosixPath(match).name, members[match])
        elif pattern in members:
            put(_safe_relpath(target), members[pattern])
        else:
            raise VendorError(f"{pkg.name}@{pkg.version}: {pattern!r} is not in the tarball")

    license_src = next((n for n in LICENSE_NAMES if n in members), None)
    if license_src is None:
        raise VendorError(f"{pkg.name}@{pkg.version}: no LICENSE in the tarball")
    put(PurePosixPath("LICENSE"), members[license_src])

    entry: dict[str, Any] = {
        "name": pkg.name,
        "version": pkg.version,
        "license": pkg.license,
        "tarball": tarball_url,
        "integrity": pkg.integrity,
        "files": {path: sha256(content) for path, content in sorted(written.items())},
    }
    return written, entry


# --- write / check ---------------------------------------------------------------------------------------


def render_manifest(entries: list[dict[str, Any]]) -> str:
    doc = {
        "generated_by": "scripts/vendor_static.py (do not edit; run it instead)",
        "packages": entries,
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def managed_files(root: Path) -> set[str]:
    """Files on disk inside the package directories (what the script owns)."""
    dirs = {pkg.dir for pkg in PACKAGES}
    found: set[str] = set()
    for d in dirs:
        top = root / d
        if top.is_dir():
            found.update(p.relative_to(root).as_posix() for p in top.rglob("*") if p.is_file())
    return found


def vendor(root: Path) -> int:
    wanted: dict[str, bytes] = {}
    entries: list[dict[str, Any]] = []
    for pkg in PACKAGES:
        files, entry = fetch_package(pkg)
        overlap = wanted.keys() & files.keys()
        if overlap:
            raise VendorError(f"{pkg.name}: files already written by another package: {sorted(overlap)}")
        wanted.update(files)
        entries.append(entry)
    wanted[MANIFEST] = render_manifest(entries).encode()

    changed = 0
    for rel, content in sorted(wanted.items()):
        path = root / rel
        if path.is_file() and path.read_bytes() == content:
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        changed += 1
        print(f"wrote {path}", file=sys.stderr)
    for rel in sorted(managed_files(root) - wanted.keys()):
        (root / rel).unlink()
        changed += 1
        print(f"removed stale {root / rel}", file=sys.stderr)

    total = sum(len(c) for c in wanted.values())
    print(f"{len(wanted)} files, {total:,} bytes in {root}; {changed} changed", file=sys.stderr)
    return 0


def check(root: Path) -> list[str]:
    """Offline verification; returns the list of problems (empty when all is well)."""
    manifest_path = root / MANIFEST
    try:
        doc = json.loads(manifest_path.read_text(encoding="utf-8"))
        entries: list[dict[str, Any]] = doc["packages"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        return [f"{manifest_path}: unreadable ({exc})"]

    problems: list[str] = []
    pinned = [(p.name, p.version, p.integrity) for p in PACKAGES]
    recorded = [(e.get("name"), e.get("version"), e.get("integrity")) for e in entries]
    if recorded != pinned:
        problems.append(f"{MANIFEST} lists {recorded}, the script pins {pinned}: run the script")

    expected: dict[str, str] = {}
    for entry in entries:
        expected.update(entry.get("files", {}))
    for rel, digest in sorted(expected.items()):
        path = root / _safe_relpath(rel)
        if not path.is_file():
            problems.append(f"missing: {rel}")
        elif sha256(path.read_bytes()) != digest:
            problems.append(f"modified: {rel}")
    for rel in sorted(managed_files(root) - expected.keys()):
        problems.append(f"unexpected: {rel}")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--check", action="store_true", help="verify files against VERSIONS.json, offline")
    parser.add_argument(
        "--root", type=Path, default=DEFAULT_ROOT, help=f"vendor dir (default {DEFAULT_ROOT})"
    )
    args = parser.parse_args(argv)
    root: Path = args.root

    if args.check:
        problems = check(root)
        for problem in problems:
            print(f"vendor check: {problem}", file=sys.stderr)
        if problems:
            print("vendor check FAILED; regenerate with: python scripts/vendor_static.py", file=sys.stderr)
            return 1
        print(f"vendor check OK ({root})", file=sys.stderr)
        return 0
    try:
        return vendor(root)
    except VendorError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
