"""Audit codes you can grep: every `audit_record` call names its full dotted code as a literal, and
every code is registered with its label (protection.registry, filled by each app's
audit_codes.py). Checked twice: by reading the source, and by audit_record itself in the tests
(BRIDGEWAY_AUDIT_CODES_STRICT)."""

import ast
from pathlib import Path

import pytest
from django.test import override_settings

from bridgeway.protection.audit import ACTION_RE, AuditPayloadError, audit_record
from bridgeway.protection.models import AuditEvent
from bridgeway.protection.registry import audit_code_label, audit_codes

SOURCE = Path(__file__).resolve().parents[2] / "bridgeway"


def _literals(node: ast.expr) -> list[str] | None:
    """The codes an expression names literally: "a.b.c", `"a.b.c" if x else "a.b.d"`, or an
    inline dict of literals indexed by something (`{X: "a.b.c", Y: "a.b.d"}[state]`)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        body, orelse = _literals(node.body), _literals(node.orelse)
        return body + orelse if body is not None and orelse is not None else None
    if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Dict):
        values = [_literals(v) for v in node.value.values]
        return None if any(v is None for v in values) else [c for v in values for c in v]
    return None


def _argument(call: ast.Call, name: str, position: int) -> ast.expr | None:
    for keyword in call.keywords:
        if keyword.arg == name:
            return keyword.value
    return call.args[position] if position < len(call.args) else None


def _name(func: ast.expr) -> str | None:
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) \
        else None


def scan(source: str, where: str = "") -> tuple[set[str], list[str]]:
    """(codes named, problems) for one module. A call may pass on a parameter of its function
    (`_record(action, ...)`) when every call of that function in the module names a literal."""
    tree = ast.parse(source)
    codes: set[str] = set()
    problems: list[str] = []
    parents = {child: parent for parent in ast.walk(tree) for child in ast.iter_child_nodes(parent)}
    wrappers: dict[str, tuple[str, int]] = {}
    for call in (n for n in ast.walk(tree) if isinstance(n, ast.Call)):
        if _name(call.func) != "audit_record":
            continue
        action = _argument(call, "action", 99)
        found = _literals(action) if action is not None else None
        if found is not None:
            codes.update(found)
            continue
        function = parents.get(call)
        while function is not None and not isinstance(function, ast.FunctionDef):
            function = parents.get(function)
        positional = [a.arg for a in function.args.args] if function else []
        keyword_only = [a.arg for a in function.args.kwonlyargs] if function else []
        if isinstance(action, ast.Name) and action.id in positional + keyword_only:
            position = positional.index(action.id) if action.id in positional else 99
            wrappers[function.name] = (action.id, position)
            continue
        problems.append(f"{where}:{call.lineno}: audit_record(action={ast.unparse(action)}) "
                        "does not name its code as a literal")
    for call in (n for n in ast.walk(tree) if isinstance(n, ast.Call)):
        if _name(call.func) in wrappers:
            param, position = wrappers[_name(call.func)]
            action = _argument(call, param, position)
            found = _literals(action) if action is not None else None
            if found is None:
                problems.append(f"{where}:{call.lineno}: {_name(call.func)}({param}=...) does not "
                                "name its code as a literal")
            else:
                codes.update(found)
    return codes, problems


def codes_in_source() -> tuple[set[str], list[str]]:
    codes: set[str] = set()
    problems: list[str] = []
    for path in sorted(SOURCE.rglob("*.py")):
        found, wrong = scan(path.read_text(), str(path.relative_to(SOURCE.parent)))
        codes |= found
        problems += wrong
    return codes, problems


def test_every_audit_record_call_names_its_code_as_a_literal():
    codes, problems = codes_in_source()
    assert problems == []
    assert len(codes) > 80
    assert {"referrals.referral.revoked", "civicspace.incident.verified"} <= codes
    assert all(ACTION_RE.match(code) for code in codes)


def test_every_code_used_is_registered_with_a_label():
    codes, _problems = codes_in_source()
    assert sorted(codes - set(audit_codes())) == []
    assert str(audit_code_label("referrals.referral.revoked")) == "Referral revoked"


def test_every_registered_code_is_a_dotted_code_of_its_app():
    for code, label in audit_codes().items():
        assert ACTION_RE.match(code), code
        assert str(label).strip(), code


def test_the_scan_catches_an_f_string_and_an_unregistered_code():
    codes, problems = scan(
        'def revoke(verb):\n'
        '    audit_record(action=f"referrals.referral.{verb}")\n'
        '    audit_record(action="referrals.referral.vanished")\n'
        'def _record(action, referral):\n'
        '    audit_record(action=action)\n'
        '_record("referrals.referral.accepted", r)\n'
        '_record(code, r)\n', "snippet.py")
    assert len(problems) == 2
    assert "snippet.py:2" in problems[0] and "snippet.py:7" in problems[1]
    assert codes == {"referrals.referral.vanished", "referrals.referral.accepted"}
    assert "referrals.referral.vanished" not in audit_codes()


@pytest.mark.django_db
def test_writing_an_unregistered_code_fails_in_the_tests_and_writes_nothing():
    with pytest.raises(AuditPayloadError, match="not registered"):
        audit_record(action="cases.case.vanished")
    assert AuditEvent.objects.count() == 0


@pytest.mark.django_db
@override_settings(BRIDGEWAY_AUDIT_CODES_STRICT=False)
def test_in_production_an_unregistered_code_is_still_recorded():
    audit_record(action="cases.case.vanished")
    assert AuditEvent.objects.get().action == "cases.case.vanished"
