//! Per-type counters, in the order types were first seen (the order of the legacy object keys).
//!
//! Types come from callers, so their number is capped: the first `max_types` types (no longer than
//! `MAX_ROW_NAME_BYTES`) get a row each, and every later one is counted in the row `other`, the
//! usual answer to unbounded label cardinality in Prometheus. A type without a row of its own is
//! remembered only while interactions of that type are pending (for listing by type).

use crate::error::SettleCode;
use std::collections::HashMap;

/// The row that counts the types past the cap. A type actually named so shares it.
pub const OVERFLOW_ROW: &str = "other";
/// Longer types are counted in `OVERFLOW_ROW`, so one metrics label stays short.
pub const MAX_ROW_NAME_BYTES: usize = 256;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypeStats {
    pub name: Box<str>,
    pub total: u64,
    pub resolved: u64,
    pub rejected: u64,
    /// Settlements by `SettleCode::index()`, shutdown included.
    pub by_code: [u64; SettleCode::ALL.len()],
    pub pending: u64,
    /// How long settled interactions waited: counts per `WAIT_BUCKETS_MS` bucket (cumulative
    /// only when rendered), then the total in ms.
    pub wait_buckets: [u64; WAIT_BUCKETS_MS.len()],
    pub wait_sum_ms: u64,
}

/// Upper bounds of the wait histogram, in ms (a last, unbounded bucket is implied).
pub const WAIT_BUCKETS_MS: [u64; 9] = [
    100, 500, 1_000, 5_000, 10_000, 30_000, 60_000, 300_000, 600_000,
];

#[derive(Debug)]
struct Name {
    text: Box<str>,
    row: u32,
    /// Whether `row` is this type's own row; names without one are freed when nothing is pending.
    own_row: bool,
    pending: u64,
}

#[derive(Debug)]
pub struct StatsTable {
    rows: Vec<TypeStats>,
    max_types: usize,
    overflow: Option<u32>,
    /// Interned type names; an interaction keeps the index of its name.
    names: Vec<Option<Name>>,
    free: Vec<u32>,
    index: HashMap<Box<str>, u32>,
}

impl StatsTable {
    pub fn new(max_types: u32) -> Self {
        Self {
            rows: Vec::new(),
            max_types: max_types as usize,
            overflow: None,
            names: Vec::new(),
            free: Vec::new(),
            index: HashMap::new(),
        }
    }

    fn new_row(&mut self, name: &str) -> u32 {
        let row = self.rows.len() as u32;
        self.rows.push(TypeStats {
            name: name.into(),
            total: 0,
            resolved: 0,
            rejected: 0,
            by_code: [0; SettleCode::ALL.len()],
            pending: 0,
            wait_buckets: [0; WAIT_BUCKETS_MS.len()],
            wait_sum_ms: 0,
        });
        if name == OVERFLOW_ROW {
            self.overflow = Some(row);
        }
        row
    }

    fn overflow_row(&mut self) -> u32 {
        match self.overflow {
            Some(row) => row,
            None => self.new_row(OVERFLOW_ROW),
        }
    }

    /// The name of `kind`, interned on first use; returns its index.
    pub fn intern(&mut self, kind: &str) -> u32 {
        if let Some(&i) = self.index.get(kind) {
            return i;
        }
        let own = kind == OVERFLOW_ROW
            || (self.own_rows() < self.max_types && kind.len() <= MAX_ROW_NAME_BYTES);
        let (row, own_row) = if kind == OVERFLOW_ROW {
            (self.overflow_row(), true)
        } else if own {
            (self.new_row(kind), true)
        } else {
            (self.overflow_row(), false)
        };
        let name = Name {
            text: kind.into(),
            row,
            own_row,
            pending: 0,
        };
        let i = match self.free.pop() {
            Some(i) => {
                self.names[i as usize] = Some(name);
                i
            }
            None => {
                self.names.push(Some(name));
                (self.names.len() - 1) as u32
            }
        };
        self.index.insert(kind.into(), i);
        i
    }

    /// Rows that belong to one type (the overflow row counted only once it is a type's own).
    fn own_rows(&self) -> usize {
        self.rows.len() - usize::from(self.overflow.is_some())
    }

