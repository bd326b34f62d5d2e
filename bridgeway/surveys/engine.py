"""The server's check of a submission against its form: types, required, constraints, relevance
(answers to questions that are not relevant are dropped), calculations, choice filters, repeats and
repeat counts.

The answers are placed in an XML instance shaped as the XForm's (groups and repeats as elements), and
the expressions pyxform wrote into the XForm's binds are evaluated on it by libxml2's XPath 1.0
(lxml) with the ODK functions added as extension functions. The same check answers the browser's
live requests (`live_state`), so skip logic, constraint messages, calculations and choice filters
in the browser are exactly what the server will accept.

Answers are a flat dict by question name (groups do not nest: names are unique in a form); a repeat
is a list of such dicts. A select_multiple answer is a list of choice names.
"""

from __future__ import annotations

import math
import re
import threading
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from lxml import etree

from bridgeway.surveys.spec import JR, METADATA, SELECTS, text_in

INST = "_bw_instance"  # where the choice lists sit inside the instance, for instance('list')
MAX_TEXT = 10_000
MAX_REPEAT = 500
NSMAP = {"jr": JR}


class FormExpressionError(Exception):
    """An expression the evaluator cannot run (bad XPath, unknown function)."""


def _str(value: Any) -> str:
    if isinstance(value, list):
        if not value:
            return ""
        first = value[0]
        if isinstance(first, str):
            return first
        return "".join(first.itertext()) if hasattr(first, "itertext") else str(first)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return _fmt_number(value)
    return "" if value is None else str(value)


def _fmt_number(value: float) -> str:
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


def _num(value: Any) -> float:
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, float | int):
        return float(value)
    text = _str(value).strip()
    try:
        return float(text)
    except ValueError:
        return math.nan


def _bool(value: Any) -> bool:
    if isinstance(value, list):
        return bool(value)
    if isinstance(value, float):
        return not (value == 0 or math.isnan(value))
    if isinstance(value, str):
        return value != ""
    return bool(value)


@dataclass
class Check:
    """The outcome of checking answers: the clean answers to store, the errors by field key, and
    what the browser needs to show the form as it stands."""
    answers: dict[str, Any]
    errors: dict[str, str] = field(default_factory=dict)
    relevant: dict[str, bool] = field(default_factory=dict)
    values: dict[str, str] = field(default_factory=dict)  # calculated values by field key
    choices: dict[str, list[str]] = field(default_factory=dict)  # allowed choices by field key
    repeat_counts: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class _Entry:
    node: dict[str, Any]
    el: Any
    key: str
    parent: _Entry | None


