//! `kspect netpol`: the real binary on corpus scenarios, compared with the reference
//! analyzer's expected outputs (newlines ignored, as the reference's own tests do).

mod common;

use std::path::{Path, PathBuf};

use common::{run, write};

/// The netpol corpus, or `None` (with a visible message) when it is absent.
fn corpus() -> Option<PathBuf> {
    let dir = kspect_core::corpus::corpus_dir("netpol");
    if dir.is_none() {
        println!("skipping: corpus not found at ../shared/corpus/netpol");
    }
    dir
}

fn strip(s: &str) -> String {
    s.chars().filter(|c| *c != '\n' && *c != '\r').collect()
}

fn expected(dir: &Path, rel: &str) -> String {
    std::fs::read_to_string(dir.join(rel)).expect("expected file readable")
}

fn path(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

#[test]
fn list_txt_matches_the_reference() {
    let Some(c) = corpus() else { return };
    let s = c.join("onlineboutique");
    let input = s.join("input");
    let r = run(&["netpol", "list", path(&input)], &s);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        strip(&r.stdout),
        strip(&expected(
            &s,
            "expected/connlist/onlineboutique_connlist_output.txt"
        ))
    );
    // The stray non-manifest file in that folder is a warning, not a failure.
    assert!(r.stderr.contains("warning"), "{}", r.stderr);
}

#[test]
fn list_json_and_csv_with_exposure_match_the_reference() {
    let Some(c) = corpus() else { return };
    let s = c.join("acs-security-demos");
    let input = s.join("input");
    for (format, file) in [
        (
            "json",
            "expected/connlist/acs-security-demos_exposure_output.json",
        ),
        (
            "csv",
            "expected/connlist/acs-security-demos_exposure_output.csv",
        ),
    ] {
        let r = run(
            &[
                "netpol",
                "list",
                path(&input),
                "--exposure",
                "--format",
                format,
                "-q",
            ],
            &s,
        );
        assert_eq!(r.code, 0, "{}", r.stderr);
        assert_eq!(
            strip(&r.stdout),
            strip(&expected(&s, file)),
            "format {format}"
        );
        assert!(r.stderr.is_empty(), "-q prints no warnings: {}", r.stderr);
    }
}

#[test]
fn list_focus_and_explain_match_the_reference() {
    let Some(c) = corpus() else { return };
    let s = c.join("acs-security-demos");
    let input = s.join("input");
    let r = run(
        &[
            "netpol",
            "list",
            path(&input),
            "--explain",
            "--explain-only",
            "deny",
            "--focus-conn",
            "udp-5353",
        ],
        &s,
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        strip(&r.stdout),
        strip(&expected(
            &s,
            "expected/connlist/acs-security-demos_udp-5353_deny_explain_output.txt"
        ))
    );
}

#[test]
fn diff_matches_the_reference() {
    let Some(c) = corpus() else { return };
    let old = c.join("acs-security-demos/input");
    let new_dir = c.join("acs-security-demos-new");
    let new = new_dir.join("input");
    for (format, file) in [
        (
            "txt",
            "expected/diff/diff_between_acs-security-demos-new_and_acs-security-demos.txt",
        ),
        (
            "md",
            "expected/diff/diff_between_acs-security-demos-new_and_acs-security-demos.md",
        ),
    ] {
        let r = run(
            &[
                "netpol",
                "diff",
                path(&old),
                path(&new),
                "--format",
                format,
                "-q",
            ],
            &new_dir,
        );
        assert_eq!(r.code, 0, "{}", r.stderr);
        assert_eq!(
            strip(&r.stdout),
            strip(&expected(&new_dir, file)),
            "format {format}"
        );
    }
    // The same input on both sides: no difference, nothing printed.
    let r = run(&["netpol", "diff", path(&old), path(&old), "-q"], &new_dir);
    assert_eq!((r.code, r.stdout.as_str()), (0, ""));
}

