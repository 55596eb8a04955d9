"""Statements prepared once per database connection, for the few queries every request of a
busy page runs (the logged-in user, the parent portal's home).

On PostgreSQL with persistent connections (DB_CONN_MAX_AGE > 0, as in production) planning
such a query, and building it with the ORM, costs more than running it; `fetch_prepared` runs
its SQL through a statement prepared the first time a connection sees it. Elsewhere (SQLite on
the first run, connections closed after each request) it runs the SQL as it is.
"""

import hashlib
import logging
import re
from collections.abc import Mapping

from django.db import DatabaseError, connection

logger = logging.getLogger(__name__)

PREFIX = "truongso_"
_NO_SUCH_STATEMENT = "26000"  # PostgreSQL's invalid_sql_statement_name
# False once a statement got lost (see fetch_prepared): plain SQL for this process from then on.
_enabled = [True]
_names: dict[str, str] = {}


_NAMED = re.compile(r"%\((\w+)\)s")


def fetch_prepared(sql: str, params: list | Mapping) -> tuple:
    """The rows of `sql` for `params`, through a prepared statement where that pays: `sql` has
    %s placeholders and `params` is a list, or %(name)s placeholders and `params` a dict (a
    name may appear several times; it is one parameter of the prepared statement)."""
    with connection.cursor() as cursor:
        name = _prepared(cursor, sql) if _enabled[0] else None
        if name:
            values = [params[n] for n in _names_in(sql)] if isinstance(params, Mapping) else params
            try:
                cursor.execute(f"EXECUTE {name} ({', '.join(['%s'] * len(values))})", values)
                return tuple(cursor.fetchall())
            except DatabaseError as error:
                if getattr(error.__cause__, "pgcode", None) != _NO_SUCH_STATEMENT:
                    raise
                # A pooler in transaction mode (PgBouncer) sends each statement to any server
                # session, where ours does not exist: plain statements from now on.
                _enabled[0] = False
                logger.warning("Prepared statements get lost: statements are no longer prepared.")
                if connection.in_atomic_block:
                    raise
        cursor.execute(sql, params)
        return tuple(cursor.fetchall())


def preparing() -> bool:
    """Whether statements are prepared on this connection."""
    return (
        _enabled[0]
        and connection.vendor == "postgresql"
        and connection.settings_dict.get("CONN_MAX_AGE") != 0
    )


def forget() -> None:
    """Forget what this process knows of the connection's statements (after DEALLOCATE ALL)."""
    connection._truongso_prepared = None


def _prepared(cursor, sql: str) -> str | None:
    """The name of `sql` prepared on this connection (preparing it the first time), or None
    where statements are not prepared: not PostgreSQL, or connections closed after each
    request (DB_CONN_MAX_AGE=0), where preparing would cost a statement per request."""
    if not preparing():
        return None
    name = _names.get(sql)
    if name is None:
        # Named after the text, so a server session that outlived our connection (a pooler)
        # and already has it holds the same statement.
        name = _names[sql] = PREFIX + hashlib.sha256(sql.encode()).hexdigest()[:16]
    raw = connection.connection
    done = getattr(connection, "_truongso_prepared", None)
    if done is None or done[0] is not raw:
        cursor.execute("SELECT name FROM pg_prepared_statements WHERE name LIKE %s", [PREFIX + "%"])
        done = (raw, {row[0] for row in cursor.fetchall()})
        connection._truongso_prepared = done
    if name not in done[1]:
        cursor.execute(f"PREPARE {name} AS " + _numbered(sql))
        done[1].add(name)
    return name


def _names_in(sql: str) -> list[str]:
    """The distinct %(name)s parameters of `sql`, in order of first appearance: $1, $2, …"""
    return list(dict.fromkeys(_NAMED.findall(sql)))


def _numbered(sql: str) -> str:
    """`sql` with PostgreSQL's $1, $2, … for its placeholders (%s in turn, or %(name)s by
    name: each name one number)."""
    names = _names_in(sql)
    if names:
        numbers = {n: i for i, n in enumerate(names, start=1)}
        sql = _NAMED.sub(lambda m: f"${numbers[m.group(1)]}", sql)
    else:
        counter = iter(range(1, sql.count("%s") + 1))
        sql = re.sub("%s", lambda _m: f"${next(counter)}", sql)
    return sql
