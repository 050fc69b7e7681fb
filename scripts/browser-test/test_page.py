"""The page in a real browser: Debian's chromium, driven through the system chromedriver by Selenium.

A scratch project gets a small model trained on synthetic digits (four raw IDX files written here, the same
layout as Tests/StepwiseCLITests/SyntheticDigits.swift), then `stepwise serve --token ...` runs in it on a free
port. The test draws a digit on the canvas with pointer moves (a mouse stroke and a touch stroke), checks undo
and clear, draws it again (a pen stroke and a touch stroke), submits, reads the prediction off the page, presses
"Wrong: it is a 7" (the server asks for the token, the test types it into the page), finds the stored entry
in the scratch project's incorrect_predictions/ with true_label 7, and that "Right" is now disabled. Then it uploads a PNG through the file input,
answers "Right", drops another PNG on the square, sends a file that is not an image (the page shows the server's
error), drops a JPEG (a prediction, or 415 while the server reads only PNG), and checks that /stats shows one
correction and one confirmation. The browser's console must stay free of errors (a Content-Security-Policy
violation from an inline script or style would show there).

Run:  python scripts/browser-test/test_page.py [path/to/stepwise]    (or pytest scripts/browser-test/test_page.py)
The binary: the argument, else $STEPWISE_BIN, else .build/release/stepwise. Environment:
  STEPWISE_SCREENSHOTS=DIR  save the page after a prediction (desktop and phone widths) there
  STEPWISE_KEEP=1           keep the scratch project (its path is printed)
"""

import base64
import json
import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import zlib
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.actions import interaction
from selenium.webdriver.common.actions.action_builder import ActionBuilder
from selenium.webdriver.common.actions.pointer_input import PointerInput
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

REPO = Path(__file__).resolve().parents[2]
TOKEN = "browser-test-token"
WAIT = 20  # seconds for anything the page waits on the server for


# ------------------------------------------------------------------ fixtures: data, model, server


def synthetic_digit(label, state):
    """Class `label`: a bright 6x6 block at a position of its own, plus faint noise (SyntheticDigits.swift), but
    with the places of 0 and 7 swapped: 7 gets the top-left corner, where a drawing centred by the server's
    preprocessing has no ink, so the model does not call the test's drawing a 7 and "Wrong: 7" is a correction."""
    image = bytearray(28 * 28)
    if state is not None:
        for p in range(len(image)):
            state[0] = (state[0] * 6364136223846793005 + 1442695040888963407) % 2**64
            image[p] = state[0] >> 59
    place = {0: 7, 7: 0}.get(label, label)
    top, left = 4 + (place // 5) * 12, 2 + (place % 5) * 5
    for y in range(top, top + 6):
        for x in range(left, left + 6):
            image[y * 28 + x] = 255
    return bytes(image)


def write_idx(folder, train=600, test=200):
    folder.mkdir(parents=True, exist_ok=True)
    state = [0x9E3779B97F4A7C15]
    for split, count in (("train", train), ("t10k", test)):
        pixels = b"".join(synthetic_digit(i % 10, state) for i in range(count))
        (folder / f"{split}-images-idx3-ubyte").write_bytes(struct.pack(">IIII", 2051, count, 28, 28) + pixels)
        (folder / f"{split}-labels-idx1-ubyte").write_bytes(struct.pack(">II", 2049, count) + bytes(i % 10 for i in range(count)))


def png_gray(pixels, width, height):
    """An 8-bit greyscale PNG, written by hand (no imaging library needed)."""
    raw = b"".join(b"\x00" + bytes(pixels[y * width:(y + 1) * width]) for y in range(height))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def handwritten_one(size=200):
    """A '1' in dark ink on white paper, as a phone photo of paper would be (the server inverts it)."""
    pixels = bytearray([250] * (size * size))
    for y in range(30, 170):
        for x in range(92, 110):
            pixels[y * size + x] = 20
    for i in range(30):  # the flag at the top
        for t in range(14):
            x, y = 92 - i, 30 + i + t
            if 0 <= x < size:
                pixels[y * size + x] = 20
    return png_gray(pixels, size, size)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(binary, args, cwd):
    done = subprocess.run([str(binary), *args], cwd=cwd, capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        raise AssertionError(f"stepwise {' '.join(args)} exited {done.returncode}:\n{done.stderr[-3000:]}")
    return done


class Server:
    def __init__(self, binary, project):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = project / "serve.log"
        self.log = open(self.log_path, "w")
        self.process = subprocess.Popen(
            [str(binary), "serve", "--host", "127.0.0.1", "--port", str(self.port), "--token", TOKEN],
            cwd=project, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while True:
            if self.process.poll() is not None:
                raise AssertionError(f"stepwise serve exited {self.process.returncode}:\n{self.tail()}")
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=2) as r:
                    if r.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, OSError):
                pass
            if time.monotonic() > deadline:
                raise AssertionError(f"stepwise serve did not answer /healthz within 30 s:\n{self.tail()}")
            time.sleep(0.1)

    def tail(self, lines=40):
        self.log.flush()
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


def browser(width=1280, height=1000, phone=False):
    options = webdriver.ChromeOptions()
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                     f"--window-size={width},{height}"):
        options.add_argument(argument)
    if phone:
        options.add_experimental_option("mobileEmulation", {
            "deviceMetrics": {"width": width, "height": height, "pixelRatio": 2, "touch": True}})
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service(shutil.which("chromedriver") or "/usr/bin/chromedriver"), options=options)


