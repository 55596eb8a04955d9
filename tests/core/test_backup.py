"""`manage.py backup` and `manage.py restore` (core/backup.py), run as an operator runs them:
as programs, against the real PostgreSQL server, the restore into a database and file roots of
its own. The restored rows are compared here row by row, not through the manifest the commands
compare against, so a fingerprint that missed something would not hide it."""

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import psycopg2
import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from core.backup import FILE_ROOTS, files_fingerprint

pytestmark = pytest.mark.django_db(transaction=True)

MANAGE = Path(settings.BASE_DIR) / "manage.py"


def _server() -> dict:
    db = settings.DATABASES["default"]
    return {"host": db["HOST"], "port": db["PORT"], "user": db["USER"],
            "password": db.get("PASSWORD") or None}


def _query(database: str, sql: str, *, autocommit: bool = False) -> list:
    """Run `sql` on `database` through a connection of its own; its rows (or [])."""
    db = psycopg2.connect(dbname=database, **_server())
    try:
        db.autocommit = autocommit
        with db.cursor() as cursor:
            cursor.execute(sql)
            rows = cursor.fetchall() if cursor.description else []
        db.commit()
        return rows
    finally:
        db.close()


def _url(name: str) -> str:
    db = settings.DATABASES["default"]
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT']}/{name}"