#[test]
fn eval_decides_one_flow_with_its_rule_and_exit_code() {
    let Some(c) = corpus() else { return };
    let s = c.join("anp_demo");
    let input = s.join("input");
    // From the corpus: allowed (UDP 52 is passed by an ANP and allowed by a NetworkPolicy).
    let r = run(
        &[
            "netpol",
            "eval",
            path(&input),
            "--src",
            "gryffindor/harry-potter",
            "--dst",
            "ravenclaw/luna-lovegood",
            "--protocol",
            "UDP",
            "--port",
            "52",
            "-q",
        ],
        &s,
    );
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.starts_with("allowed "), "{}", r.stdout);
    assert!(
        r.stdout.contains("NetworkPolicy 'ravenclaw/allow-some-ingress-from-to-ravenclaw' allows connections by Ingress rule #2"),
        "{}",
        r.stdout
    );
    // From the corpus: denied.
    let s = c.join("onlineboutique");
    let r = run(
        &[
            "netpol",
            "eval",
            path(&s.join("input")),
            "--src",
            "default/adservice-77d5cd745d-t8mx4",
            "--dst",
            "default/emailservice-54c7c5d9d-vp27n",
            "--port",
            "80",
            "-q",
        ],
        &s,
    );
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.starts_with("denied "), "{}", r.stdout);
    assert!(r.stdout.contains("Denied TCP:[80]"), "{}", r.stdout);
}

#[test]
fn matrix_formats() {
    let Some(c) = corpus() else { return };
    let s = c.join("acs-security-demos");
    let input = s.join("input");
    let r = run(
        &["netpol", "matrix", path(&input), "--format", "csv", "-q"],
        &s,
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    // The reference list says frontend/webapp reaches backend/checkout on TCP 8080.
    let lines: Vec<&str> = r.stdout.lines().collect();
    let header = lines
        .iter()
        .find(|l| l.starts_with("workload"))
        .expect("workload table");
    let col = header
        .split(',')
        .position(|h| h == "backend/checkout[Deployment]")
        .expect("checkout column");
    let row = lines
        .iter()
        .find(|l| l.starts_with("frontend/webapp[Deployment],"))
        .expect("webapp row");
    assert_eq!(row.split(',').nth(col), Some("TCP 8080"));

    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("m.html");
    let r = run(
        &["netpol", "matrix", path(&input), "-o", path(&out), "-q"],
        &s,
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let html = std::fs::read_to_string(&out).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(
        html.contains("frontend/webapp[Deployment] &#8594; backend/checkout[Deployment]: TCP 8080")
    );
    assert!(
        !html.contains("<script src") && !html.contains("<link "),
        "self-contained"
    );

    let r = run(
        &["netpol", "matrix", path(&input), "--format", "dot", "-q"],
        &s,
    );
    assert!(r.stdout.starts_with("digraph {") && r.stdout.contains("\"frontend\" -> \"backend\""));
}

#[test]
fn fatal_input_problems_exit_2_naming_object_and_file() {
    let tmp = tempfile::tempdir().unwrap();
    let f = write(
        tmp.path(),
        "np.yaml",
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: bad, namespace: shop}\nspec:\n  podSelector: {}\n  ingress:\n  - from:\n    - ipBlock: {cidr: 10.0.0.0/33}\n",
    );
    write(
        tmp.path(),
        "pod.yaml",
        "apiVersion: v1\nkind: Pod\nmetadata: {name: web, namespace: shop}\nspec: {containers: [{name: c, image: i}]}\n",
    );
    let r = run(&["netpol", "list", path(tmp.path())], tmp.path());
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("NetworkPolicy shop/bad"), "{}", r.stderr);
    assert!(r.stderr.contains(path(&f)), "{}", r.stderr);
    assert!(r.stdout.is_empty());

    // A missing path and an unknown workload are errors too.
    let r = run(&["netpol", "list", "does-not-exist"], tmp.path());
    assert_eq!(r.code, 2);
    let r = run(
        &[
            "netpol",
            "eval",
            path(tmp.path()),
            "--src",
            "shop/nope",
            "--dst",
            "shop/web",
            "--port",
            "80",
        ],
        tmp.path(),
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
}
