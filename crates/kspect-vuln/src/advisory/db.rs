//! The offline advisory database: SQLite, one row per record plus an
//! (ecosystem, package) index of what each record affects.
//!
//! Import is idempotent: a record replaces the stored one only when its
//! `modified` time is newer. Withdrawn records are kept (so that an older
//! copy cannot come back on a later import) but never matched.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use jiff::Timestamp;
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use thiserror::Error;

use super::osv::OsvRecord;
use super::secdb;
use crate::ecosystem::Ecosystem;

/// A failure of the database itself (not of one record: those are
/// [`ImportProblem`]s).
#[derive(Debug, Error)]
pub enum DbError {
    /// SQLite failed.
    #[error("advisory database {path}: {source}")]
    Sqlite {
        /// The database file.
        path: PathBuf,
        /// The SQLite error.
        source: rusqlite::Error,
    },
    /// A file or folder to import could not be read.
    #[error("{path}: {message}")]
    Io {
        /// The path.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
    /// No default location: neither `XDG_CACHE_HOME` nor `HOME` is set.
    #[error("no default database path: set XDG_CACHE_HOME or HOME, or pass --db")]
    NoDefaultPath,
}

/// A record that could not be imported; the import went on without it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportProblem {
    /// The file (for an `all.zip`, `archive.zip!entry.json`).
    pub file: String,
    /// What is wrong with it.
    pub message: String,
}

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ImportReport {
    /// Records new to the database.
    pub added: usize,
    /// Records that replaced an older version of themselves.
    pub updated: usize,
    /// Records already present at the same or a newer `modified` time.
    pub skipped: usize,
    /// Of the added and updated records, how many are withdrawn.
    pub withdrawn: usize,
    /// Records that could not be read.
    pub problems: Vec<ImportProblem>,
}

/// Summary of the database contents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DbInfo {
    /// The database file (`:memory:` for an in-memory one).
    pub path: String,
    /// Records stored, withdrawn ones included.
    pub records: usize,
    /// Withdrawn records.
    pub withdrawn: usize,
    /// Active records per ecosystem (base name: `Debian`, `PyPI`, ...).
    pub per_ecosystem: BTreeMap<String, usize>,
    /// The newest `modified` time of any record (secdb's dateless records aside).
    pub newest_modified: Option<String>,
    /// When the last import ran.
    pub last_import: Option<String>,
    /// Set when the data is older than the staleness limit (or empty).
    pub stale_warning: Option<String>,
}

/// The advisory store.
pub struct AdvisoryDb {
    conn: Connection,
    path: PathBuf,
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS advisory (
    id TEXT PRIMARY KEY,
    modified TEXT NOT NULL,
    withdrawn INTEGER NOT NULL,
    record TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS affected (
    advisory_id TEXT NOT NULL,
    ecosystem TEXT NOT NULL,
    release TEXT,
    package TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS affected_lookup ON affected (ecosystem, package);
CREATE INDEX IF NOT EXISTS affected_by_id ON affected (advisory_id);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
";

/// Records dated before this are treated as undated (secdb conversions).
const UNDATED: &str = "1970-01-01T00:00:00Z";

/// How package names are compared: PyPI names per PEP 503 (case, `-`, `_`
/// and `.` insignificant); everything else exactly.
pub fn normalize_name(ecosystem_base: &str, name: &str) -> String {
    if ecosystem_base == "PyPI" {
        let mut out = String::with_capacity(name.len());
        let mut sep = false;
        for c in name.chars() {
            if matches!(c, '-' | '_' | '.') {
                sep = true;
            } else {
                if sep && !out.is_empty() {
                    out.push('-');
                }
                sep = false;
                out.push(c.to_ascii_lowercase());
            }
        }
        out
    } else {
        name.to_owned()
    }
}

/// Split an OSV ecosystem string into the base used for lookup and the
/// release suffix. Ecosystems kspect cannot order are stored as written.
pub fn split_ecosystem(s: &str) -> (String, Option<String>) {
    match s.parse::<Ecosystem>() {
        Ok(e) => (e.base_name().to_owned(), e.suffix().map(str::to_owned)),
        Err(_) => (s.to_owned(), None),
    }
}

fn newer(a: &str, b: &str) -> bool {
    match (a.parse::<Timestamp>(), b.parse::<Timestamp>()) {
        (Ok(x), Ok(y)) => x > y,
        _ => a > b,
    }
}

impl AdvisoryDb {
    /// `$XDG_CACHE_HOME/kspect/db.sqlite`, else `~/.cache/kspect/db.sqlite`.
    pub fn default_path() -> Result<PathBuf, DbError> {
        let base = std::env::var_os("XDG_CACHE_HOME")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
            .or_else(|| {
                std::env::var_os("HOME")
                    .filter(|v| !v.is_empty())
                    .map(|h| PathBuf::from(h).join(".cache"))
            })
            .ok_or(DbError::NoDefaultPath)?;
        Ok(base.join("kspect").join("db.sqlite"))
    }

    /// Open (creating if needed, with its parent folders) the database at `path`.
    pub fn open(path: &Path) -> Result<AdvisoryDb, DbError> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|e| DbError::Io {
                path: parent.to_path_buf(),
                message: e.to_string(),
            })?;
        }
        let conn = Connection::open(path).map_err(|source| DbError::Sqlite {
            path: path.to_path_buf(),
            source,
        })?;
        Self::init(conn, path.to_path_buf())
    }

