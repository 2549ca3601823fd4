# SPDX-License-Identifier: GPL-2.0-or-later
#
# What the browser checks share (dashboard-browser.py, coord-browser.py):
# headless chromium under selenium, one "ok"/"not ok" line per check.
import time

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service

failed = 0


def check(what, cond):
    global failed
    print(("ok - " if cond else "not ok - ") + "browser: " + what, flush=True)
    if not cond:
        failed += 1


def wait_for(fn, timeout=20):
    end = time.time() + timeout
    while time.time() < end:
        try:
            v = fn()
            if v:
                return v
        except Exception:
            pass
        time.sleep(0.2)
    return None


def chromium():
    opts = Options()
    for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
              "--no-first-run", "--disable-extensions", "--disable-background-networking"):
        opts.add_argument(a)
    opts.binary_location = "/usr/bin/chromium"
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    drv = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)
    drv.set_page_load_timeout(30)
    return drv


def console_errors(drv):
    """SEVERE console lines (CSP violations among them), favicon aside."""
    return [e for e in drv.get_log("browser")
            if e.get("level") == "SEVERE" and "favicon" not in e.get("message", "")]
