//! Maven `ComparableVersion` ordering (maven-artifact, Maven 4 line).
//!
//! Written by hand: no Rust crate reproduces ComparableVersion's item model
//! (numbers, qualifiers, "combination" items such as `alpha1`, and nested
//! lists started by `-`) including the MNG-5568/6572/6964/7644/7714 fixes.
//! Maven 3.x releases before those fixes order a few inputs differently; this
//! module pins the behaviour of the maven master branch the corpus reflects.

use std::cmp::Ordering;

use crate::version::num::cmp_digits;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Item {
    /// Digits with leading zeros stripped (Int/Long/BigInteger in Java;
    /// bucketed by length there, which orders exactly like the numbers).
    Num(String),
    /// A qualifier, lower-cased and aliased.
    Str(String),
    /// A qualifier immediately followed by a number (`rc1`, `alpha-2`).
    Combination(String, Box<Item>),
    /// A sub-list started by `-` or a digit/letter transition.
    List(Vec<Item>),
}

const QUALIFIERS: [&str; 7] = ["alpha", "beta", "milestone", "rc", "snapshot", "", "sp"];
const RELEASE_INDEX: &str = "5";

fn string_item(value: &str, followed_by_digit: bool) -> String {
    let v = if followed_by_digit && value.chars().count() == 1 {
        match value {
            "a" => "alpha",
            "b" => "beta",
            "m" => "milestone",
            other => other,
        }
    } else {
        value
    };
    if v == "cr" { "rc".into() } else { v.into() }
}

fn comparable_qualifier(q: &str) -> String {
    if ["ga", "final", "release"].contains(&q) {
        return RELEASE_INDEX.into();
    }
    match QUALIFIERS.iter().position(|x| *x == q) {
        Some(i) => i.to_string(),
        None => format!("{}-{q}", QUALIFIERS.len()),
    }
}

fn is_null(i: &Item) -> bool {
    match i {
        Item::Num(n) => n == "0",
        Item::Str(s) => s.is_empty(),
        Item::Combination(..) => false,
        Item::List(l) => l.is_empty(),
    }
}

fn num_item(digits: &str) -> Item {
    let t = digits.trim_start_matches('0');
    Item::Num(if t.is_empty() { "0".into() } else { t.into() })
}

fn combination(buf: &str) -> Item {
    let buf: String = buf.chars().filter(|&c| c != '-').collect();
    let idx = buf
        .char_indices()
        .find(|(_, c)| c.is_numeric())
        .map_or(0, |(i, _)| i);
    Item::Combination(
        string_item(&buf[..idx], true),
        Box::new(num_item(&buf[idx..])),
    )
}

fn parse_item(is_combination: bool, is_digit: bool, buf: &str) -> Item {
    if is_combination {
        combination(buf)
    } else if is_digit {
        num_item(buf)
    } else {
        Item::Str(string_item(buf, false))
    }
}

