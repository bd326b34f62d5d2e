"""The form as Bridgeway serves it: a JSON "spec" built once, at upload, from pyxform's output.

pyxform gives two things: its survey structure (`to_json_dict()`: the tree, labels and hints per
language, choices, types) and the XForm (`to_xml()`: every `${name}` already turned into the XPath
the expression needs — absolute paths, `../` inside repeats, `current()` in choice filters — and the
choice lists with their extra columns as secondary instances). The spec takes the tree from the
first and the expressions from the second, so the server evaluates exactly what an ODK client
would, and nothing below depends on pyxform's internals at fill time.

A node of the spec:
    {"name", "path", "kind": "question" | "group" | "repeat", "type", "label": {lang: text},
     "hint": {...}, "appearance", "relevant", "required", "required_msg": {...}, "constraint",
     "constraint_msg": {...}, "calculate", "readonly", "default", "list", "choice_filter",
     "parameters", "repeat_count", "children": [...]}
"""

from __future__ import annotations

from typing import Any

from lxml import etree

XF = "http://www.w3.org/2002/xforms"
JR = "http://openrosa.org/javarosa"
NS = {"xf": XF, "h": "http://www.w3.org/1999/xhtml", "jr": JR}

# pyxform's type names in its JSON -> the names Bridgeway uses (the XLSForm spellings).
TYPE_NAMES = {
    "text": "text", "string": "text", "integer": "integer", "int": "integer",
    "decimal": "decimal", "date": "date", "time": "time", "dateTime": "datetime",
    "select one": "select_one", "select all that apply": "select_multiple",
    "note": "note", "calculate": "calculate", "acknowledge": "acknowledge", "trigger":
    "acknowledge", "range": "range", "start": "start", "end": "end", "today": "today",
    "hidden": "hidden",
}
SELECTS = {"select_one", "select_multiple"}
# Filled by the server, never shown: start/end of filling, the day of filling.
METADATA = {"start", "end", "today"}
# Shown but not answered.
DISPLAY_ONLY = {"note"}
# Answers stored in clear, for counting: choices, numbers, dates and times, acknowledgements and
# the server's metadata. Every other answer (text, calculate, hidden, any other type) can name
# people and is sealed (surveys/texts.py).
CLEAR_TYPES = {"select_one", "select_multiple", "integer", "decimal", "range", "date", "datetime",
               "time", "acknowledge", "start", "end", "today"}


def _lang_map(value: Any, default_lang: str) -> dict[str, str]:
    if value is None or value == "":
        return {}
    if isinstance(value, dict):
        return {str(k): str(v) for k, v in value.items() if v not in (None, "", "-")}
    return {default_lang: str(value)}


