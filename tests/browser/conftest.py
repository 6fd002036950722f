"""Playwright driving Debian's Chromium (/usr/bin/chromium); never a downloaded browser.

Every page a browser test opens is checked with axe-core (WCAG 2.1 A and AA rules): a serious
or critical violation fails the test, naming the rule, the page, the width and the elements.
See ``AccessibilityCheck`` for when a page is checked.
"""

import json
import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs a loop

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
# axe-core from the npm registry, exact version in package-lock.json (`make test` runs npm ci).
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING_IMPACTS = ("serious", "critical")
# Left out of the check: the badge preview of the status-colour settings shows the colours the
# shop owner is trying out, unreadable ones too, with a warning beside it and the status name in
# its row; saving such a pair is refused (tests/backoffice/test_settings_pages.py).
AXE_EXCLUDE = [
    ["[data-status-row] [data-preview]"],
    # A list dimmed while its htmx request runs (backoffice.css) is checked once it settles.
    [".htmx-request.kt-ol .kt-ol-table"],
    [".kt-ol:has(.htmx-request) .kt-ol-table"],
]
# Set to a file name to append every violation found (one JSON object a line), blocking or not.
AXE_LOG = os.environ.get("KANTOOR_AXE_LOG", "")
A11Y = pytest.StashKey["AccessibilityCheck"]()

# The agent: axe-core plus a little script, added to every top-level document before its own
# scripts run (an init script and exposed bindings are not subject to the page's
# Content-Security-Policy, unlike add_script_tag). It checks the page when it has loaded, after
# each htmx swap and when a Bootstrap menu, dialog or panel has opened, and reports through the
# bindings; ``window.__kantoorAxe.run()`` checks on request. One axe run at a time (axe refuses
# a second one while the first runs).
AGENT = """
(() => {
  if (window !== window.top) return;
  %(axe)s
  const options = {runOnly: {type: 'tag', values: %(tags)s}, resultTypes: ['violations']};
  const context = {exclude: %(exclude)s};
  // A colour measured halfway through a fade, or under the dimming of an htmx request on its
  // way, is no colour anyone reads: wait for requests and transitions (not endless ones, such
  // as a spinner) to end, for at most two seconds.
  const loading = () => document.querySelector('.htmx-request') !== null;
  // Two frames first: a hover that a new page gives the element under the pointer starts its
  // transition only once the page is laid out and hit-tested, after which it is waited for.
  const frames = () => new Promise(
    resolve => requestAnimationFrame(() => requestAnimationFrame(resolve)));
  const settled = async () => {
    await Promise.race([frames(), new Promise(resolve => setTimeout(resolve, 200))]);
    for (let waited = 0; loading() && waited < 2000; waited += 50) {
      await new Promise(resolve => setTimeout(resolve, 50));
    }
    await Promise.race([
      Promise.all(document.getAnimations()
        .filter(a => a.effect && a.effect.getComputedTiming().endTime !== Infinity)
        .map(a => a.finished.catch(() => null))),
      new Promise(resolve => setTimeout(resolve, 1000)),
    ]);
  };
  const doc = Math.random().toString(36).slice(2);
  const summary = (why, result) => ({
    doc, why, url: location.href, width: window.innerWidth,
    violations: result.violations.map(v => ({
      rule: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.map(n => ({target: n.target.join(' '), summary: n.failureSummary})),
    })),
  });
  let chain = Promise.resolve();
  const run = (why) => {
    const job = chain.then(settled).then(() => axe.run(context, options))
      .then(r => summary(why, r));
    chain = job.catch(() => null);
    return job;
  };
  const auto = (why) => {
    if (document.contentType !== 'text/html' || !location.protocol.startsWith('http')) return;
    if (why === 'htmx swap' && loading()) return;  // the next swap is checked when it settles
    window.__kantoorAxeStarted(doc);
    run(why).then(
      report => window.__kantoorAxeDone(report),
      error => window.__kantoorAxeDone({doc, why, url: location.href, error: String(error)}),
    );
  };
  let timer = null;
  const soon = (why) => { clearTimeout(timer); timer = setTimeout(() => auto(why), 100); };
  window.__kantoorAxe = {run};
  if (document.readyState === 'complete') auto('load');
  else window.addEventListener('load', () => auto('load'));
  document.addEventListener('htmx:afterSettle', () => soon('htmx swap'));
  for (const name of ['dropdown', 'modal', 'offcanvas', 'collapse']) {
    document.addEventListener(`shown.bs.${name}`, () => soon(`${name} opened`));
  }
})();
"""
RUN_NOW = """why => window.__kantoorAxe && document.contentType === 'text/html'
    ? window.__kantoorAxe.run(why) : null"""
