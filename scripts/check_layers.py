#!/usr/bin/env python3
"""Fails when the product's folders (lib/sluice/<folder>) include each other in
a way lib/CMakeLists.txt does not declare, or form a cycle; kubesim (lib/kubesim)
may use the product's lower folders, the product never uses kubesim."""
import pathlib
import re
import sys

root = pathlib.Path(__file__).resolve().parent.parent
cmake = (root / "lib" / "CMakeLists.txt").read_text()
declared = {}
for name, body in re.findall(r"^sluice_module\((\w+)(.*?)\)\s*$", cmake, re.M | re.S):
    deps = re.search(r"DEPS((?:\s+\w+)*?)(?:\s+PACKAGES|\s*$)", body.strip())
    declared[name] = set(deps.group(1).split()) if deps else set()

include = re.compile(r'^\s*#\s*include\s*[<"](sluice|kubesim)/(\w+)?', re.M)
used, problems = {}, []
for path in sorted((root / "lib").rglob("*.[ch]pp")):
    rel = path.relative_to(root / "lib")
    owner = rel.parts[1] if rel.parts[0] == "sluice" else "kubesim"
    for top, folder in include.findall(path.read_text()):
        if top == "kubesim" and owner != "kubesim":
            problems.append(f"lib/{rel}: the product includes kubesim/")
        elif top == "sluice" and folder and folder != owner:
            used.setdefault(owner, set()).add(folder)
            if owner != "kubesim" and folder not in declared.get(owner, set()):
                problems.append(f"lib/{rel}: includes sluice/{folder}/, not a declared dependency of {owner}")

for name in declared:
    if not (root / "lib" / "sluice" / name).is_dir():
        problems.append(f"lib/CMakeLists.txt: module {name} has no folder")
for folder in (root / "lib" / "sluice").iterdir():
    if folder.is_dir() and folder.name not in declared:
        problems.append(f"lib/sluice/{folder.name}: not a module in lib/CMakeLists.txt")


def cycle_from(node, graph, path, seen):
    if node in path:
        return path[path.index(node):] + [node]
    if node in seen:
        return None
    seen.add(node)
    for nxt in sorted(graph.get(node, ())):
        found = cycle_from(nxt, graph, path + [node], seen)
        if found:
            return found
    return None


seen = set()
for node in sorted(declared):
    cycle = cycle_from(node, declared, [], seen)
    if cycle:
        problems.append("folder cycle: " + " -> ".join(cycle))
        break

for p in problems:
    print(p)
if not problems:
    print(f"layers ok: {len(declared)} product folders, no cycle, every include declared")
sys.exit(1 if problems else 0)
