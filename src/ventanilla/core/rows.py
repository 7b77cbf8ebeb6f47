"""Plain statements for the reads and writes every registration makes, with the ORM's values.

A registration is about twenty statements, and Django's query building costs several times
what the database spends on each of them. These helpers write a model instance with one
statement whose text is built once per model (and database), and prepare every value
exactly as the ORM does (`pre_save`, then `get_db_prep_save`), so what lands is what
`save()` would write; `from_row` turns a selected row into an instance with the ORM's
converters. They skip what a hot path does not need: signals, `save()` overrides and checks
of unsaved related objects. Use them only for models that rely on none of these.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Field, Model


def _db() -> BaseDatabaseWrapper:
    # Looked up once per call: every `connection.x` goes through a context-local proxy.
    return connections[DEFAULT_DB_ALIAS]


@functools.cache
def _insert_fields(model: type[Model]) -> tuple[Field[Any, Any], ...]:
    """The columns an insert writes: every concrete field but a database-generated key."""
    return tuple(
        f
        for f in model._meta.concrete_fields
        if not (f.primary_key and getattr(f, "db_returning", False))
    )


def _field(model: type[Model], name: str) -> Field[Any, Any]:
    field = model._meta.get_field(name)
    assert isinstance(field, Field)
    return field


def _pk(model: type[Model]) -> Field[Any, Any]:
    pk = model._meta.pk
    assert pk is not None
    return pk


def _generated_pk(model: type[Model]) -> bool:
    return bool(getattr(_pk(model), "db_returning", False))


def _quote(db: BaseDatabaseWrapper, name: str) -> str:
    return str(db.ops.quote_name(name))


def columns(model: type[Model]) -> str:
    """The columns `values` gives, quoted, comma-separated."""
    db = _db()
    return ", ".join(_quote(db, f.column) for f in _insert_fields(model))


def placeholders(model: type[Model]) -> str:
    """One ``%s`` for each of `columns(model)`."""
    return ", ".join(["%s"] * len(_insert_fields(model)))


def values(instance: Model, *, add: bool = True) -> list[Any]:
    """The instance's insert values, in `columns` order, prepared as the ORM prepares them."""
    db = _db()
    return [
        f.get_db_prep_save(f.pre_save(instance, add), db) for f in _insert_fields(type(instance))
    ]


def select_list(model: type[Model], alias: str) -> str:
    """Every concrete column of `model`, as `alias`.column, in `from_row`'s order."""
    db = _db()
    return ", ".join(f"{alias}.{_quote(db, f.column)}" for f in model._meta.concrete_fields)


def converted(field: Field[Any, Any], value: Any) -> Any:
    """A column's value as the ORM gives it (a UUID, a date, decoded JSON…)."""
    if value is None:
        return None
    db = _db()
    column = field.get_col(field.model._meta.db_table)
    for converter in (*db.ops.get_db_converters(column), *column.get_db_converters(db)):
        value = converter(value, column, db)
    return value


def from_row(model: type[Model], row: Sequence[Any]) -> Model:
    """An instance of `model` from the values of `select_list`, in that order."""
    fields = model._meta.concrete_fields
    return model.from_db(
        DEFAULT_DB_ALIAS,
        [f.attname for f in fields],
        [converted(f, v) for f, v in zip(fields, row, strict=False)],
    )


def _saved(instance: Model) -> None:
    instance._state.adding = False
    instance._state.db = DEFAULT_DB_ALIAS


def _table(db: BaseDatabaseWrapper, model: type[Model]) -> str:
    return _quote(db, model._meta.db_table)


@functools.cache
def _insert_sql(model: type[Model], vendor: str, skip_if_taken: str | None, rows: int) -> str:
    """The text of an insert of `rows` rows (`vendor` keys it to the database)."""
    db = _db()
    row = f"({placeholders(model)})"
    sql = f"INSERT INTO {_table(db, model)} ({columns(model)}) VALUES {', '.join([row] * rows)}"  # noqa: S608 - names from the model
    if skip_if_taken:
        sql += f" ON CONFLICT ({_quote(db, _field(model, skip_if_taken).column)}) DO NOTHING"
    if rows == 1 and db.features.can_return_columns_from_insert:
        sql += f" RETURNING {_quote(db, _pk(model).column)}"
    return sql


def insert(instance: Model, *, skip_if_taken: str | None = None) -> bool:
    """Insert `instance`; returns True if it was written.

    With `skip_if_taken`, the name of a field under a unique constraint, a row whose value
    is already taken is skipped (``ON CONFLICT DO NOTHING``) and False returned. Unlike a
    failed insert, this leaves the transaction usable, so no savepoint is needed."""
    model = type(instance)
    db = _db()
    row = values(instance)
    sql = _insert_sql(model, db.vendor, skip_if_taken, 1)
    with db.cursor() as cursor:
        cursor.execute(sql, row)
        if db.features.can_return_columns_from_insert:
            returned = cursor.fetchone()
            if returned is None:
                return False
            new_pk = returned[0]
        else:
            if cursor.rowcount != 1:
                return False
            new_pk = cursor.lastrowid
    if _generated_pk(model):
        instance.pk = new_pk
    _saved(instance)
    return True


