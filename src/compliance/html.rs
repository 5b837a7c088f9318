//! The compliance report as a self-contained HTML page: the evidence, a chart of
//! the controls' results per control family (SVG, drawn here), and each control
//! with the resources that pass, fail or are accepted. No script; nothing is
//! fetched (`report::html`'s policy).

use super::build::{ControlReport, Report, Status};
use crate::report::html::{esc, page, truncate};
use std::collections::BTreeMap;
use std::fmt::Write as _;

const STYLE: &str = r"
body { font: 14px/1.45 system-ui, sans-serif; margin: 0 auto; max-width: 1100px; padding: 0 20px 40px; color: #1f2328; }
h1 { font-size: 22px; margin: 20px 0 4px; } h2 { font-size: 17px; margin: 28px 0 8px; } h3 { font-size: 15px; margin: 0; display: inline; }
.muted { color: #59636e; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid #d0d7de; vertical-align: top; }
th { background: #f6f8fa; width: 14em; }
code { font-size: 12px; background: #f6f8fa; padding: 1px 4px; border-radius: 4px; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px; font-weight: 600; }
.pass { background: #dafbe1; color: #1a7f37; } .partial { background: #fff1e5; color: #bc4c00; }
.fail { background: #ffebe9; color: #cf222e; } .none { background: #f6f8fa; color: #59636e; }
.cards { display: flex; gap: 12px; flex-wrap: wrap; margin: 12px 0; }
.card { border: 1px solid #d0d7de; border-radius: 8px; padding: 8px 14px; min-width: 110px; }
.card b { font-size: 22px; display: block; }
details { border: 1px solid #d0d7de; border-radius: 8px; margin: 8px 0; padding: 8px 12px; }
summary { cursor: pointer; }
ul { margin: 6px 0; padding-left: 22px; }
svg text { font: 12px system-ui, sans-serif; fill: #1f2328; }
";

fn class(s: Status) -> &'static str {
    match s {
        Status::Pass => "pass",
        Status::Partial => "partial",
        Status::Fail => "fail",
        Status::NoResources => "none",
    }
}

fn badge(s: Status) -> String {
    format!("<span class=\"badge {}\">{}</span>", class(s), s.as_str())
}

fn at(l: &crate::source::Location) -> String {
    esc(&l.to_string())
}

/// Per family, the number of controls of each status: a horizontal stacked bar
/// each, with the counts written on the bars.
fn chart(r: &Report) -> String {
    let mut families: BTreeMap<&str, [usize; 4]> = BTreeMap::new();
    for c in &r.controls {
        let i = match c.status {
            Status::Pass => 0,
            Status::Partial => 1,
            Status::Fail => 2,
            Status::NoResources => 3,
        };
        families.entry(&c.family).or_default()[i] += 1;
    }
    let label_w = 330;
    let bar_w = 520;
    let row = 30;
    let most = families
        .values()
        .map(|v| v.iter().sum::<usize>())
        .max()
        .unwrap_or(1)
        .max(1);
    let height = 40 + families.len() * row;
    let mut out = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{height}\" role=\"img\" aria-label=\"controls per family by result\">\n",
        label_w + bar_w + 20
    );
    let colors = ["#2da44e", "#fb8f44", "#cf222e", "#afb8c1"];
    let names = ["pass", "partial", "fail", "no resources"];
    for (k, (color, name)) in colors.iter().zip(names).enumerate() {
        let x = label_w + k * 120;
        let _ = writeln!(
            out,
            "<rect x=\"{x}\" y=\"6\" width=\"12\" height=\"12\" fill=\"{color}\"/><text x=\"{}\" y=\"16\">{name}</text>",
            x + 16
        );
    }
    for (i, (family, counts)) in families.iter().enumerate() {
        let y = 32 + i * row;
        let _ = writeln!(
            out,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>",
            label_w - 8,
            y + 15,
            esc(&truncate(family, 48))
        );
        let mut x = label_w;
        for (k, &n) in counts.iter().enumerate() {
            if n == 0 {
                continue;
            }
            let w = n * bar_w / most;
            let _ = writeln!(
                out,
                "<rect x=\"{x}\" y=\"{y}\" width=\"{w}\" height=\"20\" fill=\"{}\"><title>{}: {n} {}</title></rect><text x=\"{}\" y=\"{}\" text-anchor=\"middle\" fill=\"#fff\">{n}</text>",
                colors[k],
                esc(family),
                names[k],
                x + w / 2,
                y + 15
            );
            x += w;
        }
    }
    out.push_str("</svg>\n");
    out
}

fn control(out: &mut String, c: &ControlReport) {
    let _ = write!(
        out,
        "<details id=\"{}\"{}><summary>{} <h3>{} {}</h3> <span class=\"muted\">{} failing, {} passing, {} accepted</span></summary>\n<p class=\"muted\">{}</p>\n<p>Evidenced by:</p><ul>",
        esc(&c.id),
        if c.status == Status::Fail || c.status == Status::Partial {
            " open"
        } else {
            ""
        },
        badge(c.status),
        esc(&c.id),
        esc(&c.title),
        c.failing.len(),
        c.passing.len(),
        c.accepted.len(),
        esc(&c.family)
    );
    for r in &c.rules {
        let _ = write!(
            out,
            "<li>{} <code>{}</code>: {}</li>",
            esc(&r.code),
            esc(&r.name),
            esc(&r.summary)
        );
    }
    out.push_str("</ul>\n");
    for s in super::render::sources(c) {
        let _ = writeln!(out, "<p class=\"muted\">Mapping source: {}</p>", esc(s));
    }
    if !c.failing.is_empty() {
        out.push_str("<p><b>Failing</b></p><ul>");
        for f in &c.failing {
            let _ = write!(out, "<li><code>{}</code>", esc(&f.resource));
            if let Some(l) = &f.location {
                let _ = write!(out, " <span class=\"muted\">{}</span>", at(l));
            }
            out.push_str("<ul>");
            for x in &f.findings {
                let _ = write!(
                    out,
                    "<li>{} at {}: {}</li>",
                    esc(&x.code),
                    at(&x.location),
                    esc(&x.message)
                );
            }
            out.push_str("</ul></li>");
        }
        out.push_str("</ul>\n");
    }
    if !c.passing.is_empty() {
        out.push_str("<p><b>Passing</b></p><ul>");
        for p in &c.passing {
            let _ = write!(out, "<li><code>{}</code>", esc(&p.resource));
            if let Some(l) = &p.location {
                let _ = write!(out, " <span class=\"muted\">{}</span>", at(l));
            }
            out.push_str("</li>");
        }
        out.push_str("</ul>\n");
    }
    if !c.accepted.is_empty() {
        out.push_str("<p><b>Accepted</b></p><ul>");
        for a in &c.accepted {
            let _ = write!(
                out,
                "<li><code>{}</code> {} at {}: {}{}{}</li>",
                esc(&a.resource),
                esc(&a.code),
                at(&a.location),
                a.how,
                a.reason
                    .as_deref()
                    .map(|r| format!(", &quot;{}&quot;", esc(r)))
                    .unwrap_or_default(),
                a.expires
                    .as_deref()
                    .map(|x| format!(", expires {}", esc(x)))
                    .unwrap_or_default(),
            );
        }
        out.push_str("</ul>\n");
    }
    out.push_str("</details>\n");
}

pub fn html(r: &Report) -> String {
    let e = &r.evidence;
    let s = &r.summary;
    let mut body = format!(
        "<h1>{}: compliance report</h1>\n<p class=\"muted\">Generated {} by {} from the code, before deployment.</p>\n",
        esc(&r.framework.name),
        esc(&e.generated),
        esc(&e.scanner)
    );
    let _ = writeln!(
        body,
        "<div class=\"cards\"><div class=\"card\"><b>{}</b>controls evidenced</div><div class=\"card pass\"><b>{}</b>pass</div><div class=\"card partial\"><b>{}</b>partial</div><div class=\"card fail\"><b>{}</b>fail</div><div class=\"card none\"><b>{}</b>nothing in scope</div><div class=\"card\"><b>{}</b>not assessed by a static scan</div></div>",
        s.controls, s.passing, s.partial, s.failing, s.no_resources, s.not_assessed
    );
    body.push_str("<h2>Controls by family</h2>\n");
    body.push_str(&chart(r));
    body.push_str("<h2>Evidence</h2>\n<table>\n");
    let commit = match (&e.commit, e.uncommitted_changes) {
        (Some(c), Some(true)) => format!("<code>{}</code> (with uncommitted changes)", esc(c)),
        (Some(c), _) => format!("<code>{}</code>", esc(c)),
        (None, _) => "not a git work tree".into(),
    };
    let paths: Vec<String> = e
        .paths
        .iter()
        .map(|p| format!("<code>{}</code>", esc(p)))
        .collect();
    for (k, v) in [
        ("Scanner", esc(&e.scanner)),
        ("Rule catalog", format!("<code>{}</code>", esc(&e.catalog))),
        ("Scanned", paths.join(", ")),
        ("Commit", commit),
        (
            "Configuration",
            e.configuration
                .as_deref()
                .map_or("defaults (no file)".into(), |c| {
                    format!("<code>{}</code>", esc(c))
                }),
        ),
        (
            "Baseline",
            e.baseline
                .as_deref()
                .map_or("none".into(), |b| format!("<code>{}</code>", esc(b))),
        ),
        ("Rules run", esc(&e.rules.join(", "))),
        (
            "Findings",
            format!("{} count, {} accepted", s.findings, s.accepted),
        ),
        ("Framework", esc(&r.framework.source)),
    ] {
        let _ = writeln!(body, "<tr><th>{k}</th><td>{v}</td></tr>");
    }
    body.push_str("</table>\n<h2>Controls</h2>\n");
    for c in &r.controls {
        control(&mut body, c);
    }
    if !r.not_assessed.is_empty() {
        body.push_str("<h2>Not assessed by a static scan</h2>\n<table>\n<tr><th>Control</th><th>Title</th><th>Why</th></tr>\n");
        for c in &r.not_assessed {
            let _ = writeln!(
                body,
                "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(&c.id),
                esc(&c.title),
                esc(c.not_assessed.as_deref().unwrap_or_default())
            );
        }
        body.push_str("</table>\n");
    }
    page(
        &format!("bucketlint: {} compliance report", r.framework.name),
        STYLE,
        &body,
        &[],
    )
}