@pytest.fixture
def new_database():
    """Make empty databases on the tests' server; drops them afterwards."""
    made = []

    def make(label: str) -> str:
        name = f"{connection.settings_dict['NAME']}_{label}"
        _query("postgres", f'DROP DATABASE IF EXISTS "{name}"', autocommit=True)
        _query("postgres", f'CREATE DATABASE "{name}"', autocommit=True)
        made.append(name)
        return name

    yield make
    for name in made:
        _query("postgres", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', autocommit=True)


def _roots(base: Path) -> dict[str, Path]:
    return {name: base / name.lower() for name in FILE_ROOTS}


def manage(*args: str, database: str, roots: dict[str, Path]) -> subprocess.CompletedProcess:
    """manage.py as an operator runs it: production settings, this database and these roots."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "truongso.settings.base",
        "DEBUG": "0",
        "DJANGO_SECRET_KEY": "backup-tests-" + "x" * 50,
        "DATABASE_URL": _url(database),
        **{name: str(path) for name, path in roots.items()},
    }
    return subprocess.run(
        [sys.executable, str(MANAGE), *args], env=env, capture_output=True, text=True,
        timeout=600, check=False,
    )


def rows_of(database: str) -> dict[str, list]:
    """Every table's rows, sorted, read through a connection of its own."""
    tables = _query(database, "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
    return {
        name: sorted(_query(database, f'SELECT * FROM "{name}"'), key=repr) for (name,) in tables
    }


def _tables(database: str) -> int:
    return _query(database, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")[0][0]


@pytest.fixture
def stored(settings, tmp_path):
    """The file roots of this test: the demo and the test write here, the backup reads here."""
    roots = _roots(tmp_path / "live")
    for name, path in roots.items():
        path.mkdir(parents=True)
        setattr(settings, name, path)
    return roots


def test_the_demo_comes_back_from_a_backup_row_for_row_and_file_for_file(
    stored, tmp_path, new_database
):
    call_command("seed_demo", stdout=io.StringIO())
    # A file in every root, beside the demo's own (its report PDFs, lesson materials).
    for name, root in stored.items():
        (root / "nested" / "dir").mkdir(parents=True, exist_ok=True)
        (root / "nested" / "dir" / f"{name}.bin").write_bytes(os.urandom(3000) + name.encode())
    live = connection.settings_dict["NAME"]

    made = manage("backup", "--to", str(tmp_path / "backup"), database=live, roots=stored)
    assert made.returncode == 0, made.stderr
    assert made.stdout.strip().splitlines()[-1].startswith("RESULT tables=")

    target, restored_roots = new_database("restored"), _roots(tmp_path / "restored")
    back = manage("restore", str(tmp_path / "backup"), database=target, roots=restored_roots)
    assert back.returncode == 0, back.stderr
    assert "differences=0" in back.stdout

    original, restored = rows_of(live), rows_of(target)
    assert set(restored) == set(original)
    assert sum(len(rows) for rows in original.values()) > 50_000  # the whole demo, not a stub
    for table in original:
        assert restored[table] == original[table], table
    assert files_fingerprint(restored_roots) == files_fingerprint(stored)
    assert sum(len(f) for f in files_fingerprint(stored).values()) > len(FILE_ROOTS)

    # The restored database takes new rows: its sequences went on from where the backup was.
    _query(
        target,
        "INSERT INTO school_department (name, province, code)"
        " VALUES ('Sở thử khôi phục', 'Quảng Ninh', 'restore-x')",
    )


def test_a_backup_of_an_older_schema_restores_and_migrates_to_this_one(
    stored, tmp_path, new_database
):
    old = new_database("old")
    # The database as it stood before the second factor's migration, with a user in it.
    first = manage("restore", "--no-migrate", str(_backup_of_now(stored, tmp_path)),
                   database=old, roots=_roots(tmp_path / "old"))
    assert first.returncode == 0, first.stderr
    back = manage("migrate", "signin", "0002_sessions", database=old, roots=_roots(tmp_path / "old"))
    assert back.returncode == 0, back.stderr
    made = manage("backup", "--to", str(tmp_path / "old-backup"), database=old,
                  roots=_roots(tmp_path / "old"))
    assert made.returncode == 0, made.stderr

    target = new_database("newer")
    restored = manage("restore", str(tmp_path / "old-backup"), database=target,
                      roots=_roots(tmp_path / "newer"))
    assert restored.returncode == 0, restored.stderr
    assert "differences=0" in restored.stdout
    assert "Applying signin.0003" in restored.stdout
    assert _query(target, "SELECT phone FROM accounts_user") == [("0912000111",)]
    assert _query(target, "SELECT count(*) FROM signin_backupcode") == [(0,)]


def _backup_of_now(stored, tmp_path) -> Path:
    from accounts.models import User

    User.objects.create_user(phone="0912000111", password="x" * 12, full_name="Lê Văn Khôi")
    path = tmp_path / "now"
    made = manage("backup", "--to", str(path), database=connection.settings_dict["NAME"],
                  roots=stored)
    assert made.returncode == 0, made.stderr
    return path


def test_a_damaged_backup_is_refused_before_anything_is_written(stored, tmp_path, new_database):
    path = _backup_of_now(stored, tmp_path)
    dump = path / "database.dump"
    data = bytearray(dump.read_bytes())
    data[len(data) // 2] ^= 0xFF
    dump.write_bytes(bytes(data))

    target = new_database("damaged")
    refused = manage("restore", str(path), database=target, roots=_roots(tmp_path / "out"))
    assert refused.returncode != 0
    assert "damaged" in refused.stderr
    assert _tables(target) == 0
    assert not any(p.exists() for p in _roots(tmp_path / "out").values())


def test_a_missing_file_in_the_backup_is_refused(stored, tmp_path, new_database):
    (stored["REPORTS_ROOT"] / "run-1").mkdir()
    (stored["REPORTS_ROOT"] / "run-1" / "10A1.pdf").write_bytes(b"%PDF-1.7 a class")
    path = _backup_of_now(stored, tmp_path)
    (path / "files" / "REPORTS_ROOT" / "run-1" / "10A1.pdf").unlink()

    target = new_database("missing")
    refused = manage("restore", str(path), database=target, roots=_roots(tmp_path / "out"))
    assert refused.returncode != 0
    assert "damaged" in refused.stderr
    assert _tables(target) == 0


def test_a_restore_over_a_database_in_use_is_refused_unless_asked(stored, tmp_path):
    path = _backup_of_now(stored, tmp_path)
    live = connection.settings_dict["NAME"]
    refused = manage("restore", str(path), database=live, roots=stored)
    assert refused.returncode != 0
    assert "not empty" in refused.stderr
    from accounts.models import User
    assert User.objects.filter(phone="0912000111").exists()


def test_a_failed_backup_leaves_no_directory(stored, tmp_path):
    missing = manage("backup", "--to", str(tmp_path / "b"), database="no_such_database",
                     roots=stored)
    assert missing.returncode != 0
    assert not (tmp_path / "b").exists()
    assert not (tmp_path / "b.partial").exists()


def test_old_backups_beyond_the_limit_are_removed(stored, tmp_path):
    parent = tmp_path / "all"
    for name, when in (("older", "2026-05-01T02:00:00+00:00"), ("old", "2026-05-02T02:00:00+00:00")):
        (parent / name).mkdir(parents=True)
        (parent / name / "manifest.json").write_text(json.dumps({"created_at": when}))
    (parent / "notes").mkdir()  # not a backup: never touched
    made = manage("backup", "--to", str(parent / "new"), "--keep", "2",
                  database=connection.settings_dict["NAME"], roots=stored)
    assert made.returncode == 0, made.stderr
    assert sorted(p.name for p in parent.iterdir()) == ["new", "notes", "old"]
