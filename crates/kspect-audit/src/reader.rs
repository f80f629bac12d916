//! Reading audit logs in the shapes they arrive in: JSON lines from the log backend
//! (plain, rotated, gzipped), webhook `EventList` batches, `v1` and `v1beta1` events,
//! and cloud wrappers (GKE Cloud Audit Logs, AKS diagnostic records with the event as
//! an object or a JSON string, CloudWatch-style `message` strings). Input that is not
//! an audit event is counted and reported with file and line, never fatal.

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use serde_json::{Map, Value as Json};

/// Where an event came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// File.
    pub file: PathBuf,
    /// Line, from 1.
    pub line: u64,
    /// Position in an `EventList` batch, when the line held one.
    pub item: Option<usize>,
    /// The wrapper the event was taken out of (`gke`, `aks`, `cloudwatch`), if any.
    pub wrapper: Option<&'static str>,
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.file.display(), self.line)?;
        if let Some(i) = self.item {
            write!(f, " (item {i})")?;
        }
        Ok(())
    }
}

/// One input that could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{origin}: {message}")]
pub struct Malformed {
    /// Where.
    pub origin: Origin,
    /// Why.
    pub message: String,
}

/// Message the k8saudit plugin gives for JSON that is not an audit event.
pub const NOT_AUDIT: &str = "data not recognized as a k8s audit event";

fn str_of<'a>(m: &'a Map<String, Json>, k: &str) -> Option<&'a str> {
    m.get(k).and_then(Json::as_str)
}

