"""A device vendor's view of the API: generate a Python client from the live /api/openapi.json
with a standard generator (openapi-python-client), install the package it makes, and run a
kiosk's day through it against a live server: who am I, upload check-ins (twice: the second
is answered duplicate and stores nothing), the lesson, and a material downloaded as bytes.

Everything is local: the generator, ruff (which it runs on the code it writes) and poetry-core
(the generated package's build backend) are pinned in requirements.lock, and pip installs the
package with --no-index --no-build-isolation, so the test needs no network. Each step is bounded
by a timeout; generating, installing and the flow take about 6 s on the 2-core machine.
"""

# ruff: noqa: F811 (pytest fixtures imported from sibling test modules are parameters here)

import datetime
import importlib
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
import pytest
from django.core.cache import cache
from wagtail.models import Collection

from devices.models import CheckInEvent
from tests.lms.conftest import PDF, library, publish  # noqa: F401 (fixtures)

PROJECT = "truong-so-api-client"  # from the document's title, "Truong So API"
PACKAGE = "truong_so_api_client"
STEP_SECONDS = 60
BUDGET_SECONDS = 60


def run(command: list[str], cwd: Path) -> subprocess.CompletedProcess:
    # The generator runs `ruff` from PATH on what it writes: the one beside this Python.
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    done = subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=STEP_SECONDS
    )
    assert done.returncode == 0, f"{command[:3]} failed:\n{done.stdout}\n{done.stderr}"
    return done


@pytest.fixture
def generated_client(live_server, tmp_path, monkeypatch):
    """The client package generated from the served document and installed into a folder of
    its own, importable for the test (and forgotten after it). `started`: when it began, so
    the test can bound generation, installation and the flow together."""
    started = time.monotonic()
    document = tmp_path / "openapi.json"
    served = httpx.get(f"{live_server.url}/api/openapi.json", timeout=STEP_SECONDS)
    assert served.status_code == 200
    document.write_bytes(served.content)

    # --fail-on-warning: an operation or answer the generator could not type fails the test
    # instead of silently missing from the vendor's client.
    run([sys.executable, "-m", "openapi_python_client", "generate",
         "--path", str(document), "--output-path", "client", "--fail-on-warning"], tmp_path)
    project = tmp_path / "client"
    assert f'name = "{PROJECT}"' in (project / "pyproject.toml").read_text()

    target = tmp_path / "site"
    run([sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
         "--no-index", "--no-deps", "--no-build-isolation", "--target", str(target),
         str(project)], tmp_path)
    assert (target / PACKAGE / "py.typed").exists()
    assert list(target.glob(f"{PACKAGE}-1.dist-info"))  # pip took the project's name

    monkeypatch.syspath_prepend(str(target))
    package = importlib.import_module(PACKAGE)
    assert Path(package.__file__).is_relative_to(target)
    package.started = started
    yield package
    for name in [n for n in sys.modules if n == PACKAGE or n.startswith(PACKAGE + ".")]:
        del sys.modules[name]


@pytest.fixture
def kiosk(cast, settings):
    """School A's board in P201 (10A1's room) with a token; 10A1's first pupil has a card."""
    if Collection.get_first_root_node() is None:  # a flushed database (live_server) has none
        Collection.add_root(name="Root")
    settings.DEVICE_API_RATE_PER_MINUTE = 10**6
    cache.clear()
    cast.pupil_a1.card_id = "CARD-A1"
    cast.pupil_a1.save(update_fields=["card_id"])
    return cast.device.issue_token()


def test_a_vendors_generated_client_installs_and_runs_the_kiosk_flow(
    cast, kiosk, library, live_server, generated_client
):
    client_module = importlib.import_module(f"{PACKAGE}.client")
    models = importlib.import_module(f"{PACKAGE}.models")
    devices = f"{PACKAGE}.api.devices"
    me = importlib.import_module(f"{devices}.devices_api_me")
    upload = importlib.import_module(f"{devices}.devices_api_upload_check_ins")
    lesson = importlib.import_module(f"{devices}.devices_api_lesson")
    material_file = importlib.import_module(f"{devices}.devices_api_material_file")
    File = importlib.import_module(f"{PACKAGE}.types").File

    client = client_module.AuthenticatedClient(
        base_url=live_server.url, token=kiosk, timeout=httpx.Timeout(STEP_SECONDS)
    )
    with client:
        device = me.sync(client=client)
        assert isinstance(device, models.DeviceOut)
        assert device.id == cast.device.pk

        event_id = uuid.uuid4()
        batch = models.CheckInBatchIn(events=[models.CheckInIn(
            event_id=event_id,
            occurred_at=datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=3),
            card_id="CARD-A1",
            direction=models.CheckInInDirection.IN,
        )])
        first = upload.sync(client=client, body=batch)
        assert isinstance(first, models.CheckInBatchOut), first
        assert (first.accepted, first.duplicates) == (1, 0)
        assert first.results[0].event_id == event_id
        assert first.results[0].status == models.CheckInResultOutStatus.ACCEPTED
        again = upload.sync(client=client, body=batch)  # the kiosk resends after a lost answer
        assert (again.accepted, again.duplicates) == (0, 1)
        stored = CheckInEvent.objects.get(device=cast.device)
        assert (stored.event_id, stored.student_id) == (event_id, cast.pupil_a1.pk)

        content = lesson.sync(lesson_id=library.lesson.pk, client=client)
        assert isinstance(content, models.LessonOut), content
        blocks = [b for b in content.blocks if isinstance(b, models.MaterialBlockOut)]
        assert [b.value.id for b in blocks] == [library.material.pk]

        download = material_file.sync_detailed(material_id=blocks[0].value.id, client=client)
        assert download.status_code == 200
        assert isinstance(download.parsed, File)
        assert download.parsed.payload.read() == PDF
        assert download.headers["content-type"] == "application/pdf"

        missing = material_file.sync(material_id=10**9, client=client)
        assert isinstance(missing, models.ErrorOut) and missing.error.code == "not_found"

    assert time.monotonic() - generated_client.started < BUDGET_SECONDS
