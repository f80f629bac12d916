//! A syscall event ready for rules: the record plus its process, ancestors and
//! container, with the values rules test most often decoded once.

use std::net::IpAddr;
use std::sync::Arc;

use kspect_rules::fields::{FieldArg, FieldId};
use kspect_rules::{Event, Values};

use crate::fields;
use crate::schema::{EventRecord, GroupRecord, UserRecord};
use crate::state::{Container, Process};

/// Open flags decoded from the `flags` argument of open-family events.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OpenFlags {
    /// Opened for reading.
    pub read: bool,
    /// Opened for writing.
    pub write: bool,
    /// `O_CREAT` given.
    pub create: bool,
    /// Created with an execute permission bit.
    pub exec: bool,
}

/// What a descriptor is, decoded once from its `type` text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum FdKind {
    /// No descriptor, or one without a type.
    #[default]
    Absent,
    File,
    Directory,
    Ipv4,
    Ipv6,
    Unix,
    Pipe,
    Event,
    Signalfd,
    Eventpoll,
    Inotify,
    Timerfd,
    Netlink,
    Bpf,
    Userfaultfd,
    IoUring,
    Memfd,
    Pidfd,
    /// A type libsinsp does not name (`fd.typechar` is `o`).
    Other,
}

impl FdKind {
    fn of(ty: &str) -> FdKind {
        use FdKind::*;
        match ty {
            "file" => File,
            "directory" => Directory,
            "ipv4" => Ipv4,
            "ipv6" => Ipv6,
            "unix" => Unix,
            "pipe" => Pipe,
            "event" => Event,
            "signalfd" => Signalfd,
            "eventpoll" => Eventpoll,
            "inotify" => Inotify,
            "timerfd" => Timerfd,
            "netlink" => Netlink,
            "bpf" => Bpf,
            "userfaultfd" => Userfaultfd,
            "io_uring" => IoUring,
            "memfd" => Memfd,
            "pidfd" => Pidfd,
            _ => Other,
        }
    }

    /// `fd.typechar`, as libsinsp prints it.
    pub(crate) fn typechar(self) -> Option<&'static str> {
        use FdKind::*;
        Some(match self {
            Absent => return None,
            File => "f",
            Directory => "d",
            Ipv4 => "4",
            Ipv6 => "6",
            Unix | Userfaultfd => "u",
            Pipe => "p",
            Event => "e",
            Signalfd => "s",
            Eventpoll => "l",
            Inotify => "i",
            Timerfd => "t",
            Netlink => "n",
            Bpf => "b",
            IoUring => "r",
            Memfd => "m",
            Pidfd => "P",
            Other => "o",
        })
    }

    /// An IPv4 or IPv6 socket.
    pub(crate) fn is_inet(self) -> bool {
        matches!(self, FdKind::Ipv4 | FdKind::Ipv6)
    }
}

/// Flags of [`SyscallEvent::bits`].
pub(crate) mod bits {
    /// The event has a descriptor record.
    pub const HAS_FD: u8 = 1;
    /// `fd_num` holds `fd.num`.
    pub const HAS_FD_NUM: u8 = 1 << 1;
    /// The process is the server end of the socket.
    pub const FD_SERVER: u8 = 1 << 2;
    /// `fd.connected`.
    pub const FD_CONNECTED: u8 = 1 << 3;
    /// `fd.name_changed`.
    pub const FD_NAME_CHANGED: u8 = 1 << 4;
    /// `evt.dir` is `>` (enter).
    pub const DIR_ENTER: u8 = 1 << 5;
    /// `evt.dir` is neither `<` nor `>`: the record's text is printed as is.
    pub const DIR_OTHER: u8 = 1 << 6;
}

/// A descriptor's layer-4 protocol, decoded once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum L4 {
    /// None recorded.
    #[default]
    Absent,
    Tcp,
    Udp,
    Icmp,
    Raw,
    /// Some other text, read from the record.
    Other,
}

impl L4 {
    fn of(text: &str) -> L4 {
        match text {
            "tcp" => L4::Tcp,
            "udp" => L4::Udp,
            "icmp" => L4::Icmp,
            "raw" => L4::Raw,
            _ => L4::Other,
        }
    }

    /// The protocol's name, when it is one of the known ones.
    pub(crate) fn name(self) -> Option<&'static str> {
        match self {
            L4::Tcp => Some("tcp"),
            L4::Udp => Some("udp"),
            L4::Icmp => Some("icmp"),
            L4::Raw => Some("raw"),
            L4::Absent | L4::Other => None,
        }
    }
}