/// One event taken out of an input value: its position in an `EventList` batch, the
/// wrapper it came in, and the event.
pub type Unwrapped = (Option<usize>, Option<&'static str>, Json);

/// Turns one JSON value into the audit events it holds.
pub fn normalize(v: Json) -> Result<Vec<Unwrapped>, String> {
    let Json::Object(m) = v else {
        return Err(NOT_AUDIT.into());
    };
    if str_of(&m, "kind") == Some("EventList") {
        let Some(Json::Array(items)) = m.get("items") else {
            return Err("EventList without items".into());
        };
        let mut out = Vec::with_capacity(items.len());
        for (i, it) in items.iter().enumerate() {
            match check_event(it.clone()) {
                Ok(e) => out.push((Some(i), None, e)),
                Err(e) => return Err(format!("item {i}: {e}")),
            }
        }
        return Ok(out);
    }
    if let Some(Json::Object(pp)) = m.get("protoPayload") {
        return gke(pp, &m).map(|e| vec![(None, Some("gke"), e)]);
    }
    if let Some(Json::Object(props)) = m.get("properties") {
        match props.get("log") {
            Some(Json::Object(_)) => {
                let log = props.get("log").cloned().unwrap_or_default();
                return check_event(log).map(|e| vec![(None, Some("aks"), e)]);
            }
            Some(Json::String(s)) => {
                let inner: Json =
                    serde_json::from_str(s).map_err(|e| format!("properties.log: {e}"))?;
                return check_event(inner).map(|e| vec![(None, Some("aks"), e)]);
            }
            _ => {}
        }
    }
    if m.get("auditID").is_none() {
        if let Some(Json::String(s)) = m.get("message").or_else(|| m.get("log")) {
            if let Ok(inner @ Json::Object(_)) = serde_json::from_str::<Json>(s) {
                return check_event(inner).map(|e| vec![(None, Some("cloudwatch"), e)]);
            }
        }
    }
    check_event(Json::Object(m)).map(|e| vec![(None, None, e)])
}

/// Accepts an `audit.k8s.io` Event (v1 or v1beta1, with or without `kind`/`apiVersion`).
fn check_event(v: Json) -> Result<Json, String> {
    let Json::Object(m) = &v else {
        return Err(NOT_AUDIT.into());
    };
    match m.get("kind") {
        None => {}
        Some(Json::String(k)) if k == "Event" => {}
        Some(_) => return Err(NOT_AUDIT.into()),
    }
    if !matches!(m.get("auditID"), Some(Json::String(_))) {
        return Err(NOT_AUDIT.into());
    }
    for k in ["verb", "stage", "requestURI", "level"] {
        if let Some(x) = m.get(k) {
            if !x.is_string() {
                return Err(format!("{NOT_AUDIT}: `{k}` is not a string"));
            }
        }
    }
    Ok(v)
}

/// Converts a GKE Cloud Audit Log entry into the Event fields the analysis uses.
fn gke(pp: &Map<String, Json>, top: &Map<String, Json>) -> Result<Json, String> {
    let method = str_of(pp, "methodName").ok_or("protoPayload without methodName")?;
    // io.k8s.core.v1.pods.create, io.k8s.apps.v1.deployments.patch, io.k8s.get (non-resource)
    let parts: Vec<&str> = method.trim_start_matches("io.k8s.").split('.').collect();
    let verb = parts.last().copied().unwrap_or("get").to_string();
    let resource_name = str_of(pp, "resourceName").unwrap_or_default();
    let mut object_ref = Map::new();
    let segs: Vec<&str> = resource_name.split('/').collect();
    if parts.len() >= 4 {
        let group = if parts[0] == "core" { "" } else { parts[0] };
        object_ref.insert("apiGroup".into(), Json::from(group));
        object_ref.insert("apiVersion".into(), Json::from(parts[1]));
        object_ref.insert("resource".into(), Json::from(parts[2]));
        if parts.len() >= 5 {
            object_ref.insert("subresource".into(), Json::from(parts[3]));
        }
        // resourceName: group/version/namespaces/NS/resource/NAME[/sub]
        if let Some(i) = segs.iter().position(|s| *s == "namespaces") {
            if let Some(ns) = segs.get(i + 1) {
                object_ref.insert("namespace".into(), Json::from(*ns));
            }
        }
        if let Some(i) = segs.iter().position(|s| *s == parts[2]) {
            if let Some(n) = segs.get(i + 1) {
                object_ref.insert("name".into(), Json::from(*n));
            }
        }
    }
    let user = pp
        .get("authenticationInfo")
        .and_then(|a| a.get("principalEmail"))
        .cloned()
        .unwrap_or(Json::from(""));
    let code = pp
        .get("status")
        .and_then(|s| s.get("code"))
        .and_then(Json::as_i64)
        .unwrap_or(0);
    // google.rpc.Code to HTTP: 0 OK, 7 PERMISSION_DENIED, 16 UNAUTHENTICATED, 5 NOT_FOUND.
    let http = match code {
        0 => 200,
        7 => 403,
        16 => 401,
        5 => 404,
        6 => 409,
        3 => 400,
        _ => 500,
    };
    let rm = pp.get("requestMetadata");
    let mut ev = Map::new();
    ev.insert("kind".into(), Json::from("Event"));
    ev.insert("apiVersion".into(), Json::from("audit.k8s.io/v1"));
    ev.insert(
        "level".into(),
        Json::from(if pp.get("response").is_some() {
            "RequestResponse"
        } else if pp.get("request").is_some() {
            "Request"
        } else {
            "Metadata"
        }),
    );
    let id = top
        .get("operation")
        .and_then(|o| o.get("id"))
        .or_else(|| top.get("insertId"))
        .cloned()
        .unwrap_or(Json::from(""));
    ev.insert("auditID".into(), id);
    ev.insert("stage".into(), Json::from("ResponseComplete"));
    // GKE does not keep the request URI; the resource name is the closest thing.
    let uri = format!("/{resource_name}");
    ev.insert("requestURI".into(), Json::from(uri));
    ev.insert("verb".into(), Json::from(verb));
    ev.insert("user".into(), serde_json::json!({ "username": user }));
    if let Some(ip) = rm.and_then(|r| r.get("callerIp")) {
        ev.insert("sourceIPs".into(), Json::Array(vec![ip.clone()]));
    }
    if let Some(ua) = rm.and_then(|r| r.get("callerSuppliedUserAgent")) {
        ev.insert("userAgent".into(), ua.clone());
    }
    if !object_ref.is_empty() {
        ev.insert("objectRef".into(), Json::Object(object_ref));
    }
    ev.insert("responseStatus".into(), serde_json::json!({ "code": http }));
    if let Some(r) = pp.get("request") {
        ev.insert("requestObject".into(), r.clone());
    }
    if let Some(r) = pp.get("response") {
        ev.insert("responseObject".into(), r.clone());
    }
    if let Some(t) = top.get("timestamp") {
        ev.insert("requestReceivedTimestamp".into(), t.clone());
        ev.insert("stageTimestamp".into(), t.clone());
    }
    if let Some(l) = top.get("labels") {
        ev.insert("annotations".into(), l.clone());
    }
    Ok(Json::Object(ev))
}

/// A rotated backup's time stamp: `audit-2017-09-11T20-05-00.000.log[.gz]` gives
/// (`audit.log`, `2017-09-11T20-05-00.000`).
pub fn rotation_key(name: &str) -> Option<(String, String)> {
    let name = name.strip_suffix(".gz").unwrap_or(name);
    let (stem, ext) = match name.rfind('.') {
        Some(i)
            if name[..i].ends_with(|c: char| c.is_ascii_digit())
                && name[i..].len() <= 5
                && !name[i + 1..].chars().all(|c| c.is_ascii_digit()) =>
        {
            (&name[..i], &name[i..])
        }
        _ => (name, ""),
    };
    // -YYYY-MM-DDTHH-MM-SS.mmm is 24 characters.
    if stem.len() < 25
        || !stem.is_char_boundary(stem.len() - 24)
        || !stem[stem.len() - 24..].is_ascii()
    {
        return None;
    }
    let (base, ts) = stem.split_at(stem.len() - 24);
    let b = ts.as_bytes();
    let ok = b[0] == b'-'
        && b[11] == b'T'
        && b[20] == b'.'
        && ts[1..5].chars().all(|c| c.is_ascii_digit());
    ok.then(|| (format!("{base}{ext}"), ts[1..].to_string()))
}

/// The files under `dir`, sorted per directory, subdirectories followed in place. A
/// directory that cannot be listed is kept as a path, so that reading it reports the
/// error with its name. Symbolic links to directories are not followed (no loops).
fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    let entries = match std::fs::read_dir(dir) {
        Ok(rd) => rd,
        Err(_) => {
            out.push(dir.to_path_buf());
            return;
        }
    };
    let mut entries: Vec<(PathBuf, bool)> = entries
        .filter_map(Result::ok)
        .map(|e| (e.path(), e.file_type().is_ok_and(|t| t.is_dir())))
        .collect();
    entries.sort();
    for (path, is_dir) in entries {
        if is_dir {
            files_under(&path, out);
        } else if path.is_file() {
            out.push(path);
        }
    }
}

