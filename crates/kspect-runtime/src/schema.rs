//! The JSON-lines syscall event schema (documented in `docs/runtime-events.md`).
//!
//! One line is one [`EventRecord`]. Everything except `type` is optional: a sensor that
//! already reported a process, a container or a file descriptor may send only its id on
//! later events, and replay fills the rest from what it has seen (see [`crate::state`]).

use serde::{Deserialize, Serialize};

/// Schema version written by kspect sensors; readers accept records without it.
pub const SCHEMA_VERSION: u32 = 1;

/// An event time: nanoseconds since the epoch, or an RFC 3339 string.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Time {
    /// Nanoseconds since the Unix epoch.
    Nanos(i64),
    /// RFC 3339 text (`2026-06-01T12:00:00.123456789Z`).
    Text(String),
}

/// Number-or-text fields are read with a visitor rather than `#[serde(untagged)]`,
/// which buffers every value first; these are on every event line.
struct NumOrText<T>(std::marker::PhantomData<T>);

trait FromNumOrText: Sized {
    const EXPECTING: &'static str;
    fn from_i64(n: i64) -> Self;
    fn from_text(s: String) -> Self;
}

impl<'de, T: FromNumOrText> serde::de::Visitor<'de> for NumOrText<T> {
    type Value = T;
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(T::EXPECTING)
    }
    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<T, E> {
        Ok(T::from_i64(v))
    }
    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<T, E> {
        i64::try_from(v)
            .map(T::from_i64)
            .map_err(|_| E::custom(format!("{v} is out of range")))
    }
    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<T, E> {
        Ok(T::from_text(v.to_string()))
    }
    fn visit_string<E: serde::de::Error>(self, v: String) -> Result<T, E> {
        Ok(T::from_text(v))
    }
}

impl FromNumOrText for Time {
    const EXPECTING: &'static str = "nanoseconds since the epoch or an RFC 3339 time";
    fn from_i64(n: i64) -> Self {
        Time::Nanos(n)
    }
    fn from_text(s: String) -> Self {
        Time::Text(s)
    }
}

impl<'de> Deserialize<'de> for Time {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(NumOrText::<Time>(std::marker::PhantomData))
    }
}

impl Time {
    /// Nanoseconds since the epoch, when the text parses.
    pub fn nanos(&self) -> Option<i64> {
        match self {
            Time::Nanos(n) => Some(*n),
            Time::Text(s) => s
                .parse::<jiff::Timestamp>()
                .ok()
                .and_then(|t| i64::try_from(t.as_nanosecond()).ok()),
        }
    }
}

/// A syscall return value: a number, or an errno name (`ENOENT`) / `SUCCESS`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Res {
    /// Raw return value (negative errno on failure).
    Num(i64),
    /// `SUCCESS` or an errno name.
    Name(String),
}

impl FromNumOrText for Res {
    const EXPECTING: &'static str = "a return value or an errno name";
    fn from_i64(n: i64) -> Self {
        Res::Num(n)
    }
    fn from_text(s: String) -> Self {
        Res::Name(s)
    }
}

impl<'de> Deserialize<'de> for Res {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(NumOrText::<Res>(std::marker::PhantomData))
    }
}

/// Event arguments in the order the sensor wrote them. Events carry a handful of
/// arguments, so a vector searched by name is faster to build and to query than a
/// hash map. A name written twice is looked up as its last value, as in a JSON
/// object (both entries stay in `iter`, so reading stays linear on hostile input).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Args(Vec<(String, serde_json::Value)>);

impl Args {
    /// The value of argument `name`.
    pub fn get(&self, name: &str) -> Option<&serde_json::Value> {
        self.0.iter().rev().find(|(k, _)| k == name).map(|(_, v)| v)
    }

    /// Whether there are no arguments.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Number of arguments.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Arguments in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &serde_json::Value)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// Values in order.
    pub fn values(&self) -> impl Iterator<Item = &serde_json::Value> {
        self.0.iter().map(|(_, v)| v)
    }

    /// Sets an argument (replacing one of the same name).
    pub fn insert(&mut self, name: impl Into<String>, value: serde_json::Value) {
        let name = name.into();
        match self.0.iter_mut().find(|(k, _)| *k == name) {
            Some(slot) => slot.1 = value,
            None => self.0.push((name, value)),
        }
    }
}

impl Serialize for Args {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

impl<'de> Deserialize<'de> for Args {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Args;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an object of arguments")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut m: A) -> Result<Args, A::Error> {
                let mut args = Args(Vec::with_capacity(m.size_hint().unwrap_or(4).min(16)));
                while let Some(kv) = m.next_entry::<String, serde_json::Value>()? {
                    args.0.push(kv);
                }
                Ok(args)
            }
        }
        d.deserialize_map(V)
    }
}

