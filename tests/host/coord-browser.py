#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Loads slaguard-coord's fleet page in headless chromium (browser.py) and
# checks what it shows: one "ok"/"not ok" line per check, exit 1 if any
# failed. Used by coord-live.sh.
#
#   coord-browser.py URL SLO NODE HOST
#
# URL: the page; SLO: a composite SLO that must show violated, with
# evidence; NODE: a node that must show silent, with HOST its hypervisor.
import sys

from selenium.webdriver.common.by import By

from browser import check, chromium, console_errors, wait_for
import browser

url, slo, node, host = sys.argv[1:5]
drv = chromium()
try:
    drv.get(url)
    loaded = wait_for(lambda: drv.find_element(By.TAG_NAME, "body").get_attribute("data-loaded"))
    check("the page loaded its data", loaded is not None)

    row = wait_for(lambda: drv.find_element(
        By.CSS_SELECTOR, '#slos tr[data-slo="%s"][data-state="violated"]' % slo))
    cells = [td.text for td in row.find_elements(By.TAG_NAME, "td")] if row else []
    check("composite SLO %s shows violated with its evidence (%r)" % (slo, cells),
          len(cells) == 6 and cells[2] == "violated" and "violated" in cells[5])

    row = wait_for(lambda: drv.find_element(
        By.CSS_SELECTOR, '#nodes tr[data-node="%s"][data-heard="silent"]' % node))
    cells = [td.text for td in row.find_elements(By.TAG_NAME, "td")] if row else []
    check("node %s shows silent, on hypervisor %s, with when it was last heard (%r)" %
          (node, host, cells),
          len(cells) == 8 and cells[3] == "silent" and cells[2] == host and "ago" in cells[4])
    heard = [r.get_attribute("data-node") for r in
             drv.find_elements(By.CSS_SELECTOR, '#nodes tr[data-heard="heard"]')]
    check("the other nodes show heard (%r)" % heard, node not in heard and len(heard) >= 1)
    alerts = drv.find_elements(By.CSS_SELECTOR, "#alerts tr[data-alert]")
    check("the nodes' recent alerts are listed (%d)" % len(alerts), len(alerts) >= 1)
    errs = console_errors(drv)
    check("no errors in the console (CSP violations included): %r" % errs, not errs)
finally:
    drv.quit()
sys.exit(1 if browser.failed else 0)