/// Orders input paths the way the log backend rotated them: within each log (its
/// active file and the backups named after it), backups by time stamp, then the
/// active file. Logs keep the order they were first named in; directories are
/// expanded, recursively, to the files they hold (log collectors file logs by node or
/// by day).
pub fn order_paths(paths: &[PathBuf]) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for p in paths {
        if p.is_dir() {
            files_under(p, &mut files);
        } else {
            files.push(p.clone());
        }
    }
    let key = |p: &Path| -> (PathBuf, Option<String>) {
        let name = p
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let dir = p.parent().map(Path::to_path_buf).unwrap_or_default();
        match rotation_key(&name) {
            Some((active, ts)) => (dir.join(active), Some(ts)),
            None => (dir.join(name.strip_suffix(".gz").unwrap_or(&name)), None),
        }
    };
    // (active file, [(backup time stamp or None for the active file, path)])
    type Group = (PathBuf, Vec<(Option<String>, PathBuf)>);
    let mut groups: Vec<Group> = Vec::new();
    for f in files {
        let (g, ts) = key(&f);
        match groups.iter_mut().find(|(k, _)| *k == g) {
            Some((_, v)) => v.push((ts, f)),
            None => groups.push((g, vec![(ts, f)])),
        }
    }
    let mut out = Vec::new();
    for (_, mut v) in groups {
        // Backups (Some) by time stamp before the active file (None).
        v.sort_by(|a, b| match (&a.0, &b.0) {
            (Some(x), Some(y)) => x.cmp(y),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => std::cmp::Ordering::Equal,
        });
        out.extend(v.into_iter().map(|(_, p)| p));
    }
    out
}

fn open(path: &Path) -> std::io::Result<Box<dyn BufRead>> {
    let f = File::open(path)?;
    let r: Box<dyn Read> = if path.extension().is_some_and(|e| e == "gz") {
        Box::new(flate2::read::MultiGzDecoder::new(f))
    } else {
        Box::new(f)
    };
    Ok(Box::new(BufReader::with_capacity(1 << 16, r)))
}

