//! A ruleset's filters lowered to branching programs.
//!
//! A compiled [`Filter`] is a tree (`And`/`Or`/`Not` over boxed checks); walking it
//! means a recursive call, a match on the node kind and a pointer hop per node, and
//! on a stream of events whose own memory pushes the rules out of cache those hops
//! are most of the cost. Here every condition becomes a list of nodes, each a check
//! with the node to go to when it holds and the node to go to when it does not
//! (`a and b`: `a` true goes to `b`, `a` false rejects). Evaluation is a loop over
//! one contiguous array, and each check is visited at most once per rule, in the
//! tree's short-circuit order, so results are unchanged.
//!
//! The checks live once per ruleset, deduplicated by their text: the default rules
//! repeat the same macros (`open_read`, `spawned_process`, `container`) in many
//! rules, and a check's result is remembered for the rest of the event (see
//! [`Memo`]).
//!
//! A ruleset evaluates an event against a [`View`]: the programs of the rules indexed
//! under the event's type, specialized for that type. Every check that reads only
//! `evt.type` is decided when the view is built, its nodes are bypassed, and rules
//! the type alone rules out are left out of the view.

use std::collections::HashMap;

use crate::event::{Event, Value, Values};
use crate::fields::{FieldArg, FieldId};
use crate::filter::{Check, Filter};

/// Where a node sends evaluation next: another node, or a verdict.
type Target = u32;
/// The condition holds.
const ACCEPT: Target = u32::MAX;
/// The condition does not hold.
const REJECT: Target = u32::MAX - 1;

/// One step: evaluate `check`, go to `on_true` or `on_false`.
#[derive(Debug, Clone, Copy)]
struct Node {
    check: u32,
    on_true: Target,
    on_false: Target,
}

/// Results of the checks already evaluated for the current event. Each entry holds
/// the event's generation and the result in its low bit, so one load answers both
/// "evaluated for this event?" and "with what result?", and starting an event is an
/// increment.
#[derive(Debug, Default)]
pub struct Memo {
    entries: Vec<u32>,
    generation: u32,
}

impl Memo {
    /// Starts a new event for a program set with `checks` checks.
    fn begin(&mut self, checks: usize) {
        if self.entries.len() < checks {
            self.entries.resize(checks, 0);
        }
        // Generations use the upper 31 bits; 0 is never a live generation, so a
        // fresh entry never looks evaluated.
        self.generation = self.generation.wrapping_add(2);
        if self.generation == 0 {
            self.entries.iter_mut().for_each(|e| *e = 0);
            self.generation = 2;
        }
    }
}

/// The programs of some of a ruleset's rules, in rule order, in one node table.
#[derive(Debug, Clone, Default)]
pub struct View {
    nodes: Vec<Node>,
    /// Per rule of the view: the rule's index in the ruleset and its entry.
    rules: Vec<(usize, Target)>,
}

impl View {
    /// Number of rules.
    pub fn len(&self) -> usize {
        self.rules.len()
    }

    /// Whether the view has no rules.
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// Indexes (in the ruleset) of the rules the view evaluates, in order.
    pub fn rules(&self) -> impl Iterator<Item = usize> + '_ {
        self.rules.iter().map(|&(r, _)| r)
    }
}

/// The checks of a ruleset and the programs of all its rules.
#[derive(Debug, Clone, Default)]
pub struct Programs {
    checks: Vec<Check>,
    all: View,
}

