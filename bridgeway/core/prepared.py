"""Querysets compiled once per shape, for the statements every home page runs (issue 18).

Building a queryset and compiling it costs Django 1-4 ms of Python per statement: more than the
database's own time for most home-queue statements, which is why a person with a dozen queues
waited 50-100 ms for a page the database answered in a few. A *prepared* builder is a function of
keyword inputs that returns a QuerySet. The first call of each *shape* of inputs runs it with
stand-in values (sentinels), compiles it and keeps the SQL with a map from parameter positions
to inputs; every later call only puts the real values into that parameter list:

    @prepared
    def _incoming(*, receiving):
        return Referral.objects.filter(recipient_id__in=receiving, status="pending")

    rows = _incoming(receiving=[3, 7]).order_by("deadline").values("pk", "reference")[:5]

The SQL is the ORM's own; every value stays a parameter. What a builder may do:

- Inputs: ints, strings, UUIDs, dates, aware datetimes, and lists or tuples of ints, strings or
  UUIDs. A shape is the inputs' names, types and list lengths; a bool or None input is part of
  the shape (kept as it is, since it cannot be told apart from a constant).
- Use the inputs as lookup values only: no arithmetic, no comparison, no branch on a value (a
  branch on a list's length, or on a bool, is fine: both are part of the shape). Work out
  `today + 7 days` outside and pass it in.
- Run no statement (no list(), exists(), count() inside): building raises if it does.
- Read no clock (timezone.now()): pass the time in. Raised on under STRICT (the tests).

A value that came out of a sentinel by arithmetic, or a sentinel that reached the SQL text, is
refused when the shape is compiled (PreparedError), so a mistake fails the first test that runs
the builder instead of quietly baking a value into SQL kept for everyone. Rows come back as
`values()` dicts or `values_list()` tuples/scalars, through the same field converters Django
applies; model instances are not supported (`queryset()` gives the ordinary QuerySet for that).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import update_wrapper
from typing import Any
from unittest import mock
from uuid import UUID

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.utils import timezone

# The tests set this: building a shape then refuses to read the clock.
STRICT = False


class PreparedError(Exception):
    """A builder broke one of the rules above."""


_INT_BASE = -(2 ** 42)  # far below any id; a derived int near it is caught as arithmetic
_MARK = "\x1fbw-sentinel-"
_DATE_BASE = date(1001, 1, 1)
_DATETIME_BASE = datetime(1002, 1, 1, tzinfo=UTC)
_UUID_PREFIX = 0x5E7_1E7A1 << 96


def _sentinel(kind: type, n: int) -> Any:
    if kind is int:
        return _INT_BASE - n
    if kind is str:
        return f"{_MARK}{n}\x1f"
    if kind is UUID:
        return UUID(int=_UUID_PREFIX + n)
    if kind is datetime:
        return _DATETIME_BASE + timedelta(seconds=n)
    if kind is date:
        return _DATE_BASE + timedelta(days=n)
    raise PreparedError(f"cannot prepare an input of type {kind.__name__}")


def _looks_derived(value: Any) -> bool:
    """A parameter that no sentinel maps to but that came from one (arithmetic, a pattern)."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return value <= _INT_BASE // 2
    if isinstance(value, str):
        return _MARK in value or value.startswith(("1001-", "1002-", "1003-"))
    if isinstance(value, UUID):
        return value.int >> 96 == _UUID_PREFIX >> 96
    if isinstance(value, date):  # and datetime
        return value.year < 1100
    return False


def _kind(value: Any) -> type | None:
    """The sentinel kind of a scalar input (None: part of the shape, kept as it is)."""
    if value is None or isinstance(value, bool):
        return None
    for kind in (int, str, UUID, datetime, date):  # datetime before date: it is one
        if isinstance(value, kind):
            if kind is datetime and timezone.is_naive(value):  # type: ignore[call-overload]
                raise PreparedError("a prepared datetime input must be aware")
            return kind
    raise PreparedError(f"cannot prepare an input of type {type(value).__name__}")


def _forms(sentinel: Any, ops) -> list[tuple[Callable[[Any], Any], Any]]:
    """The ways the ORM may have passed a value to the database: (function, sentinel's form)."""
    ways: list[Callable[[Any], Any]] = [_same]
    if isinstance(sentinel, UUID):
        ways += [_hex, str]
    elif isinstance(sentinel, datetime):
        ways += [ops.adapt_datetimefield_value, str]
    elif isinstance(sentinel, date):
        ways += [ops.adapt_datefield_value, str]
    return [(way, way(sentinel)) for way in ways]


