"""Build a throwaway copy of this tree with some modules compiled by mypyc, to measure against the pure tree.

    python bench/compiled_build.py /tmp/prefork-mypyc                      # server/'s hot path
    python bench/compiled_build.py /tmp/prefork-mypyc-web --web            # and web/query.py
    python bench/compiled_build.py /tmp/x server/writer.py server/tasks.py  # any list of modules

It copies the files git tracks (the working tree's versions) into DEST, which it empties first, so nothing is built
beside the sources of this tree. mypyc type-checks what it compiles and refuses to build on any error, so the script
runs mypy on the modules first and marks each reported line ``# type: ignore[code]`` in the copy only: mypyc then
compiles the line as written and checks the types at run time where they are declared (a wrong one raises
``TypeError`` where Python would go on). A module mypyc cannot compile at all stops the build; leave it out of the
list. Then ``python -m mypyc`` builds the extensions in place in DEST, and the script lists the ``.so`` files:
``PYTHONPATH=DEST`` runs prefork with them (Python imports an extension before the ``.py`` beside it).

Measurement only: prefork ships pure Python (bench/README.md, "Compiled builds").
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# The modules a request runs through in server/ (bench/README.md, "Where prefork's time goes"), less streams.py:
# its aiohttp-API readers (iter_chunked, iter_any, ``async for``) are async generators, which mypyc refuses.
SERVER_HOT = [
    "server/protocol.py",
    "server/parser_callbacks.py",
    "server/exchange.py",
    "server/writer.py",
    "server/tasks.py",
    "server/dateheader.py",
]
# The web/ module on a request's path that compiles and runs on its own. handler, request and response do not
# (a native Response cannot be a base of HTTPException(Response, Exception): "multiple bases have instance lay-out
# conflict"); router compiles, but UrlDispatcher() fails: it stores a bound method on an undeclared attribute.
WEB_ALONE = ["web/query.py"]

_ERROR = re.compile(r"^(?P<path>[^:]+):(?P<line>\d+): error: .*\[(?P<code>[a-z-]+)\]$")


def copy_tree(dest: str) -> None:
    """Replace ``dest`` by a copy of the files git tracks in this tree."""
    shutil.rmtree(dest, ignore_errors=True)
    files = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, check=True, capture_output=True).stdout
    for name in files.decode().split("\0"):
        if name and os.path.isfile(os.path.join(ROOT, name)):
            os.makedirs(os.path.join(dest, os.path.dirname(name)), exist_ok=True)
            shutil.copy2(os.path.join(ROOT, name), os.path.join(dest, name))


_CLASS_TYPE_CHECKING = re.compile(r"^(?P<indent>[ ]+)if TYPE_CHECKING:\n(?:(?P=indent)[ ]+.*\n|[ ]*\n)*", re.M)


def strip_class_type_checking(dest: str, modules: list[str]) -> list[str]:
    """Drop the indented ``if TYPE_CHECKING:`` blocks (declarations for mypy in a class body) in ``dest``'s copies.

    mypyc refuses any statement but a definition in a class body; what the block declares is defined on a sibling
    base class, so dropping it changes nothing at run time (mypy then reports the uses, silenced below).
    """
    stripped = []
    for path in modules:
        with open(os.path.join(dest, path)) as f:
            text = f.read()
        new, count = _CLASS_TYPE_CHECKING.subn("", text)
        if count:
            with open(os.path.join(dest, path), "w") as f:
                f.write(new)
            stripped.append(f"{path}: {count}")
    return stripped


def silence_type_errors(dest: str, modules: list[str]) -> list[str]:
    """Run mypy on ``modules`` in ``dest`` and mark every line it reports ``# type: ignore[code]``; return them."""
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--follow-imports=silent", "--no-incremental", *modules],
        cwd=dest,
        capture_output=True,
        text=True,
    )
    marks: dict[tuple[str, int], set[str]] = {}
    for line in result.stdout.splitlines():
        match = _ERROR.match(line)
        if match:
            marks.setdefault((match["path"], int(match["line"])), set()).add(match["code"])
    for (path, number), codes in sorted(marks.items()):
        with open(os.path.join(dest, path)) as f:
            lines = f.read().split("\n")
        text = lines[number - 1]
        mark = f"# type: ignore[{', '.join(sorted(codes))}]"
        # A comment already on the line goes after the mark: mypy reads only a leading ``# type:``.
        code, sep, comment = text.partition("  # ")
        lines[number - 1] = f"{code}  {mark}" + (f"  # {comment}" if sep else "")
        with open(os.path.join(dest, path), "w") as f:
            f.write("\n".join(lines))
    return [f"{path}:{number}: {', '.join(sorted(codes))}" for (path, number), codes in sorted(marks.items())]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dest", help="directory for the copy (emptied first); never this tree")
    parser.add_argument("modules", nargs="*", help="modules to compile, relative to the tree (default: server/'s)")
    parser.add_argument("--web", action="store_true", help="also compile " + ", ".join(WEB_ALONE))
    args = parser.parse_args()
    dest = os.path.abspath(args.dest)
    if dest == ROOT or dest.startswith(ROOT + os.sep):
        parser.error("dest must be outside this tree")
    modules = args.modules or SERVER_HOT + (WEB_ALONE if args.web else [])
    copy_tree(dest)
    for block in strip_class_type_checking(dest, modules):
        print("class-body TYPE_CHECKING blocks dropped:", block)
    for mark in silence_type_errors(dest, modules):
        print("type: ignore", mark)
    started = time.monotonic()
    subprocess.run([sys.executable, "-m", "mypyc", *modules], cwd=dest, check=True)
    print(f"built in {time.monotonic() - started:.0f} s:")
    for folder, subdirs, names in os.walk(dest):
        if folder == dest:
            subdirs[:] = [d for d in subdirs if d != "build"]  # setuptools' intermediate copies
        for name in sorted(names):
            if name.endswith(".so"):
                print(" ", os.path.relpath(os.path.join(folder, name), dest))


if __name__ == "__main__":
    main()
