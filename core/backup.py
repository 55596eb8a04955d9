"""Backups you can check: the database (pg_dump, custom format) and every stored file, with a
manifest of what they hold that a restore is compared against.

A backup is a directory:

    manifest.json    when, the schema (applied migrations), each table's row count and the
                     MD5 of its rows, each sequence's value, each file's SHA-256 and size, and
                     the dump's own SHA-256
    database.dump    pg_dump --format=custom, taken in the very snapshot the manifest counted
    files/<ROOT>/…   a copy of each file root (MEDIA_ROOT, LMS_MATERIALS_ROOT, …)

The table fingerprints are read in a REPEATABLE READ transaction whose snapshot pg_dump is
given (`--snapshot`), so on a live system the manifest describes exactly what was dumped.
Files are copied after that snapshot: a file is written before the row naming it commits and
never changed in place, so every file a dumped row names is in the copy.

A restore checks the backup first (the dump's and every file's SHA-256), refuses a database
that already has tables or a file root that already has files (unless told to replace them),
restores in one transaction, copies the files, and compares the restored rows and files with
the manifest; then `migrate` brings an older backup up to the running code's schema.
"""

import hashlib
import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.utils import timezone

# The settings naming the directories that hold stored files.
FILE_ROOTS = ("MEDIA_ROOT", "LMS_MATERIALS_ROOT", "MESSAGE_ATTACHMENTS_ROOT", "REPORTS_ROOT")
MANIFEST, DUMP, FILES = "manifest.json", "database.dump", "files"
FORMAT = 1  # the manifest's layout; a restore refuses a layout it does not know

_CHUNK = 1 << 20


class BackupError(Exception):
    """A backup or restore that cannot go on, with the reason for the operator."""


@dataclass(frozen=True)
class Comparison:
    """What a restore found against the manifest: empty lists when everything is equal."""

    tables: int
    rows: int
    files: int
    differences: list[str]

    @property
    def equal(self) -> bool:
        return not self.differences


# ---------------------------------------------------------------------------------------
# What a database and the file roots hold
# ---------------------------------------------------------------------------------------


def _tables(cursor) -> list[str]:
    cursor.execute(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
    )
    return [name for (name,) in cursor.fetchall()]


def database_fingerprint(cursor) -> dict:
    """Each table's row count and the MD5 of its rows (each row's text, sorted, so the
    physical order does not matter), each sequence's last value, and the applied migrations.
    Read with the time zone fixed so timestamps print the same in every session."""
    cursor.execute("SET LOCAL TIME ZONE 'UTC'")
    tables = {}
    for name in _tables(cursor):
        quoted = connection.ops.quote_name(name)
        cursor.execute(
            f"SELECT count(*), md5(coalesce(string_agg(md5(t::text), '' ORDER BY md5(t::text)),"
            f" '')) FROM {quoted} AS t"
        )
        count, digest = cursor.fetchone()
        tables[name] = [count, digest]
    cursor.execute(
        "SELECT sequencename, coalesce(last_value, 0) FROM pg_sequences"
        " WHERE schemaname = 'public' ORDER BY sequencename"
    )
    sequences = {name: value for name, value in cursor.fetchall()}
    migrations = []
    if "django_migrations" in tables:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
        migrations = [list(row) for row in cursor.fetchall()]
    return {"tables": tables, "sequences": sequences, "migrations": migrations}


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def files_fingerprint(roots: dict[str, Path]) -> dict[str, dict[str, list]]:
    """Every regular file under each root: relative path -> [SHA-256, size]."""
    found = {}
    for name, root in roots.items():
        found[name] = {}
        if not root.is_dir():
            continue
        for path in sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink()):
            found[name][path.relative_to(root).as_posix()] = [sha256_of(path), path.stat().st_size]
    return found


def file_roots() -> dict[str, Path]:
    return {name: Path(getattr(settings, name)) for name in FILE_ROOTS}


# ---------------------------------------------------------------------------------------
# pg_dump and pg_restore
# ---------------------------------------------------------------------------------------


def _tool(name: str) -> str:
    """A PostgreSQL client program: the newest server install's (a dump made by an older
    pg_dump than the server is refused), else the one on PATH."""
    for bindir in sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=_version, reverse=True):
        if (bindir / name).is_file():
            return str(bindir / name)
    found = shutil.which(name)
    if not found:
        raise BackupError(f"{name} was not found: install PostgreSQL's client programs.")
    return found


def _version(path: Path) -> tuple:
    return tuple(int(part) for part in path.parent.name.split(".") if part.isdigit())


def _connection_args() -> tuple[list[str], dict]:
    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.postgresql":
        raise BackupError("Backups are made of PostgreSQL: set DATABASE_URL to a postgres URL.")
    args = ["--dbname", db["NAME"]]
    for option, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if db.get(key):
            args += [option, str(db[key])]
    env = {**os.environ, "PGOPTIONS": "-c client_min_messages=warning"}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    return args, env


def _run(command: list[str], env: dict) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode:
        raise BackupError(f"{Path(command[0]).name} failed: {done.stderr.strip()[-2000:]}")


# ---------------------------------------------------------------------------------------
# Back up
# ---------------------------------------------------------------------------------------