# ------------------------------------------------------------------ page helpers


def ink(driver):
    """How many canvas pixels carry ink (white strokes on the black paper)."""
    return driver.execute_script("""
        const c = document.getElementById('pad');
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let n = 0;
        for (let i = 0; i < d.length; i += 4) if (d[i] > 128) n++;
        return n;""")


def canvas_offset(pad, x, y):
    """Selenium offsets are from the element's centre in CSS pixels; (x, y) are in canvas pixels (280x280)."""
    scale = pad.rect["width"] / 280
    return int((x - 140) * scale), int((y - 140) * scale)


def mouse_stroke(driver, pad, points):
    chain = ActionChains(driver)
    chain.move_to_element_with_offset(pad, *canvas_offset(pad, *points[0])).click_and_hold()
    for p in points[1:]:
        chain.move_to_element_with_offset(pad, *canvas_offset(pad, *p))
    chain.release().perform()


def touch_stroke(driver, pad, points, kind=interaction.POINTER_TOUCH):
    finger = PointerInput(kind, "finger" if kind == interaction.POINTER_TOUCH else kind)
    actions = ActionBuilder(driver, mouse=finger)
    actions.pointer_action.move_to(pad, *canvas_offset(pad, *points[0])).pointer_down()
    for p in points[1:]:
        actions.pointer_action.move_to(pad, *canvas_offset(pad, *p))
    actions.pointer_action.pointer_up()
    actions.perform()


SEVEN_BAR = [(70, 60), (120, 58), (170, 58), (205, 60)]
SEVEN_STEM = [(205, 62), (180, 120), (155, 180), (135, 235)]


def draw_seven(driver, pad, pen=False):
    """The bar with the mouse (or a pen), the stem with a finger."""
    if pen:
        touch_stroke(driver, pad, SEVEN_BAR, kind=interaction.POINTER_PEN)
    else:
        mouse_stroke(driver, pad, SEVEN_BAR)
    touch_stroke(driver, pad, SEVEN_STEM)


def wait_for(driver, condition, what, timeout=WAIT):
    try:
        return WebDriverWait(driver, timeout).until(lambda d: condition(d))
    except Exception as error:
        raise AssertionError(f"timed out waiting for {what}") from error


def text(driver, element_id):
    return driver.find_element(By.ID, element_id).text.strip()


def wait_for_answer(driver, previous=""):
    """Waits until the status line reports a prediction (a new one when `previous` is given); fails on an error."""
    def ready(d):
        status = d.find_element(By.ID, "status")
        if "error" in (status.get_attribute("class") or ""):
            raise AssertionError(f"the page reports an error: {status.text}")
        return status.text.startswith("The model says") and status.text != previous and status.text
    return wait_for(driver, ready, "the prediction")


