#!/usr/bin/env python3
"""Real-browser journeys through LuminaBI: headless Chromium driven by Selenium against the real binary.

Each journey asserts what a person sees. Prints PASS/FAIL per journey and exits non-zero on any failure.
"""
import argparse
import os
import sys
import time
import traceback

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from lumina_server import LuminaServer

PASSWORD = "correct horse battery"
# The shared test corpus beside the checkout (../shared/data).
DATA = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared", "data"))


def browser(width=1280, height=900, phone=False):
    options = webdriver.ChromeOptions()
    if phone:
        # Headless windows cannot be narrower than 500 px; device emulation gives a real phone viewport.
        options.add_experimental_option("mobileEmulation", {"deviceMetrics": {"width": width, "height": height, "pixelRatio": 3}})
    for argument in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                     f"--window-size={width},{height}"]:
        options.add_argument(argument)
    options.binary_location = "/usr/bin/chromium"
    service = Service(executable_path="/usr/bin/chromedriver")
    driver = webdriver.Chrome(options=options, service=service)
    driver.set_page_load_timeout(30)
    return driver


def wait(driver, condition, timeout=10):
    return WebDriverWait(driver, timeout).until(condition)


def text_of(driver, selector):
    return driver.find_element(By.CSS_SELECTOR, selector).text


def register(driver, base, name, email):
    driver.get(base + "/accounts/register/")
    driver.find_element(By.NAME, "name").send_keys(name)
    driver.find_element(By.NAME, "email").send_keys(email)
    driver.find_element(By.NAME, "password").send_keys(PASSWORD)
    driver.find_element(By.NAME, "password_confirm").send_keys(PASSWORD)
    driver.find_element(By.CSS_SELECTOR, "form button.primary").click()
    wait(driver, EC.url_to_be(base + "/dashboards/"))


def sign_in(driver, base, email, password=PASSWORD):
    driver.find_element(By.NAME, "email").clear()
    driver.find_element(By.NAME, "email").send_keys(email)
    driver.find_element(By.NAME, "password").send_keys(password)
    driver.find_element(By.CSS_SELECTOR, "form button.primary").click()


