#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Loads slaguardd's dashboard in headless chromium (selenium, chromedriver)
# and checks what the page shows: one "ok"/"not ok" line per check, exit 1
# if any failed. Used by dashboard-live.sh.
#
#   dashboard-browser.py URL SLO ALERT TARGET MARKUP [TOKEN]
#
# URL: the dashboard; SLO: an SLO that must show violated; ALERT and
# TARGET: a countermeasure that must be listed with its alert id; MARKUP:
# text of an alert summary that must appear as text, not as elements;
# TOKEN: given, the page must refuse without it and open with ?token=.
import sys

from selenium.webdriver.common.by import By

from browser import check, chromium, console_errors, wait_for
import browser

url, slo, alert, target, markup = sys.argv[1:6]
token = sys.argv[6] if len(sys.argv) > 6 else None
drv = chromium()
try:
    if token:
        drv.get(url)
        body = drv.find_element(By.TAG_NAME, "body").text
        check("without the token the page is refused", "needs its token" in body)
        drv.get(url + "?token=wrong-" + token)
        check("a wrong token is refused", "wrong token" in drv.find_element(By.TAG_NAME, "body").text)
        drv.get_log("browser")  # the two refusals above are expected
        drv.get(url + "?token=" + token)
        check("?token= leaves the address bar", "token" not in drv.current_url)
        ck = drv.get_cookie("slaguard_token")
        check("... as an HttpOnly, SameSite=Strict cookie",
              ck is not None and ck.get("httpOnly") and ck.get("sameSite") == "Strict")
    else:
        drv.get(url)

    loaded = wait_for(lambda: drv.find_element(By.TAG_NAME, "body").get_attribute("data-loaded"))
    check("the page loaded its data", loaded is not None)

    row = wait_for(lambda: drv.find_element(By.CSS_SELECTOR, 'tr[data-slo="%s"]' % slo))
    state = row.find_elements(By.TAG_NAME, "td")[2].text if row else ""
    check("SLO %s shows violated (got %r)" % (slo, state), state == "violated")

    bar = wait_for(lambda: drv.find_element(By.CSS_SELECTOR, '#chart svg g[data-slo="%s"]' % slo))
    share = float(bar.get_attribute("data-violated")) if bar else 0.0
    check("the compliance chart has a bar for %s with a violated share (%g)" % (slo, share),
          share > 0 and len(bar.find_elements(By.CSS_SELECTOR, "rect.violated")) == 1)
    vrows = [r.text for r in drv.find_elements(By.CSS_SELECTOR, "#violations tbody tr")]
    check("the violations of %s are listed (%r)" % (slo, vrows),
          any(r.startswith(slo + " ") and "(ongoing)" in r for r in vrows))

    cms = drv.find_elements(By.CSS_SELECTOR, "#countermeasures tbody tr")
    found = [r for r in cms if r.get_attribute("data-alert") == alert]
    texts = [td.text for td in found[0].find_elements(By.TAG_NAME, "td")] if found else []
    check("the block of %s is listed with alert %s (rows: %r)" %
          (target, alert, [r.text for r in cms]),
          bool(found) and target in texts and alert in texts and texts[1].startswith("block-source"))

    tl = drv.find_elements(By.CSS_SELECTOR, "#timeline tbody td")
    check("the hostile summary is shown as text",
          any(markup in td.text for td in tl))
    check("... and made no element", len(drv.find_elements(By.CSS_SELECTOR, "main img")) == 0)
    check("... and ran nothing", drv.execute_script("return window.__slaguard_pwned === undefined"))
    check("alert %s is in the timeline" % alert,
          len(drv.find_elements(By.CSS_SELECTOR, '#timeline tr[data-alert="%s"]' % alert)) == 1)
    errs = console_errors(drv)
    check("no errors in the console (CSP violations included): %r" % errs, not errs)
finally:
    drv.quit()
sys.exit(1 if browser.failed else 0)
