#!/usr/bin/env python3
"""Checks that lang/reference.md documents every builtin: each name in a
builtin table of interp/builtins/*.cpp (`{"name", "signature", ...}`) must
appear in a code span of the reference (`sum`, `sum(x, axis)` or a list such
as `exp log sqrt`). Prints each missing name and exits 1 when there is one.

    scripts/check-reference.py [SOURCE_ROOT]
"""
import pathlib
import re
import sys

ENTRY = re.compile(r'\{"([a-z_][a-z_0-9]*)",\s*"')


def main():
    root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else pathlib.Path(__file__).parent.parent)
    builtins = set()
    for path in sorted((root / "interp" / "builtins").glob("*.cpp")):
        builtins.update(ENTRY.findall(path.read_text()))
    reference = (root / "lang" / "reference.md").read_text()
    documented = set()
    # Code spans (fenced blocks count too); a span may wrap within its paragraph.
    for block in re.findall(r"```.*?```", reference, flags=re.S):
        documented.update(re.findall(r"[a-z_][a-z_0-9]*", block))
    prose = re.sub(r"```.*?```", "", reference, flags=re.S)
    for paragraph in re.split(r"\n\s*\n", prose):
        for span in re.findall(r"``?([^`]+?)``?", paragraph, flags=re.S):
            documented.update(re.findall(r"[a-z_][a-z_0-9]*", span))
    missing = sorted(builtins - documented)
    for name in missing:
        print(f"lang/reference.md does not document the builtin `{name}`")
    print(f"reference: {len(builtins)} builtins, {len(missing)} undocumented")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