def check_answer(driver):
    label = text(driver, "label")
    assert label in [str(d) for d in range(10)], f"predicted label on the page: {label!r}"
    bars = driver.find_elements(By.CSS_SELECTOR, "#bars li")
    assert len(bars) == 10, f"{len(bars)} probability bars"
    assert driver.find_elements(By.CSS_SELECTOR, "#bars li.predicted .bar-label")[0].text == label
    values = [float(b.find_element(By.CLASS_NAME, "bar-value").text.rstrip("%").replace("<", "")) for b in bars]
    assert 95 <= sum(values) <= 105, f"the ten probabilities add up to {sum(values)}%"
    assert text(driver, "confidence").endswith("%")
    assert len(text(driver, "top3").split(",")) == 3, f"top 3: {text(driver, 'top3')}"
    seen = driver.execute_script("const i = document.getElementById('digit'); return [i.src.slice(0, 22), i.naturalWidth, i.naturalHeight];")
    assert seen == ["data:image/png;base64,", 28, 28], f"the 28x28 the model saw: {seen}"
    return int(label)


def wait_for_feedback(driver):
    def done(d):
        t = text(d, "feedback-status")
        return t and t != "Sending…" and t
    return wait_for(driver, done, "the server's answer to the feedback")


def console_errors(driver):
    """Errors in the browser's console, but for the answers the test provokes on purpose: 401 (the page asks for
    the token), 415 or 422 (a file that is not an image)."""
    expected = (("/api/feedback", "status of 401"), ("/api/predict", "status of 415"), ("/api/predict", "status of 422"))
    return [e["message"] for e in driver.get_log("browser") if e.get("level") == "SEVERE"
            and not (e.get("source") == "network" and any(u in e["message"] and s in e["message"] for u, s in expected))]


def feedback_records(project):
    folder = project / "incorrect_predictions"
    if not folder.is_dir():
        return []
    return [(p.parent, json.loads(p.read_text())) for p in sorted(folder.glob("*/record.json"))]


# ------------------------------------------------------------------ the test


def binary_path(argument=None):
    path = Path(argument or os.environ.get("STEPWISE_BIN") or REPO / ".build/release/stepwise")
    assert path.is_file() and os.access(path, os.X_OK), f"no stepwise binary at {path} (build it: swift build -c release)"
    return path.resolve()


def test_page():
    """Under pytest: the binary from $STEPWISE_BIN, else .build/release/stepwise."""
    run_page_test(binary_path())


