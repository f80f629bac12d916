//! What replay remembers between events: the process tree and the containers seen so
//! far. A sensor reports a process or a container in full once (on `execve`, on the
//! first event of a container) and may send only ids afterwards; the state fills the
//! rest in, links parents by `ppid`, and lets children inherit their parent's
//! container, user and group on `clone`/`fork`.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use crate::event::SyscallEvent;
use crate::schema::{
    ContainerRecord, EventRecord, GroupRecord, K8sRecord, ProcRecord, Res, UserRecord,
};

/// The maps are looked up several times per event (the thread, each ancestor); a
/// fast hasher matters more here than flooding resistance: the worst a hostile
/// event file can do is slow its own replay down.
type Fast = foldhash::fast::RandomState;

/// Deepest ancestor chain followed; a guard against `ppid` loops in bad input.
pub const MAX_ANCESTORS: usize = 64;

/// A process as the tree knows it, with the text fields rules read most precomputed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Process {
    /// Merged record.
    pub rec: ProcRecord,
    /// `proc.name`.
    pub name: String,
    /// `proc.exe`.
    pub exe: String,
    /// `proc.exepath`.
    pub exepath: String,
    /// `proc.args`: arguments joined by spaces.
    pub args: String,
    /// `proc.cmdline`: name and arguments.
    pub cmdline: String,
    /// Start time in nanoseconds.
    pub start_ns: Option<i64>,
    /// Last user seen for the process (shared with its events).
    pub user: Option<Arc<UserRecord>>,
    /// Last group seen for the process (shared with its events).
    pub group: Option<Arc<GroupRecord>>,
}

fn basename(p: &str) -> &str {
    p.rsplit('/').next().unwrap_or(p)
}

impl Process {
    /// Builds the derived fields of a record.
    pub fn new(
        rec: ProcRecord,
        user: Option<Arc<UserRecord>>,
        group: Option<Arc<GroupRecord>>,
    ) -> Self {
        let exepath = rec
            .exepath
            .clone()
            .or_else(|| rec.exe.clone())
            .unwrap_or_default();
        let exe = rec.exe.clone().unwrap_or_else(|| exepath.clone());
        let name = rec.name.clone().unwrap_or_else(|| {
            basename(if exepath.is_empty() { &exe } else { &exepath }).to_string()
        });
        let args = rec.args.as_deref().unwrap_or_default().join(" ");
        let cmdline = if args.is_empty() {
            name.clone()
        } else {
            format!("{name} {args}")
        };
        let start_ns = rec.start.as_ref().and_then(|t| t.nanos());
        Process {
            rec,
            name,
            exe,
            exepath,
            args,
            cmdline,
            start_ns,
            user,
            group,
        }
    }

    /// Process id.
    pub fn pid(&self) -> Option<i64> {
        self.rec.pid
    }
}

/// A container as the table knows it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Container {
    /// Merged record.
    pub rec: ContainerRecord,
    /// Image repository (from the record, or split off `image`).
    pub repository: Option<String>,
    /// Image tag.
    pub tag: Option<String>,
    /// Start time in nanoseconds.
    pub start_ns: Option<i64>,
    /// The pod, from the record or the CRI labels.
    pub k8s: K8sRecord,
}

/// Splits `registry/repo:tag@digest` into repository and tag.
pub fn split_image(image: &str) -> (String, Option<String>) {
    let no_digest = image.split('@').next().unwrap_or(image);
    let last_slash = no_digest.rfind('/').map_or(0, |i| i + 1);
    match no_digest[last_slash..].rfind(':') {
        Some(c) => (
            no_digest[..last_slash + c].to_string(),
            Some(no_digest[last_slash + c + 1..].to_string()),
        ),
        None => (no_digest.to_string(), None),
    }
}

fn label(labels: &Option<serde_json::Map<String, serde_json::Value>>, k: &str) -> Option<String> {
    labels
        .as_ref()
        .and_then(|m| m.get(k))
        .and_then(|v| v.as_str())
        .map(str::to_string)
}

impl Container {
    /// Builds the derived fields of a record.
    pub fn new(rec: ContainerRecord, k8s: Option<K8sRecord>) -> Self {
        let (mut repository, mut tag) = (rec.image_repository.clone(), rec.image_tag.clone());
        if let Some(img) = &rec.image {
            let (r, t) = split_image(img);
            repository.get_or_insert(r);
            if tag.is_none() {
                tag = t;
            }
        }
        let mut k8s = k8s.unwrap_or_default();
        // CRI runtimes label pod containers; the container plugin reads them the same way.
        if k8s.pod.is_none() {
            k8s.pod = label(&rec.labels, "io.kubernetes.pod.name");
        }
        if k8s.ns.is_none() {
            k8s.ns = label(&rec.labels, "io.kubernetes.pod.namespace");
        }
        if k8s.pod_uid.is_none() {
            k8s.pod_uid = label(&rec.labels, "io.kubernetes.pod.uid");
        }
        let start_ns = rec.start.as_ref().and_then(|t| t.nanos());
        Container {
            rec,
            repository,
            tag,
            start_ns,
            k8s,
        }
    }
}

