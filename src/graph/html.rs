//! The access graph as one self-contained HTML page that a reviewer opens from the
//! disk: the graph drawn here as SVG (columns from who, on the left, to buckets, on
//! the right), a table of who reaches each bucket through what and with which
//! actions, and a bucket picker that dims the rest. Nothing is fetched. A
//! Content-Security-Policy with a per-page nonce lets only the page's own style
//! and script run (`report::html`), so even a label that escaped its quoting
//! could load nothing.

use super::{EdgeKind, Graph, NodeKind, kind_name};
use crate::report::html::{esc, page, script_json, truncate};
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::fmt::Write as _;

const COLUMN: usize = 290;
const NODE_W: usize = 230;
const NODE_H: usize = 36;
const ROW: usize = 50;
const PAD: usize = 20;
/// Extra room before the buckets' column, where the actions granted are written.
const LABEL_GAP: usize = 150;
/// Table rows at most; the rest are counted, and `--bucket` draws one bucket.
const MAX_ROWS: usize = 5000;
/// Characters of a label drawn in a node (the whole label is its tooltip).
const LABEL_CHARS: usize = 34;

/// Each node's column and row: buckets in the last column, everything else as far
/// left as its longest path to a bucket, rows ordered to keep edges short.
struct Layout {
    column: Vec<usize>,
    y: Vec<usize>,
    columns: usize,
    height: usize,
}

fn layout(g: &Graph, index: &BTreeMap<&str, usize>) -> Layout {
    let n = g.nodes.len();
    let mut succ = vec![Vec::new(); n];
    let mut pred = vec![Vec::new(); n];
    for e in &g.edges {
        let (f, t) = (index[e.from.as_str()], index[e.to.as_str()]);
        succ[f].push(t);
        pred[t].push(f);
    }
    // Longest path to a sink, sinks first (Kahn's order on the reversed edges); a
    // cycle keeps what its members had when the order stopped.
    let mut rank = vec![0usize; n];
    let mut out_degree: Vec<usize> = succ.iter().map(Vec::len).collect();
    let mut queue: VecDeque<usize> = (0..n).filter(|&i| out_degree[i] == 0).collect();
    while let Some(v) = queue.pop_front() {
        for &u in &pred[v] {
            rank[u] = rank[u].max(rank[v] + 1);
            out_degree[u] -= 1;
            if out_degree[u] == 0 {
                queue.push_back(u);
            }
        }
    }
    for (i, node) in g.nodes.iter().enumerate() {
        if node.kind == NodeKind::Bucket {
            rank[i] = 0;
        }
    }
    let top = rank.iter().copied().max().unwrap_or(0);
    let column: Vec<usize> = rank.iter().map(|r| top - r).collect();
    let mut cols: Vec<Vec<usize>> = vec![Vec::new(); top + 1];
    for i in 0..n {
        cols[column[i]].push(i);
    }
    // Rows: buckets by label, then each column by the mean row of its neighbours
    // to the right, then once more left to right.
    let mut row = vec![0f64; n];
    let place = |cols: &Vec<Vec<usize>>, row: &mut Vec<f64>| {
        for c in cols {
            for (r, &i) in c.iter().enumerate() {
                row[i] = r as f64 / c.len().max(1) as f64;
            }
        }
    };
    for c in &mut cols {
        c.sort_by(|&a, &b| {
            (g.nodes[a].kind, &g.nodes[a].label).cmp(&(g.nodes[b].kind, &g.nodes[b].label))
        });
    }
    place(&cols, &mut row);
    let mean = |ns: &[usize], row: &[f64], own: f64| {
        if ns.is_empty() {
            own
        } else {
            ns.iter().map(|&j| row[j]).sum::<f64>() / ns.len() as f64
        }
    };
    for c in (0..top).rev() {
        let keys: BTreeMap<usize, f64> = cols[c]
            .iter()
            .map(|&i| (i, mean(&succ[i], &row, row[i])))
            .collect();
        cols[c].sort_by(|a, b| keys[a].total_cmp(&keys[b]));
        place(&cols, &mut row);
    }
    for c in 1..=top {
        let keys: BTreeMap<usize, f64> = cols[c]
            .iter()
            .map(|&i| (i, mean(&pred[i], &row, row[i])))
            .collect();
        cols[c].sort_by(|a, b| keys[a].total_cmp(&keys[b]));
        place(&cols, &mut row);
    }
    let tallest = cols.iter().map(Vec::len).max().unwrap_or(0);
    let mut y = vec![0; n];
    for c in &cols {
        // Shorter columns are centred on the tallest.
        let offset = (tallest - c.len()) * ROW / 2;
        for (r, &i) in c.iter().enumerate() {
            y[i] = PAD + offset + r * ROW;
        }
    }
    Layout {
        column,
        y,
        columns: top + 1,
        height: PAD * 2 + tallest.max(1) * ROW,
    }
}