impl Programs {
    /// Lowers `filters` (one per rule), sharing checks with equal text.
    pub fn build<'a>(filters: impl IntoIterator<Item = &'a Filter>) -> Programs {
        let mut checks: Vec<Check> = Vec::new();
        let mut all = View::default();
        let mut ids: HashMap<Box<str>, u32> = HashMap::new();
        for (rule, f) in filters.into_iter().enumerate() {
            let mut rev = Vec::new();
            let entry = lower(f, ACCEPT, REJECT, &mut rev, &mut |c: &Check| {
                let key = c.key();
                if !key.is_empty()
                    && let Some(&i) = ids.get(key)
                {
                    return i;
                }
                let i = u32::try_from(checks.len()).expect("fewer than 2^32 checks");
                checks.push(c.clone());
                if !key.is_empty() {
                    ids.insert(key.into(), i);
                }
                i
            });
            // Nodes were emitted last-first (a node needs its successors' positions);
            // reverse them so a rule runs forward through memory.
            let n = rev.len() as u32;
            let base = all.nodes.len() as u32;
            let place = |t: Target| {
                if t >= REJECT { t } else { base + (n - 1 - t) }
            };
            all.nodes.extend(rev.iter().rev().map(|nd| Node {
                check: nd.check,
                on_true: place(nd.on_true),
                on_false: place(nd.on_false),
            }));
            all.rules.push((rule, place(entry)));
        }
        Programs { checks, all }
    }

    /// Number of distinct checks.
    pub fn checks(&self) -> usize {
        self.checks.len()
    }

    /// The programs of every rule, unspecialized.
    pub fn all(&self) -> &View {
        &self.all
    }

    /// The programs of `rules` (ruleset indexes, in order) for events whose `field`
    /// is `value`: checks that read only `field` are decided now and their nodes
    /// bypassed, and rules that cannot match such an event are left out.
    pub fn view(&self, rules: &[usize], field: Option<(FieldId, &str)>) -> View {
        let decided: Vec<Option<bool>> = match field {
            Some((id, value)) => {
                let probe = OneField { field: id, value };
                self.checks
                    .iter()
                    .map(|c| c.reads_only(id).then(|| c.eval(&probe)))
                    .collect()
            }
            None => vec![None; self.checks.len()],
        };
        let nodes = &self.all.nodes;
        // Follows decided nodes to the first one that must be evaluated (or a verdict).
        let skip = |mut t: Target| {
            while t < REJECT {
                let nd = nodes[t as usize];
                match decided[nd.check as usize] {
                    Some(true) => t = nd.on_true,
                    Some(false) => t = nd.on_false,
                    None => break,
                }
            }
            t
        };
        let mut view = View::default();
        for &rule in rules {
            let Some(&(_, entry)) = self.all.rules.get(rule) else {
                continue;
            };
            let entry = skip(entry);
            if entry == REJECT {
                continue;
            }
            // Copy the nodes reachable from the entry, renumbered in order.
            let mut order: Vec<Target> = Vec::new();
            let mut at: HashMap<Target, Target> = HashMap::new();
            let mut stack = vec![entry];
            while let Some(t) = stack.pop() {
                if t >= REJECT || at.contains_key(&t) {
                    continue;
                }
                at.insert(t, 0);
                order.push(t);
                let nd = nodes[t as usize];
                stack.push(skip(nd.on_false));
                stack.push(skip(nd.on_true));
            }
            // Keep the original (forward) order of the nodes.
            order.sort_unstable();
            let base = view.nodes.len() as Target;
            for (i, t) in order.iter().enumerate() {
                at.insert(*t, base + i as Target);
            }
            let place = |t: Target| if t >= REJECT { t } else { at[&t] };
            for t in &order {
                let nd = nodes[*t as usize];
                view.nodes.push(Node {
                    check: nd.check,
                    on_true: place(skip(nd.on_true)),
                    on_false: place(skip(nd.on_false)),
                });
            }
            view.rules.push((rule, place(entry)));
        }
        view
    }

    /// Starts an event: results remembered for the previous one are forgotten.
    pub fn begin(&self, memo: &mut Memo) {
        memo.begin(self.checks.len());
    }

    /// Evaluates the rules of `view` on `ev` in order, calling `matched` with the
    /// ruleset index of each rule that matches until it returns `false`. Call
    /// [`Programs::begin`] once per event first; all the views evaluated for one
    /// event share `memo`.
    pub fn run<E: Event + ?Sized>(
        &self,
        view: &View,
        ev: &E,
        memo: &mut Memo,
        mut matched: impl FnMut(usize) -> bool,
    ) {
        let generation = memo.generation;
        for &(rule, entry) in &view.rules {
            let mut at = entry;
            while at < REJECT {
                let node = view.nodes[at as usize];
                let slot = &mut memo.entries[node.check as usize];
                let holds = if *slot & !1 == generation {
                    *slot & 1 == 1
                } else {
                    let v = self.checks[node.check as usize].eval(ev);
                    *slot = generation | u32::from(v);
                    v
                };
                at = if holds { node.on_true } else { node.on_false };
            }
            if at == ACCEPT && !matched(rule) {
                return;
            }
        }
    }
}

/// An event that has one field, for deciding the checks that read only that field.
struct OneField<'a> {
    field: FieldId,
    value: &'a str,
}

impl Event for OneField<'_> {
    fn event_type(&self) -> &str {
        self.value
    }

    fn timestamp_ns(&self) -> i64 {
        0
    }

    fn extract(&self, field: FieldId, arg: &FieldArg) -> Values<'_> {
        if field == self.field && *arg == FieldArg::None {
            Values::One(Value::Str(self.value.into()))
        } else {
            Values::Missing
        }
    }
}

/// Emits the nodes of `f` (into `out`, successors first) so that evaluation ends at
/// `t` when `f` holds and at `fl` when it does not; returns the entry. Node positions
/// in `out` are provisional (reversed by the caller).
fn lower(
    f: &Filter,
    t: Target,
    fl: Target,
    out: &mut Vec<Node>,
    check_id: &mut impl FnMut(&Check) -> u32,
) -> Target {
    match f {
        Filter::And(items) => items
            .iter()
            .rev()
            .fold(t, |next, item| lower(item, next, fl, out, check_id)),
        Filter::Or(items) => items
            .iter()
            .rev()
            .fold(fl, |next, item| lower(item, t, next, out, check_id)),
        Filter::Not(inner) => lower(inner, fl, t, out, check_id),
        Filter::Check(c) => {
            let check = check_id(c);
            out.push(Node {
                check,
                on_true: t,
                on_false: fl,
            });
            (out.len() - 1) as Target
        }
    }
}