macro_rules! merge_opts {
    ($old:expr, $new:expr; $($f:ident),* $(,)?) => {
        $( if $new.$f.is_some() { $old.$f = $new.$f; } )*
    };
}

fn merge_proc(old: &mut ProcRecord, new: ProcRecord) {
    merge_opts!(old, new; pid, ppid, vpid, sid, pgid, vpgid, name, exe, exepath, args, cwd,
        tty, env, start, sname, exe_writable, exe_upper_layer, exe_lower_layer, exe_from_memfd,
        exe_ino, exe_ino_ctime, exe_ino_mtime, cap_effective, cap_permitted, cap_inheritable,
        container_id);
}

fn merge_user(old: &mut UserRecord, new: UserRecord) {
    merge_opts!(old, new; uid, name, homedir, shell, loginuid, loginname);
}

fn merge_container(old: &mut ContainerRecord, new: ContainerRecord) {
    merge_opts!(old, new; id, full_id, name, image, image_repository, image_tag, image_id,
        image_digest, ty, privileged, host_pid, host_network, host_ipc, start, mounts, labels, ip);
}

fn merge_k8s(old: &mut K8sRecord, new: K8sRecord) {
    merge_opts!(old, new; pod, pod_uid, pod_ip, pod_labels, ns);
}

/// Counters of what the state holds, for reports.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StateStats {
    /// Processes currently in the tree.
    pub processes: usize,
    /// Containers seen.
    pub containers: usize,
}

/// The process tree and container table of one replay.
#[derive(Debug, Default)]
pub struct State {
    procs: HashMap<i64, Arc<Process>, Fast>,
    containers: HashMap<String, Arc<Container>, Fast>,
    /// Event type names seen so far, shared by all events of a type.
    types: HashSet<Arc<str>, Fast>,
    next_num: u64,
    last_ts: i64,
}

fn raw_res(res: &Option<Res>) -> Option<i64> {
    match res {
        None => None,
        Some(Res::Num(n)) => Some(*n),
        Some(Res::Name(s)) => crate::errno::value(s),
    }
}

fn is_host(id: &str) -> bool {
    id.is_empty() || id == "host"
}

impl State {
    /// An empty state.
    pub fn new() -> Self {
        State::default()
    }

    /// What the state holds.
    pub fn stats(&self) -> StateStats {
        StateStats {
            processes: self.procs.len(),
            containers: self.containers.len(),
        }
    }

    /// A process by pid.
    pub fn process(&self, pid: i64) -> Option<&Arc<Process>> {
        self.procs.get(&pid)
    }

    /// A container by id.
    pub fn container(&self, id: &str) -> Option<&Arc<Container>> {
        self.containers.get(id)
    }

    fn upsert_proc(
        &mut self,
        rec: ProcRecord,
        user: Option<Arc<UserRecord>>,
        group: Option<Arc<GroupRecord>>,
    ) -> Option<Arc<Process>> {
        let pid = rec.pid?;
        let p = match self.procs.get(&pid) {
            Some(old) => {
                let mut r = old.rec.clone();
                let mut u = old.user.clone();
                let mut g = old.group.clone();
                merge_proc(&mut r, rec);
                if let Some(nu) = user {
                    let mut merged = u.as_deref().cloned().unwrap_or_default();
                    merge_user(&mut merged, (*nu).clone());
                    u = Some(Arc::new(merged));
                }
                if let Some(ng) = group {
                    g = Some(ng);
                }
                Process::new(r, u, g)
            }
            None => Process::new(rec, user, group),
        };
        let p = Arc::new(p);
        self.procs.insert(pid, Arc::clone(&p));
        Some(p)
    }

