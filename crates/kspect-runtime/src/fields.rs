//! Field extraction for syscall events.
//!
//! Every field of [`FieldRegistry::syscall`] is mapped once to a [`Slot`] (a table
//! indexed by [`FieldId`]); at event time extraction is a match on the slot, never a
//! look at a field name. Fields kspect's schema does not carry yield nothing (every
//! comparison on them is false, and outputs print `<NA>`), as in libsinsp when the
//! information is unavailable.

use std::borrow::Cow;
use std::net::IpAddr;
use std::sync::OnceLock;

use kspect_rules::fields::{FieldArg, FieldId, FieldRegistry};
use kspect_rules::{Value, Values};

use crate::event::{FdKind, L4, SyscallEvent, bits};
use crate::state::Process;

/// What a field reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(missing_docs)]
pub enum Slot {
    Unknown,
    // evt.*
    EvtType,
    EvtNum,
    EvtDir,
    EvtRes,
    EvtRawRes,
    EvtFailed,
    EvtArg,
    EvtRawArg,
    EvtArgs,
    EvtBuffer,
    EvtBuflen,
    EvtIsOpenRead,
    EvtIsOpenWrite,
    EvtIsOpenExec,
    EvtIsOpenCreate,
    EvtTime,
    EvtTimeS,
    EvtIso8601,
    EvtDatetime,
    EvtRawTime,
    EvtRawTimeS,
    EvtRawTimeNs,
    EvtSource,
    EvtCategory,
    EvtAbsPath,
    // proc.* / thread.*
    ProcPid,
    ProcPpid,
    ProcApid,
    ProcVpid,
    ProcPvpid,
    ProcSid,
    ProcSname,
    ProcPgid,
    ProcVpgid,
    ProcVpgidName,
    ProcName,
    ProcPname,
    ProcAname,
    ProcExe,
    ProcPexe,
    ProcAexe,
    ProcExepath,
    ProcPexepath,
    ProcAexepath,
    ProcArgs,
    ProcAargs,
    ProcCmdline,
    ProcPcmdline,
    ProcAcmdline,
    ProcExeline,
    ProcCmdnargs,
    ProcEnv,
    ProcAenv,
    ProcCwd,
    ProcTty,
    ProcDuration,
    ProcPidTs,
    ProcPpidTs,
    ProcIsExeWritable,
    ProcIsExeUpper,
    ProcIsExeLower,
    ProcIsExeFromMemfd,
    ProcIsSidLeader,
    ProcIsVpgidLeader,
    ProcIsPgidLeader,
    ProcExeIno,
    ProcExeInoCtime,
    ProcExeInoMtime,
    ProcExeInoCtimeDurProcStart,
    ThreadTid,
    ThreadVtid,
    ThreadIsMain,
    ThreadCapEffective,
    ThreadCapPermitted,
    ThreadCapInheritable,
    // user.* / group.*
    UserUid,
    UserName,
    UserHomedir,
    UserShell,
    UserLoginuid,
    UserLoginname,
    GroupGid,
    GroupName,
    // fd.*
    FdNum,
    FdType,
    FdTypechar,
    FdName,
    FdNameraw,
    FdDirectory,
    FdFilename,
    FdIp,
    FdCip,
    FdSip,
    FdLip,
    FdRip,
    FdPort,
    FdCport,
    FdSport,
    FdLport,
    FdRport,
    FdL4proto,
    FdSockfamily,
    FdIsServer,
    FdNet,
    FdCnet,
    FdSnet,
    FdLnet,
    FdRnet,
    FdConnected,
    FdNameChanged,
    FdCipName,
    FdSipName,
    FdLipName,
    FdRipName,
    FdDev,
    FdIno,
    FdIsUpper,
    FdIsLower,
    FdContainerName,
    FdContainerDirectory,
    // container.*
    CtId,
    CtFullId,
    CtName,
    CtImage,
    CtImageId,
    CtType,
    CtPrivileged,
    CtMounts,
    CtMount,
    CtMountSource,
    CtMountDest,
    CtMountMode,
    CtMountRdwr,
    CtMountPropagation,
    CtImageRepository,
    CtImageTag,
    CtImageDigest,
    CtStartTs,
    CtDuration,
    CtIp,
    CtHostPid,
    CtHostNetwork,
    CtHostIpc,
    CtLabel,
    CtLabels,
    // k8s.*
    K8sPodName,
    K8sNsName,
    K8sPodUid,
    K8sPodLabel,
    K8sPodLabels,
    K8sPodIp,
}

