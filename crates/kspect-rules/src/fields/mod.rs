//! Field registries: which fields an event source provides, their types and argument
//! rules, and how a written field reference resolves to one of them.

pub mod k8saudit;
pub mod tables;

use std::collections::HashMap;

/// Field flags (a subset of libsinsp's `EPF_*` and the plugin SDK argument flags).
pub mod flags {
    /// No flag.
    pub const NONE: u16 = 0;
    /// An argument is required (`evt.arg[N]`, `jevt.value[/ptr]`).
    pub const ARG_REQUIRED: u16 = 1;
    /// An argument is allowed.
    pub const ARG_ALLOWED: u16 = 1 << 1;
    /// The argument is an index.
    pub const ARG_INDEX: u16 = 1 << 2;
    /// The argument is a key.
    pub const ARG_KEY: u16 = 1 << 3;
    /// The field yields several values.
    pub const IS_LIST: u16 = 1 << 4;
    /// The field cannot be a right-hand side (`val(...)`).
    pub const NO_RHS: u16 = 1 << 5;
    /// The field cannot be the input of a transformer.
    pub const NO_TRANSFORMER: u16 = 1 << 6;
    /// Deprecated.
    pub const DEPRECATED: u16 = 1 << 7;
    /// Only for output formats.
    pub const PRINT_ONLY: u16 = 1 << 8;
    /// Only for tables (still a valid field).
    pub const TABLE_ONLY: u16 = 1 << 9;
    /// Only for filters.
    pub const FILTER_ONLY: u16 = 1 << 10;
}

/// Value type of a field (libsinsp `PT_*`, plugin `FTYPE_*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FieldType {
    /// Text.
    CharBuf,
    /// Raw bytes.
    ByteBuf,
    /// 16-bit signed.
    Int16,
    /// 32-bit signed.
    Int32,
    /// 64-bit signed.
    Int64,
    /// 32-bit unsigned.
    Uint32,
    /// 64-bit unsigned.
    Uint64,
    /// Relative time in nanoseconds.
    RelTime,
    /// Absolute time in nanoseconds.
    AbsTime,
    /// Boolean.
    Bool,
    /// IP address.
    IpAddr,
    /// IP network (the event gives an address; the filter value is a CIDR).
    IpNet,
    /// Port number.
    Port,
    /// Floating point.
    Double,
    /// Type depends on the argument (`evt.rawarg`).
    Dyn,
}

impl FieldType {
    /// Whether values of this type are numbers.
    pub fn is_numeric(self) -> bool {
        matches!(
            self,
            FieldType::Int16
                | FieldType::Int32
                | FieldType::Int64
                | FieldType::Uint32
                | FieldType::Uint64
                | FieldType::RelTime
                | FieldType::AbsTime
                | FieldType::Port
                | FieldType::Double
        )
    }

    /// libsinsp's name of the type.
    pub fn name(self) -> &'static str {
        match self {
            FieldType::CharBuf => "PT_CHARBUF",
            FieldType::ByteBuf => "PT_BYTEBUF",
            FieldType::Int16 => "PT_INT16",
            FieldType::Int32 => "PT_INT32",
            FieldType::Int64 => "PT_INT64",
            FieldType::Uint32 => "PT_UINT32",
            FieldType::Uint64 => "PT_UINT64",
            FieldType::RelTime => "PT_RELTIME",
            FieldType::AbsTime => "PT_ABSTIME",
            FieldType::Bool => "PT_BOOL",
            FieldType::IpAddr => "PT_IPADDR",
            FieldType::IpNet => "PT_IPNET",
            FieldType::Port => "PT_PORT",
            FieldType::Double => "PT_DOUBLE",
            FieldType::Dyn => "PT_DYN",
        }
    }
}

/// Index of a field in its registry. Event sources match on it (or on a table built
/// once from [`FieldRegistry::id`]) instead of on names.
pub type FieldId = u16;

/// One field definition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldDef {
    /// Full name.
    pub name: String,
    /// Value type.
    pub ty: FieldType,
    /// `flags::*` bits.
    pub flags: u16,
}

impl FieldDef {
    /// Whether a flag is set.
    pub fn has(&self, flag: u16) -> bool {
        self.flags & flag != 0
    }
}

/// A resolved field reference: which field and which argument.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ResolvedField {
    /// The field.
    pub id: FieldId,
    /// Its argument, parsed once.
    pub arg: FieldArg,
}

/// A field argument, parsed once at compile time.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum FieldArg {
    /// No argument.
    None,
    /// A numeric argument (`proc.aname[2]`, `evt.arg[0]`).
    Index(i64),
    /// A key argument (`evt.arg.flags`, `jevt.value[/stage]`).
    Key(String),
}

impl FieldArg {
    /// The argument as text, when there is one.
    pub fn as_text(&self) -> Option<String> {
        match self {
            FieldArg::None => None,
            FieldArg::Index(i) => Some(i.to_string()),
            FieldArg::Key(k) => Some(k.clone()),
        }
    }
}

/// Why a field reference did not resolve.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FieldError {
    /// No such field (Falco: "filter_check called with nonexistent field").
    #[error("filter_check called with nonexistent field {0}")]
    Unknown(String),
    /// The field needs an argument.
    #[error("filter error: field '{0}' requires an argument but none provided")]
    ArgRequired(String),
    /// The field takes no argument.
    #[error("filter error: field '{0}' does not support arguments")]
    ArgNotAllowed(String),
    /// The argument is not an index.
    #[error("filter error: field '{0}' requires a numeric index argument, got '{1}'")]
    BadIndex(String, String),
}

