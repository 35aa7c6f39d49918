#!/usr/bin/env python3
"""Takes the README screenshots from a fresh server with a little sample content.

    /usr/bin/python3 Tests/Browser/screenshot.py --binary .build/debug/lumina --out Public/images/screenshots
"""
import argparse
import os

from selenium.webdriver.common.by import By

from lumina_server import LuminaServer
from run_journeys import DATA, PASSWORD, browser, register, wait
from selenium.webdriver.support import expected_conditions as EC


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    server = LuminaServer(args.binary, "sqlite")
    server.start()
    driver = browser(1280, 800)
    try:
        register(driver, server.url, "Ana Analyst", "ana@example.com")
        _, token = server.api("POST", "/api/v1/auth/token", {"email": "ana@example.com", "password": PASSWORD})
        for name, description in [("Sales overview", "Revenue, units and discounts by region"),
                                  ("Customer retention", "Returning customers and churn by cohort"),
                                  ("Weather and demand", "Daily demand against temperature and rain")]:
            server.api("POST", "/api/v1/dashboards", {"name": name, "description": description}, token["token"])
        driver.get(server.url + "/dashboards/")
        driver.save_screenshot(os.path.join(args.out, "dashboards.png"))
        first = driver.find_elements(By.CSS_SELECTOR, "#dashboard-list a")[-1]
        first.click()
        wait(driver, EC.text_to_be_present_in_element((By.ID, "live-status"), "live"))
        driver.save_screenshot(os.path.join(args.out, "dashboard.png"))

        # An upload as it finishes, then the dataset it became.
        driver.get(server.url + "/datasets/upload/")
        driver.find_element(By.ID, "upload-file").send_keys(os.path.join(DATA, "real", "vega-us-employment.csv"))
        driver.find_element(By.ID, "upload-start").click()
        wait(driver, lambda d: len(d.find_elements(By.CSS_SELECTOR, "#upload-insights li")) > 0, timeout=60)
        driver.save_screenshot(os.path.join(args.out, "upload.png"))
        driver.find_element(By.ID, "dataset-link").click()
        wait(driver, lambda d: len(d.find_elements(By.CSS_SELECTOR, "#preview tbody tr")) > 0)
        wait(driver, lambda d: len(d.find_elements(By.CSS_SELECTOR, "#profile canvas")) > 0)
        driver.set_window_size(1280, 2200)
        driver.save_screenshot(os.path.join(args.out, "dataset.png"))
    finally:
        driver.quit()
        server.stop()


if __name__ == "__main__":
    main()
