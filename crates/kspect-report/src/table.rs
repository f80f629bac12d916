//! The table format: what a person reads in a terminal or a CI log.
//!
//! Findings are grouped by object (one header per object and file), each with its
//! severity, rule, title, message, `file:line:col`, the offending source line under a
//! caret, and the fix; then the input problems, then the counts. Without colour the
//! output is plain text with no escape sequence at all.

use std::collections::HashMap;
use std::io::{self, Write};

use anstyle::{AnsiColor, Style};
use kspect_core::load::{Diagnostic, DiagnosticLevel};
use kspect_core::{Finding, ObjectRef, Severity};

use crate::source::{SourceCache, sanitize, snippet};
use crate::summary::sorted;
use crate::{RenderOptions, Report};

/// Indentation of everything under a finding's first line.
const BODY: &str = "           ";

/// The styles in use; all plain when colour is off, so that `{style}` prints nothing.
struct Palette {
    on: bool,
}

impl Palette {
    fn style(&self, style: Style) -> Style {
        if self.on { style } else { Style::new() }
    }

    fn severity(&self, s: Severity) -> Style {
        let color = |c: AnsiColor| Style::new().fg_color(Some(c.into()));
        self.style(match s {
            Severity::Critical => color(AnsiColor::BrightRed).bold(),
            Severity::High => color(AnsiColor::Red).bold(),
            Severity::Medium => color(AnsiColor::Yellow),
            Severity::Low => color(AnsiColor::Blue),
            Severity::Info => Style::new().dimmed(),
        })
    }

    fn bold(&self) -> Style {
        self.style(Style::new().bold())
    }

    fn dim(&self) -> Style {
        self.style(Style::new().dimmed())
    }

    fn accent(&self) -> Style {
        self.style(Style::new().fg_color(Some(AnsiColor::Cyan.into())))
    }

    fn error(&self) -> Style {
        self.style(Style::new().fg_color(Some(AnsiColor::Red.into())).bold())
    }

    fn warning(&self) -> Style {
        self.style(Style::new().fg_color(Some(AnsiColor::Yellow.into())).bold())
    }

    fn ok(&self) -> Style {
        self.style(Style::new().fg_color(Some(AnsiColor::Green.into())).bold())
    }
}

/// What findings are grouped under: an object in a file, or a file, or nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct GroupKey<'a> {
    object: Option<&'a ObjectRef>,
    file: Option<&'a str>,
    document: Option<u32>,
}