/// One line of a syscall event file.
///
/// The nested records are boxed: most events carry only a few of them (a thread id
/// and a file descriptor), and a small record is cheap to move through replay.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct EventRecord {
    /// Schema version (optional).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub v: Option<u32>,
    /// Event type, the syscall name as libsinsp calls it (`execve`, `openat`, `connect`).
    #[serde(rename = "type")]
    pub ty: String,
    /// Event time.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time: Option<Time>,
    /// Event number (`evt.num`); replay numbers events from 1 when absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub num: Option<u64>,
    /// Direction: `<` exit (default) or `>` enter.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dir: Option<String>,
    /// Return value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub res: Option<Res>,
    /// Arguments in libsinsp's order and text form (`flags: "O_RDONLY|O_CLOEXEC"`).
    #[serde(skip_serializing_if = "Args::is_empty")]
    pub args: Args,
    /// Data buffer of I/O events (`evt.buffer`), as text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub buffer: Option<String>,
    /// Data buffer as hexadecimal, for binary data (used when `buffer` is absent).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub buffer_hex: Option<String>,
    /// Thread id (defaults to the process id).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tid: Option<i64>,
    /// The process the thread belongs to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub proc: Option<Box<ProcRecord>>,
    /// Ancestors, nearest first (parent, grandparent ...), for sensors that report
    /// them inline; replay otherwise walks its process tree by `ppid`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub parents: Vec<ProcRecord>,
    /// User of the thread.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<Box<UserRecord>>,
    /// Group of the thread.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<Box<GroupRecord>>,
    /// File descriptor the event works on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fd: Option<Box<FdRecord>>,
    /// Container of the process (absent: the host).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub container: Option<Box<ContainerRecord>>,
    /// Kubernetes pod of the container.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub k8s: Option<Box<K8sRecord>>,
}

/// A process (thread group), as the event or the process tree knows it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ProcRecord {
    /// Process id (host namespace).
    pub pid: Option<i64>,
    /// Parent process id.
    pub ppid: Option<i64>,
    /// Process id in its own pid namespace.
    pub vpid: Option<i64>,
    /// Session id.
    pub sid: Option<i64>,
    /// Process group id (host namespace).
    pub pgid: Option<i64>,
    /// Process group id in its pid namespace.
    pub vpgid: Option<i64>,
    /// Command name (`comm`, at most 15 bytes in the kernel); defaults to the base
    /// name of `exepath`.
    pub name: Option<String>,
    /// `argv[0]`.
    pub exe: Option<String>,
    /// Full path of the executable.
    pub exepath: Option<String>,
    /// Arguments after `argv[0]`.
    pub args: Option<Vec<String>>,
    /// Working directory (with a trailing `/`, as libsinsp keeps it).
    pub cwd: Option<String>,
    /// Controlling terminal number (0: none).
    pub tty: Option<u32>,
    /// Environment, `NAME=value` entries.
    pub env: Option<Vec<String>>,
    /// Process start time.
    pub start: Option<Time>,
    /// Session leader's name, when the sensor knows it directly.
    pub sname: Option<String>,
    /// The executable is writable by the process user.
    pub exe_writable: Option<bool>,
    /// The executable lives in the container's overlay upper layer.
    pub exe_upper_layer: Option<bool>,
    /// The executable lives in an overlay lower layer.
    pub exe_lower_layer: Option<bool>,
    /// The executable is a memfd.
    pub exe_from_memfd: Option<bool>,
    /// Inode of the executable.
    pub exe_ino: Option<u64>,
    /// ctime of the executable's inode.
    pub exe_ino_ctime: Option<Time>,
    /// mtime of the executable's inode.
    pub exe_ino_mtime: Option<Time>,
    /// Effective capabilities (`CAP_SYS_ADMIN CAP_NET_RAW`).
    pub cap_effective: Option<String>,
    /// Permitted capabilities.
    pub cap_permitted: Option<String>,
    /// Inheritable capabilities.
    pub cap_inheritable: Option<String>,
    /// Container the process runs in.
    pub container_id: Option<String>,
}

/// The user of a thread.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct UserRecord {
    /// uid.
    pub uid: Option<u32>,
    /// User name.
    pub name: Option<String>,
    /// Home directory.
    pub homedir: Option<String>,
    /// Login shell.
    pub shell: Option<String>,
    /// Audit login uid (-1 when unset).
    pub loginuid: Option<i64>,
    /// Name of the login user.
    pub loginname: Option<String>,
}