    fn upsert_container(
        &mut self,
        rec: ContainerRecord,
        k8s: Option<K8sRecord>,
    ) -> Option<Arc<Container>> {
        let id = rec.id.clone()?;
        if is_host(&id) {
            return None;
        }
        if let Some(old) = self.containers.get(&id) {
            // Nothing new: keep the shared copy (the common case for every event after
            // the first one of a container).
            let unchanged =
                rec == ContainerRecord {
                    id: Some(id.clone()),
                    ..Default::default()
                } && k8s.is_none();
            if unchanged {
                return Some(Arc::clone(old));
            }
            let mut r = old.rec.clone();
            merge_container(&mut r, rec);
            let mut k = old.k8s.clone();
            if let Some(nk) = k8s {
                merge_k8s(&mut k, nk);
            }
            let c = Arc::new(Container::new(r, Some(k)));
            self.containers.insert(id, Arc::clone(&c));
            return Some(c);
        }
        let c = Arc::new(Container::new(rec, k8s));
        self.containers.insert(id, Arc::clone(&c));
        Some(c)
    }

    /// Takes one record: updates the tree and the container table, and returns the
    /// event with its process, ancestors and container attached.
    pub fn ingest(&mut self, mut rec: EventRecord) -> SyscallEvent {
        let ty = match self.types.get(rec.ty.as_str()) {
            Some(t) => Arc::clone(t),
            None => {
                let t: Arc<str> = Arc::from(rec.ty.as_str());
                self.types.insert(Arc::clone(&t));
                t
            }
        };
        self.next_num += 1;
        let num = rec.num.unwrap_or(self.next_num);
        let ts = rec
            .time
            .as_ref()
            .and_then(|t| t.nanos())
            .unwrap_or(self.last_ts);
        self.last_ts = ts;
        let rawres = raw_res(&rec.res);

        // Container first, so the process can point at it.
        let container_rec = rec.container.take();
        let k8s_rec = rec.k8s.take();
        let mut container = match container_rec {
            Some(c) => self.upsert_container(*c, k8s_rec.map(|k| *k)),
            None => None,
        };

        // Inline ancestors, farthest first so that each one's parent is known; they
        // are also remembered in the tree for later events.
        let parents = std::mem::take(&mut rec.parents);
        let mut link_ppid = None;
        let mut inline = Vec::with_capacity(parents.len());
        for mut p in parents.into_iter().rev() {
            if p.ppid.is_none() {
                p.ppid = link_ppid;
            }
            if p.container_id.is_none() {
                p.container_id = container.as_ref().and_then(|c| c.rec.id.clone());
            }
            link_ppid = p.pid;
            let arc = match self.upsert_proc(p.clone(), None, None) {
                Some(a) => a,
                None => Arc::new(Process::new(p, None, None)),
            };
            inline.push(arc);
        }
        inline.reverse();

        let user = rec.user.take().map(|u| Arc::new(*u));
        let group = rec.group.take().map(|g| Arc::new(*g));
        let process = match rec.proc.take() {
            Some(p) => {
                let mut p = *p;
                if p.pid.is_none() {
                    p.pid = rec.tid;
                }
                if p.ppid.is_none() {
                    p.ppid = link_ppid;
                }
                if p.container_id.is_none() {
                    p.container_id = container.as_ref().and_then(|c| c.rec.id.clone());
                }
                match self.upsert_proc(p.clone(), user.clone(), group.clone()) {
                    Some(x) => Some(x),
                    None => Some(Arc::new(Process::new(p, user.clone(), group.clone()))),
                }
            }
            None => match rec.tid.and_then(|t| self.procs.get(&t).cloned()) {
                Some(p) if user.is_some() || group.is_some() => self.upsert_proc(
                    ProcRecord {
                        pid: p.pid(),
                        ..Default::default()
                    },
                    user.clone(),
                    group.clone(),
                ),
                other => other,
            },
        };
        if container.is_none() {
            container = process
                .as_ref()
                .and_then(|p| p.rec.container_id.as_deref())
                .and_then(|id| self.containers.get(id).cloned());
        }

        let mut ancestors = Vec::new();
        if let Some(p) = &process {
            let mut cur = p.rec.ppid;
            let mut seen = p.rec.pid;
            if !inline.is_empty() {
                cur = inline.last().and_then(|a| a.rec.ppid);
                seen = inline.last().and_then(|a| a.pid());
                ancestors = inline;
            }
            while let Some(pp) = cur {
                if ancestors.len() >= MAX_ANCESTORS || Some(pp) == seen || pp <= 0 {
                    break;
                }
                let Some(parent) = self.procs.get(&pp) else {
                    break;
                };
                ancestors.push(Arc::clone(parent));
                seen = Some(pp);
                cur = parent.rec.ppid;
            }
        }

        // A fork seen from the parent: the child starts as a copy of the parent.
        if matches!(rec.ty.as_str(), "clone" | "clone3" | "fork" | "vfork") {
            if let (Some(child), Some(p)) = (rawres.filter(|r| *r > 0), &process) {
                self.procs.entry(child).or_insert_with(|| {
                    let mut r = p.rec.clone();
                    r.pid = Some(child);
                    r.ppid = p.rec.pid;
                    r.start = rec.time.clone();
                    Arc::new(Process::new(r, p.user.clone(), p.group.clone()))
                });
            }
        }
        if rec.ty == "procexit" {
            if let Some(pid) = process.as_ref().and_then(|p| p.pid()) {
                self.procs.remove(&pid);
            }
        }

        let user = user.or_else(|| process.as_ref().and_then(|p| p.user.clone()));
        let group = group.or_else(|| process.as_ref().and_then(|p| p.group.clone()));
        SyscallEvent::new(
            rec, ty, num, ts, rawres, process, ancestors, container, user, group,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(json: &str) -> EventRecord {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn image_splits_into_repository_and_tag() {
        assert_eq!(
            split_image("nginx:1.27"),
            ("nginx".into(), Some("1.27".into()))
        );
        assert_eq!(
            split_image("localhost:5000/a/b@sha256:00"),
            ("localhost:5000/a/b".into(), None)
        );
        assert_eq!(
            split_image("docker.io/falcosecurity/event-generator:latest"),
            (
                "docker.io/falcosecurity/event-generator".into(),
                Some("latest".into())
            )
        );
    }

    #[test]
    fn later_events_get_process_parents_and_container_from_earlier_ones() {
        let mut s = State::new();
        s.ingest(rec(
            r#"{"type":"execve","proc":{"pid":10,"ppid":1,"exepath":"/usr/bin/containerd-shim"}}"#,
        ));
        s.ingest(rec(r#"{"type":"execve","proc":{"pid":20,"ppid":10,"exepath":"/bin/bash","args":["-c","cat /etc/shadow"]},
            "container":{"id":"abc123abc123","name":"web","image":"nginx:1.27","labels":{"io.kubernetes.pod.name":"web-0","io.kubernetes.pod.namespace":"prod"}},
            "user":{"uid":0,"name":"root"}}"#));
        let ev = s.ingest(rec(
            r#"{"type":"openat","tid":20,"fd":{"num":3,"type":"file","name":"/etc/shadow"}}"#,
        ));
        let p = ev.process().unwrap();
        assert_eq!(p.cmdline, "bash -c cat /etc/shadow");
        assert_eq!(ev.ancestors()[0].name, "containerd-shim");
        let c = ev.container().unwrap();
        assert_eq!(c.repository.as_deref(), Some("nginx"));
        assert_eq!(c.k8s.ns.as_deref(), Some("prod"));
        assert_eq!(ev.user().and_then(|u| u.name.as_deref()), Some("root"));
        assert_eq!(ev.num(), 3);
    }

    #[test]
    fn fork_copies_parent_and_exit_forgets() {
        let mut s = State::new();
        s.ingest(rec(r#"{"type":"execve","proc":{"pid":5,"exepath":"/bin/sh"},"container":{"id":"c1","name":"x"}}"#));
        s.ingest(rec(r#"{"type":"clone","tid":5,"res":6}"#));
        let ev = s.ingest(rec(
            r#"{"type":"execve","proc":{"pid":6,"exepath":"/bin/ls"}}"#,
        ));
        assert_eq!(ev.ancestors()[0].name, "sh");
        assert_eq!(
            ev.container().and_then(|c| c.rec.name.as_deref()),
            Some("x")
        );
        s.ingest(rec(r#"{"type":"procexit","tid":6}"#));
        assert!(s.process(6).is_none());
    }

    #[test]
    fn inline_parents_are_linked_nearest_first() {
        let mut s = State::new();
        let ev = s.ingest(rec(
            r#"{"type":"execve","proc":{"pid":3,"exepath":"/bin/sh"},
            "parents":[{"pid":2,"exepath":"/usr/bin/python3"},{"pid":1,"exepath":"/sbin/init"}]}"#,
        ));
        let names: Vec<_> = ev.ancestors().iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["python3", "init"]);
    }

    #[test]
    fn ppid_loops_terminate() {
        let mut s = State::new();
        s.ingest(rec(r#"{"type":"x","proc":{"pid":2,"ppid":3}}"#));
        s.ingest(rec(r#"{"type":"x","proc":{"pid":3,"ppid":2}}"#));
        let ev = s.ingest(rec(r#"{"type":"x","tid":2}"#));
        assert!(ev.ancestors().len() <= MAX_ANCESTORS);
    }
}
