"""The web console in a real headless Chromium (Selenium) against a real ``crmlink serve``.

An administrator signs in (with the keyboard), finds a Product, relates three Price Books with
list prices, edits one price, delinks one book and reads the history; the API then answers the
same state. A Standard-profile user is refused the delink in the console as in the API. Each main
page passes axe-core (no ``serious`` or ``critical`` violation), fits a phone's width, and is
saved as a screenshot into docs/console/ (shown in docs/console.md). Needs Debian's ``chromium``
and ``chromium-driver``, as tests/test_browser_oauth.py does (skipped without them, except under
``CI=true``).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.servers import crmlink_server
from tests.test_browser_oauth import _cli, browser  # noqa: F401  (the Chromium fixture)

PASSWORD = "console-browser-pass"
STANDARD = "standard@example.com"
AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
# Where the screenshots go: a temporary directory, unless ``CONSOLE_SCREENSHOTS`` names one
# (``CONSOLE_SCREENSHOTS=docs/console`` refreshes those of docs/console.md): a run of the suite
# leaves the tree as it was.
SHOTS_ENV = "CONSOLE_SCREENSHOTS"
PHONE = (390, 844)
LAPTOP = (1280, 860)


@dataclass
class Served:
    base: str
    admin: str  # access tokens
    standard: str
    product: str
    books: list[str]
    log: Path


def _api(served: Served, token: str) -> dict[str, str]:
    return {"Authorization": f"Zoho-oauthtoken {token}"}


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    data = str(tmp_path / "data")
    _cli("users", "set-password", "admin@example.com", "--password-stdin", "--data-dir", data, input=PASSWORD)
    _cli(
        "users",
        "add",
        STANDARD,
        "--name",
        "Stan Dard",
        "--password-stdin",
        "--data-dir",
        data,
        input=PASSWORD,
    )
    scope = "ZohoCRM.modules.ALL"
    admin = _cli("token", "--user", "admin@example.com", "--scope", scope, "--data-dir", data)["access_token"]
    standard = _cli("token", "--user", STANDARD, "--scope", scope, "--data-dir", data)["access_token"]
    with crmlink_server(tmp_path, "--log-level", "debug") as server:
        base, headers = server.base_url, {"Authorization": f"Zoho-oauthtoken {admin}"}

        def create(module: str, items: list[dict[str, Any]]) -> list[str]:
            answer = httpx.post(f"{base}/crm/v2.1/{module}", json={"data": items}, headers=headers)
            assert answer.status_code == 201, answer.text
            return [item["details"]["id"] for item in answer.json()["data"]]

        create("Products", [{"Product_Name": f"Chair {i}"} for i in range(5)])
        (product,) = create("Products", [{"Product_Name": "Standing Desk", "Product_Code": "SD-1"}])
        books = create(
            "Price_Books", [{"Price_Book_Name": name} for name in ("Retail", "Wholesale", "Export")]
        )
        yield Served(base, admin, standard, product, books, server.log_path)


def _wait(driver: Any, condition: Any, timeout: float = 15) -> Any:
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.support.ui import WebDriverWait

    # htmx replaces the list under the test's feet: an element found a moment ago may be gone.
    return WebDriverWait(driver, timeout, ignored_exceptions=[StaleElementReferenceException]).until(
        condition
    )


def _axe(driver: Any, page: str) -> None:
    """axe-core's WCAG A/AA rules on the page: nothing serious or critical."""
    driver.execute_script(AXE.read_text())
    result = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa',"
        " 'best-practice']}}).then(r => done(r.violations.map(v => ({id: v.id, impact: v.impact,"
        " nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 3)}))),"
        " e => done([{id: String(e), impact: 'critical'}]));"
    )
    bad = [v for v in result if v["impact"] in ("serious", "critical")]
    assert bad == [], (page, bad)