/// The page's script: the bucket picker (also read from the URL's `#fragment`)
/// dims what does not reach the chosen bucket and hides the other rows. Errors
/// are recorded on the root element, where a test reads them.
const SCRIPT: &str = r#"(function () {
  var root = document.documentElement;
  window.addEventListener("error", function (e) {
    root.dataset.errors = (root.dataset.errors || "") + e.message + ";";
  });
  var data = JSON.parse(document.getElementById("graph-data").textContent);
  var incoming = {};
  data.edges.forEach(function (e) {
    (incoming[e[1]] = incoming[e[1]] || []).push(e[0]);
  });
  var picker = document.getElementById("bucket");
  function show() {
    var bucket = picker.value, keep = null;
    if (bucket) {
      keep = {};
      var stack = [bucket];
      while (stack.length) {
        var v = stack.pop();
        if (keep[v]) continue;
        keep[v] = true;
        (incoming[v] || []).forEach(function (u) { stack.push(u); });
      }
    }
    document.querySelectorAll("[data-id]").forEach(function (n) {
      n.classList.toggle("dim", !!keep && !keep[n.dataset.id]);
    });
    document.querySelectorAll("[data-from]").forEach(function (e) {
      e.classList.toggle("dim", !!keep && !(keep[e.dataset.from] && keep[e.dataset.to]));
    });
    document.querySelectorAll("tr[data-bucket]").forEach(function (r) {
      r.hidden = !!bucket && r.dataset.bucket !== bucket;
    });
    document.getElementById("shown").textContent = bucket
      ? picker.options[picker.selectedIndex].text
      : "all buckets";
  }
  picker.addEventListener("change", show);
  var wanted = decodeURIComponent(location.hash.slice(1));
  for (var i = 0; i < picker.options.length; i++) {
    if (wanted && picker.options[i].value === wanted) picker.selectedIndex = i;
  }
  show();
  root.dataset.ready = "true";
})();
"#;