def build_spec(json_dict: dict[str, Any], xform: str) -> dict[str, Any]:
    xml = etree.fromstring(xform.encode())
    binds = {b.get("nodeset"): b for b in xml.iterfind(".//xf:model/xf:bind", NS)}
    body = xml.find("h:body", NS)
    itemsets: dict[str, str] = {}
    repeat_counts: dict[str, str] = {}
    if body is not None:
        for el in body.iter():
            if not isinstance(el.tag, str):
                continue
            if el.tag == f"{{{XF}}}itemset":
                parent = el.getparent()
                if parent is not None and parent.get("ref"):
                    itemsets[parent.get("ref", "")] = el.get("nodeset", "")
            if el.tag == f"{{{XF}}}repeat" and el.get(f"{{{JR}}}count"):
                repeat_counts[el.get("nodeset", "")] = el.get(f"{{{JR}}}count", "").strip()
    # Choice lists with their extra columns (used by choice filters).
    lists: dict[str, list[dict[str, Any]]] = {}
    for inst in xml.iterfind(".//xf:model/xf:instance[@id]", NS):
        items = []
        for item in inst.iterfind("xf:root/xf:item", NS):
            fields = {etree.QName(c).localname: (c.text or "") for c in item
                      if isinstance(c.tag, str)}
            name = fields.pop("name", "")
            fields.pop("itextId", None)
            fields.pop("label", None)
            items.append({"name": name, "fields": fields})
        lists[inst.get("id", "")] = items

    default_lang = json_dict.get("default_language") or "default"
    languages: list[str] = []

    def note_langs(*maps: dict[str, str]) -> None:
        for m in maps:
            for lang in m:
                if lang not in languages:
                    languages.append(lang)

    root = json_dict["name"]
    choice_labels: dict[str, dict[str, dict[str, str]]] = {}

    def convert(node: dict[str, Any], parent_path: str) -> dict[str, Any] | None:
        path = f"{parent_path}/{node['name']}"
        raw_type = node.get("type", "")
        bind = binds.get(path)
        control = node.get("control") or {}
        label = _lang_map(node.get("label"), default_lang)
        hint = _lang_map(node.get("hint"), default_lang)
        note_langs(label, hint)
        out: dict[str, Any] = {"name": node["name"], "path": path, "label": label, "hint": hint,
                               "appearance": str(control.get("appearance") or "")}
        if bind is not None:
            for key, attr in (("relevant", "relevant"), ("required", "required"),
                              ("constraint", "constraint"), ("calculate", "calculate"),
                              ("readonly", "readonly")):
                value = (bind.get(attr) or "").strip()
                if value:
                    out[key] = value
        jbind = node.get("bind") or {}
        out["required_msg"] = _lang_map(jbind.get("jr:requiredMsg"), default_lang)
        out["constraint_msg"] = _lang_map(jbind.get("jr:constraintMsg"), default_lang)
        if raw_type in ("group", "repeat"):
            out["kind"] = raw_type
            out["type"] = raw_type
            if raw_type == "repeat" and path in repeat_counts:
                out["repeat_count"] = repeat_counts[path]
            if raw_type == "group" and control.get("bodyless"):
                return None  # pyxform's meta/instanceID: nothing to fill
            out["children"] = [c for c in (convert(ch, path) for ch in node.get("children", []))
                               if c is not None]
            return out
        out["kind"] = "question"
        out["type"] = TYPE_NAMES.get(raw_type, raw_type)
        if out["type"] == "range":
            bind_type = (bind.get("type") if bind is not None else "") or "int"
            out["parameters"] = {k: str(v) for k, v in (node.get("parameters") or {}).items()}
            out["number_type"] = "decimal" if bind_type == "decimal" else "integer"
        if out["type"] in SELECTS:
            list_name = node.get("itemset") or node.get("list_name") or ""
            out["list"] = list_name
            labels = choice_labels.setdefault(list_name, {})
            for ch in node.get("children", []):
                lab = _lang_map(ch.get("label"), default_lang)
                note_langs(lab)
                labels.setdefault(ch["name"], lab)
            nodeset = itemsets.get(path, "")
            if "[" in nodeset and nodeset.endswith("]"):
                out["choice_filter"] = nodeset[nodeset.index("[") + 1:-1].strip()
        if node.get("default") not in (None, ""):
            out["default"] = str(node["default"])
        return out

    children = [c for c in (convert(ch, f"/{root}") for ch in json_dict.get("children", []))
                if c is not None]
    choices = {
        name: [{"name": it["name"], "fields": it["fields"],
                "label": choice_labels.get(name, {}).get(it["name"], {})}
               for it in items]
        for name, items in lists.items()
    }
    if not languages:
        languages = [default_lang]
    if default_lang in languages:
        languages.remove(default_lang)
        languages.insert(0, default_lang)
    return {
        "root": root, "title": json_dict.get("title") or root,
        "form_id": json_dict.get("id_string") or root,
        "version": str(json_dict.get("version") or ""),
        "default_language": default_lang, "languages": languages,
        "choices": choices, "children": children,
    }


def iter_questions(nodes: list[dict[str, Any]], repeat: str | None = None):
    """(node, enclosing repeat name or None) for every question, in form order."""
    for node in nodes:
        if node["kind"] == "question":
            yield node, repeat
        else:
            yield from iter_questions(node["children"],
                                      node["name"] if node["kind"] == "repeat" else repeat)


def iter_repeats(nodes: list[dict[str, Any]]):
    for node in nodes:
        if node["kind"] == "repeat":
            yield node
        if node["kind"] != "question":
            yield from iter_repeats(node["children"])


def text_in(labels: dict[str, str], lang: str, default_lang: str, fallback: str = "") -> str:
    if not labels:
        return fallback
    return labels.get(lang) or labels.get(default_lang) or next(iter(labels.values()))
