//! The Prometheus text exposition format (version 0.0.4) of a registry's counters.

use crate::error::SettleCode;
use crate::stats::{StatsTable, TypeStats, WAIT_BUCKETS_MS};
use std::fmt::Write;

/// Escapes a label value: backslash, double quote and line feed, as the format requires.
fn label(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out
}

/// Gauges of the registry as a whole, beside the per-type rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Gauges {
    pub sessions: usize,
    pub detached: usize,
    pub oldest_age_ms: u64,
    /// Sessions whose rate-limit window is in memory.
    pub rate_windows: usize,
}

pub fn render(rows: &[TypeStats], gauges: &Gauges) -> String {
    let mut o = String::new();
    // Writing into a String cannot fail.
    let _ = write_all(&mut o, rows, gauges);
    o
}

fn write_all(o: &mut String, rows: &[TypeStats], g: &Gauges) -> std::fmt::Result {
    let Gauges {
        sessions,
        detached,
        oldest_age_ms,
        rate_windows,
    } = *g;
    writeln!(
        o,
        "# HELP interaction_manager_pending Pending interactions by type."
    )?;
    writeln!(o, "# TYPE interaction_manager_pending gauge")?;
    for r in rows {
        writeln!(
            o,
            "interaction_manager_pending{{type=\"{}\"}} {}",
            label(&r.name),
            r.pending
        )?;
    }
    writeln!(
        o,
        "# HELP interaction_manager_sessions Sessions with pending interactions."
    )?;
    writeln!(o, "# TYPE interaction_manager_sessions gauge")?;
    writeln!(o, "interaction_manager_sessions {sessions}")?;
    writeln!(
        o,
        "# HELP interaction_manager_detached_sessions Sessions in their reconnect grace."
    )?;
    writeln!(o, "# TYPE interaction_manager_detached_sessions gauge")?;
    writeln!(o, "interaction_manager_detached_sessions {detached}")?;
    writeln!(
        o,
        "# HELP interaction_manager_rate_limit_windows Sessions whose rate-limit window is held."
    )?;
    writeln!(o, "# TYPE interaction_manager_rate_limit_windows gauge")?;
    writeln!(o, "interaction_manager_rate_limit_windows {rate_windows}")?;
    writeln!(
        o,
        "# HELP interaction_manager_settled_total Settled interactions by type and how they ended."
    )?;
    writeln!(o, "# TYPE interaction_manager_settled_total counter")?;
    for r in rows {
        for code in SettleCode::ALL {
            writeln!(
                o,
                "interaction_manager_settled_total{{type=\"{}\",code=\"{}\"}} {}",
                label(&r.name),
                code.code(),
                r.by_code[code.index()]
            )?;
        }
    }
    writeln!(o, "# HELP interaction_manager_oldest_pending_age_seconds Age of the oldest pending interaction.")?;
    writeln!(
        o,
        "# TYPE interaction_manager_oldest_pending_age_seconds gauge"
    )?;
    writeln!(
        o,
        "interaction_manager_oldest_pending_age_seconds {}",
        oldest_age_ms as f64 / 1000.0
    )?;
    writeln!(o, "# HELP interaction_manager_wait_seconds How long interactions waited until they were settled.")?;
    writeln!(o, "# TYPE interaction_manager_wait_seconds histogram")?;
    for r in rows {
        let name = label(&r.name);
        let mut cumulative = 0;
        for (i, le) in WAIT_BUCKETS_MS.iter().enumerate() {
            cumulative += r.wait_buckets[i];
            writeln!(
                o,
                "interaction_manager_wait_seconds_bucket{{type=\"{name}\",le=\"{}\"}} {cumulative}",
                *le as f64 / 1000.0
            )?;
        }
        let count = StatsTable::settled_count(r);
        writeln!(
            o,
            "interaction_manager_wait_seconds_bucket{{type=\"{name}\",le=\"+Inf\"}} {count}"
        )?;
        writeln!(
            o,
            "interaction_manager_wait_seconds_sum{{type=\"{name}\"}} {}",
            r.wait_sum_ms as f64 / 1000.0
        )?;
        writeln!(
            o,
            "interaction_manager_wait_seconds_count{{type=\"{name}\"}} {count}"
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::label;

    #[test]
    fn label_values_are_escaped() {
        assert_eq!(label("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
        assert_eq!(label("plain"), "plain");
    }
}
