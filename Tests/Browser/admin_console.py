"""The admin console in a real browser (Debian's chromium and chromium-driver, headless, driven
by selenium), against a running `roster serve --demo --http`.

    admin_console.py WEB_URL LDAP_PORT SCREENSHOT_DIR

The super admin signs in, creates a department and a member in it, sees the member over LDAP
(python-ldap, bound as cn=admin), departs the member, and sees over LDAP that the member left the
active tree (only cn=departed holds them; a member who sees the whole directory finds nobody).
Screenshots of /admin/departments and /admin/members at phone (390×844) and desktop (1280×800)
widths are written to SCREENSHOT_DIR as admin-*.png. Exits non-zero when a check fails.
"""
import os
import sys

import ldap
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

WEB, LDAP_PORT, SHOTS = sys.argv[1].rstrip("/"), int(sys.argv[2]), sys.argv[3]
BASE = "dc=example,dc=com"
os.makedirs(SHOTS, exist_ok=True)


def browser(width, height):
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for arg in ["--headless=new", "--disable-gpu", "--disable-dev-shm-usage", f"--window-size={width},{height}",
                "--lang=zh-CN", "--no-first-run", "--disable-extensions"]:
        options.add_argument(arg)
    if os.geteuid() == 0:
        options.add_argument("--no-sandbox")
    options.add_experimental_option("prefs", {"intl.accept_languages": "zh-CN,zh"})
    # The driver Debian installs: nothing is downloaded at run time.
    driver = webdriver.Chrome(service=Service(executable_path="/usr/bin/chromedriver"), options=options)
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


def ldap_entries(bind, password, base, flt):
    c = ldap.initialize(f"ldap://127.0.0.1:{LDAP_PORT}")
    c.simple_bind_s(bind, password)
    try:
        return [(dn, attrs) for dn, attrs in c.search_s(base, ldap.SCOPE_SUBTREE, flt, ["uid", "ou", "cn"]) if dn]
    except ldap.NO_SUCH_OBJECT:
        return []
    finally:
        c.unbind_s()


failures = []


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        failures.append(what)


ADMIN = "cn=admin," + BASE

# --- The super admin on a desktop ------------------------------------------------------------
desktop = browser(1280, 800)
try:
    sign_in(desktop, "admin", "secret")
    desktop.get(WEB + "/admin")
    wait(desktop, EC.presence_of_element_located((By.CSS_SELECTOR, "table.tree")))
    check(desktop.current_url.endswith("/admin/departments"), "/admin opens the department tree")
    company = desktop.find_element(By.XPATH, "//tr[@class='department'][.//a[text()='顺达物流']]").get_attribute("data-department")

    # A department under 顺达物流, from the tree page's form.
    form = desktop.find_element(By.CSS_SELECTOR, "form[data-form=child]")
    Select(form.find_element(By.NAME, "parent")).select_by_value(company)
    form.find_element(By.NAME, "name").send_keys("测试部")
    form.find_element(By.NAME, "order").clear()
    form.find_element(By.NAME, "order").send_keys("5")
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    heading = wait(desktop, EC.presence_of_element_located((By.CSS_SELECTOR, "h1[data-department]")))
    check(heading.text == "测试部", "the new department's page opens: " + heading.text)
    department = heading.get_attribute("data-department")

    # A member in it, from the department page's link.
    desktop.find_element(By.CSS_SELECTOR, f'a[href="/admin/members/new?department={department}"]').click()
    form = wait(desktop, EC.presence_of_element_located((By.CSS_SELECTOR, "form[data-form=new]")))
    form.find_element(By.NAME, "account").send_keys("e2e001")
    form.find_element(By.NAME, "name").send_keys("端到端")
    form.find_element(By.NAME, "mobile").send_keys("13600000001")
    form.find_element(By.NAME, "title").send_keys("测试员")
    check(Select(form.find_elements(By.NAME, "department")[0]).first_selected_option.get_attribute("value") == department,
          "the new member's department is preset")
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    wait(desktop, EC.presence_of_element_located((By.CSS_SELECTOR, 'section.member-admin[data-account="e2e001"]')))
    check(bool(desktop.find_elements(By.CSS_SELECTOR, "p.notice")), "the member's page says it was created")

    found = ldap_entries(ADMIN, "secret", BASE, "(uid=e2e001)")
    dn = found[0][0] if found else ""
    check(len(found) == 1 and "测试部".encode() in found[0][1].get("ou", [b""])[0], "LDAP sees e2e001 in 测试部: " + dn)
    check(dn.endswith(",ou=顺达物流," + BASE) and "cn=departed" not in dn, "e2e001 is in the active tree: " + dn)
    department_dn = dn.split(",", 1)[1] if dn else BASE

    desktop.get(WEB + f"/admin/members?department={company}")
    check(bool(desktop.find_elements(By.CSS_SELECTOR, 'tr.member[data-account="e2e001"]')), "the member list shows e2e001")
    shot(desktop, "admin-members-desktop.png")

    # Departure.
    desktop.get(WEB + "/admin/member/e2e001")
    desktop.find_element(By.CSS_SELECTOR, "form[data-form=depart] button[type=submit]").click()
    wait(desktop, EC.presence_of_element_located((By.CSS_SELECTOR, "span.status.departed")))
    check(bool(desktop.find_elements(By.CSS_SELECTOR, "form[data-form=reinstate]")), "the departed member can be reinstated")
    shot(desktop, "admin-member-desktop.png")

    found = ldap_entries(ADMIN, "secret", BASE, "(uid=e2e001)")
    check([dn for dn, _ in found] == ["uid=e2e001,cn=departed," + BASE], f"LDAP: e2e001 is under cn=departed only: {found}")
    check(ldap_entries(ADMIN, "secret", department_dn, "(uid=e2e001)") == [], "LDAP: 测试部 no longer holds e2e001")
    # 李专成 (管理层, scope all) sees the whole directory, and no departed member.
    check(ldap_entries("w0001", "Pw-w0001", BASE, "(uid=e2e001)") == [], "LDAP: a member no longer finds e2e001")

    desktop.get(WEB + "/admin/departments")
    check(bool(desktop.find_elements(By.XPATH, "//tr[@class='department'][.//a[text()='测试部']]")), "the tree shows 测试部")
    shot(desktop, "admin-departments-desktop.png")
finally:
    desktop.quit()

# --- The same pages on a phone ------------------------------------------------------------------
phone = browser(390, 844)
try:
    sign_in(phone, "admin", "secret")
    phone.get(WEB + "/admin/departments")
    wait(phone, EC.presence_of_element_located((By.CSS_SELECTOR, "table.tree")))
    shot(phone, "admin-departments-phone.png")
    phone.get(WEB + "/admin/members")
    wait(phone, EC.presence_of_element_located((By.CSS_SELECTOR, "table.members")))
    check(len(phone.find_elements(By.CSS_SELECTOR, "tr.member")) > 0, "the member list on a phone")
    shot(phone, "admin-members-phone.png")
finally:
    phone.quit()

print(f"{len(failures)} failed")
sys.exit(1 if failures else 0)
