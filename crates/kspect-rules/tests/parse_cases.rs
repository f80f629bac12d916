//! `cases/filter_parse_cases.jsonl`: every verdict, tree and error message agrees.

mod common;

use kspect_rules::parser::{DEFAULT_MAX_DEPTH, parse_with_depth};

fn check(expr: &str, row: &serde_json::Value, exact: bool) -> Result<(), String> {
    let valid = row["valid"].as_bool().unwrap_or(false);
    match parse_with_depth(expr, DEFAULT_MAX_DEPTH) {
        Ok(e) => {
            if !valid {
                return Err(format!(
                    "{expr:?}: accepted as {:?}, expected rejection",
                    e.as_string()
                ));
            }
            if let Some(ast) = row["ast"].as_str().filter(|_| exact) {
                if e.as_string() != ast {
                    return Err(format!(
                        "{expr:?}: tree {:?}, expected {ast:?}",
                        e.as_string()
                    ));
                }
            }
            // Printing and re-parsing gives the same tree.
            let src = e.to_source();
            let again = parse_with_depth(&src, DEFAULT_MAX_DEPTH * 2).map_err(|err| {
                format!("{expr:?}: printed form {src:?} does not re-parse: {err}")
            })?;
            if again != e {
                return Err(format!("{expr:?}: round trip changed the tree"));
            }
            Ok(())
        }
        Err(err) => {
            if valid {
                return Err(format!("{expr:?}: rejected ({err}), expected acceptance"));
            }
            if let Some(pe) = row["parser_error"].as_str().filter(|_| exact) {
                if err.to_string() != pe {
                    return Err(format!(
                        "{expr:?}: error {:?}, expected {pe:?}",
                        err.to_string()
                    ));
                }
            }
            Ok(())
        }
    }
}

#[test]
fn filter_parse_cases() {
    let Some(root) = common::corpus() else { return };
    let rows = common::jsonl(&root.join("cases/filter_parse_cases.jsonl"));
    let mut failures = Vec::new();
    let mut total = 0;
    for row in &rows {
        let expr = row["expr"].as_str().unwrap_or_default().to_string();
        let mut variants = vec![expr.clone()];
        if row["whitespace_variants"].as_bool() == Some(true) {
            let padded = format!(" {expr} ");
            variants.push(padded.replace(' ', "\n"));
            variants.push(padded.replace(' ', "\t"));
            variants.push(padded);
        }
        for (i, v) in variants.iter().enumerate() {
            total += 1;
            // Blank variants change quoted text, so only the verdict is compared.
            if let Err(e) = check(v, row, i == 0) {
                failures.push(e);
            }
        }
    }
    common::report("filter_parse_cases.jsonl", total, &failures);
}