def run_page_test(binary):
    started = time.monotonic()
    scratch = Path(tempfile.mkdtemp(prefix="stepwise-browser-"))
    project = scratch / "project"
    shutil.copytree(REPO / "Workflows", project / "Workflows")
    write_idx(scratch / "idx")
    run(binary, ["run", "train", "--data", str(scratch / "idx"), "--set", "load.limit=600", "--set", "load.test_limit=200",
                 "--set", "preprocess.validation=100", "--set", "train.epochs=1"], cwd=project)
    assert (project / "Outputs/models/cnn.safetensors").is_file(), "the training run left no model"
    upload = scratch / "one.png"
    upload.write_bytes(handwritten_one())
    print(f"browser test: model trained in {time.monotonic() - started:.1f} s; project {project}")

    server = Server(binary, project)
    driver = None
    ok = False
    try:
        driver = browser()
        driver.get(server.url + "/")
        pad = driver.find_element(By.ID, "pad")
        assert driver.find_element(By.ID, "submit").get_attribute("disabled") is not None, "Predict works on an empty canvas"
        assert driver.execute_script("return getComputedStyle(document.getElementById('pad')).touchAction") == "none"

        # Drawing: two strokes (mouse, then touch); undo takes the last away, clear empties the canvas; the
        # same strokes with a pen and a finger give the same ink.
        draw_seven(driver, pad)
        both = ink(driver)
        assert both > 3000, f"only {both} pixels of ink after two strokes"
        driver.find_element(By.ID, "undo").click()
        one = ink(driver)
        assert 0 < one < both, f"undo: {both} -> {one} pixels of ink"
        driver.find_element(By.ID, "clear").click()
        assert ink(driver) == 0, "clear left ink on the canvas"
        draw_seven(driver, pad, pen=True)
        again = ink(driver)
        assert abs(again - both) < both / 10, f"the same strokes drawn again: {both} then {again} pixels of ink"

        driver.find_element(By.ID, "submit").click()
        wait_for_answer(driver)
        predicted = check_answer(driver)
        assert predicted != 7, "the model calls the drawing a 7, so 'Wrong: 7' would be a confirmation"
        print(f"browser test: the drawing was predicted as {predicted} ({text(driver, 'confidence')})")
        save_screenshots(driver, server.url)

        # Wrong: it is a 7. The server wants the token: the page asks for it, then sends the feedback again.
        driver.find_element(By.ID, "wrong-7").click()
        wait_for(driver, lambda d: d.find_element(By.ID, "token").is_displayed(), "the token field")
        driver.find_element(By.ID, "token").send_keys(TOKEN)
        driver.find_element(By.CSS_SELECTOR, "#token-form button[type=submit]").click()
        said = wait_for_feedback(driver)
        assert "error" not in (driver.find_element(By.ID, "feedback-status").get_attribute("class") or ""), f"feedback: {said}"
        print(f"browser test: feedback answered: {said}")
        records = feedback_records(project)
        assert len(records) == 1, f"incorrect_predictions/ holds {len(records)} entries"
        entry, record = records[0]
        assert record["true_label"] == 7, f"record.json: {record}"
        assert record["predicted_label"] == predicted, f"record.json: {record}, the page said {predicted}"
        assert any(p.name.startswith("original.") for p in entry.iterdir()), f"no original image in {entry}"
        # Corrected: "Right" no longer applies (the server would refuse it with 409), so the page disables it;
        # another digit may still be chosen.
        right = driver.find_element(By.ID, "right")
        assert right.get_attribute("disabled") is not None, "'Right' is still enabled after 'Wrong: 7'"
        assert driver.find_element(By.ID, "wrong-3").get_attribute("disabled") is None, "the other digits were disabled"

        # Upload a file through the picker: it is predicted at once; then "Right" (the token is remembered).
        before = text(driver, "status")
        driver.find_element(By.ID, "file").send_keys(str(upload))
        wait_for(driver, lambda d: not d.find_element(By.ID, "sent-figure").get_attribute("hidden")
                 and text(d, "status") != before and text(d, "status").startswith("The model says"), "the upload's prediction")
        check_answer(driver)
        sent = driver.execute_script("return document.getElementById('sent').src.slice(0, 22)")
        assert sent == "data:image/png;base64,", f"the uploaded image is not shown: {sent}"
        assert text(driver, "sent-caption").endswith(upload.name), f"the upload's name: {text(driver, 'sent-caption')}"
        assert driver.find_element(By.ID, "right").get_attribute("disabled") is None, "'Right' stays disabled for a new prediction"
        driver.find_element(By.ID, "right").click()
        said = wait_for_feedback(driver)
        assert "error" not in (driver.find_element(By.ID, "feedback-status").get_attribute("class") or ""), f"right: {said}"
        assert driver.find_element(By.ID, "token-form").get_attribute("hidden") is not None, "the token was asked for again"
        assert len(feedback_records(project)) == 1, "'Right' stored an image in incorrect_predictions/"

        # Drag and drop: a PNG dropped on the square is predicted too (the drop built in the page, as Selenium
        # cannot drag a file from outside the browser).
        sent_before = driver.execute_script("return document.getElementById('sent').src")
        driver.execute_script("""
            const bytes = Uint8Array.from(atob(arguments[0]), (c) => c.charCodeAt(0));
            const data = new DataTransfer();
            data.items.add(new File([bytes], 'dropped.png', {type: 'image/png'}));
            const zone = document.getElementById('dropzone');
            for (const type of ['dragenter', 'dragover', 'drop'])
                zone.dispatchEvent(new DragEvent(type, {dataTransfer: data, bubbles: true, cancelable: true}));
            """, base64.b64encode(handwritten_one(240)).decode())
        wait_for(driver, lambda d: d.execute_script("return document.getElementById('sent').src") != sent_before
                 and text(d, "status").startswith("The model says"), "the dropped file's prediction")
        check_answer(driver)
        assert "dragging" not in (driver.find_element(By.ID, "dropzone").get_attribute("class") or "")

        # A file that is not an image: the page shows the server's error (415) and keeps the last answer.
        label_before = text(driver, "label")
        bad = scratch / "notes.png"
        bad.write_text("not an image at all\n")
        driver.find_element(By.ID, "file").send_keys(str(bad))
        wait_for(driver, lambda d: "error" in (d.find_element(By.ID, "status").get_attribute("class") or ""),
                 "the error for a file that is not an image")
        said = text(driver, "status")
        assert said.startswith("The server answered 4"), f"the error shown: {said}"
        assert text(driver, "label") == label_before, "the last answer was replaced by an error"
        print(f"browser test: a file that is not an image: {said}")

        # A JPEG (the drawing, encoded by the browser) dropped on the square is predicted like a PNG.
        sent_before = driver.execute_script("return document.getElementById('sent').src")
        driver.execute_script("""
            document.getElementById('pad').toBlob((blob) => {
                const data = new DataTransfer();
                data.items.add(new File([blob], 'drawing.jpg', {type: 'image/jpeg'}));
                document.getElementById('dropzone').dispatchEvent(
                    new DragEvent('drop', {dataTransfer: data, bubbles: true, cancelable: true}));
            }, 'image/jpeg', 0.95);""")
        def jpeg_answered(d):
            status = d.find_element(By.ID, "status")
            assert "error" not in (status.get_attribute("class") or ""), f"the JPEG was refused: {status.text}"
            return d.execute_script("return document.getElementById('sent').src") != sent_before \
                and status.text.startswith("The model says")
        wait_for(driver, jpeg_answered, "a prediction for the JPEG")
        print(f"browser test: a JPEG: {text(driver, 'status')}")

        # The statistics page shows the correction.
        driver.get(server.url + "/stats")
        wait_for(driver, lambda d: text(d, "stats-status").startswith("Updated") or "error" in
                 (d.find_element(By.ID, "stats-status").get_attribute("class") or ""), "the statistics")
        assert text(driver, "stats-status").startswith("Updated"), text(driver, "stats-status")
        assert text(driver, "corrected") == "1", f"/stats shows {text(driver, 'corrected')} corrected"
        assert text(driver, "confirmed-right") == "1", f"/stats shows {text(driver, 'confirmed-right')} confirmed right"
        assert int(text(driver, "served").replace(",", "")) >= 3, f"/stats shows {text(driver, 'served')} served"
        cell = driver.find_elements(By.XPATH, "//div[@id='confusion']//tbody/tr[th='7']/td")
        assert len(cell) == 10 and cell[predicted].text == "1", f"confusion row 7: {[c.text for c in cell]}"
        thumbs = driver.find_elements(By.CSS_SELECTOR, "#recent img.thumb")
        assert len(thumbs) >= 3, f"{len(thumbs)} thumbnails among the recent predictions"

        errors = console_errors(driver)
        assert not errors, "the browser console reports errors:\n" + "\n".join(errors)
        ok = True
    except Exception:
        print(f"browser test: server log (last lines):\n{server.tail()}", file=sys.stderr)
        if driver is not None:
            try:
                print("browser test: console: " + json.dumps(console_errors(driver)), file=sys.stderr)
            except Exception:
                pass
        raise
    finally:
        if driver is not None:
            driver.quit()
        server.stop()
        if ok and not os.environ.get("STEPWISE_KEEP"):
            shutil.rmtree(scratch, ignore_errors=True)
        else:
            print(f"browser test: scratch project kept in {project}", file=sys.stderr)
    print(f"browser test: passed in {time.monotonic() - started:.1f} s")


