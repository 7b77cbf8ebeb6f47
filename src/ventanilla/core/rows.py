"""Plain statements for the reads and writes every registration makes, with the ORM's values.

A registration is about twenty statements, and Django's query building costs several times
what the database spends on each of them. These helpers write a model instance with one
statement whose text is built once per model, and prepare every value exactly as the ORM
does (`pre_save`, then `get_db_prep_save`), so what lands is what `save()` would write;
`from_row` turns a selected row into an instance with the ORM's converters. They skip what
a hot path does not need: signals, `save()` overrides and checks of unsaved related
objects. Use them only for models that rely on none of these.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from typing import Any

from django.db import connection
from django.db.models import Field, Model


@functools.cache
def _insert_fields(model: type[Model]) -> tuple[Field[Any, Any], ...]:
    """The columns an insert writes: every concrete field but a database-generated key."""
    return tuple(
        f
        for f in model._meta.concrete_fields
        if not (f.primary_key and getattr(f, "db_returning", False))
    )


def columns(model: type[Model]) -> str:
    return ", ".join(_quote(f.column) for f in _insert_fields(model))


def placeholders(model: type[Model]) -> str:
    """One ``%s`` for each of `columns(model)`."""
    return ", ".join(["%s"] * len(_insert_fields(model)))


def values(instance: Model, *, add: bool = True) -> list[Any]:
    """The instance's insert values, in `columns` order, prepared as the ORM prepares them."""
    return [
        f.get_db_prep_save(f.pre_save(instance, add), connection)
        for f in _insert_fields(type(instance))
    ]


def _field(model: type[Model], name: str) -> Field[Any, Any]:
    field = model._meta.get_field(name)
    assert isinstance(field, Field)
    return field


def _quote(name: str) -> str:
    return str(connection.ops.quote_name(name))


def select_list(model: type[Model], alias: str) -> str:
    """Every concrete column of `model`, as `alias`.column, in `from_row`'s order."""
    return ", ".join(f"{alias}.{_quote(f.column)}" for f in model._meta.concrete_fields)


def converted(field: Field[Any, Any], value: Any) -> Any:
    """A column's value as the ORM gives it (a UUID, a date, decoded JSON…)."""
    if value is None:
        return None
    column = field.get_col(field.model._meta.db_table)
    for converter in (
        *connection.ops.get_db_converters(column),
        *column.get_db_converters(connection),
    ):
        value = converter(value, column, connection)
    return value


def from_row(model: type[Model], row: Sequence[Any]) -> Model:
    """An instance of `model` from the values of `select_list`, in that order."""
    fields = model._meta.concrete_fields
    return model.from_db(
        connection.alias,
        [f.attname for f in fields],
        [converted(f, v) for f, v in zip(fields, row, strict=False)],
    )


def _saved(instance: Model) -> None:
    instance._state.adding = False
    instance._state.db = connection.alias


def _table(model: type[Model]) -> str:
    return _quote(model._meta.db_table)


def _returns_rows() -> bool:
    return bool(connection.features.can_return_columns_from_insert)


@functools.cache
def _insert_sql(model: type[Model], vendor: str, skip_if_taken: str | None) -> str:
    """The text of `insert`'s statement, built once (`vendor` keys it to the connection)."""
    sql = f"INSERT INTO {_table(model)} ({columns(model)}) VALUES ({placeholders(model)})"  # noqa: S608 - names from the model
    if skip_if_taken:
        column = _field(model, skip_if_taken).column
        sql += f" ON CONFLICT ({_quote(column)}) DO NOTHING"
    if connection.features.can_return_columns_from_insert:
        pk = model._meta.pk
        assert pk is not None
        sql += f" RETURNING {_quote(pk.column)}"
    return sql


def insert(instance: Model, *, skip_if_taken: str | None = None) -> bool:
    """Insert `instance`; returns True if it was written.

    With `skip_if_taken`, the name of a field under a unique constraint, a row whose value
    is already taken is skipped (``ON CONFLICT DO NOTHING``) and False returned. Unlike a
    failed insert, this leaves the transaction usable, so no savepoint is needed."""
    model = type(instance)
    pk = model._meta.pk
    assert pk is not None
    row = values(instance)
    sql = _insert_sql(model, connection.vendor, skip_if_taken)
    with connection.cursor() as cursor:
        if _returns_rows():
            cursor.execute(sql, row)
            returned = cursor.fetchone()
            if returned is None:
                return False
            if getattr(pk, "db_returning", False):
                instance.pk = returned[0]
        else:
            cursor.execute(sql, row)
            if cursor.rowcount != 1:
                return False
            if getattr(pk, "db_returning", False):
                instance.pk = cursor.lastrowid
    _saved(instance)
    return True