/// Counts of one read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReadStats {
    /// Files read.
    pub files: usize,
    /// Events delivered.
    pub events: u64,
    /// Inputs that were not audit events or not JSON.
    pub malformed: u64,
}

/// Reads audit logs (files or directories, rotation-ordered), streaming: one line at
/// a time, except a file whose first line is not a complete JSON value, which is read
/// as a stream of (pretty-printed) JSON documents.
pub fn read_logs(
    paths: &[PathBuf],
    mut on_event: impl FnMut(&Origin, Json),
    mut on_malformed: impl FnMut(Malformed),
) -> ReadStats {
    let mut stats = ReadStats::default();
    for path in order_paths(paths) {
        stats.files += 1;
        read_source(
            &path,
            &|| open(&path),
            &mut stats,
            &mut on_event,
            &mut on_malformed,
        );
    }
    stats
}

/// Reads one log held in memory (`name` is what origins report), as [`read_logs`]
/// reads a file. For tests, fuzzing and logs received over the network.
pub fn read_bytes(
    name: &Path,
    data: &[u8],
    mut on_event: impl FnMut(&Origin, Json),
    mut on_malformed: impl FnMut(Malformed),
) -> ReadStats {
    let mut stats = ReadStats {
        files: 1,
        ..ReadStats::default()
    };
    let open = || -> std::io::Result<Box<dyn BufRead + '_>> { Ok(Box::new(data)) };
    read_source(name, &open, &mut stats, &mut on_event, &mut on_malformed);
    stats
}

fn origin_at(path: &Path, line: u64) -> Origin {
    Origin {
        file: path.to_path_buf(),
        line,
        item: None,
        wrapper: None,
    }
}

fn deliver(
    path: &Path,
    line: u64,
    v: Json,
    stats: &mut ReadStats,
    on_event: &mut impl FnMut(&Origin, Json),
    on_malformed: &mut impl FnMut(Malformed),
) {
    match normalize(v) {
        Ok(evs) => {
            for (item, wrapper, ev) in evs {
                stats.events += 1;
                let o = Origin {
                    file: path.to_path_buf(),
                    line,
                    item,
                    wrapper,
                };
                on_event(&o, ev);
            }
        }
        Err(message) => {
            stats.malformed += 1;
            on_malformed(Malformed {
                origin: origin_at(path, line),
                message,
            });
        }
    }
}

/// Reads one source. Lines are read as bytes, so a line that is not UTF-8 is reported
/// like any other malformed line and the rest of the file is still read.
fn read_source<'a>(
    path: &Path,
    open: &dyn Fn() -> std::io::Result<Box<dyn BufRead + 'a>>,
    stats: &mut ReadStats,
    on_event: &mut impl FnMut(&Origin, Json),
    on_malformed: &mut impl FnMut(Malformed),
) {
    let mut bad = |line: u64, message: String, stats: &mut ReadStats| {
        stats.malformed += 1;
        on_malformed(Malformed {
            origin: origin_at(path, line),
            message,
        });
    };
    let mut r = match open() {
        Ok(r) => r,
        Err(e) => {
            bad(0, e.to_string(), stats);
            return;
        }
    };
    let mut buf = Vec::new();
    let mut line = 0u64;
    let mut first = true;
    loop {
        buf.clear();
        match r.read_until(b'\n', &mut buf) {
            Ok(0) => break,
            Ok(_) => {}
            Err(e) => {
                bad(line + 1, e.to_string(), stats);
                break;
            }
        }
        line += 1;
        let t = buf.trim_ascii();
        if t.is_empty() {
            continue;
        }
        let parsed: Result<Json, _> = serde_json::from_slice(t);
        if first {
            first = false;
            if let Err(e) = &parsed {
                if e.is_eof() {
                    // A pretty-printed document: read the source as a JSON stream.
                    read_documents(path, open, stats, on_event, &mut |m| {
                        bad(m.origin.line, m.message, &mut ReadStats::default())
                    });
                    return;
                }
            }
        }
        match parsed {
            Err(e) => bad(line, format!("not JSON: {e}"), stats),
            Ok(v) => deliver(path, line, v, stats, on_event, &mut |m| {
                bad(m.origin.line, m.message, &mut ReadStats::default())
            }),
        }
    }
}

