//! Export of cases (CSV or JSON) and of the audit log.

use crate::domain::msg::{Localize, Msg};
#[allow(unused_imports)]
use crate::msg;
use std::io::Write;

use super::engine::params_from_iter;
use chrono::NaiveDate;
use serde::Serialize;

use super::{Store, StoreError};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusFilter {
    Open,
    Decided,
    All,
}

#[derive(Debug, Clone)]
pub struct ExportFilter {
    pub procedure: Option<String>,
    pub status: StatusFilter,
    /// Received on or after this local day.
    pub from: Option<NaiveDate>,
    /// Received on or before this local day.
    pub to: Option<NaiveDate>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    Csv { bom: bool },
    Json,
}

/// One exported case.
#[derive(Debug, Serialize)]
struct Row {
    number: String,
    procedure: String,
    rule_version: String,
    status: String,
    received_at: String,
    accepted_at: Option<String>,
    applicant: String,
    citizenship: String,
    iin: Option<String>,
    host: Option<String>,
    host_id: Option<String>,
    stage: Option<String>,
    next_deadline: Option<String>,
    deadline: Option<String>,
    decision: Option<String>,
    decided_at: Option<String>,
    approval: Option<String>,
    assignee: Option<String>,
}

const COLUMNS: &[&str] = &[
    "number",
    "procedure",
    "rule_version",
    "status",
    "received_at",
    "accepted_at",
    "applicant",
    "citizenship",
    "iin",
    "host",
    "host_id",
    "stage",
    "next_deadline",
    "deadline",
    "decision",
    "decided_at",
    "approval",
    "assignee",
];

/// The rows an export reads (filters and order are appended).
pub const EXPORT_SELECT: &str =
    "SELECT c.number, c.procedure, c.version_id, c.status, c.received_at, c.accepted_at, p.name,
                    p.citizenship, p.iin, c.host_name, c.host_id,
                    c.current_stage,
                    c.next_due, c.next_due_kind, d.kind, d.at, d.approval, c.assignee
             FROM cases c
             JOIN persons p ON p.case_number = c.number AND p.ord = 0
             LEFT JOIN decisions d ON d.case_number = c.number
                  AND d.ord = (SELECT max(ord) FROM decisions WHERE case_number = c.number)
             WHERE 1 = 1";

/// `850615312340` → `********2340`: enough to tell numbers apart, not to use one.
pub fn mask(id: &str) -> String {
    let n = id.chars().count();
    id.chars()
        .enumerate()
        .map(|(i, c)| if i + 4 < n { '*' } else { c })
        .collect()
}

