//! File paths as SARIF artifact URIs.
//!
//! GitHub code scanning resolves a relative `uri` against the repository root, so a
//! finding's file is made relative to the base directory (normally that root) and
//! tagged with `uriBaseId` `%SRCROOT%`; a file outside it gets an absolute `file://`
//! URI. Every path segment is percent-encoded (RFC 3986), so spaces, `#`, `%` or a
//! `:` in a file name cannot turn the path into a different URI.

use std::path::{Component, Path, PathBuf};

/// The `uriBaseId` of paths relative to the base directory.
pub(crate) const SRCROOT: &str = "%SRCROOT%";

/// Where an artifact is, as SARIF says it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ArtifactUri {
    /// The URI (relative, or absolute `file://`).
    pub(crate) uri: String,
    /// `%SRCROOT%` when `uri` is relative.
    pub(crate) base_id: Option<&'static str>,
}

/// Turns file paths into URIs against one base directory.
#[derive(Debug, Clone)]
pub(crate) struct UriMaker {
    cwd: Option<PathBuf>,
    base: Option<PathBuf>,
}

impl UriMaker {
    /// `base`: the directory relative URIs start from; relative paths (of the base and
    /// of files) are taken from the current directory.
    pub(crate) fn new(base: Option<&Path>) -> UriMaker {
        let cwd = std::env::current_dir().ok();
        let base = base.map(|b| resolve(b, cwd.as_deref()));
        UriMaker { cwd, base }
    }

    /// The absolute `file://` URI of the base directory, ending in `/` as SARIF's
    /// `originalUriBaseIds` requires.
    pub(crate) fn base_uri(&self) -> Option<String> {
        let base = self.base.as_deref()?;
        if !base.is_absolute() {
            return None;
        }
        let mut uri = file_uri(base);
        if !uri.ends_with('/') {
            uri.push('/');
        }
        Some(uri)
    }

    /// The URI of `file`, or `None` for standard input, which has no URI.
    pub(crate) fn uri(&self, file: &str) -> Option<ArtifactUri> {
        if file == "-" || file == "<stdin>" || file.is_empty() {
            return None;
        }
        let path = Path::new(file);
        match &self.base {
            Some(base) => {
                let full = resolve(path, self.cwd.as_deref());
                match full.strip_prefix(base) {
                    Ok(rel) if rel.as_os_str().is_empty() => None,
                    Ok(rel) => Some(relative(rel)),
                    Err(_) if full.is_absolute() => Some(ArtifactUri {
                        uri: file_uri(&full),
                        base_id: None,
                    }),
                    Err(_) => Some(relative(&full)),
                }
            }
            None if path.is_absolute() => Some(ArtifactUri {
                uri: file_uri(&normalize(path)),
                base_id: None,
            }),
            None => Some(relative(&normalize(path))),
        }
    }
}

fn relative(path: &Path) -> ArtifactUri {
    ArtifactUri {
        uri: segments(path).join("/"),
        base_id: Some(SRCROOT),
    }
}

/// `file:///a/b` for an absolute path.
fn file_uri(path: &Path) -> String {
    format!("file:///{}", segments(path).join("/"))
}

/// The percent-encoded names of a path's components (root and `.` left out).
fn segments(path: &Path) -> Vec<String> {
    path.components()
        .filter_map(|c| match c {
            Component::Normal(s) => Some(encode(&s.to_string_lossy())),
            Component::ParentDir => Some("..".to_string()),
            Component::Prefix(p) => Some(encode(&p.as_os_str().to_string_lossy())),
            Component::RootDir | Component::CurDir => None,
        })
        .collect()
}

/// Absolute (against `cwd`) and lexically normalized. Symbolic links are resolved
/// when the path exists, so that `/tmp/x` and its real path compare equal.
fn resolve(path: &Path, cwd: Option<&Path>) -> PathBuf {
    if let Ok(real) = std::fs::canonicalize(path) {
        return real;
    }
    let joined = match cwd {
        Some(cwd) if path.is_relative() => cwd.join(path),
        _ => path.to_path_buf(),
    };
    normalize(&joined)
}

/// Removes `.` and folds `..` into its parent where there is one.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                let can_pop = matches!(out.components().next_back(), Some(Component::Normal(_)));
                if can_pop {
                    out.pop();
                } else if !out.has_root() {
                    out.push("..");
                }
            }
            c => out.push(c),
        }
    }
    out
}

/// Percent-encodes one path segment: everything but RFC 3986 unreserved characters and
/// the sub-delimiters that are safe in a segment. `:` is encoded too, so that a
/// relative path's first segment is never read as a scheme.
fn encode(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len());
    for b in segment.bytes() {
        let keep = b.is_ascii_alphanumeric()
            || matches!(
                b,
                b'-' | b'.'
                    | b'_'
                    | b'~'
                    | b'!'
                    | b'$'
                    | b'&'
                    | b'\''
                    | b'('
                    | b')'
                    | b'*'
                    | b'+'
                    | b','
                    | b';'
                    | b'='
                    | b'@'
            );
        if keep {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn maker(cwd: &str, base: Option<&str>) -> UriMaker {
        // Paths that do not exist, so canonicalize falls back to the lexical rules.
        let cwd = PathBuf::from(cwd);
        let base = base.map(|b| resolve(Path::new(b), Some(&cwd)));
        UriMaker {
            cwd: Some(cwd),
            base,
        }
    }

    #[test]
    fn relative_to_base() {
        let m = maker("/nonexistent-kspect/repo", Some("/nonexistent-kspect/repo"));
        let u = m.uri("k8s/./deploy.yaml").unwrap();
        assert_eq!(u.uri, "k8s/deploy.yaml");
        assert_eq!(u.base_id, Some(SRCROOT));
        let u = m.uri("/nonexistent-kspect/repo/a b/x#1.yaml").unwrap();
        assert_eq!(u.uri, "a%20b/x%231.yaml");
        assert_eq!(
            m.base_uri().as_deref(),
            Some("file:///nonexistent-kspect/repo/")
        );
    }

    #[test]
    fn outside_base_is_absolute() {
        let m = maker("/nonexistent-kspect/repo", Some("."));
        let u = m.uri("../other/x.yaml").unwrap();
        assert_eq!(u.uri, "file:///nonexistent-kspect/other/x.yaml");
        assert_eq!(u.base_id, None);
    }

    #[test]
    fn without_base() {
        let m = maker("/nonexistent-kspect", None);
        assert_eq!(m.uri("./a/../b.yaml").unwrap().uri, "b.yaml");
        assert_eq!(m.uri("c:x.yaml").unwrap().uri, "c%3Ax.yaml");
        assert_eq!(
            m.uri("/etc/x 1.yaml").unwrap().uri,
            "file:///etc/x%201.yaml"
        );
        assert_eq!(m.uri("<stdin>"), None);
        assert_eq!(m.base_uri(), None);
    }

    #[test]
    fn non_ascii_is_utf8_encoded() {
        assert_eq!(encode("é%"), "%C3%A9%25");
    }
}
