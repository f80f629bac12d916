//! The node's filesystem as the checks see it.
//!
//! Every check names files by their path *on the node* (`/etc/kubernetes/admin.conf`).
//! [`NodeFs`] turns such a path into content and metadata; [`RootedFs`] does it for a
//! live node (root `/`) or for a copy or mount of a node's filesystem (`--root DIR`),
//! where absolute symlink targets must stay inside `DIR` rather than escape to the host
//! running kspect. Tests implement the trait over temporary directories.

use std::collections::HashMap;
use std::io;
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::{Component, Path, PathBuf};
use std::sync::OnceLock;

/// What kind of filesystem entry a path is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FileKind {
    /// A regular file.
    File,
    /// A directory.
    Dir,
    /// A unix domain socket.
    Socket,
    /// Anything else (device, fifo).
    Other,
}

/// The metadata the benchmarks look at, after following symlinks.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FileMeta {
    /// Permission bits including set-id and sticky bits (`mode & 0o7777`).
    pub mode: u32,
    /// Numeric owner.
    pub uid: u32,
    /// Numeric group.
    pub gid: u32,
    /// The owner's name from the node's `/etc/passwd`, else the number as text.
    pub owner: String,
    /// The group's name from the node's `/etc/group`, else the number as text.
    pub group: String,
    /// Entry type.
    pub kind: FileKind,
}

impl FileMeta {
    /// `owner:group`, as `stat -c %U:%G` prints it.
    pub fn ownership(&self) -> String {
        format!("{}:{}", self.owner, self.group)
    }

    /// The mode as `stat -c %a` prints it (octal, no leading zero).
    pub fn mode_text(&self) -> String {
        format!("{:o}", self.mode)
    }
}

/// A view of a node's files by node path.
pub trait NodeFs {
    /// The contents of a file.
    fn read(&self, path: &str) -> io::Result<Vec<u8>>;
    /// Metadata of a path, following symlinks (within the node's root).
    fn stat(&self, path: &str) -> io::Result<FileMeta>;
    /// Names of the entries of a directory, sorted.
    fn read_dir(&self, path: &str) -> io::Result<Vec<String>>;
    /// How to show a node path to a user: the path itself on a live node, or where the
    /// file really is under `--root`.
    fn display(&self, path: &str) -> String {
        path.to_string()
    }

    /// The contents of a file as text (lossy), or `None` when it cannot be read.
    fn read_text(&self, path: &str) -> Option<String> {
        self.read(path)
            .ok()
            .map(|b| String::from_utf8_lossy(&b).into_owned())
    }

    /// True when the path exists (after following symlinks).
    fn exists(&self, path: &str) -> bool {
        self.stat(path).is_ok()
    }

    /// Every entry below `path` (not `path` itself), depth first in name order, like
    /// `find PATH -mindepth 1`. Directories reached through symlinks are not entered.
    fn walk(&self, path: &str) -> Vec<String> {
        let mut out = Vec::new();
        let mut stack = vec![(path.trim_end_matches('/').to_string(), 0usize)];
        while let Some((dir, depth)) = stack.pop() {
            // Deeper than any real configuration tree; bounds a hostile or looping tree.
            if depth > 32 {
                continue;
            }
            let Ok(names) = self.read_dir(if dir.is_empty() { "/" } else { &dir }) else {
                continue;
            };
            let mut subdirs = Vec::new();
            for name in names {
                let child = format!("{dir}/{name}");
                if self.stat(&child).is_ok_and(|m| m.kind == FileKind::Dir)
                    && !self.is_symlink(&child)
                {
                    subdirs.push(child.clone());
                }
                out.push(child);
            }
            for d in subdirs.into_iter().rev() {
                stack.push((d, depth + 1));
            }
        }
        out
    }

    /// True when the last component of `path` is a symlink.
    fn is_symlink(&self, _path: &str) -> bool {
        false
    }
}

