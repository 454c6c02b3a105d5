"""The code stays readable: no function in the app is over 60 lines unless a
comment at its top says why it cannot be split, and importing a module
changes no state (nothing is registered or set as a side effect)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APP = ("bot", "handlers", "storage")
LIMIT = 60
# A long function says why it stays whole with a comment starting so, on the
# line before it (or its decorators) or among its first lines.
MARK = "# Not split:"


def app_modules() -> list[Path]:
    return [
        path for package in APP for path in sorted((ROOT / package).rglob("*.py")) if "migrations" not in path.parts
    ]


def long_functions(path: Path) -> list[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    found = []
    for node in ast.walk(ast.parse("\n".join(lines))):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        length = (node.end_lineno or node.lineno) - node.lineno + 1
        top = min([node.lineno, *(d.lineno for d in node.decorator_list)])
        near = lines[max(0, top - 3) : node.lineno + 3]
        if length > LIMIT and not any(line.strip().startswith(MARK) for line in near):
            found.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name} is {length} lines")
    return found


def test_no_function_is_over_60_lines_without_saying_why():
    found = [line for path in app_modules() for line in long_functions(path)]
    assert not found, "split these, or say why not with a '# Not split:' comment:\n" + "\n".join(found)


def test_importing_a_module_changes_no_other_module():
    # Import everything, then import each module again: a module that fills
    # another's registry or sets another's global as it is imported shows up
    # as a change in that other module. (Registries are built by create_app.)
    names = [".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__") for path in app_modules()]
    script = (
        "import importlib, sys\n"
        f"names = {names!r}\n"
        "def snapshot(skip):\n"
        "    def seen(value):\n"
        "        if isinstance(value, dict): return sorted((repr(k), id(v)) for k, v in value.items())\n"
        "        if isinstance(value, (list, set)): return sorted(map(id, value))\n"
        "        if value is None or isinstance(value, (str, int, float, bool)): return repr(value)\n"
        "        return type(value).__name__\n"
        "    return {(name, key): seen(value)\n"
        "            for name in names if name != skip\n"
        "            for key, value in vars(sys.modules[name]).items() if not key.startswith('__')}\n"
        "for name in names: importlib.import_module(name)\n"
        "for name in names:\n"
        "    before = snapshot(name)\n"
        "    importlib.reload(sys.modules[name])\n"
        "    after = snapshot(name)\n"
        "    for key in sorted(k for k in before if before[k] != after.get(k)):\n"
        "        print(f'importing {name} changed {key[0]}.{key[1]}')\n"
    )
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "", result.stdout