/// Compare `a` with `b`, where `None` stands for Java's `null` (a missing item).
fn cmp(a: &Item, b: Option<&Item>) -> Ordering {
    use Ordering::*;
    match a {
        Item::Num(x) => match b {
            None => {
                if x == "0" {
                    Equal
                } else {
                    Greater
                }
            }
            Some(Item::Num(y)) => cmp_digits(x, y),
            Some(_) => Greater,
        },
        Item::Str(s) => match b {
            None => comparable_qualifier(s).as_str().cmp(RELEASE_INDEX),
            Some(Item::Num(_)) => Less,
            Some(Item::Str(t)) => comparable_qualifier(s).cmp(&comparable_qualifier(t)),
            Some(Item::Combination(cs, cd)) => {
                let r = cmp(a, Some(&Item::Str(cs.clone())));
                if r == Equal {
                    if cmp(a, None) == Equal {
                        cmp(cd, None).reverse()
                    } else {
                        Less
                    }
                } else {
                    r
                }
            }
            Some(list @ Item::List(_)) => cmp(list, Some(a)).reverse(),
        },
        Item::Combination(s, d) => {
            let sp = Item::Str(s.clone());
            match b {
                None => {
                    let r = cmp(&sp, None);
                    if r == Equal { cmp(d, None) } else { r }
                }
                Some(Item::Num(_)) => Less,
                Some(other @ Item::Str(_)) => {
                    let r = cmp(&sp, Some(other));
                    if r == Equal {
                        if cmp(&sp, None) == Equal {
                            cmp(d, None)
                        } else {
                            Greater
                        }
                    } else {
                        r
                    }
                }
                Some(list @ Item::List(_)) => cmp(list, Some(a)).reverse(),
                Some(Item::Combination(t, e)) => {
                    let r = cmp(&sp, Some(&Item::Str(t.clone())));
                    if r == Equal { cmp(d, Some(e)) } else { r }
                }
            }
        }
        Item::List(items) => match b {
            None => {
                for i in items {
                    let r = cmp(i, None);
                    if r != Equal {
                        return r;
                    }
                }
                Equal
            }
            Some(Item::Num(_)) => Less,
            Some(other @ (Item::Str(_) | Item::Combination(..))) => {
                let mut r = match items.first() {
                    None => cmp(other, None).reverse(),
                    Some(first) => cmp(first, Some(other)),
                };
                for i in items.iter().skip(1) {
                    if r != Equal {
                        break;
                    }
                    r = cmp(i, None);
                }
                r
            }
            Some(Item::List(other)) => {
                let n = items.len().max(other.len());
                for k in 0..n {
                    let r = match (items.get(k), other.get(k)) {
                        (None, None) => Equal,
                        (None, Some(r)) => cmp(r, None).reverse(),
                        (Some(l), r) => cmp(l, r),
                    };
                    if r != Equal {
                        return r;
                    }
                }
                Equal
            }
        },
    }
}

/// Lists are built in an arena while parsing (the Java code mutates lists it
/// has already attached to their parents) and turned into a tree at the end.
enum Node {
    Leaf(Item),
    List(usize),
}

fn node_type_is_list(n: &Node) -> bool {
    matches!(n, Node::List(_))
}

fn normalize(arena: &mut [Vec<Node>], id: usize) {
    let mut i = arena[id].len();
    while i > 0 {
        i -= 1;
        let null = match &arena[id][i] {
            Node::Leaf(item) => is_null(item),
            Node::List(c) => arena[*c].is_empty(),
        };
        if !null {
            continue;
        }
        let len = arena[id].len();
        let remove = if i == len - 1 {
            true
        } else {
            match &arena[id][i + 1] {
                Node::Leaf(Item::Str(_)) => true,
                Node::Leaf(_) => false,
                Node::List(c) => matches!(
                    arena[*c].first(),
                    Some(Node::Leaf(Item::Combination(..) | Item::Str(_)))
                ),
            }
        };
        if remove {
            arena[id].remove(i);
        }
    }
    if arena[id].len() == 1 && node_type_is_list(&arena[id][0]) {
        if let Some(Node::List(c)) = arena[id].pop() {
            let child = std::mem::take(&mut arena[c]);
            arena[id] = child;
        }
    }
}

fn to_item(arena: &mut [Vec<Node>], id: usize) -> Vec<Item> {
    let nodes = std::mem::take(&mut arena[id]);
    nodes
        .into_iter()
        .map(|n| match n {
            Node::Leaf(item) => item,
            Node::List(c) => Item::List(to_item(arena, c)),
        })
        .collect()
}

/// Attach a new empty sub-list to `parent` and make it current.
fn new_list(arena: &mut Vec<Vec<Node>>, stack: &mut Vec<usize>, parent: usize) -> usize {
    arena.push(Vec::new());
    let id = arena.len() - 1;
    arena[parent].push(Node::List(id));
    stack.push(id);
    id
}

/// A parsed Maven version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MavenVersion {
    items: Vec<Item>,
}

