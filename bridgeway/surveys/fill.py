"""The form on the web: answers read from a POST (by field key: `share`, `staff-0-hours`), and the
HTML of the questions for the chosen language, drawn from the spec and the server's check (what is
relevant, calculated, allowed). Works without JavaScript: repeats are added and removed with
submit buttons; surveys/static/surveys/fill.js makes skip logic and the rest live."""

from __future__ import annotations

import re
from typing import Any

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from bridgeway.surveys.engine import Check
from bridgeway.surveys.spec import SELECTS, text_in

HIDDEN_TYPES = {"calculate", "start", "end", "today", "hidden"}
REQUIRED_MARK = mark_safe(' <span class="required" aria-hidden="true">*</span>')  # noqa: S308
INPUT_TYPES = {"integer": "number", "decimal": "number", "date": "date", "time": "time",
               "datetime": "datetime-local", "text": "text"}


def answers_from_post(spec: dict[str, Any], post: Any) -> dict[str, Any]:
    def walk(nodes: list[dict[str, Any]], prefix: str, out: dict[str, Any]) -> None:
        for node in nodes:
            key = prefix + node["name"]
            if node["kind"] == "group":
                walk(node["children"], prefix, out)
            elif node["kind"] == "repeat":
                try:
                    n = max(0, min(int(post.get(f"{key}-count", "0")), 500))
                except ValueError:
                    n = 0
                items = []
                for i in range(n):
                    item: dict[str, Any] = {}
                    walk(node["children"], f"{key}-{i}-", item)
                    items.append(item)
                out[node["name"]] = items
            elif node["type"] == "select_multiple":
                out[node["name"]] = post.getlist(key)
            elif node["type"] in HIDDEN_TYPES or node["type"] == "note":
                continue
            elif key in post:
                out[node["name"]] = post.get(key, "")
    answers: dict[str, Any] = {}
    walk(spec["children"], "", answers)
    return answers


def apply_repeat_action(spec: dict[str, Any], answers: dict[str, Any], action: str) -> bool:
    """`add:staff` or `remove:staff-1` (nested: `add:staff-0-children`). True if it changed."""
    verb, _sep, key = action.partition(":")
    parts = key.split("-")
    if verb == "remove":
        if len(parts) < 2 or not parts[-1].isdigit():
            return False
        index = int(parts.pop())
    target: Any = answers
    while len(parts) > 1:
        name, i = parts.pop(0), parts.pop(0)
        if not i.isdigit():
            return False
        items = target.get(name)
        if not isinstance(items, list) or int(i) >= len(items):
            return False
        target = items[int(i)]
    if not parts or not isinstance(target, dict):
        return False
    items = target.setdefault(parts[0], [])
    if not isinstance(items, list):
        return False
    if verb == "add" and len(items) < 500:
        items.append({})
        return True
    if verb == "remove" and 0 <= index < len(items):
        del items[index]
        return True
    return False


_REF = re.compile(r"\$\{([^}]+)\}")


def label_with_values(text: str, values: dict[str, str]) -> str:
    return _REF.sub(lambda m: values.get(m.group(1), ""), text)


