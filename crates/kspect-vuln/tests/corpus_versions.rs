//! Runs every vector in `shared/corpus/vuln/versions/` (and `osv-scalibr/`)
//! against this crate. Each file prints "N of M passed"; any disagreement
//! fails the test and lists the first ones.

use std::cmp::Ordering;
use std::path::PathBuf;

use kspect_vuln::Scheme;
use kspect_vuln::version::{apk, dpkg, golang, maven, npm, pep440, rubygems};
use serde_json::Value;

fn corpus_dir() -> Option<PathBuf> {
    let dir =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/vuln/versions");
    if dir.is_dir() {
        return Some(dir);
    }
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!("corpus not found at {}", dir.display());
    }
    println!("skipping: corpus not found at {}", dir.display());
    None
}

/// Run `check` on every line of `file`; print and assert the tally.
fn run(file: &str, check: impl Fn(&Value) -> Result<(), String>) {
    let Some(dir) = corpus_dir() else { return };
    let path = dir.join(file);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let (mut total, mut failures) = (0usize, Vec::new());
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        total += 1;
        let v: Value = serde_json::from_str(line)
            .unwrap_or_else(|e| panic!("{file}:{}: bad JSON: {e}", n + 1));
        if let Err(why) = check(&v) {
            failures.push(format!("{file}:{}: {why} -- {line}", n + 1));
        }
    }
    println!("{file}: {} of {total} passed", total - failures.len());
    assert!(total > 0, "{file} has no vectors");
    assert!(
        failures.is_empty(),
        "{file}: {} of {total} disagree; first ones:\n{}",
        failures.len(),
        failures
            .iter()
            .take(15)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}

fn s<'a>(v: &'a Value, k: &str) -> &'a str {
    v.get(k).and_then(Value::as_str).unwrap_or_default()
}

fn expected_cmp(v: &Value) -> Result<Ordering, String> {
    match v.get("cmp").and_then(Value::as_i64) {
        Some(-1) => Ok(Ordering::Less),
        Some(0) => Ok(Ordering::Equal),
        Some(1) => Ok(Ordering::Greater),
        other => Err(format!("bad cmp {other:?}")),
    }
}

fn check_order(
    v: &Value,
    f: impl Fn(&str, &str) -> Result<Ordering, String>,
) -> Result<(), String> {
    let want = expected_cmp(v)?;
    let got = f(s(v, "a"), s(v, "b"))?;
    if got == want {
        Ok(())
    } else {
        Err(format!("got {got:?}, want {want:?}"))
    }
}

fn scheme_file(file: &str, scheme: Scheme) {
    run(file, |v| {
        check_order(v, |a, b| scheme.compare(a, b).map_err(|e| e.to_string()))
    });
}