def _same(value: Any) -> Any:
    return value


def _hex(value: UUID) -> str:
    return value.hex


@dataclass(frozen=True)
class _Template:
    """One compiled shape. `slots`: per parameter, (input name, list index or None, how to pass
    the value) or None for a constant of the query, kept in `constants` at the same position."""

    alias: str
    sql: str | None  # None: the query can have no row (an empty IN list, .none())
    constants: tuple
    slots: tuple
    names: tuple[str, ...]
    converters: tuple
    col_count: int | None
    mode: str  # "dict", "tuple", "flat"

    def params(self, inputs: dict[str, Any]) -> list:
        out = list(self.constants)
        for position, slot in enumerate(self.slots):
            if slot is not None:
                name, index, way = slot
                value = inputs[name] if index is None else inputs[name][index]
                out[position] = way(value)
        return out

    def run(self, inputs: dict[str, Any]) -> list:
        if self.sql is None:
            return []
        connection = connections[self.alias]
        with connection.cursor() as cursor:
            cursor.execute(self.sql, self.params(inputs))
            rows = cursor.fetchall()
        if self.col_count is not None:
            rows = [row[:self.col_count] for row in rows]
        if self.converters:
            converted = []
            for row in rows:
                row = list(row)
                for position, functions, expression in self.converters:
                    value = row[position]
                    for function in functions:
                        value = function(value, expression, connection)
                    row[position] = value
                converted.append(row)
            rows = converted
        if self.mode == "flat":
            return [row[0] for row in rows]
        if self.mode == "tuple":
            return [tuple(row) for row in rows]
        names = self.names
        return [dict(zip(names, row, strict=True)) for row in rows]


def _no_statement(execute, sql, params, many, context):
    raise PreparedError("a prepared builder ran a statement: build the queryset only")


def _no_clock(*args, **kwargs):
    raise PreparedError("a prepared builder read the clock: pass the time as an input")


class Builder:
    """A function of keyword inputs returning a QuerySet, compiled once per shape."""

    def __init__(self, function: Callable[..., Any]) -> None:
        self.function = function
        self._templates: dict[tuple, _Template] = {}
        self._lock = threading.Lock()
        self.alias = "default"
        update_wrapper(self, function)  # type: ignore[arg-type]

    def __call__(self, **inputs: Any) -> Prepared:
        return Prepared(self, inputs, ())

    def template(self, inputs: dict[str, Any], ops: tuple) -> _Template:
        shape: list[tuple[str, Any, Any]] = []
        for name in sorted(inputs):
            value = inputs[name]
            if isinstance(value, list | tuple):
                kinds = tuple(_kind(v) for v in value)
                if None in kinds:
                    raise PreparedError(f"input {name!r}: lists hold ints, strings, UUIDs or dates")
                shape.append((name, "list", kinds))
            else:
                kind = _kind(value)
                shape.append((name, kind, value if kind is None else None))
        key = (tuple(shape), ops)
        found = self._templates.get(key)
        if found is None:
            with self._lock:
                found = self._templates.get(key)
                if found is None:
                    found = self._templates[key] = self._compile(shape, ops)
        return found

    def _compile(self, shape: list, ops: tuple) -> _Template:
        sentinels: dict[str, Any] = {}
        where: list[tuple[Any, str, int | None]] = []
        n = 0
        index: int | None
        for name, kind, kept in shape:
            if kind == "list":
                values = []
                for index, element_kind in enumerate(kept):
                    n += 1
                    values.append(_sentinel(element_kind, n))
                    where.append((values[-1], name, index))
                sentinels[name] = values
            elif kind is None:
                sentinels[name] = kept
            else:
                n += 1
                sentinels[name] = _sentinel(kind, n)
                where.append((sentinels[name], name, None))
        with ExitStack() as stack:
            stack.enter_context(connections["default"].execute_wrapper(_no_statement))
            if STRICT:
                stack.enter_context(mock.patch.object(timezone, "now", _no_clock))
                stack.enter_context(mock.patch.object(timezone, "localdate", _no_clock))
                stack.enter_context(mock.patch.object(timezone, "localtime", _no_clock))
            queryset = self.function(**sentinels)
            queryset, mode = _apply(queryset, ops)
            alias = self.alias = queryset.db
        compiler = queryset.query.get_compiler(alias)
        names = _names(queryset.query)
        try:
            sql, params = compiler.as_sql()
        except EmptyResultSet:
            return _Template(alias, None, (), (), names, (), None, mode)
        ops_ = connections[alias].ops
        forms: dict[Any, tuple[str, int | None, Callable[[Any], Any]]] = {}
        for sentinel, name, index in where:
            for way, form in _forms(sentinel, ops_):
                forms.setdefault((type(form), form), (name, index, way))
        constants, slots = [], []
        for param in params:
            slot = forms.get((type(param), param)) if _hashable(param) else None
            if slot is None and _looks_derived(param):
                raise PreparedError(f"{self.function.__qualname__}: a parameter was derived "
                                    "from an input (compute it outside the builder)")
            constants.append(None if slot else param)
            slots.append(slot)
        if _MARK in sql or str(_INT_BASE)[:8] in sql:
            raise PreparedError(f"{self.function.__qualname__}: an input reached the SQL text")
        fields = [s[0] for s in compiler.select[0:compiler.col_count]]
        converters = tuple((position, tuple(functions), expression) for position, (
            functions, expression) in compiler.get_converters(fields).items())
        return _Template(alias, sql, tuple(constants), tuple(slots), names, converters,
                         compiler.col_count if compiler.has_extra_select else None, mode)


