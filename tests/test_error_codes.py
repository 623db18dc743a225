"""Every refusal carries a code from its app's enumeration (``<app>/error_codes.py``),
which the API exposes as GraphQL enums: no free-text codes, and no code nobody raises."""

import ast
import logging
import re
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from backend.error_codes import CommonErrorCode
from backend.graphql.errors import error_type, refusals_as
from traceability.error_codes import TraceabilityErrorCode

ROOT = Path(__file__).resolve().parent.parent
APPS = ["accounts", "farms", "traceability", "marketplace", "knowledge", "maps", "backend"]
RAISERS = {"field_error": 2, "_order_error": 1, "_reject": 1}  # position of the code


def sources(app: str):
    for path in sorted((ROOT / app).rglob("*.py")):
        if "migrations" not in path.parts and path.name != "error_codes.py":
            yield path


def literal_codes(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if not isinstance(node, ast.Call):
            continue
        name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
        position = RAISERS.get(name)
        arguments = list(node.args)
        if position is not None and len(arguments) > position:
            found.append(arguments[position])
        found += [kw.value for kw in node.keywords if kw.arg == "code" and name != "Refusal"]
    return [
        f"{path.relative_to(ROOT)}:{value.lineno} {value.value!r}"
        for value in found
        if isinstance(value, ast.Constant) and isinstance(value.value, str)
    ]


def test_no_service_raises_a_free_text_code():
    literals = [site for app in APPS for path in sources(app) for site in literal_codes(path)]
    assert literals == []


@pytest.mark.parametrize("app", APPS)
def test_every_declared_code_is_raised_somewhere(app):
    module = "backend" if app == "backend" else app
    text = (ROOT / module / "error_codes.py").read_text()
    enum_name, *members = re.findall(r"class (\w+)\(StrEnum\)|^    (\w+) = ", text, re.M)
    enum_name = enum_name[0]
    members = [member for _class, member in members]
    everywhere = "\n".join(
        path.read_text() for other in APPS for path in sources(other) if path.suffix == ".py"
    )
    django_own = {
        "BLANK",
        "INVALID",
        "INVALID_CHOICE",
        "INVALID_DATE",
        "INVALID_DATETIME",
        "INVALID_TIME",
        "MAX_DECIMAL_PLACES",
        "MAX_DIGITS",
        "MAX_LENGTH",
        "MAX_VALUE",
        "MAX_WHOLE_DIGITS",
        "MIN_LENGTH",
        "MIN_VALUE",
        "NULL_CHARACTERS_NOT_ALLOWED",
        "REQUIRED",
        "STEP_SIZE",
        "UNIQUE",
    }  # raised by Django's own validation
    unused = [
        member
        for member in members
        if f"{enum_name}.{member}" not in everywhere and member not in django_own
    ]
    assert unused == []


def test_a_code_outside_the_mutations_enumeration_is_answered_as_invalid_and_logged(caplog):
    farm_error = error_type("FarmOnlyError")
    refusal = ValidationError({"step": ValidationError("x", code=TraceabilityErrorCode.RECALLED)})
    with caplog.at_level(logging.ERROR):
        (answer,) = refusals_as(farm_error, refusal)
    assert answer.code == CommonErrorCode.INVALID and answer.field == "step"
    assert "recalled" in caplog.text
    (kept,) = refusals_as(error_type("TraceError", TraceabilityErrorCode), refusal)
    assert kept.code == "recalled"
