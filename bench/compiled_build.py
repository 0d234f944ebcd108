"""Make a copy of this tree that runs the compiled build, to measure it against the pure tree.

    python bench/compiled_build.py /tmp/prefork-mypyc
    PYTHONPATH=/tmp/prefork-mypyc python bench/inproc_instructions.py hello 2000       # from /tmp/prefork-mypyc
    python bench/hello.py --servers prefork,prefork-base --baseline-tree /tmp/prefork-mypyc ...

It copies the files git tracks (the working tree's versions) into DEST, which it empties first, and builds the
wheel there exactly as a user's ``HATCH_BUILD_HOOK_ENABLE_MYPYC=1 pip wheel .`` does (pyproject.toml's mypyc hook:
the modules it lists, the options it sets). The wheel goes to DEST/dist, and its extensions are unpacked beside the
``.py`` files of the copy, so ``PYTHONPATH=DEST`` runs prefork compiled (Python imports an extension before the
``.py`` beside it); the script checks that ``server.COMPILED`` says so. Nothing is built in this tree.

Needs a C compiler and the network (or pip's cache) for the build requirements, as the build itself does.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def copy_tree(dest: str) -> None:
    """Replace ``dest`` by a copy of the files git tracks in this tree."""
    shutil.rmtree(dest, ignore_errors=True)
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    for path in filter(None, listed.decode().split("\0")):
        source = os.path.join(ROOT, path)
        if os.path.isfile(source):  # a file deleted in the working tree and not yet in the index is skipped
            os.makedirs(os.path.join(dest, os.path.dirname(path)), exist_ok=True)
            shutil.copy2(source, os.path.join(dest, path))


def build(dest: str, python: str) -> str:
    """Build the compiled wheel of the copy in ``dest`` with ``python``; return its path."""
    dist = os.path.join(dest, "dist")
    env = {**os.environ, "HATCH_BUILD_HOOK_ENABLE_MYPYC": "1"}
    subprocess.run([python, "-m", "pip", "wheel", "-q", "--no-deps", "-w", dist, dest], env=env, check=True)
    (wheel,) = (os.path.join(dist, name) for name in os.listdir(dist) if name.endswith(".whl"))
    return wheel


def unpack_extensions(wheel: str, dest: str) -> list[tuple[str, int]]:
    """Put the wheel's extensions into ``dest`` (over any the build left there); return their names and sizes."""
    with zipfile.ZipFile(wheel) as archive:
        members = [info for info in archive.infolist() if info.filename.endswith(".so")]
        for info in members:
            archive.extract(info, dest)
    return [(info.filename, info.file_size) for info in members]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dest", help="directory for the copy (emptied first); never this tree")
    parser.add_argument("--python", default=sys.executable, help="the interpreter to build for (default: this one)")
    args = parser.parse_args()
    dest = os.path.abspath(args.dest)
    if dest == ROOT or dest.startswith(ROOT + os.sep):
        parser.error("dest must be outside this tree")
    copy_tree(dest)
    started = time.monotonic()
    wheel = build(dest, args.python)
    print(f"built in {time.monotonic() - started:.0f} s: {wheel} ({os.path.getsize(wheel) / 1e3:.0f} kB)")
    for name, size in unpack_extensions(wheel, dest):
        print(f"  {name} ({size / 1e3:.0f} kB)")
    check = "import server, sys; sys.exit(0 if server.COMPILED else 'server.COMPILED is False: the build did not take')"
    subprocess.run([args.python, "-c", check], cwd=dest, check=True)


if __name__ == "__main__":
    main()