def _hashable(value: Any) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


def _names(query) -> tuple[str, ...]:
    if getattr(query, "selected", None):
        return tuple(query.selected)
    return (*query.extra_select, *query.values_select, *query.annotation_select)


def _apply(queryset, ops: tuple):
    mode = "model"
    for op, args in ops:
        if op == "order_by":
            queryset = queryset.order_by(*args)
        elif op == "values":
            queryset, mode = queryset.values(*args), "dict"
        elif op == "values_list":
            fields, flat = args
            queryset = queryset.values_list(*fields, flat=flat)
            mode = "flat" if flat else "tuple"
        elif op == "limit":
            queryset = queryset[:args]
        else:  # pragma: no cover - only the methods below record ops
            raise PreparedError(op)
    if mode == "model":  # the builder returned values() or values_list() rows itself
        mode = {"ValuesIterable": "dict", "ValuesListIterable": "tuple",
                "FlatValuesListIterable": "flat"}.get(queryset._iterable_class.__name__, mode)
    return queryset, mode


def prepared(function: Callable[..., Any]) -> Builder:
    """Decorate a queryset builder (see the module's docstring)."""
    return Builder(function)


class Prepared:
    """A builder with its inputs, and the calls made on it since (order_by, values, a slice).
    Runs when sliced (`[:n]`) or iterated; `queryset()` is the ordinary QuerySet."""

    __slots__ = ("builder", "inputs", "ops")

    def __init__(self, builder: Builder, inputs: dict[str, Any], ops: tuple) -> None:
        self.builder, self.inputs, self.ops = builder, inputs, ops

    def _with(self, op: str, args: Any) -> Prepared:
        return Prepared(self.builder, self.inputs, (*self.ops, (op, args)))

    def order_by(self, *fields: str) -> Prepared:
        return self._with("order_by", fields)

    def values(self, *fields: str) -> Prepared:
        return self._with("values", fields)

    def values_list(self, *fields: str, flat: bool = False) -> Prepared:
        return self._with("values_list", (fields, flat))

    @property
    def db(self) -> str:
        """The database alias its shapes were compiled for (the default one before any)."""
        return self.builder.alias

    def __getitem__(self, item: slice) -> list:
        if not isinstance(item, slice) or item.start not in (None, 0) or item.step is not None \
                or item.stop is None:
            raise TypeError("a prepared query is read as [:n]")
        return self._with("limit", item.stop).fetch()

    def __iter__(self) -> Iterator:
        return iter(self.fetch())

    def fetch(self) -> list:
        template = self.builder.template(self.inputs, self.ops)
        if template.mode == "model":
            raise PreparedError("a prepared query returns values() or values_list() rows")
        return template.run(self.inputs)

    def compiled(self, cap: int) -> tuple[str, tuple] | None:
        """The SQL and parameters of the first `cap` rows in no order (for core.menu's counts),
        or None when there can be no row."""
        template = self.builder.template(self.inputs, (*self.ops, ("order_by", ()),
                                                       ("limit", cap)))
        if template.sql is None:
            return None
        return template.sql, tuple(template.params(self.inputs))

    def queryset(self):
        """The same query as an ordinary QuerySet (built and compiled as usual)."""
        return _apply(self.builder.function(**self.inputs), self.ops)[0]