class Journeys:
    def __init__(self, server):
        self.server = server
        self.base = server.url
        self.ana = browser()
        self.bob = browser()
        self.dashboard_path = None

    def close(self):
        self.ana.quit()
        self.bob.quit()

    def register_first_user_becomes_admin(self):
        register(self.ana, self.base, "Ana Analyst", "ana@example.com")
        nav = text_of(self.ana, "nav.nav")
        for item in ["Dashboards", "Datasets", "Reports", "Admin"]:
            assert item in nav, f"navigation lacks {item}: {nav!r}"
        assert "No dashboards yet" in self.ana.page_source

    def create_dashboard_appears_in_list(self):
        self.ana.find_element(By.CSS_SELECTOR, "#create-dashboard input[name=name]").send_keys("Sales overview")
        self.ana.find_element(By.CSS_SELECTOR, "#create-dashboard button").click()
        wait(self.ana, EC.text_to_be_present_in_element((By.ID, "dashboard-name"), "Sales overview"))
        self.dashboard_path = self.ana.current_url.replace(self.base, "")
        assert self.dashboard_path.startswith("/dashboards/"), self.dashboard_path
        self.ana.get(self.base + "/dashboards/")
        assert "Sales overview" in text_of(self.ana, "#dashboard-list")

    def sign_out_and_sign_in(self):
        self.ana.find_element(By.CSS_SELECTOR, ".account button").click()
        wait(self.ana, EC.url_contains("/accounts/login/"))
        self.ana.get(self.base + "/dashboards/")
        assert "/accounts/login/?next=" in self.ana.current_url, self.ana.current_url
        sign_in(self.ana, self.base, "ana@example.com", "wrong password")
        wait(self.ana, EC.text_to_be_present_in_element((By.CSS_SELECTOR, ".alert.error"), "not correct"))
        self.ana.find_element(By.NAME, "password").send_keys(PASSWORD)
        self.ana.find_element(By.CSS_SELECTOR, "form button.primary").click()
        wait(self.ana, EC.url_to_be(self.base + "/dashboards/"))

    def second_user_cannot_see_first_users_dashboard(self):
        register(self.bob, self.base, "Bob Builder", "bob@example.com")
        nav = text_of(self.bob, "nav.nav")
        assert "Admin" not in nav, "a self-registered analyst is not an admin"
        assert "Sales overview" not in self.bob.page_source
        self.bob.get(self.base + self.dashboard_path)
        assert "Not Found" in text_of(self.bob, "h1"), text_of(self.bob, "h1")

    def share_dashboard_with_second_user(self):
        self.ana.get(self.base + self.dashboard_path + "sharing/")
        self.ana.find_element(By.CSS_SELECTOR, "#share-form input[name=email]").send_keys("bob@example.com")
        self.ana.find_element(By.CSS_SELECTOR, "#share-form button").click()
        wait(self.ana, EC.text_to_be_present_in_element((By.ID, "members"), "bob@example.com"))
        self.bob.get(self.base + "/dashboards/")
        assert "Sales overview" in text_of(self.bob, "#dashboard-list")

    def collaborators_see_each_other_live(self):
        self.ana.get(self.base + self.dashboard_path)
        wait(self.ana, EC.text_to_be_present_in_element((By.ID, "live-status"), "live"))
        self.bob.get(self.base + self.dashboard_path)
        wait(self.bob, EC.text_to_be_present_in_element((By.ID, "live-status"), "live"))
        wait(self.ana, EC.text_to_be_present_in_element((By.ID, "presence"), "Bob Builder"))
        assert "Ana Analyst" in text_of(self.bob, "#presence")
        # A rename through the API reaches Bob's open page without a reload.
        status, token = self.server.api("POST", "/api/v1/auth/token", {"email": "ana@example.com", "password": PASSWORD})
        assert status == 201, token
        dashboard_id = int(self.dashboard_path.strip("/").split("/")[-1])
        status, body = self.server.api("PATCH", f"/api/v1/dashboards/{dashboard_id}",
                                       {"name": "Sales overview 2026", "version": 1}, token["token"])
        assert status == 200, body
        wait(self.bob, EC.text_to_be_present_in_element((By.ID, "dashboard-name"), "Sales overview 2026"))
        self.bob.get(self.base + "/dashboards/")
        wait(self.ana, lambda d: "Bob Builder" not in text_of(d, "#presence"))

    def admin_run_now_appears_live_on_every_open_jobs_page(self):
        watcher = browser()
        try:
            watcher.get(self.base + "/admin/jobs/")
            sign_in(watcher, self.base, "ana@example.com")
            wait(watcher, EC.url_to_be(self.base + "/admin/jobs/"))
            wait(watcher, EC.text_to_be_present_in_element((By.ID, "live-status"), "live"))
            self.ana.get(self.base + "/admin/jobs/")
            wait(self.ana, EC.text_to_be_present_in_element((By.ID, "live-status"), "live"))
            for driver in (self.ana, watcher):
                driver.execute_script("window.__sameDocument = true")
            assert "No runs yet" in text_of(watcher, "body")
            self.ana.find_element(By.CSS_SELECTOR, 'form.run-now[data-job="data_cleaning"] button').click()

            def finished_row(driver):
                rows = driver.find_elements(By.CSS_SELECTOR, "#run-list tbody tr")
                return any("data_cleaning" in row.text and "succeeded" in row.text and "manual" in row.text for row in rows)
            for driver in (self.ana, watcher):
                wait(driver, finished_row, timeout=20)
                assert driver.execute_script("return window.__sameDocument === true"), "the page was reloaded"
                wait(driver, EC.text_to_be_present_in_element((By.CSS_SELECTOR, 'tr[data-job="data_cleaning"] .last-run'), "succeeded"))
            assert text_of(watcher, "#run-count") == "1", text_of(watcher, "#run-count")
        finally:
            watcher.quit()

    def upload_a_csv_and_watch_it_become_a_cleaned_dataset(self):
        path = os.path.join(DATA, "real", "datahub-covid-19-worldwide-aggregate.csv")
        watcher = browser()
        try:
            watcher.get(self.base + "/datasets/")
            sign_in(watcher, self.base, "ana@example.com")
            wait(watcher, EC.url_to_be(self.base + "/datasets/"))
            wait(watcher, EC.text_to_be_present_in_element((By.ID, "live-status"), "live"))
            watcher.execute_script("window.__sameDocument = true")

            self.ana.get(self.base + "/datasets/upload/")
            self.ana.execute_script("window.__sameDocument = true")
            self.ana.find_element(By.ID, "upload-file").send_keys(path)
            self.ana.find_element(By.ID, "upload-start").click()
            wait(self.ana, EC.text_to_be_present_in_element((By.ID, "upload-percent"), "100%"), timeout=30)
            assert self.ana.find_element(By.ID, "upload-progress").get_attribute("value") == "100"
            wait(self.ana, EC.text_to_be_present_in_element((By.ID, "upload-stage"), "Cleaned"), timeout=60)
            wait(self.ana, lambda d: len(d.find_elements(By.CSS_SELECTOR, "#upload-insights li")) > 0, timeout=60)
            assert self.ana.execute_script("return window.__sameDocument === true"), "the upload page was reloaded"

            def listed_as_cleaned(driver):
                rows = driver.find_elements(By.CSS_SELECTOR, "#dataset-list tbody tr")
                return any("datahub-covid-19-worldwide-aggregate" in row.text and "cleaned" in row.text for row in rows)
            wait(watcher, listed_as_cleaned, timeout=60)
            assert watcher.execute_script("return window.__sameDocument === true"), "the dataset list was reloaded"

            self.ana.find_element(By.ID, "dataset-link").click()
            wait(self.ana, EC.text_to_be_present_in_element((By.ID, "dataset-status"), "cleaned"))
            wait(self.ana, lambda d: len(d.find_elements(By.CSS_SELECTOR, "#preview tbody tr")) > 0)
            assert "Date" in text_of(self.ana, "#schema"), text_of(self.ana, "#schema")
            assert len(self.ana.find_elements(By.CSS_SELECTOR, "#insights li")) > 0
        finally:
            watcher.quit()

    def page_reconnects_after_server_restart(self):
        self.ana.get(self.base + self.dashboard_path)
        wait(self.ana, EC.text_to_be_present_in_element((By.ID, "live-status"), "live"))
        self.server.stop()
        wait(self.ana, lambda d: text_of(d, "#live-status") in ("reconnecting", "connecting"))
        self.server.start()
        wait(self.ana, EC.text_to_be_present_in_element((By.ID, "live-status"), "live"), timeout=40)
        assert "Ana Analyst" in text_of(self.ana, "#presence")

    def login_page_on_phone_width(self):
        phone = browser(390, 844, phone=True)
        try:
            phone.get(self.base + "/accounts/login/")
            viewport = phone.execute_script("return window.innerWidth")
            assert viewport == 390, f"viewport is {viewport}px, expected a 390px phone"
            scroll_width = phone.execute_script("return document.documentElement.scrollWidth")
            assert scroll_width <= 390, f"page is {scroll_width}px wide on a 390px phone"
            assert phone.find_element(By.NAME, "email").is_displayed()
        finally:
            phone.quit()


ORDER = [
    "register_first_user_becomes_admin",
    "create_dashboard_appears_in_list",
    "sign_out_and_sign_in",
    "second_user_cannot_see_first_users_dashboard",
    "share_dashboard_with_second_user",
    "collaborators_see_each_other_live",
    "admin_run_now_appears_live_on_every_open_jobs_page",
    "upload_a_csv_and_watch_it_become_a_cleaned_dataset",
    "page_reconnects_after_server_restart",
    "login_page_on_phone_width",
]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", required=True)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--postgres-url")
    args = parser.parse_args()
    server = LuminaServer(args.binary, args.database, args.postgres_url)
    server.start()
    failures = 0
    journeys = Journeys(server)
    try:
        for name in ORDER:
            started = time.time()
            try:
                getattr(journeys, name)()
                print(f"PASS {name} [{args.database}] ({time.time() - started:.1f}s)", flush=True)
            except Exception as error:  # noqa: BLE001 - report every failure and go on
                failures += 1
                print(f"FAIL {name} [{args.database}]: {error!r}", flush=True)
                traceback.print_exc()
    finally:
        journeys.close()
        server.stop()
    if failures:
        print("--- server log (tail) ---")
        print(server.log())
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