fn slot_of(name: &str) -> Slot {
    use Slot::*;
    match name {
        "evt.type" => EvtType,
        "evt.num" => EvtNum,
        "evt.dir" => EvtDir,
        "evt.res" => EvtRes,
        "evt.rawres" => EvtRawRes,
        "evt.failed" => EvtFailed,
        "evt.arg" => EvtArg,
        "evt.rawarg" => EvtRawArg,
        "evt.args" | "evt.info" => EvtArgs,
        "evt.buffer" => EvtBuffer,
        "evt.buflen" => EvtBuflen,
        "evt.is_open_read" => EvtIsOpenRead,
        "evt.is_open_write" => EvtIsOpenWrite,
        "evt.is_open_exec" => EvtIsOpenExec,
        "evt.is_open_create" => EvtIsOpenCreate,
        "evt.time" => EvtTime,
        "evt.time.s" => EvtTimeS,
        "evt.time.iso8601" => EvtIso8601,
        "evt.datetime" => EvtDatetime,
        "evt.rawtime" => EvtRawTime,
        "evt.rawtime.s" => EvtRawTimeS,
        "evt.rawtime.ns" => EvtRawTimeNs,
        "evt.source" => EvtSource,
        "evt.category" => EvtCategory,
        "evt.abspath" => EvtAbsPath,
        "proc.pid" => ProcPid,
        "proc.ppid" => ProcPpid,
        "proc.apid" => ProcApid,
        "proc.vpid" => ProcVpid,
        "proc.pvpid" => ProcPvpid,
        "proc.sid" => ProcSid,
        "proc.sname" => ProcSname,
        "proc.pgid" => ProcPgid,
        "proc.vpgid" => ProcVpgid,
        "proc.vpgid.name" => ProcVpgidName,
        "proc.name" => ProcName,
        "proc.pname" => ProcPname,
        "proc.aname" => ProcAname,
        "proc.exe" => ProcExe,
        "proc.pexe" => ProcPexe,
        "proc.aexe" => ProcAexe,
        "proc.exepath" => ProcExepath,
        "proc.pexepath" => ProcPexepath,
        "proc.aexepath" => ProcAexepath,
        "proc.args" => ProcArgs,
        "proc.aargs" => ProcAargs,
        "proc.cmdline" => ProcCmdline,
        "proc.pcmdline" => ProcPcmdline,
        "proc.acmdline" => ProcAcmdline,
        "proc.exeline" => ProcExeline,
        "proc.cmdnargs" => ProcCmdnargs,
        "proc.env" => ProcEnv,
        "proc.aenv" => ProcAenv,
        "proc.cwd" => ProcCwd,
        "proc.tty" => ProcTty,
        "proc.duration" => ProcDuration,
        "proc.pid.ts" => ProcPidTs,
        "proc.ppid.ts" => ProcPpidTs,
        "proc.is_exe_writable" => ProcIsExeWritable,
        "proc.is_exe_upper_layer" => ProcIsExeUpper,
        "proc.is_exe_lower_layer" => ProcIsExeLower,
        "proc.is_exe_from_memfd" => ProcIsExeFromMemfd,
        "proc.is_sid_leader" => ProcIsSidLeader,
        "proc.is_vpgid_leader" => ProcIsVpgidLeader,
        "proc.is_pgid_leader" => ProcIsPgidLeader,
        "proc.exe_ino" => ProcExeIno,
        "proc.exe_ino.ctime" => ProcExeInoCtime,
        "proc.exe_ino.mtime" => ProcExeInoMtime,
        "proc.exe_ino.ctime_duration_proc_start" => ProcExeInoCtimeDurProcStart,
        "thread.tid" => ThreadTid,
        "thread.vtid" => ThreadVtid,
        "thread.ismain" => ThreadIsMain,
        "thread.cap_effective" => ThreadCapEffective,
        "thread.cap_permitted" => ThreadCapPermitted,
        "thread.cap_inheritable" => ThreadCapInheritable,
        "user.uid" => UserUid,
        "user.name" => UserName,
        "user.homedir" => UserHomedir,
        "user.shell" => UserShell,
        "user.loginuid" => UserLoginuid,
        "user.loginname" => UserLoginname,
        "group.gid" => GroupGid,
        "group.name" => GroupName,
        "fd.num" => FdNum,
        "fd.type" => FdType,
        "fd.typechar" => FdTypechar,
        "fd.name" => FdName,
        "fd.nameraw" => FdNameraw,
        "fd.directory" => FdDirectory,
        "fd.filename" => FdFilename,
        "fd.ip" => FdIp,
        "fd.cip" => FdCip,
        "fd.sip" => FdSip,
        "fd.lip" => FdLip,
        "fd.rip" => FdRip,
        "fd.port" => FdPort,
        "fd.cport" => FdCport,
        "fd.sport" => FdSport,
        "fd.lport" => FdLport,
        "fd.rport" => FdRport,
        "fd.l4proto" => FdL4proto,
        "fd.sockfamily" => FdSockfamily,
        "fd.is_server" => FdIsServer,
        "fd.net" => FdNet,
        "fd.cnet" => FdCnet,
        "fd.snet" => FdSnet,
        "fd.lnet" => FdLnet,
        "fd.rnet" => FdRnet,
        "fd.connected" => FdConnected,
        "fd.name_changed" => FdNameChanged,
        "fd.cip.name" => FdCipName,
        "fd.sip.name" => FdSipName,
        "fd.lip.name" => FdLipName,
        "fd.rip.name" => FdRipName,
        "fd.dev" => FdDev,
        "fd.ino" => FdIno,
        "fd.is_upper_layer" => FdIsUpper,
        "fd.is_lower_layer" => FdIsLower,
        "fd.containername" => FdContainerName,
        "fd.containerdirectory" => FdContainerDirectory,
        "container.id" => CtId,
        "container.full_id" => CtFullId,
        "container.name" => CtName,
        "container.image" => CtImage,
        "container.image.id" => CtImageId,
        "container.type" => CtType,
        "container.privileged" => CtPrivileged,
        "container.mounts" => CtMounts,
        "container.mount" => CtMount,
        "container.mount.source" => CtMountSource,
        "container.mount.dest" => CtMountDest,
        "container.mount.mode" => CtMountMode,
        "container.mount.rdwr" => CtMountRdwr,
        "container.mount.propagation" => CtMountPropagation,
        "container.image.repository" => CtImageRepository,
        "container.image.tag" => CtImageTag,
        "container.image.digest" => CtImageDigest,
        "container.start_ts" => CtStartTs,
        "container.duration" => CtDuration,
        "container.ip" => CtIp,
        "container.host_pid" => CtHostPid,
        "container.host_network" => CtHostNetwork,
        "container.host_ipc" => CtHostIpc,
        "container.label" => CtLabel,
        "container.labels" => CtLabels,
        "k8s.pod.name" => K8sPodName,
        "k8s.ns.name" => K8sNsName,
        "k8s.pod.uid" | "k8s.pod.id" => K8sPodUid,
        "k8s.pod.label" => K8sPodLabel,
        "k8s.pod.labels" => K8sPodLabels,
        "k8s.pod.ip" => K8sPodIp,
        _ => Unknown,
    }
}

