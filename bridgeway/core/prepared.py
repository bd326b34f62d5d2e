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
- Read no clock (timezone.now()): pass the time in. Raised on once `strict()` was called (the
  tests call it).

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
from uuid import UUID

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.utils import timezone

# Set by strict() (the tests): building a shape then refuses to read the clock.
_building = threading.local()
_strict = False


def strict() -> None:
    """From now on, a builder that reads the clock through django.utils.timezone (now,
    localdate, localtime) raises PreparedError while its shape is built. Only the building
    thread is refused: other threads (a live test server's) read the clock as usual."""
    global _strict
    if _strict:
        return
    for name in ("now", "localdate", "localtime"):
        setattr(timezone, name, _refused_while_building(getattr(timezone, name)))
    _strict = True


def _refused_while_building(original: Callable[..., Any]) -> Callable[..., Any]:
    def clock(*args: Any, **kwargs: Any) -> Any:
        if getattr(_building, "active", False):
            raise PreparedError("a prepared builder read the clock: pass the time as an input")
        return original(*args, **kwargs)

    return update_wrapper(clock, original)


class PreparedError(Exception):
    """A builder broke one of the rules above."""


# Stand-in values. Every shape is compiled twice, with two sets of them (`run` 0 and 1): a
# parameter that differs between the two is an input's (and must be one of its stand-ins, or it
# was derived from it); one that does not is the query's own constant, even if it happens to
# equal a stand-in. Ints stay inside every integer field's range (Django leaves out a lookup
# whose value is out of its field's range, and PostgreSQL would refuse it).
_MARK = "\x1fbw-sentinel-"
_DATE_BASE = date(1001, 1, 1)
_DATETIME_BASE = datetime(1002, 1, 1, tzinfo=UTC)
_UUID_PREFIX = 0x5E7_1E7A1 << 96


def _sentinel(kind: type, n: int, run: int) -> Any:
    if kind is int:
        return 20_011 + 6_000 * run + 7 * n  # 20,018-31,989: a smallint, positive
    if kind is str:
        return f"{_MARK}{run}-{n}\x1f"
    if kind is UUID:
        return UUID(int=_UUID_PREFIX + (run << 32) + n)
    if kind is datetime:
        return _DATETIME_BASE + timedelta(days=400 * run, seconds=n)
    if kind is date:
        return _DATE_BASE + timedelta(days=400 * run + n)
    raise PreparedError(f"cannot prepare an input of type {kind.__name__}")


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
        built = [self._build(shape, ops, run) for run in (0, 1)]
        (queryset, compiler, mode, where), (_q1, compiler_b, _m1, where_b) = built
        alias = queryset.db
        names = _names(queryset.query)
        compiled = []
        for one in (compiler, compiler_b):
            try:
                compiled.append(one.as_sql())
            except EmptyResultSet:
                compiled.append(None)
        name = self.function.__qualname__
        if compiled[0] is None or compiled[1] is None:
            if compiled[0] is not compiled[1]:
                raise PreparedError(f"{name}: whether it has rows depends on an input's value")
            return _Template(alias, None, (), (), names, (), None, mode)
        (sql, params), (sql_b, params_b) = compiled
        if sql != sql_b or len(params) != len(params_b):
            raise PreparedError(f"{name}: its SQL depends on an input's value")
        if _MARK in sql:
            raise PreparedError(f"{name}: an input reached the SQL text")
        ops_ = connections[alias].ops
        forms = _form_map(where, ops_)
        forms_b = _form_map(where_b, ops_)
        constants: list[Any] = []
        slots: list[Any] = []
        for param, param_b in zip(params, params_b, strict=True):
            if type(param) is type(param_b) and _equal(param, param_b):
                constants.append(param)
                slots.append(None)
                continue
            slot = forms.get(_key(param))
            if slot is None or forms_b.get(_key(param_b), (None,))[:2] != slot[:2]:
                raise PreparedError(f"{name}: a parameter was derived from an input (compute "
                                    "it outside the builder)")
            if isinstance(param, int) and type(param) is not int:
                # psycopg's Int2/Int4/Int8 as Django passed it: the same type for the real value.
                slot = (slot[0], slot[1], type(param))
            constants.append(None)
            slots.append(slot)
        fields = [s[0] for s in compiler.select[0:compiler.col_count]]
        converters = tuple((position, tuple(functions), expression) for position, (
            functions, expression) in compiler.get_converters(fields).items())
        return _Template(alias, sql, tuple(constants), tuple(slots), names, converters,
                         compiler.col_count if compiler.has_extra_select else None, mode)

    def _build(self, shape: list, ops: tuple, run: int):
        """The builder's queryset on one set of stand-ins, its compiler, its rows' mode and
        where each stand-in went: [(stand-in, input name, list index or None)]."""
        sentinels: dict[str, Any] = {}
        where: list[tuple[Any, str, int | None]] = []
        n = 0
        index: int | None
        for name, kind, kept in shape:
            if kind == "list":
                values = []
                for index, element_kind in enumerate(kept):
                    n += 1
                    values.append(_sentinel(element_kind, n, run))
                    where.append((values[-1], name, index))
                sentinels[name] = values
            elif kind is None:
                sentinels[name] = kept
            else:
                n += 1
                sentinels[name] = _sentinel(kind, n, run)
                where.append((sentinels[name], name, None))
        with ExitStack() as stack:
            stack.enter_context(connections["default"].execute_wrapper(_no_statement))
            _building.active = True
            try:
                queryset = self.function(**sentinels)
                queryset, mode = _apply(queryset, ops)
            finally:
                _building.active = False
            self.alias = queryset.db
        return queryset, queryset.query.get_compiler(queryset.db), mode, where


def _key(value: Any) -> tuple:
    """A parameter as looked up among the stand-ins' forms (an int subclass as an int)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return (int, int(value))
    return (type(value), value) if _hashable(value) else (object, id(value))


_PLAIN = (int, str, UUID, date, float, bytes, type(None))


def _equal(a: Any, b: Any) -> bool:
    """The same constant in both compilations. An adapter object without equality of its own
    (psycopg's Jsonb around a JSON value) is compared by what it shows of its value."""
    if isinstance(a, _PLAIN):
        return bool(a == b)
    return bool(a == b) or repr(a) == repr(b)


def _form_map(where, ops) -> dict[tuple, tuple[str, int | None, Callable[[Any], Any]]]:
    forms: dict[tuple, tuple[str, int | None, Callable[[Any], Any]]] = {}
    for sentinel, name, index in where:
        for way, form in _forms(sentinel, ops):
            forms.setdefault(_key(form), (name, index, way))
    return forms


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

    def exists(self) -> bool:
        """Whether there is a row (its primary key, the first one)."""
        return bool(self._with("values_list", (("pk",), True))._with("limit", 1).fetch())

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
