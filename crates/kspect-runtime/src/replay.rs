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

/// Lines handed from the parsing thread to the evaluating one at a time: large enough
/// that the channel costs nothing per event, small enough to stay in cache.
const BATCH: usize = 1024;

/// Batches in flight between the two threads; bounds memory on a fast reader.
const BATCHES_IN_FLIGHT: usize = 8;

type Parsed = Result<(u64, EventRecord), ReplayError>;

/// Replays files in order through one [`State`], calling `on_event` for every event
/// and `on_error` for every line or file that could not be read.
///
/// Reading and JSON parsing run on a second thread, a batch of lines ahead of the
/// caller's thread, which attributes events to processes and runs `on_event`. The
/// state must see events one by one in file order, but parsing one line needs nothing
/// from another, and parsing is half the cost of a replay. Events and errors arrive in
/// the order of the input either way.
pub fn replay_files(
    paths: &[PathBuf],
    state: &mut State,
    mut on_event: impl FnMut(&SyscallEvent),
    mut on_error: impl FnMut(ReplayError),
) {
    std::thread::scope(|scope| {
        let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<Parsed>>(BATCHES_IN_FLIGHT);
        scope.spawn(move || read_batches(paths, &tx));
        for batch in rx {
            for item in batch {
                match item {
                    Ok((_, rec)) => {
                        let ev = state.ingest(rec);
                        on_event(&ev);
                    }
                    Err(e) => on_error(e),
                }
            }
        }
    });
}

/// Parses `paths` in order into batches; stops early when the receiver is gone.
fn read_batches(paths: &[PathBuf], tx: &std::sync::mpsc::SyncSender<Vec<Parsed>>) {
    for p in paths {
        let reader = match RecordReader::open(p) {
            Ok(r) => r,
            Err(e) => {
                if tx.send(vec![Err(e)]).is_err() {
                    return;
                }
                continue;
            }
        };
        let mut batch = Vec::with_capacity(BATCH);
        for item in reader {
            // A read error ends this file (the rest of it cannot be trusted to follow).
            let unreadable = matches!(item, Err(ReplayError::Io { .. }));
            batch.push(item);
            if unreadable {
                break;
            }
            if batch.len() == BATCH {
                let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH));
                if tx.send(full).is_err() {
                    return;
                }
            }
        }
        if !batch.is_empty() && tx.send(batch).is_err() {
            return;
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

    /// Events and errors reach the caller in input order, across batch boundaries,
    /// files and a file that cannot be opened.
    #[test]
    fn events_and_errors_keep_input_order_across_batches_and_files() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a.jsonl"), dir.path().join("b.jsonl"));
        let mut text = String::new();
        let mut expected = Vec::new();
        for line in 1..=2 * BATCH as u64 + 100 {
            if line % 700 == 0 {
                text.push_str("{broken\n");
                expected.push(format!("a.jsonl:{line}"));
            } else {
                text.push_str(&format!("{{\"type\":\"read\",\"num\":{line}}}\n"));
                expected.push(format!("ev {line}"));
            }
        }
        std::fs::write(&a, text).unwrap();
        std::fs::write(&b, "{\"type\":\"close\",\"num\":1}\n").unwrap();
        expected.push("missing.jsonl".into());
        expected.push("ev 1".into());
        let seen = std::cell::RefCell::new(Vec::new());
        replay_files(
            &[a, dir.path().join("missing.jsonl"), b],
            &mut State::new(),
            |ev| seen.borrow_mut().push(format!("ev {}", ev.num())),
            |e| {
                let name = |p: &Path| p.file_name().unwrap().to_string_lossy().into_owned();
                seen.borrow_mut().push(match e {
                    ReplayError::BadLine { path, line, .. } => format!("{}:{line}", name(&path)),
                    ReplayError::Io { path, .. } => name(&path),
                });
            },
        );
        let seen = seen.into_inner();
        let first_difference = seen.iter().zip(&expected).position(|(a, b)| a != b);
        assert_eq!(
            first_difference,
            None,
            "{:?}",
            first_difference.map(|i| &seen[i])
        );
        assert_eq!(seen.len(), expected.len());
    }

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
