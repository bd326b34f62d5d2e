"""A form renderer that writes the few templates every form uses in Python.

Django renders each form field through five to ten nested templates (field group, label, attrs,
widget, one include per <option>, error list). On the case screens that was more than half of the
page's server time: a filter form with four selects cost about 8 ms. This renderer produces the
same HTML as Django's own templates for those (tests/core/test_form_renderer.py compares both for
every form of the project) and hands every other template to Django unchanged, so a template
added in the project or another widget keeps working as before.
"""

from __future__ import annotations

from django.forms.renderers import DjangoTemplates
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

_esc = conditional_escape

_INPUT_TEMPLATES = frozenset(
    f"django/forms/widgets/{name}.html"
    for name in ("input", "text", "number", "email", "url", "password", "hidden", "date",
                 "datetime", "time", "checkbox", "search", "tel", "color")
)
_SELECT_OPTION = "django/forms/widgets/select_option.html"


def _attrs(attrs: dict) -> str:
    out = []
    for name, value in attrs.items():
        if value is False:
            continue
        out.append(f" {_esc(name)}" if value is True else f' {_esc(name)}="{_esc(value)}"')
    return "".join(out)


attrs_html = _attrs  # for widgets that write their own HTML (core.forms.StaticSelect)


def _input(widget: dict) -> str:
    value = "" if widget["value"] is None else f' value="{_esc(widget["value"])}"'
    return (f'<input type="{_esc(widget["type"])}" name="{_esc(widget["name"])}"{value}'
            f'{_attrs(widget["attrs"])}>')


def _option(option: dict) -> str:
    return (f'<option value="{_esc(option["value"])}"{_attrs(option["attrs"])}>'
            f'{_esc(option["label"])}</option>')


class FastFormRenderer(DjangoTemplates):
    def render(self, template_name, context, request=None):
        fast = self._fast.get(template_name)
        if fast is None:
            return super().render(template_name, context, request=request)
        return mark_safe(fast(self, context))  # noqa: S308 - every value above is escaped

    def _render_input(self, context) -> str:
        return _input(context["widget"])

    def _render_select(self, context) -> str:
        widget = context["widget"]
        parts = [f'<select name="{_esc(widget["name"])}"{_attrs(widget["attrs"])}>']
        for group_name, options, _index in widget["optgroups"]:
            if group_name:
                parts.append(f'\n  <optgroup label="{_esc(group_name)}">')
            for option in options:
                if option["template_name"] == _SELECT_OPTION:
                    parts.append(f"\n  {_option(option)}")
                else:
                    parts.append(f"\n  {self.render(option['template_name'], {'widget': option})}")
            if group_name:
                parts.append("\n  </optgroup>")
        parts.append("\n</select>")
        return "".join(parts)

    def _render_textarea(self, context) -> str:
        widget = context["widget"]
        value = _esc(widget["value"]) if widget["value"] else ""
        return f'<textarea name="{_esc(widget["name"])}"{_attrs(widget["attrs"])}>\n{value}</textarea>'

    def _render_label(self, context) -> str:
        if not context["use_tag"]:
            return str(_esc(context["label"]))
        tag = _esc(context["tag"])
        return f"<{tag}{_attrs(context['attrs'])}>{_esc(context['label'])}</{tag}>"

    def _render_errors(self, context) -> str:
        errors = context["errors"]
        if not errors:
            return ""
        field_id = getattr(errors, "field_id", None)
        ident = f' id="{_esc(field_id)}_error"' if field_id else ""
        items = "".join(f"<li>{_esc(error)}</li>" for error in errors)
        return f'<ul class="{_esc(context["error_class"])}"{ident}>{items}</ul>'

    def _render_field(self, context) -> str:
        field = context["field"]
        parts = []
        if field.use_fieldset:
            described = field.aria_describedby
            parts.append("<fieldset" + (f' aria-describedby="{_esc(described)}"' if described
                                        else "") + ">")
            if field.label:
                parts.append(str(field.legend_tag()))
        elif field.label:
            parts.append(str(field.label_tag()))
        if field.help_text:
            ident = f' id="{_esc(field.auto_id)}_helptext"' if field.auto_id else ""
            parts.append(f'<div class="helptext"{ident}>{field.help_text}</div>')
        parts.append(str(field.errors))
        parts.append(str(field))
        if field.use_fieldset:
            parts.append("</fieldset>")
        return "\n".join(parts)

    def _render_div_form(self, context) -> str:
        errors, fields, hidden = context["errors"], context["fields"], context["hidden_fields"]
        parts = [str(errors)]
        if errors and not fields:
            parts.append("<div>" + "".join(str(f) for f in hidden) + "</div>")
        for i, (field, _field_errors) in enumerate(fields):
            classes = field.css_classes()
            cls = f' class="{_esc(classes)}"' if classes else ""
            tail = "".join(str(f) for f in hidden) if i == len(fields) - 1 else ""
            parts.append(f"<div{cls}>\n{field.as_field_group()}\n{tail}\n</div>")
        if not fields and not errors:
            parts.append("".join(str(f) for f in hidden))
        return "\n".join(parts)

    _fast = {
        **dict.fromkeys(_INPUT_TEMPLATES, _render_input),
        "django/forms/widgets/select.html": _render_select,
        "django/forms/widgets/textarea.html": _render_textarea,
        "django/forms/label.html": _render_label,
        "django/forms/errors/list/default.html": _render_errors,
        "django/forms/errors/list/ul.html": _render_errors,
        "django/forms/field.html": _render_field,
        "django/forms/div.html": _render_div_form,
    }
