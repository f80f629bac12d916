//! Command lines: splitting text into words and reading flags the way Kubernetes
//! components (spf13/pflag) read them.
//!
//! kube-bench searches flags as substrings of `ps -ef` output; kspect parses the argument
//! vector instead, so that `--client-ca-file` is never found inside
//! `--requestheader-client-ca-file`, `--flag value` (a space instead of `=`) is read as
//! the component reads it, and a repeated flag takes its last value as pflag does.

use serde::Serialize;

/// Where a piece of configuration was read from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Origin {
    /// The node path (or `/proc/PID/cmdline`, `docker inspect` ...).
    pub file: String,
    /// 1-based line, when known (`null` otherwise: a whole file, `/proc/PID/cmdline`).
    pub line: Option<u32>,
}

impl Origin {
    /// An origin without a line.
    pub fn file(file: impl Into<String>) -> Origin {
        Origin {
            file: file.into(),
            line: None,
        }
    }

    /// An origin with a line.
    pub fn at(file: impl Into<String>, line: u32) -> Origin {
        Origin {
            file: file.into(),
            line: Some(line),
        }
    }
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(l) => write!(f, "{}:{l}", self.file),
            None => f.write_str(&self.file),
        }
    }
}

/// One word of a command line and where it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    /// The word.
    pub text: String,
    /// Where it came from.
    pub origin: Origin,
}

/// Splits text into words like a POSIX shell without expansions: whitespace separates,
/// single quotes keep everything, double quotes keep everything but `\"` and `\\`, and a
/// backslash outside quotes escapes the next character.
pub fn split_words(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                in_word = true;
                for d in chars.by_ref() {
                    if d == '\'' {
                        break;
                    }
                    cur.push(d);
                }
            }
            '"' => {
                in_word = true;
                while let Some(d) = chars.next() {
                    match d {
                        '"' => break,
                        '\\' if matches!(chars.peek(), Some('"' | '\\' | '$' | '`')) => {
                            if let Some(e) = chars.next() {
                                cur.push(e);
                            }
                        }
                        _ => cur.push(d),
                    }
                }
            }
            '\\' => {
                in_word = true;
                match chars.next() {
                    // A backslash-newline joins lines.
                    Some('\n') => {}
                    Some(e) => cur.push(e),
                    None => {}
                }
            }
            c if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            c => {
                in_word = true;
                cur.push(c);
            }
        }
    }
    if in_word {
        words.push(cur);
    }
    words
}

/// Boolean flags of the components the benchmarks audit. pflag gives a boolean flag a
/// value only with `=`; `--profiling false` sets `true` and leaves `false` as an
/// argument. Every other flag also takes the next word as its value.
const BOOL_FLAGS: &[&str] = &[
    "anonymous-auth",
    "profiling",
    "service-account-lookup",
    "use-service-account-credentials",
    "client-cert-auth",
    "auto-tls",
    "peer-client-cert-auth",
    "peer-auto-tls",
    "make-iptables-util-chains",
    "rotate-certificates",
    "rotate-server-certificates",
    "seccomp-default",
    "service-account-extend-token-expiration",
    "allow-privileged",
    "enable-bootstrap-token-auth",
    "protect-kernel-defaults",
    "enable-server",
    "experimental-initial-corrupt-check",
    "icc",
    "iptables",
    "userland-proxy",
    "live-restore",
    "no-new-privileges",
    "tls",
    "tlsverify",
    "debug",
    "selinux-enabled",
    "experimental",
    "ip-forward",
    "ip-masq",
];

/// One flag as written: `--name=value`, `--name value` or a bare `--name`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flag {
    /// The name without leading dashes.
    pub name: String,
    /// The value; `None` for a bare flag.
    pub value: Option<String>,
    /// Where the flag was written.
    pub origin: Origin,
}

/// A parsed command line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CommandLine {
    /// The words, program first.
    pub words: Vec<Word>,
    /// The flags in order.
    pub flags: Vec<Flag>,
}

impl CommandLine {
    /// Parses words (program first).
    pub fn parse(words: Vec<Word>) -> CommandLine {
        let mut flags = Vec::new();
        let mut i = 1;
        while i < words.len() {
            let w = &words[i].text;
            if w == "--" {
                break;
            }
            if let Some(body) = w.strip_prefix("--").or_else(|| {
                // Single-dash long flags (`-v=2`) appear on some command lines; pflag
                // reads one-letter shorthands only, so only `-x=..`/`-x` forms matter.
                w.strip_prefix('-').filter(|b| !b.is_empty())
            }) {
                let (name, value) = match body.split_once('=') {
                    Some((n, v)) => (n.to_string(), Some(v.to_string())),
                    None => {
                        let takes_value = !BOOL_FLAGS.contains(&body)
                            && words.get(i + 1).is_some_and(|n| !n.text.starts_with('-'));
                        if takes_value {
                            i += 1;
                            (body.to_string(), Some(words[i].text.clone()))
                        } else {
                            (body.to_string(), None)
                        }
                    }
                };
                flags.push(Flag {
                    name,
                    value,
                    origin: words[i].origin.clone(),
                });
            }
            i += 1;
        }
        CommandLine { words, flags }
    }