def save_screenshots(driver, url):
    """The page after a prediction, at desktop width and in a phone's viewport (390x844), when asked for."""
    folder = os.environ.get("STEPWISE_SCREENSHOTS")
    if not folder:
        return
    Path(folder).mkdir(parents=True, exist_ok=True)
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": 1280, "height": height, "deviceScaleFactor": 1, "mobile": False})
    driver.save_screenshot(str(Path(folder) / "serve-page.png"))
    driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    phone = browser(390, 844, phone=True)
    try:
        phone.get(url + "/")
        pad = phone.find_element(By.ID, "pad")
        touch_stroke(phone, pad, SEVEN_BAR)
        touch_stroke(phone, pad, SEVEN_STEM)
        phone.find_element(By.ID, "submit").click()
        wait_for_answer(phone)
        height = phone.execute_script("return document.documentElement.scrollHeight")
        phone.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                              {"width": 390, "height": height, "deviceScaleFactor": 1, "mobile": True})
        phone.save_screenshot(str(Path(folder) / "serve-page-phone.png"))
    finally:
        phone.quit()


if __name__ == "__main__":
    try:
        run_page_test(binary_path(sys.argv[1] if len(sys.argv) > 1 else None))
    except AssertionError as error:
        print(f"browser test: FAILED: {error}", file=sys.stderr)
        sys.exit(1)
