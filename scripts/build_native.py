"""Compile the criteria parser with mypyc, or remove the compiled build.

Usage: python scripts/build_native.py [build [--force] | clean | status]

``build`` compiles the modules ``trialmatch.native.compiled_sources()`` lists into one group
(extension modules beside the sources, plus ``trialmatch/native__mypyc*.so``) and records the
sources' digest in ``trialmatch/_native.json``. It is a no-op while that record matches the
sources. The build happens in a temporary folder; the old build is removed first and the record is
written last, so an interrupted or failed build leaves the pure-Python parser in use, never a
half-built one. ``scripts/setup.sh`` runs it (skip with ``TRIALMATCH_PURE=1``).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ["TRIALMATCH_PURE"] = "1"  # this process reads the sources, never a build

from trialmatch import native  # noqa: E402

_GROUP = "trialmatch.native"  # the shared library: trialmatch/native__mypyc.<abi>.so
_CHECK = (
    "import trialmatch.native as n, trialmatch.criteria.parse as p; "
    "import sys; ok = n.status().compiled and not p.__file__.endswith('.py'); "
    "print(n.status().reason); sys.exit(0 if ok else 1)"
)


def clean() -> int:
    """Remove the compiled modules and the build record; returns how many files went."""
    gone = 0
    with contextlib.suppress(FileNotFoundError):
        native.MANIFEST.unlink()  # first: a build without its record is never used
        gone += 1
    for f in native._built_files():
        f.unlink()
        gone += 1
    return gone


def _up_to_date(digest: str) -> bool:
    rec = native.build_record()
    return rec is not None and rec.get("digest") == digest and bool(native._built_files())


def _compile(sources: dict[str, Path], work: Path) -> list[Path]:
    """Run mypyc and the C compiler in ``work``; the built extension files, under work/lib."""
    from mypyc.build import mypycify
    from setuptools import setup

    os.chdir(work)  # no project config here: the options below are the whole mypy setup
    args = ["--ignore-missing-imports", "--follow-imports=silent", "--python-version=3.11"]
    exts = mypycify(
        [*args, *(str(p) for p in sources.values())],
        opt_level="3",
        group_name=_GROUP,
        target_dir=str(work / "c"),
    )
    setup(
        name="trialmatch-native",
        ext_modules=exts,
        script_args=["-q", "build_ext", "--build-lib", str(work / "lib"),
                     "--build-temp", str(work / "tmp")],
    )  # fmt: skip
    return [p for p in (work / "lib").rglob("*") if p.is_file()]


def build(force: bool = False) -> int:
    sources = native.compiled_sources()
    digest = native.source_digest(sources)
    if not force and _up_to_date(digest):
        print("native: up to date")
        return 0
    clean()
    t0 = time.monotonic()
    print(f"native: compiling {len(sources)} parser modules with mypyc (a minute or two) ...")
    log = io.StringIO()
    here = Path.cwd()
    with tempfile.TemporaryDirectory(prefix="trialmatch-native-") as tmp:
        try:
            with contextlib.redirect_stdout(log), contextlib.redirect_stderr(log):
                built = _compile(sources, Path(tmp))
        except (Exception, SystemExit) as e:  # setuptools reports a failed compile as SystemExit
            os.chdir(here)
            print(log.getvalue()[-4000:], file=sys.stderr)
            print(f"native: build failed ({e}); the pure-Python parser stays in use", file=sys.stderr)
            return 1
        finally:
            os.chdir(here)
        for f in built:
            dest = ROOT / f.relative_to(Path(tmp) / "lib")
            part = dest.with_name(dest.name + ".part")
            shutil.copy2(f, part)
            os.replace(part, dest)
    import mypy.version

    record = {"digest": digest, "mypyc": mypy.version.__version__, "modules": sorted(sources)}
    native.MANIFEST.write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != native.ENV_PURE}
    check = subprocess.run([sys.executable, "-c", _CHECK], cwd=ROOT, env=env, capture_output=True,
                           text=True)  # fmt: skip
    if check.returncode != 0:
        clean()
        print(f"native: the build does not load ({check.stdout.strip()} {check.stderr[-2000:]});"
              " removed it, the pure-Python parser stays in use", file=sys.stderr)  # fmt: skip
        return 1
    print(f"native: {check.stdout.strip()}, {len(built)} files, {time.monotonic() - t0:.0f} s")
    return 0


def main(argv: list[str]) -> int:
    cmd = argv[0] if argv else "build"
    if cmd == "build":
        return build(force="--force" in argv[1:])
    if cmd == "clean":
        print(f"native: removed {clean()} files")
        return 0
    if cmd == "status":
        env = {k: v for k, v in os.environ.items() if k != native.ENV_PURE}
        return subprocess.run([sys.executable, "-c", _CHECK], cwd=ROOT, env=env).returncode
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
