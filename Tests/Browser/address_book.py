"""The web address book in a real browser (Debian's chromium and chromium-driver, headless,
driven by selenium), against a running `roster serve --demo --http`.

    address_book.py WEB_URL LDAP_PORT SCREENSHOT_DIR

A member signs in, types "zs" and sees 张三 appear as they type, opens the card, downloads the
vCard, edits their own phone and reads it back over LDAP (ldapsearch); the same searches over
LDAP (python-ldap) and over the web return the same people for the same viewer. Screenshots at
phone (390×844) and desktop (1280×800) widths are written to SCREENSHOT_DIR. Exits non-zero on
the first failure.
"""
import os
import subprocess
import sys
import tempfile
import time

import ldap
from ldap.filter import escape_filter_chars
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

WEB, LDAP_PORT, SHOTS = sys.argv[1].rstrip("/"), int(sys.argv[2]), sys.argv[3]
BASE = "dc=example,dc=com"
os.makedirs(SHOTS, exist_ok=True)
downloads = tempfile.mkdtemp(prefix="roster-downloads-")


def browser(width, height):
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for arg in ["--headless=new", "--disable-gpu", "--disable-dev-shm-usage", f"--window-size={width},{height}",
                "--lang=zh-CN", "--no-first-run", "--disable-extensions"]:
        options.add_argument(arg)
    if os.geteuid() == 0:
        options.add_argument("--no-sandbox")
    options.add_experimental_option("prefs", {"download.default_directory": downloads,
                                              "download.prompt_for_download": False,
                                              "intl.accept_languages": "zh-CN,zh"})
    # The driver Debian installs: nothing is downloaded at run time.
    driver = webdriver.Chrome(service=Service(executable_path="/usr/bin/chromedriver"), options=options)
    driver.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": downloads})
    # The page's viewport is exactly width × height (a phone's with its mobile viewport rules).
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600})
    return driver


def wait(driver, condition, seconds=10):
    return WebDriverWait(driver, seconds).until(condition)


def sign_in(driver, account, password):
    driver.get(WEB + "/login")
    driver.find_element(By.NAME, "account").send_keys(account)
    driver.find_element(By.NAME, "password").send_keys(password)
    driver.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    wait(driver, EC.presence_of_element_located((By.CSS_SELECTOR, "a.signout")))


def shot(driver, name):
    path = os.path.join(SHOTS, name)
    driver.save_screenshot(path)
    print("screenshot", path)


def web_people(driver, q):
    driver.get(WEB + "/search?q=" + __import__("urllib.parse").parse.quote(q))
    return {e.get_attribute("data-account") for e in driver.find_elements(By.CSS_SELECTOR, "#results li.person")}


def ldap_people(account, password, q):
    c = ldap.initialize(f"ldap://127.0.0.1:{LDAP_PORT}")
    c.simple_bind_s(account, password)
    v = escape_filter_chars(q)
    f = f"(&(objectClass=rosterMember)(|(cn={v}*)(mail={v}*)(mobile=*{v}*)(ou={v}*)))"
    found = {e[1]["uid"][0].decode() for e in c.search_s(BASE, ldap.SCOPE_SUBTREE, f, ["uid"]) if e[0]}
    c.unbind_s()
    return found


failures = []


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        failures.append(what)