/// The slot of a syscall field id (resolved once for the whole registry).
#[inline]
pub fn slot(id: FieldId) -> Slot {
    static TABLE: OnceLock<Vec<Slot>> = OnceLock::new();
    let t = TABLE.get_or_init(|| {
        let r = FieldRegistry::syscall();
        (0..r.len())
            .map(|i| slot_of(&r.def(FieldId::try_from(i).unwrap_or(FieldId::MAX)).name))
            .collect()
    });
    t.get(usize::from(id)).copied().unwrap_or(Slot::Unknown)
}

/// Field names kspect extracts from its event schema (the others yield nothing).
pub fn supported_fields() -> Vec<String> {
    let r = FieldRegistry::syscall();
    (0..r.len())
        .filter_map(|i| {
            let d = r.def(FieldId::try_from(i).ok()?);
            (slot_of(&d.name) != Slot::Unknown).then(|| d.name.clone())
        })
        .collect()
}

fn s(v: &str) -> Values<'_> {
    Values::One(Value::Str(Cow::Borrowed(v)))
}

fn owned(v: String) -> Values<'static> {
    Values::One(Value::Str(Cow::Owned(v)))
}

fn opt_s(v: Option<&str>) -> Values<'_> {
    v.map_or(Values::Missing, s)
}

fn int(v: Option<i64>) -> Values<'static> {
    v.map_or(Values::Missing, |x| Values::One(Value::Int(x)))
}

fn uint(v: Option<u64>) -> Values<'static> {
    v.map_or(Values::Missing, |x| Values::One(Value::Uint(x)))
}

fn boolean(v: Option<bool>) -> Values<'static> {
    v.map_or(Values::Missing, |x| Values::One(Value::Bool(x)))
}

fn ipv(v: Option<IpAddr>) -> Values<'static> {
    v.map_or(Values::Missing, |x| Values::One(Value::Ip(x)))
}

fn many<'a>(v: Vec<Value<'a>>) -> Values<'a> {
    if v.is_empty() {
        Values::Missing
    } else {
        Values::Many(v)
    }
}

fn json_text(v: &serde_json::Value) -> Cow<'_, str> {
    match v {
        serde_json::Value::String(s) => Cow::Borrowed(s.as_str()),
        other => Cow::Owned(other.to_string()),
    }
}

fn json_raw(v: &serde_json::Value) -> Value<'_> {
    match v {
        serde_json::Value::Number(n) => match (n.as_i64(), n.as_u64()) {
            (Some(i), _) => Value::Int(i),
            (None, Some(u)) => Value::Uint(u),
            _ => Value::Double(n.as_f64().unwrap_or(0.0)),
        },
        serde_json::Value::Bool(b) => Value::Bool(*b),
        serde_json::Value::String(s) => match s.parse::<i64>() {
            Ok(i) => Value::Int(i),
            Err(_) => Value::Str(Cow::Borrowed(s.as_str())),
        },
        other => Value::Str(Cow::Owned(other.to_string())),
    }
}

fn arg_value<'a>(ev: &'a SyscallEvent, arg: &FieldArg) -> Option<&'a serde_json::Value> {
    match arg {
        FieldArg::Key(k) => ev.rec.args.get(k.as_str()),
        FieldArg::Index(i) => usize::try_from(*i)
            .ok()
            .and_then(|i| ev.rec.args.values().nth(i)),
        FieldArg::None => None,
    }
}

/// Reads an `a*` field: `[N]` is one generation (0 = the process itself), no
/// argument means every ancestor from the parent up. The indexed form, which the
/// default rules use most, allocates nothing.
fn from_ancestors<'a>(
    ev: &'a SyscallEvent,
    arg: &FieldArg,
    f: impl Fn(&'a Process) -> Option<Value<'a>>,
) -> Values<'a> {
    match arg {
        FieldArg::Index(0) => ev
            .process
            .as_deref()
            .and_then(f)
            .map_or(Values::Missing, Values::One),
        FieldArg::Index(n) => usize::try_from(*n - 1)
            .ok()
            .and_then(|i| ev.ancestors.get(i))
            .and_then(|p| f(p))
            .map_or(Values::Missing, Values::One),
        _ => many(ev.ancestors.iter().filter_map(|p| f(p)).collect()),
    }
}

fn borrowed(x: &str) -> Option<Value<'_>> {
    Some(Value::Str(Cow::Borrowed(x)))
}

fn dirname(p: &str) -> &str {
    match p.rfind('/') {
        Some(0) => "/",
        Some(i) => &p[..i],
        None => "",
    }
}

fn basename(p: &str) -> &str {
    p.rsplit('/').next().unwrap_or(p)
}

fn env_get<'a>(env: &'a [String], key: &str) -> Option<&'a str> {
    env.iter().find_map(|e| {
        let (k, v) = e.split_once('=')?;
        (k == key).then_some(v)
    })
}