/// The maximum number of symlinks followed while resolving one path (as Linux).
const MAX_SYMLINKS: usize = 40;

/// A node filesystem rooted at a host directory: `/` for the live node, or `--root DIR`.
#[derive(Debug)]
pub struct RootedFs {
    root: PathBuf,
    users: OnceLock<HashMap<u32, String>>,
    groups: OnceLock<HashMap<u32, String>>,
}

impl RootedFs {
    /// A view of the node whose `/` is `root`.
    pub fn new(root: impl Into<PathBuf>) -> RootedFs {
        RootedFs {
            root: root.into(),
            users: OnceLock::new(),
            groups: OnceLock::new(),
        }
    }

    /// The live node: `/`.
    pub fn live() -> RootedFs {
        RootedFs::new("/")
    }

    /// The host directory that is the node's `/`.
    pub fn root(&self) -> &Path {
        &self.root
    }

    fn is_host_root(&self) -> bool {
        self.root == Path::new("/")
    }

    /// Maps a node path to a host path, following symlinks so that absolute targets
    /// resolve inside the root. The last component is resolved too.
    pub fn resolve(&self, path: &str) -> io::Result<PathBuf> {
        if self.is_host_root() {
            return Ok(PathBuf::from(path));
        }
        let mut pending: Vec<String> = components(path);
        pending.reverse();
        let mut current: Vec<String> = Vec::new();
        let mut links = 0;
        while let Some(part) = pending.pop() {
            if part == ".." {
                current.pop();
                continue;
            }
            let candidate = self.host_path(&current, Some(&part));
            match std::fs::symlink_metadata(&candidate) {
                Ok(m) if m.file_type().is_symlink() => {
                    links += 1;
                    if links > MAX_SYMLINKS {
                        return Err(io::Error::other("too many levels of symbolic links"));
                    }
                    let target = std::fs::read_link(&candidate)?;
                    let target = target.to_string_lossy();
                    if target.starts_with('/') {
                        current.clear();
                    }
                    for t in components(&target).into_iter().rev() {
                        pending.push(t);
                    }
                }
                _ => current.push(part),
            }
        }
        Ok(self.host_path(&current, None))
    }

    fn host_path(&self, parts: &[String], extra: Option<&str>) -> PathBuf {
        let mut p = self.root.clone();
        for c in parts {
            p.push(c);
        }
        if let Some(e) = extra {
            p.push(e);
        }
        p
    }

    fn names(&self, file: &str) -> HashMap<u32, String> {
        // `/etc/passwd` and `/etc/group` share the layout `name:x:id:...`.
        let mut map = HashMap::new();
        if let Some(text) = self.read_text(file) {
            for line in text.lines() {
                let mut f = line.split(':');
                let (Some(name), _, Some(id)) = (f.next(), f.next(), f.next()) else {
                    continue;
                };
                if let Ok(id) = id.trim().parse::<u32>() {
                    map.entry(id).or_insert_with(|| name.to_string());
                }
            }
        }
        map.entry(0).or_insert_with(|| "root".to_string());
        map
    }

    fn user_name(&self, uid: u32) -> String {
        let users = self.users.get_or_init(|| self.names("/etc/passwd"));
        users.get(&uid).cloned().unwrap_or_else(|| uid.to_string())
    }

    fn group_name(&self, gid: u32) -> String {
        let groups = self.groups.get_or_init(|| self.names("/etc/group"));
        groups.get(&gid).cloned().unwrap_or_else(|| gid.to_string())
    }
}

fn components(path: &str) -> Vec<String> {
    Path::new(path)
        .components()
        .filter_map(|c| match c {
            Component::Normal(s) => Some(s.to_string_lossy().into_owned()),
            Component::ParentDir => Some("..".to_string()),
            _ => None,
        })
        .collect()
}

impl NodeFs for RootedFs {
    fn read(&self, path: &str) -> io::Result<Vec<u8>> {
        std::fs::read(self.resolve(path)?)
    }