    /// Open an existing database read-only (for scanning), failing when absent.
    pub fn open_existing(path: &Path) -> Result<AdvisoryDb, DbError> {
        if !path.is_file() {
            return Err(DbError::Io {
                path: path.to_path_buf(),
                message: "no advisory database here; run `kspect db import` first".into(),
            });
        }
        Self::open(path)
    }

    /// A database in memory (tests, one-shot scans).
    pub fn open_in_memory() -> Result<AdvisoryDb, DbError> {
        let conn = Connection::open_in_memory().map_err(|source| DbError::Sqlite {
            path: PathBuf::from(":memory:"),
            source,
        })?;
        Self::init(conn, PathBuf::from(":memory:"))
    }

    fn init(conn: Connection, path: PathBuf) -> Result<AdvisoryDb, DbError> {
        let db = AdvisoryDb { conn, path };
        db.conn.execute_batch(SCHEMA).map_err(|e| db.err(e))?;
        Ok(db)
    }

    fn err(&self, source: rusqlite::Error) -> DbError {
        DbError::Sqlite {
            path: self.path.clone(),
            source,
        }
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Import OSV JSON (and YAML) records and Alpine secdb documents from
    /// files, folders (recursively) and `.zip` archives. One transaction:
    /// a database error leaves the database as it was.
    pub fn import(&mut self, paths: &[PathBuf]) -> Result<ImportReport, DbError> {
        let mut report = ImportReport::default();
        let mut records: Vec<(String, OsvRecord, String)> = Vec::new();
        for p in paths {
            collect(p, true, &mut records, &mut report.problems)?;
        }
        self.store(records, &mut report)?;
        Ok(report)
    }

    /// Import already-parsed records (`origin` names them in problems).
    pub fn import_records(
        &mut self,
        records: Vec<OsvRecord>,
        origin: &str,
    ) -> Result<ImportReport, DbError> {
        let mut report = ImportReport::default();
        let mut list = Vec::with_capacity(records.len());
        for r in records {
            match serde_json::to_string(&r) {
                Ok(json) => list.push((origin.to_owned(), r, json)),
                Err(e) => report.problems.push(ImportProblem {
                    file: origin.to_owned(),
                    message: e.to_string(),
                }),
            }
        }
        self.store(list, &mut report)?;
        Ok(report)
    }

    fn store(
        &mut self,
        records: Vec<(String, OsvRecord, String)>,
        report: &mut ImportReport,
    ) -> Result<(), DbError> {
        let path = self.path.clone();
        let sql = |source| DbError::Sqlite {
            path: path.clone(),
            source,
        };
        let tx = self.conn.transaction().map_err(sql)?;
        {
            let mut get = tx
                .prepare_cached("SELECT modified FROM advisory WHERE id = ?1")
                .map_err(sql)?;
            let mut put = tx
                .prepare_cached("INSERT OR REPLACE INTO advisory (id, modified, withdrawn, record) VALUES (?1, ?2, ?3, ?4)")
                .map_err(sql)?;
            let mut del = tx
                .prepare_cached("DELETE FROM affected WHERE advisory_id = ?1")
                .map_err(sql)?;
            let mut aff = tx
                .prepare_cached("INSERT INTO affected (advisory_id, ecosystem, release, package) VALUES (?1, ?2, ?3, ?4)")
                .map_err(sql)?;
            for (file, rec, json) in records {
                if rec.id.is_empty() {
                    report.problems.push(ImportProblem {
                        file,
                        message: "record has no id".into(),
                    });
                    continue;
                }
                let stored: Option<String> = get
                    .query_row(params![rec.id], |r| r.get(0))
                    .optional()
                    .map_err(sql)?;
                let update = match &stored {
                    None => false,
                    Some(old) if newer(&rec.modified, old) => true,
                    Some(_) => {
                        report.skipped += 1;
                        continue;
                    }
                };
                put.execute(params![rec.id, rec.modified, rec.withdrawn.is_some(), json])
                    .map_err(sql)?;
                if update {
                    del.execute(params![rec.id]).map_err(sql)?;
                    report.updated += 1;
                } else {
                    report.added += 1;
                }
                if rec.withdrawn.is_some() {
                    report.withdrawn += 1;
                }
                let mut seen = std::collections::HashSet::new();
                for a in &rec.affected {
                    let Some(pkg) = &a.package else { continue };
                    let (base, release) = split_ecosystem(&pkg.ecosystem);
                    let name = normalize_name(&base, &pkg.name);
                    if seen.insert((base.clone(), release.clone(), name.clone())) {
                        aff.execute(params![rec.id, base, release, name])
                            .map_err(sql)?;
                    }
                }
            }
            tx.execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES ('last_import', ?1)",
                params![Timestamp::now().to_string()],
            )
            .map_err(sql)?;
        }
        tx.commit().map_err(sql)?;
        Ok(())
    }

