"""The reference kiosk (tools/kiosk_simulator.py) against a live server: it records card reads
while the link is down, loses none of them, uploads them once the link is back, and a resend
of the same events stores nothing twice."""

import json
import socket
import uuid

import pytest
from django.core.cache import cache

from devices.models import CheckInEvent
from tools.kiosk_simulator import Kiosk, LinkDown, Unauthorized


@pytest.fixture
def closed_port():
    """A port on 127.0.0.1 where nothing listens: bound (so nobody else takes it) but not
    listening, so a connection is refused at once, like a school's link that is down."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]


@pytest.fixture
def kiosk_token(cast, settings):
    settings.DEVICE_API_RATE_PER_MINUTE = 1000
    cache.clear()
    cast.pupil_a1.card_id = "CARD-A1"
    cast.pupil_a1.save(update_fields=["card_id"])
    cast.sibling_a1.card_id = "CARD-S1"
    cast.sibling_a1.save(update_fields=["card_id"])
    return cast.device.issue_token()


def make_kiosk(base_url, token, tmp_path, waits=None, **kwargs):
    def sleep(seconds):
        if waits is not None:
            waits.append(seconds)

    return Kiosk(base_url, token, tmp_path / "spool.jsonl", batch_size=2, timeout=2,
                 sleep=sleep, log=lambda line: None, **kwargs)


def test_offline_reads_are_kept_then_uploaded_once_and_a_resend_stores_nothing_twice(
    cast, live_server, kiosk_token, closed_port, tmp_path
):
    kiosk = make_kiosk(f"http://127.0.0.1:{closed_port}", kiosk_token, tmp_path)
    cards = ["CARD-A1", "CARD-S1", "CARD-A1", "THE-NEW-PUPIL", "CARD-S1"]
    read = [kiosk.read_card(card, direction="out" if n == 2 else "in") for n, card in enumerate(cards)]

    # The link is down: every read is in the spool, nothing reached the server.
    with pytest.raises(LinkDown):
        kiosk.flush(max_attempts=3)
    spooled = kiosk.spool.path.read_text(encoding="utf-8")
    assert [json.loads(line) for line in spooled.splitlines()] == read
    assert all(e["occurred_at"].endswith("+07:00") for e in read)
    assert not CheckInEvent.objects.exists()

    # The link is back: three batches of two, each event stored once, the spool empty.
    kiosk.base_url = live_server.url
    summary = kiosk.flush()
    assert (summary.accepted, summary.duplicate, summary.batches) == (5, 0, 3)
    assert summary.unknown_cards == 1
    assert len(kiosk.spool) == 0
    stored = {str(e.event_id): e for e in CheckInEvent.objects.filter(device=cast.device)}
    assert set(stored) == {e["event_id"] for e in read}
    assert stored[read[0]["event_id"]].student == cast.pupil_a1
    assert stored[read[2]["event_id"]].direction == "out"
    unknown = stored[read[3]["event_id"]]
    assert unknown.student is None and unknown.card_id == "THE-NEW-PUPIL"  # kept, not dropped

    # The kiosk died after the server stored the events but before it emptied its spool:
    # the same events go again, come back as duplicates, and nothing new is stored.
    kiosk.spool.path.write_text(spooled, encoding="utf-8")
    again = kiosk.flush()
    assert (again.accepted, again.duplicate) == (0, 5)
    assert CheckInEvent.objects.count() == 5
    assert len(kiosk.spool) == 0


def test_a_revoked_token_stops_the_kiosk_and_keeps_the_spool(cast, live_server, kiosk_token, tmp_path):
    kiosk = make_kiosk(live_server.url, kiosk_token, tmp_path)
    kiosk.read_card("CARD-A1")
    cast.device.revoke()
    with pytest.raises(Unauthorized, match="401"):
        kiosk.flush()
    assert len(kiosk.spool) == 1
    assert not CheckInEvent.objects.exists()


def test_a_rate_limited_kiosk_waits_as_told_then_uploads(live_server, kiosk_token, tmp_path, settings):
    waits = []
    kiosk = make_kiosk(live_server.url, kiosk_token, tmp_path, waits)
    for card in ["CARD-A1", "CARD-S1", "CARD-A1"]:
        kiosk.read_card(card)
    settings.DEVICE_API_RATE_PER_MINUTE = 0  # the first upload gets a 429 with Retry-After

    def sleep(seconds):
        waits.append(seconds)
        settings.DEVICE_API_RATE_PER_MINUTE = 1000  # the minute "passes"

    kiosk.sleep = sleep
    summary = kiosk.flush()
    assert len(waits) == 1 and 1 <= waits[0] <= 60  # Retry-After, not a guess
    assert (summary.accepted, summary.retries) == (3, 1)
    assert CheckInEvent.objects.count() == 3


def test_malformed_events_and_torn_lines_are_set_aside_and_the_others_go_through(
    live_server, kiosk_token, tmp_path
):
    kiosk = make_kiosk(live_server.url, kiosk_token, tmp_path)
    first = kiosk.read_card("CARD-A1")
    # firmware that wrote its clock's display text instead of an ISO time
    kiosk.spool.append({"event_id": str(uuid.uuid4()), "card_id": "CARD-S1",
                        "occurred_at": "hôm qua", "direction": "in"})
    with kiosk.spool.path.open("a", encoding="utf-8") as spool:  # power cut in mid-write
        spool.write('{"event_id": "5f0c')
    last = kiosk.read_card("CARD-S1")
    summary = kiosk.flush()
    assert (summary.accepted, summary.quarantined) == (2, 1)
    assert len(kiosk.spool) == 0
    stored = {str(i) for i in CheckInEvent.objects.values_list("event_id", flat=True)}
    assert stored == {first["event_id"], last["event_id"]}
    set_aside = kiosk.spool.bad_path.read_text(encoding="utf-8")
    assert "hôm qua" in set_aside and '{"event_id": "5f0c' in set_aside