    pub fn lookup(&self, kind: &str) -> Option<u32> {
        self.index.get(kind).copied()
    }

    fn name_mut(&mut self, name: u32) -> Option<&mut Name> {
        self.names.get_mut(name as usize).and_then(Option::as_mut)
    }

    pub fn requested(&mut self, name: u32) {
        let Some(n) = self.name_mut(name) else { return };
        n.pending += 1;
        let row = n.row as usize;
        let stats = &mut self.rows[row];
        stats.total += 1;
        stats.pending += 1;
    }

    /// Counts a settlement after `waited_ms`. Shutdown leaves the legacy counters (`resolved`,
    /// `rejected`) untouched, as the legacy manager did; the metrics count it.
    pub fn settled(&mut self, name: u32, code: SettleCode, waited_ms: u64) {
        let Some(n) = self.name_mut(name) else { return };
        n.pending = n.pending.saturating_sub(1);
        let row = n.row as usize;
        if !n.own_row && n.pending == 0 {
            if let Some(gone) = self.names[name as usize].take() {
                self.index.remove(&gone.text);
                self.free.push(name);
            }
        }
        let stats = &mut self.rows[row];
        stats.pending = stats.pending.saturating_sub(1);
        stats.by_code[code.index()] += 1;
        let bucket = WAIT_BUCKETS_MS
            .iter()
            .position(|&le| waited_ms <= le)
            .unwrap_or(WAIT_BUCKETS_MS.len() - 1);
        if waited_ms <= WAIT_BUCKETS_MS[WAIT_BUCKETS_MS.len() - 1] {
            stats.wait_buckets[bucket] += 1;
        }
        stats.wait_sum_ms = stats.wait_sum_ms.saturating_add(waited_ms);
        match code {
            SettleCode::Shutdown => {}
            SettleCode::Resolved => stats.resolved += 1,
            _ => stats.rejected += 1,
        }
    }

    /// Settlements of a row, shutdown included: the histogram's count.
    pub fn settled_count(row: &TypeStats) -> u64 {
        row.by_code.iter().sum()
    }

    pub fn rows(&self) -> &[TypeStats] {
        &self.rows
    }

    /// Type names held (rows' own plus those pending past the cap); bounded by the cap plus the
    /// distinct types pending.
    pub fn names_held(&self) -> usize {
        self.index.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_past_the_cap_share_the_overflow_row_and_are_forgotten_when_settled() {
        let mut t = StatsTable::new(2);
        let a = t.intern("a");
        let b = t.intern("b");
        let c = t.intern("c");
        let long = t.intern(&"x".repeat(MAX_ROW_NAME_BYTES + 1));
        for n in [a, b, c, long] {
            t.requested(n);
        }
        let names: Vec<&str> = t.rows().iter().map(|r| &*r.name).collect();
        assert_eq!(names, ["a", "b", OVERFLOW_ROW]);
        assert_eq!(t.rows()[2].total, 2);
        assert_eq!(t.lookup("c"), Some(c));
        t.settled(c, SettleCode::Timeout, 5);
        t.settled(long, SettleCode::Resolved, 5);
        assert_eq!(
            t.lookup("c"),
            None,
            "an overflowed type is forgotten once settled"
        );
        assert_eq!(t.names_held(), 2);
        assert_eq!((t.rows()[2].resolved, t.rows()[2].rejected), (1, 1));
        // Its name slot is reused, and the capped rows stay capped.
        for i in 0..1000 {
            let n = t.intern(&format!("t{i}"));
            t.requested(n);
            t.settled(n, SettleCode::Resolved, 1);
        }
        assert_eq!(t.rows().len(), 3);
        assert_eq!(t.names_held(), 2);
        assert_eq!(t.names.len(), 4);
    }

    #[test]
    fn a_type_named_other_shares_the_overflow_row() {
        let mut t = StatsTable::new(1);
        let other = t.intern(OVERFLOW_ROW);
        let a = t.intern("a");
        let b = t.intern("b");
        t.requested(other);
        t.requested(a);
        t.requested(b);
        let names: Vec<(&str, u64)> = t.rows().iter().map(|r| (&*r.name, r.total)).collect();
        assert_eq!(names, [(OVERFLOW_ROW, 2), ("a", 1)]);
    }
}