NAVIGATION_WAIT_MS = 15_000


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make test` (installs Debian's chromium).")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE_JS.exists():
        pytest.fail(f"{AXE_JS} is missing: run `make test` (npm ci installs axe-core).")
    return AXE_JS.read_text(encoding="utf-8")


class AccessibilityCheck:
    """axe-core on one test's pages; collects what it finds, the test fails on it at its end.

    A page is checked when it has loaded, after each htmx swap, when a Bootstrap menu, dialog
    or panel has opened (all in the page, see ``AGENT``), before each screenshot, before the
    viewport changes width, and at the end of the test. A navigation away from a page waits
    (a route handler holds the request) until the checks running in that page have reported.
    """

    def __init__(self, page, test: str):
        self.page, self.test = page, test
        self.violations: dict[tuple, dict] = {}
        self.errors: list[str] = []
        self.checks = 0
        self.document, self.running = "", 0

    # Reports from the page (exposed bindings).
    def started(self, source, doc: str) -> None:
        if doc != self.document:
            self.document, self.running = doc, 0
        self.running += 1

    def done(self, source, report: dict) -> None:
        if report["doc"] == self.document:
            self.running -= 1
        self.record(report)

    def record(self, report: dict | None) -> None:
        if report is None:
            return
        self.checks += 1
        url = urlsplit(report["url"])
        where = url.path + (f"?{url.query}" if url.query else "")
        if "error" in report:
            self.errors.append(f"axe-core failed on {where} ({report['why']}): {report['error']}")
            return
        for violation in report["violations"]:
            targets = tuple(node["target"] for node in violation["nodes"])
            key = (where, report["width"], violation["rule"], targets)
            if key in self.violations:
                continue
            self.violations[key] = {**violation, "page": where, "width": report["width"]}
            if AXE_LOG:
                with open(AXE_LOG, "a", encoding="utf-8") as log:
                    entry = {"test": self.test, "why": report["why"], **self.violations[key]}
                    log.write(json.dumps(entry) + "\n")

    def __call__(self, why: str = "on request") -> None:
        """Check the page as it is now."""
        page = self.page
        if not page.is_closed() and page.url.startswith("http"):
            self.record(page.evaluate(RUN_NOW, why))

    def before_navigation(self, route) -> None:
        try:
            request = route.request
            if request.is_navigation_request() and request.frame.parent_frame is None:
                waited = 0
                while self.running > 0 and waited < NAVIGATION_WAIT_MS:
                    self.page.wait_for_timeout(25)
                    waited += 25
        finally:
            route.fallback()

    def blocking(self) -> list[dict]:
        return [v for v in self.violations.values() if v["impact"] in BLOCKING_IMPACTS]

    def report(self) -> str:
        blocking = self.blocking()
        lines = [f"axe-core: {len(blocking)} serious or critical WCAG 2.1 violation(s):"]
        for v in blocking:
            lines.append(f"- {v['rule']} ({v['impact']}) on {v['page']} at {v['width']} px")
            lines.append(f"  {v['help']}")
            for node in v["nodes"][:8]:
                summary = (node["summary"] or "").splitlines()
                detail = summary[1].strip() if len(summary) > 1 else ""
                lines.append(f"    {node['target']}: {detail}")
            if len(v["nodes"]) > 8:
                lines.append(f"    … and {len(v['nodes']) - 8} more")
        return "\n".join(lines + self.errors)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    result = yield  # a failing test raises here and keeps its own failure
    check = item.stash.get(A11Y, None)
    if check is not None:
        check("end of test")
        if check.blocking() or check.errors:
            raise AssertionError(check.report())
    return result


@pytest.fixture
def page(request, browser, live_server, settings, axe_source):
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    # Links are built on BASE_URL (the site's own address): here, the live server's.
    settings.BASE_URL = live_server.url
    # Reduced motion, as a user may ask: no colour is measured halfway through a transition
    # (Bootstrap and our own CSS leave transitions out then).
    context = browser.new_context(
        base_url=live_server.url,
        locale="en-GB",
        viewport={"width": 1280, "height": 900},
        reduced_motion="reduce",
    )
    check = AccessibilityCheck(None, request.node.nodeid)
    context.expose_binding("__kantoorAxeStarted", check.started)
    context.expose_binding("__kantoorAxeDone", check.done)
    context.add_init_script(
        AGENT
        % {"axe": axe_source, "tags": json.dumps(AXE_TAGS), "exclude": json.dumps(AXE_EXCLUDE)}
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    # Every page runs under the Content-Security-Policy (kantoor/core/middleware.py): an inline
    # script or style it refuses shows as a console message, and fails the test.
    violations = []
    page.on(
        "console",
        lambda message: violations.append(message.text) if is_csp_violation(message.text) else None,
    )
    page.csp_violations = violations
    check.page = page
    request.node.stash[A11Y] = check
    page.route("**/*", check.before_navigation)
    set_viewport_size = page.set_viewport_size

    def check_then_resize(viewport_size):
        if viewport_size != page.viewport_size:
            check("before resizing")
        set_viewport_size(viewport_size)

    page.set_viewport_size = check_then_resize
    yield page
    context.close()
    assert violations == [], f"Content-Security-Policy violations: {violations}"


# The hash Chrome names for a blocked inline style that is empty (sha256 of ""): a script set
# style="" (axe-core restoring an element it measured), which changes nothing.
EMPTY_INLINE_HASH = "sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="


def is_csp_violation(text: str) -> bool:
    if "Applying inline style" in text and EMPTY_INLINE_HASH in text:
        return False
    return "Content Security Policy" in text or "Content-Security-Policy" in text


@pytest.fixture
def check_a11y(request, page):
    """Check the page now (e.g. after opening a menu); the test still fails only at its end."""
    return request.node.stash[A11Y]


@pytest.fixture
def screenshot(page, check_a11y):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(name: str) -> Path:
        check_a11y(f"screenshot {name}")
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