def insert_all(instances: Sequence[Model]) -> None:
    """Insert instances of one model in one statement. Database-generated keys are not read
    back: use it for rows nothing refers to in the same transaction."""
    if not instances:
        return
    model = type(instances[0])
    db = _db()
    params = [v for instance in instances for v in values(instance)]
    with db.cursor() as cursor:
        cursor.execute(_insert_sql(model, db.vendor, None, len(instances)), params)
    for instance in instances:
        _saved(instance)


@functools.cache
def _insert_next_sql(model: type[Model], vendor: str, number: str, within: str) -> str:
    db = _db()
    number_column = _quote(db, _field(model, number).column)
    fields = [f for f in _insert_fields(model) if f.name != number]
    names = ", ".join(_quote(db, f.column) for f in fields)
    table = _table(db, model)
    sql = (
        f"INSERT INTO {table} ({number_column}, {names}) "  # noqa: S608 - names from the model
        f"SELECT COALESCE(MAX({number_column}), 0) + 1, {', '.join(['%s'] * len(fields))} "
        f"FROM {table} WHERE {_quote(db, _field(model, within).column)} = %s"
    )
    if db.features.can_return_columns_from_insert:
        sql += f" RETURNING {_quote(db, _pk(model).column)}, {number_column}"
    return sql


def insert_next(instance: Model, *, number: str, within: str) -> int:
    """Insert `instance` with `number` set to one more than the highest among the rows that
    share its `within` field (1 for the first); returns that number.

    The caller holds a lock that serialises inserts for the same `within` value (the parent
    row, locked for update); a unique constraint on the pair catches any other writer."""
    model = type(instance)
    db = _db()
    fields = [f for f in _insert_fields(model) if f.name != number]
    row = [f.get_db_prep_save(f.pre_save(instance, True), db) for f in fields]
    scope = _field(model, within)
    row.append(scope.get_db_prep_save(getattr(instance, scope.attname), db))
    with db.cursor() as cursor:
        cursor.execute(_insert_next_sql(model, db.vendor, number, within), row)
        if db.features.can_return_columns_from_insert:
            new_pk, assigned = cursor.fetchone()
        else:
            new_pk = cursor.lastrowid
            pk_column = _quote(db, _pk(model).column)
            cursor.execute(
                f"SELECT {_quote(db, _field(model, number).column)} "  # noqa: S608 - names from the model
                f"FROM {_table(db, model)} WHERE {pk_column} = %s",
                [new_pk],
            )
            assigned = cursor.fetchone()[0]
    if _generated_pk(model):
        instance.pk = new_pk
    setattr(instance, _field(model, number).attname, int(assigned))
    _saved(instance)
    return int(assigned)


@functools.cache
def _update_sql(
    model: type[Model],
    vendor: str,
    names: tuple[str, ...],
    expect: tuple[str, ...],
    increment: tuple[str, ...],
) -> str:
    db = _db()

    def column(name: str) -> str:
        return _quote(db, _field(model, name).column)

    assignments = [f"{column(n)} = %s" for n in names]
    assignments += [f"{column(n)} = {column(n)} + 1" for n in increment]
    conditions = [f"{_quote(db, _pk(model).column)} = %s", *(f"{column(n)} = %s" for n in expect)]
    return (
        f"UPDATE {_table(db, model)} SET {', '.join(assignments)} "  # noqa: S608 - names from the model
        f"WHERE {' AND '.join(conditions)}"
    )


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
    db = _db()
    expected = dict(expect or {})
    fields = [_field(model, name) for name in names]
    # pre_save gives an auto_now field its new time, as save() would.
    params = [f.get_db_prep_save(f.pre_save(instance, False), db) for f in fields]
    params.append(_pk(model).get_db_prep_value(instance.pk, db))
    params += [_field(model, n).get_db_prep_value(v, db) for n, v in expected.items()]
    sql = _update_sql(model, db.vendor, tuple(names), tuple(expected), tuple(increment))
    with db.cursor() as cursor:
        cursor.execute(sql, params)
        return int(cursor.rowcount)


def plan_with_values(using: str = DEFAULT_DB_ALIAS) -> None:
    """For the rest of the caller's transaction, have PostgreSQL plan each statement for the
    values it carries. A statement run often on a connection is prepared (settings), and the
    server may then keep one plan for any value. A search whose cost depends on what was
    typed cannot share one: a plan made for a name one person in a million bears scanned the
    name index once per jurisdiction for a surname a fifth of Korea bears, and took 40 s."""
    db = connections[using]
    if db.vendor != "postgresql":
        return
    if not db.in_atomic_block:
        raise RuntimeError("plan_with_values() holds for a transaction: call it inside one")
    with db.cursor() as cursor:
        cursor.execute("SET LOCAL plan_cache_mode = force_custom_plan")
