#!/usr/bin/env python3
"""Checks that each source folder includes only the folders below it.

The layers, lowest first (README, "Layout"): support; core (the op table,
dtypes, shapes, shape rules); runtime; ir, frontend; autodiff, codegen;
interp, aot; tools. A folder may
include itself and what its entry in ALLOWED lists; the backend-neutral
files directly in codegen/ include no backend (codegen/cpu/, ...), since
every backend plugs into them. Prints each offending
include as `file:line: folder includes folder/...` and exits 1 when there
is one.   scripts/check-layering.py [SOURCE_ROOT]
"""
import pathlib
import re
import sys

ALLOWED = {
    "support": set(),
    "core": {"support"},
    "runtime": {"support", "core"},
    "ir": {"support", "core", "runtime"},
    "frontend": {"support", "core"},
    "autodiff": {"support", "core", "ir"},
    "codegen": {"support", "core", "ir", "runtime"},
    "interp": {"support", "core", "ir", "runtime", "frontend", "autodiff", "codegen"},
    "aot": {"support", "core", "ir", "runtime", "codegen", "aot", "nnc"},
}
# Folders whose own files are backend-neutral: they include none of their subfolders.
NEUTRAL = {"codegen"}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([a-z_]+)/([a-z_]+/)?')
SUFFIXES = {".h", ".cpp", ".def", ".re", ".y"}


def main():
    root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else pathlib.Path(__file__).parent.parent)
    bad = 0
    for folder, allowed in ALLOWED.items():
        for path in sorted((root / folder).rglob("*")):
            if path.suffix not in SUFFIXES:
                continue
            for number, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
                m = INCLUDE.match(line)
                if not m or not (root / m.group(1)).is_dir():
                    continue
                if m.group(1) != folder and m.group(1) not in allowed:
                    print(f"{path.relative_to(root)}:{number}: {folder} includes {m.group(1)}/...")
                    bad += 1
                elif folder in NEUTRAL and path.parent == root / folder and m.group(1) == folder and m.group(2):
                    print(f"{path.relative_to(root)}:{number}: backend-neutral {folder}/ includes {folder}/{m.group(2)}...")
                    bad += 1
    print(f"layering: {bad} offending includes")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
