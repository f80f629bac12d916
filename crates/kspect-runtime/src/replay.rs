//! Streaming replay of JSON-lines event files: one line at a time, never the whole
//! file in memory; gzip-compressed files (`.gz`) are decompressed on the fly. A line
//! that does not parse is reported with its file and line and skipped.

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use crate::event::SyscallEvent;
use crate::schema::EventRecord;
use crate::state::State;

/// Why an input could not be read, or one line of it.
#[derive(Debug, thiserror::Error)]
pub enum ReplayError {
    /// The file could not be opened or read.
    #[error("{path}: {source}")]
    Io {
        /// File.
        path: PathBuf,
        /// Cause.
        source: std::io::Error,
    },
    /// One line is not a valid event.
    #[error("{path}:{line}: {message}")]
    BadLine {
        /// File.
        path: PathBuf,
        /// Line, from 1.
        line: u64,
        /// What is wrong.
        message: String,
    },
}

/// Opens a file for line reading, decompressing `.gz` files.
pub fn open_lines(path: &Path) -> Result<Box<dyn BufRead>, ReplayError> {
    let f = File::open(path).map_err(|source| ReplayError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let gz = path.extension().is_some_and(|e| e == "gz");
    let r: Box<dyn Read> = if gz {
        Box::new(flate2::read::MultiGzDecoder::new(f))
    } else {
        Box::new(f)
    };
    Ok(Box::new(BufReader::with_capacity(1 << 16, r)))
}

/// Reads records from one file, line by line.
pub struct RecordReader {
    path: PathBuf,
    lines: Box<dyn BufRead>,
    line: u64,
    /// Lines are read as bytes: a line that is not UTF-8 is one bad line, not the end
    /// of the file.
    buf: Vec<u8>,
}

impl RecordReader {
    /// Opens `path`.
    pub fn open(path: &Path) -> Result<Self, ReplayError> {
        Ok(RecordReader {
            path: path.to_path_buf(),
            lines: open_lines(path)?,
            line: 0,
            buf: Vec::new(),
        })
    }

    /// The file being read.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Iterator for RecordReader {
    type Item = Result<(u64, EventRecord), ReplayError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            self.buf.clear();
            match self.lines.read_until(b'\n', &mut self.buf) {
                Ok(0) => return None,
                Ok(_) => {}
                Err(source) => {
                    return Some(Err(ReplayError::Io {
                        path: self.path.clone(),
                        source,
                    }));
                }
            }
            self.line += 1;
            let text = self.buf.trim_ascii();
            if text.is_empty() || text.starts_with(b"#") {
                continue;
            }
            return Some(
                serde_json::from_slice::<EventRecord>(text)
                    .map_err(|e| ReplayError::BadLine {
                        path: self.path.clone(),
                        line: self.line,
                        message: e.to_string(),
                    })
                    .and_then(|r| {
                        if r.ty.is_empty() {
                            Err(ReplayError::BadLine {
                                path: self.path.clone(),
                                line: self.line,
                                message: "event has no `type`".into(),
                            })
                        } else {
                            Ok((self.line, r))
                        }
                    }),
            );
        }
    }
}

/// Replays files in order through one [`State`], calling `on_event` for every event
/// and `on_error` for every line or file that could not be read.
pub fn replay_files(
    paths: &[PathBuf],
    state: &mut State,
    mut on_event: impl FnMut(&SyscallEvent),
    mut on_error: impl FnMut(ReplayError),
) {
    for p in paths {
        let reader = match RecordReader::open(p) {
            Ok(r) => r,
            Err(e) => {
                on_error(e);
                continue;
            }
        };
        for item in reader {
            match item {
                Ok((_, rec)) => {
                    let ev = state.ingest(rec);
                    on_event(&ev);
                }
                Err(e @ ReplayError::Io { .. }) => {
                    on_error(e);
                    break;
                }
                Err(e) => on_error(e),
            }
        }
    }
}

/// The event source of a file, judged from its first JSON value: Kubernetes audit
/// events (`auditID`, `kind: Event`/`EventList`, cloud wrappers) or syscall events.
pub fn detect_source(path: &Path) -> Result<&'static str, ReplayError> {
    let mut lines = open_lines(path)?;
    let mut raw = Vec::new();
    loop {
        raw.clear();
        let n = lines
            .read_until(b'\n', &mut raw)
            .map_err(|source| ReplayError::Io {
                path: path.to_path_buf(),
                source,
            })?;
        if n == 0 {
            return Ok("syscall");
        }
        let buf = String::from_utf8_lossy(&raw);
        let t = buf.trim();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        let audit_keys = [
            "\"auditID\"",
            "\"kind\":\"EventList\"",
            "\"kind\": \"EventList\"",
            "\"protoPayload\"",
            "\"kube-audit",
            "\"requestURI\"",
        ];
        if audit_keys.iter().any(|k| t.contains(k)) || t == "{" || t.starts_with("{\"kind\"") {
            return Ok("k8s_audit");
        }
        return Ok("syscall");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_lines_are_reported_and_skipped() {
        let dir = std::env::temp_dir().join(format!("kspect-runtime-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join("ev.jsonl");
        std::fs::write(
            &p,
            "{\"type\":\"execve\"}\nnot json\n\n{\"tid\":1}\n{\"type\":\"open\"}\n",
        )
        .unwrap();
        let mut st = State::new();
        let mut n = 0;
        let mut errs = Vec::new();
        replay_files(
            std::slice::from_ref(&p),
            &mut st,
            |_| n += 1,
            |e| errs.push(e.to_string()),
        );
        assert_eq!(n, 2);
        assert_eq!(errs.len(), 2);
        assert!(errs[0].contains("ev.jsonl:2:"), "{errs:?}");
        assert!(errs[1].contains(":4: event has no `type`"), "{errs:?}");
        assert_eq!(detect_source(&p).unwrap(), "syscall");
        std::fs::write(&p, "{\"kind\":\"Event\",\"auditID\":\"x\"}\n").unwrap();
        assert_eq!(detect_source(&p).unwrap(), "k8s_audit");
        std::fs::remove_dir_all(&dir).ok();
    }
}