macro_rules! scheme_tests {
    ($($name:ident: $file:expr => $scheme:expr;)*) => {
        $( #[test] fn $name() { scheme_file($file, $scheme); } )*
    };
}

scheme_tests! {
    dpkg_order: "dpkg.jsonl" => Scheme::Dpkg;
    rpm_order: "rpm.jsonl" => Scheme::RpmVercmp;
    rpm_oddities: "rpm.oddities.jsonl" => Scheme::RpmVercmp;
    rust_semver_crate: "semver-rust-crate.jsonl" => Scheme::CargoSemver;
    maven_order: "maven.jsonl" => Scheme::Maven;
    scalibr_alpine: "osv-scalibr/alpine-versions.jsonl" => Scheme::OsvAlpine;
    scalibr_alpine_generated: "osv-scalibr/alpine-versions-generated.jsonl" => Scheme::OsvAlpine;
    scalibr_cran: "osv-scalibr/cran-versions.jsonl" => Scheme::Cran;
    scalibr_cran_generated: "osv-scalibr/cran-versions-generated.jsonl" => Scheme::Cran;
    scalibr_debian: "osv-scalibr/debian-versions.jsonl" => Scheme::Dpkg;
    scalibr_debian_generated: "osv-scalibr/debian-versions-generated.jsonl" => Scheme::Dpkg;
    scalibr_hackage: "osv-scalibr/hackage-versions.jsonl" => Scheme::Hackage;
    scalibr_maven: "osv-scalibr/maven-versions.jsonl" => Scheme::MavenSpec;
    scalibr_maven_generated: "osv-scalibr/maven-versions-generated.jsonl" => Scheme::MavenSpec;
    scalibr_nuget: "osv-scalibr/nuget-versions.jsonl" => Scheme::NuGet;
    scalibr_packagist: "osv-scalibr/packagist-versions.jsonl" => Scheme::Packagist;
    scalibr_packagist_generated: "osv-scalibr/packagist-versions-generated.jsonl" => Scheme::Packagist;
    scalibr_pub: "osv-scalibr/pub-versions.jsonl" => Scheme::Pub;
    scalibr_pypi: "osv-scalibr/pypi-versions.jsonl" => Scheme::Pep440;
    scalibr_pypi_generated: "osv-scalibr/pypi-versions-generated.jsonl" => Scheme::Pep440;
    scalibr_redhat: "osv-scalibr/redhat-versions.jsonl" => Scheme::Rpm;
    scalibr_rubygems: "osv-scalibr/rubygems-versions.jsonl" => Scheme::RubyGems;
    scalibr_rubygems_generated: "osv-scalibr/rubygems-versions-generated.jsonl" => Scheme::RubyGems;
    scalibr_semver: "osv-scalibr/semver-versions.jsonl" => Scheme::OsvSemver;
}

#[test]
fn apk_order() {
    // Every line is apk-tools 3.x test data; lines also present on the
    // 2.14-stable branch must hold for apk-tools 2.14 as well.
    run("apk.jsonl", |v| {
        check_order(v, |a, b| {
            let v3 = Scheme::Apk.compare(a, b).map_err(|e| e.to_string())?;
            if s(v, "apk_tools_2_14") == "present" {
                let v2 = Scheme::ApkV2.compare(a, b).map_err(|e| e.to_string())?;
                if v2 != v3 {
                    return Err(format!("apk-tools 2.14 says {v2:?}, 3.x says {v3:?}"));
                }
            }
            Ok(v3)
        })
    });
}

#[test]
fn apk_v2_on_generated_alpine_data() {
    // The generated scalibr chain was produced by running apk-tools 2.x.
    scheme_file("osv-scalibr/alpine-versions-generated.jsonl", Scheme::ApkV2);
}

#[test]
fn rubygems_order() {
    // Gem::Version itself: strict parsing.
    run("rubygems.jsonl", |v| {
        check_order(v, |a, b| rubygems::compare(a, b).map_err(|e| e.to_string()))
    });
}

#[test]
fn pep440_order() {
    // packaging's Version: strict PEP 440, no legacy fallback.
    run("pep440.jsonl", |v| {
        check_order(v, |a, b| pep440::compare(a, b).map_err(|e| e.to_string()))
    });
}

#[test]
fn go_order() {
    // x/mod compares the strings as given (the `v` is required).
    run("go.jsonl", |v| {
        check_order(v, |a, b| Ok(golang::compare(a, b)))
    });
}

#[test]
fn npm_order() {
    run("semver-npm.jsonl", |v| {
        let loose = v.get("loose").and_then(Value::as_bool).unwrap_or(false);
        check_order(v, |a, b| {
            npm::compare(a, b, loose).map_err(|e| e.to_string())
        })
    });
}

fn truthy(v: Option<&Value>) -> bool {
    match v {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(Value::Number(n)) => n.as_f64().is_some_and(|f| f != 0.0),
        Some(Value::String(s)) => !s.is_empty(),
        Some(_) => true,
    }
}

#[test]
fn npm_ranges() {
    run("semver-npm.ranges.jsonl", |v| {
        let opts = v.get("options");
        let o = npm::RangeOptions {
            loose: truthy(opts.and_then(|o| o.get("loose"))),
            include_prerelease: truthy(opts.and_then(|o| o.get("includePrerelease"))),
        };
        let want = v
            .get("satisfies")
            .and_then(Value::as_bool)
            .ok_or("no satisfies")?;
        // node-semver returns false for a version that is not a string.
        let got = match v.get("version") {
            Some(Value::String(ver)) => npm::satisfies(ver, s(v, "range"), o),
            _ => false,
        };
        if got == want {
            Ok(())
        } else {
            Err(format!("got {got}"))
        }
    });
}

#[test]
fn npm_parse() {
    run("semver-npm.parse.jsonl", |v| {
        let p = npm::parse(s(v, "version"), false).map_err(|e| e.to_string())?;
        let num = |k: &str| v.get(k).and_then(Value::as_u64);
        if (Some(p.major), Some(p.minor), Some(p.patch))
            != (num("major"), num("minor"), num("patch"))
        {
            return Err(format!("numbers {}.{}.{}", p.major, p.minor, p.patch));
        }
        let pre: Vec<Value> = p
            .prerelease
            .iter()
            .map(|i| match i {
                npm::Identifier::Numeric(n) => n.parse::<u64>().map_or(Value::Null, Value::from),
                npm::Identifier::AlphaNumeric(t) => Value::from(t.as_str()),
            })
            .collect();
        let build: Vec<Value> = p.build.iter().map(|b| Value::from(b.as_str())).collect();
        if Some(&Value::Array(pre.clone())) != v.get("prerelease") {
            return Err(format!("prerelease {pre:?}"));
        }
        if Some(&Value::Array(build.clone())) != v.get("build") {
            return Err(format!("build {build:?}"));
        }
        Ok(())
    });
}

#[test]
fn dpkg_parse() {
    run("dpkg.parse.jsonl", |v| {
        let input = s(v, "version");
        let want_valid = v.get("valid").and_then(Value::as_bool).ok_or("no valid")?;
        // Lines from go-deb-version (Trivy's library) assert its rules, which
        // accept `_`; dpkg's own lines assert dpkg's.
        let flavor = if s(v, "src").starts_with("go-deb-version") {
            dpkg::Flavor::GoDebVersion
        } else {
            dpkg::Flavor::Dpkg
        };
        let (parsed, problem) = dpkg::parse_detailed_with(input, flavor);
        let valid = parsed.is_some() && problem.is_none();
        if valid != want_valid {
            return Err(format!("valid={valid} ({problem:?})"));
        }
        if let Some(sev) = v.get("severity").and_then(Value::as_str) {
            let got = problem.map(|p| p.severity);
            let want = if sev == "error" {
                dpkg::Severity::Error
            } else {
                dpkg::Severity::Warning
            };
            if got != Some(want) {
                return Err(format!("severity {got:?}"));
            }
        }
        if let (Some(p), Some(epoch)) = (parsed, v.get("epoch").and_then(Value::as_u64)) {
            if (u64::from(p.epoch), p.upstream.as_str(), p.revision.as_str())
                != (epoch, s(v, "upstream"), s(v, "revision"))
            {
                return Err(format!("parts {p:?}"));
            }
        }
        Ok(())
    });
}

#[test]
fn apk_extra() {
    run("apk.extra.jsonl", |v| match s(v, "kind") {
        "match" => {
            // A leading `!` in upstream's data marks an assertion that the
            // comparison is false; `expect` is the comparison's own result.
            let op = s(v, "op").trim_start_matches('!');
            let want = v
                .get("expect")
                .and_then(Value::as_bool)
                .ok_or("no expect")?;
            let got = apk::matches(s(v, "a"), op, s(v, "b")).map_err(|e| e.to_string())?;
            if got == want {
                Ok(())
            } else {
                Err(format!("got {got}"))
            }
        }
        "validity" => {
            let want = v.get("valid").and_then(Value::as_bool).ok_or("no valid")?;
            let got = apk::is_valid(s(v, "version"));
            if got == want {
                Ok(())
            } else {
                Err(format!("valid={got}"))
            }
        }
        other => Err(format!("unknown kind {other}")),
    });
}

#[test]
fn go_parse() {
    run("go.parse.jsonl", |v| {
        if let Some(pv) = v.get("pseudo_version").and_then(Value::as_str) {
            let ts: String = s(v, "time").chars().filter(char::is_ascii_digit).collect();
            let got = golang::pseudo_version(s(v, "major"), s(v, "older"), &ts, s(v, "rev"));
            if got != pv {
                return Err(format!("built {got}"));
            }
            let is_pseudo = golang::pseudo_version_parts(pv).is_some();
            if Some(is_pseudo) != v.get("is_pseudo").and_then(Value::as_bool) {
                return Err(format!("is_pseudo={is_pseudo}"));
            }
            return Ok(());
        }
        let input = s(v, "version");
        let valid = golang::is_valid(input);
        if Some(valid) != v.get("valid").and_then(Value::as_bool) {
            return Err(format!("valid={valid}"));
        }
        let canonical = golang::canonical(input);
        if canonical != s(v, "canonical") {
            return Err(format!("canonical={canonical}"));
        }
        Ok(())
    });
}

#[test]
fn maven_parse() {
    run("maven.parse.jsonl", |v| {
        let got = maven::parse(s(v, "version")).canonical();
        if got == s(v, "canonical") {
            Ok(())
        } else {
            Err(format!("canonical={got}"))
        }
    });
}

#[test]
fn rubygems_parse() {
    run("rubygems.parse.jsonl", |v| {
        let p = |k: &str| rubygems::parse(s(v, k)).map_err(|e| e.to_string());
        if let Some(eql) = v.get("eql").and_then(Value::as_bool) {
            let got = p("a")?.eql(&p("b")?);
            return if got == eql {
                Ok(())
            } else {
                Err(format!("eql={got}"))
            };
        }
        if let Some(want) = v.get("prerelease").and_then(Value::as_bool) {
            let got = p("version")?.is_prerelease();
            return if got == want {
                Ok(())
            } else {
                Err(format!("prerelease={got}"))
            };
        }
        if let Some(want) = v.get("release").and_then(Value::as_str) {
            let got = p("version")?.release();
            return if got == want {
                Ok(())
            } else {
                Err(format!("release={got}"))
            };
        }
        if let Some(want) = v.get("canonical_segments").and_then(Value::as_array) {
            let got: Vec<Value> = p("version")?
                .canonical_segments()
                .into_iter()
                .map(|seg| match seg {
                    rubygems::Segment::Number(n) => {
                        n.parse::<u64>().map_or(Value::Null, Value::from)
                    }
                    rubygems::Segment::Text(t) => Value::from(t),
                })
                .collect();
            return if &got == want {
                Ok(())
            } else {
                Err(format!("segments={got:?}"))
            };
        }
        let want = v.get("valid").and_then(Value::as_bool).ok_or("no check")?;
        let parsed = p("version");
        if parsed.is_ok() != want {
            return Err(format!("valid={}", parsed.is_ok()));
        }
        if let (Ok(got), Some(eq)) = (parsed, v.get("equals").and_then(Value::as_str)) {
            let other = rubygems::parse(eq).map_err(|e| e.to_string())?;
            if got.cmp(&other) != Ordering::Equal {
                return Err(format!("not equal to {eq}"));
            }
        }
        Ok(())
    });
}

#[test]
fn pep440_parse() {
    run("pep440.parse.jsonl", |v| {
        let input = s(v, "version");
        let parsed = pep440::parse(input);
        if let Some(want) = v.get("valid").and_then(Value::as_bool) {
            if parsed.is_ok() != want {
                return Err(format!("valid={}", parsed.is_ok()));
            }
            if let (Ok(p), Some(n)) = (&parsed, v.get("normalized").and_then(Value::as_str)) {
                if p.to_string() != n {
                    return Err(format!("normalized={p}"));
                }
            }
            return Ok(());
        }
        let p = parsed.map_err(|e| e.to_string())?;
        let opt_num = |o: &Option<String>| {
            o.as_ref().map_or(Value::Null, |n| {
                Value::from(n.parse::<u64>().unwrap_or(u64::MAX))
            })
        };
        let checks: [(&str, Value); 13] = [
            ("str", Value::from(p.to_string())),
            ("public", Value::from(p.public())),
            ("base_version", Value::from(p.base_version())),
            (
                "epoch",
                Value::from(p.epoch.parse::<u64>().unwrap_or(u64::MAX)),
            ),
            (
                "release",
                Value::Array(
                    p.release
                        .iter()
                        .map(|r| Value::from(r.parse::<u64>().unwrap_or(u64::MAX)))
                        .collect(),
                ),
            ),
            ("local", p.local_str().map_or(Value::Null, Value::from)),
            (
                "pre",
                p.pre.as_ref().map_or(Value::Null, |(k, n)| {
                    Value::Array(vec![
                        Value::from(k.as_str()),
                        Value::from(n.parse::<u64>().unwrap_or(u64::MAX)),
                    ])
                }),
            ),
            ("dev", opt_num(&p.dev)),
            ("post", opt_num(&p.post)),
            ("is_prerelease", Value::from(p.is_prerelease())),
            ("is_devrelease", Value::from(p.is_devrelease())),
            ("is_postrelease", Value::from(p.is_postrelease())),
            ("version", Value::from(input)),
        ];
        let mut checked = 0;
        for (k, got) in checks {
            if k == "version" {
                continue;
            }
            if let Some(want) = v.get(k) {
                checked += 1;
                if &got != want {
                    return Err(format!("{k}={got}"));
                }
            }
        }
        if checked == 0 {
            Err("no known property".into())
        } else {
            Ok(())
        }
    });
}