class Renderer:
    def __init__(self, spec: dict[str, Any], lang: str, check: Check,
                 answers: dict[str, Any], errors: dict[str, str]):
        self.spec = spec
        self.lang = lang
        self.default = spec["default_language"]
        self.check = check
        self.answers = answers
        self.errors = errors
        self.values = dict(self._flat_values(spec["children"], answers))

    def _flat_values(self, nodes: list[dict[str, Any]], answers: dict[str, Any]):
        """Name -> value for `${name}` in labels (the first entry of a repeat is not used)."""
        for node in nodes:
            if node["kind"] == "group":
                yield from self._flat_values(node["children"], answers)
            elif node["kind"] == "question":
                if node.get("calculate"):
                    value = self.check.values.get(node["name"], "")
                else:
                    value = answers.get(node["name"], "")
                yield node["name"], " ".join(value) if isinstance(value, list) else str(value)

    def text(self, labels: dict[str, str], fallback: str = "") -> str:
        return text_in(labels, self.lang, self.default, fallback)

    def render(self) -> SafeString:
        return self.nodes(self.spec["children"], "", self.answers)

    def nodes(self, nodes: list[dict[str, Any]], prefix: str,
              answers: dict[str, Any]) -> SafeString:
        parts = [self.node(n, prefix, answers) for n in nodes]
        return mark_safe("".join(parts))  # noqa: S308 - every part is built with format_html

    def _hidden(self, key: str) -> str:
        return "" if self.check.relevant.get(key, True) else " hidden"

    def node(self, node: dict[str, Any], prefix: str, answers: dict[str, Any]) -> str:
        key = prefix + node["name"]
        if node["kind"] == "group":
            label = self.text(node["label"])
            inner = self.nodes(node["children"], prefix, answers)
            cls = "group field-list" if "field-list" in node.get("appearance", "") else "group"
            return format_html('<fieldset class="{}" data-key="{}"{}>{}{}</fieldset>', cls, key,
                               mark_safe(self._hidden(key)),  # noqa: S308 - a constant
                               format_html("<legend>{}</legend>", label) if label else "", inner)
        if node["kind"] == "repeat":
            return self.repeat(node, prefix, answers)
        return self.question(node, key, answers.get(node["name"]))

    def repeat(self, node: dict[str, Any], prefix: str, answers: dict[str, Any]) -> str:
        key = prefix + node["name"]
        items = answers.get(node["name"]) or []
        counted = bool(node.get("repeat_count"))
        n = self.check.repeat_counts.get(key, len(items))
        label = self.text(node["label"], node["name"])
        entries = []
        for i in range(max(n, len(items))):
            item = items[i] if i < len(items) and isinstance(items[i], dict) else {}
            ekey = f"{key}-{i}"
            remove = "" if counted else format_html(
                '<button type="submit" name="action" value="remove:{}" class="secondary" '
                'formnovalidate>{}</button>', ekey,
                _("Remove entry %(n)d of “%(label)s”") % {"n": i + 1, "label": label})
            entries.append(format_html(
                '<fieldset class="repeat-entry" data-key="{}"{}><legend>{} {}</legend>{}{}'
                '</fieldset>', ekey, mark_safe(self._hidden(ekey)),  # noqa: S308 - a constant
                label, i + 1, self.nodes(node["children"], ekey + "-", item), remove))
        add = "" if counted else format_html(
            '<button type="submit" name="action" value="add:{}" class="secondary" '
            'formnovalidate>{}</button>', key, _("Add “%(label)s”") % {"label": label})
        return format_html(
            '<section class="repeat" data-repeat="{}" aria-label="{}"><input type="hidden" '
            'name="{}-count" value="{}">{}{}</section>', key, label, key, len(entries),
            mark_safe("".join(entries)), add)  # noqa: S308 - built with format_html

    def question(self, node: dict[str, Any], key: str, value: Any) -> str:
        kind = node["type"]
        if kind in HIDDEN_TYPES:
            return ""
        label = label_with_values(self.text(node["label"], node["name"]), self.values)
        hint = self.text(node.get("hint") or {})
        error = self.errors.get(key, "")
        fid = "f-" + key
        described = " ".join(x for x in (f"{fid}-hint" if hint else "",
                                         f"{fid}-error" if error else "") if x)
        required = bool(node.get("required")) and node["required"] != "false()"
        mark = REQUIRED_MARK if required else ""
        readonly = node.get("readonly") == "true()"
        attrs = format_html(' id="{}" name="{}"{}{}{}', fid, key,
                            format_html(' aria-describedby="{}"', described) if described else "",
                            mark_safe(' aria-invalid="true"') if error else "",  # noqa: S308
                            mark_safe(" readonly") if readonly else "")  # noqa: S308
        control: str
        head: str
        if kind == "note":
            control = ""
            head = format_html('<p class="note" data-label="{}">{}</p>', key, label)
        elif kind in SELECTS:
            head = ""
            control = self.choices(node, key, value, label, mark, described, error)
        elif kind == "acknowledge":
            head = ""
            control = format_html(
                '<label for="{}"><input type="checkbox" value="OK"{}{}> {}{}</label>', fid,
                attrs, mark_safe(" checked") if value == "OK" else "", label,  # noqa: S308
                mark)
        else:
            head = format_html('<label for="{}" data-label="{}">{}{}</label>', fid, key, label,
                               mark)
            text = "" if value is None else str(value)
            if kind == "range":
                p = node.get("parameters") or {}
                control = format_html(
                    '<input type="number" min="{}" max="{}" step="{}" value="{}"{}>',
                    p.get("start", "1"), p.get("end", "10"), p.get("step", "1"), text, attrs)
            elif kind == "text" and "multiline" in node.get("appearance", ""):
                control = format_html("<textarea{} rows=\"4\">{}</textarea>", attrs, text)
            else:
                extra = ""
                if kind == "decimal":
                    extra = ' step="any" inputmode="decimal"'
                elif kind == "integer":
                    extra = ' step="1" inputmode="numeric"'
                control = format_html('<input type="{}" value="{}"{}{}>',
                                      INPUT_TYPES.get(kind, "text"), text, attrs,
                                      mark_safe(extra))  # noqa: S308 - a constant
        hint_html = format_html('<p class="hint" id="{}-hint">{}</p>', fid, hint) if hint else ""
        error_html = format_html('<p class="error" id="{}-error" data-error="{}">{}</p>', fid,
                                 key, error) if error else format_html(
            '<p class="error" id="{}-error" data-error="{}" hidden></p>', fid, key)
        return format_html('<div class="question q-{}" data-key="{}"{}>{}{}{}{}</div>', kind, key,
                           mark_safe(self._hidden(key)), head, hint_html,  # noqa: S308
                           control, error_html)

    def choices(self, node: dict[str, Any], key: str, value: Any, label: str, mark: str,
                described: str, error: str) -> str:
        multiple = node["type"] == "select_multiple"
        chosen = set(value if isinstance(value, list) else str(value or "").split())
        allowed = set(self.check.choices.get(key, []))
        items = []
        for i, choice in enumerate(self.spec["choices"].get(node["list"], [])):
            cid = f"f-{key}-{i}"
            items.append(format_html(
                '<li data-choice="{}"{}><input type="{}" id="{}" name="{}" value="{}"{}> '
                '<label for="{}">{}</label></li>', choice["name"],
                mark_safe("" if choice["name"] in allowed else " hidden"),  # noqa: S308
                "checkbox" if multiple else "radio", cid, key, choice["name"],
                mark_safe(" checked" if choice["name"] in chosen else ""),  # noqa: S308
                cid, self.text(choice["label"], choice["name"])))
        return format_html(
            '<fieldset class="choices"{}><legend data-label="{}">{}{}</legend><ul>{}</ul>'
            '</fieldset>', format_html(' aria-describedby="{}"', described) if described else "",
            key, label, mark, mark_safe("".join(items)))  # noqa: S308 - built with format_html


def live_payload(spec: dict[str, Any], lang: str, check: Check, answers: dict[str, Any],
                 touched: set[str]) -> dict[str, Any]:
    """What the browser script needs after an answer changed."""
    renderer = Renderer(spec, lang, check, answers, {})
    labels: dict[str, str] = {}

    def walk(nodes: list[dict[str, Any]], prefix: str) -> None:
        for node in nodes:
            if node["kind"] == "question" and "${" in str(node["label"]):
                labels[prefix + node["name"]] = label_with_values(
                    renderer.text(node["label"], node["name"]), renderer.values)
            elif node["kind"] == "group":
                walk(node["children"], prefix)
    walk(spec["children"], "")
    return {"relevant": check.relevant, "choices": check.choices, "labels": labels,
            "errors": {k: v for k, v in check.errors.items() if k in touched}}