/// The group of a thread.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct GroupRecord {
    /// gid.
    pub gid: Option<u32>,
    /// Group name.
    pub name: Option<String>,
}

/// A file descriptor.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct FdRecord {
    /// Descriptor number.
    pub num: Option<i64>,
    /// `file`, `directory`, `ipv4`, `ipv6`, `unix`, `pipe`, `event`, `signalfd`,
    /// `eventpoll`, `inotify`, `timerfd`, `netlink`, `bpf`, `userfaultfd`, `io_uring`,
    /// `memfd`, `pidfd`.
    #[serde(rename = "type")]
    pub ty: Option<String>,
    /// Name: the path for files, `cip:cport->sip:sport` for sockets (derived when absent).
    pub name: Option<String>,
    /// Name as the process wrote it, before path resolution.
    pub nameraw: Option<String>,
    /// Layer-4 protocol: `tcp`, `udp`, `icmp`, `raw`.
    pub l4proto: Option<String>,
    /// Client address.
    pub cip: Option<String>,
    /// Client port.
    pub cport: Option<u16>,
    /// Server address.
    pub sip: Option<String>,
    /// Server port.
    pub sport: Option<u16>,
    /// Whether the process is the server end (local = server).
    pub is_server: Option<bool>,
    /// Whether the socket is connected.
    pub connected: Option<bool>,
    /// Whether the event changed the descriptor's name (connect, bind ...).
    pub name_changed: Option<bool>,
    /// Resolved host name of the client address.
    pub cip_name: Option<String>,
    /// Resolved host name of the server address.
    pub sip_name: Option<String>,
    /// Device number.
    pub dev: Option<u32>,
    /// Inode.
    pub ino: Option<u64>,
    /// The file is in an overlay upper layer.
    pub upper_layer: Option<bool>,
    /// The file is in an overlay lower layer.
    pub lower_layer: Option<bool>,
}

/// A container.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ContainerRecord {
    /// Short id (12 characters); `host` for the host.
    pub id: Option<String>,
    /// Full id.
    pub full_id: Option<String>,
    /// Name.
    pub name: Option<String>,
    /// Image as configured (`docker.io/library/nginx:1.27`).
    pub image: Option<String>,
    /// Image repository (derived from `image` when absent).
    pub image_repository: Option<String>,
    /// Image tag (derived from `image` when absent).
    pub image_tag: Option<String>,
    /// Image id.
    pub image_id: Option<String>,
    /// Image digest.
    pub image_digest: Option<String>,
    /// Runtime: `docker`, `containerd`, `cri-o`, `podman` ...
    #[serde(rename = "type")]
    pub ty: Option<String>,
    /// Runs privileged.
    pub privileged: Option<bool>,
    /// Shares the host pid namespace.
    pub host_pid: Option<bool>,
    /// Shares the host network namespace.
    pub host_network: Option<bool>,
    /// Shares the host ipc namespace.
    pub host_ipc: Option<bool>,
    /// Start time.
    pub start: Option<Time>,
    /// Mounts.
    pub mounts: Option<Vec<MountRecord>>,
    /// Labels.
    pub labels: Option<serde_json::Map<String, serde_json::Value>>,
    /// Container IP address.
    pub ip: Option<String>,
}

/// One container mount.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct MountRecord {
    /// Host path.
    pub source: String,
    /// Path in the container.
    pub dest: String,
    /// Mount mode (`rw`, `ro`, `Z` ...).
    pub mode: String,
    /// Read-write.
    pub rdwr: bool,
    /// Propagation (`rprivate` ...).
    pub propagation: String,
}

/// The Kubernetes side of a container.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct K8sRecord {
    /// Pod name.
    pub pod: Option<String>,
    /// Pod uid.
    pub pod_uid: Option<String>,
    /// Pod IP.
    pub pod_ip: Option<String>,
    /// Pod labels.
    pub pod_labels: Option<serde_json::Map<String, serde_json::Value>>,
    /// Namespace name.
    pub ns: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minimal_record_parses_and_times_convert() {
        let r: EventRecord = serde_json::from_str(r#"{"type":"execve"}"#).unwrap();
        assert_eq!(r.ty, "execve");
        assert!(r.proc.is_none());
        let t = Time::Text("1970-01-01T00:00:01.5Z".into());
        assert_eq!(t.nanos(), Some(1_500_000_000));
        let r: EventRecord =
            serde_json::from_str(r#"{"type":"open","res":"ENOENT","time":7}"#).unwrap();
        assert_eq!(r.res, Some(Res::Name("ENOENT".into())));
        assert_eq!(r.time.and_then(|t| t.nanos()), Some(7));
    }
}
