"""A parent on a phone opens the child's page; the service worker registers and saves it; with
no network, reloading shows the saved copy with the "saved copy, no network" banner. Signing out
clears it: offline again, the child's page is no longer shown.

(Push subscription itself is not driven here: headless Chromium has no push service. The server
side of push is tested in tests/contactbook/test_push.py against a fake push service.)
"""

import datetime
import re

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, expect

from tests import factories as f
from tests.clients import Client
from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e

PARENT_PHONE = "0987 654 329"
CHILD_NAME = "Nguyễn Minh Khang"
SLOW_MS = 15_000

SAVED = """async (url) => {
  const cache = await caches.open("truongso-pages-1");
  return Boolean(await cache.match(url, {ignoreVary: true}));
}"""


@pytest.fixture
def child(transactional_db):
    year = f.SchoolYearFactory(school=f.SchoolFactory(name="Trường THPT Hạ Long", code="thpt-ha-long"))
    class_a1 = f.ClassGroupFactory(school_year=year, name="10A1")
    f.TermFactory(school_year=year, start_date=datetime.date(2026, 1, 1), end_date=datetime.date(2027, 12, 31))
    parent = f.UserFactory(full_name="Vũ Thị Hồng Nhung", phone="0987654329")
    student = f.StudentFactory(school=year.school, family_name="Nguyễn", middle_name="Minh", given_name="Khang")
    f.enrol(student, class_a1)
    f.link_guardian(parent, student)
    # Warm the server up in-process: its first request imports every URLconf (Wagtail's admin)
    # and compiles the templates, which on a busy machine outlasts a 10 s navigation.
    client = Client()
    client.get("/tai-khoan/dang-nhap/")
    client.force_login(parent)
    client.get(f"/phu-huynh/hoc-sinh/{student.pk}/")
    return student


def test_the_childs_page_reads_offline_until_the_parent_signs_out(phone_page: Page, child, artifacts_dir):
    page = phone_page
    path = f"/phu-huynh/hoc-sinh/{child.pk}/"
    log_in(page, PARENT_PHONE, path)
    expect(page.locator("h1.child-name")).to_have_text(CHILD_NAME)

    # The worker takes the page over and saves it (the first page loaded before it existed).
    page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=SLOW_MS)
    page.wait_for_function(SAVED, arg=page.url, timeout=SLOW_MS)

    page.context.set_offline(True)
    page.reload()
    expect(page.locator("h1.child-name")).to_have_text(CHILD_NAME)
    banner = page.locator("[data-offline-banner]")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text(re.compile(r"\d\d:\d\d"))  # the time it was saved
    page.screenshot(path=str(artifacts_dir / "pwa-offline-copy.png"), full_page=True)

    # Back online: the fresh page, no banner.
    page.context.set_offline(False)
    page.reload()
    expect(page.locator("h1.child-name")).to_have_text(CHILD_NAME)
    expect(banner).to_have_count(0)

    # Only the portal's pages are kept: not the inbox, not a sign-in page.
    page.goto("/hop-thu/")
    saved = page.evaluate("""async () => {
      const cache = await caches.open("truongso-pages-1");
      return (await cache.keys()).map((request) => new URL(request.url).pathname);
    }""")
    assert saved == [path], saved

    # Signing out clears the saved pages (the page's message and Clear-Site-Data).
    page.locator("form[data-sign-out] button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/tai-khoan/dang-nhap/"), timeout=SLOW_MS)
    page.wait_for_function(f"async (url) => !(await ({SAVED})(url))", arg=page.url.split("/tai-khoan")[0] + path,
                           timeout=SLOW_MS)

    page.context.set_offline(True)
    try:
        page.goto(path)
    except PlaywrightError:
        pass  # no worker any more: the browser's own "no network" error page
    expect(page.locator("h1.child-name")).to_have_count(0)
    assert CHILD_NAME not in page.content()


def test_the_push_toggle_shows_where_the_browser_can_push(phone_page: Page, child, settings, artifacts_dir):
    """Only that it appears and is ready: asking permission and subscribing need a real push
    service, which headless Chromium has not."""
    settings.WEBPUSH_VAPID_PUBLIC_KEY = "BEtKoH3rasutH75ZZQZcx6oHqkcxrUhnjsI0yME_IPJWNrPQT433HWIUeD9Re3YMI0Fh82o4CzDvwrPyfAsJIGs"
    settings.WEBPUSH_VAPID_PRIVATE_KEY = "k53ODH33LjqBd3cEgkT6JNMEgpLUuGyenpoJystT92Y"
    settings.WEBPUSH_SUBJECT = "mailto:quantri@truongso.test"
    page = phone_page
    log_in(page, PARENT_PHONE, "/hop-thu/cai-dat/")
    toggle = page.locator("[data-push-toggle]")
    expect(toggle).to_be_visible(timeout=SLOW_MS)
    expect(toggle.locator("[data-push-input]")).to_be_enabled(timeout=SLOW_MS)
    expect(toggle.locator("[data-push-input]")).not_to_be_checked()
    page.screenshot(path=str(artifacts_dir / "pwa-push-toggle.png"), full_page=True)