    /// Contents summary. `max_age` is how old the newest record may be
    /// before [`DbInfo::stale_warning`] is set.
    pub fn info(&self, now: Timestamp, max_age: jiff::SignedDuration) -> Result<DbInfo, DbError> {
        let q = |sql: &str| -> Result<usize, DbError> {
            self.conn
                .query_row(sql, [], |r| r.get::<_, i64>(0))
                .map(|n| usize::try_from(n).unwrap_or(0))
                .map_err(|e| self.err(e))
        };
        let records = q("SELECT COUNT(*) FROM advisory")?;
        let withdrawn = q("SELECT COUNT(*) FROM advisory WHERE withdrawn = 1")?;
        let mut per_ecosystem = BTreeMap::new();
        let mut stmt = self
            .conn
            .prepare(
                "SELECT f.ecosystem, COUNT(DISTINCT f.advisory_id) FROM affected f \
                 JOIN advisory a ON a.id = f.advisory_id WHERE a.withdrawn = 0 GROUP BY f.ecosystem",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))
            .map_err(|e| self.err(e))?;
        for row in rows {
            let (eco, n) = row.map_err(|e| self.err(e))?;
            per_ecosystem.insert(eco, usize::try_from(n).unwrap_or(0));
        }
        // `modified` strings are RFC 3339 but not uniformly formatted, so
        // the newest is found by parsing, not by SQL's string MAX.
        let mut newest: Option<(Timestamp, String)> = None;
        let mut stmt = self
            .conn
            .prepare("SELECT DISTINCT modified FROM advisory WHERE modified > ?1")
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([UNDATED], |r| r.get::<_, String>(0))
            .map_err(|e| self.err(e))?;
        for row in rows {
            let m = row.map_err(|e| self.err(e))?;
            if let Ok(t) = m.parse::<Timestamp>() {
                if newest.as_ref().is_none_or(|(n, _)| t > *n) {
                    newest = Some((t, m));
                }
            }
        }
        let last_import: Option<String> = self
            .conn
            .query_row(
                "SELECT value FROM meta WHERE key = 'last_import'",
                [],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.err(e))?;
        let stale_warning = match &newest {
            None if records == 0 => {
                Some("the advisory database is empty: every scan will find nothing".to_owned())
            }
            None => {
                Some("no record carries a modification date; the data's age is unknown".to_owned())
            }
            Some((t, m)) => {
                let age = now.duration_since(*t);
                (age > max_age).then(|| {
                    format!(
                        "the newest advisory is from {m} ({} days old): vulnerabilities published since are not detected; re-import fresh data",
                        age.as_secs() / 86_400
                    )
                })
            }
        };
        Ok(DbInfo {
            path: self.path.display().to_string(),
            records,
            withdrawn,
            per_ecosystem,
            newest_modified: newest.map(|(_, m)| m),
            last_import,
            stale_warning,
        })
    }

    /// Active (not withdrawn) records that affect `name` in `ecosystem`'s
    /// base ecosystem, with the release each affected entry names. The
    /// caller checks releases and versions.
    pub fn candidates(
        &self,
        ecosystem: &Ecosystem,
        name: &str,
    ) -> Result<Vec<(String, String)>, DbError> {
        let base = ecosystem.base_name();
        let key = normalize_name(base, name);
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT DISTINCT a.id, a.record FROM affected f JOIN advisory a ON a.id = f.advisory_id \
                 WHERE f.ecosystem = ?1 AND f.package = ?2 AND a.withdrawn = 0",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(params![base, key], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
            })
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<Vec<_>, _>>().map_err(|e| self.err(e))
    }

    /// One stored record by ID (withdrawn ones included).
    pub fn get(&self, id: &str) -> Result<Option<OsvRecord>, DbError> {
        let json: Option<String> = self
            .conn
            .query_row(
                "SELECT record FROM advisory WHERE id = ?1",
                params![id],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.err(e))?;
        Ok(json.and_then(|j| OsvRecord::from_json(&j).ok()))
    }
}

