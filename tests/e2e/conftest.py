"""Browser journeys: Playwright (sync API) driving Debian's Chromium against pytest-django's
`live_server`.

Never `playwright install`: the browser is the system one at /usr/bin/chromium, installed by
`scripts/system-deps.sh`. When it is missing the e2e tests fail (they do not skip), so a machine
without a browser cannot pass the suite by silently running none of them.
"""

import os
import re
from base64 import b32decode
from pathlib import Path

import pytest
from playwright.sync_api import expect

from accounts.phones import normalize_phone
from tests import factories as f

# Playwright's sync API runs an asyncio event loop in the main thread; without this Django's ORM
# refuses to run in the test body ("You cannot call this from an async context").
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    # The machine has no outside network; without these Chromium stalls on refused connections.
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
LOCALE = "vi-VN"
TIMEZONE = "Asia/Ho_Chi_Minh"
PHONE_VIEWPORT = {"width": 360, "height": 740}  # a parent's cheap Android phone
DEFAULT_TIMEOUT_MS = 10_000

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "var" / "e2e"  # screenshots; var/ is git-ignored


def _missing_browser() -> str:
    return (
        f"Chromium is not installed at {CHROMIUM}. The browser tests need Debian's chromium: "
        "run `scripts/system-deps.sh chromium` (as root), then run the tests again. "
        "Do not use `playwright install`."
    )


def pytest_collection_modifyitems(config, items):
    """Everything under tests/e2e is a browser journey. With the streaming replica configured
    (make test), the live server's reports read from it as production's do
    (core/replica.py), so a journey may open connections to it too."""
    from django.conf import settings

    here = Path(__file__).parent
    databases = [alias for alias in ("default", "replica") if alias in settings.DATABASES]
    for item in items:
        if here in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.e2e)
            if item.get_closest_marker("django_db") is None:
                item.add_marker(pytest.mark.django_db(transaction=True, databases=databases))


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_call(item):
    """No browser: each e2e test FAILS (reported as failed, not as a setup error, never
    skipped) before its body runs, saying how to install it."""
    if item.get_closest_marker("e2e") and not CHROMIUM.exists():
        pytest.fail(_missing_browser(), pytrace=False)


@pytest.fixture(scope="session")
def playwright_driver():
    """The Playwright driver process, for the whole session (None without a browser: the
    tests then fail in pytest_runtest_call above)."""
    if not CHROMIUM.exists():
        yield None
        return
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - the test extra pins it
        pytest.fail(
            "The `playwright` Python package is missing: install the test extra "
            "(requirements.lock / pyproject [test]).",
            pytrace=False,
        )
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright_driver):
    """One headless Chromium for the whole session; each test gets its own context."""
    if playwright_driver is None:
        yield None
        return
    from playwright.sync_api import Error as PlaywrightError

    try:
        browser = playwright_driver.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
    except PlaywrightError as exc:
        pytest.fail(
            f"Chromium at {CHROMIUM} did not start ({exc}). "
            "Run `scripts/system-deps.sh chromium` to (re)install it and its libraries.",
            pytrace=False,
        )
    yield browser
    browser.close()


def _open_page(browser, live_server, **options):
    if browser is None:  # no Chromium: pytest_runtest_call fails the test
        return None, None
    context = browser.new_context(
        locale=LOCALE, timezone_id=TIMEZONE, base_url=live_server.url, **options
    )
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    context.set_default_navigation_timeout(DEFAULT_TIMEOUT_MS)
    return context, context.new_page()


@pytest.fixture
def page(browser, live_server):
    """A desktop-sized page in a fresh context (no cookies), Vietnamese locale and time zone.
    Relative URLs go to the live server."""
    context, page = _open_page(browser, live_server)
    yield page
    if context is not None:
        context.close()


@pytest.fixture
def phone_page(browser, live_server):
    """Like `page`, on a phone-sized touch screen."""
    context, page = _open_page(
        browser, live_server, viewport=PHONE_VIEWPORT, is_mobile=True, has_touch=True
    )
    yield page
    if context is not None:
        context.close()


@pytest.fixture
def artifacts_dir() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


def log_in(page, phone: str, next_url: str) -> None:
    """Open `next_url` signed out, get sent to the login page, sign in with the test password
    and land back on `next_url` (cookies cleared first, so a page can change person)."""
    page.context.clear_cookies()
    page.goto(next_url)
    expect(page).to_have_url(re.compile(r"/tai-khoan/dang-nhap/"))
    form = page.locator("main form").filter(has=page.locator("input[name=password]"))
    form.locator("input[name=username]").fill(phone)
    form.locator("input[name=password]").fill(f.TEST_PASSWORD)
    form.locator("button[type=submit]").click()
    second_factor_step(page, phone)
    expect(page).to_have_url(re.compile(re.escape(next_url) + "$"))


def second_factor_step(page, phone: str) -> None:
    """Staff: type the authenticator app's code when asked, or set the app up when the page
    for that comes (the operator, a manager, anyone opening /cms/), as a person would."""
    page.wait_for_url(lambda url: "/tai-khoan/dang-nhap/" not in url)
    if "/tai-khoan/xac-thuc/cai-dat/" in page.url:
        key = b32decode(page.locator("code[data-key]").inner_text().replace(" ", "")).hex()
        page.locator("input[name=code]").fill(f.totp_code(key))
        page.locator("main form button[type=submit]").click()
        page.locator("[data-continue]").click()
    elif "/tai-khoan/xac-thuc/" in page.url:
        from django_otp.plugins.otp_totp.models import TOTPDevice

        device = TOTPDevice.objects.get(user__phone=normalize_phone(phone), confirmed=True)
        page.locator("input[name=code]").fill(f.code_for(device))
        page.locator("main form button[type=submit]").click()