/// A syscall event with everything the field extractors need.
///
/// The layout is fixed (`repr(C)`) and the first 64 bytes hold what the default rules
/// read on nearly every event: the type, the process, the container, the descriptor's
/// name, number, kind and protocol, the open flags and the direction. When events are evaluated from memory
/// rather than straight after parsing, each cache line of an event is a miss; this way
/// most events cost one line of their own plus the name's bytes, and the full record
/// (arguments, buffers, the rest of the descriptor) stays behind one pointer until a
/// rule asks for it.
#[derive(Debug, Clone)]
#[repr(C, align(64))]
pub struct SyscallEvent {
    /// The event type, interned by the [`crate::State`]: every event of a type shares
    /// one copy, which stays in cache while rules index and compare it.
    pub(crate) ty: Arc<str>,
    pub(crate) process: Option<Arc<Process>>,
    pub(crate) container: Option<Arc<Container>>,
    /// `fd.name` as recorded (moved out of the descriptor record).
    pub(crate) fd_name: Option<Box<str>>,
    /// `fd.num`, valid with [`bits::HAS_FD_NUM`].
    pub(crate) fd_num: i64,
    pub(crate) fd_kind: FdKind,
    /// `fd.l4proto`, decoded.
    pub(crate) l4: L4,
    /// Facts in one byte: see [`bits`].
    pub(crate) bits: u8,
    pub(crate) open: Option<OpenFlags>,
    // Second line onwards: read by fewer rules.
    pub(crate) num: u64,
    pub(crate) ts: i64,
    pub(crate) rawres: Option<i64>,
    pub(crate) ancestors: Vec<Arc<Process>>,
    pub(crate) user: Option<Arc<UserRecord>>,
    pub(crate) group: Option<Arc<GroupRecord>>,
    /// Client and server addresses of the descriptor, parsed once per event.
    pub(crate) cip: Option<IpAddr>,
    pub(crate) sip: Option<IpAddr>,
    pub(crate) buffer: Option<Vec<u8>>,
    pub(crate) rec: Box<EventRecord>,
}

fn hex_bytes(h: &str) -> Option<Vec<u8>> {
    let h: Vec<u8> = h.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    if h.len() % 2 != 0 {
        return None;
    }
    h.chunks(2)
        .map(|c| {
            std::str::from_utf8(c)
                .ok()
                .and_then(|s| u8::from_str_radix(s, 16).ok())
        })
        .collect()
}

/// Event types whose `flags` argument holds open flags.
pub fn is_open_family(ty: &str) -> bool {
    matches!(
        ty,
        "open" | "openat" | "openat2" | "open_by_handle_at" | "creat"
    )
}

const O_ACCMODE: u64 = 0o3;
const O_WRONLY: u64 = 0o1;
const O_RDWR: u64 = 0o2;
const O_CREAT: u64 = 0o100;

fn decode_flags(v: &serde_json::Value) -> (bool, bool, bool) {
    match v {
        serde_json::Value::Number(n) => {
            let f = n.as_u64().unwrap_or(0);
            let acc = f & O_ACCMODE;
            (
                acc != O_WRONLY,
                acc == O_WRONLY || acc == O_RDWR,
                f & O_CREAT != 0,
            )
        }
        serde_json::Value::String(s) => {
            let has = |t: &str| s.split(['|', ' ', ',']).any(|x| x == t);
            let (w, rw) = (has("O_WRONLY"), has("O_RDWR"));
            // O_RDONLY is 0 in the kernel, so no access flag at all means read-only.
            let r = has("O_RDONLY") || rw || !w;
            (r, w || rw, has("O_CREAT"))
        }
        _ => (false, false, false),
    }
}

fn mode_has_exec(v: Option<&serde_json::Value>) -> bool {
    match v {
        Some(serde_json::Value::Number(n)) => n.as_u64().is_some_and(|m| m & 0o111 != 0),
        Some(serde_json::Value::String(s)) => {
            if s.contains("S_IX") {
                return true;
            }
            let digits = s.trim_start_matches("0o");
            u64::from_str_radix(digits, 8).is_ok_and(|m| m & 0o111 != 0)
        }
        _ => false,
    }
}