# --- A member on a phone -------------------------------------------------------------------
phone = browser(390, 844)
try:
    phone.get(WEB + "/login")
    shot(phone, "phone-login.png")
    sign_in(phone, "t2002", "Pw-t2002")
    shot(phone, "phone-home.png")
    box = phone.find_element(By.ID, "q")
    box.send_keys("zs")
    # Results as one types: no Enter pressed, the script fetches them.
    person = wait(phone, EC.visibility_of_element_located((By.CSS_SELECTOR, '#results li.person[data-account="t2001"]')))
    check("张三" in person.text, "typing zs shows 张三 as one types")
    check(phone.current_url.endswith("/search?q=zs"), "the address bar follows the search")
    shot(phone, "phone-search.png")
    person.find_element(By.TAG_NAME, "a").click()
    card = wait(phone, EC.presence_of_element_located((By.CSS_SELECTOR, 'article.card[data-account="t2001"]')))
    check(card.find_element(By.CSS_SELECTOR, "h1.name").text == "张三", "the card shows 张三")
    check(bool(phone.find_elements(By.CSS_SELECTOR, 'a[href="tel:13800002001"]')), "the card links the mobile with tel:")
    check(bool(phone.find_elements(By.CSS_SELECTOR, 'a[href="mailto:zhangsan@school.example.com"]')), "the card links the e-mail with mailto:")
    qr = phone.find_element(By.CSS_SELECTOR, "figure.qr img")
    wait(phone, lambda d: d.execute_script("return arguments[0].complete && arguments[0].naturalWidth > 0", qr))
    check(True, "the QR business card loads")
    shot(phone, "phone-card.png")
    phone.find_element(By.ID, "vcard").click()
    vcf = os.path.join(downloads, "t2001.vcf")
    deadline = time.time() + 15
    while time.time() < deadline and not os.path.exists(vcf):
        time.sleep(0.2)
    text = open(vcf, encoding="utf-8", newline="").read() if os.path.exists(vcf) else ""
    check(text.startswith("BEGIN:VCARD\r\nVERSION:4.0\r\nFN:张三\r\n"), "the vCard downloads")
    check("TEL;TYPE=cell:13800002001" in text, "the vCard has the mobile")

    # Edit one's own phone, then read it over LDAP.
    phone.get(WEB + "/me")
    field = phone.find_element(By.NAME, "phone")
    field.clear()
    field.send_keys("010-8888 6666")
    phone.find_element(By.CSS_SELECTOR, "form.fields button[type=submit]").click()
    wait(phone, EC.presence_of_element_located((By.CSS_SELECTOR, "p.notice")))
    shot(phone, "phone-profile.png")
    out = subprocess.run(["ldapsearch", "-x", "-LLL", "-H", f"ldap://127.0.0.1:{LDAP_PORT}", "-D", "t2002", "-w", "Pw-t2002",
                          "-b", BASE, "(uid=t2002)", "telephoneNumber"], capture_output=True, text=True, timeout=30)
    check("telephoneNumber: 010-8888 6666" in out.stdout, "the new phone is seen over LDAP: " + out.stdout.strip().replace("\n", " | "))

    # The same searches over LDAP and the web, for the same viewer.
    for q in ["zs", "zhang", "语文", "138000", "li", "wang", "t", "@school"]:
        w, l = web_people(phone, q), ldap_people("t2002", "Pw-t2002", q)
        check(w == l, f"t2002 searching {q!r}: web {sorted(w)} == LDAP {sorted(l)}")
finally:
    phone.quit()

# --- A depot courier, who sees only their depot ---------------------------------------------
courier = browser(390, 844)
try:
    sign_in(courier, "w1002", "Pw-w1002")
    for q in ["zs", "sun", "137", "北京", "li"]:
        w, l = web_people(courier, q), ldap_people("w1002", "Pw-w1002", q)
        check(w == l, f"w1002 searching {q!r}: web {sorted(w)} == LDAP {sorted(l)}")
    check(web_people(courier, "zs") == set(), "a courier does not find the school's 张三")
finally:
    courier.quit()

# --- Desktop ----------------------------------------------------------------------------------
desktop = browser(1280, 800)
try:
    sign_in(desktop, "admin", "secret")
    shot(desktop, "desktop-home.png")
    desktop.get(WEB + "/search?q=" + "zhang")
    shot(desktop, "desktop-search.png")
    desktop.get(WEB + "/people/t2001")
    shot(desktop, "desktop-card.png")
    desktop.get(WEB + "/org")
    school = desktop.find_element(By.XPATH, "//li[@class='department'][.//span[@class='name' and text()='育才学校']]//a")
    school.click()
    wait(desktop, EC.presence_of_element_located((By.CSS_SELECTOR, "nav.crumbs")))
    shot(desktop, "desktop-org.png")
finally:
    desktop.quit()

print(f"{len(failures)} failed")
sys.exit(1 if failures else 0)