def _shot(driver: Any, name: str, shots: Path) -> None:
    shots.mkdir(parents=True, exist_ok=True)
    height = driver.execute_script("return Math.min(document.documentElement.scrollHeight, 2400)")
    width = driver.get_window_size()["width"]
    driver.set_window_size(width, max(height + 120, 500))
    assert driver.save_screenshot(str(shots / f"{name}.png"))


def _check_page(driver: Any, name: str, shots: Path) -> None:
    """axe, a phone's width without sideways scrolling, and the screenshots."""
    _axe(driver, name)
    driver.set_window_size(*PHONE)
    overflow = driver.execute_script("return document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, (name, overflow)
    if name in ("record", "related"):
        _shot(driver, f"{name}-phone", shots)
    driver.set_window_size(*LAPTOP)
    _shot(driver, name, shots)
    driver.set_window_size(*LAPTOP)


def _sign_in(driver: Any, served: Served, email: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    driver.get(f"{served.base}/")
    _wait(driver, lambda d: d.title.startswith("Sign in"))
    driver.find_element(By.ID, "email").send_keys(email + Keys.TAB)
    active = driver.switch_to.active_element
    assert active.get_attribute("id") == "password"  # the keyboard moves through the form
    active.send_keys(PASSWORD + Keys.ENTER)
    _wait(driver, lambda d: d.title.startswith("Modules"))


def test_console_in_a_browser(browser: Any, served: Served, tmp_path: Path) -> None:  # noqa: F811
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import Select

    shots = Path(os.environ.get(SHOTS_ENV) or tmp_path / "screenshots")

    driver = browser
    driver.set_window_size(*LAPTOP)
    driver.get(f"{served.base}/console/sign-in")
    _check_page(driver, "sign-in", shots)
    _sign_in(driver, served, "admin@example.com")
    session_cookie = driver.get_cookie("crmlink_console")
    assert session_cookie["httpOnly"] is True and session_cookie["sameSite"] == "Lax"
    _check_page(driver, "modules", shots)

    # Find the product by the list's word search.
    driver.find_element(By.LINK_TEXT, "Products").click()
    _wait(driver, lambda d: d.title.startswith("Products"))
    driver.find_element(By.ID, "word").send_keys("Standing\n")
    _wait(driver, lambda d: "word=Standing" in d.current_url)
    rows = driver.find_elements(By.CSS_SELECTOR, "#records tbody tr")
    assert len(rows) == 1 and "Standing Desk" in rows[0].text
    _check_page(driver, "records", shots)
    driver.find_element(By.LINK_TEXT, "Standing Desk").click()
    _wait(driver, lambda d: d.title.startswith("Standing Desk"))

    # Relate three price books with list prices (htmx swaps the list in place).
    driver.find_element(By.CSS_SELECTOR, "a[href$='/related/Price_Books']").click()
    _wait(driver, lambda d: d.title.startswith("Price Books of"))
    for book, price in zip(served.books, ("10.50", "20", "30.25"), strict=True):
        if book == served.books[1]:
            # With the keyboard only: type to pick the book, Tab to the price, Enter to relate.
            driver.find_element(By.ID, "related_id").send_keys("Wholesale")
            assert (
                Select(driver.find_element(By.ID, "related_id")).first_selected_option.get_attribute("value")
                == book
            )
            driver.switch_to.active_element.send_keys(Keys.TAB)
            active = driver.switch_to.active_element
            assert active.get_attribute("id") == "new-list_price"
            active.send_keys(price + Keys.ENTER)
        else:
            Select(driver.find_element(By.ID, "related_id")).select_by_value(book)
            driver.find_element(By.ID, "new-list_price").send_keys(price)
            driver.find_element(By.ID, "relate").click()
        _wait(driver, lambda d, b=book: d.find_elements(By.ID, f"row-{b}"))
        _wait(driver, lambda d: "relation added" in d.page_source)
    # A refused value: the API's error, shown in the page, nothing stored.
    Select(driver.find_element(By.ID, "related_id")).select_by_value(served.books[0])
    driver.find_element(By.ID, "new-list_price").send_keys("-5")
    driver.find_element(By.ID, "relate").click()
    _wait(driver, lambda d: "INVALID_DATA" in d.page_source)
    assert "list_price" in driver.find_element(By.CSS_SELECTOR, "#related .error").text

    # Edit one price inline, delink another.
    field = driver.find_element(By.ID, f"edit-{served.books[1]}-list_price")
    field.clear()
    field.send_keys("25.75")
    driver.find_element(By.CSS_SELECTOR, f"#row-{served.books[1]} form button").click()
    # The list is swapped in: the earlier error gives way to the answer of the edit.
    _wait(driver, lambda d: not d.find_elements(By.CSS_SELECTOR, "#related .error"))
    assert "relation added" in driver.find_element(By.CSS_SELECTOR, "#related .ok").text
    edited = driver.find_element(By.ID, f"edit-{served.books[1]}-list_price").get_attribute("value")
    assert edited == "25.75"
    driver.find_element(By.CSS_SELECTOR, "button[aria-label='Delink Export']").click()
    _wait(driver, lambda d: not d.find_elements(By.ID, f"row-{served.books[2]}"))
    assert "relation removed" in driver.page_source
    _check_page(driver, "related", shots)

    driver.get(f"{served.base}/console/modules/Products/{served.product}")
    _check_page(driver, "record", shots)
    driver.find_element(By.LINK_TEXT, "History").click()
    _wait(driver, lambda d: d.title.startswith("History"))
    history = driver.find_element(By.ID, "history").text
    assert history.count("link added") == 3 and "link updated" in history and "link removed" in history
    _check_page(driver, "history", shots)

    driver.find_element(By.LINK_TEXT, "Admin").click()
    _wait(driver, lambda d: d.title.startswith("Admin"))
    assert STANDARD in driver.find_element(By.ID, "users").text
    _check_page(driver, "admin", shots)

    # The API sees the same state.
    api = httpx.get(
        f"{served.base}/crm/v2.1/Products/{served.product}/Price_Books", headers=_api(served, served.admin)
    )
    assert {(r["id"], r["list_price"]) for r in api.json()["data"]} == {
        (served.books[0], 10.5),
        (served.books[1], 25.75),
    }

    # A Standard-profile user may not delete: no delink control, and a forged post is refused
    # with the API's own answer.
    driver.find_element(By.CSS_SELECTOR, "form.signout button").click()
    _wait(driver, lambda d: d.title.startswith("Sign in"))
    _sign_in(driver, served, STANDARD)
    url = f"{served.base}/console/modules/Products/{served.product}/related/Price_Books"
    driver.get(url)
    assert not driver.find_elements(By.CSS_SELECTOR, "button[aria-label^='Delink']")
    status = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "const token = document.querySelector('input[name=csrf_token]').value;"
        "const body = new URLSearchParams({csrf_token: token});"
        f"fetch('{url}/{served.books[0]}/delink', {{method: 'POST', body}})"
        ".then(r => r.text().then(t => done([r.status, t])));"
    )
    api_refusal = httpx.delete(
        f"{served.base}/crm/v2.1/Products/{served.product}/Price_Books/{served.books[0]}",
        headers=_api(served, served.standard),
    )
    assert status[0] == api_refusal.status_code == 403
    assert api_refusal.json()["code"] == "NO_PERMISSION" and api_refusal.json()["message"] in status[1]
    still = httpx.get(
        f"{served.base}/crm/v2.1/Products/{served.product}/Price_Books", headers=_api(served, served.admin)
    )
    assert len(still.json()["data"]) == 2
    # Nothing secret in the server's log, even at debug level.
    log = served.log.read_text()
    for secret in (PASSWORD, session_cookie["value"], session_cookie["value"].split(".", 1)[1]):
        assert secret not in log
    taken = {p.name for p in shots.glob("*.png")}
    assert {"sign-in.png", "modules.png", "record.png", "related.png", "history.png", "admin.png"} <= taken
