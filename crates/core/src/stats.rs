//! Per-type counters, in the order types were first seen (the order of the legacy object keys).

use crate::error::SettleCode;
use std::collections::HashMap;

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

#[derive(Debug, Default)]
pub struct StatsTable {
    rows: Vec<TypeStats>,
    index: HashMap<Box<str>, u32>,
}

impl StatsTable {
    /// The row of `kind`, created on first use; returns its index.
    pub fn intern(&mut self, kind: &str) -> u32 {
        if let Some(&i) = self.index.get(kind) {
            return i;
        }
        let i = self.rows.len() as u32;
        self.rows.push(TypeStats {
            name: kind.into(),
            total: 0,
            resolved: 0,
            rejected: 0,
            by_code: [0; SettleCode::ALL.len()],
            pending: 0,
            wait_buckets: [0; WAIT_BUCKETS_MS.len()],
            wait_sum_ms: 0,
        });
        self.index.insert(kind.into(), i);
        i
    }

    pub fn lookup(&self, kind: &str) -> Option<u32> {
        self.index.get(kind).copied()
    }

    pub fn requested(&mut self, row: u32) {
        let stats = &mut self.rows[row as usize];
        stats.total += 1;
        stats.pending += 1;
    }

    /// Counts a settlement after `waited_ms`. Shutdown leaves the legacy counters (`resolved`,
    /// `rejected`) untouched, as the legacy manager did; the metrics count it.
    pub fn settled(&mut self, row: u32, code: SettleCode, waited_ms: u64) {
        let stats = &mut self.rows[row as usize];
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

    pub fn name(&self, row: u32) -> &str {
        &self.rows[row as usize].name
    }

    pub fn rows(&self) -> &[TypeStats] {
        &self.rows
    }
}