fn read_documents<'a>(
    path: &Path,
    open: &dyn Fn() -> std::io::Result<Box<dyn BufRead + 'a>>,
    stats: &mut ReadStats,
    on_event: &mut impl FnMut(&Origin, Json),
    on_malformed: &mut impl FnMut(Malformed),
) {
    let r = match open() {
        Ok(r) => r,
        Err(e) => {
            stats.malformed += 1;
            on_malformed(Malformed {
                origin: origin_at(path, 0),
                message: e.to_string(),
            });
            return;
        }
    };
    for doc in serde_json::Deserializer::from_reader(r).into_iter::<Json>() {
        match doc {
            Err(e) => {
                stats.malformed += 1;
                on_malformed(Malformed {
                    origin: origin_at(path, e.line() as u64),
                    message: format!("not JSON: {e}"),
                });
                return;
            }
            Ok(v) => deliver(path, 1, v, stats, on_event, on_malformed),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn rotation_names() {
        assert_eq!(
            rotation_key("audit-2017-09-11T20-05-00.000.log.gz"),
            Some(("audit.log".into(), "2017-09-11T20-05-00.000".into()))
        );
        assert_eq!(rotation_key("audit.log"), None);
        let ordered = order_paths(&[
            PathBuf::from("d/audit.log"),
            PathBuf::from("d/audit-2017-09-11T20-05-00.000.log.gz"),
            PathBuf::from("d/audit-2016-01-01T00-00-00.000.log"),
        ]);
        let names: Vec<_> = ordered
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            names,
            [
                "audit-2016-01-01T00-00-00.000.log",
                "audit-2017-09-11T20-05-00.000.log.gz",
                "audit.log"
            ]
        );
    }

    #[test]
    fn directories_are_read_recursively_with_rotation_kept_per_directory() {
        let dir = tempfile::tempdir().unwrap();
        let node = dir.path().join("node-a");
        std::fs::create_dir_all(node.join("old")).unwrap();
        for f in [
            "top.log",
            "node-a/audit.log",
            "node-a/audit-2020-01-01T00-00-00.000.log",
            "node-a/old/audit.log",
        ] {
            std::fs::write(dir.path().join(f), "").unwrap();
        }
        let ordered = order_paths(&[dir.path().to_path_buf()]);
        let rel: Vec<String> = ordered
            .iter()
            .map(|p| p.strip_prefix(dir.path()).unwrap().display().to_string())
            .collect();
        assert_eq!(
            rel,
            [
                "node-a/audit-2020-01-01T00-00-00.000.log",
                "node-a/audit.log",
                "node-a/old/audit.log",
                "top.log"
            ]
        );
    }

    #[test]
    fn wrong_kinds_are_not_events() {
        assert!(normalize(serde_json::json!({"kind": 0})).is_err());
        assert!(normalize(serde_json::json!([1])).is_err());
        assert!(normalize(serde_json::json!({"kind":"Event","auditID":"a","verb":"get"})).is_ok());
        let l = normalize(
            serde_json::json!({"kind":"EventList","items":[{"auditID":"1"},{"auditID":"2"}]}),
        )
        .unwrap();
        assert_eq!(l.len(), 2);
        let g = normalize(serde_json::json!({"protoPayload":{"methodName":"io.k8s.core.v1.pods.create",
            "resourceName":"core/v1/namespaces/ns1/pods/p1","authenticationInfo":{"principalEmail":"a@b"},"status":{"code":7}},
            "timestamp":"2025-01-01T00:00:00Z","insertId":"i"})).unwrap();
        let e = &g[0].2;
        assert_eq!(e["objectRef"]["namespace"], "ns1");
        assert_eq!(e["objectRef"]["name"], "p1");
        assert_eq!(e["verb"], "create");
        assert_eq!(e["responseStatus"]["code"], 403);
    }

    proptest! {
        #[test]
        fn arbitrary_json_never_panics(s in ".{0,64}") {
            if let Ok(v) = serde_json::from_str::<Json>(&s) {
                let _ = normalize(v);
            }
            let _ = rotation_key(&s);
        }
    }
}
