"""What the OpenAPI schema says about every operation beyond its own annotations: the error
answers (one `Error` schema for all of them) and the shape of integer path parameters.

Wired in as a drf-spectacular postprocessing hook (settings.SPECTACULAR_SETTINGS), so a view only
declares the answers that are its own (a 409 with the conflicting fields, a 201, a file).
Also the serializer pieces whose schema matches what they do."""

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from rest_framework import serializers
from rest_framework.response import Response

from bridgeway.core.api import NoFilters, list_filters

ERROR_SCHEMA = {
    "type": "object",
    "description": (
        "An error. `detail` says what went wrong when it is not about one field; otherwise each "
        "key is a field (or query parameter) of the request with a list of messages, or, for a "
        "nested object or a list of objects, the same structure inside. A failed request "
        "writes nothing."),
    "properties": {
        "detail": {"type": "string"},
        "code": {"type": "string"},
    },
    "additionalProperties": {},
    "example": {"languages": ["Unknown language code(s): xx. Use ISO 639 codes such as ro, uk "
                              "or en."]},
}

ERRORS = {
    "400": "Refused: the request (body or query parameters) is invalid, or breaks a rule of the "
           "service; each problem is named by its field or parameter.",
    "401": "Not authenticated: no session or token, or a token that expired or was revoked.",
    "403": "Not allowed: two-factor authentication is not set up for a role that needs it, the "
           "caller may see but not change this, or a session must re-authenticate first.",
    "404": "Not found, or not visible to the caller (the two answer alike), including an id in "
           "the body the caller may not see and a page past the last.",
    "429": "Too many requests: try again after the number of seconds in Retry-After.",
}

_REF = {"$ref": "#/components/schemas/Error"}
_FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")


def _has_input(operation: dict) -> bool:
    return "requestBody" in operation or any(
        p.get("in") == "query" for p in operation.get("parameters", []))


def _has_file(schema: dict, components: dict) -> bool:
    if "$ref" in schema:
        schema = components.get(schema["$ref"].rsplit("/", 1)[-1], {})
    return any(p.get("format") == "binary" for p in schema.get("properties", {}).values())


def _json_only(operation: dict, components: dict) -> None:
    """Requests are JSON: a form encoding is listed only where a file is uploaded. (DRF also
    parses a flat form, but nested objects and lists do not survive it.)"""
    content = operation.get("requestBody", {}).get("content", {})
    if "application/json" not in content:
        return
    for media_type in _FORMS:
        if media_type in content and not _has_file(content[media_type].get("schema", {}),
                                                     components):
            del content[media_type]


def _is_bare_object(content: dict) -> bool:
    schema = (content.get("application/json") or {}).get("schema") or {}
    return schema.get("type") == "object" and not schema.get("properties") \
        and "$ref" not in schema


def document_errors(result, generator, request, public):
    """Postprocessing hook: the error answers every operation can give, with one schema."""
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components["Error"] = ERROR_SCHEMA
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            for parameter in operation.get("parameters", []):
                # `<int:…>` in the URL: anything else is not this operation at all.
                schema = parameter.get("schema", {})
                if parameter.get("in") == "path" and schema.get("type") == "integer":
                    schema.setdefault("minimum", 0)
            _json_only(operation, components)
            responses = operation.setdefault("responses", {})
            for code, description in ERRORS.items():
                # A write can break a rule of the service even without a body.
                if code == "400" and method == "get" and not _has_input(operation):
                    continue
                current = responses.get(code)
                if current is None or _is_bare_object(current.get("content", {})):
                    responses[code] = {"description": description,
                                       "content": {"application/json": {"schema": _REF}}}
                    if code == "429":
                        responses[code]["headers"] = {"Retry-After": {
                            "schema": {"type": "integer"},
                            "description": "seconds to wait before trying again"}}
    return result


# --- serializer pieces whose schema says what they do --------------------------------------



class ModelSerializer(serializers.ModelSerializer):
    """DRF's, except that a read-only field of a model field with `blank=True` keeps
    `allow_blank`, so that the schema lists "" among a code's values (a case not closed has
    `close_reason: ""`). DRF drops it for read-only fields, and the schema then lies."""

    def include_extra_kwargs(self, kwargs, extra_kwargs):
        allow_blank = kwargs.get("allow_blank")
        kwargs = super().include_extra_kwargs(kwargs, extra_kwargs)
        if allow_blank and kwargs.get("read_only"):
            kwargs["allow_blank"] = True
        return kwargs