impl<'a> GroupKey<'a> {
    fn of(f: &'a Finding) -> GroupKey<'a> {
        GroupKey {
            object: f.object.as_ref(),
            file: f.location.as_ref().map(|l| &*l.file),
            document: f.location.as_ref().map(|l| l.document),
        }
    }
}

pub(crate) fn render(report: &Report, opts: &RenderOptions, out: &mut dyn Write) -> io::Result<()> {
    let p = Palette { on: opts.color };
    let mut sources = SourceCache::default();

    // Groups in the order of their first finding (findings are sorted by place).
    let mut groups: Vec<(GroupKey, Vec<&Finding>)> = Vec::new();
    let mut index: HashMap<GroupKey, usize> = HashMap::new();
    for f in sorted(report.findings) {
        let key = GroupKey::of(f);
        let i = *index.entry(key).or_insert_with(|| {
            groups.push((key, Vec::new()));
            groups.len() - 1
        });
        groups[i].1.push(f);
    }

    for (key, findings) in &groups {
        write_header(out, &p, key)?;
        for f in findings {
            write_finding(out, &p, f, &mut sources)?;
        }
        writeln!(out)?;
    }

    if !report.diagnostics.is_empty() {
        writeln!(out, "{}Input problems{}", p.bold(), p.bold().render_reset())?;
        for d in report.diagnostics {
            write_diagnostic(out, &p, d)?;
        }
        writeln!(out)?;
    }

    write_summary(out, &p, report)
}

fn write_header(out: &mut dyn Write, p: &Palette, key: &GroupKey) -> io::Result<()> {
    let b = p.bold();
    match key.object {
        Some(o) => write!(out, "{b}{}{b:#}", sanitize(&o.to_string()))?,
        None => write!(out, "{b}(not about one object){b:#}")?,
    }
    if let Some(file) = key.file {
        let d = p.dim();
        write!(out, "  {d}{}", sanitize(file))?;
        if let Some(doc) = key.document.filter(|&n| n > 1) {
            write!(out, ", document {doc}")?;
        }
        write!(out, "{d:#}")?;
    }
    writeln!(out)
}

fn write_finding(
    out: &mut dyn Write,
    p: &Palette,
    f: &Finding,
    sources: &mut SourceCache,
) -> io::Result<()> {
    let title = sanitize(&f.title);
    if let Some(s) = &f.suppressed {
        // Suppressed findings stay visible, on one line, so a reviewer sees what was waived.
        let d = p.dim();
        let place = f
            .location
            .as_ref()
            .map(|l| format!(" at {}:{}", l.line, l.column))
            .unwrap_or_default();
        return writeln!(
            out,
            "  {d}{:<8} {} {}{place} (suppressed by {}: {}){d:#}",
            f.severity.as_str(),
            sanitize(&f.rule),
            title,
            s.kind,
            sanitize(&s.reason),
        );
    }

    let sev = p.severity(f.severity);
    let b = p.bold();
    writeln!(
        out,
        "  {sev}{:<8}{sev:#} {b}{}{b:#} {title}",
        f.severity.as_str(),
        sanitize(&f.rule),
    )?;
    write_indented(out, BODY, &sanitize(&f.message))?;
    if let Some(loc) = &f.location {
        let a = p.accent();
        writeln!(out, "{BODY}{a}-->{a:#} {}", sanitize(&loc.to_string()))?;
        if let Some(line) = sources.line(&loc.file, loc.line) {
            let s = snippet(line, loc.column);
            let num = loc.line.to_string();
            let gutter = " ".repeat(num.len());
            writeln!(out, "{BODY}{gutter} {a}|{a:#}")?;
            writeln!(out, "{BODY}{a}{num} |{a:#} {}", s.line)?;
            let sev = p.severity(f.severity);
            writeln!(out, "{BODY}{gutter} {a}|{a:#} {}{sev}^{sev:#}", s.caret_pad)?;
        }
    }
    if let Some(e) = &f.evidence {
        write_indented(out, BODY, &format!("evidence: {}", sanitize(e)))?;
    }
    if !f.remediation.is_empty() {
        write_indented(out, BODY, &format!("fix: {}", sanitize(&f.remediation)))?;
    }
    Ok(())
}

/// Writes `text` with every line indented by `indent`.
fn write_indented(out: &mut dyn Write, indent: &str, text: &str) -> io::Result<()> {
    for line in text.lines() {
        writeln!(out, "{indent}{line}")?;
    }
    Ok(())
}

fn write_diagnostic(out: &mut dyn Write, p: &Palette, d: &Diagnostic) -> io::Result<()> {
    let (style, level) = match d.level {
        DiagnosticLevel::Error => (p.error(), "error"),
        DiagnosticLevel::Warning => (p.warning(), "warning"),
    };
    write!(out, "  {}", sanitize(&d.file))?;
    if let Some(line) = d.line {
        write!(out, ":{line}")?;
        if let Some(col) = d.column {
            write!(out, ":{col}")?;
        }
    }
    write!(out, ": {style}{level}{style:#}: ")?;
    let message = sanitize(&d.message).replace('\n', " ");
    write!(out, "{message}")?;
    if let Some(doc) = d.document {
        write!(out, " (document {doc})")?;
    }
    writeln!(out)
}

fn write_summary(out: &mut dyn Write, p: &Palette, report: &Report) -> io::Result<()> {
    let s = report.summary();
    if s.active == 0 {
        writeln!(out, "No findings.")?;
    }
    let counts: Vec<String> = Severity::ALL
        .iter()
        .map(|&sev| {
            let n = s.count(sev);
            if n == 0 {
                format!("{n} {sev}")
            } else {
                let st = p.severity(sev);
                format!("{st}{n} {sev}{st:#}")
            }
        })
        .collect();
    writeln!(
        out,
        "Findings: {} ({}), {} suppressed",
        s.active,
        counts.join(", "),
        s.suppressed
    )?;
    write!(
        out,
        "Scanned {} {} in {} {}",
        report.objects_scanned,
        plural(report.objects_scanned, "object", "objects"),
        report.files_scanned,
        plural(report.files_scanned, "file", "files"),
    )?;
    if s.errors + s.warnings > 0 {
        write!(
            out,
            "; {} input {}, {} {}",
            s.errors,
            plural(s.errors, "error", "errors"),
            s.warnings,
            plural(s.warnings, "warning", "warnings")
        )?;
    }
    writeln!(out)?;
    if let Some(threshold) = report.fail_on {
        let failing = report
            .findings
            .iter()
            .filter(|f| crate::fails(f, threshold))
            .count();
        if failing > 0 {
            let e = p.error();
            writeln!(
                out,
                "{e}FAIL{e:#}: {failing} {} at or above {threshold}",
                plural(failing, "finding", "findings")
            )?;
        } else {
            let ok = p.ok();
            writeln!(out, "{ok}PASS{ok:#}: no finding at or above {threshold}")?;
        }
    }
    Ok(())
}

fn plural(n: usize, one: &'static str, many: &'static str) -> &'static str {
    if n == 1 { one } else { many }
}
