//! Per-type counters, in the order types were first seen (the order of the legacy object keys).

use crate::error::SettleCode;
use std::collections::HashMap;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypeStats {
    pub name: Box<str>,
    pub total: u64,
    pub resolved: u64,
    pub rejected: u64,
    /// Settlements by `SettleCode::index()`.
    pub by_code: [u64; SettleCode::ALL.len()],
}

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
        });
        self.index.insert(kind.into(), i);
        i
    }

    pub fn lookup(&self, kind: &str) -> Option<u32> {
        self.index.get(kind).copied()
    }

    pub fn requested(&mut self, row: u32) {
        self.rows[row as usize].total += 1;
    }

    /// Counts a settlement. Shutdown leaves statistics untouched, as the legacy manager did.
    pub fn settled(&mut self, row: u32, code: SettleCode) {
        let stats = &mut self.rows[row as usize];
        match code {
            SettleCode::Shutdown => return,
            SettleCode::Resolved => stats.resolved += 1,
            _ => stats.rejected += 1,
        }
        stats.by_code[code.index()] += 1;
    }

    pub fn name(&self, row: u32) -> &str {
        &self.rows[row as usize].name
    }

    pub fn rows(&self) -> &[TypeStats] {
        &self.rows
    }
}