class Engine:
    """One per form version (cached); the extension functions read the evaluation's state from a
    thread-local, so one engine serves concurrent requests."""

    def __init__(self, spec: dict[str, Any]):
        self.spec = spec
        self._compiled: dict[str, etree.XPath] = {}
        self._local = threading.local()
        self._ext = self._extensions()

    # --- XPath -----------------------------------------------------------------------------
    def _extensions(self) -> dict[tuple[str | None, str], Any]:
        def selected(_ctx: Any, value: Any, choice: Any) -> bool:
            return _str(choice).strip() in _str(value).split()

        def count_selected(_ctx: Any, value: Any) -> float:
            return float(len(_str(value).split()))

        def selected_at(_ctx: Any, value: Any, index: Any) -> str:
            parts = _str(value).split()
            i = int(_num(index)) if not math.isnan(_num(index)) else -1
            return parts[i] if 0 <= i < len(parts) else ""

        def if_(_ctx: Any, cond: Any, a: Any, b: Any) -> Any:
            return a if _bool(cond) else b

        def coalesce(_ctx: Any, a: Any, b: Any) -> str:
            return _str(a) or _str(b)

        def regex(_ctx: Any, value: Any, pattern: Any) -> bool:
            try:
                return re.search(_str(pattern), _str(value)) is not None
            except re.error:
                return False

        def today(_ctx: Any) -> str:
            return timezone.localdate().isoformat()

        def now(_ctx: Any) -> str:
            return timezone.localtime().isoformat(timespec="seconds")

        def int_(_ctx: Any, value: Any) -> float:
            n = _num(value)
            return n if math.isnan(n) or math.isinf(n) else float(math.trunc(n))

        def join(_ctx: Any, sep: Any, *values: Any) -> str:
            out: list[str] = []
            for v in values:
                if isinstance(v, list):
                    out.extend(_str([x]) for x in v)
                else:
                    out.append(_str(v))
            return _str(sep).join(out)

        def substr(_ctx: Any, value: Any, start: Any, end: Any = None) -> str:
            s = _str(value)
            a = int(_num(start))
            return s[a:] if end is None else s[a:int(_num(end))]

        def ends_with(_ctx: Any, value: Any, suffix: Any) -> bool:
            return _str(value).endswith(_str(suffix))

        def boolean_from_string(_ctx: Any, value: Any) -> bool:
            return _str(value).strip() in ("true", "1")

        def pow_(_ctx: Any, a: Any, b: Any) -> float:
            try:
                return float(math.pow(_num(a), _num(b)))
            except (OverflowError, ValueError):
                return math.nan

        def abs_(_ctx: Any, a: Any) -> float:
            return abs(_num(a))

        def numbers(values: tuple[Any, ...]) -> list[float]:
            out: list[float] = []
            for v in values:
                out.extend(_num([x]) for x in v) if isinstance(v, list) else out.append(_num(v))
            return out

        def max_(_ctx: Any, *values: Any) -> float:
            nums = numbers(values)
            return max(nums) if nums and not any(math.isnan(n) for n in nums) else math.nan

        def min_(_ctx: Any, *values: Any) -> float:
            nums = numbers(values)
            return min(nums) if nums and not any(math.isnan(n) for n in nums) else math.nan

        def once(_ctx: Any, value: Any) -> Any:
            cur = self._local.current
            return cur.text if cur is not None and cur.text else value

        def uuid_(_ctx: Any, *args: Any) -> str:
            return str(uuid.uuid4())

        def current(_ctx: Any) -> list[Any]:
            return [self._local.current]

        def instance(_ctx: Any, name: Any) -> list[Any]:
            found = self._local.instances.get(_str(name))
            return [found] if found is not None else []

        def choice_name(_ctx: Any, value: Any, ref: Any) -> str:
            return self._choice_label(_str(value), _str(ref))

        def date_(_ctx: Any, value: Any) -> str:
            text = _str(value)
            n = _num(value)
            if not math.isnan(n) and text.lstrip("-").replace(".", "", 1).isdigit():
                return date.fromordinal(date(1970, 1, 1).toordinal() + int(n)).isoformat()
            return text[:10]

        def decimal_date_time(_ctx: Any, value: Any) -> float:
            text = _str(value)
            try:
                moment = datetime.fromisoformat(text)
            except ValueError:
                return math.nan
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=timezone.get_current_timezone())
            return (moment.timestamp()) / 86400.0

        def format_date(_ctx: Any, value: Any, fmt: Any) -> str:
            text = _str(value)
            try:
                moment = datetime.fromisoformat(text)
            except ValueError:
                return ""
            mapping = {"%Y": "%Y", "%m": "%m", "%d": "%d", "%H": "%H", "%M": "%M", "%S": "%S",
                       "%y": "%y", "%e": "%d", "%n": "%m", "%b": "%b", "%a": "%a"}
            pattern = re.sub(r"%[a-zA-Z]", lambda m: mapping.get(m.group(0), ""), _str(fmt))
            return moment.strftime(pattern)

        names: dict[str, Any] = {
            "selected": selected, "count-selected": count_selected, "selected-at": selected_at,
            "if": if_, "coalesce": coalesce, "regex": regex, "today": today, "now": now,
            "int": int_, "join": join, "substr": substr, "ends-with": ends_with,
            "boolean-from-string": boolean_from_string, "pow": pow_, "abs": abs_, "max": max_,
            "min": min_, "once": once, "uuid": uuid_, "current": current, "instance": instance,
            "date": date_, "date-time": date_, "decimal-date-time": decimal_date_time,
            "decimal-date": decimal_date_time, "format-date": format_date,
            "format-date-time": format_date,
        }
        ext: dict[tuple[str | None, str], Any] = {(None, k): v for k, v in names.items()}
        ext[(JR, "choice-name")] = choice_name
        return ext

    def _choice_label(self, value: str, ref: str) -> str:
        name = ref.strip().rstrip("/").split("/")[-1]
        node = self._by_name().get(name)
        if not node or node.get("type") not in SELECTS:
            return ""
        for choice in self.spec["choices"].get(node["list"], []):
            if choice["name"] == value:
                return text_in(choice["label"], getattr(self._local, "lang", ""),
                               self.spec["default_language"], value)
        return ""

    def _by_name(self) -> dict[str, dict[str, Any]]:
        cached = getattr(self, "_names", None)
        if cached is None:
            from bridgeway.surveys.spec import iter_questions
            cached = {n["name"]: n for n, _r in iter_questions(self.spec["children"])}
            self._names = cached
        return cached

    def compile(self, expr: str) -> etree.XPath:
        found = self._compiled.get(expr)
        if found is None:
            try:
                found = etree.XPath(expr, namespaces=NSMAP, extensions=self._ext)
            except etree.XPathSyntaxError as exc:
                raise FormExpressionError(str(exc)) from None
            self._compiled[expr] = found
        return found

    def evaluate(self, expr: str, el: Any) -> Any:
        self._local.current = el
        try:
            return self.compile(expr)(el)
        except (etree.XPathEvalError, etree.XPathError) as exc:
            raise FormExpressionError(str(exc)) from None
        except (TypeError, ValueError, ZeroDivisionError, OverflowError) as exc:
            raise FormExpressionError(type(exc).__name__) from None

    # --- the instance ----------------------------------------------------------------------
    def _build(self, answers: dict[str, Any]) -> tuple[Any, list[_Entry], dict[str, Any]]:
        root = etree.Element(self.spec["root"])
        entries: list[_Entry] = []
        instances: dict[str, Any] = {}

        def place(nodes: list[dict[str, Any]], parent_el: Any, values: dict[str, Any],
                  prefix: str, parent: _Entry | None) -> None:
            for node in nodes:
                name = node["name"]
                if node["kind"] == "group":
                    el = etree.SubElement(parent_el, name)
                    entry = _Entry(node, el, prefix + name, parent)
                    entries.append(entry)
                    place(node["children"], el, values, prefix, entry)
                elif node["kind"] == "repeat":
                    items = values.get(name)
                    if not isinstance(items, list):
                        items = []
                    for i, item in enumerate(items[:MAX_REPEAT]):
                        el = etree.SubElement(parent_el, name)
                        key = f"{prefix}{name}-{i}"
                        entry = _Entry(node, el, key, parent)
                        entries.append(entry)
                        place(node["children"], el, item if isinstance(item, dict) else {},
                              key + "-", entry)
                else:
                    el = etree.SubElement(parent_el, name)
                    el.text = _as_text(values.get(name))
                    entries.append(_Entry(node, el, prefix + name, parent))

        place(self.spec["children"], root, answers, "", None)
        if any(n.get("choice_filter") for n in self._by_name().values()):
            holder = etree.SubElement(root, INST)
            for list_name, items in self.spec["choices"].items():
                inst = etree.SubElement(holder, "instance", id=list_name)
                r = etree.SubElement(inst, "root")
                for item in items:
                    it = etree.SubElement(r, "item")
                    etree.SubElement(it, "name").text = item["name"]
                    for k, v in item["fields"].items():
                        etree.SubElement(it, k).text = v
                instances[list_name] = inst
        return root, entries, instances

    # --- the check -------------------------------------------------------------------------
    def check(self, answers: dict[str, Any], *, final: bool, lang: str = "",
              meta: dict[str, str] | None = None) -> Check:
        answers = normalise(self.spec["children"], answers if isinstance(answers, dict) else {})
        self._local.lang = lang or self.spec["default_language"]
        for _round in range(3):
            root, entries, instances = self._build(answers)
            self._local.instances = instances
            relevant = self._settle(entries, meta or {})
            wanted = self._counted_repeats(entries, relevant, root, answers)
            if wanted is None:
                break
            answers = wanted
        return self._verdict(entries, relevant, final=final)

    def _settle(self, entries: list[_Entry], meta: dict[str, str]) -> dict[int, bool]:
        """Relevance and calculations, repeated until nothing changes (a calculation may use
        one further down the form)."""
        relevant: dict[int, bool] = {}
        for entry in entries:
            if entry.node["type"] in METADATA:
                entry.el.text = meta.get(entry.node["type"], entry.el.text or "")
        for _pass in range(6):
            changed = False
            for entry in entries:
                node = entry.node
                rel = relevant.get(id(entry.parent), True) if entry.parent else True
                if rel and node.get("relevant"):
                    rel = _bool(self.evaluate(node["relevant"], entry.el))
                relevant[id(entry)] = rel
                if node["kind"] != "question":
                    continue
                if not rel:
                    if entry.el.text:
                        entry.el.text = ""
                        changed = True
                elif node.get("calculate"):
                    value = self.evaluate(node["calculate"], entry.el)
                    text = _str(value) if not isinstance(value, float) or not math.isnan(
                        value) else ""
                    if text != (entry.el.text or ""):
                        entry.el.text = text
                        changed = True
            if not changed:
                break
        return relevant

    def _counted_repeats(self, entries: list[_Entry], relevant: dict[int, bool], root: Any,
                         answers: dict[str, Any]) -> dict[str, Any] | None:
        """New answers with each counted repeat padded or cut to its repeat_count, or None when
        every repeat already has its count."""
        changed = False

        def walk(nodes: list[dict[str, Any]], values: dict[str, Any], context: Any) -> None:
            nonlocal changed
            for node in nodes:
                if node["kind"] == "group":
                    walk(node["children"], values, context)
                elif node["kind"] == "repeat":
                    items = values.get(node["name"]) or []
                    if node.get("repeat_count"):
                        n = _num(self.evaluate(node["repeat_count"], context))
                        n = 0 if math.isnan(n) else max(0, min(int(n), MAX_REPEAT))
                        if n != len(items):
                            items = (items + [{} for _ in range(n)])[:n]
                            values[node["name"]] = items
                            changed = True
                    for item in items:
                        walk(node["children"], item, context)

        new = _copy(answers)
        walk(self.spec["children"], new, root)
        return new if changed else None

    def _verdict(self, entries: list[_Entry], relevant: dict[int, bool], *, final: bool) -> Check:
        lang = self._local.lang
        default_lang = self.spec["default_language"]
        result = Check(answers={})
        stores: dict[int, dict[str, Any]] = {}

        def store_for(entry: _Entry | None) -> dict[str, Any]:
            # the dict the answer goes into: the submission's, or its repeat entry's
            while entry is not None and entry.node["kind"] != "repeat":
                entry = entry.parent
            if entry is None:
                return result.answers
            if id(entry) not in stores:
                parent = store_for(entry.parent)
                item: dict[str, Any] = {}
                parent.setdefault(entry.node["name"], []).append(item)
                stores[id(entry)] = item
            return stores[id(entry)]

        for entry in entries:
            node = entry.node
            rel = relevant.get(id(entry), True)
            result.relevant[entry.key] = rel
            if node["kind"] == "repeat":
                store_for(entry)  # an empty entry is still an entry
                container, _sep, index = entry.key.rpartition("-")
                result.repeat_counts[container] = max(result.repeat_counts.get(container, 0),
                                                      int(index) + 1)
                continue
            if node["kind"] != "question":
                continue
            label = text_in(node["label"], lang, default_lang, node["name"])
            if node.get("calculate"):
                result.values[entry.key] = entry.el.text or ""
            if node["type"] in SELECTS:
                result.choices[entry.key] = self._allowed(node, entry.el)
            if not rel or node["type"] == "note":
                continue
            text = (entry.el.text or "").strip()
            if not text:
                if final and node.get("required") and _bool(self.evaluate(node["required"],
                                                                          entry.el)):
                    msg = text_in(node.get("required_msg") or {}, lang, default_lang)
                    result.errors[entry.key] = _("“%(question)s”: %(message)s") % {
                        "question": label, "message": msg or _("an answer is required.")}
                continue
            try:
                value = self._typed(node, text, result.choices.get(entry.key))
            except ValueError as exc:
                result.errors[entry.key] = _("“%(question)s”: %(message)s") % {
                    "question": label, "message": str(exc)}
                continue
            if node.get("constraint") and not _bool(self.evaluate(node["constraint"], entry.el)):
                msg = text_in(node.get("constraint_msg") or {}, lang, default_lang)
                result.errors[entry.key] = _("“%(question)s”: %(message)s") % {
                    "question": label, "message": msg or _("the answer is not allowed here.")}
                continue
            store_for(entry.parent)[node["name"]] = value
        return result

    def _allowed(self, node: dict[str, Any], el: Any) -> list[str]:
        choices = self.spec["choices"].get(node["list"], [])
        expr = node.get("choice_filter")
        if not expr:
            return [c["name"] for c in choices]
        inst = self._local.instances.get(node["list"])
        if inst is None:
            return []
        self._local.current = el
        try:
            found = self.compile(f"instance('{node['list']}')/root/item[{expr}]/name")(el)
        except (etree.XPathEvalError, etree.XPathError) as exc:
            raise FormExpressionError(str(exc)) from None
        return [x.text or "" for x in found]

    def _typed(self, node: dict[str, Any], text: str, allowed: list[str] | None) -> Any:
        kind = node["type"]
        if kind == "range":
            kind = node.get("number_type", "integer")
        if kind == "integer":
            if not re.fullmatch(r"-?\d{1,15}", text):
                raise ValueError(_("enter a whole number."))
            value: Any = int(text)
        elif kind == "decimal":
            try:
                number = Decimal(text)
            except InvalidOperation:
                raise ValueError(_("enter a number.")) from None
            if not number.is_finite():
                raise ValueError(_("enter a number."))
            value = float(number)
        elif kind == "date":
            try:
                value = date.fromisoformat(text).isoformat()
            except ValueError:
                raise ValueError(_("enter a date as YYYY-MM-DD.")) from None
        elif kind == "time":
            try:
                value = time.fromisoformat(text).isoformat(timespec="minutes")
            except ValueError:
                raise ValueError(_("enter a time as HH:MM.")) from None
        elif kind in ("datetime", "start", "end"):
            try:
                value = datetime.fromisoformat(text).isoformat()
            except ValueError:
                raise ValueError(_("enter a date and time as YYYY-MM-DDTHH:MM.")) from None
        elif kind == "today":
            value = text
        elif kind == "select_one":
            if allowed is None or text not in allowed:
                raise ValueError(_("“%(value)s” is not one of the choices.") % {"value": text})
            value = text
        elif kind == "select_multiple":
            parts = text.split()
            bad = [p for p in parts if allowed is None or p not in allowed]
            if bad:
                raise ValueError(_("“%(value)s” is not one of the choices.") % {"value": bad[0]})
            value = list(dict.fromkeys(parts))
        elif kind == "acknowledge":
            if text != "OK":
                raise ValueError(_("tick the box or leave it empty."))
            value = text
        else:
            if len(text) > MAX_TEXT:
                raise ValueError(_("at most %(n)d characters.") % {"n": MAX_TEXT})
            value = text
        if node["type"] == "range":
            params = node.get("parameters") or {}
            try:
                start = float(params.get("start", 1))
                end = float(params.get("end", 10))
                step = float(params.get("step", 1))
            except ValueError:
                start, end, step = 1.0, 10.0, 1.0
            lo, hi = min(start, end), max(start, end)
            off = (float(value) - lo) / step if step else 0
            if not lo <= float(value) <= hi or abs(off - round(off)) > 1e-9:
                raise ValueError(_("choose a value from %(lo)s to %(hi)s.") % {
                    "lo": _fmt_number(lo), "hi": _fmt_number(hi)})
        return value


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return " ".join(str(v).strip() for v in value if v is not None and str(v).strip())
    if isinstance(value, bool):
        return "OK" if value else ""
    if isinstance(value, float):
        return _fmt_number(value)
    if isinstance(value, dict):
        return ""
    # XML cannot hold control characters: drop them rather than fail.
    return re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", "", str(value))