/// Simple shell glob (`*`, `?`), used for `container.mount.*[<glob>]`.
pub fn glob_match(pattern: &str, text: &str) -> bool {
    let (p, t) = (pattern.as_bytes(), text.as_bytes());
    let (mut pi, mut ti, mut star, mut mark) = (0, 0, None, 0);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == b'?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == b'*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(sp) = star {
            pi = sp + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    while pi < p.len() && p[pi] == b'*' {
        pi += 1;
    }
    pi == p.len()
}

fn fmt_time(ns: i64, with_date: bool, iso: bool) -> String {
    let ts =
        jiff::Timestamp::from_nanosecond(i128::from(ns)).unwrap_or(jiff::Timestamp::UNIX_EPOCH);
    let nanos = ts.subsec_nanosecond();
    let base = if iso {
        ts.strftime("%Y-%m-%dT%H:%M:%S").to_string()
    } else if with_date {
        ts.strftime("%Y-%m-%d %H:%M:%S").to_string()
    } else {
        ts.strftime("%H:%M:%S").to_string()
    };
    if iso {
        format!("{base}.{nanos:09}Z")
    } else {
        format!("{base}.{nanos:09}")
    }
}

/// Extracts one field of one event.
pub fn extract<'a>(ev: &'a SyscallEvent, slot: Slot, arg: &FieldArg) -> Values<'a> {
    use Slot::*;
    // Everything that reads memory outside the event itself (the parent, the
    // descriptor record) is computed only by the fields that need it: an event's
    // heap records are usually cold, and most checks test other fields.
    let p = ev.process.as_deref();
    let parent = || ev.ancestors.first().map(|x| &**x);
    let fd = || ev.rec.fd.as_deref();
    let ct = ev.container.as_deref();
    let user = ev.user.as_deref();
    let fd_ty = || fd().and_then(|f| f.ty.as_deref());
    let kind = ev.fd_kind;
    let inet = kind.is_inet();
    let fd_name = ev.fd_name.as_deref();
    let bit = |b: u8| ev.bits & b != 0;
    let has_fd = bit(bits::HAS_FD);
    let server = || bit(bits::FD_SERVER);
    let (cip, sip) = (|| ev.cip, || ev.sip);
    let cport = || fd().and_then(|f| f.cport).map(u64::from);
    let sport = || fd().and_then(|f| f.sport).map(u64::from);
    match slot {
        Unknown => Values::Missing,
        EvtType => s(&ev.ty),
        EvtNum => uint(Some(ev.num)),
        EvtDir if bit(bits::DIR_OTHER) => opt_s(ev.rec.dir.as_deref()),
        EvtDir => s(if bit(bits::DIR_ENTER) { ">" } else { "<" }),
        EvtRes => ev.rawres.map_or(Values::Missing, |r| {
            Values::One(Value::Str(crate::errno::name(r)))
        }),
        EvtRawRes => int(ev.rawres),
        EvtFailed => boolean(ev.rawres.map(|r| r < 0)),
        EvtArg => {
            arg_value(ev, arg).map_or(Values::Missing, |v| Values::One(Value::Str(json_text(v))))
        }
        EvtRawArg => arg_value(ev, arg).map_or(Values::Missing, |v| Values::One(json_raw(v))),
        EvtArgs => {
            if ev.rec.args.is_empty() {
                return Values::Missing;
            }
            let parts: Vec<String> = ev
                .rec
                .args
                .iter()
                .map(|(k, v)| format!("{k}={}", json_text(v)))
                .collect();
            owned(parts.join(" "))
        }
        EvtBuffer => ev.buffer.as_deref().map_or(Values::Missing, |b| {
            Values::One(Value::Bytes(Cow::Borrowed(b)))
        }),
        EvtBuflen => uint(ev.buffer.as_ref().map(|b| b.len() as u64)),
        EvtIsOpenRead => boolean(Some(ev.open.is_some_and(|o| o.read))),
        EvtIsOpenWrite => boolean(Some(ev.open.is_some_and(|o| o.write))),
        EvtIsOpenExec => boolean(Some(ev.open.is_some_and(|o| o.exec))),
        EvtIsOpenCreate => boolean(Some(ev.open.is_some_and(|o| o.create))),
        EvtTime => owned(fmt_time(ev.ts, false, false)),
        EvtTimeS => owned(fmt_time(ev.ts, false, false).chars().take(8).collect()),
        EvtIso8601 => owned(fmt_time(ev.ts, false, true)),
        EvtDatetime => owned(fmt_time(ev.ts, true, false)),
        EvtRawTime => int(Some(ev.ts)),
        EvtRawTimeS => int(Some(ev.ts.div_euclid(1_000_000_000))),
        EvtRawTimeNs => int(Some(ev.ts.rem_euclid(1_000_000_000))),
        EvtSource => s("syscall"),
        EvtCategory => Values::Missing,
        EvtAbsPath => {
            let path = ["path", "name", "pathname", "filename", "target"]
                .iter()
                .find_map(|k| ev.rec.args.get(k))
                .map(json_text);
            match (path, p.and_then(|p| p.rec.cwd.as_deref())) {
                (Some(x), _) if x.starts_with('/') => Values::One(Value::Str(x)),
                (Some(x), Some(cwd)) => owned(format!("{}/{}", cwd.trim_end_matches('/'), x)),
                _ => Values::Missing,
            }
        }
        ProcPid => int(p.and_then(|p| p.rec.pid)),
        ProcPpid => int(p
            .and_then(|p| p.rec.ppid)
            .or(parent().and_then(|x| x.rec.pid))),
        ProcApid => from_ancestors(ev, arg, |a| a.rec.pid.map(Value::Int)),
        ProcVpid => int(p.and_then(|p| p.rec.vpid.or(p.rec.pid))),
        ProcPvpid => int(parent().and_then(|p| p.rec.vpid.or(p.rec.pid))),
        ProcSid => int(p.and_then(|p| p.rec.sid)),
        ProcSname => {
            let Some(p) = p else { return Values::Missing };
            if let Some(n) = p.rec.sname.as_deref() {
                return s(n);
            }
            let Some(sid) = p.rec.sid else {
                return Values::Missing;
            };
            std::iter::once(p)
                .chain(ev.ancestors.iter().map(|a| &**a))
                .find(|x| x.rec.pid == Some(sid))
                .map_or(Values::Missing, |x| s(&x.name))
        }
        ProcPgid => int(p.and_then(|p| p.rec.pgid)),
        ProcVpgid => int(p.and_then(|p| p.rec.vpgid)),
        ProcVpgidName => {
            let Some(p) = p else { return Values::Missing };
            let Some(g) = p.rec.vpgid else {
                return Values::Missing;
            };
            std::iter::once(p)
                .chain(ev.ancestors.iter().map(|a| &**a))
                .find(|x| x.rec.vpid.or(x.rec.pid) == Some(g))
                .map_or(Values::Missing, |x| s(&x.name))
        }
        ProcName => p.map_or(Values::Missing, |p| s(&p.name)),
        ProcPname => parent().map_or(Values::Missing, |p| s(&p.name)),
        ProcAname => from_ancestors(ev, arg, |a| borrowed(&a.name)),
        ProcExe => p.map_or(Values::Missing, |p| s(&p.exe)),
        ProcPexe => parent().map_or(Values::Missing, |p| s(&p.exe)),
        ProcAexe => from_ancestors(ev, arg, |a| borrowed(&a.exe)),
        ProcExepath => p.map_or(Values::Missing, |p| s(&p.exepath)),
        ProcPexepath => parent().map_or(Values::Missing, |p| s(&p.exepath)),
        ProcAexepath => from_ancestors(ev, arg, |a| borrowed(&a.exepath)),
        ProcArgs => p.map_or(Values::Missing, |p| s(&p.args)),
        ProcAargs => from_ancestors(ev, arg, |a| borrowed(&a.args)),
        ProcCmdline => p.map_or(Values::Missing, |p| s(&p.cmdline)),
        ProcPcmdline => parent().map_or(Values::Missing, |p| s(&p.cmdline)),
        ProcAcmdline => from_ancestors(ev, arg, |a| borrowed(&a.cmdline)),
        ProcExeline => p.map_or(Values::Missing, |p| {
            if p.args.is_empty() {
                s(&p.exe)
            } else {
                owned(format!("{} {}", p.exe, p.args))
            }
        }),
        ProcCmdnargs => uint(p.map(|p| p.rec.args.as_ref().map_or(0, |a| a.len() as u64))),
        ProcEnv => {
            let Some(env) = p.and_then(|p| p.rec.env.as_deref()) else {
                return Values::Missing;
            };
            match arg {
                FieldArg::Key(k) => opt_s(env_get(env, k)),
                _ => owned(env.join(" ")),
            }
        }
        ProcAenv => {
            let FieldArg::Key(k) = arg else {
                return Values::Missing;
            };
            let found = std::iter::once(p)
                .flatten()
                .chain(ev.ancestors.iter().map(|a| &**a))
                .find_map(|x| x.rec.env.as_deref().and_then(|e| env_get(e, k)));
            opt_s(found)
        }
        ProcCwd => opt_s(p.and_then(|p| p.rec.cwd.as_deref())),
        ProcTty => uint(p.map(|p| u64::from(p.rec.tty.unwrap_or(0)))),
        ProcDuration => int(p.and_then(|p| p.start_ns).map(|s| ev.ts - s)),
        ProcPidTs => int(p.and_then(|p| p.start_ns)),
        ProcPpidTs => int(parent().and_then(|p| p.start_ns)),
        ProcIsExeWritable => boolean(p.map(|p| p.rec.exe_writable.unwrap_or(false))),
        ProcIsExeUpper => boolean(p.map(|p| p.rec.exe_upper_layer.unwrap_or(false))),
        ProcIsExeLower => boolean(p.map(|p| p.rec.exe_lower_layer.unwrap_or(false))),
        ProcIsExeFromMemfd => boolean(p.map(|p| p.rec.exe_from_memfd.unwrap_or(false))),
        ProcIsSidLeader => boolean(p.and_then(|p| Some(p.rec.sid? == p.rec.pid?))),
        ProcIsVpgidLeader => {
            boolean(p.and_then(|p| Some(p.rec.vpgid? == p.rec.vpid.or(p.rec.pid)?)))
        }
        ProcIsPgidLeader => boolean(p.and_then(|p| Some(p.rec.pgid? == p.rec.pid?))),
        ProcExeIno => uint(p.and_then(|p| p.rec.exe_ino)),
        ProcExeInoCtime => int(p.and_then(|p| p.rec.exe_ino_ctime.as_ref()?.nanos())),
        ProcExeInoMtime => int(p.and_then(|p| p.rec.exe_ino_mtime.as_ref()?.nanos())),
        ProcExeInoCtimeDurProcStart => {
            int(p.and_then(|p| Some(p.start_ns? - p.rec.exe_ino_ctime.as_ref()?.nanos()?)))
        }
        ThreadTid => int(ev.rec.tid.or(p.and_then(|p| p.rec.pid))),
        ThreadVtid => int(ev.rec.tid.or(p.and_then(|p| p.rec.vpid.or(p.rec.pid)))),
        ThreadIsMain => {
            boolean(p.and_then(|p| Some(ev.rec.tid.unwrap_or(p.rec.pid?) == p.rec.pid?)))
        }
        ThreadCapEffective => opt_s(p.and_then(|p| p.rec.cap_effective.as_deref())),
        ThreadCapPermitted => opt_s(p.and_then(|p| p.rec.cap_permitted.as_deref())),
        ThreadCapInheritable => opt_s(p.and_then(|p| p.rec.cap_inheritable.as_deref())),
        UserUid => uint(user.and_then(|u| u.uid).map(u64::from)),
        UserName => opt_s(user.and_then(|u| u.name.as_deref())),
        UserHomedir => opt_s(user.and_then(|u| u.homedir.as_deref())),
        UserShell => opt_s(user.and_then(|u| u.shell.as_deref())),
        UserLoginuid => int(user.map(|u| u.loginuid.unwrap_or(-1))),
        UserLoginname => opt_s(user.and_then(|u| u.loginname.as_deref())),
        GroupGid => uint(ev.group.as_deref().and_then(|g| g.gid).map(u64::from)),
        GroupName => opt_s(ev.group.as_deref().and_then(|g| g.name.as_deref())),
        FdNum => int(bit(bits::HAS_FD_NUM).then_some(ev.fd_num)),
        FdType => opt_s(fd_ty()),
        FdTypechar => kind.typechar().map_or(Values::Missing, s),
        FdName => match (fd_name, fd()) {
            (Some(n), _) => s(n),
            (None, Some(f)) if inet => owned(format!(
                "{}:{}->{}:{}",
                f.cip.as_deref().unwrap_or_default(),
                f.cport.unwrap_or(0),
                f.sip.as_deref().unwrap_or_default(),
                f.sport.unwrap_or(0)
            )),
            _ => Values::Missing,
        },
        FdNameraw => opt_s(fd().and_then(|f| f.nameraw.as_deref()).or(fd_name)),
        FdDirectory => match (kind, fd_name) {
            (FdKind::Directory, Some(n)) => s(n),
            (FdKind::File, Some(n)) => s(dirname(n)),
            _ => Values::Missing,
        },
        FdFilename => match (kind, fd_name) {
            (FdKind::File, Some(n)) => s(basename(n)),
            _ => Values::Missing,
        },
        // libsinsp tests both ends for fd.ip/fd.port/fd.net; the engine compares the
        // first value, so the server end (the remote one for outbound traffic, which
        // the default rules test) comes first.
        FdIp | FdNet if inet => many(sip().into_iter().chain(cip()).map(Value::Ip).collect()),
        FdPort if inet => many(
            sport()
                .into_iter()
                .chain(cport())
                .map(Value::Uint)
                .collect(),
        ),
        FdCip | FdCnet if inet => ipv(cip()),
        FdSip | FdSnet if inet => ipv(sip()),
        FdLip | FdLnet if inet => ipv(if server() { sip() } else { cip() }),
        FdRip | FdRnet if inet => ipv(if server() { cip() } else { sip() }),
        FdCport if inet => uint(cport()),
        FdSport if inet => uint(sport()),
        FdLport if inet => uint(if server() { sport() } else { cport() }),
        FdRport if inet => uint(if server() { cport() } else { sport() }),
        FdL4proto => match ev.l4 {
            L4::Other => opt_s(fd().and_then(|f| f.l4proto.as_deref())),
            l4 => l4.name().map_or(Values::Missing, s),
        },
        FdSockfamily => match kind {
            FdKind::Ipv4 | FdKind::Ipv6 => s("ip"),
            FdKind::Unix => s("unix"),
            _ => Values::Missing,
        },
        FdIsServer if inet => boolean(Some(server())),
        FdConnected => boolean(has_fd.then(|| bit(bits::FD_CONNECTED))),
        FdNameChanged => boolean(has_fd.then(|| bit(bits::FD_NAME_CHANGED))),
        FdCipName => opt_s(fd().and_then(|f| f.cip_name.as_deref())),
        FdSipName => opt_s(fd().and_then(|f| f.sip_name.as_deref())),
        FdLipName => opt_s(fd().and_then(|f| {
            if server() {
                f.sip_name.as_deref()
            } else {
                f.cip_name.as_deref()
            }
        })),
        FdRipName => opt_s(fd().and_then(|f| {
            if server() {
                f.cip_name.as_deref()
            } else {
                f.sip_name.as_deref()
            }
        })),
        FdDev => uint(fd().and_then(|f| f.dev).map(u64::from)),
        FdIno => uint(fd().and_then(|f| f.ino)),
        FdIsUpper => boolean(fd().map(|f| f.upper_layer.unwrap_or(false))),
        FdIsLower => boolean(fd().map(|f| f.lower_layer.unwrap_or(false))),
        FdContainerName | FdContainerDirectory => {
            let id = ct.and_then(|c| c.rec.id.as_deref()).unwrap_or("host");
            let n = if slot == FdContainerName {
                fd_name
            } else {
                match kind {
                    FdKind::Directory => fd_name,
                    FdKind::File => fd_name.map(dirname),
                    _ => None,
                }
            };
            n.map_or(Values::Missing, |n| owned(format!("{id}:{n}")))
        }
        FdIp | FdNet | FdPort | FdCip | FdCnet | FdSip | FdSnet | FdLip | FdLnet | FdRip
        | FdRnet | FdCport | FdSport | FdLport | FdRport | FdIsServer => Values::Missing,
        CtId => s(ct.and_then(|c| c.rec.id.as_deref()).unwrap_or("host")),
        CtFullId => s(ct
            .and_then(|c| c.rec.full_id.as_deref().or(c.rec.id.as_deref()))
            .unwrap_or("host")),
        CtName => s(ct.and_then(|c| c.rec.name.as_deref()).unwrap_or("host")),
        CtImage => opt_s(ct.and_then(|c| c.rec.image.as_deref())),
        CtImageId => opt_s(ct.and_then(|c| c.rec.image_id.as_deref())),
        CtType => opt_s(ct.and_then(|c| c.rec.ty.as_deref())),
        CtPrivileged => boolean(ct.map(|c| c.rec.privileged.unwrap_or(false))),
        CtImageRepository => opt_s(ct.and_then(|c| c.repository.as_deref())),
        CtImageTag => opt_s(ct.and_then(|c| c.tag.as_deref())),
        CtImageDigest => opt_s(ct.and_then(|c| c.rec.image_digest.as_deref())),
        CtStartTs => int(ct.and_then(|c| c.start_ns)),
        CtDuration => int(ct.and_then(|c| c.start_ns).map(|s| ev.ts - s)),
        CtIp => opt_s(ct.and_then(|c| c.rec.ip.as_deref())),
        CtHostPid => boolean(ct.map(|c| c.rec.host_pid.unwrap_or(false))),
        CtHostNetwork => boolean(ct.map(|c| c.rec.host_network.unwrap_or(false))),
        CtHostIpc => boolean(ct.map(|c| c.rec.host_ipc.unwrap_or(false))),
        CtMounts => {
            let Some(ms) = ct.and_then(|c| c.rec.mounts.as_deref()) else {
                return Values::Missing;
            };
            owned(
                ms.iter()
                    .map(|m| {
                        format!(
                            "{}:{}:{}:{}:{}",
                            m.source, m.dest, m.mode, m.rdwr, m.propagation
                        )
                    })
                    .collect::<Vec<_>>()
                    .join(","),
            )
        }
        CtMount | CtMountSource | CtMountDest | CtMountMode | CtMountRdwr | CtMountPropagation => {
            let Some(c) = ct else { return Values::Missing };
            let ms = c.rec.mounts.as_deref().unwrap_or_default();
            let m = match arg {
                FieldArg::Index(i) => usize::try_from(*i).ok().and_then(|i| ms.get(i)),
                FieldArg::Key(k) => ms.iter().find(|m| glob_match(k, &m.source)),
                FieldArg::None => None,
            };
            // Like the container plugin: a mount that is not there reads "N/A".
            let Some(m) = m else { return s("N/A") };
            match slot {
                CtMount => owned(format!(
                    "{}:{}:{}:{}:{}",
                    m.source, m.dest, m.mode, m.rdwr, m.propagation
                )),
                CtMountSource => s(&m.source),
                CtMountDest => s(&m.dest),
                CtMountMode => s(&m.mode),
                CtMountRdwr => owned(m.rdwr.to_string()),
                _ => s(&m.propagation),
            }
        }
        CtLabel => match (ct, arg) {
            (Some(c), FieldArg::Key(k)) => c
                .rec
                .labels
                .as_ref()
                .and_then(|l| l.get(k.as_str()))
                .map_or(Values::Missing, |v| Values::One(Value::Str(json_text(v)))),
            _ => Values::Missing,
        },
        CtLabels => labels_text(ct.and_then(|c| c.rec.labels.as_ref())),
        K8sPodName => opt_s(ct.and_then(|c| c.k8s.pod.as_deref())),
        K8sNsName => opt_s(ct.and_then(|c| c.k8s.ns.as_deref())),
        K8sPodUid => opt_s(ct.and_then(|c| c.k8s.pod_uid.as_deref())),
        K8sPodIp => opt_s(ct.and_then(|c| c.k8s.pod_ip.as_deref())),
        K8sPodLabel => match (ct, arg) {
            (Some(c), FieldArg::Key(k)) => c
                .k8s
                .pod_labels
                .as_ref()
                .and_then(|l| l.get(k.as_str()))
                .map_or(Values::Missing, |v| Values::One(Value::Str(json_text(v)))),
            _ => Values::Missing,
        },
        K8sPodLabels => labels_text(ct.and_then(|c| c.k8s.pod_labels.as_ref())),
    }
}