const STYLE: &str = r"
body { font: 14px/1.4 system-ui, sans-serif; margin: 0; color: #1f2328; background: #fff; }
header, section, footer { padding: 12px 20px; }
header { border-bottom: 1px solid #d0d7de; display: flex; gap: 24px; align-items: baseline; flex-wrap: wrap; }
h1 { font-size: 20px; margin: 0; } h2 { font-size: 16px; margin: 8px 0; }
.muted { color: #59636e; }
.graph { overflow: auto; }
svg text { font: 12px system-ui, sans-serif; fill: #1f2328; }
svg .kind { font-size: 10px; fill: #59636e; text-transform: uppercase; letter-spacing: .04em; }
.node rect { stroke-width: 1.5; rx: 6; }
.k-bucket rect { fill: #ddf4ff; stroke: #0969da; }
.k-policy rect { fill: #fff8c5; stroke: #9a6700; }
.k-role rect, .k-instance-profile rect { fill: #fbefff; stroke: #8250df; }
.k-user rect, .k-group rect { fill: #dafbe1; stroke: #1a7f37; }
.k-function rect, .k-task rect, .k-instance rect { fill: #fff1e5; stroke: #bc4c00; }
.k-account rect, .k-service rect, .k-federated rect { fill: #f6f8fa; stroke: #59636e; }
.k-anyone rect { fill: #ffebe9; stroke: #cf222e; stroke-width: 2.5; }
.k-unknown rect { fill: #f6f8fa; stroke: #8c959f; stroke-dasharray: 4 3; }
.edge { fill: none; stroke: #8c959f; stroke-width: 1.3; }
.edge.e-grants { stroke: #0969da; }
.edge.e-can-assume { stroke: #8250df; }
.edge.unknown { stroke-dasharray: 5 4; }
.edge-label { font-size: 10px; fill: #0969da; paint-order: stroke; stroke: #fff; stroke-width: 3px; }
.dim { opacity: .12; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid #d0d7de; vertical-align: top; }
th { background: #f6f8fa; }
td code { font-size: 12px; }
.anyone { color: #cf222e; font-weight: 600; }
";

/// One row of the table: a source (a node nothing reaches) that reaches a bucket,
/// by a shortest path.
struct Row {
    bucket: usize,
    source: usize,
    path: Vec<usize>,
    actions: Vec<String>,
    conditions: Vec<String>,
    unknown: bool,
}

fn rows(g: &Graph, index: &BTreeMap<&str, usize>) -> (Vec<Row>, usize) {
    let n = g.nodes.len();
    // For each node, the edges into it.
    let mut incoming: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (k, e) in g.edges.iter().enumerate() {
        incoming[index[e.to.as_str()]].push(k);
    }
    let mut out = Vec::new();
    let mut more = 0;
    for b in (0..n).filter(|&i| g.nodes[i].kind == NodeKind::Bucket) {
        // Breadth first against the edges: `via[u]` is the edge u takes toward b
        // (a map: each bucket's search touches only what reaches it).
        let mut via: HashMap<usize, Option<usize>> = HashMap::from([(b, None)]);
        let mut queue = VecDeque::from([b]);
        while let Some(v) = queue.pop_front() {
            for &k in &incoming[v] {
                let u = index[g.edges[k].from.as_str()];
                if let std::collections::hash_map::Entry::Vacant(e) = via.entry(u) {
                    e.insert(Some(k));
                    queue.push_back(u);
                }
            }
            if incoming[v].is_empty() && v != b {
                if out.len() >= MAX_ROWS {
                    more += 1;
                    continue;
                }
                let mut path = vec![v];
                let mut unknown = false;
                let mut last = None;
                let mut at = v;
                while let Some(&Some(k)) = via.get(&at) {
                    let e = &g.edges[k];
                    unknown |= e.unknown;
                    last = Some(e);
                    at = index[e.to.as_str()];
                    path.push(at);
                }
                let (actions, conditions) = last
                    .map(|e| (e.actions.clone(), e.conditions.clone()))
                    .unwrap_or_default();
                out.push(Row {
                    bucket: b,
                    source: v,
                    path,
                    actions,
                    conditions,
                    unknown,
                });
            }
        }
    }
    (out, more)
}

pub fn html(g: &Graph) -> String {
    let index: BTreeMap<&str, usize> = g
        .nodes
        .iter()
        .enumerate()
        .map(|(i, n)| (n.id.as_str(), i))
        .collect();
    let at = layout(g, &index);
    let last = at.columns.saturating_sub(1);
    let gap = if last > 0 { LABEL_GAP } else { 0 };
    let x = |i: usize| PAD + at.column[i] * COLUMN + if at.column[i] == last { gap } else { 0 };
    let width = PAD * 2 + last * COLUMN + gap + NODE_W;
    let buckets: Vec<usize> = (0..g.nodes.len())
        .filter(|&i| g.nodes[i].kind == NodeKind::Bucket)
        .collect();
    let mut out = String::with_capacity(4096 + g.nodes.len() * 400 + g.edges.len() * 300);
    let principals = g
        .nodes
        .iter()
        .filter(|n| n.kind != NodeKind::Bucket && n.kind != NodeKind::Policy)
        .count();
    let _ = write!(
        out,
        "<header>\n<h1>Who can reach each bucket</h1>\n<span class=\"muted\">{} buckets, {} principals and compute, {} edges; drawn by bucketlint {} from the code, before it is deployed. Showing <b id=\"shown\">all buckets</b>.</span>\n\
         <label>Bucket <select id=\"bucket\"><option value=\"\">all buckets</option>",
        buckets.len(),
        principals,
        g.edges.len(),
        env!("CARGO_PKG_VERSION"),
    );
    for &b in &buckets {
        let n = &g.nodes[b];
        let _ = write!(
            out,
            "<option value=\"{}\">{}</option>",
            esc(&n.id),
            esc(&n.label)
        );
    }
    out.push_str("</select></label>\n</header>\n");

    // The graph.
    let _ = writeln!(
        out,
        "<section class=\"graph\">\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{}\" viewBox=\"0 0 {width} {}\" role=\"img\" aria-label=\"access graph\">\n\
         <defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#8c959f\"/></marker></defs>",
        at.height, at.height
    );
    for e in &g.edges {
        let (f, t) = (index[e.from.as_str()], index[e.to.as_str()]);
        let (x1, y1) = (x(f) + NODE_W, at.y[f] + NODE_H / 2);
        let (x2, y2) = (x(t), at.y[t] + NODE_H / 2);
        let bend = (x2.abs_diff(x1) / 2).max(40);
        let label = super::render::edge_label(e);
        let kind = kind_class(e.kind);
        let _ = writeln!(
            out,
            "<path class=\"edge e-{kind}{}\" data-from=\"{}\" data-to=\"{}\" d=\"M{x1},{y1} C{},{y1} {},{y2} {x2},{y2}\" marker-end=\"url(#arrow)\"><title>{}</title></path>",
            if e.unknown { " unknown" } else { "" },
            esc(&e.from),
            esc(&e.to),
            x1 + bend,
            x2.saturating_sub(bend),
            esc(&label),
        );
        if e.kind == EdgeKind::Grants {
            // Halfway along the curve, in the room before the buckets.
            let (t, u) = (0.5f64, 0.5f64);
            let cubic = |a: usize, b: usize, c: usize, d: usize| {
                u.powi(3) * a as f64
                    + 3.0 * u * u * t * b as f64
                    + 3.0 * u * t * t * c as f64
                    + t.powi(3) * d as f64
            };
            let lx = cubic(x1, x1 + bend, x2.saturating_sub(bend), x2);
            let ly = cubic(y1, y1, y2, y2);
            let _ = writeln!(
                out,
                "<text class=\"edge-label\" data-from=\"{}\" data-to=\"{}\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
                esc(&e.from),
                esc(&e.to),
                lx.round(),
                (ly - 3.0).round(),
                esc(&truncate(&label, 26)),
            );
        }
    }
    for (i, n) in g.nodes.iter().enumerate() {
        let kind = kind_name(n.kind);
        let place = n
            .location
            .as_ref()
            .map(|l| format!("\n{l}"))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "<g class=\"node k-{kind}\" data-id=\"{}\" transform=\"translate({},{})\"><title>{kind}: {}{}</title>\
             <rect width=\"{NODE_W}\" height=\"{NODE_H}\"/><text class=\"kind\" x=\"8\" y=\"13\">{kind}</text>\
             <text x=\"8\" y=\"28\">{}</text></g>",
            esc(&n.id),
            x(i),
            at.y[i],
            esc(&n.label),
            esc(&place),
            esc(&truncate(&n.label, LABEL_CHARS)),
        );
    }
    out.push_str("</svg>\n</section>\n");

    // The table.
    let (rows, more) = rows(g, &index);
    out.push_str(
        "<section>\n<h2>Who reaches each bucket, through what, with which actions</h2>\n\
         <table>\n<thead><tr><th>Bucket</th><th>Who</th><th>Through</th><th>Actions</th><th>Conditions</th></tr></thead>\n<tbody>\n",
    );
    for r in &rows {
        let who = &g.nodes[r.source];
        let through: Vec<String> = r.path[1..r.path.len().saturating_sub(1)]
            .iter()
            .map(|&i| format!("{} {}", kind_name(g.nodes[i].kind), esc(&g.nodes[i].label)))
            .collect();
        let _ = writeln!(
            out,
            "<tr data-bucket=\"{}\"><td>{}</td><td{}>{}: {}</td><td>{}</td><td><code>{}</code></td><td>{}{}</td></tr>",
            esc(&g.nodes[r.bucket].id),
            esc(&g.nodes[r.bucket].label),
            if who.kind == NodeKind::Anyone {
                " class=\"anyone\""
            } else {
                ""
            },
            kind_name(who.kind),
            esc(&who.label),
            if through.is_empty() {
                "directly (bucket policy)".into()
            } else {
                through.join(" → ")
            },
            esc(&r.actions.join(", ")),
            esc(&r.conditions.join("; ")),
            if r.unknown {
                " <i>(a link known only at apply)</i>"
            } else {
                ""
            },
        );
    }
    out.push_str("</tbody>\n</table>\n");
    if more > 0 {
        let _ = writeln!(
            out,
            "<p class=\"muted\">{more} more rows not shown: <code>bucketlint graph --bucket NAME --format html</code> draws one bucket.</p>"
        );
    }
    out.push_str("</section>\n<footer class=\"muted\">Edges point the way access flows. Dashed: a link known only at apply, never guessed. Hover a node or an edge for its details and location.</footer>\n");

    // The edges for the script, as JSON with markup characters escaped.
    let edges: Vec<[&str; 2]> = g
        .edges
        .iter()
        .map(|e| [e.from.as_str(), e.to.as_str()])
        .collect();
    let data = script_json(&serde_json::json!({ "edges": edges }));
    page(
        "bucketlint: who can reach each bucket",
        STYLE,
        &out,
        &[
            ("type=\"application/json\" id=\"graph-data\"", &data),
            ("", SCRIPT),
        ],
    )
}

fn kind_class(k: EdgeKind) -> &'static str {
    match k {
        EdgeKind::Grants => "grants",
        EdgeKind::AttachedTo => "attached-to",
        EdgeKind::CanAssume => "can-assume",
        EdgeKind::MemberOf => "member-of",
        EdgeKind::RunsAs => "runs-as",
    }
}