/// Mask every run of exactly 12 digits unless personal data is included.
pub fn protect_ids(s: &str, include_pii: bool) -> String {
    if include_pii {
        return s.to_string();
    }
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_ascii_digit() {
            let start = i;
            while i < chars.len() && chars[i].is_ascii_digit() {
                i += 1;
            }
            let run: String = chars[start..i].iter().collect();
            if run.len() == 12 {
                out.push_str(&mask(&run));
            } else {
                out.push_str(&run);
            }
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}

pub fn csv_cell(out: &mut String, s: &str) {
    // A leading = + - @ would be run as a formula by spreadsheet software.
    let formula = s.starts_with(['=', '+', '-', '@']);
    if formula || s.contains([',', '"', '\n', '\r']) {
        out.push('"');
        if formula {
            out.push('\'');
        }
        out.push_str(&s.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(s);
    }
}

impl Store {
    /// A stored UTC instant as RFC 3339 in the office's zone
    /// (`2026-11-20T17:45:00+05:00`); text that is not one stays as it is.
    pub fn office_time(&self, stored: &str) -> String {
        match super::parse_ts(stored) {
            Ok(t) => t
                .with_timezone(&self.cal.zone())
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, false),
            Err(_) => stored.to_string(),
        }
    }

    /// Write the cases that match `filter` to `w`; returns how many.
    pub fn export_cases(
        &self,
        w: &mut dyn Write,
        filter: &ExportFilter,
        format: ExportFormat,
        include_pii: bool,
    ) -> Result<u64, StoreError> {
        let mut sql = String::from(EXPORT_SELECT);
        let mut args: Vec<String> = Vec::new();
        match filter.status {
            StatusFilter::Open => sql.push_str(" AND c.status IN ('received', 'accepted')"),
            StatusFilter::Decided => {
                sql.push_str(" AND c.status IN ('decided', 'archived', 'refused_to_accept')")
            }
            StatusFilter::All => {}
        }
        if let Some(p) = &filter.procedure {
            args.push(p.clone());
            sql.push_str(&format!(" AND c.procedure = ?{}", args.len()));
        }
        // Local days to UTC bounds: the received_at column is UTC text.
        let bound = |d: NaiveDate| -> Result<String, StoreError> {
            let t = crate::domain::term::at_local(&self.cal, d, chrono::NaiveTime::MIN)
                .map_err(|e| StoreError::Invalid(e.msg()))?;
            Ok(super::ts(t))
        };
        if let Some(from) = filter.from {
            args.push(bound(from)?);
            sql.push_str(&format!(" AND c.received_at >= ?{}", args.len()));
        }
        if let Some(to) = filter.to {
            let next = to
                .succ_opt()
                .ok_or_else(|| StoreError::Invalid(Msg::key("error.store.to-out-of-range")))?;
            args.push(bound(next)?);
            sql.push_str(&format!(" AND c.received_at < ?{}", args.len()));
        }
        sql.push_str(" ORDER BY c.number");
        let mut stmt = self.conn.prepare(&sql)?;
        let mut rows = stmt.query(params_from_iter(args.iter()))?;
        let io = |e: std::io::Error| {
            StoreError::Io(crate::msg!("error.store.export-write", detail = e.msg()))
        };
        let mut count = 0u64;
        let mut buf = String::with_capacity(64 * 1024);
        match format {
            ExportFormat::Csv { bom } => {
                if bom {
                    buf.push('\u{feff}');
                }
                buf.push_str(&COLUMNS.join(","));
                buf.push_str("\r\n");
            }
            ExportFormat::Json => buf.push('['),
        }
        let mut stage_names: std::collections::HashMap<(String, String), Vec<String>> =
            Default::default();
        while let Some(r) = rows.next()? {
            let procedure: String = r.get(1)?;
            let version: String = r.get(2)?;
            let stage_ord: Option<i64> = r.get(11)?;
            let stage = match stage_ord {
                Some(i) => {
                    let names = stage_names
                        .entry((procedure.clone(), version.clone()))
                        .or_insert_with(|| {
                            self.rules
                                .procedure(&procedure)
                                .ok()
                                .and_then(|p| p.version(&version))
                                .map(|v| v.stages.iter().map(|s| s.id.clone()).collect())
                                .unwrap_or_default()
                        });
                    names.get(i as usize).cloned()
                }
                None => None,
            };
            let iin: Option<String> = r.get(8)?;
            let host_id: Option<String> = r.get(10)?;
            let protect = |v: Option<String>| if include_pii { v } else { v.map(|x| mask(&x)) };
            let row = Row {
                number: r.get(0)?,
                procedure,
                rule_version: version,
                status: r.get(3)?,
                received_at: r.get(4)?,
                accepted_at: r.get(5)?,
                applicant: r.get(6)?,
                citizenship: r.get(7)?,
                iin: protect(iin),
                host: r.get(9)?,
                host_id: protect(host_id),
                stage,
                next_deadline: r.get(12)?,
                deadline: r.get(13)?,
                decision: r.get(14)?,
                decided_at: r.get(15)?,
                approval: r.get(16)?,
                assignee: r.get(17)?,
            };
            // Instants as Almaty wall-clock time with its offset: what a
            // person reads, and still one exact instant for a program.
            let mut row = row;
            for t in [
                Some(&mut row.received_at),
                row.accepted_at.as_mut(),
                row.next_deadline.as_mut(),
                row.decided_at.as_mut(),
            ]
            .into_iter()
            .flatten()
            {
                *t = self.office_time(t);
            }
            match format {
                ExportFormat::Csv { .. } => {
                    let cells: [Option<&str>; 18] = [
                        Some(&row.number),
                        Some(&row.procedure),
                        Some(&row.rule_version),
                        Some(&row.status),
                        Some(&row.received_at),
                        row.accepted_at.as_deref(),
                        Some(&row.applicant),
                        Some(&row.citizenship),
                        row.iin.as_deref(),
                        row.host.as_deref(),
                        row.host_id.as_deref(),
                        row.stage.as_deref(),
                        row.next_deadline.as_deref(),
                        row.deadline.as_deref(),
                        row.decision.as_deref(),
                        row.decided_at.as_deref(),
                        row.approval.as_deref(),
                        row.assignee.as_deref(),
                    ];
                    for (i, c) in cells.iter().enumerate() {
                        if i > 0 {
                            buf.push(',');
                        }
                        csv_cell(&mut buf, c.unwrap_or(""));
                    }
                    buf.push_str("\r\n");
                }
                ExportFormat::Json => {
                    if count > 0 {
                        buf.push(',');
                    }
                    buf.push_str("\n  ");
                    let json =
                        serde_json::to_string(&row).map_err(|e| StoreError::Sql(e.to_string()))?;
                    buf.push_str(&crate::domain::text::json_safe(json));
                }
            }
            count += 1;
            if buf.len() >= 60 * 1024 {
                w.write_all(buf.as_bytes()).map_err(io)?;
                buf.clear();
            }
        }
        if format == ExportFormat::Json {
            buf.push_str(if count > 0 { "\n]\n" } else { "]\n" });
        }
        w.write_all(buf.as_bytes()).map_err(io)?;
        w.flush().map_err(io)?;
        Ok(count)
    }

    /// Write the whole audit log as JSON lines; returns how many rows.
    /// Without `include_pii`, every 12-digit number (IIN, BIN) in the
    /// recorded values is masked.
    pub fn export_audit(&self, w: &mut dyn Write, include_pii: bool) -> Result<u64, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT seq, at, actor, case_number, action, before, after, prev_hash, hash FROM audit ORDER BY seq")?;
        let mut rows = stmt.query([])?;
        let io = |e: std::io::Error| {
            StoreError::Io(crate::msg!("error.store.export-write", detail = e.msg()))
        };
        let mut n = 0;
        while let Some(r) = rows.next()? {
            let v = serde_json::json!({
                "seq": r.get::<_, i64>(0)?,
                "at": r.get::<_, String>(1)?,
                "actor": r.get::<_, String>(2)?,
                "case": r.get::<_, Option<String>>(3)?,
                "action": r.get::<_, String>(4)?,
                "before": r.get::<_, Option<String>>(5)?.map(|x| protect_ids(&x, include_pii)),
                "after": r.get::<_, Option<String>>(6)?.map(|x| protect_ids(&x, include_pii)),
                "prev_hash": r.get::<_, String>(7)?,
                "hash": r.get::<_, String>(8)?,
            });
            writeln!(w, "{}", crate::domain::text::json_safe(v.to_string())).map_err(io)?;
            n += 1;
        }
        w.flush().map_err(io)?;
        Ok(n)
    }
}