def _copy(answers: dict[str, Any]) -> dict[str, Any]:
    return {k: [_copy(i) if isinstance(i, dict) else i for i in v] if isinstance(v, list)
            and v and isinstance(v[0], dict) else v for k, v in answers.items()}


def normalise(nodes: list[dict[str, Any]], answers: dict[str, Any]) -> dict[str, Any]:
    """Only the names the form knows, in its shape (anything else is ignored)."""
    out: dict[str, Any] = {}

    def walk(ns: list[dict[str, Any]], src: dict[str, Any], dst: dict[str, Any]) -> None:
        for node in ns:
            if node["kind"] == "group":
                walk(node["children"], src, dst)
            elif node["kind"] == "repeat":
                items = src.get(node["name"])
                if isinstance(items, list):
                    dst[node["name"]] = []
                    for item in items[:MAX_REPEAT]:
                        sub: dict[str, Any] = {}
                        walk(node["children"], item if isinstance(item, dict) else {}, sub)
                        dst[node["name"]].append(sub)
            elif node["name"] in src:
                dst[node["name"]] = src[node["name"]]

    walk(nodes, answers, out)
    return out


_engines: dict[tuple[int, str], Engine] = {}
_engines_lock = threading.Lock()


def engine_for(version_id: int, spec: dict[str, Any], version_key: str = "") -> Engine:
    """The engine of a form version, built once per process (a form version never changes)."""
    key = (version_id, version_key)
    with _engines_lock:
        found = _engines.get(key)
        if found is None:
            if len(_engines) > 64:
                _engines.clear()
            found = _engines[key] = Engine(spec)
    return found