class OptionalTextField(serializers.CharField):
    """Optional free text kept encrypted and stored as nothing when empty: the answer says null
    for "none"; a request may send "" or null for none (both stored alike)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_blank", True)
        kwargs.setdefault("allow_null", True)
        kwargs.setdefault("default", "")
        super().__init__(**kwargs)

    def run_validation(self, data=serializers.empty):
        return super().run_validation("" if data is None else data)


class TextField(serializers.CharField):
    """Text that must come as text: DRF's CharField also takes a number and turns it into
    one, which the schema (type: string) does not allow."""

    default_error_messages = {"not_text": _("Send text (a JSON string).")}

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("not_text")
        return super().to_internal_value(data)


def paginated(view, rows, serializer_class, **serializer_kwargs) -> Response:
    """A sub-resource list, paginated like every other list of the API (`count`, `next`,
    `previous`, `results`; `?page=`), so that one client rule reads them all. A sub-resource list
    has no filters: any other parameter is a 400 naming it, not a list that ignored it."""
    list_filters(view.request, NoFilters)
    page = view.paginate_queryset(rows)
    return view.get_paginated_response(serializer_class(page, many=True,
                                                        **serializer_kwargs).data)


URL_PATTERN = (r"^https?://([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}"
               r"(/[^\s]*)?$")


class AutoSchema(SpectacularAutoSchema):
    """drf-spectacular's, with what DRF does to text said in the schema: a required text field
    is trimmed before the blank check, so it needs a character that is not white space."""

    def _get_serializer_field_meta(self, field, direction):
        meta = super()._get_serializer_field_meta(field, direction)
        if (direction == "request" and isinstance(field, serializers.CharField)
                and not isinstance(field, serializers.RegexField)
                and not field.allow_blank and field.trim_whitespace):
            meta["pattern"] = r"\S"
        if direction == "request" and isinstance(field, serializers.URLField):
            # What Django's URL validator takes (a subset of format: uri): a web address
            # with a host name.
            meta["pattern"] = URL_PATTERN
        if (direction == "request" and not getattr(field, "allow_empty", True)
                and isinstance(field, serializers.ListField | serializers.ManyRelatedField)):
            meta["minItems"] = 1
        return meta


class RefusesUnknownKeysExtension(OpenApiSerializerExtension):
    """A serializer with `refuses_unknown_keys = True` answers 400 for a key it does not have;
    its request schema says so (`additionalProperties: false`)."""

    target_class = "rest_framework.serializers.Serializer"
    match_subclasses = True

    @classmethod
    def _matches(cls, target) -> bool:
        return bool(getattr(target, "refuses_unknown_keys", False)) and super()._matches(target)

    def map_serializer(self, auto_schema, direction):
        schema = auto_schema._map_basic_serializer(self.target, direction)
        if direction == "request":
            schema["additionalProperties"] = False
        return schema


def file_response(*media_types: str, description: str = "") -> dict:
    """The 200 of a download: the bytes, in each media type it may come as. `*/*` for a
    document or attachment, served in the content type it was uploaded with."""
    from drf_spectacular.types import OpenApiTypes
    from drf_spectacular.utils import OpenApiResponse

    answer = OpenApiResponse(response=OpenApiTypes.BINARY, description=description)
    return {(200, media_type): answer for media_type in media_types or ("*/*",)}


UPLOADED_FILE = "the file as uploaded, in its own content type (Content-Disposition: attachment)"


def form_parameters(form_class, descriptions: dict[str, str] | None = None) -> list:
    """The query parameters of a list whose filters are a form (the screen's): the same names,
    and for a choice its values, so that the schema refuses what the list refuses (400)."""
    from django import forms
    from drf_spectacular.utils import OpenApiParameter

    descriptions = descriptions or {}
    parameters = []
    for name, field in form_class().fields.items():
        choices: Any = field.choices if isinstance(field, forms.ChoiceField) else None
        enum = [str(value) for value, _label in choices if value != ""] if choices else None
        parameters.append(OpenApiParameter(name, str, description=descriptions.get(name, ""),
                                           enum=enum))
    return parameters
