//! Accessibility checks with axe-core (installed by `npm ci`) in the browser.

use youdecide_tests::browser::Browser;

/// Runs axe-core on the page open in the browser; returns the violations' ids and targets.
pub fn violations(b: &Browser) -> Vec<String> {
    let axe = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../node_modules/axe-core/axe.min.js"),
    )
    .expect("npm ci installs axe-core");
    b.execute(&format!("{axe}\n;return true;"));
    b.execute(
        "window.__axe = null; axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a','wcag2aa','wcag21a','wcag21aa','wcag22aa']}}).then(r => { window.__axe = r; }); return true;",
    );
    assert!(b.wait_until("window.__axe !== null"), "axe finished");
    let v = b.execute(
        "return window.__axe.violations.map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', '));",
    );
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap_or_default().to_string())
        .collect()
}