def insert_all(instances: Sequence[Model]) -> None:
    """Insert instances of one model in one statement. Database-generated keys are not read
    back: use it for rows nothing refers to in the same transaction."""
    if not instances:
        return
    model = type(instances[0])
    rows = [values(i) for i in instances]
    placeholders = "(" + ", ".join(["%s"] * len(rows[0])) + ")"
    sql = (
        f"INSERT INTO {_table(model)} ({columns(model)}) "  # noqa: S608 - names from the model
        f"VALUES {', '.join([placeholders] * len(rows))}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [v for row in rows for v in row])
    for instance in instances:
        _saved(instance)


def insert_next(instance: Model, *, number: str, within: str) -> int:
    """Insert `instance` with `number` set to one more than the highest among the rows that
    share its `within` field (1 for the first); returns that number.

    The caller holds a lock that serialises inserts for the same `within` value (the parent
    row, locked for update); a unique constraint on the pair catches any other writer."""
    model = type(instance)
    number_field = _field(model, number)
    scope_field = _field(model, within)
    fields = [f for f in _insert_fields(model) if f is not number_field]
    row = [f.get_db_prep_save(f.pre_save(instance, True), connection) for f in fields]
    scope_column = _quote(scope_field.column)
    number_column = _quote(number_field.column)
    scope_value = row[fields.index(scope_field)]
    names = ", ".join(_quote(f.column) for f in fields)
    sql = (
        f"INSERT INTO {_table(model)} ({number_column}, {names}) "  # noqa: S608 - names from the model
        f"SELECT COALESCE(MAX({number_column}), 0) + 1, {', '.join(['%s'] * len(row))} "
        f"FROM {_table(model)} WHERE {scope_column} = %s"
    )
    pk = model._meta.pk
    assert pk is not None
    with connection.cursor() as cursor:
        if _returns_rows():
            cursor.execute(
                f"{sql} RETURNING {_quote(pk.column)}, {number_column}",
                [*row, scope_value],
            )
            pk_value, assigned = cursor.fetchone()
        else:
            cursor.execute(sql, [*row, scope_value])
            pk_value = cursor.lastrowid
            cursor.execute(
                f"SELECT {number_column} FROM {_table(model)} "  # noqa: S608 - names from the model
                f"WHERE {_quote(pk.column)} = %s",
                [pk_value],
            )
            assigned = cursor.fetchone()[0]
    if getattr(pk, "db_returning", False):
        instance.pk = pk_value
    setattr(instance, number_field.attname, int(assigned))
    _saved(instance)
    return int(assigned)


def update(
    instance: Model,
    names: Sequence[str],
    *,
    expect: Mapping[str, Any] | None = None,
    increment: Sequence[str] = (),
) -> int:
    """Write the fields `names` of `instance` to its row, adding 1 to the `increment` fields,
    only while the row's fields in `expect` still hold those values; returns rows changed.
    The instance's own `increment` fields are left as they were."""
    model = type(instance)
    meta = model._meta
    assignments: list[str] = []
    params: list[Any] = []
    for name in names:
        field = _field(model, name)
        assignments.append(f"{_quote(field.column)} = %s")
        # pre_save gives an auto_now field its new time, as save() would.
        params.append(field.get_db_prep_save(field.pre_save(instance, False), connection))
    for name in increment:
        column = _quote(_field(model, name).column)
        assignments.append(f"{column} = {column} + 1")
    pk = meta.pk
    assert pk is not None
    conditions = [f"{_quote(pk.column)} = %s"]
    params.append(pk.get_db_prep_value(instance.pk, connection))
    for name, value in (expect or {}).items():
        field = _field(model, name)
        conditions.append(f"{_quote(field.column)} = %s")
        params.append(field.get_db_prep_value(value, connection))
    sql = (
        f"UPDATE {_table(model)} SET {', '.join(assignments)} "  # noqa: S608 - names from the model
        f"WHERE {' AND '.join(conditions)}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return int(cursor.rowcount)