def back_up(target: Path) -> dict:
    """Write a backup of the database and the file roots into `target` (a new directory) and
    return its manifest. A failed backup leaves no directory behind."""
    target = Path(target)
    if target.exists():
        raise BackupError(f"{target} already exists: a backup goes into a new directory.")
    partial = target.with_name(target.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    try:
        manifest = _write(partial)
        partial.rename(target)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return manifest


def _write(directory: Path) -> dict:
    args, env = _connection_args()
    connection.ensure_connection()
    with connection.cursor() as cursor:
        # One snapshot for the fingerprints and the dump: kept open (this transaction) until
        # pg_dump has taken it.
        cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        try:
            cursor.execute("SELECT pg_export_snapshot()")
            (snapshot,) = cursor.fetchone()
            database = database_fingerprint(cursor)
            _run(
                [_tool("pg_dump"), *args, "--format=custom", "--no-owner", "--no-privileges",
                 f"--snapshot={snapshot}", "--file", str(directory / DUMP)],
                env,
            )
        finally:
            cursor.execute("ROLLBACK")
    roots = file_roots()
    for name, root in roots.items():
        if root.is_dir():
            shutil.copytree(root, directory / FILES / name, symlinks=False)
    manifest = {
        "format": FORMAT,
        "created_at": timezone.now().isoformat(),
        "database": database,
        "dump_sha256": sha256_of(directory / DUMP),
        "files": files_fingerprint({name: directory / FILES / name for name in roots}),
    }
    (directory / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")
    return manifest


def prune(parent: Path, keep: int) -> list[Path]:
    """Remove all but the `keep` newest backups in `parent` (directories holding a manifest;
    nothing else is touched). Returns what was removed."""
    backups = sorted(
        (p for p in Path(parent).iterdir() if (p / MANIFEST).is_file()),
        key=lambda p: json.loads((p / MANIFEST).read_text())["created_at"],
    )
    removed = backups[: max(len(backups) - keep, 0)]
    for path in removed:
        shutil.rmtree(path)
    return removed


# ---------------------------------------------------------------------------------------
# Restore
# ---------------------------------------------------------------------------------------


def read_manifest(source: Path) -> dict:
    try:
        manifest = json.loads((Path(source) / MANIFEST).read_text())
    except (OSError, ValueError) as error:
        raise BackupError(f"{source} is not a readable backup: {error}") from error
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{source}: unknown backup format {manifest.get('format')!r}.")
    return manifest


def check_backup(source: Path, manifest: dict) -> None:
    """Refuse a backup whose dump or files are not what its manifest says (a copy cut short,
    a disk that rotted)."""
    source = Path(source)
    if sha256_of(source / DUMP) != manifest["dump_sha256"]:
        raise BackupError("The database dump does not match its manifest: the backup is damaged.")
    stored = files_fingerprint({name: source / FILES / name for name in manifest["files"]})
    if stored != manifest["files"]:
        raise BackupError("The backup's files do not match its manifest: the backup is damaged.")


def restore(source: Path, *, replace: bool = False) -> Comparison:
    """Restore `source` into the configured database and file roots, and compare the result
    with its manifest. The database must have no tables and the roots no files, unless
    `replace` (then both are emptied first)."""
    source = Path(source)
    manifest = read_manifest(source)
    check_backup(source, manifest)
    roots = file_roots()
    with connection.cursor() as cursor:
        existing = _tables(cursor)
    occupied = [name for name, root in roots.items() if root.is_dir() and any(root.iterdir())]
    if (existing or occupied) and not replace:
        raise BackupError(
            "The target is not empty ("
            + ", ".join(([f"{len(existing)} tables"] if existing else []) + occupied)
            + "): restore into a new database and empty file roots, or pass --replace."
        )
    args, env = _connection_args()
    if existing:
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    connection.close()  # pg_restore's own connection replaces the tables under this one
    _run(
        [_tool("pg_restore"), *args, "--no-owner", "--no-privileges", "--exit-on-error",
         "--single-transaction", str(source / DUMP)],
        env,
    )
    for name, root in roots.items():
        if root.is_dir():
            shutil.rmtree(root)
        copied = source / FILES / name
        if copied.is_dir():
            shutil.copytree(copied, root)
        else:
            root.mkdir(parents=True, exist_ok=True)
    return compare(manifest)


def compare(manifest: dict) -> Comparison:
    """The configured database and file roots against a backup's manifest."""
    with connection.cursor() as cursor:
        cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        try:
            database = database_fingerprint(cursor)
        finally:
            cursor.execute("ROLLBACK")
    files = files_fingerprint(file_roots())
    expected = manifest["database"]
    differences = []
    for name in sorted(set(expected["tables"]) | set(database["tables"])):
        want, got = expected["tables"].get(name), database["tables"].get(name)
        if want != got:
            differences.append(f"table {name}: backup {want}, restored {got}")
    for name in sorted(set(expected["sequences"]) | set(database["sequences"])):
        want, got = expected["sequences"].get(name), database["sequences"].get(name)
        if want != got:
            differences.append(f"sequence {name}: backup {want}, restored {got}")
    if expected["migrations"] != database["migrations"]:
        differences.append("the applied migrations differ")
    for root in sorted(manifest["files"]):
        want, got = manifest["files"][root], files.get(root, {})
        for path in sorted(set(want) | set(got)):
            if want.get(path) != got.get(path):
                differences.append(f"file {root}/{path}: backup {want.get(path)}, restored "
                                   f"{got.get(path)}")
    return Comparison(
        tables=len(database["tables"]),
        rows=sum(count for count, _digest in database["tables"].values()),
        files=sum(len(paths) for paths in files.values()),
        differences=differences,
    )