    /// Parses plain strings that all come from one place.
    pub fn from_strings<S: AsRef<str>>(args: &[S], origin: &Origin) -> CommandLine {
        CommandLine::parse(
            args.iter()
                .map(|a| Word {
                    text: a.as_ref().to_string(),
                    origin: origin.clone(),
                })
                .collect(),
        )
    }

    /// The program (first word), if any.
    pub fn program(&self) -> Option<&str> {
        self.words.first().map(|w| w.text.as_str())
    }

    /// Every occurrence of a flag (name given with or without dashes).
    pub fn all(&self, name: &str) -> Vec<&Flag> {
        let name = name.trim_start_matches('-');
        self.flags.iter().filter(|f| f.name == name).collect()
    }

    /// The effective occurrence of a flag: the last one, as pflag applies them in order.
    pub fn get(&self, name: &str) -> Option<&Flag> {
        self.all(name).into_iter().next_back()
    }

    /// The command line as one line of text, like `ps` shows it.
    pub fn text(&self) -> String {
        self.words
            .iter()
            .map(|w| w.text.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// The effective value of a boolean flag as pflag reads it: bare means true.
pub fn flag_bool_text(flag: &Flag) -> &str {
    flag.value.as_deref().unwrap_or("true")
}

/// Go's `strconv.ParseBool`.
pub fn parse_go_bool(s: &str) -> Option<bool> {
    match s {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Some(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Some(false),
        _ => None,
    }
}

/// Parses a Go duration (`0`, `5m`, `4h0m0s`, `1.5h`, `300ms`) to seconds.
pub fn parse_go_duration(s: &str) -> Option<f64> {
    let s = s.trim();
    let (neg, mut rest) = match s.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    if rest == "0" {
        return Some(0.0);
    }
    if rest.is_empty() {
        return None;
    }
    let mut total = 0.0;
    while !rest.is_empty() {
        let num_end = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        if num_end == 0 {
            return None;
        }
        let n: f64 = rest[..num_end].parse().ok()?;
        rest = &rest[num_end..];
        let unit_end = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let unit = match &rest[..unit_end] {
            "ns" => 1e-9,
            "us" | "µs" | "μs" => 1e-6,
            "ms" => 1e-3,
            "s" => 1.0,
            "m" => 60.0,
            "h" => 3600.0,
            _ => return None,
        };
        total += n * unit;
        rest = &rest[unit_end..];
    }
    Some(if neg { -total } else { total })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn cl(s: &str) -> CommandLine {
        CommandLine::from_strings(&split_words(s), &Origin::file("t"))
    }

    #[test]
    fn words_follow_shell_quoting() {
        assert_eq!(
            split_words(r#"a "b c" 'd e' f\ g "h\"i" ''"#),
            vec!["a", "b c", "d e", "f g", "h\"i", ""]
        );
    }

    #[test]
    fn flags_read_as_pflag_does() {
        let c = cl(
            "kube-apiserver --profiling false --audit-log-path /var/log/a --anonymous-auth=false --x=1 --x=2 -v=2",
        );
        assert_eq!(c.get("profiling").unwrap().value, None);
        assert_eq!(
            c.get("--audit-log-path").unwrap().value.as_deref(),
            Some("/var/log/a")
        );
        assert_eq!(
            c.get("anonymous-auth").unwrap().value.as_deref(),
            Some("false")
        );
        assert_eq!(c.get("x").unwrap().value.as_deref(), Some("2"));
        assert_eq!(c.all("x").len(), 2);
        assert_eq!(c.get("v").unwrap().value.as_deref(), Some("2"));
        assert!(c.get("client-ca-file").is_none());
        assert!(
            cl("kube-apiserver --requestheader-client-ca-file=/x")
                .get("client-ca-file")
                .is_none()
        );
    }

    #[test]
    fn go_durations() {
        assert_eq!(parse_go_duration("0"), Some(0.0));
        assert_eq!(parse_go_duration("0s"), Some(0.0));
        assert_eq!(parse_go_duration("4h0m0s"), Some(14400.0));
        assert_eq!(parse_go_duration("1.5m"), Some(90.0));
        assert_eq!(parse_go_duration("5"), None);
        assert_eq!(parse_go_duration("5x"), None);
    }

    proptest! {
        #[test]
        fn simple_words_round_trip(ws in proptest::collection::vec("[a-zA-Z0-9=/._-]{1,12}", 0..8)) {
            prop_assert_eq!(split_words(&ws.join("  ")), ws);
        }

        #[test]
        fn quoted_words_round_trip(ws in proptest::collection::vec("[ a-zA-Z0-9=/._$-]{0,12}", 0..6)) {
            let text: Vec<String> = ws.iter().map(|w| format!("'{w}'")).collect();
            prop_assert_eq!(split_words(&text.join(" ")), ws);
        }

        #[test]
        fn splitting_never_panics(s in "\\PC{0,64}") {
            let _ = split_words(&s);
            let _ = parse_go_duration(&s);
        }
    }
}