    fn stat(&self, path: &str) -> io::Result<FileMeta> {
        let m = std::fs::metadata(self.resolve(path)?)?;
        let ft = m.file_type();
        let kind = if ft.is_file() {
            FileKind::File
        } else if ft.is_dir() {
            FileKind::Dir
        } else if ft.is_socket() {
            FileKind::Socket
        } else {
            FileKind::Other
        };
        Ok(FileMeta {
            mode: m.mode() & 0o7777,
            uid: m.uid(),
            gid: m.gid(),
            owner: self.user_name(m.uid()),
            group: self.group_name(m.gid()),
            kind,
        })
    }

    fn read_dir(&self, path: &str) -> io::Result<Vec<String>> {
        let mut names: Vec<String> = std::fs::read_dir(self.resolve(path)?)?
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        Ok(names)
    }

    fn display(&self, path: &str) -> String {
        if self.is_host_root() {
            path.to_string()
        } else {
            format!(
                "{}/{}",
                self.root.display().to_string().trim_end_matches('/'),
                path.trim_start_matches('/')
            )
        }
    }

    fn is_symlink(&self, path: &str) -> bool {
        let parent = Path::new(path)
            .parent()
            .map(|p| p.to_string_lossy().into_owned());
        let name = Path::new(path).file_name();
        let (Some(parent), Some(name)) = (parent, name) else {
            return false;
        };
        self.resolve(&parent)
            .and_then(|p| std::fs::symlink_metadata(p.join(name)))
            .is_ok_and(|m| m.file_type().is_symlink())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::{PermissionsExt, symlink};

    #[test]
    fn absolute_symlinks_stay_inside_the_root() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("etc/kubernetes/pki")).unwrap();
        std::fs::write(root.join("etc/kubernetes/pki/ca.crt"), "x").unwrap();
        std::fs::set_permissions(
            root.join("etc/kubernetes/pki/ca.crt"),
            std::fs::Permissions::from_mode(0o640),
        )
        .unwrap();
        std::fs::create_dir_all(root.join("srv")).unwrap();
        symlink("/etc/kubernetes/pki", root.join("srv/pki")).unwrap();
        symlink("../etc/kubernetes/pki/ca.crt", root.join("srv/ca")).unwrap();
        let fs = RootedFs::new(root);
        assert_eq!(fs.stat("/srv/pki/ca.crt").unwrap().mode, 0o640);
        assert_eq!(fs.stat("/srv/ca").unwrap().mode, 0o640);
        assert!(fs.is_symlink("/srv/ca"));
        // `..` above the root stays at the root.
        assert_eq!(
            fs.stat("/../../etc/kubernetes/pki/ca.crt").unwrap().mode,
            0o640
        );
    }

    #[test]
    fn names_come_from_the_nodes_user_database() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("etc")).unwrap();
        std::fs::write(
            root.join("etc/passwd"),
            "root:x:0:0::/root:/bin/sh\netcd:x:4242:4242::/:/bin/false\n",
        )
        .unwrap();
        std::fs::write(root.join("etc/group"), "root:x:0:\netcd:x:4242:\n").unwrap();
        let fs = RootedFs::new(root);
        assert_eq!(fs.user_name(4242), "etcd");
        assert_eq!(fs.group_name(4242), "etcd");
        assert_eq!(fs.user_name(0), "root");
        assert_eq!(fs.user_name(7), "7");
    }

    #[test]
    fn walk_lists_like_find() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("p/etcd")).unwrap();
        std::fs::write(root.join("p/a.crt"), "").unwrap();
        std::fs::write(root.join("p/etcd/b.key"), "").unwrap();
        let fs = RootedFs::new(root);
        assert_eq!(fs.walk("/p/"), vec!["/p/a.crt", "/p/etcd", "/p/etcd/b.key"]);
    }
}
