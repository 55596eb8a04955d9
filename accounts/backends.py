"""Who is logged in, read once per request in one prepared statement.

Django's ModelBackend, except for `get_user`: every logged-in request loads its user, and with the
ORM building that query costs more than running it (~0.45 ms against ~0.15 ms). Here the query
is written once and run through core.db.fetch_prepared; the user built from its row is the
same instance the ORM would give (tested field by field). Deactivating a user still ends their
sessions on the next request: the row is read on every request, never cached.
"""

from functools import cache

from django.contrib.auth.backends import ModelBackend
from django.db import connection

from accounts.models import User
from core import db


class UserBackend(ModelBackend):
    def get_user(self, user_id):
        if not db.preparing():  # SQLite, or a connection per request: the ORM's query
            return super().get_user(user_id)
        sql, attnames = _user_query()
        rows = db.fetch_prepared(sql, [user_id])
        if not rows:
            return None
        user = User.from_db(connection.alias, attnames, rows[0])
        return user if self.user_can_authenticate(user) else None


@cache
def _user_query() -> tuple[str, list[str]]:
    fields = User._meta.concrete_fields
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    sql = f"SELECT {columns} FROM {quote(User._meta.db_table)} WHERE {quote(User._meta.pk.column)} = %s"
    return sql, [field.attname for field in fields]