/// Parse a Maven version. Every string parses (Maven has no invalid versions).
pub fn parse(version: &str) -> MavenVersion {
    let lower = version.to_lowercase();
    let chars: Vec<char> = lower.chars().collect();
    let mut arena: Vec<Vec<Node>> = vec![Vec::new()];
    let mut stack: Vec<usize> = vec![0];
    let mut list = 0usize;
    let mut is_digit = false;
    let mut is_combination = false;
    let mut start = 0usize;
    let sub = |a: usize, b: usize| chars[a..b].iter().collect::<String>();
    let mut i = 0usize;
    while i < chars.len() {
        let c = chars[i];
        if c == '.' {
            let item = if i == start {
                Item::Num("0".into())
            } else {
                parse_item(is_combination, is_digit, &sub(start, i))
            };
            arena[list].push(Node::Leaf(item));
            is_combination = false;
            start = i + 1;
        } else if c == '-' {
            if i == start {
                arena[list].push(Node::Leaf(Item::Num("0".into())));
            } else {
                // `X-1` is read as the combination `X1`.
                if !is_digit && i != chars.len() - 1 && chars[i + 1].is_numeric() {
                    is_combination = true;
                    i += 1;
                    continue;
                }
                let item = parse_item(is_combination, is_digit, &sub(start, i));
                arena[list].push(Node::Leaf(item));
            }
            start = i + 1;
            if !arena[list].is_empty() {
                list = new_list(&mut arena, &mut stack, list);
            }
            is_combination = false;
        } else if c.is_ascii_digit() {
            if !is_digit && i > start {
                is_combination = true;
                if !arena[list].is_empty() {
                    list = new_list(&mut arena, &mut stack, list);
                }
            }
            is_digit = true;
        } else {
            if is_digit && i > start {
                let item = parse_item(is_combination, true, &sub(start, i));
                arena[list].push(Node::Leaf(item));
                start = i;
                list = new_list(&mut arena, &mut stack, list);
                is_combination = false;
            }
            is_digit = false;
        }
        i += 1;
    }
    if chars.len() > start {
        if !is_digit && !arena[list].is_empty() {
            list = new_list(&mut arena, &mut stack, list);
        }
        let item = parse_item(is_combination, is_digit, &sub(start, chars.len()));
        arena[list].push(Node::Leaf(item));
    }
    while let Some(id) = stack.pop() {
        normalize(&mut arena, id);
    }
    MavenVersion {
        items: to_item(&mut arena, 0),
    }
}

fn canonical_items(items: &[Item]) -> String {
    let mut out = String::new();
    for item in items {
        if !out.is_empty() {
            out.push(if matches!(item, Item::List(_)) {
                '-'
            } else {
                '.'
            });
        }
        out.push_str(&canonical_item(item));
    }
    out
}

fn canonical_item(item: &Item) -> String {
    match item {
        Item::Num(n) => n.clone(),
        Item::Str(s) => s.clone(),
        Item::Combination(s, d) => format!("{s}{}", canonical_item(d)),
        Item::List(l) => canonical_items(l),
    }
}

impl MavenVersion {
    /// `ComparableVersion.getCanonical()`.
    pub fn canonical(&self) -> String {
        canonical_items(&self.items)
    }
}

impl Ord for MavenVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        cmp(
            &Item::List(self.items.clone()),
            Some(&Item::List(other.items.clone())),
        )
    }
}
impl PartialOrd for MavenVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Compare two Maven versions.
pub fn compare(a: &str, b: &str) -> Ordering {
    parse(a).cmp(&parse(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn qualifiers() {
        assert_eq!(compare("1.0-alpha-1", "1.0"), Ordering::Less);
        assert_eq!(compare("1ga", "1"), Ordering::Equal);
        assert_eq!(compare("1.0-SNAPSHOT", "1.0"), Ordering::Less);
        assert_eq!(parse("0.x").canonical(), "x");
    }
}