fn io(path: &Path, e: impl ToString) -> DbError {
    DbError::Io {
        path: path.to_path_buf(),
        message: e.to_string(),
    }
}

/// Gather records from `path`. `explicit`: the user named this file, so an
/// unknown extension is still tried as JSON (in folders it is skipped).
fn collect(
    path: &Path,
    explicit: bool,
    out: &mut Vec<(String, OsvRecord, String)>,
    problems: &mut Vec<ImportProblem>,
) -> Result<(), DbError> {
    let meta = std::fs::metadata(path).map_err(|e| io(path, e))?;
    if meta.is_dir() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
            .map_err(|e| io(path, e))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        entries.sort();
        for e in entries {
            collect(&e, false, out, problems)?;
        }
        return Ok(());
    }
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    let label = path.display().to_string();
    match ext.as_str() {
        "zip" => {
            let file = std::fs::File::open(path).map_err(|e| io(path, e))?;
            let mut archive = match zip::ZipArchive::new(file) {
                Ok(a) => a,
                Err(e) => {
                    problems.push(ImportProblem {
                        file: label,
                        message: format!("not a readable zip archive: {e}"),
                    });
                    return Ok(());
                }
            };
            for i in 0..archive.len() {
                let mut entry = match archive.by_index(i) {
                    Ok(e) => e,
                    Err(e) => {
                        problems.push(ImportProblem {
                            file: format!("{label}!#{i}"),
                            message: e.to_string(),
                        });
                        continue;
                    }
                };
                let name = entry.name().to_owned();
                if entry.is_dir() || !name.to_ascii_lowercase().ends_with(".json") {
                    continue;
                }
                let mut text = String::new();
                let origin = format!("{label}!{name}");
                if let Err(e) = entry.read_to_string(&mut text) {
                    problems.push(ImportProblem {
                        file: origin,
                        message: e.to_string(),
                    });
                    continue;
                }
                push_json(origin, &text, out, problems);
            }
        }
        "json" => {
            let text = std::fs::read_to_string(path).map_err(|e| io(path, e))?;
            push_json(label, &text, out, problems);
        }
        "yaml" | "yml" => {
            let text = std::fs::read_to_string(path).map_err(|e| io(path, e))?;
            push_yaml(label, &text, out, problems);
        }
        _ if explicit => {
            let text = std::fs::read_to_string(path).map_err(|e| io(path, e))?;
            push_json(label, &text, out, problems);
        }
        _ => {}
    }
    Ok(())
}

fn push_json(
    origin: String,
    text: &str,
    out: &mut Vec<(String, OsvRecord, String)>,
    problems: &mut Vec<ImportProblem>,
) {
    match OsvRecord::from_json(text) {
        Ok(r) => out.push((origin, r, text.to_owned())),
        Err(e) => problems.push(ImportProblem {
            file: origin,
            message: format!("not an OSV record: {e}"),
        }),
    }
}

fn push_yaml(
    origin: String,
    text: &str,
    out: &mut Vec<(String, OsvRecord, String)>,
    problems: &mut Vec<ImportProblem>,
) {
    let doc = match kspect_core::yaml::parse_document(text, 0) {
        Ok(Some(d)) => d,
        Ok(None) => {
            problems.push(ImportProblem {
                file: origin,
                message: "empty YAML document".into(),
            });
            return;
        }
        Err(e) => {
            problems.push(ImportProblem {
                file: format!("{origin}:{}", e.pos.line),
                message: format!("invalid YAML: {}", e.message),
            });
            return;
        }
    };
    if secdb::is_secdb(&doc.value) {
        let (records, bad) = secdb::convert(&doc.value);
        for (ptr, message) in bad {
            let line = doc
                .index
                .get(&ptr)
                .map(|p| format!(":{}", p.line))
                .unwrap_or_default();
            problems.push(ImportProblem {
                file: format!("{origin}{line}"),
                message,
            });
        }
        for r in records {
            match serde_json::to_string(&r) {
                Ok(json) => out.push((origin.clone(), r, json)),
                Err(e) => problems.push(ImportProblem {
                    file: origin.clone(),
                    message: e.to_string(),
                }),
            }
        }
        return;
    }
    match serde_json::from_value::<OsvRecord>(doc.value.clone()) {
        Ok(r) => {
            let json = doc.value.to_string();
            out.push((origin, r, json));
        }
        Err(e) => problems.push(ImportProblem {
            file: origin,
            message: format!("not an OSV record: {e}"),
        }),
    }
}