impl SyscallEvent {
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn new(
        mut rec: EventRecord,
        ty: Arc<str>,
        num: u64,
        ts: i64,
        rawres: Option<i64>,
        process: Option<Arc<Process>>,
        ancestors: Vec<Arc<Process>>,
        container: Option<Arc<Container>>,
        user: Option<Arc<UserRecord>>,
        group: Option<Arc<GroupRecord>>,
    ) -> Self {
        let open = if is_open_family(&rec.ty) {
            rec.args.get("flags").map(|f| {
                let (read, write, create) = decode_flags(f);
                OpenFlags {
                    read,
                    write,
                    create,
                    exec: create && mode_has_exec(rec.args.get("mode")),
                }
            })
        } else {
            None
        };
        let buffer = match (&rec.buffer, &rec.buffer_hex) {
            (Some(t), _) => Some(t.as_bytes().to_vec()),
            (None, Some(h)) => hex_bytes(h),
            (None, None) => None,
        };
        let parse_ip = |v: Option<&String>| v.and_then(|x| x.parse::<IpAddr>().ok());
        let (cip, sip) = match &rec.fd {
            Some(f) => (parse_ip(f.cip.as_ref()), parse_ip(f.sip.as_ref())),
            None => (None, None),
        };
        let fd = rec.fd.as_deref_mut();
        let fd_kind = fd
            .as_ref()
            .and_then(|f| f.ty.as_deref())
            .map_or(FdKind::Absent, FdKind::of);
        let fd_num = fd.as_ref().and_then(|f| f.num);
        let l4 = fd
            .as_ref()
            .and_then(|f| f.l4proto.as_deref())
            .map_or(L4::Absent, L4::of);
        let flag = |on: bool, bit: u8| if on { bit } else { 0 };
        let mut bits = match rec.dir.as_deref() {
            None | Some("<") => 0,
            Some(">") => bits::DIR_ENTER,
            Some(_) => bits::DIR_OTHER,
        };
        if let Some(f) = fd.as_ref() {
            bits |= bits::HAS_FD
                | flag(fd_num.is_some(), bits::HAS_FD_NUM)
                | flag(f.is_server == Some(true), bits::FD_SERVER)
                | flag(f.connected == Some(true), bits::FD_CONNECTED)
                | flag(f.name_changed == Some(true), bits::FD_NAME_CHANGED);
        }
        let fd_name = fd.and_then(|f| f.name.take()).map(String::into_boxed_str);
        SyscallEvent {
            ty,
            process,
            container,
            fd_name,
            fd_num: fd_num.unwrap_or(0),
            fd_kind,
            l4,
            bits,
            open,
            num,
            ts,
            rawres,
            ancestors,
            user,
            group,
            cip,
            sip,
            buffer,
            rec: Box::new(rec),
        }
    }

    /// The record as read, without the parts moved into the state and without the
    /// descriptor's name (see [`SyscallEvent::fd_name`]).
    pub fn record(&self) -> &EventRecord {
        &self.rec
    }

    /// The descriptor's name (`fd.name` as recorded).
    pub fn fd_name(&self) -> Option<&str> {
        self.fd_name.as_deref()
    }

    /// `evt.num`.
    pub fn num(&self) -> u64 {
        self.num
    }

    /// The raw return value.
    pub fn rawres(&self) -> Option<i64> {
        self.rawres
    }

    /// The process of the thread.
    pub fn process(&self) -> Option<&Arc<Process>> {
        self.process.as_ref()
    }

    /// Ancestors, parent first.
    pub fn ancestors(&self) -> &[Arc<Process>] {
        &self.ancestors
    }

    /// The container, `None` on the host.
    pub fn container(&self) -> Option<&Arc<Container>> {
        self.container.as_ref()
    }

    /// The user.
    pub fn user(&self) -> Option<&UserRecord> {
        self.user.as_deref()
    }

    /// The group.
    pub fn group(&self) -> Option<&GroupRecord> {
        self.group.as_deref()
    }

    /// Decoded open flags (open-family events with a `flags` argument).
    pub fn open_flags(&self) -> Option<OpenFlags> {
        self.open
    }
}

impl Event for SyscallEvent {
    fn event_type(&self) -> &str {
        &self.ty
    }

    fn timestamp_ns(&self) -> i64 {
        self.ts
    }

    #[inline]
    fn extract(&self, field: FieldId, arg: &FieldArg) -> Values<'_> {
        fields::extract(self, fields::slot(field), arg)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fields read on nearly every event stay in the first cache line, and the
    /// event in four.
    #[test]
    fn hot_fields_fit_one_cache_line() {
        use std::mem::{offset_of, size_of};
        let end = offset_of!(SyscallEvent, open) + size_of::<Option<OpenFlags>>();
        assert!(end <= 64, "hot fields end at byte {end}");
        assert!(offset_of!(SyscallEvent, num) >= 64);
        assert_eq!(size_of::<SyscallEvent>(), 256);
    }

    #[test]
    fn open_flags_from_text_and_numbers() {
        let j = |s: &str| serde_json::Value::String(s.into());
        assert_eq!(decode_flags(&j("O_RDONLY|O_CLOEXEC")), (true, false, false));
        assert_eq!(
            decode_flags(&j("O_WRONLY|O_CREAT|O_TRUNC")),
            (false, true, true)
        );
        assert_eq!(decode_flags(&j("O_RDWR")), (true, true, false));
        assert_eq!(decode_flags(&serde_json::json!(0o101)), (false, true, true));
        assert!(mode_has_exec(Some(&j("0755"))));
        assert!(!mode_has_exec(Some(&j("0644"))));
        assert!(mode_has_exec(Some(&j("S_IRUSR|S_IXUSR"))));
        assert_eq!(hex_bytes("cafe babe"), Some(vec![0xca, 0xfe, 0xba, 0xbe]));
        assert_eq!(hex_bytes("abc"), None);
    }
}