/// The fields of one event source.
#[derive(Debug, Clone)]
pub struct FieldRegistry {
    source: String,
    defs: Vec<FieldDef>,
    by_name: HashMap<String, FieldId>,
    /// Fields that also accept `name.ARG` for `name[ARG]` (libsinsp's event class).
    dotted_arg: Vec<FieldId>,
}

impl FieldRegistry {
    /// An empty registry for `source`.
    pub fn new(source: &str) -> Self {
        FieldRegistry {
            source: source.to_string(),
            defs: Vec::new(),
            by_name: HashMap::new(),
            dotted_arg: Vec::new(),
        }
    }

    /// The source name (`syscall`, `k8s_audit`).
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Adds a field; a later definition of the same name is ignored (first wins, as in
    /// libsinsp's class order).
    pub fn add(&mut self, name: &str, ty: FieldType, flags: u16) -> FieldId {
        if let Some(id) = self.by_name.get(name) {
            return *id;
        }
        let id = FieldId::try_from(self.defs.len()).unwrap_or(FieldId::MAX);
        self.defs.push(FieldDef {
            name: name.to_string(),
            ty,
            flags,
        });
        self.by_name.insert(name.to_string(), id);
        id
    }

    /// Adds rows of a field table.
    pub fn add_table(&mut self, rows: &[(&str, FieldType, u16)]) {
        for (n, t, f) in rows {
            self.add(n, *t, *f);
        }
    }

    /// Marks a field as accepting the `name.ARG` form.
    pub fn allow_dotted_arg(&mut self, name: &str) {
        if let Some(id) = self.by_name.get(name) {
            self.dotted_arg.push(*id);
        }
    }

    /// The syscall source: libsinsp fields plus the container plugin's.
    pub fn syscall() -> Self {
        let mut r = FieldRegistry::new("syscall");
        r.add_table(tables::SYSCALL);
        r.add_table(tables::CONTAINER);
        r.allow_dotted_arg("evt.arg");
        r.allow_dotted_arg("evt.rawarg");
        r
    }

    /// The `k8s_audit` source: k8saudit plugin fields plus the json plugin's.
    pub fn k8s_audit() -> Self {
        let mut r = FieldRegistry::new("k8s_audit");
        r.add_table(tables::K8SAUDIT);
        r.add_table(tables::JSON);
        r
    }

    /// The id of a field name.
    pub fn id(&self, name: &str) -> Option<FieldId> {
        self.by_name.get(name).copied()
    }

    /// The definition of a field.
    pub fn def(&self, id: FieldId) -> &FieldDef {
        &self.defs[usize::from(id).min(self.defs.len().saturating_sub(1))]
    }

    /// Number of fields.
    pub fn len(&self) -> usize {
        self.defs.len()
    }

    /// Whether there are no fields.
    pub fn is_empty(&self) -> bool {
        self.defs.is_empty()
    }

    /// Resolves `name[arg]`: the exact name, or the longest name that is a dotted
    /// prefix of a field accepting `name.ARG`.
    pub fn resolve(&self, name: &str, arg: Option<&str>) -> Result<ResolvedField, FieldError> {
        let shown = match arg {
            Some(a) => format!("{name}[{a}]"),
            None => name.to_string(),
        };
        let (id, arg) = match self.by_name.get(name) {
            Some(id) => (*id, arg.map(str::to_string)),
            None => {
                let found = self
                    .dotted_arg
                    .iter()
                    .filter(|id| {
                        let n = &self.def(**id).name;
                        name.len() > n.len() + 1
                            && name.starts_with(n.as_str())
                            && name.as_bytes()[n.len()] == b'.'
                    })
                    .max_by_key(|id| self.def(**id).name.len());
                match (found, arg) {
                    (Some(id), None) => {
                        let n = self.def(*id).name.len();
                        (*id, Some(name[n + 1..].to_string()))
                    }
                    _ => return Err(FieldError::Unknown(shown)),
                }
            }
        };
        let def = self.def(id);
        let arg = match arg {
            None if def.has(flags::ARG_REQUIRED) => {
                return Err(FieldError::ArgRequired(def.name.clone()));
            }
            None => FieldArg::None,
            Some(_) if !def.has(flags::ARG_REQUIRED | flags::ARG_ALLOWED) => {
                return Err(FieldError::ArgNotAllowed(def.name.clone()));
            }
            Some(a) => match a.parse::<i64>() {
                Ok(i) if !def.has(flags::ARG_KEY) => FieldArg::Index(i),
                _ if is_index_only(&def.name) => {
                    return Err(FieldError::BadIndex(def.name.clone(), a));
                }
                _ => FieldArg::Key(a),
            },
        };
        Ok(ResolvedField { id, arg })
    }
}

/// Ancestor fields (`proc.aname` ...): without an index they mean "any ancestor".
pub fn is_ancestor_field(name: &str) -> bool {
    matches!(
        name,
        "proc.aname" | "proc.apid" | "proc.aexe" | "proc.aexepath" | "proc.acmdline" | "proc.aenv"
    )
}

fn is_index_only(name: &str) -> bool {
    matches!(
        name,
        "proc.aname" | "proc.apid" | "proc.aexe" | "proc.aexepath" | "proc.acmdline" | "evt.around"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dotted_argument_resolves_by_longest_prefix() {
        let r = FieldRegistry::syscall();
        let f = r.resolve("evt.arg.flags", None).unwrap();
        assert_eq!(r.def(f.id).name, "evt.arg");
        assert_eq!(f.arg, FieldArg::Key("flags".into()));
        assert!(r.resolve("proc.nope", None).is_err());
        assert!(r.resolve("proc.name", Some("1")).is_err());
        assert_eq!(
            r.resolve("proc.aname", Some("2")).unwrap().arg,
            FieldArg::Index(2)
        );
    }
}
