//! BL131: a CORS rule lets any origin write.

use super::{Context, Rule, bucket_finding, fix};
use crate::finding::Finding;

pub const RULE: Rule = Rule {
    doc: rule_doc!("cors_allows_any_origin"),
    check,
};

const WRITE_METHODS: [&str; 3] = ["PUT", "POST", "DELETE"];

fn check(cx: &Context<'_>, out: &mut Vec<Finding>) {
    for b in &cx.model.buckets {
        let Some(cors) = &b.cors else {
            continue;
        };
        for rule in &cors.value.rules {
            let Some(any) = rule
                .origins
                .iter()
                .find(|o| o.get().is_some_and(|o| o == "*"))
            else {
                continue;
            };
            let writes: Vec<&str> = rule
                .methods
                .iter()
                .filter_map(|m| m.get())
                .map(String::as_str)
                .filter(|m| *m == "*" || WRITE_METHODS.iter().any(|w| m.eq_ignore_ascii_case(w)))
                .collect();
            if writes.is_empty() {
                continue;
            }
            out.push(
                bucket_finding(
                    "BL131",
                    b,
                    any.span().unwrap_or(rule.span),
                    format!(
                        "a CORS rule of bucket {} lets scripts on any website send {} requests to it",
                        b.label(),
                        writes.join("/")
                    ),
                )
                .label("any origin")
                .related(any.origin(), crate::finding::VALUE_ORIGIN)
                .help(fix(
                    b,
                    "list the origins that need to write in `allowed_origins`, or keep `*` only for GET/HEAD rules",
                    "list the origins that need to write in `AllowedOrigins`, or keep `*` only for GET/HEAD rules",
                )),
            );
        }
    }
}
