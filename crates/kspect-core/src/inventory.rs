//! All objects of one analysis, indexed by kind and namespace.

use std::collections::BTreeMap;

use crate::load::{Diagnostic, Loaded};
use crate::object::Object;

/// The objects of one analysis and the problems met while reading them.
#[derive(Debug, Default, Clone)]
pub struct Inventory {
    objects: Vec<Object>,
    by_kind: BTreeMap<String, Vec<usize>>,
    /// Problems with the input (malformed documents, unreadable files ...).
    pub diagnostics: Vec<Diagnostic>,
    /// Number of files read.
    pub files: usize,
}

impl Inventory {
    /// Indexes loaded objects.
    pub fn new(loaded: Loaded) -> Inventory {
        let mut by_kind: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for (i, o) in loaded.objects.iter().enumerate() {
            by_kind.entry(o.id.kind.clone()).or_default().push(i);
        }
        Inventory {
            objects: loaded.objects,
            by_kind,
            diagnostics: loaded.diagnostics,
            files: loaded.files,
        }
    }

    /// Every object, in input order.
    pub fn objects(&self) -> &[Object] {
        &self.objects
    }

    /// Objects of one kind, in input order.
    pub fn of_kind<'a>(&'a self, kind: &str) -> impl Iterator<Item = &'a Object> + 'a {
        self.by_kind
            .get(kind)
            .into_iter()
            .flatten()
            .map(move |&i| &self.objects[i])
    }

    /// Objects that carry a pod (Pod and the workload kinds with a pod template).
    pub fn pod_bearing(&self) -> impl Iterator<Item = &Object> {
        self.objects.iter().filter(|o| o.pod_template().is_some())
    }

    /// The Namespace object with this name, if the input has one.
    pub fn namespace(&self, name: &str) -> Option<&Object> {
        self.of_kind("Namespace").find(|o| o.id.name == name)
    }

    /// Number of objects.
    pub fn len(&self) -> usize {
        self.objects.len()
    }

    /// True when there are no objects.
    pub fn is_empty(&self) -> bool {
        self.objects.is_empty()
    }
}
