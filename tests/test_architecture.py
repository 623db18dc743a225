"""The layering of docs/decisions.md and ARCHITECTURE.md, checked on the imports."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOMAIN = ("accounts", "farms", "traceability", "marketplace", "knowledge", "maps")
# The project's wiring names every app by design: settings, URLs and the WSGI entry.
WIRING = {"settings.py", "urls.py"}


def imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def modules(folder: str):
    return [p for p in (ROOT / folder).rglob("*.py") if "migrations" not in p.parts]


def test_services_never_import_tasks():
    offending = [
        f"{path.relative_to(ROOT)} imports {name}"
        for app in DOMAIN
        for path in modules(app)
        if "services" in path.parts or path.name == "services.py"
        for name in imports(path)
        if name.endswith(".tasks") and name.split(".")[0] in DOMAIN
    ]
    assert offending == []


def test_the_ground_floor_knows_no_domain_app():
    offending = [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in modules("backend")
        if path.name not in WIRING
        for name in imports(path)
        if name.split(".")[0] in (*DOMAIN, "mobile_api")
    ]
    assert offending == []


def test_only_the_project_wiring_imports_the_api_composition():
    offending = [
        f"{path.relative_to(ROOT)} imports {name}"
        for folder in (*DOMAIN, "backend")
        for path in modules(folder)
        if path.name not in WIRING
        for name in imports(path)
        if name.split(".")[0] == "mobile_api"
    ]
    assert offending == []