fn labels_text(l: Option<&serde_json::Map<String, serde_json::Value>>) -> Values<'_> {
    match l {
        Some(m) if !m.is_empty() => owned(
            m.iter()
                .map(|(k, v)| format!("{k}:{}", json_text(v)))
                .collect::<Vec<_>>()
                .join(", "),
        ),
        _ => Values::Missing,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn every_field_used_by_the_default_rules_has_a_slot() {
        let used = [
            "evt.type",
            "proc.cmdline",
            "proc.name",
            "proc.pname",
            "proc.tty",
            "user.loginuid",
            "user.uid",
            "user.name",
            "proc.exepath",
            "evt.arg",
            "evt.num",
            "fd.name",
            "container.id",
            "fd.typechar",
            "fd.num",
            "proc.aname",
            "container.image.repository",
            "evt.is_open_write",
            "evt.res",
            "fd.l4proto",
            "fd.lport",
            "fd.rport",
            "fd.type",
            "proc.pcmdline",
            "evt.rawres",
            "fd.directory",
            "fd.net",
            "evt.is_open_read",
            "fd.ip",
            "proc.args",
            "proc.exe",
            "fd.connected",
            "fd.name_changed",
            "fd.snet",
            "fd.sport",
            "k8s.ns.name",
            "proc.vpid",
            "fd.filename",
            "fd.sip",
            "proc.cwd",
            "container.privileged",
            "fd.sip.name",
            "container.start_ts",
            "evt.args",
            "fd.cip.name",
            "group.gid",
            "group.name",
            "proc.env",
            "proc.pexepath",
            "proc.sname",
            "thread.cap_effective",
            "thread.cap_permitted",
            "user.loginname",
            "container.mount.dest",
            "container.mounts",
            "evt.buffer",
            "evt.is_open_exec",
            "fd.cip",
            "fd.cnet",
            "fd.lip.name",
            "fd.nameraw",
            "fd.port",
            "fd.rip",
            "fd.rip.name",
            "fd.rnet",
            "fd.sockfamily",
            "k8s.pod.name",
            "proc.aexe",
            "proc.aexepath",
            "proc.duration",
            "proc.exe_ino.ctime",
            "proc.exe_ino.ctime_duration_proc_start",
            "proc.exe_ino.mtime",
            "proc.is_exe_from_memfd",
            "proc.is_exe_upper_layer",
            "proc.is_vpgid_leader",
            "proc.pexe",
            "container.name",
            "container.image.tag",
            "proc.ppid",
            "proc.pid",
        ];
        let have = supported_fields();
        for f in used {
            assert!(have.iter().any(|h| h == f), "{f} has no slot");
        }
    }

    /// Descriptor fields read from the event's compact copy (kind, number, name)
    /// and from the record agree with libsinsp's meanings.
    #[test]
    fn descriptor_fields() {
        use kspect_rules::Event;
        let reg = FieldRegistry::syscall();
        let mut state = crate::State::new();
        let mut ev = |json: &str| state.ingest(serde_json::from_str(json).expect("event"));
        let text = |ev: &SyscallEvent, f: &str| -> Option<String> {
            let id = reg.id(f).expect(f);
            ev.extract(id, &FieldArg::None)
                .as_slice()
                .first()
                .map(Value::to_text)
        };
        let file =
            ev(r#"{"type":"openat","fd":{"num":7,"type":"file","name":"/etc/nginx/nginx.conf"}}"#);
        for (f, want) in [
            ("fd.name", "/etc/nginx/nginx.conf"),
            ("fd.nameraw", "/etc/nginx/nginx.conf"),
            ("fd.directory", "/etc/nginx"),
            ("fd.filename", "nginx.conf"),
            ("fd.typechar", "f"),
            ("fd.type", "file"),
            ("fd.num", "7"),
            ("fd.containerdirectory", "host:/etc/nginx"),
        ] {
            assert_eq!(text(&file, f).as_deref(), Some(want), "{f}");
        }
        assert_eq!(file.fd_name(), Some("/etc/nginx/nginx.conf"));
        let dir = ev(r#"{"type":"openat","fd":{"num":3,"type":"directory","name":"/etc"}}"#);
        assert_eq!(text(&dir, "fd.directory").as_deref(), Some("/etc"));
        assert_eq!(text(&dir, "fd.filename"), None);
        assert_eq!(text(&dir, "fd.typechar").as_deref(), Some("d"));
        let sock = ev(
            r#"{"type":"accept4","fd":{"num":5,"type":"ipv4","cip":"10.0.0.1","cport":5000,"sip":"10.0.0.2","sport":80,"is_server":true}}"#,
        );
        for (f, want) in [
            ("fd.name", "10.0.0.1:5000->10.0.0.2:80"),
            ("fd.sockfamily", "ip"),
            ("fd.typechar", "4"),
            ("fd.lip", "10.0.0.2"),
            ("fd.rip", "10.0.0.1"),
            ("fd.lport", "80"),
            ("fd.is_server", "true"),
        ] {
            assert_eq!(text(&sock, f).as_deref(), Some(want), "{f}");
        }
        let sent = ev(
            r#"{"type":"sendto","dir":">","fd":{"type":"ipv4","l4proto":"udp","connected":true}}"#,
        );
        for (f, want) in [
            ("evt.dir", Some(">")),
            ("fd.l4proto", Some("udp")),
            ("fd.connected", Some("true")),
            ("fd.name_changed", Some("false")),
        ] {
            assert_eq!(text(&sent, f).as_deref(), want, "{f}");
        }
        let odd =
            ev(r#"{"type":"read","dir":"?","fd":{"type":"weird","name":"x","l4proto":"sctp"}}"#);
        assert_eq!(text(&odd, "evt.dir").as_deref(), Some("?"));
        assert_eq!(text(&odd, "fd.l4proto").as_deref(), Some("sctp"));
        assert_eq!(text(&odd, "fd.typechar").as_deref(), Some("o"));
        assert_eq!(text(&odd, "fd.num"), None);
        let none = ev(r#"{"type":"getpid"}"#);
        for f in [
            "fd.name",
            "fd.typechar",
            "fd.num",
            "fd.directory",
            "fd.sockfamily",
        ] {
            assert_eq!(text(&none, f), None, "{f}");
        }
    }

    #[test]
    fn globs() {
        assert!(glob_match("/proc*", "/proc"));
        assert!(glob_match("/var/run/docker.sock", "/var/run/docker.sock"));
        assert!(glob_match("/a/?/c*", "/a/b/cde"));
        assert!(!glob_match("/proc*", "/etc"));
    }

    proptest! {
        #[test]
        fn star_matches_every_suffix(prefix in "[a-z/]{0,8}", rest in "[a-z/]{0,8}") {
            let pat = format!("{prefix}*");
            let text = format!("{prefix}{rest}");
            prop_assert!(glob_match(&pat, &text));
        }
    }
}
